"""action_check_status and action_submit_request: each backend outcome gets its own reply,
with a fake backend client (the real backend answers in tests/integration)."""
from __future__ import annotations

import asyncio

import pytest
from cryptography.fernet import Fernet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import Refused, StatusFound, StatusLocked, StatusNotFound, Submitted, Unavailable
from tests.actions.trackers import domain, tracker

STATUS_SLOTS = {"status_reference": "PLR-2345-6789", "status_date_of_birth": "2001-04-03"}
REQUEST_SLOTS = {"request_type": "opt_out", "request_key": "k" * 32, "given_name": "Testy",
                 "family_name": "Testperson-Actions", "date_of_birth": "2001-04-03", "postcode": "SW1A 1AA",
                 "has_previous_name": False, "knows_uln": False, "contact_email": "none"}


def run(action, slots):
    dispatcher = CollectingDispatcher()
    events = asyncio.new_event_loop().run_until_complete(
        action.run(dispatcher, tracker("", slots=slots, active_loop=None), domain()))
    return ({e["name"]: e["value"] for e in events if e.get("event") == "slot"},
            [m.get("response") for m in dispatcher.messages])


@pytest.fixture
def status_answers(monkeypatch):
    import actions.status

    calls = []

    class Fake:
        answer = None

        async def status(self, reference, date_of_birth):
            calls.append((reference, date_of_birth))
            return Fake.answer

    monkeypatch.setattr(actions.status, "BackendClient", Fake)
    return Fake, calls


@pytest.mark.parametrize("answer,response,counted", [
    (StatusFound("PLR-2345-6789", "in_progress"), "utter_status_in_progress", True),
    (StatusNotFound(), "utter_status_not_found", True),
    (StatusLocked(retry_after=840), "utter_status_locked", True),
    (Unavailable("timeout"), "utter_status_unavailable", False),
])
def test_each_status_outcome_has_its_reply_and_is_counted(status_answers, answer, response, counted):
    from actions.status import ActionCheckStatus

    fake, calls = status_answers
    fake.answer = answer
    slots, responses = run(ActionCheckStatus(), {**STATUS_SLOTS, "status_checks": 1.0})
    assert responses == [response]
    assert slots["status_reference"] is None and slots["status_date_of_birth"] is None
    assert slots.get("status_checks") == (2.0 if counted else None)


def test_a_fourth_status_check_in_one_conversation_gets_the_helpdesk(status_answers):
    from actions.status import ActionCheckStatus

    fake, calls = status_answers
    fake.answer = StatusNotFound()
    slots = {**STATUS_SLOTS, "status_checks": 0.0}
    for _ in range(3):
        changes, responses = run(ActionCheckStatus(), slots)
        assert responses == ["utter_status_not_found"]
        slots = {**STATUS_SLOTS, "status_checks": changes["status_checks"]}
    changes, responses = run(ActionCheckStatus(), slots)
    assert responses == ["utter_status_limit"] and len(calls) == 3  # the backend was not asked
    assert changes["status_date_of_birth"] is None


def test_new_responses_exist_with_a_voice_variation():
    responses = domain()["responses"]
    for name in ("utter_status_locked", "utter_status_limit", "utter_request_conflict"):
        variations = responses[name]
        assert "{helpdesk_phone}" in variations[0]["text"]
        voice = [v for v in variations if v.get("channel") == "twilio_voice"]
        assert voice and '<say-as interpret-as="telephone">{helpdesk_phone}</say-as>' in voice[0]["text"]
        for variation in variations:
            assert "n't" not in variation["text"]
    assert domain()["slots"]["status_checks"]["influence_conversation"] is False


@pytest.fixture
def submit_module(monkeypatch, tmp_path):
    from actions.settings import get_settings

    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ACTIONS_API_KEY", "test-actions-key-0123456789")
    monkeypatch.setenv("OUTBOX_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("OUTBOX_PATH", str(tmp_path / "outbox.sqlite3"))
    get_settings.cache_clear()
    import actions.submit as submit

    monkeypatch.setattr(submit, "_outbox", None)
    monkeypatch.setattr(submit.OutboxWorker, "ensure_started", lambda self: None)
    sent = []

    class Fake:
        answer = None

        async def submit(self, payload, key):
            sent.append((key, payload))
            return Fake.answer

    monkeypatch.setattr(submit, "BackendClient", Fake)
    yield submit, Fake, sent
    get_settings.cache_clear()


@pytest.mark.parametrize("answer,response,queued", [
    (Submitted("PLR-2345-6789", "received", ""), "utter_request_submitted_opt_out", 0),
    (Refused(422, "uln", "invalid"), "utter_request_refused", 0),
    (Refused(409, None, "already used"), "utter_request_conflict", 0),
    (Refused(401, None, "a valid API key is required"), "utter_request_queued", 1),
    (Refused(404, None, "", is_json=False), "utter_request_queued", 1),
    (Unavailable("timeout"), "utter_request_queued", 1),
])
def test_each_submission_outcome_has_its_reply(submit_module, answer, response, queued):
    submit, fake, _ = submit_module
    fake.answer = answer
    _, responses = run(submit.ActionSubmitRequest(), REQUEST_SLOTS)
    assert responses == [response]
    assert submit.outbox().count("pending") == queued


def test_a_corrected_body_is_sent_under_a_new_key(submit_module):
    submit, fake, sent = submit_module
    fake.answer = Submitted("PLR-2345-6789", "received", "")
    run(submit.ActionSubmitRequest(), REQUEST_SLOTS)
    run(submit.ActionSubmitRequest(), REQUEST_SLOTS)  # the same body again (a lost turn): same key
    run(submit.ActionSubmitRequest(), {**REQUEST_SLOTS, "postcode": "LS1 4AW"})  # corrected: new key
    keys = [key for key, _ in sent]
    assert keys[0] == keys[1] != keys[2]


@pytest.mark.parametrize("slot,sent_as", [("cy", "cy"), ("en", "en"), (None, "en"), ("fr", "en"), ("CY", "en")])
def test_the_request_carries_the_conversation_language(submit_module, slot, sent_as):
    submit, fake, sent = submit_module
    fake.answer = Submitted("PLR-2345-6789", "received", "")
    run(submit.ActionSubmitRequest(), {**REQUEST_SLOTS, "language": slot})
    [(_, payload)] = sent
    assert payload["language"] == sent_as


def test_a_request_queued_in_an_outage_keeps_its_language(submit_module):
    submit, fake, sent = submit_module
    fake.answer = Unavailable("timeout")
    _, responses = run(submit.ActionSubmitRequest(), {**REQUEST_SLOTS, "language": "cy"})
    assert responses == ["utter_request_queued"]
    [(key, payload)] = sent
    [queued] = submit.outbox().pending()
    assert (queued.idempotency_key, queued.payload) == (key, payload)  # what the worker will send
    assert queued.payload["language"] == "cy"

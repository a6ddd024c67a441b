"""Changes that keep Rasa's cost per message down (figures in `make bench`): the in-memory
tracker store keeps a conversation's history bounded (stores/history.py) and reads and writes it
with ujson (stores/tracker_store.py), and each JSON schema is checked once
(speedups/jsonschema_once.py)."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import jsonschema_once
from stores.configured import ConfiguredTrackerStore
from stores.history import compact

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def questions_then_form(turns: int):
    events = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for i in range(turns):
        events += [UserUttered(f"question {i}", {"name": "faq"}), ActionExecuted("utter_faq"), BotUttered("answer"),
                   ActionExecuted("action_listen")]
    events += [UserUttered("opt out", {"name": "request_opt_out"}), ActionExecuted("action_start_request"),
               SlotSet("request_type", "opt_out"), ActionExecuted("action_listen"),
               UserUttered("yes", {"name": "affirm"}), ActionExecuted("sharing_request_form"),
               ActiveLoop("sharing_request_form"), SlotSet("requested_slot", "given_name"),
               ActionExecuted("action_listen"), UserUttered("Jane", {"name": "inform"}),
               ActionExecuted("sharing_request_form"), SlotSet("given_name", "Jane"),
               SlotSet("requested_slot", "family_name"), ActionExecuted("action_listen")]
    return events


def test_compaction_keeps_recent_turns_slots_and_the_open_form(domain):
    tracker = DialogueStateTracker.from_events("c", questions_then_form(30), slots=domain.slots)
    short = compact(tracker, domain.slots, keep_turns=2)
    assert short is not None and len(short.events) < len(tracker.events) / 3
    assert [e.text for e in short.events if isinstance(e, UserUttered)] == ["yes", "Jane"]
    assert short.active_loop_name == "sharing_request_form"
    for slot in ("request_type", "given_name", "requested_slot"):
        assert short.get_slot(slot) == tracker.get_slot(slot), slot
    assert short.past_states(domain)[-3:] == tracker.past_states(domain)[-3:]
    assert compact(tracker, domain.slots, keep_turns=100) is None  # nothing to drop


def test_the_configured_memory_store_bounds_a_long_conversation(domain, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE", "memory")
    # The settings as endpoints.yml gives them.
    store = ConfiguredTrackerStore(domain=domain, max_events=150, keep_turns=8)
    short_one = DialogueStateTracker.from_events("short", questions_then_form(5), slots=domain.slots)
    long_one = DialogueStateTracker.from_events("long", questions_then_form(60), slots=domain.slots)

    async def round_trip(tracker):
        await store.save(tracker)
        return await store.retrieve(tracker.sender_id)

    kept = asyncio.run(round_trip(short_one))
    assert len(kept.events) == len(short_one.events), "a short conversation is left whole"
    bounded = asyncio.run(round_trip(long_one))
    assert len(long_one.events) > 150 >= len(bounded.events)
    assert len([e for e in bounded.events if isinstance(e, UserUttered)]) == 8
    assert bounded.active_loop_name == "sharing_request_form"
    assert bounded.get_slot("given_name") == "Jane" and bounded.get_slot("request_type") == "opt_out"


def test_rasa_servers_check_each_schema_once():
    import channels.health  # noqa: F401  (what every Rasa server loads, through credentials.yml)

    assert jsonschema.validate is jsonschema_once.validate


def test_cached_jsonschema_validate_behaves_like_the_original():
    spec = RemoteAction.action_response_format_spec()
    good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"response": "utter_x"}]}
    bad = {"events": "not a list", "responses": []}
    for _ in range(2):  # the second call uses the cached validator
        assert jsonschema_once.validate(good, spec) is None
        with pytest.raises(jsonschema.ValidationError) as cached:
            jsonschema_once.validate(bad, spec)
        with pytest.raises(jsonschema.ValidationError) as original:
            jsonschema_once._original(bad, spec)
        assert cached.value.message == original.value.message
    with pytest.raises(jsonschema.SchemaError):  # a broken schema is still refused
        jsonschema_once.validate({}, {"type": 12})


def action_answers():
    """Action-server answers, valid and not: every kind of event Rasa can serialise, then each
    changed in the ways that could matter to the cheaper oneOf (event names swapped, unknown,
    missing or not a string; fields of the wrong type; events that are not objects)."""
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        ActionReverted,
        AllSlotsReset,
        ConversationPaused,
        ConversationResumed,
        EntitiesAdded,
        FollowupAction,
        LoopInterrupted,
        ReminderCancelled,
        ReminderScheduled,
        Restarted,
        SessionStarted,
        StoryExported,
        UserUtteranceReverted,
    )
    kinds = [UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "e", "value": "v", "start": 0,
                                                                       "end": 2}]),
             ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0), SlotSet("given_name", "Alex"),
             SlotSet("uln", None), BotUttered("hello", {"buttons": []}), ActiveLoop("sharing_request_form"),
             ActiveLoop(None), FollowupAction("action_listen"), Restarted(), AllSlotsReset(),
             ConversationPaused(), ConversationResumed(), StoryExported(), ActionReverted(),
             UserUtteranceReverted(), SessionStarted(), LoopInterrupted(True), EntitiesAdded([]),
             ActionExecutionRejected("sharing_request_form"), ReminderCancelled("r"),
             ReminderScheduled("intent", datetime(2026, 1, 1), name="r")]
    events = [event.as_dict() for event in kinds]
    names = sorted({event["event"] for event in events}) + ["no_such_event"]
    answers = [{"events": events, "responses": [{"text": "hello"}]}, {"events": []}, {}]
    for event in events:
        answers.append({"events": [event]})
        for name in names:
            answers.append({"events": [dict(event, event=name)]})
        for odd in (None, 1, True, ["slot"], {"a": 1}):
            answers.append({"events": [dict(event, event=odd)]})
        answers.append({"events": [{k: v for k, v in event.items() if k != "event"}]})
        for field in event:
            for odd in (None, 1, 1.5, True, "text", [], {}):
                answers.append({"events": [dict(event, **{field: odd})]})
    answers += [{"events": ["slot"]}, {"events": [None]}, {"events": [[]]}, {"events": {"event": "slot"}},
                {"responses": "hi"}, {"responses": [1]}, [], "answer", None]
    return answers


def test_the_cheaper_oneof_gives_jsonschemas_verdict_and_error():
    spec = RemoteAction.action_response_format_spec()
    full = jsonschema.validators.validator_for(spec)(spec)
    quick = jsonschema_once.quick_check(jsonschema.validators.validator_for(spec), spec)
    answers = action_answers()
    verdicts = [full.is_valid(answer) for answer in answers]
    assert sum(verdicts) > 500 and verdicts.count(False) > 400  # both kinds are well represented
    for answer, verdict in zip(answers, verdicts):
        assert quick.is_valid(answer) == verdict, answer
        if verdict:
            assert jsonschema_once.validate(answer, spec) is None
        else:
            with pytest.raises(jsonschema.ValidationError) as ours:
                jsonschema_once.validate(answer, spec)
            with pytest.raises(jsonschema.ValidationError) as rasas:
                jsonschema_once._original(answer, spec)
            assert (ours.value.message, list(ours.value.path)) == (rasas.value.message, list(rasas.value.path))


def test_the_ujson_memory_store_gives_back_what_rasas_store_does(domain):
    from rasa.core.tracker_store import InMemoryTrackerStore

    from stores.tracker_store import UjsonInMemoryTrackerStore

    events = questions_then_form(6) + [
        UserUttered("my name is Zoë O'Test / Testperson \u2028", {"name": "inform", "confidence": 0.1 + 0.2},
                    [{"entity": "PERSON", "value": "Zoë", "start": 11, "end": 14}]),
        SlotSet("given_name", "Zoë"), BotUttered("Thanks, Zoë.", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
    ]
    tracker = DialogueStateTracker.from_events("synthetic-ujson", events, slots=domain.slots)

    async def round_trip(store):
        await store.save(tracker)
        return store.store[tracker.sender_id], await store.retrieve(tracker.sender_id)

    fast_text, fast = asyncio.run(round_trip(UjsonInMemoryTrackerStore(domain)))
    rasa_text, rasa = asyncio.run(round_trip(InMemoryTrackerStore(domain)))
    # Ours also redacts what it writes (stores/redaction.py): the same JSON as Rasa's, redacted.
    from stores import redaction

    expected = json.loads(rasa_text)
    expected["events"], _ = redaction.redact(expected["events"])
    assert fast_text != rasa_text and json.loads(fast_text) == expected
    assert len(fast.events) == len(rasa.events) == len(tracker.events)
    assert fast.current_slot_values() == rasa.current_slot_values()
    assert fast.latest_message.intent == rasa.latest_message.intent
    assert fast.latest_message.text == redaction.USER_PLACEHOLDER

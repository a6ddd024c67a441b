"""Actions with real trackers: in a Welsh conversation every value they fill in is Welsh, and in
an English one (slot `en` or unset) exactly what it always was (issue 22).

The read-back is also rendered through content/nlg.py, as Rasa renders it, so what the learner
reads is checked, not only the values.
"""
from __future__ import annotations

import asyncio
from functools import lru_cache

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

from actions import settings as settings_module
from actions.fallback import ActionFallbackOptions
from actions.forms import ValidateSharingRequestForm, ValidateStatusForm
from actions.handoff import ActionHelpdeskDetails
from actions.request_flow import ActionReviewRequest
from actions.status import ActionCheckStatus
from content.nlg import ContactDetailsNLG
from tests.actions import trackers
from tests.actions.trackers import tracker
from tests.unit.domain_files import DOMAIN_DIR

domain = lru_cache(maxsize=1)(trackers.domain)


@pytest.fixture(autouse=True, scope="module")
def domain_read_once():
    """trackers.tracker() reads domain/ for every tracker; this module's many trackers share one read."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(trackers, "domain", domain)
        yield


ENGLISH = [{"language": "en"}, {"language": None}]
WELSH = {"language": "cy"}
READ_BACK = {"request_type": "opt_out", "given_name": "Sam", "family_name": "Hughes", "date_of_birth": "2001-03-12",
             "postcode": "CF10 3AT", "has_previous_name": False, "previous_family_name": None, "knows_uln": False,
             "uln": None, "contact_email": "none", "awaiting_confirmation": True}
FULL_READ_BACK = {**READ_BACK, "has_previous_name": True, "previous_family_name": "Evans", "knows_uln": True,
                  "uln": "1748529632", "contact_email": "sam@example.com"}


def run(action, slots, text="", intent="affirm", channel="rest", active_loop=None, events=None):
    dispatcher = CollectingDispatcher()
    t = tracker(text, intent=intent, slots=slots, channel=channel, active_loop=active_loop, events=events)
    result = action.run(dispatcher, t, domain())
    if asyncio.iscoroutine(result):
        result = asyncio.new_event_loop().run_until_complete(result)
    return dispatcher.messages, result


def values(message):
    return {k: v for k, v in message.items() if k.startswith(("review_", "field_label"))}


# --- the read-back ----------------------------------------------------------------------------

def test_a_welsh_read_back_gives_a_welsh_date_and_welsh_empty_lines():
    [message], _ = run(ActionReviewRequest(), {**READ_BACK, **WELSH})
    assert values(message) == {
        "review_name": "Sam Hughes", "review_dob": "12 Mawrth 2001", "review_postcode": "CF10 3AT",
        "review_previous_name": "dim", "review_uln": "heb ei roi", "review_uln_last3": "",
        "review_email": "dim"}


@pytest.mark.parametrize("language", ENGLISH)
def test_an_english_read_back_is_unchanged(language):
    [message], _ = run(ActionReviewRequest(), {**READ_BACK, **language})
    assert values(message) == {
        "review_name": "Sam Hughes", "review_dob": "12 March 2001", "review_postcode": "CF10 3AT",
        "review_previous_name": "none", "review_uln": "not given", "review_uln_last3": "",
        "review_email": "none"}


def test_given_details_read_back_the_same_in_both_languages_but_the_date():
    [welsh], _ = run(ActionReviewRequest(), {**FULL_READ_BACK, **WELSH})
    [english], _ = run(ActionReviewRequest(), FULL_READ_BACK)
    assert welsh["review_dob"] == "12 Mawrth 2001" and english["review_dob"] == "12 March 2001"
    for key in ("review_name", "review_postcode", "review_previous_name", "review_uln", "review_uln_last3",
                "review_email"):
        assert welsh[key] == english[key], key
    assert welsh["review_uln"] == "*******632" and welsh["review_email"] == "sam@example.com"


@pytest.fixture(scope="module")
def nlg():
    return ContactDetailsNLG(domain=Domain.load(str(DOMAIN_DIR)), environ={})


@pytest.mark.parametrize("channel", ["rest", "twilio_voice"])
@pytest.mark.parametrize("request_type", ["opt_out", "opt_in"])
def test_the_welsh_read_back_has_no_english_in_it(nlg, channel, request_type):
    slots = {**READ_BACK, **WELSH, "request_type": request_type}
    [message], _ = run(ActionReviewRequest(), slots, channel=channel)
    rendered = nlg.generate_from_slots(message["response"], slots, channel, **values(message))
    assert rendered["language"] == "cy"
    assert "12 Mawrth 2001" in rendered["text"] and "heb ei roi" in rendered["text"]
    for english in ("March", "not given", "none"):
        assert english not in rendered["text"], (english, rendered["text"])


def test_the_english_read_back_renders_as_before(nlg):
    [message], _ = run(ActionReviewRequest(), READ_BACK)
    rendered = nlg.generate_from_slots(message["response"], READ_BACK, "rest", **values(message))
    assert "12 March 2001" in rendered["text"] and "not given" in rendered["text"]
    assert "language" not in rendered


# --- re-prompts: {field_label} --------------------------------------------------------------

def fail(slot, slots, channel="rest", form=ValidateSharingRequestForm):
    dispatcher = CollectingDispatcher()
    t = tracker("x", slots={**slots, "requested_slot": slot}, channel=channel)
    form()._fail(slot, "name_empty", dispatcher, t)
    [message] = dispatcher.messages
    return message["field_label"]


@pytest.mark.parametrize("slot,welsh", [("given_name", "enw cyntaf"), ("family_name", "cyfenw"),
                                        ("previous_family_name", "cyfenw blaenorol"),
                                        ("date_of_birth", "dyddiad geni"), ("postcode", "cod post"),
                                        ("uln", "Rhif Unigryw'r Dysgwr (ULN)"),
                                        ("contact_email", "cyfeiriad e-bost")])
def test_a_welsh_re_prompt_names_the_field_in_welsh(slot, welsh):
    assert fail(slot, WELSH) == welsh


@pytest.mark.parametrize("language", ENGLISH)
@pytest.mark.parametrize("channel", ["rest", "twilio_voice"])
def test_an_english_re_prompt_names_the_field_as_before(language, channel):
    assert fail("given_name", language, channel) == "first name"
    assert fail("uln", language, channel) == "ULN"


def test_the_welsh_phone_names_the_uln_without_its_english_letters():
    assert fail("uln", WELSH, channel="twilio_voice") == "Rhif Unigryw'r Dysgwr"


def test_the_status_form_names_its_fields_in_welsh():
    assert fail("status_reference", WELSH, form=ValidateStatusForm) == "cyfeirnod"
    assert fail("status_date_of_birth", WELSH, form=ValidateStatusForm) == "dyddiad geni"
    assert fail("status_reference", {}, form=ValidateStatusForm) == "reference"


def test_the_third_failure_offers_the_helpdesk_with_a_welsh_label():
    """Validated the way the action server runs it: a bad first name three times."""
    dispatcher = CollectingDispatcher()
    slots = {**WELSH, "requested_slot": "given_name", "given_name": "12345",
             "failed_attempts": {"given_name": 2}}
    t = tracker("12345", slots=slots, active_loop="sharing_request_form")
    t.events.append({"event": "slot", "name": "given_name", "value": "12345"})
    asyncio.new_event_loop().run_until_complete(ValidateSharingRequestForm().run(dispatcher, t, domain()))
    [message] = [m for m in dispatcher.messages if m.get("response") == "utter_too_many_attempts"]
    assert message["field_label"] == "enw cyntaf"


# --- the fallback's buttons and the helpdesk ----------------------------------------------

@pytest.fixture
def helpdesk(monkeypatch):
    def configure(hours="", hours_cy=""):
        monkeypatch.setenv("HELPDESK_PHONE", "0345 602 2589")
        monkeypatch.setenv("HELPDESK_HOURS", hours)
        monkeypatch.setenv("HELPDESK_HOURS_CY", hours_cy)
        settings_module.get_settings.cache_clear()

    configure()
    yield configure
    settings_module.get_settings.cache_clear()


def unsure(faq_ranking, intent_ranking=(("faq", 0.45), ("help", 0.2))):
    return {
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.5}]
        + [{"name": name, "confidence": conf} for name, conf in intent_ranking],
        "response_selector": {"faq": {"ranking": [{"intent_response_key": k, "confidence": c}
                                                  for k, c in faq_ranking]}},
    }


def fallback_slots(slots, parse, events=None):
    t = tracker("uln lost help??", intent="nlu_fallback", slots=slots, active_loop=None, events=events)
    t.latest_message.update(parse)
    dispatcher = CollectingDispatcher()
    result = asyncio.new_event_loop().run_until_complete(ActionFallbackOptions().run(dispatcher, t, domain()))
    assert dispatcher.messages == []
    return {e["name"]: e["value"] for e in result if e.get("event") == "slot"}


def test_a_welsh_clarifying_question_offers_welsh_titles_and_a_welsh_question(helpdesk):
    slots = fallback_slots(WELSH, unsure([("faq/uln_find", 0.6), ("faq/uln_what", 0.3)]))
    assert (slots["fallback_option_1_title"], slots["fallback_option_1_payload"]) == (
        "Dod o hyd i'ch Rhif Unigryw'r Dysgwr", "Sut ydw i'n ffeindio fy ULN?")
    assert (slots["fallback_option_2_title"], slots["fallback_option_2_payload"]) == (
        "Beth all y cynorthwyydd hwn ei wneud", "/help")


@pytest.mark.parametrize("language", ENGLISH)
def test_an_english_clarifying_question_is_unchanged(helpdesk, language):
    slots = fallback_slots(language, unsure([("faq/uln_find", 0.6), ("faq/uln_what", 0.3)]))
    assert (slots["fallback_option_1_title"], slots["fallback_option_1_payload"]) == (
        "Finding your ULN", "How do I find my ULN?")
    assert (slots["fallback_option_2_title"], slots["fallback_option_2_payload"]) == (
        "What this assistant can do", "/help")


def _second_miss():
    parse = unsure([("faq/plr_view", 0.5)], [("faq", 0.4)])
    first = {"event": "user", "text": "blah", "parse_data": {"intent": {"name": "nlu_fallback"}, **parse}}
    return parse, [first, {"event": "action", "name": "action_fallback_options"}, {"event": "action",
                                                                                 "name": "action_listen"}]


def test_the_welsh_helpdesk_gives_the_welsh_hours(helpdesk):
    helpdesk(hours="Monday to Friday, 9am to 5pm", hours_cy="Dydd Llun i ddydd Gwener, 9am tan 5pm")
    parse, before = _second_miss()
    slots = fallback_slots(WELSH, parse, events=before)
    assert slots["fallback_stage"] == "helpdesk"
    assert slots["helpdesk_hours"] == "Dydd Llun i ddydd Gwener, 9am tan 5pm"
    assert fallback_slots({}, parse, events=before)["helpdesk_hours"] == "Monday to Friday, 9am to 5pm"


def test_the_handoff_gives_hours_in_the_conversations_language(helpdesk):
    helpdesk(hours="Monday to Friday, 9am to 5pm", hours_cy="Dydd Llun i ddydd Gwener, 9am tan 5pm")
    _, welsh = run(ActionHelpdeskDetails(), WELSH, intent="human_handoff")
    assert {e["name"]: e["value"] for e in welsh} == {"helpdesk_phone": "0345 602 2589",
                                                      "helpdesk_hours": "Dydd Llun i ddydd Gwener, 9am tan 5pm"}
    for language in ENGLISH:
        _, english = run(ActionHelpdeskDetails(), language, intent="human_handoff")
        assert {e["name"]: e["value"] for e in english}["helpdesk_hours"] == "Monday to Friday, 9am to 5pm"


def test_without_welsh_hours_a_welsh_handoff_still_gives_the_hours(helpdesk):
    """As the web page does: the configured hours rather than none at all."""
    helpdesk(hours="Monday to Friday, 9am to 5pm")
    _, welsh = run(ActionHelpdeskDetails(), WELSH, intent="human_handoff")
    assert {e["name"]: e["value"] for e in welsh}["helpdesk_hours"] == "Monday to Friday, 9am to 5pm"
    helpdesk()
    _, welsh = run(ActionHelpdeskDetails(), WELSH, intent="human_handoff")
    assert {e["name"]: e["value"] for e in welsh}["helpdesk_hours"] is None


# --- status: nothing in it to translate ----------------------------------------------------

def test_a_welsh_status_check_sends_the_same_responses_with_no_words_of_its_own(helpdesk):
    """The status replies' only value is the reference, a code: the Welsh wording is the response's."""
    for slots in (WELSH, {}):
        messages, _ = run(ActionCheckStatus(), {**slots, "status_reference": None})
        assert [m["response"] for m in messages] == ["utter_status_not_found"]
        assert values(messages[0]) == {} and messages[0]["text"] is None

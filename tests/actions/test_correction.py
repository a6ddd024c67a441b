"""action_prepare_correction with real trackers: what a correction needs next
(correction_state), and a bare detail that nothing asked for."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.request_flow import ActionPrepareCorrection
from tests.actions.trackers import domain, tracker

READ_BACK = {"request_type": "opt_in", "given_name": "Omar", "family_name": "Khan", "date_of_birth": "2001-03-12",
             "postcode": "NW1 6XE", "has_previous_name": False, "knows_uln": False, "contact_email": "none",
             "awaiting_confirmation": True}


def prepare(text, intent, slots):
    dispatcher = CollectingDispatcher()
    events = ActionPrepareCorrection().run(dispatcher, tracker(text, intent=intent, slots=slots, active_loop=None),
                                           domain())
    return ({e["name"]: e["value"] for e in events if e.get("event") == "slot"},
            [m.get("response") for m in dispatcher.messages])


def test_a_detail_at_the_read_back_is_a_correction_even_as_inform():
    slots, responses = prepare("my date of birth should be 3 December 2001", "inform", READ_BACK)
    assert slots["date_of_birth"] == "2001-12-03"
    assert slots["correction_state"] == "done" and slots["awaiting_confirmation"] is False
    assert responses == []


def test_a_detail_that_nothing_asked_for_goes_to_the_fallback():
    slots, responses = prepare("flibber jabber wocky", "inform", {})
    assert slots == {"correction_state": "not_a_correction"}
    assert responses == []
    # The same after a request was sent (no read-back waiting): nothing is changed.
    slots, _ = prepare("Evans", "inform", {**READ_BACK, "awaiting_confirmation": False})
    assert slots == {"correction_state": "not_a_correction"}


def test_a_correction_naming_no_field_asks_which():
    slots, responses = prepare("one of the details is wrong", "correct", READ_BACK)
    assert slots["correction_state"] == "ask_field"
    assert responses == ["utter_ask_what_to_correct"]


def test_a_field_without_a_valid_value_is_asked_for_again():
    slots, responses = prepare("my postcode is wrong", "correct", READ_BACK)
    assert slots["postcode"] is None and slots["correction_state"] == "ask_value"
    assert responses == ["utter_correction_ask"]


def test_a_correction_with_nothing_in_progress_says_so():
    slots, responses = prepare("my postcode is wrong", "correct", {})
    assert slots == {"correction_state": "no_request"}
    assert responses == ["utter_no_request_to_correct"]


def test_a_correction_keeps_the_yes_no_answers_given_before():
    """The form comes back to ask the corrected field and re-validates what was filled: a "no"
    given earlier to the previous-name question stays, whatever the correction message says."""
    import asyncio

    from actions.forms import ValidateSharingRequestForm

    slots = {**READ_BACK, "postcode": None, "requested_slot": None}
    t = tracker('/correct{"field": "postcode"}', intent="correct", slots=slots)
    t.events.append({"event": "slot", "name": "has_previous_name", "value": False})
    dispatcher = CollectingDispatcher()
    events = asyncio.new_event_loop().run_until_complete(ValidateSharingRequestForm().run(dispatcher, t, domain()))
    set_slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert set_slots.get("has_previous_name", False) is False
    assert dispatcher.messages == []
    assert set_slots["requested_slot"] == "postcode"


def test_an_unsure_message_at_the_read_back_is_a_correction_only_with_a_field_and_a_valid_value():
    slots, _ = prepare("my date of birth should be 3 December 2001", "nlu_fallback", READ_BACK)
    assert slots["date_of_birth"] == "2001-12-03" and slots["correction_state"] == "done"
    for text in ("the date thing", "my date of birth should be the 45th", "blah blah"):
        slots, responses = prepare(text, "nlu_fallback", READ_BACK)
        assert slots == {"correction_state": "not_a_correction"} and responses == [], text


def test_a_correction_in_welsh_names_its_field():
    """Welsh field words with their mutations: "fy nghyfenw", "fy mhen-blwydd", "y cod post"."""
    import re

    from actions.request_flow import FIELD_WORDS

    def field_of(text):
        return next((field for field, pattern in FIELD_WORDS if re.search(pattern, text.lower())), None)

    assert field_of("mae fy nghyfenw i'n anghywir") == "family_name"
    assert field_of("fy hen gyfenw sy'n rong") == "previous_family_name"
    assert field_of("mae fy mhen-blwydd yn anghywir") == "date_of_birth"
    assert field_of("newid y cod post plis") == "postcode"
    assert field_of("dydy'r enw cyntaf ddim yn iawn") == "given_name"
    assert field_of("ga i newid fy nghyfeiriad e-bost") == "contact_email"
    assert field_of("mae'r rhif dysgwr yn anghywir") == "uln"

"""The request form's validation action, run the way the action server runs it: the slot
Rasa's from_text mapping filled, plus whatever else the message carries."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import forms
from actions.forms import ValidateSharingRequestForm, ValidateStatusForm
from tests.actions.trackers import domain, tracker


def run_validation(
    text: str,
    requested: str,
    filled: Optional[Dict[str, Any]] = None,
    mapped_value: Any = "__text__",
    entities: Optional[List[Dict]] = None,
    action=None,
    form: str = "sharing_request_form",
) -> Tuple[Dict[str, Any], List[str]]:
    """Returns the slots the action set and the responses it sent."""
    filled = {**answered_before(requested), **(filled or {})}
    value = text if mapped_value == "__text__" else mapped_value
    slots = {**filled, "requested_slot": requested, requested: value}
    t = tracker(text, slots=slots, entities=entities, active_loop=form)
    t.events.append({"event": "slot", "name": requested, "value": value})
    dispatcher = CollectingDispatcher()
    action = action or ValidateSharingRequestForm()
    events = asyncio.new_event_loop().run_until_complete(action.run(dispatcher, t, domain()))
    set_slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return set_slots, [m.get("response") for m in dispatcher.messages]


ORDER = [("given_name", "Jane"), ("family_name", "Smith"), ("date_of_birth", "2001-04-03"),
         ("postcode", "SW1A 1AA"), ("has_previous_name", False), ("knows_uln", True), ("uln", "1748529632"),
         ("contact_email", "none")]


def answered_before(requested: str) -> Dict[str, Any]:
    """The answers a learner gave before being asked `requested` (ULN known, so it is asked)."""
    names = [name for name, _ in ORDER]
    if requested not in names:
        return {}
    return dict(ORDER[: names.index(requested)])


def run_on_message(text: str, intent: str, requested: str,
                   filled: Optional[Dict[str, Any]] = None) -> Tuple[Dict[str, Any], List[str]]:
    """The validation action on a message no slot mapping took (the NLU read it as `intent`):
    the slots it set and the responses it sent."""
    slots = {**(answered_before(requested) if filled is None else filled), "requested_slot": requested}
    dispatcher = CollectingDispatcher()
    events = asyncio.new_event_loop().run_until_complete(
        ValidateSharingRequestForm().run(dispatcher, tracker(text, intent=intent, slots=slots), domain()))
    return ({e["name"]: e["value"] for e in events if e.get("event") == "slot"},
            [m.get("response") for m in dispatcher.messages])


# (requested slot, what the learner typed, expected slot values)
ACCEPTED = [
    ("given_name", "Jane", {"given_name": "Jane"}),
    ("given_name", "my first name is Priya", {"given_name": "Priya"}),
    ("given_name", "it's Siobhán", {"given_name": "Siobhán"}),
    ("given_name", "I'm Jane Smith", {"given_name": "Jane", "family_name": "Smith"}),
    ("family_name", "O’Connor", {"family_name": "O'Connor"}),
    ("family_name", "my surname is Taylor-Jones", {"family_name": "Taylor-Jones"}),
    ("date_of_birth", "12/03/2001", {"date_of_birth": "2001-03-12"}),
    ("date_of_birth", "born on the 12th of March 2001", {"date_of_birth": "2001-03-12"}),
    ("date_of_birth", "twelfth of march two thousand and one", {"date_of_birth": "2001-03-12"}),
    ("postcode", "sw1a1aa", {"postcode": "SW1A 1AA"}),
    ("postcode", "my postcode is cf10 3at thanks", {"postcode": "CF10 3AT"}),
    ("has_previous_name", "no", {"has_previous_name": False}),
    ("has_previous_name", "yes it was Brown", {"has_previous_name": True, "previous_family_name": "Brown"}),
    ("has_previous_name", "Patel", {"has_previous_name": True, "previous_family_name": "Patel"}),
    ("knows_uln", "I don't know it", {"knows_uln": False}),
    ("knows_uln", "1748529632", {"knows_uln": True, "uln": "1748529632"}),
    ("uln", "174 852 9632", {"uln": "1748529632"}),
    ("uln", "one seven four eight five two nine six three two", {"uln": "1748529632"}),
    ("uln", "no idea", {"uln": None, "knows_uln": False}),
    ("contact_email", "jane.doe@example.com", {"contact_email": "jane.doe@example.com"}),
    ("contact_email", "no thanks", {"contact_email": "none"}),
]


@pytest.mark.parametrize("requested,text,expected", ACCEPTED)
def test_accepted_answers(requested, text, expected):
    slots, responses = run_validation(text, requested)
    for slot, value in expected.items():
        assert slots.get(slot) == value, (slot, slots)
    assert not [r for r in responses if r and r.startswith("utter_invalid")], responses


def test_button_answers_arrive_as_booleans():
    slots, _ = run_validation("/affirm", "has_previous_name", mapped_value=True)  # earlier answers given
    assert slots["has_previous_name"] is True
    assert slots["requested_slot"] == "previous_family_name"


REJECTED = [
    ("given_name", "12345", "utter_invalid_name_not_a_name"),
    ("given_name", "J@ne", "utter_invalid_name_characters"),
    ("family_name", "Wolfeschlegelsteinhausenbergerdorffer", "utter_invalid_name_too_long"),
    ("date_of_birth", "31/02/2001", "utter_invalid_date_impossible"),
    ("date_of_birth", "sometime in spring", "utter_invalid_date_unreadable"),
    ("postcode", "ABC 123", "utter_invalid_postcode_format"),
    ("uln", "1748529631", "utter_invalid_uln_check_digit"),
    ("uln", "12345", "utter_invalid_uln_length"),
    ("contact_email", "jane at example", "utter_invalid_email_format"),
    ("has_previous_name", "maybe?", "utter_invalid_yes_no"),
]


@pytest.mark.parametrize("requested,text,response", REJECTED)
def test_rejected_answers_get_their_own_reprompt(requested, text, response):
    slots, responses = run_validation(text, requested)
    assert slots[requested] is None
    assert responses == [response]
    assert slots["failed_attempts"] == {requested: 1}
    assert slots["requested_slot"] == requested


def test_dates_out_of_range_each_get_their_own_message():
    today = forms.today_in_uk()
    future = (today + timedelta(days=2)).strftime("%d/%m/%Y")
    too_young = date(today.year - 10, 1, 1).strftime("%d/%m/%Y")
    too_old = date(today.year - 130, 1, 1).strftime("%d/%m/%Y")
    messages = {run_validation(text, "date_of_birth")[1][0] for text in (future, too_young, too_old)}
    assert messages == {"utter_invalid_date_future", "utter_invalid_age_under_13", "utter_invalid_age_over_120"}


def test_failed_uln_check_never_reads_the_digits_back():
    _, responses = run_validation("1748529631", "uln")
    text = domain()["responses"][responses[0]][0]["text"]
    assert "1748529631" not in text and "{" not in text


def test_third_failure_offers_the_helpdesk_instead_of_looping():
    counts: Dict[str, int] = {}
    seen = []
    for _ in range(3):
        slots, responses = run_validation("not a postcode", "postcode", filled={"failed_attempts": counts})
        counts = slots["failed_attempts"]
        seen.append(responses[0])
    assert seen == ["utter_invalid_postcode_format"] * 2 + ["utter_too_many_attempts"]
    offer = domain()["responses"]["utter_too_many_attempts"][0]
    assert "{helpdesk_phone}" in offer["text"]
    assert {"/human_handoff", "/cancel"} <= {b["payload"] for b in offer["buttons"]}
    assert counts == {"postcode": 0}


def test_success_clears_the_failure_count_for_that_field():
    slots, _ = run_validation("SW1A 1AA", "postcode", filled={"failed_attempts": {"postcode": 2, "uln": 1}})
    assert slots["failed_attempts"] == {"uln": 1}


def test_several_details_in_one_message_are_all_taken():
    text = "I'm Jane Smith, born 3/4/2001, postcode SW1A 1AA"
    slots, responses = run_validation(text, "given_name")  # nothing answered before
    assert slots["given_name"] == "Jane"
    assert slots["family_name"] == "Smith"
    assert slots["date_of_birth"] == "2001-04-03"
    assert slots["postcode"] == "SW1A 1AA"
    assert slots["requested_slot"] == "has_previous_name"
    assert responses == []


def test_extra_details_do_not_overwrite_what_was_already_given():
    filled = {"given_name": "Jane", "family_name": "Smith"}
    slots, _ = run_validation("12 March 2001, and I moved to SW1A 1AA", "date_of_birth",
                              filled={**filled, "postcode": "LS1 4AW"})
    assert slots["date_of_birth"] == "2001-03-12"
    assert "postcode" not in slots


def test_a_question_mid_form_fills_nothing():
    t = tracker("what is a uln? SW1A 1AA", intent="faq",
                slots={"requested_slot": "given_name"}, active_loop="sharing_request_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.new_event_loop().run_until_complete(ValidateSharingRequestForm().run(dispatcher, t, domain()))
    assert {e["name"] for e in events if e.get("event") == "slot"} <= {"requested_slot"}


def test_uln_and_previous_name_are_asked_only_when_needed():
    base = {"given_name": "Jane", "family_name": "Smith", "date_of_birth": "2001-04-03", "postcode": "SW1A 1AA"}
    slots, _ = run_validation("no", "has_previous_name", filled=base, mapped_value=False)
    assert slots["requested_slot"] == "knows_uln"
    slots, _ = run_validation("no", "knows_uln", filled={**base, "has_previous_name": False}, mapped_value=False)
    assert slots["requested_slot"] == "contact_email"
    slots, _ = run_validation("yes", "knows_uln", filled={**base, "has_previous_name": False}, mapped_value=True)
    assert slots["requested_slot"] == "uln"


@pytest.mark.parametrize("text,expected", [
    ("PLR-7K3M-9QXD", "PLR-7K3M-9QXD"),
    ("my reference is plr 7k3m 9qxd", "PLR-7K3M-9QXD"),
    ("plr7k3m9qxd", "PLR-7K3M-9QXD"),
])
def test_status_reference_is_normalised(text, expected):
    slots, _ = run_validation(text, "status_reference", action=ValidateStatusForm(), form="status_form")
    assert slots["status_reference"] == expected


def test_status_reference_in_the_wrong_shape_is_reprompted():
    slots, responses = run_validation("12345", "status_reference", action=ValidateStatusForm(), form="status_form")
    assert slots["status_reference"] is None
    assert responses == ["utter_invalid_reference_format"]


def test_every_reprompt_the_validators_can_send_exists_in_the_domain():
    import re

    from tests.conftest import ROOT

    codes = set()
    for path in (ROOT / "common" / "src" / "plr_common").glob("*.py"):
        codes |= set(re.findall(r'Checked\.invalid\("([a-z_0-9]+)"\)', path.read_text()))
    codes |= {"yes_no", "reference_format"}
    missing = [code for code in codes if f"utter_invalid_{code}" not in domain()["responses"]]
    assert codes and not missing, missing


def test_tracker_helper_is_a_real_sdk_tracker():
    assert isinstance(tracker("hi"), Tracker)


def test_a_reference_is_taken_whatever_the_nlu_thought():
    t = tracker("plr-ep5h-hrd8", intent="faq", slots={"requested_slot": "status_reference"}, active_loop="status_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.new_event_loop().run_until_complete(ValidateStatusForm().run(dispatcher, t, domain()))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["status_reference"] == "PLR-EP5H-HRD8"


@pytest.mark.parametrize("requested,text,intent,expected", [
    ("date_of_birth", "3 April 2001", "correct", "2001-04-03"),
    ("date_of_birth", "3rd April 2001", "faq", "2001-04-03"),
    ("postcode", "SW1A 1AA", "faq", "SW1A 1AA"),
    ("uln", "1748529632", "check_status", "1748529632"),
    ("contact_email", "sam@example.org", "faq", "sam@example.org"),
])
def test_an_unmistakable_answer_is_taken_whatever_the_nlu_thought(requested, text, intent, expected):
    slots, _ = run_on_message(text, intent, requested)
    assert slots[requested] == expected


def test_a_real_correction_mid_form_is_not_taken_as_an_answer():
    t = tracker("my surname is wrong", intent="correct", slots={**answered_before("postcode"),
                                                                  "requested_slot": "postcode"})
    events = asyncio.new_event_loop().run_until_complete(
        ValidateSharingRequestForm().run(CollectingDispatcher(), t, domain()))
    assert {e["name"] for e in events if e.get("event") == "slot"} <= {"requested_slot"}


def test_yes_with_the_previous_name_in_one_answer():
    slots, _ = run_validation("yes it was Jones", "has_previous_name", mapped_value=True)
    assert slots["has_previous_name"] is True and slots["previous_family_name"] == "Jones"
    assert slots["requested_slot"] == "knows_uln"


@pytest.mark.parametrize("requested,text,intent", [
    ("given_name", "Sam", "faq"),
    ("given_name", "Lee", "thanks"),
    ("family_name", "Oyelaran", "chitchat"),
    ("previous_family_name", "Penhallow-Vos", "out_of_scope"),
])
def test_a_short_unfamiliar_answer_to_a_name_question_is_the_name(requested, text, intent):
    """A bare name carries little signal for the NLU; when none of its words is one the
    assistant knows from questions or commands, it is the name asked for."""
    filled = None
    if requested == "previous_family_name":
        filled = {**answered_before("has_previous_name"), "has_previous_name": True}
    slots, _ = run_on_message(text, intent, requested, filled)
    assert slots[requested] == text


@pytest.mark.parametrize("text,intent", [("help", "help"), ("bye", "goodbye"), ("what is a uln", "faq"),
                                         ("cancel", "cancel"), ("thanks", "thanks")])
def test_known_words_at_a_name_question_are_not_taken_as_a_name(text, intent):
    slots, _ = run_on_message(text, intent, "given_name", filled={})
    assert set(slots) <= {"requested_slot"}


@pytest.mark.parametrize("text", ["I don't know it after all", "not sure", "I've forgotten it", "no idea sorry"])
def test_not_knowing_the_uln_after_saying_yes_moves_on(text):
    slots, responses = run_validation(text, "uln")
    assert slots["knows_uln"] is False and slots["uln"] is None
    assert responses == []
    assert slots["requested_slot"] == "contact_email"


@pytest.mark.parametrize("requested,text,intent,response", [
    ("postcode", "up by the old mill", "faq", "utter_invalid_postcode_format"),
    ("date_of_birth", "in the spring i think", "followup_how_long", "utter_invalid_date_unreadable"),
    ("uln", "it's on a certificate somewhere", "faq", "utter_invalid_uln_not_digits"),
])
def test_a_statement_read_as_a_question_is_an_attempt_at_a_structured_answer(requested, text, intent, response):
    slots, responses = run_on_message(text, intent, requested)
    assert slots[requested] is None and slots["failed_attempts"] == {requested: 1}
    assert responses == [response]


@pytest.mark.parametrize("text", ["what is a uln?", "how long does it take", "um why do you need my postcode",
                                  "can i do this later"])
def test_a_real_question_at_a_structured_question_is_left_for_the_faq(text):
    slots, _ = run_on_message(text, "faq", "postcode")
    assert set(slots) <= {"requested_slot"}


@pytest.mark.parametrize("requested,intent,expected_slots,responses", [
    ("postcode", "help", {"postcode": None, "failed_attempts": {"postcode": 1}}, ["utter_invalid_postcode_format"]),
    ("knows_uln", "help", {"knows_uln": False}, []),
    ("contact_email", "help", {"contact_email": "none"}, []),
    ("uln", "cancel", {"knows_uln": False, "uln": None}, []),
])
def test_i_dont_know_at_a_structured_question_is_an_answer_even_when_heard_as_help(
        requested, intent, expected_slots, responses):
    slots, sent = run_on_message("I don't know", intent, requested)
    for name, value in expected_slots.items():
        assert slots[name] == value
    assert sent == responses


def test_i_dont_know_with_a_cancel_is_still_a_cancel():
    slots, _ = run_on_message("I don't know, cancel it", "cancel", "postcode")
    assert set(slots) <= {"requested_slot"}

"""Details given with the request, or with the "yes" to the consent question, are kept:
validated, and not asked again by the form."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateSharingRequestForm, valid_details
from actions.request_flow import ActionStartRequest
from tests.actions.trackers import domain, tracker

OPENING = "I want to opt out. I'm Sam Hughes, born 21/06/2001, postcode NE1 4ST, ULN 1748529632"


@pytest.mark.parametrize("text, expected", [
    (OPENING, {"given_name": "Sam", "family_name": "Hughes", "date_of_birth": "2001-06-21",
               "postcode": "NE1 4ST", "uln": "1748529632", "knows_uln": True}),
    ("stop sharing my record, email me at sam.h@example.com", {"contact_email": "sam.h@example.com"}),
    ("yes, I'm Priya Patel and I was born on 4 May 2003",
     {"given_name": "Priya", "family_name": "Patel", "date_of_birth": "2003-05-04"}),
    # Invalid or doubtful details are left for the form to ask, never re-prompted out of turn.
    ("opt me out, my uln is 1748529631", {}),
    ("opt out please, postcode ZZ99 9ZZ born 31/02/2001", {}),
    ("I'm really keen to opt out", {}),
    ("im looking to stop sharing my plr", {}),
    ("I'm 15, can my mum opt me out?", {}),
])
def test_valid_details_keeps_only_checked_values(text, expected):
    assert valid_details(text, []) == expected


def test_a_lower_case_name_counts_when_spacy_saw_a_person():
    entities = [{"entity": "PERSON", "value": "sam hughes"}]
    assert valid_details("i'm sam hughes and i want to opt out", entities) == {
        "given_name": "sam", "family_name": "hughes"}


def _run(action, t):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, domain())
    if asyncio.iscoroutine(events):  # form validators are async, plain actions are not
        events = asyncio.new_event_loop().run_until_complete(events)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, [
        m.get("response") for m in dispatcher.messages]


def test_the_request_keeps_the_details_of_its_opening_message():
    slots, said = _run(ActionStartRequest(), tracker(OPENING, intent="request_opt_out", active_loop=None))
    assert said == ["utter_request_consent_opt_out"]
    assert slots["request_type"] == "opt_out"
    assert {k: slots[k] for k in ("given_name", "family_name", "date_of_birth", "postcode", "uln", "knows_uln")} == {
        "given_name": "Sam", "family_name": "Hughes", "date_of_birth": "2001-06-21", "postcode": "NE1 4ST",
        "uln": "1748529632", "knows_uln": True}


def test_a_plain_request_starts_with_every_detail_cleared():
    slots, _ = _run(ActionStartRequest(), tracker("I want to opt out", intent="request_opt_out", active_loop=None,
                                                  slots={"given_name": "Old"}))
    assert slots["given_name"] is None and slots["uln"] is None


def test_details_in_the_consent_answer_fill_the_form_as_it_starts():
    # At activation the form has asked nothing yet: no requested slot, no active loop.
    t = tracker("yes, I'm Priya Patel and I was born on 4 May 2003", intent="affirm", active_loop=None,
                slots={"request_type": "opt_in"})
    slots, said = _run(ValidateSharingRequestForm(), t)
    assert slots["given_name"] == "Priya" and slots["family_name"] == "Patel"
    assert slots["date_of_birth"] == "2003-05-04"
    assert said == []


def test_a_bare_yes_to_the_consent_question_fills_nothing():
    t = tracker("yes", intent="affirm", active_loop=None, slots={"request_type": "opt_in"})
    slots, said = _run(ValidateSharingRequestForm(), t)
    assert not {"given_name", "family_name", "date_of_birth", "postcode", "uln"} & set(slots)

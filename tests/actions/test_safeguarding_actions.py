"""action_safeguarding and action_resume_request with real trackers: the helplines in every
state, a form paused (not lost), and carrying on where the learner was."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.personal import clear_request
from actions.safeguarding import ActionResumeRequest, ActionSafeguarding
from tests.actions.trackers import domain, tracker

MID_FORM = {"request_type": "opt_out", "given_name": "Jane", "family_name": "Smith", "requested_slot": "date_of_birth"}
READ_BACK = {"request_type": "opt_in", "given_name": "Omar", "family_name": "Khan", "date_of_birth": "2001-03-12",
             "postcode": "NW1 6XE", "has_previous_name": False, "knows_uln": False, "contact_email": "none",
             "awaiting_confirmation": True}


def run(action, text, intent, slots, active_loop=None):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(text, intent=intent, slots=slots, active_loop=active_loop), domain())
    return events, [m.get("response") for m in dispatcher.messages]


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_outside_a_form_only_the_helplines():
    events, responses = run(ActionSafeguarding(), "i want to end it all", "safeguarding", {})
    assert responses == ["utter_safeguarding"]
    assert slot_events(events) == {}


def test_mid_form_the_form_is_paused_and_every_detail_kept():
    events, responses = run(ActionSafeguarding(), "my dad hits me", "safeguarding", MID_FORM,
                            active_loop="sharing_request_form")
    assert responses == ["utter_safeguarding", "utter_request_paused"]
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert slot_events(events) == {"paused_request": "sharing_request_form", "requested_slot": None}


def test_the_status_check_is_paused_too():
    events, _ = run(ActionSafeguarding(), "im not safe", "safeguarding", {"status_reference": "PLR-7K2M9Q"},
                    active_loop="status_form")
    assert slot_events(events)["paused_request"] == "status_form"


def test_at_the_read_back_the_read_back_is_paused():
    events, responses = run(ActionSafeguarding(), "i feel suicidal", "safeguarding", READ_BACK)
    assert responses == ["utter_safeguarding", "utter_request_paused"]
    assert slot_events(events) == {"paused_request": "read_back"}


def test_a_second_distress_message_keeps_the_first_pause():
    events, responses = run(ActionSafeguarding(), "nobody would miss me", "safeguarding",
                            {**MID_FORM, "requested_slot": None, "paused_request": "sharing_request_form"})
    assert responses == ["utter_safeguarding", "utter_request_paused"]
    assert slot_events(events) == {"paused_request": "sharing_request_form"}


def test_carrying_on_reopens_the_paused_form():
    events, responses = run(ActionResumeRequest(), "carry on", "resume_request",
                            {**MID_FORM, "requested_slot": None, "paused_request": "sharing_request_form"})
    assert responses == []
    assert {"event": "followup", "name": "sharing_request_form", "timestamp": None} in events
    assert slot_events(events) == {"paused_request": None}


def test_carrying_on_reads_the_details_back_again():
    events, _ = run(ActionResumeRequest(), "carry on", "resume_request", {**READ_BACK, "paused_request": "read_back"})
    assert {"event": "followup", "name": "action_review_request", "timestamp": None} in events


def test_carrying_on_with_nothing_paused_says_so():
    events, responses = run(ActionResumeRequest(), "carry on", "resume_request", {})
    assert responses == ["utter_nothing_to_resume"]
    assert not [e for e in events if e.get("event") == "followup"]


def test_carry_on_with_a_form_still_open_leaves_it_to_the_form():
    events, responses = run(ActionResumeRequest(), "carry on", "resume_request", MID_FORM,
                            active_loop="sharing_request_form")
    assert events == [] and responses == []


def test_cancel_forgets_a_paused_request():
    assert {"event": "slot", "name": "paused_request", "value": None, "timestamp": None} in clear_request()

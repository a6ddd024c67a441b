"""Safeguarding (issue 20): the helplines at once, in any state, and a request paused, not lost.

A learner who writes about suicide, self-harm, abuse or danger in the middle of a form must not
be asked for their postcode next. `action_safeguarding` gives the helplines, and if a form or the
read-back was under way it pauses it: the form is deactivated (so the next message is not taken
as an answer) but every slot already given stays, and `paused_request` remembers where they were.
"Carry on" (`resume_request`) runs `action_resume_request`, which re-opens that form (it asks the
next missing question) or reads the details back again.
"""
from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

PAUSED_SLOT = "paused_request"
FORMS = ("sharing_request_form", "status_form")
READ_BACK = "read_back"


def step_in_progress(tracker: Tracker) -> Optional[str]:
    """The form under way, or READ_BACK while the details wait for yes / change / cancel."""
    if tracker.active_loop_name in FORMS:
        return tracker.active_loop_name
    if tracker.get_slot("awaiting_confirmation") and tracker.get_slot("request_type"):
        return READ_BACK
    return None


class ActionSafeguarding(Action):
    def name(self) -> str:
        return "action_safeguarding"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_safeguarding")
        # A second distress message while paused keeps the first pause.
        paused = step_in_progress(tracker) or tracker.get_slot(PAUSED_SLOT)
        # No form stays open in any state (the rules say so too), so the next message is never
        # taken as an answer to the question asked before.
        events: List[EventType] = [ActiveLoop(None)]
        if tracker.active_loop_name:
            events.append(SlotSet("requested_slot", None))
        if paused:
            dispatcher.utter_message(response="utter_request_paused")
            events.insert(0, SlotSet(PAUSED_SLOT, paused))
        return events


class ActionResumeRequest(Action):
    def name(self) -> str:
        return "action_resume_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        paused = tracker.get_slot(PAUSED_SLOT)
        if tracker.active_loop_name:
            return []  # nothing was paused: the rule runs the open form, which asks again
        if paused in FORMS:
            # The form, run next, activates itself, keeps the slots it has and asks the next one.
            return [SlotSet(PAUSED_SLOT, None), FollowupAction(paused)]
        if paused == READ_BACK and tracker.get_slot("request_type"):
            return [SlotSet(PAUSED_SLOT, None), FollowupAction("action_review_request")]
        dispatcher.utter_message(response="utter_nothing_to_resume")
        return [SlotSet(PAUSED_SLOT, None)]

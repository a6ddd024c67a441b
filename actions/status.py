"""Reports the status of a request from its reference and the learner's date of birth.

Two limits keep this from being a way to guess someone's birthday: the backend locks a
reference after five wrong dates of birth (423, whatever channel asks), and one conversation
may check only MAX_CHECKS_PER_CONVERSATION references; after that it offers the helpdesk.
"""
from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, Refused, StatusFound, StatusLocked, StatusNotFound
from actions.personal import clear_status_check

KNOWN_STATUSES = {"received", "in_progress", "completed", "rejected"}
MAX_CHECKS_PER_CONVERSATION = 3
COUNTER_SLOT = "status_checks"


def checks_so_far(tracker: Tracker) -> int:
    value = tracker.get_slot(COUNTER_SLOT)
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = tracker.get_slot("status_reference")
        date_of_birth = tracker.get_slot("status_date_of_birth")
        if not reference or not date_of_birth:
            dispatcher.utter_message(response="utter_status_not_found")
            return clear_status_check()
        done = checks_so_far(tracker)
        if done >= MAX_CHECKS_PER_CONVERSATION:
            # The backend is not asked at all: a further try here tells nobody anything.
            dispatcher.utter_message(response="utter_status_limit")
            return clear_status_check()
        counted = [SlotSet(COUNTER_SLOT, float(done + 1))]
        result = await BackendClient().status(reference, date_of_birth)
        if isinstance(result, StatusFound) and result.status in KNOWN_STATUSES:
            dispatcher.utter_message(response=f"utter_status_{result.status}", reference=result.reference)
        elif isinstance(result, StatusLocked):
            dispatcher.utter_message(response="utter_status_locked")
        elif isinstance(result, StatusNotFound) or (isinstance(result, Refused) and result.status_code in (404, 422)):
            # A wrong date of birth gets exactly the answer an unknown reference gets.
            dispatcher.utter_message(response="utter_status_not_found")
        else:
            # Not answered: not counted, since the learner learnt nothing from it.
            counted = []
            dispatcher.utter_message(response="utter_status_unavailable")
        return clear_status_check() + counted

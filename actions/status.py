"""Reports the status of a request from its reference and the learner's date of birth."""
from __future__ import annotations

from typing import List

from rasa_sdk import Action
from rasa_sdk.events import EventType

from actions.backend_client import BackendClient, Refused, StatusFound, StatusNotFound
from actions.personal import clear_status_check

KNOWN_STATUSES = {"received", "in_progress", "completed", "rejected"}


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        reference = tracker.get_slot("status_reference")
        date_of_birth = tracker.get_slot("status_date_of_birth")
        if not reference or not date_of_birth:
            dispatcher.utter_message(response="utter_status_not_found")
            return clear_status_check()
        result = await BackendClient().status(reference, date_of_birth)
        if isinstance(result, StatusFound) and result.status in KNOWN_STATUSES:
            dispatcher.utter_message(response=f"utter_status_{result.status}", reference=result.reference)
        elif isinstance(result, StatusNotFound) or (isinstance(result, Refused) and result.status_code in (404, 422)):
            # A wrong date of birth gets exactly the answer an unknown reference gets.
            dispatcher.utter_message(response="utter_status_not_found")
        else:
            dispatcher.utter_message(response="utter_status_unavailable")
        return clear_status_check()

"""Which slots hold a learner's personal details, and how to clear them.

Cleared after a submission, a cancel, and at the end of a status check, so that nothing
personal stays in the conversation longer than the step that needs it.
"""
from typing import Any, Dict, List

from rasa_sdk.events import SlotSet

REQUEST_DETAIL_SLOTS = [
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
    "has_previous_name",
    "previous_family_name",
    "knows_uln",
    "uln",
    "contact_email",
]
STATUS_DETAIL_SLOTS = ["status_reference", "status_date_of_birth"]
PERSONAL_SLOTS = REQUEST_DETAIL_SLOTS + STATUS_DETAIL_SLOTS
# Bookkeeping of one request; cleared with it so the next request starts fresh.
# paused_request: a request paused by a safeguarding reply (actions/safeguarding.py) ends with it.
REQUEST_STATE_SLOTS = ["request_type", "request_key", "failed_attempts", "awaiting_confirmation", "correction_state",
                       "paused_request"]


def clear_request() -> List[Dict[str, Any]]:
    return [SlotSet(name, None) for name in REQUEST_DETAIL_SLOTS + REQUEST_STATE_SLOTS]


def clear_status_check() -> List[Dict[str, Any]]:
    return [SlotSet(name, None) for name in STATUS_DETAIL_SLOTS]

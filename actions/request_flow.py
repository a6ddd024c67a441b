"""The steps around the request form: start (with consent), read-back, correction, cancel."""
from __future__ import annotations

import re
import uuid
from typing import Any, Dict, List, Optional

from plr_common import check_email, check_name, check_postcode, check_uln
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.details import find_email, find_postcode, find_uln, strip_answer_prefix
from actions.forms import read_date_of_birth, valid_details
from actions.language import language_of
from actions.personal import clear_request, clear_status_check
from actions.wording import long_date, masked_uln, not_given, optional_text

REQUEST_TYPES = {"request_opt_out": "opt_out", "request_opt_in": "opt_in"}

# Words a learner uses for each field, for corrections the NLU entity did not catch.
# English, then Welsh with its mutated forms ("fy nghyfenw", "ei gyfenw", "fy nghod post").
FIELD_WORDS = [
    ("previous_family_name", r"previous (?:family |sur|last )?name|maiden name|old (?:sur|family |last )?name|"
                             r"former (?:sur|family )?name|birth name|"
                             r"(?:hen|cyn) ?(?:g|ng|ch|c)?h?yfenw|(?:c|g|ngh|ch)yfenw blaenorol|enw morwynol"),
    ("given_name", r"first name|given name|forename|christian name|my name\b|enw cyntaf|enw bedydd"),
    ("family_name", r"surname|family name|last name|second name|\b(?:c|g|ngh|ch)yfenw|enw teulu"),
    ("date_of_birth", r"date of birth|birth ?day|\bdob\b|born|birth date|"
                      r"\b(?:d|dd|nh)?(?:y|i)ddiad geni|(?:p|b|mh)en-?blwydd|\b(?:ng|g)eni\b"),
    ("postcode", r"post ?code|zip|\b(?:c|g|ngh|ch)od post"),
    ("uln", r"\buln\b|learner number|unique learner|rhif unigryw|rhif (?:y )?dysgwr"),
    ("contact_email", r"e-?mail|e-?bost"),
]


def _last_bot_payloads(tracker: Tracker) -> List[str]:
    """Button payloads of the assistant's last message (an answer that offered a request)."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            return [b.get("payload", "") for b in buttons]
    return []


class ActionStartRequest(Action):
    """Opens an opt-out or opt-in request: fresh slots, a new idempotency key, and consent."""

    def name(self) -> str:
        return "action_start_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        request_type = REQUEST_TYPES.get(intent)
        if request_type is None:  # "yes" to an offer in the previous answer
            payloads = _last_bot_payloads(tracker)
            request_type = next((REQUEST_TYPES[p[1:]] for p in payloads if p[1:] in REQUEST_TYPES), None)
        if request_type is None:
            dispatcher.utter_message(response="utter_anything_else")
            return []
        dispatcher.utter_message(response=f"utter_request_consent_{request_type}")
        # Details given with the request ("I want to opt out. I'm Sam Hughes, born ...") are kept,
        # so the form does not ask for them again; "no" to the consent question clears them.
        given = valid_details(tracker.latest_message.get("text") or "", tracker.latest_message.get("entities") or [])
        return [*clear_request(), SlotSet("request_type", request_type), SlotSet("request_key", uuid.uuid4().hex),
                *(SlotSet(slot, value) for slot, value in given.items())]


class ActionReviewRequest(Action):
    """Reads the details back, the ULN masked, and waits for yes / change / cancel.

    The values are in the conversation's language: a Welsh read-back says "12 Mawrth 2001",
    "heb ei roi" and "dim" where an English one says "12 March 2001", "not given" and "none".
    """

    def name(self) -> str:
        return "action_review_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = tracker.current_slot_values()
        language = language_of(tracker)
        name = f"{slots.get('given_name') or ''} {slots.get('family_name') or ''}".strip()
        dispatcher.utter_message(
            response=f"utter_review_request_{slots.get('request_type') or 'opt_out'}",
            review_name=name,
            review_dob=long_date(slots.get("date_of_birth"), language),
            review_postcode=slots.get("postcode") or not_given(language),
            review_previous_name=optional_text(slots.get("previous_family_name"), language),
            review_uln=masked_uln(slots.get("uln"), language),
            review_uln_last3=(slots.get("uln") or "")[-3:],
            review_email=optional_text(slots.get("contact_email"), language),
        )
        return [SlotSet("awaiting_confirmation", True)]


class ActionAskWhatToCorrect(Action):
    def name(self) -> str:
        return "action_ask_what_to_correct"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_what_to_correct")
        return [SlotSet("awaiting_confirmation", True)]


def field_from_message(tracker: Tracker) -> Optional[str]:
    entities = tracker.latest_message.get("entities") or []
    for entity in entities:
        if entity.get("entity") == "field" and entity.get("value") in dict(FIELD_WORDS):
            return entity["value"]
    text = (tracker.latest_message.get("text") or "").lower()
    for field, pattern in FIELD_WORDS:
        if re.search(pattern, text):
            return field
    return None


def _value_after_field(text: str) -> str:
    """'actually my surname is Evans' -> 'Evans'; 'postcode should be CF10 3AT' -> 'CF10 3AT'."""
    match = re.search(r"\b(?:is|was|should be|to|it's|its|=|:)\s+(.+)$", text, flags=re.I)
    return strip_answer_prefix(match.group(1)) if match else ""


def corrected_value(field: str, text: str) -> Optional[str]:
    """The new value when the correction message carries one and it is valid."""
    candidate = _value_after_field(text)
    if field in ("given_name", "family_name", "previous_family_name"):
        checked = check_name(candidate) if candidate else None
        return checked.value if checked and checked.ok else None
    if field == "date_of_birth":
        checked = read_date_of_birth(candidate or text)
        return checked.value if checked.ok else None
    if field == "postcode":
        found = find_postcode(text)
        checked = check_postcode(found) if found else None
        return checked.value if checked and checked.ok else None
    if field == "uln":
        found = find_uln(text)
        checked = check_uln(found) if found else None
        return checked.value if checked and checked.ok else None
    if field == "contact_email":
        found = find_email(text)
        checked = check_email(found) if found else None
        return checked.value if checked and checked.ok else None
    return None


class ActionPrepareCorrection(Action):
    """Changes one field without starting again.

    With a valid new value in the message ("actually my surname is Evans") the value is set
    and the details are read back; otherwise the field is cleared and the form asks for it.
    `correction_state` tells the rules which of these comes next.
    """

    def name(self) -> str:
        return "action_prepare_correction"

    @staticmethod
    def _corrects_the_read_back(intent: str, tracker: Tracker) -> bool:
        """At the read-back a detail is a correction; a message the NLU was unsure about is one
        only when it names a field and carries a valid new value for it."""
        if not (tracker.get_slot("awaiting_confirmation") and tracker.get_slot("request_type")):
            return False
        if intent == "inform":
            return True
        field = field_from_message(tracker)
        return field is not None and corrected_value(field, tracker.latest_message.get("text") or "") is not None

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in ("inform", "nlu_fallback") and not self._corrects_the_read_back(intent, tracker):
            # Not understood, or a bare detail that no question asked for: the two-stage
            # fallback asks what was meant.
            return [SlotSet("correction_state", "not_a_correction")]
        if not tracker.get_slot("request_type"):
            dispatcher.utter_message(response="utter_no_request_to_correct")
            return [SlotSet("correction_state", "no_request")]
        field = field_from_message(tracker)
        if field is None:
            dispatcher.utter_message(response="utter_ask_what_to_correct")
            return [SlotSet("correction_state", "ask_field"), SlotSet("awaiting_confirmation", True)]
        value = corrected_value(field, tracker.latest_message.get("text") or "")
        events: List[Dict[str, Any]] = [SlotSet("awaiting_confirmation", False)]
        if field == "previous_family_name":
            events.append(SlotSet("has_previous_name", True if value else None))
        if field == "uln":
            events.append(SlotSet("knows_uln", True if value else None))
        events.append(SlotSet(field, value))
        # Mid-form, the form carries on either way; after the read-back it reads back again.
        if value is None or tracker.active_loop_name:
            if value is None:
                dispatcher.utter_message(response="utter_correction_ask")
            events.append(SlotSet("correction_state", "ask_value"))
        else:
            events.append(SlotSet("correction_state", "done"))
        return events


def _previous_action(tracker: Tracker) -> Optional[str]:
    """The assistant's last action before the learner's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


class ActionCancelRequest(Action):
    """Stops whatever request or status check is under way and forgets its details."""

    def name(self) -> str:
        return "action_cancel_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _previous_action(tracker) == "action_start_request":
            response = "utter_request_not_started"  # "no" to the consent question
        elif tracker.active_loop_name or tracker.get_slot("request_type") or any(
                tracker.get_slot(slot) for slot in ("status_reference", "status_date_of_birth")):
            response = "utter_request_cancelled"
        else:
            response = "utter_nothing_to_cancel"
        dispatcher.utter_message(response=response)
        return [ActiveLoop(None), SlotSet("requested_slot", None), *clear_request(), *clear_status_check()]

"""Form validation: wires the pure validators (plr_common, actions/details.py) into the forms.

Each validate_<slot> turns a learner's answer into a clean value, or re-prompts with a
message specific to what was wrong. Failed attempts are counted per field: the third one
explains once more and offers the helpdesk instead of repeating the same question.
"""
from __future__ import annotations

import re
from abc import abstractmethod
from datetime import date, datetime
from typing import Any, Dict, List, Optional

from plr_common import Checked, check_date_of_birth, check_email, check_name, check_postcode, check_uln, welsh
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from zoneinfo import ZoneInfo

from actions.details import find_dates, find_details, find_email, find_full_name, find_postcode, strip_answer_prefix
from actions.known_words import is_unknown_short_answer
from actions.language import language_of, on_the_phone
from actions.wording import field_label

MAX_ATTEMPTS = 3
# Messages that are about something else: they never fill a detail.
META_INTENTS = {"cancel", "faq", "human_handoff", "help", "bot_challenge", "check_status", "correct",
                "request_opt_out", "request_opt_in", "out_of_scope", "chitchat", "thanks", "helpdesk_hours",
                "followup_how_long", "followup_how_to"}
_YES = {"yes", "y", "yeah", "yep", "yup", "ya", "ye", "aye", "sure", "correct", "i have", "i do", "yes i have",
        "yes i do", "/affirm", "true", "ok", "okay", "yes please"}
_NO = {"no", "n", "nope", "nah", "never", "not", "i haven't", "i have not", "i havent", "i don't", "i dont",
       "i do not", "no i haven't", "no i don't", "no i dont", "/deny", "false", "no thanks", "no thank you",
       "none", "skip", "no email", "don't know", "dont know", "i don't know", "i dont know", "no idea",
       "not sure", "dunno", "i don't know it", "i dont know it", "can't remember", "cant remember",
       "i can't remember", "i cant remember", "don't have one", "i don't have one", "i don't have it"}
# Slots that the validator of the asked slot reads from the same answer itself.
_READ_BY = {"given_name": {"family_name"}, "family_name": {"given_name"}, "knows_uln": {"uln"},
            "has_previous_name": {"previous_family_name"}}
# "I don't know it after all", "not sure", "I've forgotten it": the learner does not know the value.
_DONT_KNOW = re.compile(r"\b(?:don'?t|do not|dont) know\b|\bno idea\b|\bnot sure\b|\bcan'?t remember\b"
                        r"|\bforgot(?:ten)?\b|\bdunno\b|\blost\b"
                        r"|\bddim yn gwybod\b|\bdim syniad\b|\bddim yn si[wŵ]r\b|\bwedi anghofio\b", re.I)
NAME_SLOTS = {"given_name", "family_name", "previous_family_name"}
# Questions with a fixed shape of answer. While one is asked, a statement that the NLU read as a
# question topic ("somewhere in London" as an FAQ) is an attempt at the answer: it gets the
# specific re-prompt and counts towards the helpdesk offer. Real questions are still answered.
STRUCTURED_SLOTS = {"date_of_birth", "postcode", "uln", "contact_email", "has_previous_name", "knows_uln",
                    "status_reference", "status_date_of_birth"}
_STATEMENT_READ_AS = {"faq", "followup_how_long", "followup_how_to", "chitchat"}
_NEVER_AN_ANSWER = {"human_handoff", "check_status", "correct", "request_opt_out", "request_opt_in"}
# "I don't know it after all" can look like giving up; only these words make it a cancel.
_CANCEL_WORDS = re.compile(r"\b(?:cancel|stop|quit|forget (?:it|about it|the whole)|never ?mind|give up|leave it"
                           r"|don'?t want to (?:carry on|continue|do this))\b", re.I)
_QUESTION = re.compile(
    r"\?|^\s*(?:um+\s+|er+\s+|so\s+|and\s+|but\s+|sorry\s+)*(?:what|whats|what's|how|why|who|whose|where|when|which"
    r"|can|could|do|does|did|is|are|was|will|would|should|shall|may|am|have|has|tell|explain|help)\b", re.I)
_REFERENCE = re.compile(r"\bPLR[\s\-]*([A-Z0-9]{4})[\s\-]*([A-Z0-9]{4})\b", re.I)


def today_in_uk() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def read_date_of_birth(text: str) -> Checked:
    """The whole answer first ('born on 12 March 2001'), then the first date inside it."""
    today = today_in_uk()
    checked = check_date_of_birth(strip_answer_prefix(text), today)
    if not checked.ok:
        candidates = find_dates(text)
        if candidates:
            checked = check_date_of_birth(candidates[0], today)
    return checked


def unmistakable_answer(slot: str, text: str) -> Optional[str]:
    """The answer to a structured question when the whole message is a valid one."""
    stripped = strip_answer_prefix(text)
    checks = {
        "date_of_birth": lambda: check_date_of_birth(stripped, today_in_uk()),
        "status_date_of_birth": lambda: check_date_of_birth(stripped, today_in_uk()),
        "postcode": lambda: check_postcode(stripped),
        "uln": lambda: check_uln(stripped),
        "contact_email": lambda: check_email(stripped),
    }
    if slot not in checks:
        return None
    checked = checks[slot]()
    return checked.value if checked.ok else None


def yes_no(value: Any) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    cymraeg = welsh.yes_no(str(value or ""))  # "ie", "ydw", "naddo", "nac ydw"
    if cymraeg is not None:
        return cymraeg
    words = re.sub(r"[^\w'/ ]", " ", str(value or "")).lower().split()
    text = " ".join(words)
    if text in _YES:
        return True
    if text in _NO:
        return False
    if words and words[0] in {"yes", "yeah", "yep", "yup"}:
        return True
    if words and words[0] in {"no", "nope", "nah"}:
        return False
    return None


def answer_despite_intent(requested: str, text: str, intent: str) -> Optional[str]:
    """The answer to the question asked, in a message the NLU read as something else
    (one of META_INTENTS); None when it is rightly something else."""
    answer = unmistakable_answer(requested, text)
    if answer is not None:
        return answer
    if requested in NAME_SLOTS and is_unknown_short_answer(text):
        return text  # "Sam" read as a question: still the name asked for
    if requested in STRUCTURED_SLOTS and (
            (intent in _STATEMENT_READ_AS and not _QUESTION.search(text))
            or (dont_know(text) and intent not in _NEVER_AN_ANSWER and not _CANCEL_WORDS.search(text))):
        # Validated next: re-prompted and counted, or taken ("I don't know" to "Do you know
        # your ULN?" is a no, even when the NLU heard a request for help).
        return text
    return None


def dont_know(value: Any) -> bool:
    return isinstance(value, str) and bool(_DONT_KNOW.search(value))


def _after_yes(value: str) -> str:
    return re.sub(r"^\s*(?:yes|yeah|yep|yup)\b[\s,.:;!-]*(?:it was|it's|it is)?\s*", "", value, flags=re.I)


def _introduced_name(text: str, entities: List[Dict[str, Any]]) -> Dict[str, Optional[str]]:
    """A name the learner introduced ("I'm Sam Hughes"), kept only when it reads as a name:
    spaCy saw a person there, or every word was typed with a capital. A message that opens a
    request is not an answer to "What is your first name?", so "I'm really keen to opt out"
    must not become a learner called Really."""
    found = find_full_name(text, entities)
    if not found:
        return {}
    people = " ".join(str(e.get("value") or "") for e in entities if e.get("entity") == "PERSON")
    words = [found[0], *(found[1] or "").split()]
    if not all(word[:1].isupper() or word in people.split() for word in words):
        return {}
    given, family = check_name(found[0]), check_name(found[1]) if found[1] else None
    if not given.ok:
        return {}
    names = {"given_name": given.value}
    if family is not None and family.ok:
        names["family_name"] = family.value
    return names


def valid_details(text: str, entities: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The details in a message that does not answer a form question (the one that opens a
    request, or the answer to the consent question), each already valid: the form skips them.
    A detail that fails its check is left for the form to ask, not re-prompted out of turn."""
    found = find_details(text, entities)
    details: Dict[str, Any] = _introduced_name(text, entities)
    checks = {
        "date_of_birth": lambda v: read_date_of_birth(v),
        "postcode": check_postcode,
        "uln": check_uln,
        "contact_email": check_email,
    }
    for slot, check in checks.items():
        if slot in found:
            checked = check(found[slot])
            if checked.ok:
                details[slot] = checked.value
    if "uln" in details:
        details["knows_uln"] = True
    return details


class _CountingValidator(FormValidationAction):
    """Counts failures per field and picks the re-prompt."""

    @abstractmethod
    def name(self) -> str:
        """Abstract, so that rasa_sdk registers only the concrete form validators."""

    def _latest_intent(self, tracker: Tracker) -> str:
        return (tracker.latest_message.get("intent") or {}).get("name") or ""

    def _fail(self, slot: str, code: Optional[str], dispatcher: CollectingDispatcher, tracker: Tracker,
              extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        counts = dict(tracker.get_slot("failed_attempts") or {})
        counts[slot] = counts.get(slot, 0) + 1
        label = field_label(slot, language_of(tracker), voice=on_the_phone(tracker))
        if counts[slot] >= MAX_ATTEMPTS:
            dispatcher.utter_message(response="utter_too_many_attempts", field_label=label)
            counts[slot] = 0
        else:
            dispatcher.utter_message(response=f"utter_invalid_{code}", field_label=label)
        return {slot: None, "failed_attempts": counts, **(extra or {})}

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """A date, postcode, ULN or email that reads as exactly what was asked is the answer,
        whatever the NLU guessed ("3 April 2001" can look like a correction)."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        requested = tracker.get_slot("requested_slot")
        intent = self._latest_intent(tracker)
        if (requested and tracker.active_loop_name == self.form_name() and intent in META_INTENTS
                and requested not in tracker.slots_to_validate()):
            answer = answer_despite_intent(requested, tracker.latest_message.get("text") or "", intent)
            if answer is not None:
                events.append(SlotSet(requested, answer))
        return events

    def _ok(self, slot: str, values: Dict[str, Any], tracker: Tracker) -> Dict[str, Any]:
        counts = dict(tracker.get_slot("failed_attempts") or {})
        if counts.pop(slot, None) is not None:
            values["failed_attempts"] = counts
        return values


class ValidateSharingRequestForm(_CountingValidator):
    def name(self) -> str:
        return "validate_sharing_request_form"

    async def required_slots(self, domain_slots: List[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[str]:
        slots = list(domain_slots)
        if tracker.get_slot("has_previous_name") is not True:
            slots.remove("previous_family_name")
        if tracker.get_slot("knows_uln") is not True:
            slots.remove("uln")
        return slots

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """Details given beside the one asked for ('I'm Jane Smith, born 3/4/2001, SW1A 1AA')."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        requested = tracker.get_slot("requested_slot")
        text = tracker.latest_message.get("text") or ""
        if self._latest_intent(tracker) in META_INTENTS:
            return events
        if not requested:
            # The form is starting: "yes, I'm Sam Hughes, born 21/06/2001" answers the consent
            # question and gives details that no question has asked for yet.
            taken = {event["name"] for event in events if event.get("event") == "slot"}
            return events + [SlotSet(slot, value) for slot, value in
                             valid_details(text, tracker.latest_message.get("entities") or []).items()
                             if slot not in taken and tracker.get_slot(slot) is None]
        if tracker.active_loop_name != self.form_name():
            return events
        for slot, value in find_details(text).items():
            if slot == requested or slot in _READ_BY.get(requested, ()) or tracker.get_slot(slot) is not None:
                continue
            if slot == "uln":
                if tracker.get_slot("knows_uln") is False:
                    continue
                if tracker.get_slot("knows_uln") is None:
                    events.append(SlotSet("knows_uln", True))
            events.append(SlotSet(slot, value))
        return events

    # --- names -------------------------------------------------------------------------
    def validate_given_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[str, Any]:
        text = str(value or "")
        introduced = find_full_name(text)  # "I'm Jane Smith", "my name is Jane"
        if introduced:
            given, family = introduced
            checked = check_name(given)
            if checked.ok:
                values = {"given_name": checked.value}
                if family and tracker.get_slot("family_name") is None and check_name(family).ok:
                    values["family_name"] = check_name(family).value
                return self._ok("given_name", values, tracker)
        checked = check_name(strip_answer_prefix(text))
        if checked.ok:
            return self._ok("given_name", {"given_name": checked.value}, tracker)
        # Several details in one message: spaCy's PERSON entity finds the name among them.
        person = find_full_name("", tracker.latest_message.get("entities") or [])
        if person and check_name(person[0]).ok:
            values = {"given_name": check_name(person[0]).value}
            if person[1] and tracker.get_slot("family_name") is None and check_name(person[1]).ok:
                values["family_name"] = check_name(person[1]).value
            return self._ok("given_name", values, tracker)
        return self._fail("given_name", checked.error, dispatcher, tracker)

    def _validate_family(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                         tracker: Tracker) -> Dict[str, Any]:
        checked = check_name(strip_answer_prefix(str(value or "")))
        if checked.ok:
            return self._ok(slot, {slot: checked.value}, tracker)
        return self._fail(slot, checked.error, dispatcher, tracker)

    def validate_family_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[str, Any]:
        return self._validate_family("family_name", value, dispatcher, tracker)

    def validate_previous_family_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[str, Any]:
        if yes_no(value) is False:  # "actually no": there is no previous name after all
            return {"previous_family_name": None, "has_previous_name": False}
        return self._validate_family("previous_family_name", value, dispatcher, tracker)

    # --- date of birth and postcode ---------------------------------------------------------
    def validate_date_of_birth(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[str, Any]:
        checked = read_date_of_birth(str(value or ""))
        if checked.ok:
            return self._ok("date_of_birth", {"date_of_birth": checked.value}, tracker)
        return self._fail("date_of_birth", checked.error, dispatcher, tracker)

    def validate_postcode(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[str, Any]:
        text = str(value or "")
        checked = check_postcode(strip_answer_prefix(text))
        found = find_postcode(text)
        if not checked.ok and found:
            checked = check_postcode(found)
        if checked.ok:
            return self._ok("postcode", {"postcode": checked.value}, tracker)
        return self._fail("postcode", checked.error, dispatcher, tracker)

    # --- previous name, ULN, email -----------------------------------------------------
    def validate_has_previous_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[str, Any]:
        if isinstance(value, bool):
            if tracker.get_slot("requested_slot") != "has_previous_name":
                # Re-validated when the form comes back for a correction: the answer stands.
                return self._ok("has_previous_name", {"has_previous_name": value}, tracker)
            # The yes/no mapping won on this answer; the name may follow the "yes".
            value = tracker.latest_message.get("text") or value
        answer = yes_no(value)
        if answer is not None:
            values: Dict[str, Any] = {"has_previous_name": answer}
            rest = _after_yes(str(value)) if answer and isinstance(value, str) else ""
            if rest and check_name(strip_answer_prefix(rest)).ok:  # "yes, it was Brown"
                values["previous_family_name"] = check_name(strip_answer_prefix(rest)).value
            if not answer:
                values["previous_family_name"] = None
            return self._ok("has_previous_name", values, tracker)
        checked = check_name(strip_answer_prefix(str(value)))
        if checked.ok:  # they just gave the name
            return self._ok("has_previous_name", {"has_previous_name": True, "previous_family_name": checked.value},
                            tracker)
        return self._fail("has_previous_name", "yes_no", dispatcher, tracker)

    def validate_knows_uln(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[str, Any]:
        answer = False if dont_know(value) else yes_no(value)
        if answer is not None:
            values: Dict[str, Any] = {"knows_uln": answer}
            if not answer:
                values["uln"] = None
            return self._ok("knows_uln", values, tracker)
        checked = check_uln(strip_answer_prefix(str(value)))
        if checked.ok:  # they typed the number straight away
            return self._ok("knows_uln", {"knows_uln": True, "uln": checked.value}, tracker)
        if re.search(r"\d", str(value)) or checked.error == "uln_check_digit":
            return self._fail("uln", checked.error, dispatcher, tracker, extra={"knows_uln": True})
        return self._fail("knows_uln", "yes_no", dispatcher, tracker)

    def validate_uln(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> Dict[str, Any]:
        if yes_no(value) is False or dont_know(value):  # "I don't know it after all"
            return self._ok("uln", {"uln": None, "knows_uln": False}, tracker)
        checked = check_uln(strip_answer_prefix(str(value or "")))
        if checked.ok:
            return self._ok("uln", {"uln": checked.value}, tracker)
        return self._fail("uln", checked.error, dispatcher, tracker)

    def validate_contact_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[str, Any]:
        if value == "none" or yes_no(value) is False:
            return self._ok("contact_email", {"contact_email": "none"}, tracker)
        text = str(value or "")
        checked = check_email(strip_answer_prefix(text))
        found = find_email(text)
        if not checked.ok and found:
            checked = check_email(found)
        if checked.ok:
            return self._ok("contact_email", {"contact_email": checked.value}, tracker)
        return self._fail("contact_email", checked.error, dispatcher, tracker)


class ValidateStatusForm(_CountingValidator):
    def name(self) -> str:
        return "validate_status_form"

    def extract_status_reference(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[str, Any]:
        """A reference is unmistakable: take it whatever intent the NLU saw ("PLR" looks like
        an FAQ word), and also from the message that starts the check."""
        if tracker.get_slot("status_reference"):
            return {}
        match = _REFERENCE.search(tracker.latest_message.get("text") or "")
        return {"status_reference": match.group(0)} if match else {}

    def validate_status_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:
        match = _REFERENCE.search(str(value or ""))
        if match:
            reference = f"PLR-{match.group(1)}-{match.group(2)}".upper()
            return self._ok("status_reference", {"status_reference": reference}, tracker)
        return self._fail("status_reference", "reference_format", dispatcher, tracker)

    def validate_status_date_of_birth(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[str, Any]:
        checked = read_date_of_birth(str(value or ""))
        if checked.ok:
            return self._ok("status_date_of_birth", {"status_date_of_birth": checked.value}, tracker)
        return self._fail("status_date_of_birth", checked.error, dispatcher, tracker)

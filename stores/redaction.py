"""What a stored conversation may keep of a learner's details (docs/data-protection.md).

The request form needs the learner's answers in slots until the request is sent, and Rasa
rebuilds those slots from the stored SlotSet events, so while a request is open its current
values stay in the store. Everything else goes at the first save that can drop it:

- a user message that answered a question about the learner, gave details that filled a
  personal slot, carries something shaped like a date, postcode, ULN or email, or told of
  distress (the safeguarding intent), keeps its intent but not its words or entities;
- a SlotSet of a personal slot keeps its value only while that value is the slot's current
  one: after a correction, a submission, a cancel, "Start again" or a new session it is None;
- a bot message that showed the details (the read-back) keeps its buttons but not its words
  once no request is open.

The functions work on event dicts (Rasa's `Event.as_dict()`), so the in-memory store, the SQL
store and the tests share them. They never change the tracker that Rasa holds for the current
turn: only what is written.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from actions.personal import REQUEST_DETAIL_SLOTS, STATUS_DETAIL_SLOTS

# Slots whose values are the learner's details. Yes/no answers (has_previous_name, knows_uln)
# say nothing about who the learner is; the status reference names a request, not a person.
PERSONAL_SLOTS = frozenset(REQUEST_DETAIL_SLOTS + STATUS_DETAIL_SLOTS) - {
    "has_previous_name", "knows_uln", "status_reference"}
# Questions whose answers are the learner's details (the slot the form is asking for).
PERSONAL_QUESTIONS = frozenset(REQUEST_DETAIL_SLOTS + STATUS_DETAIL_SLOTS)
# Responses that show the learner's details back to them.
READ_BACKS = frozenset({"utter_review_request_opt_out", "utter_review_request_opt_in"})
# Replies after which no request is open any more: the browser forgets its copy of the answers.
REQUEST_ENDINGS = frozenset({
    "utter_request_submitted_opt_out", "utter_request_submitted_opt_in", "utter_request_queued",
    "utter_request_refused", "utter_request_not_saved", "utter_request_incomplete", "utter_request_cancelled",
    "utter_request_not_started", "utter_status_received", "utter_status_in_progress", "utter_status_completed",
    "utter_status_rejected", "utter_status_not_found", "utter_status_unavailable",
})


def privacy_of_reply(utter_action: Optional[str]) -> Optional[str]:
    """What a web page should do with its own copy of a reply and the answer that follows it:
    "shows" (the reply itself shows a learner's details), "asks" (the reply is an ordinary
    question, but the answer to it is a learner's detail), "end" (no request is open any
    more), or None."""
    if not utter_action:
        return None
    if utter_action in READ_BACKS:
        return "shows"
    if utter_action.removeprefix("utter_ask_") in PERSONAL_QUESTIONS:
        return "asks"
    if utter_action in REQUEST_ENDINGS:
        return "end"
    return None


# What a bot event's metadata says about which response it was, as opposed to what filled it.
_RESPONSE_NAMES = frozenset({"utter_action", "template"})
# Messages whose words are never kept, whatever they contain.
SENSITIVE_INTENTS = frozenset({"safeguarding"})
# Events after which Rasa starts the slots again from nothing.
RESETS = frozenset({"restart", "session_started", "reset_slots"})

USER_PLACEHOLDER = "[removed: personal details]"
BOT_PLACEHOLDER = "[removed: the learner's details]"

# Shapes of personal details, so that a detail typed where no question asked for it (and so
# never in a slot) is not kept either. Loose on purpose: losing the words of a message that
# only looked like a date costs a staff reviewer little.
_SHAPES = re.compile(
    r"(?<!\d)\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}(?!\d)"  # 21/06/2001, 2001-06-21
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # postcode
    r"|(?<!\d)[1-9](?:[\s\-]?\d){9}(?!\d)"  # ULN-like 10 digits
    r"|[^\s@]+@[^\s@]+\.[^\s@]+",  # email
    re.I,
)


# What the form stores when the learner gives no email: a word, not a detail.
_NOT_A_DETAIL = {"none"}


def _values_key(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    key = value.strip().casefold()
    return key if len(key) >= 2 and key not in _NOT_A_DETAIL else None


def current_values(events: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """The personal slots' values after the last event, as Rasa would replay them."""
    values: Dict[str, Any] = {}
    for event in events:
        kind = event.get("event")
        if kind in RESETS:
            values.clear()
        elif kind == "slot" and event.get("name") in PERSONAL_SLOTS:
            values[event["name"]] = event.get("value")
    return {slot: value for slot, value in values.items() if value is not None}


def _turns(events: Sequence[Dict[str, Any]]) -> Iterable[Tuple[int, int]]:
    """(start, end) index ranges, each starting at a user message (the first may not)."""
    starts = [i for i, e in enumerate(events) if e.get("event") == "user"]
    bounds = [0, *starts, len(events)] if not starts or starts[0] != 0 else [*starts, len(events)]
    return zip(bounds[:-1], bounds[1:])


def _mentions(values: Set[str]) -> Callable[[str], bool]:
    """A test for whether a text contains one of `values` as whole words."""
    if not values:
        return lambda text: False
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(values, key=len, reverse=True)))
                         + r")(?!\w)", re.I)
    return lambda text: bool(pattern.search(text))


def redact(events: Sequence[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], Set[int]]:
    """The events as they may be stored, and the indices of those that changed.

    Unchanged events are the same objects, so a caller can skip rewriting them."""
    current = current_values(events)
    every = {key for e in events if e.get("event") == "slot" and e.get("name") in PERSONAL_SLOTS
             for key in [_values_key(e.get("value"))] if key}
    mentions_a_detail = _mentions(every)
    request_open = bool(current)

    out = list(events)
    changed: Set[int] = set()
    requested: Optional[str] = None
    for start, end in _turns(events):
        if start == end:
            continue
        user = events[start] if events[start].get("event") == "user" else None
        # The question the learner answered is the one asked before their message.
        asked = requested
        fills_details = False
        for index in range(start, end):
            event = events[index]
            kind = event.get("event")
            if kind == "slot":
                name = event.get("name")
                if name == "requested_slot":
                    requested = event.get("value")
                elif name in PERSONAL_SLOTS and event.get("value") is not None:
                    fills_details = True
                    if current.get(name) != event.get("value"):
                        out[index] = {**event, "value": None}
                        changed.add(index)
            elif kind in RESETS:
                requested = None
            elif kind == "active_loop" and event.get("name") is None:
                requested = None
            elif kind == "bot":
                text = event.get("text") or ""
                utter = (event.get("metadata") or {}).get("utter_action")
                if text and text != BOT_PLACEHOLDER and utter in READ_BACKS and not request_open:
                    # The values it was filled with travel in its metadata too (review_name, ...).
                    metadata = {key: value for key, value in (event.get("metadata") or {}).items()
                                if key in _RESPONSE_NAMES}
                    out[index] = {**event, "text": BOT_PLACEHOLDER, "metadata": metadata}
                    changed.add(index)
        if user is not None and _user_is_personal(user, asked, fills_details, mentions_a_detail):
            out[start] = _redacted_user(user)
            changed.add(start)
    return out, changed


def _user_is_personal(user: Dict[str, Any], asked: Optional[str], fills_details: bool,
                      mentions_a_detail: Callable[[str], bool]) -> bool:
    text = user.get("text") or ""
    if not text or text == USER_PLACEHOLDER or text.startswith("/"):
        return False  # nothing typed, already removed, or a button's payload
    # What a learner in distress wrote is health or abuse information: the intent is enough
    # for anyone reviewing the conversation to see that help was offered.
    if ((user.get("parse_data") or {}).get("intent") or {}).get("name") in SENSITIVE_INTENTS:
        return True
    return (asked in PERSONAL_QUESTIONS or fills_details or bool(_SHAPES.search(text))
            or mentions_a_detail(text))


def _redacted_user(user: Dict[str, Any]) -> Dict[str, Any]:
    parse_data = dict(user.get("parse_data") or {})
    if parse_data:
        parse_data["text"] = USER_PLACEHOLDER
        parse_data["entities"] = []
    return {**user, "text": USER_PLACEHOLDER, "parse_data": parse_data}

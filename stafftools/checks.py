"""What one turn of a conversation produced, and the checks a conversation file asks for.

Pure functions over what came back (the REST replies and the tracker), so they are easy to
test and the failure messages say exactly what was expected and what was seen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from stafftools.cases import Expect


@dataclass
class Turn:
    user: str
    replies: List[Dict[str, Any]]
    seconds: float
    responses: Optional[List[str]] = None  # response names said this turn (from the tracker)
    actions: Optional[List[str]] = None  # actions run this turn (from the tracker)
    intent: Optional[str] = None
    slots: Optional[Dict[str, Any]] = None
    failures: List[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.replies if r.get("text"))

    @property
    def buttons(self) -> List[Dict[str, str]]:
        return [b for r in self.replies for b in (r.get("buttons") or [])]

    def as_dict(self) -> Dict[str, Any]:
        return {"user": self.user, "seconds": round(self.seconds, 3), "intent": self.intent,
                "responses": self.responses, "replies": [
                    {"text": r.get("text"), "buttons": [b.get("title") for b in r.get("buttons") or []]}
                    for r in self.replies], "failures": self.failures}


def turn_from_tracker(tracker: Dict[str, Any]) -> Dict[str, Any]:
    """Response names, actions, intent and slots of the latest turn of a tracker."""
    events = tracker.get("events") or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    turn_events = events[last_user + 1:]
    responses = [(e.get("metadata") or {}).get("utter_action") or "(text without a response name)"
                 for e in turn_events if e.get("event") == "bot"]
    actions = [e.get("name") for e in turn_events
               if e.get("event") == "action" and e.get("name") not in (None, "action_listen")]
    # The last user event, not `latest_message`: Rasa's HTTP API can return a stale one there.
    user_event = events[last_user] if last_user >= 0 else {}
    intent = ((user_event.get("parse_data") or {}).get("intent") or {}).get("name")
    return {"responses": responses, "actions": actions, "intent": intent, "slots": tracker.get("slots") or {}}


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def _in_order(wanted: List[str], seen: List[str]) -> bool:
    position = 0
    for name in wanted:
        try:
            position = seen.index(name, position) + 1
        except ValueError:
            return False
    return True


def check_turn(turn: Turn, expect: Expect, action_names: set) -> List[str]:
    """Every way the turn differs from what the file expects (empty when it passes)."""
    failures: List[str] = []
    if not turn.replies:
        failures.append("the assistant sent no reply (Rasa answers [] when processing fails)")
    said = turn.responses
    needs_tracker = expect.responses or expect.only_responses is not None or expect.not_responses \
        or expect.intent or expect.slots
    if needs_tracker and said is None:
        failures.append("this check needs the tracker: give the Rasa API token (--token or RASA_API_TOKEN)")
        return failures
    if said is not None:
        done = turn.actions or []
        wanted_responses = [n for n in expect.responses if n not in action_names]
        wanted_actions = [n for n in expect.responses if n in action_names]
        if not _in_order(wanted_responses, said):
            failures.append(f"expected responses {wanted_responses} in this order, got {said}")
        if not _in_order(wanted_actions, done):
            failures.append(f"expected actions {wanted_actions} to run, ran {done}")
        if expect.only_responses is not None and said != expect.only_responses:
            failures.append(f"expected exactly {expect.only_responses}, got {said}")
        for name in expect.not_responses:
            if name in said or name in done:
                failures.append(f"{name} should not happen here, but it did")
        if expect.intent and turn.intent != expect.intent:
            failures.append(f"expected the intent {expect.intent}, the NLU saw {turn.intent}")
        for slot, value in expect.slots.items():
            actual = (turn.slots or {}).get(slot)
            if actual != value:
                failures.append(f"expected slot {slot} = {value!r}, it is {actual!r}")
    text = _squash(turn.text)
    for fragment in expect.text:
        if _squash(fragment) not in text:
            failures.append(f"expected the reply to contain {fragment!r}")
    for fragment in expect.not_text:
        if _squash(fragment) in text:
            failures.append(f"the reply must not contain {fragment!r}, but it does")
    for pattern in expect.text_matches:
        if not re.search(pattern, turn.text):
            failures.append(f"expected the reply to match /{pattern}/")
    titles = [b.get("title") for b in turn.buttons]
    for title in expect.buttons:
        if title not in titles:
            failures.append(f"expected a button {title!r}, buttons were {titles}")
    return failures


def check_record(records: List[Dict[str, Any]], fields: Optional[Dict[str, Any]]) -> List[str]:
    """fields None: nothing may be stored; otherwise exactly one stored request with these fields."""
    if fields is None:
        return [] if not records else [f"expected no stored request, found {len(records)}"]
    if len(records) != 1:
        return [f"expected exactly one stored request for this conversation, found {len(records)}"]
    record = records[0]
    return [f"stored {key} is {record.get(key)!r}, expected {value!r}"
            for key, value in fields.items() if record.get(key) != value]


def transcript(turns: List[Turn]) -> List[str]:
    """A readable transcript: what the learner said, what came back, and what was wrong."""
    lines: List[str] = []
    for turn in turns:
        heard = f"   (NLU: {turn.intent})" if turn.intent else ""
        lines.append(f"  learner> {turn.user}{heard}")
        names = turn.responses or []
        texts = [r for r in turn.replies if r.get("text") or r.get("buttons")]
        for i, reply in enumerate(texts):
            name = f"[{names[i]}] " if len(names) == len(texts) else ""
            body = (reply.get("text") or "").replace("\n", "\n               ")
            lines.append(f"  bot    > {name}{body}")
            if reply.get("buttons"):
                lines.append("           buttons: " + " | ".join(b.get("title", "") for b in reply["buttons"]))
        if names and len(names) != len(texts):
            lines.append(f"           responses: {names}")
        if not turn.replies:
            lines.append("  bot    > (no reply)")
        for failure in turn.failures:
            lines.append(f"  !! {failure}")
    return lines

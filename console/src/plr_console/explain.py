"""Why the assistant answered as it did, from a tracker's events: per learner message the intent
and its confidence, the next alternatives, entities, slots set, and the actions run with the
policy that chose each. Also turns a conversation into a scripted test case
(tests/conversations/ format, stafftools/cases.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

QUIET_ACTIONS = {"action_listen", "action_session_start"}


@dataclass
class Turn:
    text: str
    intent: str | None = None
    confidence: float | None = None
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    slots: list[tuple[str, Any]] = field(default_factory=list)  # last value of each slot given one
    emptied: list[str] = field(default_factory=list)  # slots this turn left empty (forms reset many)
    actions: list[dict] = field(default_factory=list)
    replies: list[dict] = field(default_factory=list)
    button_title: str | None = None  # the button this message came from, when it did

    @property
    def responses(self) -> list[str]:
        return [r["response"] for r in self.replies if r.get("response")]


def _percent(value: Any) -> float | None:
    return round(float(value), 3) if isinstance(value, (int, float)) else None


def turns(tracker: dict, alternatives: int = 3) -> list[Turn]:
    """One Turn per user message, in order; what came before the first message is left out."""
    found: list[Turn] = []
    offered: dict[str, str] = {}  # payload -> title of the buttons the last reply offered
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            ranking = [(r.get("name"), _percent(r.get("confidence"))) for r in parse.get("intent_ranking") or []]
            text = event.get("text") or ""
            found.append(Turn(
                text=text,
                intent=intent.get("name"),
                confidence=_percent(intent.get("confidence")),
                alternatives=[r for r in ranking if r[0] != intent.get("name")][:alternatives],
                entities=[{"entity": e.get("entity"), "value": e.get("value"), "extractor": e.get("extractor")}
                          for e in parse.get("entities") or []],
                button_title=offered.get(text),
            ))
            offered = {}
        elif not found:
            continue
        elif kind == "slot":
            _set_slot(found[-1], event.get("name"), event.get("value"))
        elif kind == "action" and event.get("name") not in QUIET_ACTIONS:
            found[-1].actions.append({"name": event.get("name"), "policy": event.get("policy"),
                                      "confidence": _percent(event.get("confidence"))})
        elif kind == "bot":
            data = event.get("data") or {}
            buttons = [b for b in data.get("buttons") or [] if isinstance(b, dict)]
            found[-1].replies.append({"text": event.get("text") or "",
                                      "response": (event.get("metadata") or {}).get("utter_action"),
                                      "buttons": buttons})
            offered = {b.get("payload"): b.get("title") for b in buttons if b.get("payload")}
    return found


def _set_slot(turn: Turn, name: str, value: Any) -> None:
    turn.slots = [(n, v) for n, v in turn.slots if n != name]
    turn.emptied = [n for n in turn.emptied if n != name]
    if value is None:
        turn.emptied.append(name)
    else:
        turn.slots.append((name, value))


def as_test_case(conversation_id: str, found: list[Turn], name: str | None = None,
                 description: str | None = None) -> str:
    """A conversation file that replays these messages and expects the same intents and responses."""
    steps = []
    for turn in found:
        step: dict[str, Any] = {"button": turn.button_title} if turn.button_title else {"user": turn.text}
        expect: dict[str, Any] = {}
        if turn.intent and not turn.button_title:
            expect["intent"] = turn.intent
        if turn.responses:
            expect["responses"] = turn.responses
        if expect:
            step["expect"] = expect
        steps.append(step)
    case = {
        "name": name or f"Saved from the staff console ({conversation_id})",
        "description": description
        or "Recorded in the staff console's 'Try the assistant'; check the expectations before adding it.",
        "tags": ["console"],
        "steps": steps,
    }
    return yaml.safe_dump(case, sort_keys=False, allow_unicode=True, width=100)

"""A typed or spoken "yes" to an offer made in an answer.

Answers such as "I can start an opt-out request now. Would you like to?" carry buttons
whose first payload is the intent that starts the action (`/request_opt_out`). Buttons
do nothing on the phone, and many people type "yes" anyway, so on `affirm` this action
replays the offered intent as if the learner had pressed the button (the same way
Rasa's own two-stage fallback replays a clarified message): the request flow then runs
from its own rules. Without an offer it hands over to `utter_anything_else`.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, UserUttered
from rasa_sdk.executor import CollectingDispatcher

DECLINE_PAYLOADS = {"/deny"}


def last_offer(events: Iterable[Dict[str, Any]]) -> str | None:
    """The intent payload offered by the bot's latest message before the learner's reply."""
    seen_reply = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if seen_reply:
                return None  # the bot said nothing between the two user messages
            seen_reply = True
            continue
        if kind == "bot" and seen_reply:
            buttons = (event.get("data") or {}).get("buttons") or []
            for button in buttons:
                payload = (button.get("payload") or "").strip()
                if payload.startswith("/") and payload not in DECLINE_PAYLOADS:
                    return payload
            return None
    return None


def replay_as_user(payload: str, input_channel: str | None) -> List[EventType]:
    intent = payload[1:].split("{", 1)[0].split("@", 1)[0]
    parse_data = {
        "text": payload,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "entities": [],
    }
    return [ActionExecuted("action_listen"), UserUttered(payload, parse_data, input_channel=input_channel)]


class ActionAcceptOffer(Action):
    def name(self) -> str:
        return "action_accept_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        payload = last_offer(tracker.events)
        if payload is None:
            return [FollowupAction("utter_anything_else")]
        return replay_as_user(payload, tracker.get_latest_input_channel())

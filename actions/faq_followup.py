"""Follow-up questions in context: "and how long does that take?" after an answer about
opting out is answered about opting out.

The topic answered last is read from the bot's own messages: Rasa records the response
name (`utter_faq/<topic>`) in each bot event's metadata, for the FAQ rule and for this
action's answers alike, so a chain of follow-ups keeps its subject. The action sends the
answer (an `utter_faq/<topic>` response) and sets `followup_result`; the rules send the
"don't know" and "which question?" replies.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.titles import FAQ_INTENT

FOLLOWUPS_FILE = Path(__file__).with_name("faq_followups.yml")
FAQ_RESPONSE_PREFIX = f"utter_{FAQ_INTENT}/"
# "That" refers to something recent: older answers than this many user turns are stale.
CONTEXT_USER_TURNS = 6


@lru_cache(maxsize=1)
def followup_map() -> Dict[str, Dict[str, str]]:
    data = yaml.safe_load(FOLLOWUPS_FILE.read_text(encoding="utf-8")) or {}
    return {intent: dict(targets or {}) for intent, targets in data.items()}


def last_answered_topic(events: Iterable[Dict[str, Any]]) -> str | None:
    """The FAQ topic of the latest answer in this session, if it is recent enough."""
    user_turns = 0
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "action" and event.get("name") == "action_session_start":
            return None
        if kind == "user":
            user_turns += 1
            if user_turns > CONTEXT_USER_TURNS:
                return None
        if kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action") or ""
            if response.startswith(FAQ_RESPONSE_PREFIX):
                return response[len(FAQ_RESPONSE_PREFIX):]
    return None


def resolve(followup_intent: str, topic: str | None) -> str | None:
    if topic is None:
        return None
    return followup_map().get(followup_intent, {}).get(topic)


class ActionAnswerFollowup(Action):
    def name(self) -> str:
        return "action_answer_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        topic = last_answered_topic(tracker.events)
        if topic is None:
            return [SlotSet("followup_result", "no_context")]
        target = resolve(intent, topic)
        if target is None:
            return [SlotSet("followup_result", "unknown")]
        dispatcher.utter_message(response=f"{FAQ_RESPONSE_PREFIX}{target}")
        return [SlotSet("followup_result", "answered")]

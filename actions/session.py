"""A new session keeps the conversation's language and nothing else (issue 22).

Personal details never outlive a session (domain/core.yml turns slot carry-over off), but a
learner who chose Welsh should not be answered in English after an idle hour. A new
conversation can also bring its language in the first message's metadata
(`{"language": "cy"}`), which Rasa passes to this action as `session_started_metadata`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language import LANGUAGE_SLOT, LANGUAGES


def carried_language(tracker: Tracker) -> Optional[str]:
    """The language of the session before, else the one the new session's metadata asks for."""
    previous = tracker.get_slot(LANGUAGE_SLOT)
    if previous in LANGUAGES:
        return previous
    metadata: Dict[str, Any] = tracker.get_slot("session_started_metadata") or {}
    asked = metadata.get("language") if isinstance(metadata, dict) else None
    return asked if asked in LANGUAGES else None


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        language = carried_language(tracker)
        if language:
            events.append(SlotSet(LANGUAGE_SLOT, language))
        events.append(ActionExecuted("action_listen"))
        return events

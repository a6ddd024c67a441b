"""Talking to a person: the helpdesk number, and its opening hours only when configured.

The action fills slots from settings and the rules then send `utter_human_handoff` or
`utter_helpdesk_hours`, whose variations depend on whether `helpdesk_hours` is set. Hours
are not published in any source we hold, so they only ever come from HELPDESK_HOURS (and, for a
Welsh conversation, HELPDESK_HOURS_CY; without it the Welsh reply quotes HELPDESK_HOURS, as the
web page does, rather than leave the hours out).
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import WELSH, language_of
from actions.settings import get_settings


def helpdesk_slots(language: str = "en") -> List[EventType]:
    settings = get_settings()
    hours = settings.helpdesk_hours
    if language == WELSH and settings.helpdesk_hours_cy:
        hours = settings.helpdesk_hours_cy
    return [
        SlotSet("helpdesk_phone", settings.helpdesk_phone),
        SlotSet("helpdesk_hours", hours or None),
    ]


class ActionHelpdeskDetails(Action):
    def name(self) -> str:
        return "action_helpdesk_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return helpdesk_slots(language_of(tracker))

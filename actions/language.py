"""The conversation's language, for the values an action puts into a response (issue 22).

content/nlg.py picks the Welsh wording of a response when the `language` slot is `cy`; the values
an action fills in (a field's name, a date, a button's title) must then be Welsh too. Every
action asks `language_of(tracker)`: Welsh only when the slot says `cy`, English otherwise, so an
English conversation gets exactly the values it always had.
"""
from __future__ import annotations

from rasa_sdk import Tracker

LANGUAGE_SLOT = "language"
ENGLISH, WELSH = "en", "cy"
LANGUAGES = (ENGLISH, WELSH)
# Rasa's names of the phone channel: a spoken value leaves out what only reads well on screen.
VOICE_CHANNELS = frozenset({"twilio_voice", "plr_twilio_voice"})


def language_of(tracker: Tracker) -> str:
    """`cy` when the conversation is in Welsh, else `en` (unset or anything else is English)."""
    return WELSH if tracker.get_slot(LANGUAGE_SLOT) == WELSH else ENGLISH


def on_the_phone(tracker: Tracker) -> bool:
    return (tracker.get_latest_input_channel() or "") in VOICE_CHANNELS

"""A new session keeps the conversation's language and nothing else (actions/session.py)."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from tests.actions.trackers import domain, tracker


def run(slots):
    events = ActionSessionStart().run(CollectingDispatcher(), tracker(slots=slots, active_loop=None), domain())
    return [e.get("event") for e in events], {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_the_language_is_carried_and_personal_details_are_not():
    kinds, slots = run({"language": "cy", "given_name": "Elin", "postcode": "SA1 8PP"})
    assert kinds == ["session_started", "slot", "action"]
    assert slots == {"language": "cy"}


def test_the_first_message_metadata_may_ask_for_a_language():
    assert run({"session_started_metadata": {"language": "cy"}})[1] == {"language": "cy"}
    assert run({"session_started_metadata": {"language": "fr"}})[1] == {}
    assert run({"session_started_metadata": "not a mapping"})[1] == {}


def test_without_a_language_the_session_starts_empty():
    kinds, slots = run({})
    assert kinds == ["session_started", "action"] and slots == {}

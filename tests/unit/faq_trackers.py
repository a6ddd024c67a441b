"""Real rasa_sdk Trackers shaped like the ones the action server receives from Rasa."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker


def user(text: str, intent: str, confidence: float = 0.99, **parse: Any) -> Dict[str, Any]:
    parse_data = {"text": text, "intent": {"name": intent, "confidence": confidence},
                  "entities": [], **parse}
    return {"event": "user", "text": text, "parse_data": parse_data, "input_channel": "rest"}


def bot(text: str, response: str | None = None, buttons: List[Dict[str, str]] | None = None) -> Dict[str, Any]:
    """A bot message as Rasa logs it: the response name is in metadata.utter_action."""
    return {"event": "bot", "text": text, "data": {"buttons": buttons},
            "metadata": {"utter_action": response} if response else {}}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def session_start() -> List[Dict[str, Any]]:
    return [action("action_session_start"), {"event": "session_started"}, action("action_listen")]


def tracker_from(events: List[Dict[str, Any]], slots: Dict[str, Any] | None = None) -> Tracker:
    """The tracker after `events`; the latest user event is the message being handled."""
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker(
        sender_id="synthetic-learner",
        slots=dict(slots or {}),
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def answered(topic: str, question: str = "a question") -> List[Dict[str, Any]]:
    """A learner's question and the FAQ answer the rule sent for `topic`."""
    return [user(question, "faq"), action("utter_faq"), bot(f"answer about {topic}", f"utter_faq/{topic}"),
            action("action_listen")]

"""Real rasa_sdk Trackers for action tests: a conversation state as the action server gets it."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

FORM_SLOTS = ["given_name", "family_name", "date_of_birth", "postcode", "has_previous_name",
              "previous_family_name", "knows_uln", "uln", "contact_email"]


def domain() -> Dict[str, Any]:
    import yaml

    from tests.conftest import ROOT

    merged: Dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text()) or {}
        for key in merged:
            merged[key].update(part.get(key) or {})
    return merged


def tracker(
    text: str = "",
    intent: str = "inform",
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[str] = "sharing_request_form",
    events: Optional[List[Dict[str, Any]]] = None,
    channel: str = "rest",
) -> Tracker:
    all_slots = {name: None for name in domain()["slots"]}
    all_slots.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []}
    history = list(events or []) + [{"event": "user", "text": text, "parse_data": latest,
                                     "input_channel": channel}]
    return Tracker(
        sender_id="test-sender",
        slots=all_slots,
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )

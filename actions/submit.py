"""Sends a confirmed request to the backend, or keeps it in the outbox when the backend is down."""
from __future__ import annotations

import logging
import uuid
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, Refused, Submitted
from actions.outbox import Outbox, OutboxWorker
from actions.personal import clear_request
from actions.settings import get_settings

logger = logging.getLogger(__name__)

CHANNELS = {"socketio": "web", "plr_socketio": "web", "twilio_voice": "voice", "plr_twilio_voice": "voice"}


def request_payload(tracker: Tracker) -> Dict[str, Any]:
    slots = tracker.current_slot_values()
    payload: Dict[str, Any] = {
        "type": slots.get("request_type") or "opt_out",
        "given_name": slots["given_name"],
        "family_name": slots["family_name"],
        "date_of_birth": slots["date_of_birth"],
        "postcode": slots["postcode"],
        "channel": CHANNELS.get(tracker.get_latest_input_channel() or "", "other"),
        "conversation_id": tracker.sender_id,
    }
    if slots.get("has_previous_name") and slots.get("previous_family_name"):
        payload["previous_family_name"] = slots["previous_family_name"]
    if slots.get("uln"):
        payload["uln"] = slots["uln"]
    if slots.get("contact_email") and slots["contact_email"] != "none":
        payload["contact_email"] = slots["contact_email"]
    return payload


_outbox = None


def outbox() -> Outbox:
    global _outbox
    if _outbox is None:
        settings = get_settings()
        _outbox = Outbox(settings.outbox_path, settings.outbox_key)
    return _outbox


def outbox_worker() -> OutboxWorker:
    return OutboxWorker(outbox(), BackendClient, get_settings().outbox_retry_seconds)


class ActionSubmitRequest(Action):
    def name(self) -> str:
        return "action_submit_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        required = ("given_name", "family_name", "date_of_birth", "postcode")
        if any(not tracker.get_slot(slot) for slot in required):
            dispatcher.utter_message(response="utter_request_incomplete")
            return clear_request()
        request_type = tracker.get_slot("request_type") or "opt_out"
        key = tracker.get_slot("request_key") or uuid.uuid4().hex
        payload = request_payload(tracker)
        result = await BackendClient().submit(payload, key)
        if isinstance(result, Submitted):
            dispatcher.utter_message(response=f"utter_request_submitted_{request_type}", reference=result.reference,
                                     reference_spoken=" ".join(result.reference.replace("-", "")))
        elif isinstance(result, Refused):
            dispatcher.utter_message(response="utter_request_refused")
        else:
            try:
                outbox().put(key, payload)
            except Exception:  # a full disk must not lose the learner's trust as well
                logger.exception("could not save a request to the outbox")
                dispatcher.utter_message(response="utter_request_not_saved")
                return clear_request()
            outbox_worker().ensure_started()
            dispatcher.utter_message(response="utter_request_queued")
        return clear_request()


def resume_outbox_on_start() -> None:
    """Delivery resumes after a restart, before any learner submits again."""
    try:
        if outbox().count() > 0:
            outbox_worker().ensure_started()
    except Exception:  # settings missing in a unit test, say: nothing to resume
        logger.debug("outbox not resumed at start", exc_info=True)


resume_outbox_on_start()

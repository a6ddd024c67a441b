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
from actions.request_keys import idempotency_key
from actions.settings import get_settings

logger = logging.getLogger(__name__)

CHANNELS = {"socketio": "web", "plr_socketio": "web", "twilio_voice": "voice", "plr_twilio_voice": "voice"}
# The languages the backend stores a request in (slot `language`), so staff can reply in it.
LANGUAGES = ("en", "cy")


def request_language(tracker: Tracker) -> str:
    """The conversation's language for the backend: `cy` or `en`; unset or anything else is English."""
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else "en"


def request_payload(tracker: Tracker) -> Dict[str, Any]:
    slots = tracker.current_slot_values()
    payload: Dict[str, Any] = {
        "type": slots.get("request_type") or "opt_out",
        "given_name": slots["given_name"],
        "family_name": slots["family_name"],
        "date_of_birth": slots["date_of_birth"],
        "postcode": slots["postcode"],
        "channel": CHANNELS.get(tracker.get_latest_input_channel() or "", "other"),
        "language": request_language(tracker),
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
        _outbox = Outbox(settings.outbox_path, settings.outbox_key, retry_seconds=settings.outbox_retry_seconds)
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
        payload = request_payload(tracker)
        key = idempotency_key(tracker.get_slot("request_key") or uuid.uuid4().hex, payload)
        result = await BackendClient().submit(payload, key)
        if isinstance(result, Submitted):
            dispatcher.utter_message(response=f"utter_request_submitted_{request_type}", reference=result.reference,
                                     reference_spoken=" ".join(result.reference.replace("-", "")))
        elif isinstance(result, Refused) and result.final and result.status_code == 409:
            # An earlier version under this key was stored: "nothing was stored" would be false.
            dispatcher.utter_message(response="utter_request_conflict")
        elif isinstance(result, Refused) and result.final:
            dispatcher.utter_message(response="utter_request_refused")
        else:
            if isinstance(result, Refused):
                # Not the request's fault (a rotated key, a wrong URL): keep it and keep trying.
                logger.error("ALERT outbox: backend refused with %s; request kept in the outbox",
                             result.describe())
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
    """Delivery resumes after a restart, before any learner submits again. A restart is when a
    fixed configuration (a new key, a corrected URL) arrives, so every waiting row is due at once."""
    try:
        if outbox().has_work():
            outbox().wake()
            outbox_worker().ensure_started()
    except Exception:  # settings missing in a unit test, say: nothing to resume
        logger.debug("outbox not resumed at start", exc_info=True)


resume_outbox_on_start()

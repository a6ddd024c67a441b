"""The REST channel (staff tools and tests, loopback only): Rasa 3.6's `RestInput` made strict.

Only loopback and STAFF_NETWORKS may use it, like every internal route of the Rasa server
(channels/internal_routes.py): others get 403 whatever port or proxy they come through.

Wired in credentials.yml as `channels.rest_channel.PLRRestInput` in place of `rest:`, at the same
path `/webhooks/rest/webhook` and with the same answer (a JSON list of bot messages). Differences:
- Bad requests get a 4xx with a message instead of a 500 (the stock channel calls `.get()` on
  whatever JSON arrives): 415 unless the body is JSON, 400 for malformed or too deeply nested
  JSON or a missing or mistyped `sender` / `message`, 413 above `MAX_BODY_BYTES` (Sanic itself
  refuses larger bodies before reading them: channels/request_size.py).
- Limits per client address (channels/abuse.py): new conversation ids and messages a minute,
  answered 429 with Retry-After; when the server already has too many turns waiting, 503 with
  a "very busy" message.
- Every message is answered. Control characters are removed; an over-long or empty message
  gets a re-prompt; a flood on one conversation gets 429 with a "please wait" message
  (channels/ratelimit.py); when the action server or a store fails, or Rasa raises, the answer
  is a clear "technical problem" message with the helpdesk number and the header
  `X-PLR-Turn: failed` (the stock channel answers 200 `[]`).
- No streaming (`?stream=true` is ignored): nothing here uses it.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import abuse, client_address, guard, internal_routes, request_size

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 65_536
MAX_SENDER_CHARS = 128
_CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class BadRequest(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _bot(sender: str, text: str) -> Dict[str, str]:
    return {"recipient_id": sender, "text": text}


def parse_body(request: Request) -> Dict[str, Any]:
    """The request's JSON object, or BadRequest saying what is wrong with it."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise BadRequest(415, "send the message as JSON (Content-Type: application/json)")
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(413, f"the request body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(400, "the body is not valid JSON") from None
    except RecursionError:
        # `[[[[…` nests deeper than Python's parser recurses; not a ValueError.
        raise BadRequest(400, "the JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest(400, 'the body must be a JSON object: {"sender": "...", "message": "..."}')
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS \
            or guard.clean_text(sender) != sender:
        raise BadRequest(400, f'"sender" must be a conversation id of 1-{MAX_SENDER_CHARS} printable characters')
    if not isinstance(data.get("message"), str):
        raise BadRequest(400, '"message" must be a string')
    channel = data.get("input_channel")
    if channel is not None and (not isinstance(channel, str) or not _CHANNEL_NAME.match(channel)):
        raise BadRequest(400, '"input_channel" must be a channel name such as "rest"')
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(400, '"metadata" must be a JSON object')
    return data


class PLRRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("plr_rest_webhook", __name__)
        request_size.limit(blueprint)
        # Any sender, any conversation, no token: answered only to loopback and staff networks.
        internal_routes.guard(blueprint)
        turn_guard = guard.default_guard()
        limits = abuse.default_limits()
        addresses = client_address.default()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                data = parse_body(request)
            except BadRequest as bad:
                return _error(bad.status, str(bad))
            sender = data["sender"]
            address = addresses.of(request.ip, client_address.forwarded_for(request.headers))
            if sender not in limits.rest_seen:
                key = abuse.address_key(address)
                if not limits.rest_senders_per_address.take(key):
                    abuse.log_refusal("new REST conversations per address")
                    wait = limits.rest_senders_per_address.retry_after(key)
                    return response.json([_bot(sender, guard.SLOW_DOWN_TEXT)], status=429,
                                         headers={"Retry-After": str(int(wait + 0.999))})
                limits.rest_seen.add(sender)
            raw = data["message"]
            text = guard.clean_text(raw)
            if len(text) > guard.MAX_MESSAGE_CHARS:
                return response.json([_bot(sender, guard.TOO_LONG_TEXT)])
            if not text:
                return response.json([_bot(sender, guard.NO_WORDS_TEXT)])
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender,
                                  input_channel=data.get("input_channel") or self.name(),
                                  metadata=data.get("metadata"))
            outcome = await turn_guard.handle(on_new_message, message, address=address)
            if outcome.status == guard.RATE_LIMITED:
                return response.json([_bot(sender, guard.SLOW_DOWN_TEXT)], status=429,
                                     headers={"Retry-After": str(int(outcome.retry_after + 0.999))})
            if outcome.status == guard.BUSY:
                return response.json([_bot(sender, guard.busy_text())], status=503,
                                     headers={"Retry-After": str(int(outcome.retry_after + 0.999))})
            if outcome.status == guard.FAILED:
                return response.json([_bot(sender, guard.technical_problem_text())],
                                     headers={"X-PLR-Turn": "failed"})
            messages: List[Dict[str, Any]] = collector.messages
            if not messages:
                # Rasa had nothing to say: never leave a client with an empty answer.
                logger.warning("A message got no reply from the assistant.")
                return response.json([_bot(sender, guard.technical_problem_text())],
                                     headers={"X-PLR-Turn": "empty"})
            return response.json(messages)

        return blueprint

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        return None

"""The web chat's socket.io channel: Rasa 3.6's `SocketIOInput` with its known faults fixed.

Wired in credentials.yml as `channels.socketio_channel.PLRSocketIOInput`. What differs from
`rasa.core.channels.socketio` (3.6.21) with the python-socketio 5.18 in requirements.lock:

- Replies reach the browser with session persistence: the stock channel calls
  `sio.enter_room()` without awaiting it (a coroutine since python-socketio 5.10), so the
  socket never joins its session's room and every reply is lost (RasaHQ/rasa#13027).
- Custom JSON responses are delivered whatever their keys; the stock channel passes them as
  keyword arguments to `emit()`, so anything but `{"data": ...}` raised and was dropped, and a
  payload could choose its own `room`. Here a payload never picks its recipient.
- Only the origins in `allowed_origins` (WEB_ALLOWED_ORIGINS) may connect from a browser; the
  stock channel sets `cors_allowed_origins=[]`, which switches python-engineio's check off.
- Session ids are issued by the server and checked when a browser returns one
  (`channels.session_tokens`); a socket can only speak in the conversation it was given. They
  expire after WEBCHAT_SESSION_MAX_DAYS (30), and the secret can be rotated.
- Rasa's CORS extension (`rasa run --cors`) is kept off the socket.io path, where
  python-engineio checks the origin and sets Access-Control-Allow-Origin itself: with both, a
  response can carry the header twice, and browsers then refuse every long-polling response.
- Metadata sent by the browser is dropped: nothing a page puts there reaches the tracker.
- Messages a client sends together in one long-polling request are all handled: the transport
  (python-engineio) silently dropped a request holding more than 16 of them.
- A socket may start only a few new conversations a minute, and an address a few dozen
  (channels/abuse.py); a refused `session_request` gets `chat_error` with reason
  `too_many_sessions`, which the page explains. Messages also count against their address,
  and a server that already has too many turns waiting answers "very busy" at once.
- Every message is answered (channels/guard.py): a flood on one conversation gets a polite
  "please wait", and a failed turn (action server, tracker store or lock store down, or Rasa
  raising) gets a clear message with the helpdesk number instead of silence or a fresh
  conversation's greeting. Control characters are removed before Rasa sees the text.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

from engineio import payload as engineio_payload
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
    decode_bearer_token,
)
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncServer

from channels import abuse, client_address, guard, request_size, session_tokens
from stores import redaction

logger = logging.getLogger(__name__)

# Longer than any answer the assistant asks for; the page's message box has the same limit.
MAX_MESSAGE_CHARS = 1000
# One long-polling POST above this is refused by the transport (python-engineio's default is
# 1 MB): the same 64 KB as nginx's client_max_body_size in front. A POST can carry many
# messages a client buffered while its previous POST was in flight (a slow network, a flood).
MAX_PACKET_BYTES = 65_536
# python-engineio drops a whole POST holding more than 16 packets (its default) and still
# answers 200, so the page believes they arrived: messages lost without a word. The byte limit
# above already bounds a POST's work, and each message meets the per-conversation flood
# control, so any number of packets that fits is accepted (the maintainer's documented knob,
# miguelgrinberg/python-engineio#142).
MAX_PACKETS_PER_POST = MAX_PACKET_BYTES // 32
engineio_payload.Payload.max_decode_packets = max(engineio_payload.Payload.max_decode_packets,
                                                  MAX_PACKETS_PER_POST)


def parse_origins(value: Any) -> List[str]:
    """`WEB_ALLOWED_ORIGINS` as a list: comma separated, blanks and trailing slashes dropped."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [str(item).strip().rstrip("/") for item in items if str(item).strip()]


def origin_checker(allowed: Iterable[str]) -> Callable[[str | None], bool]:
    """A callable for python-engineio's `cors_allowed_origins`.

    A callable, not a list, because an empty list means "no check at all" to python-engineio:
    with no origins configured, every browser origin is refused instead.
    """
    allowed_set = frozenset(allowed)

    def is_allowed(origin: str | None) -> bool:
        return origin is not None and origin.rstrip("/") in allowed_set

    return is_allowed


class PLRSocketBlueprint(SocketBlueprint):
    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        prefix = self.ctx.socketio_path.rstrip("/") + "/"

        async def leave_cors_to_engineio(request: Request) -> None:
            # Sanic-CORS skips a request it believes it has already answered.
            if request.path.startswith(prefix):
                setattr(request.ctx, SANIC_CORS_EVALUATED, "1")

        app.register_middleware(leave_cors_to_engineio, "request")
        super().register(app, options)


# The languages a reply may say it is in (`language`, added by content/nlg.py to Welsh replies).
REPLY_LANGUAGES = frozenset({"en", "cy"})


def reply_language(message: Dict[str, Any]) -> Optional[str]:
    """The reply's `language` when it is one the page knows, else None (nothing is added)."""
    language = message.get("language")
    return language if isinstance(language, str) and language in REPLY_LANGUAGES else None


class PLRSocketIOOutput(guard.QuietAfterFailure, SocketIOOutput):
    """Each reply says what the page may keep of it (`privacy`, stores/redaction.py): the page
    never stores a learner's answers to personal questions or a read-back, and forgets what it
    kept of a request once the request is over. A reply in Welsh also says so (`language`), so
    the page marks it `lang="cy"` and screen readers pronounce it in Welsh."""

    _privacy: Optional[str] = None
    _language: Optional[str] = None

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self._privacy = redaction.privacy_of_reply(message.get("utter_action"))
        self._language = reply_language(message)
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._privacy = None
            self._language = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if isinstance(response, dict):
            if self._privacy:
                response = {**response, "privacy": self._privacy}
            if self._language:
                response = {**response, "language": self._language}
        await super()._send_message(socket_id, response)

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        payload = {key: value for key, value in json_message.items() if key != "room"}
        # `{"data": X}` keeps its stock meaning (the page receives X); any other payload is
        # sent as it is.
        if set(payload) == {"data"}:
            payload = payload["data"]
        if self._language and isinstance(payload, dict) and "language" not in payload:
            payload = {**payload, "language": self._language}
        await self.sio.emit(self.bot_message_evt, payload, room=recipient_id)


class PLRSocketIOInput(InputChannel):
    """Socket.io input channel for the web chat page."""

    @classmethod
    def name(cls) -> str:
        # Same name as Rasa's channel, so `channel: socketio` response variations still apply.
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        if credentials.get("session_persistence") is False:
            raise ValueError(
                "The web chat channel always keeps sessions across reloads; "
                "remove `session_persistence: false` from credentials.yml."
            )
        return cls(
            session_secret=credentials.get("session_secret"),
            allowed_origins=parse_origins(credentials.get("allowed_origins")),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
        )

    def __init__(
        self,
        session_secret: str | None,
        allowed_origins: Iterable[str],
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        socketio_path: str = "/socket.io",
        jwt_key: str | None = None,
        jwt_method: str = "HS256",
    ) -> None:
        self.session_secret = session_tokens.check_secret(session_secret)
        # Tokens expire with the conversations they name (stores/retention.py keeps 30 days).
        self.session_max_age = 86400 * float(os.environ.get("WEBCHAT_SESSION_MAX_DAYS") or 30)
        self.allowed_origins = list(allowed_origins)
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.namespace = namespace
        self.socketio_path = socketio_path
        self.jwt_key = jwt_key
        self.jwt_algorithm = jwt_method
        self.sio: AsyncServer | None = None
        if not self.allowed_origins:
            logger.warning("WEB_ALLOWED_ORIGINS is empty: no web page can use the chat.")

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return None
        return PLRSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=origin_checker(self.allowed_origins),
            cors_credentials=False,
            max_http_buffer_size=MAX_PACKET_BYTES,
        )
        self.sio = sio
        turn_guard = guard.default_guard()
        limits = abuse.default_limits()
        addresses = client_address.default()
        blueprint = PLRSocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        request_size.limit(blueprint)
        namespace = self.namespace

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Dict, auth: Dict | None = None) -> bool:
            # python-engineio's Sanic driver puts a fixed 127.0.0.1 in REMOTE_ADDR: the peer is
            # Sanic's request.ip.
            request = environ.get("sanic.request")
            forwarded = (client_address.forwarded_for(request.headers) if request is not None
                         else environ.get("HTTP_X_FORWARDED_FOR"))
            address = addresses.of(getattr(request, "ip", None), forwarded)
            await sio.save_session(sid, {"address": address}, namespace=namespace)
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        async def bound_sender(sid: str) -> str | None:
            session = await sio.get_session(sid, namespace=namespace)
            return session.get("sender_id")

        async def bind(sid: str, sender_id: str) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            previous = session.get("sender_id")
            if previous and previous != sender_id:
                await sio.leave_room(sid, previous, namespace=namespace)
            await sio.save_session(sid, {**session, "sender_id": sender_id}, namespace=namespace)
            await sio.enter_room(sid, sender_id, namespace=namespace)

        async def end_conversation(sender_id: str) -> None:
            # "Start again": reset the old conversation so its details do not linger in the
            # tracker; its replies go nowhere because the socket has left that room.
            try:
                await on_new_message(
                    UserMessage("/restart", CollectingOutputChannel(), sender_id,
                                input_channel=self.name())
                )
            except Exception:
                logger.exception("Could not reset a finished web chat conversation.")

        async def address_of(sid: str) -> str:
            session = await sio.get_session(sid, namespace=namespace)
            return session.get("address") or client_address.UNKNOWN

        async def new_session_refused(sid: str) -> int:
            """0 when this socket and its address may start a new conversation, else the seconds
            to wait. The socket's allowance is checked first, so a refused socket does not use
            up its neighbours' share of the address."""
            if not limits.sessions_per_socket.take(sid):
                wait = limits.sessions_per_socket.retry_after(sid)
            else:
                key = abuse.address_key(await address_of(sid))
                if limits.sessions_per_address.take(key):
                    return 0
                wait = limits.sessions_per_address.retry_after(key)
            abuse.log_refusal("new web chat conversations per socket or address")
            return int(wait + 0.999)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            previous = await bound_sender(sid)
            sender_id = session_tokens.verify(self.session_secret, data.get("session_id"), self.session_max_age)
            if sender_id:
                token = data["session_id"]
            else:
                refused = await new_session_refused(sid)
                if refused:
                    await sio.emit("chat_error", {"reason": "too_many_sessions", "retry_after": refused},
                                   room=sid, namespace=namespace)
                    return
                sender_id, token = session_tokens.issue(self.session_secret)
            await bind(sid, sender_id)
            if data.get("start_again") and previous and previous != sender_id:
                await end_conversation(previous)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)
            logger.debug("Web chat socket %s joined a %s conversation.", sid,
                         "resumed" if data.get("session_id") == token else "new")

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                # Not something the page sends; answered anyway, so no packet goes unanswered.
                await sio.emit("chat_error", {"reason": "invalid"}, room=sid, namespace=namespace)
                return
            text = data["message"]
            if len(text) > MAX_MESSAGE_CHARS:
                await sio.emit("chat_error", {"reason": "too_long", "max_chars": MAX_MESSAGE_CHARS},
                               room=sid, namespace=namespace)
                return
            sender_id = await bound_sender(sid)
            claimed = data.get("session_id")
            if claimed is not None:
                claimed_sender = session_tokens.verify(self.session_secret, claimed, self.session_max_age)
                if claimed_sender is None or (sender_id and claimed_sender != sender_id):
                    logger.warning("Web chat message with a session id this socket was not "
                                   "given; ignored.")
                    await sio.emit("chat_error", {"reason": "session"}, room=sid, namespace=namespace)
                    return
                if not sender_id:
                    # A client that sent before asking for its session (socket.io buffers
                    # messages while offline): join the room so the replies reach it.
                    await bind(sid, claimed_sender)
                    sender_id = claimed_sender
            if not sender_id:
                await sio.emit("chat_error", {"reason": "session"}, room=sid, namespace=namespace)
                return
            text = guard.clean_text(text)
            if not text:
                await sio.emit(self.bot_message_evt, {"text": guard.NO_WORDS_TEXT}, room=sid, namespace=namespace)
                return
            message = UserMessage(
                text,
                PLRSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=None,
            )
            outcome = await turn_guard.handle(on_new_message, message, address=await address_of(sid))
            if outcome.status == guard.RATE_LIMITED:
                await sio.emit(self.bot_message_evt, {"text": guard.SLOW_DOWN_TEXT}, room=sid, namespace=namespace)
            elif outcome.status == guard.BUSY:
                await sio.emit(self.bot_message_evt, {"text": guard.busy_text()}, room=sid, namespace=namespace)
            elif outcome.status == guard.FAILED:
                await sio.emit(self.bot_message_evt, {"text": guard.technical_problem_text()}, room=sid,
                               namespace=namespace)

        return blueprint

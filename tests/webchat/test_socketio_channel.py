"""The project's socket.io channel against a running Rasa server (credentials.yml as shipped):
replies arrive with session persistence on, sessions are server-issued and resumable, custom
JSON gets through, browser metadata is dropped, and a foreign origin cannot connect.

The client is python-socketio's AsyncClient on the long-polling transport: its websocket
transport needs aiohttp>=3.11, and Rasa 3.6 pins aiohttp below 3.10. Sessions and rooms do not
depend on the transport; the websocket handshake's origin check is tested with `websockets`
here, and the browser tests in webchat/tests/ use the websocket transport end to end."""
from __future__ import annotations

import asyncio
import http.client
import inspect
import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest
import socketio
import websockets
import yaml

from channels.socketio_channel import MAX_MESSAGE_CHARS, parse_origins

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
REPLY_TIMEOUT = 45.0


class SocketChat:
    """One browser-like socket.io client: collects every event the server sends it."""

    def __init__(self, url: str, origin: str | None) -> None:
        self.url = url
        self.origin = origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "chat_error"):
            self.client.on(name, self._collector(name))
        self.token: str | None = None

    def _collector(self, name: str):
        async def collect(data: Any = None) -> None:
            await self.events.put((name, data))

        return collect

    async def connect(self, transport: str = "polling") -> SocketChat:
        headers = {"Origin": self.origin} if self.origin else {}
        await self.client.connect(self.url, headers=headers, transports=[transport], wait_timeout=10)
        return self

    async def next_event(self, name: str, timeout: float = REPLY_TIMEOUT) -> Any:
        while True:
            event, data = await asyncio.wait_for(self.events.get(), timeout)
            if event == name:
                return data

    async def session(self, token: str | None = None, **extra: Any) -> str:
        await self.client.emit("session_request", {"session_id": token, **extra})
        self.token = await self.next_event("session_confirm", timeout=10)
        return self.token

    async def say(self, text: str, **extra: Any) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.token, **extra})

    async def replies(self, quiet: float = 1.5) -> List[Dict]:
        """Every bot message of one turn: the first within the timeout, the rest until quiet."""
        messages = [await self.next_event("bot_uttered")]
        while True:
            try:
                messages.append(await self.next_event("bot_uttered", timeout=quiet))
            except asyncio.TimeoutError:
                return messages

    async def close(self) -> None:
        # Engine.IO's close packet, without waiting for the server to end the pending long
        # poll (up to its 25 s ping interval); the server sees the transport close at once.
        if self.client.connected:
            await self.client.eio.disconnect(abort=True)


def rasa_api(stack, method: str, path: str, body: Any = None, **params: str) -> Any:
    query = urllib.parse.urlencode({"token": stack.env["RASA_API_TOKEN"], **params})
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{stack.config.rasa_url}{path}?{query}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def user_events(stack, sender_id: str) -> List[Dict]:
    tracker = rasa_api(stack, "GET", f"/conversations/{sender_id}/tracker", include_events="ALL")
    return [event for event in tracker["events"] if event["event"] == "user"]


@pytest.fixture(scope="module")
def origin(stack) -> str:
    origins = parse_origins(stack.env.get("WEB_ALLOWED_ORIGINS"))
    assert origins, "WEB_ALLOWED_ORIGINS is empty in .env"
    return origins[0]


def run(coro):
    return asyncio.run(coro)


def test_shipped_credentials_use_the_project_channel_with_persistence():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert "socketio" not in credentials, "Rasa's stock socket.io channel would lose replies"
    channel = credentials["channels.socketio_channel.PLRSocketIOInput"]
    assert channel["session_persistence"] is True
    # The root cause of RasaHQ/rasa#13027 is still there in the pinned python-socketio, so the
    # stock channel's un-awaited `sio.enter_room(...)` would still drop every reply.
    assert inspect.iscoroutinefunction(socketio.AsyncServer.enter_room)


def test_replies_arrive_with_session_persistence(stack, origin):
    async def scenario():
        chat = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            await chat.session()
            await chat.say("hello")
            replies = await chat.replies()
        finally:
            await chat.close()
        return replies

    replies = run(scenario())
    assert any("Learning Records Service assistant" in (r.get("text") or "") for r in replies), replies
    buttons = [button for r in replies for button in r.get("quick_replies", [])]
    assert {"title", "payload"} <= set(buttons[0]), "quick replies carry title and payload"


def test_a_returning_browser_resumes_its_conversation(stack, origin):
    async def scenario():
        first = await SocketChat(stack.config.rasa_url, origin).connect()
        token = await first.session()
        await first.say("hello")
        await first.replies()
        await first.close()

        second = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            resumed = await second.session(token)
            await second.say("what is a ULN?")
            replies = await second.replies()
        finally:
            await second.close()
        return token, resumed, replies

    token, resumed, replies = run(scenario())
    assert resumed == token
    assert replies and replies[0].get("text")
    sender_id = token.split(".")[0]
    assert [e["text"] for e in user_events(stack, sender_id)][-2:] == ["hello", "what is a ULN?"]


def test_a_made_up_session_id_is_replaced_by_a_server_issued_one(stack, origin):
    async def scenario():
        chat = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            chosen = await chat.session("jane-smith-2001")
            forged = await chat.session("0123456789abcdef0123456789abcdef.bm90LXNpZ25lZA")
        finally:
            await chat.close()
        return chosen, forged

    chosen, forged = run(scenario())
    for token in (chosen, forged):
        sender_id, issued, signature = token.split(".")
        assert len(sender_id) == 32 and issued and signature
    assert chosen != forged
    assert not forged.startswith("0123456789abcdef")


def test_a_socket_cannot_speak_in_a_conversation_it_was_not_given(stack, origin):
    async def scenario():
        chat = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            own = await chat.session()
            await chat.client.emit("user_uttered", {
                "message": "hello", "session_id": "0123456789abcdef0123456789abcdef.Zm9yZ2Vk"})
            error = await chat.next_event("chat_error", timeout=10)
        finally:
            await chat.close()
        return own, error

    own, error = run(scenario())
    assert error == {"reason": "session"}
    assert user_events(stack, own.split(".")[0]) == []


def test_browser_metadata_is_dropped(stack, origin):
    async def scenario():
        chat = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            token = await chat.session()
            await chat.say("hello", metadata={"email": "synthetic.person@example.com"},
                           customData={"name": "Synthetic Person"})
            await chat.replies()
        finally:
            await chat.close()
        return token

    token = run(scenario())
    (event,) = user_events(stack, token.split(".")[0])
    assert event["text"] == "hello"
    assert "synthetic" not in json.dumps(event).lower()


def test_a_too_long_message_gets_an_error_not_silence(stack, origin):
    async def scenario():
        chat = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            await chat.session()
            await chat.say("x" * (MAX_MESSAGE_CHARS + 1))
            return await chat.next_event("chat_error", timeout=10)
        finally:
            await chat.close()

    assert run(scenario()) == {"reason": "too_long", "max_chars": MAX_MESSAGE_CHARS}


def test_custom_json_of_any_shape_reaches_only_its_own_conversation(stack, origin):
    """A bot message with a custom payload, sent to the socket.io output channel by Rasa's own
    side-effect path (the same one actions' responses take)."""
    link = {"links": [{"title": "Privacy notice", "url": "https://www.gov.uk/government/publications/lrs-privacy-notices"}]}

    async def scenario():
        target = await SocketChat(stack.config.rasa_url, origin).connect()
        bystander = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            token = await target.session()
            other = await bystander.session()
            sender_id = token.split(".")[0]
            for custom in ({**link, "room": other.split(".")[0]}, {"data": {"kind": "wrapped"}}):
                await asyncio.to_thread(
                    rasa_api, stack, "POST", f"/conversations/{sender_id}/tracker/events",
                    [{"event": "bot", "text": None, "data": {"custom": custom}}],
                    output_channel="socketio", execute_side_effects="true")
            received = [await target.next_event("bot_uttered", timeout=10) for _ in range(2)]
            with pytest.raises(asyncio.TimeoutError):
                await bystander.next_event("bot_uttered", timeout=2)
        finally:
            await target.close()
            await bystander.close()
        return received

    received = run(scenario())
    assert received == [link, {"kind": "wrapped"}]


def test_start_again_gives_a_new_conversation_and_resets_the_old_one(stack, origin):
    async def scenario():
        chat = await SocketChat(stack.config.rasa_url, origin).connect()
        try:
            old = await chat.session()
            await chat.say("hello")
            await chat.replies()
            new = await chat.session(None, start_again=True)
            await chat.say("hello")
            replies = await chat.replies()
        finally:
            await chat.close()
        return old, new, replies

    old, new, replies = run(scenario())
    assert new != old and replies
    old_tracker = rasa_api(stack, "GET", f"/conversations/{old.split('.')[0]}/tracker", include_events="ALL")
    assert any(event["event"] == "restart" for event in old_tracker["events"])
    assert [e["text"] for e in user_events(stack, new.split(".")[0])] == ["hello"]


def polling_handshake(stack, origin: str):
    conn = http.client.HTTPConnection(stack.config.host, stack.config.rasa_port, timeout=10)
    conn.request("GET", "/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.headers.get_all("Access-Control-Allow-Origin") or [], body


def test_long_polling_from_the_page_gets_exactly_one_cors_header(stack, origin):
    # Rasa's own CORS extension (`rasa run --cors`) and python-engineio both answer CORS; two
    # Access-Control-Allow-Origin headers make browsers refuse every long-polling response.
    status, allow, body = polling_handshake(stack, origin)
    assert status == 200 and body.startswith(b"0{"), body[:80]
    assert allow == [origin]


FOREIGN_ORIGINS = ["http://evil.example", "http://localhost:1", "null"]


@pytest.mark.parametrize("foreign", FOREIGN_ORIGINS)
def test_a_foreign_origin_cannot_connect_by_long_polling(stack, foreign):
    async def scenario():
        chat = SocketChat(stack.config.rasa_url, foreign)
        try:
            await chat.connect()
        finally:
            await chat.close()

    with pytest.raises(socketio.exceptions.ConnectionError):
        run(scenario())


async def websocket_handshake(stack, origin: str) -> str:
    """Open Engine.IO's websocket transport directly and return its first frame."""
    url = stack.config.rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(url, origin=origin, open_timeout=10) as ws:
        return await asyncio.wait_for(ws.recv(), 10)


@pytest.mark.parametrize("foreign", FOREIGN_ORIGINS)
def test_a_foreign_origin_cannot_open_a_websocket(stack, origin, foreign):
    # The same handshake from an allowed origin opens, so the refusal below is the origin's.
    assert run(websocket_handshake(stack, origin)).startswith("0{")
    with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:
        run(websocket_handshake(stack, foreign))
    assert refused.value.status_code == 400

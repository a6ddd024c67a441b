"""A learner's web chat through nginx: python-socketio's AsyncClient, as the page speaks.

Long-polling transport (Rasa 3.6 pins an aiohttp too old for the client's websocket transport),
which is also the transport that needs nginx's sticky routing: every request of one socket must
reach the Rasa server that opened it. A cookie jar per learner keeps nginx's `plr_node` cookie,
like a browser; `source` picks the learner's loopback address (127.0.0.x), so per-address
limits can be exercised without touching other tests.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
import socketio
from engineio import payload as engineio_payload

REPLY_TIMEOUT = 60.0
# A browser's engine.io client reads any number of packets from one long-poll answer. The Python
# client applies python-engineio's 16-packet guard (meant for servers) to the answers it receives
# and silently drops an answer carrying more, e.g. a burst of "please wait" replies sent together.
engineio_payload.Payload.max_decode_packets = max(engineio_payload.Payload.max_decode_packets, 4096)


class WebLearner:
    def __init__(self, url: str, source: Optional[str] = None, origin: Optional[str] = None) -> None:
        self.url = url
        self.source = source
        # The page's origin: nginx's public address (only allowed origins may connect).
        self.origin = origin or url
        self.events: asyncio.Queue = asyncio.Queue()
        self.token: Optional[str] = None
        self.http: Optional[aiohttp.ClientSession] = None
        self.client: Optional[socketio.AsyncClient] = None

    def _new_client(self) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False, http_session=self.http, request_timeout=30)
        for name in ("session_confirm", "bot_uttered", "chat_error"):
            client.on(name, self._collector(name))
        return client

    def _collector(self, name: str):
        async def collect(data: Any = None) -> None:
            await self.events.put((name, data))

        return collect

    async def connect(self) -> WebLearner:
        if self.http is None:
            connector = aiohttp.TCPConnector(local_addr=(self.source, 0) if self.source else None)
            # unsafe=True keeps cookies for any host, as a browser does for localhost.
            self.http = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.client = self._new_client()
        await self.client.connect(self.url, headers={"Origin": self.origin}, transports=["polling"], wait_timeout=20)
        await self.client.emit("session_request", {"session_id": self.token})
        self.token = await self.next_event("session_confirm", timeout=20)
        return self

    async def reconnect(self) -> WebLearner:
        """What the page does after a dropped connection: a new socket, the same session."""
        if self.client is not None:
            try:
                await asyncio.wait_for(self.client.disconnect(), 5)
            except Exception:  # the old socket's server may be gone
                pass
        return await self.connect()

    @property
    def sender_id(self) -> str:
        assert self.token
        return self.token.split(".")[0]

    @property
    def node(self) -> Optional[str]:
        for cookie in self.http.cookie_jar:
            if cookie.key == "plr_node":
                return cookie.value
        return None

    async def next_event(self, name: Optional[str] = None, timeout: float = REPLY_TIMEOUT) -> Any:
        while True:
            event, data = await asyncio.wait_for(self.events.get(), timeout)
            if name is None or event == name:
                return data if name else (event, data)

    async def say(self, text: Any, quiet: float = 1.5) -> List[Tuple[str, Any]]:
        """Send one message; every event of its answer (the first within the timeout, the rest
        until `quiet` seconds pass without another)."""
        await self.client.emit("user_uttered", {"message": text, "session_id": self.token})
        answer = [await self.next_event()]
        while True:
            try:
                answer.append(await self.next_event(timeout=quiet))
            except asyncio.TimeoutError:
                return answer

    async def close(self) -> None:
        if self.client is not None:
            try:
                await asyncio.wait_for(self.client.disconnect(), 5)
            except Exception:
                pass
        if self.http is not None:
            await self.http.close()


def texts(answer: List[Tuple[str, Any]]) -> str:
    return "\n".join(data.get("text", "") for event, data in answer
                     if event == "bot_uttered" and isinstance(data, dict) and data.get("text"))


_loop: Optional[asyncio.AbstractEventLoop] = None


def run(coro, timeout: float = 300.0):
    """Run a coroutine on one event loop that keeps running in a background thread, so a
    learner's socket keeps polling (and stays connected) while a test does other things."""
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
        threading.Thread(target=_loop.run_forever, name="web-learners", daemon=True).start()
    return asyncio.run_coroutine_threadsafe(coro, _loop).result(timeout)


def bot_texts(events: List[Tuple[str, Dict]]) -> List[str]:
    return [data.get("text", "") for event, data in events if event == "bot_uttered" and isinstance(data, dict)]

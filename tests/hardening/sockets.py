"""A web chat socket that says which client address it speaks for (X-Forwarded-For, believed
because the limited stack trusts the test runner as a proxy), with python-socketio's client
as in testkit/web_learner.py."""
from __future__ import annotations

import asyncio
from typing import Any, List, Optional, Tuple

import aiohttp
import socketio

from testkit.web_learner import run  # noqa: F401  (one background loop for every socket)


class Socket:
    def __init__(self, stack, address: str) -> None:
        self.url = stack.config.rasa_url
        self.origin = f"http://localhost:{stack.config.web_port}"
        self.address = address
        self.events: asyncio.Queue = asyncio.Queue()
        self.http: Optional[aiohttp.ClientSession] = None
        self.client: Optional[socketio.AsyncClient] = None

    async def connect(self) -> Socket:
        self.http = aiohttp.ClientSession()
        self.client = socketio.AsyncClient(reconnection=False, http_session=self.http, request_timeout=30)
        for name in ("session_confirm", "bot_uttered", "chat_error"):
            self.client.on(name, self._collector(name))
        await self.client.connect(self.url, headers={"Origin": self.origin, "X-Forwarded-For": self.address},
                                  transports=["polling"], wait_timeout=20)
        return self

    def _collector(self, name: str):
        async def collect(data: Any = None) -> None:
            await self.events.put((name, data))
        return collect

    async def next_event(self, timeout: float = 30.0) -> Tuple[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def session(self, token: Optional[str] = None, start_again: bool = False) -> Tuple[str, Any]:
        """Ask for a session: ("session_confirm", token) or ("chat_error", {...})."""
        await self.client.emit("session_request", {"session_id": token, "start_again": start_again})
        while True:
            event, data = await self.next_event()
            if event in ("session_confirm", "chat_error"):
                return event, data

    async def say(self, token: str, text: str, quiet: float = 1.0) -> List[Tuple[str, Any]]:
        await self.client.emit("user_uttered", {"message": text, "session_id": token})
        answer = [await self.next_event(60)]
        while True:
            try:
                answer.append(await self.next_event(quiet))
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

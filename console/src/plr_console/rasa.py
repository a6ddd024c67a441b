"""Rasa's REST channel and HTTP API, server-side with RASA_API_TOKEN (in the query string, which
is how Rasa 3.6 takes it; the console never logs Rasa URLs)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class RasaError(RuntimeError):
    pass


class Rasa:
    def __init__(self, url: str, token: str, timeout: float = 45.0, transport: httpx.AsyncBaseTransport | None = None):
        self._client = httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport)
        self._token = token

    async def close(self) -> None:
        await self._client.aclose()

    async def _json(self, method: str, path: str, **kwargs) -> Any:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaError(f"the assistant did not answer ({type(exc).__name__})") from None
        if response.status_code >= 400 and response.status_code != 429:
            raise RasaError(f"the assistant answered {response.status_code}")
        return response.json()

    async def send(self, sender: str, text: str) -> list[dict]:
        return await self._json("POST", "/webhooks/rest/webhook", json={"sender": sender, "message": text}) or []

    async def tracker(self, sender: str) -> dict:
        return await self._json("GET", f"/conversations/{quote(sender, safe='')}/tracker",
                                params={"token": self._token})

    async def recent(self, limit: int = 50) -> list[dict]:
        """The most recently active conversations, newest first (channels/conversations.py):
        `{"id", "latest_event_time", "events", "turns"}` each; ids and counts, no contents."""
        found = await self._json("GET", "/webhooks/conversations/recent",
                                 params={"limit": str(limit), "token": self._token})
        if not isinstance(found, list):
            raise RasaError("the assistant's list of conversations was not understood")
        return [item for item in found if isinstance(item, dict) and isinstance(item.get("id"), str)]

"""The backend's staff API, called server-side with STAFF_API_KEY; the signed-in user travels in
X-Staff-User for the backend's own audit trail. The key never reaches a browser."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class BackendError(RuntimeError):
    def __init__(self, status: int | None, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class Backend:
    def __init__(self, url: str, key: str, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None):
        self._client = httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport,
                                         headers={"Authorization": f"Bearer {key}"})

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, user: str, **kwargs) -> Any:
        try:
            response = await self._client.request(method, path, headers={"X-Staff-User": user}, **kwargs)
        except httpx.HTTPError as exc:
            raise BackendError(None, f"the backend did not answer ({type(exc).__name__})") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            if not isinstance(detail, str):
                detail = f"the backend answered {response.status_code}"
            raise BackendError(response.status_code, detail)
        return response.json()

    async def page(self, user: str, status: str | None = None, type_: str | None = None,
                   limit: int = 50, cursor: str | None = None, language: str | None = None) -> dict:
        params = {"limit": limit}
        params.update({k: v for k, v in (("status", status), ("type", type_), ("language", language),
                                         ("cursor", cursor)) if v})
        return await self._call("GET", "/v1/requests", user, params=params)

    async def every(self, user: str, status: str | None = None, type_: str | None = None,
                    most: int = 10_000, language: str | None = None) -> list[dict]:
        items, cursor = [], None
        while len(items) < most:
            page = await self.page(user, status, type_, limit=200, cursor=cursor, language=language)
            items += page.get("items", [])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return items

    async def get(self, user: str, reference: str) -> dict:
        return await self._call("GET", f"/v1/requests/{quote(reference, safe='')}", user)

    async def change_status(self, user: str, reference: str, status: str, note: str | None) -> dict:
        return await self._call("POST", f"/v1/requests/{quote(reference, safe='')}/status", user,
                                json={"status": status, "note": note or None})

    async def dead_letters(self, user: str) -> list[dict] | None:
        """The outbox's refused requests, on whichever route this backend has (None: it has none)."""
        for path in ("/v1/dead-letters", "/v1/undeliverable"):
            try:
                page = await self._call("GET", path, user, params={"limit": 200})
            except BackendError as exc:
                if exc.status in (404, 405):
                    continue
                raise
            return page.get("items", []) if isinstance(page, dict) else page
        return None

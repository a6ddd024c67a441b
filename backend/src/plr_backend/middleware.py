"""Pure ASGI middleware: access log, never-a-500, body size limit, and API-key authentication.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: they run before FastAPI parses anything,
so an unauthenticated or oversized request is refused before its body is read or validated,
and an unexpected exception is turned into a JSON answer instead of reaching uvicorn's 500.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import cast

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .crypto import UnreadableRecord
from .references import normalise_reference

Scope = MutableMapping[str, object]
Message = MutableMapping[str, object]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 16 * 1024
ROLE_KEY = "plr.role"
log = logging.getLogger("plr_backend.http")


async def send_json(send: Send, status: int, body: dict, headers: list | None = None) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> bytes | None:
    # The ASGI spec: an iterable of [name, value] byte-string pairs.
    for key, value in cast("Iterable[tuple[bytes, bytes]]", scope.get("headers", [])):
        if key == name:
            return value
    return None


class AccessLog:
    """One line per request: method, route template, status, duration. Never the raw path or query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {"code": 0}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]  # type: ignore[assignment]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            params = scope.get("path_params") or {}
            extra = {
                "event": "http",
                "method": scope.get("method"),
                "route": route,
                "status": status["code"],
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
            reference = normalise_reference(params.get("reference", "")) if isinstance(params, dict) else None
            if reference:
                extra["reference"] = reference
            log.info("http request", extra=extra)


class CatchAll:
    """No input ever gets a 500: database trouble is a 503, anything unforeseen a logged 503 too.

    A 503 is honest for the caller: nothing it sent was wrong, and retrying with the same
    Idempotency-Key can never store a request twice.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = {"value": False}

        async def tracking(message: Message) -> None:
            if message["type"] == "http.response.start":
                started["value"] = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:  # noqa: BLE001 - this is the last line of defence by design
            database = isinstance(exc, (DBAPIError, PoolTimeout))
            log.error(
                "request failed",
                extra={
                    "event": "unhandled_error",
                    "error": type(exc).__name__,
                    "outcome": "database" if database else "bug",
                },
            )
            if started["value"]:
                return
            if database:
                detail = "the database is unavailable; retry later with the same Idempotency-Key"
            elif isinstance(exc, UnreadableRecord):
                detail = "stored data cannot be read with the configured encryption key"
            else:
                detail = "the service could not complete this request; retry later with the same Idempotency-Key"
            await send_json(send, 503, {"detail": detail}, [(b"retry-after", b"5")])


class BodyLimit:
    """413 for bodies over 16 KB, whether announced by Content-Length or streamed in chunks."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = {"detail": f"request body is larger than {self.limit // 1024} KB"}
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await send_json(send, 413, too_large)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"") or b""
            size += len(chunk)  # type: ignore[arg-type]
            if size > self.limit:
                return await send_json(send, 413, too_large)
            chunks.append(chunk)  # type: ignore[arg-type]
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        replayed = {"done": False}

        async def replay() -> Message:
            if not replayed["done"]:
                replayed["done"] = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class Authenticate:
    """Every /v1 route needs `Authorization: Bearer <key>`; the key decides the role.

    The role is put in the scope; routes then allow or refuse it (403). Comparisons are
    constant-time so a key cannot be guessed character by character.
    """

    def __init__(self, app: ASGIApp, actions_key: str, staff_key: str) -> None:
        self.app = app
        self.keys = {"actions": actions_key.encode(), "staff": staff_key.encode()}

    def role_for(self, header: bytes | None) -> str | None:
        if not header:
            return None
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return None
        token = token.strip()
        role = None
        for name, key in self.keys.items():
            if hmac.compare_digest(token, key):
                role = name
        return role

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/v1" or str(path).startswith("/v1/")):
            return await self.app(scope, receive, send)
        role = self.role_for(_header(scope, b"authorization"))
        if role is None:
            return await send_json(
                send,
                401,
                {"detail": "a valid API key is required: Authorization: Bearer <key>"},
                [(b"www-authenticate", b"Bearer")],
            )
        scope[ROLE_KEY] = role
        await self.app(scope, receive, send)

"""Sanic's limit on a request body, lowered from its default 100 MB to what the channels accept.

Sanic reads a whole body into memory before any route sees it, so the channels' own 64 KB
checks came too late: a few parallel 100 MB POSTs could exhaust the server's memory. Rasa 3.6
creates the Sanic app itself (rasa/server.py) and offers no setting for this; every channel of
this project registers `limit()` on its blueprint, whose `before_server_start` listener sets
`REQUEST_MAX_SIZE` before the first connection (Sanic reads it per connection). A larger body
gets Sanic's 413 before it is read.

`RASA_REQUEST_MAX_BYTES` (default 64 KB, nginx's `client_max_body_size` in front) applies to
Rasa's HTTP API too, whose routes the project uses only with small bodies; raise it to use
`POST /model/train` with inline training data.
"""
from __future__ import annotations

import asyncio
import logging
import os

from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 65_536


def max_bytes() -> int:
    raw = (os.environ.get("RASA_REQUEST_MAX_BYTES") or "").strip()
    try:
        value = int(raw) if raw else DEFAULT_MAX_BYTES
    except ValueError as exc:
        raise ValueError(f"RASA_REQUEST_MAX_BYTES must be a number of bytes, got {raw!r}") from exc
    if value < 1024:
        raise ValueError("RASA_REQUEST_MAX_BYTES must be at least 1024")
    return value


def apply(app: Sanic) -> None:
    limit_bytes = max_bytes()
    if app.config.REQUEST_MAX_SIZE != limit_bytes:
        app.config.REQUEST_MAX_SIZE = limit_bytes
        # The channels' own answer ({"error": ...}) rather than Sanic's bare description.
        message = f"the request body is larger than {limit_bytes // 1024} KB"

        def too_large(request: Request, exception: Exception) -> HTTPResponse:
            return response.json({"error": message}, status=413)

        app.error_handler.add(PayloadTooLarge, too_large)
        logger.info("Request bodies are limited to %d bytes.", limit_bytes)


def limit(blueprint: Blueprint) -> None:
    """Register the limit on a channel's blueprint (any number of channels may; it is set once)."""

    async def set_limit(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        apply(app)

    blueprint.listener("before_server_start")(set_limit)

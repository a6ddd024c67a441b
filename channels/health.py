"""`GET /webhooks/health/` on every Rasa server: are its tracker store, lock store and action
server working? 200 `{"status": "ok", ...}` when all are, else 503 `{"status": "failing", ...}`
naming the failing parts, with failure counts since start. For load balancers and Kubernetes
probes, and for staff: Rasa itself would silently carry on without its database.

A Rasa "input channel" only because that is how Rasa 3.6 lets a project add a route; it takes
no messages. Wired in credentials.yml as `channels.health.HealthInput`. It says nothing about
any conversation, so it needs no token; nginx does not expose it.
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from stores import health

CHECK_TIMEOUT = 3.0


def action_server_health_url(webhook_url: str) -> str:
    parts = urlsplit(webhook_url)
    return urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))


async def check_action_server(webhook_url: str) -> Dict[str, Any]:
    try:
        timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(action_server_health_url(webhook_url)) as answer:
                status = "ok" if answer.status == 200 else f"failing (HTTP {answer.status})"
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
        status = f"failing ({type(exc).__name__})"
    return {"status": status}


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("plr_health", __name__)

        @blueprint.route("/", methods=["GET"])
        async def report(request: Request) -> HTTPResponse:
            components = await health.report(CHECK_TIMEOUT)
            agent = getattr(request.app.ctx, "agent", None)
            endpoint = getattr(agent, "action_endpoint", None)
            if endpoint is not None and endpoint.url:
                components["action_server"] = await check_action_server(endpoint.url)
            healthy = all(part["status"] == "ok" for part in components.values())
            if agent is None or not agent.is_ready():
                components["model"] = {"status": "failing (not loaded)"}
                healthy = False
            return response.json({"status": "ok" if healthy else "failing", "components": components},
                                 status=200 if healthy else 503)

        return blueprint

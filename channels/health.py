"""`GET /webhooks/health/` on every Rasa server: are its tracker store, lock store and action
server working? 200 `{"status": "ok", ...}` when all are, else 503 `{"status": "failing", ...}`
naming the failing parts, with failure counts since start. For load balancers and Kubernetes
probes, and for staff: Rasa itself would silently carry on without its database.

It also catches Rasa's silent fallback at start-up: when the configured tracker store class
cannot be loaded or created (an ImportError or AttributeError, e.g. a missing database driver or
a wrong setting), Rasa 3.6 logs a warning and runs with its plain in-memory store, so every
conversation is lost on restart and none is shared between servers. This project never
configures that plain store (both endpoints files name a `stores.tracker_store` class), so
finding it means the fallback happened: an ALERT at start-up and a failing `tracker_store`.

A Rasa "input channel" only because that is how Rasa 3.6 lets a project add a route; it takes
no messages. Wired in credentials.yml as `channels.health.HealthInput`. It says nothing about
any conversation, so it needs no token; nginx does not expose it, and callers outside loopback
and STAFF_NETWORKS get 403 (channels/internal_routes.py).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import speedups
from channels import internal_routes, request_size
from stores import health

# Every Rasa server of this project loads this channel (credentials.yml) before it loads the
# model and before any message; scripts that import other channel modules do not pay for it.
speedups.install()

CHECK_TIMEOUT = 3.0
logger = logging.getLogger("plr.health")
FALLBACK = ("failing (Rasa fell back to its in-memory tracker store: the configured one could "
            "not be loaded; conversations are neither kept nor shared)")


def running_tracker_store(store: Optional[TrackerStore]) -> Optional[TrackerStore]:
    """The store that really holds conversations, inside Rasa's wrappers (FailSafeTrackerStore,
    AwaitableTrackerStore)."""
    seen = 0
    while store is not None and hasattr(store, "_tracker_store") and seen < 5:
        store, seen = store._tracker_store, seen + 1
    return store


def tracker_store_fell_back(agent: Any) -> bool:
    store = running_tracker_store(getattr(agent, "tracker_store", None))
    return type(store) is InMemoryTrackerStore


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


async def health_report(agent: Any) -> Tuple[int, Dict[str, Any]]:
    """The route's answer for this server's agent: (HTTP status, body)."""
    components = await health.report(CHECK_TIMEOUT)
    if tracker_store_fell_back(agent):
        components["tracker_store"] = {"status": FALLBACK, "backend": "in-memory (fallback)"}
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is not None and endpoint.url:
        components["action_server"] = await check_action_server(endpoint.url)
    healthy = all(part["status"] == "ok" for part in components.values())
    if agent is None or not agent.is_ready():
        components["model"] = {"status": "failing (not loaded)"}
        healthy = False
    return (200 if healthy else 503), {"status": "ok" if healthy else "failing", "components": components}


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("plr_health", __name__)
        request_size.limit(blueprint)
        # It names internal hosts and sets off checks of every store on each call.
        internal_routes.guard(blueprint)

        @blueprint.listener("after_server_start")
        async def alert_on_fallback(app: Any, _: Any) -> None:
            # The agent is loaded before the server starts (rasa.core.run.load_agent_on_start).
            agent = getattr(app.ctx, "agent", None)
            if tracker_store_fell_back(agent):
                logger.error("ALERT tracker_store unavailable: %s", FALLBACK[len("failing ("):-1])
            # Idle conversations are deleted from the start, not only once a message arrives.
            sweeper = getattr(running_tracker_store(getattr(agent, "tracker_store", None)), "retention", None)
            if sweeper is not None:
                sweeper.ensure_running()

        @blueprint.route("/", methods=["GET"])
        async def report(request: Request) -> HTTPResponse:
            status, body = await health_report(getattr(request.app.ctx, "agent", None))
            return response.json(body, status=status)

        return blueprint

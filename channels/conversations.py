"""`GET /webhooks/conversations/recent?limit=N&token=...`: the most recently active conversations
of this Rasa server's tracker store, newest first, for the staff console's conversation review
(console/, docs/console.md). Rasa 3.6's HTTP API reads one conversation by its id but cannot
list them.

Each item is `{"id", "latest_event_time", "events", "turns"}`: the conversation id, the Unix
time of its latest stored event, how many events and how many learner messages are stored. The
route says nothing else about a conversation; its contents are read through Rasa's own API
(`GET /conversations/<id>/tracker`), and what the store holds is already redacted
(stores/redaction.py). `limit` is 1 to 50 (default 20).

Bounded whatever the store holds:
- the project's in-memory store knows when each conversation was last active
  (stores/tracker_store.py), so only the `limit` newest are read;
- the SQL store (PostgreSQL, several servers) is asked once for the conversations among its
  newest `SQL_WINDOW` event rows, then for the counts of those few;
- any other store (Rasa's plain in-memory store after a fallback): at most `MAX_READ`
  conversations are read, the most recently created first, and sorted by their latest event.

The same token as Rasa's HTTP API, `RASA_API_TOKEN`, in `?token=` as Rasa takes it, compared
in constant time: 401 without one, 403 with a wrong one, and 403 for every request when the
server has no token (an API without a token would be open). nginx does not expose /webhooks/
(deploy/nginx.conf.template). Wired in credentials.yml as `channels.conversations.RecentConversationsInput`;
it takes no messages.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import internal_routes, request_size
from channels.health import running_tracker_store

logger = logging.getLogger("plr.conversations")

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_READ = 200
SQL_WINDOW = 20_000


def api_token() -> str:
    """The server's API token, or "" when it has none (unset or setup's placeholder)."""
    token = (os.environ.get("RASA_API_TOKEN") or "").strip()
    return "" if not token or token.startswith("__") or token.startswith("${") else token


def refusal(provided: Optional[str], token: str) -> Optional[HTTPResponse]:
    """None when `provided` is the token; else the answer to give."""
    if not provided:
        return response.json({"error": "a token is required (?token=RASA_API_TOKEN)"}, status=401)
    if not token or not hmac.compare_digest(provided.encode(), token.encode()):
        return response.json({"error": "wrong token"}, status=403)
    return None


def parse_limit(raw: Optional[str]) -> Optional[int]:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 1 <= value <= MAX_LIMIT else None


def summary(sender_id: str, events: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not events:
        return None
    times = [t for t in (e.get("timestamp") for e in events) if isinstance(t, (int, float))]
    return {
        "id": sender_id,
        "latest_event_time": max(times) if times else None,
        "events": len(events),
        "turns": sum(1 for e in events if e.get("event") == "user"),
    }


def _newest_first(items: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return sorted(items, key=lambda item: item["latest_event_time"] or 0.0, reverse=True)


async def _read(store: TrackerStore, sender_id: str) -> Optional[Dict[str, Any]]:
    tracker = await store.retrieve_full_tracker(sender_id)
    if tracker is None:
        return None
    return summary(sender_id, [event.as_dict() for event in tracker.events])


async def _recent_by_reading(store: TrackerStore, limit: int) -> List[Dict[str, Any]]:
    keys = list(await store.keys())
    last_active: Optional[Dict[str, float]] = getattr(store, "last_active", None)
    found: List[Dict[str, Any]] = []
    if isinstance(last_active, dict):
        # Known activity times: read only the newest few (a conversation may have gone meanwhile).
        ordered = sorted(keys, key=lambda key: last_active.get(key, 0.0), reverse=True)
        for sender_id in ordered[:MAX_READ]:
            item = await _read(store, sender_id)
            if item is not None:
                found.append(item)
                if len(found) >= limit:
                    break
            await asyncio.sleep(0)  # learners' messages go on between reads
        return _newest_first(found)[:limit]
    # Rasa's own stores keep their keys in creation order: the last created are read first.
    for sender_id in list(reversed(keys))[:MAX_READ]:
        item = await _read(store, sender_id)
        if item is not None:
            found.append(item)
        await asyncio.sleep(0)
    return _newest_first(found)[:limit]


def _recent_sql(store: SQLTrackerStore, limit: int) -> List[Dict[str, Any]]:
    import sqlalchemy as sa

    event = store.SQLEvent
    with store.session_scope() as session:
        window = (session.query(event.sender_id.label("sender_id"), event.timestamp.label("timestamp"))
                  .order_by(event.id.desc()).limit(SQL_WINDOW).subquery())
        newest = (session.query(window.c.sender_id, sa.func.max(window.c.timestamp).label("latest"))
                  .group_by(window.c.sender_id).order_by(sa.desc("latest")).limit(limit).all())
        order = [sender_id for sender_id, _ in newest]
        if not order:
            return []
        counts = (session.query(event.sender_id, sa.func.max(event.timestamp), sa.func.count(event.id),
                                sa.func.sum(sa.case((event.type_name == "user", 1), else_=0)))
                  .filter(event.sender_id.in_(order)).group_by(event.sender_id).all())
    return _newest_first({"id": sender_id, "latest_event_time": latest, "events": int(events or 0),
                          "turns": int(turns or 0)} for sender_id, latest, events, turns in counts)


async def recent_conversations(store: Optional[TrackerStore], limit: int) -> List[Dict[str, Any]]:
    """The `limit` most recently active conversations of the store that Rasa's wrappers hold."""
    store = running_tracker_store(store)
    if store is None:
        return []
    if isinstance(store, SQLTrackerStore):
        return await asyncio.to_thread(_recent_sql, store, limit)
    return await _recent_by_reading(store, limit)


class RecentConversationsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "conversations"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("plr_conversations", __name__)
        request_size.limit(blueprint)
        # Staff networks only, whichever other channels are configured.
        internal_routes.guard(blueprint)

        @blueprint.route("/recent", methods=["GET"])
        async def recent(request: Request) -> HTTPResponse:
            refused = refusal(request.args.get("token"), api_token())
            if refused is not None:
                return refused
            limit = parse_limit(request.args.get("limit"))
            if limit is None:
                return response.json({"error": f"limit must be a whole number from 1 to {MAX_LIMIT}"},
                                     status=400)
            agent = getattr(request.app.ctx, "agent", None)
            try:
                items = await recent_conversations(getattr(agent, "tracker_store", None), limit)
            except Exception as exc:  # noqa: BLE001 - the type only: a store error can hold event data
                logger.warning("Listing recent conversations failed (%s)", type(exc).__name__)
                return response.json({"error": "the tracker store did not answer"}, status=503)
            return response.json(items, headers={"Cache-Control": "no-store"})

        return blueprint

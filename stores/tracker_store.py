"""Tracker stores that retry briefly, report failures, and never save a turn that went wrong.

endpoints.yml picks one through stores/configured.py: `GuardedInMemoryTrackerStore` on one
machine (TRACKER_STORE=memory), `GuardedSQLTrackerStore` on PostgreSQL for several servers.
Rasa wraps any store in `FailSafeTrackerStore`, which
answers a failed read with "no such conversation" (so the learner silently starts again) and
keeps a failed write in memory. Here a read or write that still fails after `RETRY_DELAYS`:
- logs an ALERT and counts the failure (stores/health.py; the health route shows it);
- marks the current turn as failed (stores/turn.py), so the channel answers with a clear
  "technical problem, please try again / call the helpdesk" message instead of a fresh
  conversation;
- within a failed turn nothing is saved: the stored conversation stays exactly as it was before
  the message (a fresh tracker built after a failed read must never be appended to the real
  one, and a half-handled message must not be kept).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Iterable, Optional, TypeVar

import ujson
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from speedups import turn_order
from stores import health, history, redaction, retention, turn

if TYPE_CHECKING:
    from rasa.core.brokers.broker import EventBroker
    from rasa.shared.core.domain import Domain

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Two quick retries ride out a dropped pooled connection (e.g. after a database restart) without
# holding a learner for long.
RETRY_DELAYS = (0.1, 0.5)


class TrackerStoreUnavailable(RasaException):
    """The tracker store still failed after retrying. The text names no conversation or data."""


class _Guarded:
    component = turn.TRACKER_STORE

    async def _retrying(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        last: Optional[BaseException] = None
        for delay in (0.0, *RETRY_DELAYS):
            if delay:
                async with turn_order.outside():  # other learners' messages go on meanwhile
                    await asyncio.sleep(delay)
            try:
                result = await call()
            except Exception as exc:  # every store error is retried, then reported
                last = exc
                continue
            health.ok(self.component)
            return result
        assert last is not None
        health.failed(self.component, last, operation)
        turn.record(self.component)
        # `from None`: a database error's text and traceback can hold the event data.
        raise TrackerStoreUnavailable(f"tracker store {operation} failed ({health.error_name(last)})") from None

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        parent = super().retrieve  # type: ignore[misc]
        return await self._retrying("read", lambda: parent(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        parent = super().retrieve_full_tracker  # type: ignore[misc]
        return await self._retrying("read", lambda: parent(conversation_id))

    async def keys(self) -> Iterable[str]:
        parent = super().keys  # type: ignore[misc]
        return await self._retrying("list", parent)

    async def save(self, tracker: DialogueStateTracker) -> None:
        current = turn.current()
        if current is not None and current.failed:
            logger.warning("Turn failed (%s): the conversation is kept as it was before the message.",
                           ", ".join(current.failures))
            return
        parent = super().save  # type: ignore[misc]
        try:
            await self._retrying("write", lambda: parent(tracker))
        except TrackerStoreUnavailable:
            if current is None:
                raise  # outside a message (HTTP API): let Rasa's wrapper deal with it
            # Within a message the channel tells the learner; nothing half-written is kept.


class UjsonInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory store, writing and reading its JSON with ujson instead of the json module.

    What it writes is redacted first (stores/redaction.py): no learner detail outlives the step
    that needs it.

    Every message reads the conversation back and writes it again: with the json module that is
    a visible share of the Rasa server's CPU under `make bench` load (py-spy). ujson (a Rasa
    dependency) gives the same JSON value several times faster to write and read; what is stored and
    streamed to the event broker is otherwise Rasa's.
    """

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        dialogue = tracker.as_dialogue().as_dict()
        dialogue["events"], _ = redaction.redact(dialogue["events"])
        self.store[tracker.sender_id] = ujson.dumps(dialogue)

    def deserialise_tracker(self, sender_id: str, serialised_tracker: Any) -> Optional[DialogueStateTracker]:
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(Dialogue.from_parameters(ujson.loads(serialised_tracker)))
        return tracker


class GuardedInMemoryTrackerStore(_Guarded, UjsonInMemoryTrackerStore):
    """One machine: conversations in this process's memory (lost on restart, by design).

    A conversation longer than `max_events` events is compacted to its last `keep_turns` user
    turns and the state before them (stores/history.py), so long conversations do not slow down.
    A conversation idle for longer than the retention period is deleted (stores/retention.py),
    by the sweep and at once when it is asked for.
    """

    def __init__(self, domain: Optional[Domain] = None, event_broker: Optional[EventBroker] = None,
                 max_events: Any = history.MAX_EVENTS,
                 keep_turns: Any = history.KEEP_TURNS,
                 retention_settings: Optional[retention.RetentionSettings] = None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.max_events = int(max_events)
        self.keep_turns = int(keep_turns)
        self.last_active: Dict[str, float] = {}
        self.retention = retention.RetentionSweeper(self.delete_idle,
                                                    retention_settings or retention.RetentionSettings.from_env())

        async def check() -> None:
            return None

        health.register(self.component, "in-memory", check)

    def _expired(self, sender_id: str) -> bool:
        last = self.last_active.get(sender_id)
        return last is not None and last < time.time() - self.retention.settings.seconds

    async def delete_idle(self, cutoff: float) -> int:
        idle = [sender for sender, last in list(self.last_active.items()) if last < cutoff]
        for sender in idle:
            self.store.pop(sender, None)
            self.last_active.pop(sender, None)
        return len(idle)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self.retention.ensure_running()
        await super().save(tracker)
        self.last_active[tracker.sender_id] = time.time()

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        if self._expired(sender_id):
            await self.delete_idle(time.time() - self.retention.settings.seconds)
        tracker = await super().retrieve(sender_id)
        return history.bounded(tracker, self.domain.slots, self.max_events, self.keep_turns)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        if self._expired(conversation_id):
            await self.delete_idle(time.time() - self.retention.settings.seconds)
        return await super().retrieve_full_tracker(conversation_id)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL store, writing each event as stores/redaction.py allows: new events redacted,
    and rows already written updated when a detail in them may no longer be kept (after a
    correction, a submission, a cancel or "Start again")."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        events, changed = redaction.redact([event.as_dict() for event in tracker.events])
        with self.session_scope() as session:
            # Rasa's own save counts the stored rows of this session and appends the rest.
            stored = [row.id for row in self._event_query(session, tracker.sender_id, False)
                      .with_entities(self.SQLEvent.id)]
            for index in sorted(i for i in changed if i < len(stored)):
                session.query(self.SQLEvent).filter(self.SQLEvent.id == stored[index]).update(
                    {"data": json.dumps(events[index])}, synchronize_session=False)
            for data in events[len(stored):]:
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=data.get("event"), timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                    action_name=data.get("name"), data=json.dumps(data)))
            session.commit()


class GuardedSQLTrackerStore(_Guarded, RedactingSQLTrackerStore):
    """Several Rasa servers: conversations in PostgreSQL (Rasa's own `events` table).

    Extra settings (endpoints.yml): `connect_timeout` (seconds, default 3) and
    `statement_timeout_ms` (default 5000), so an unreachable or stuck database fails a message
    in seconds instead of holding it. SQLAlchemy here is synchronous, as in Rasa's own store.
    """

    def __init__(self, domain: Optional[Domain] = None, connect_timeout: Any = 3, statement_timeout_ms: Any = 5000,
                 query: Optional[Dict[str, Any]] = None, port: Any = None,
                 retention_settings: Optional[retention.RetentionSettings] = None, **kwargs: Any) -> None:
        query = dict(query or {})
        query.setdefault("connect_timeout", str(int(float(connect_timeout))))
        query.setdefault("options", f"-c statement_timeout={int(float(statement_timeout_ms))}")
        # ${VAR} values arrive as strings; an empty port means the driver's default.
        super().__init__(domain=domain, query=query, port=int(port) if port not in (None, "") else None,
                         **kwargs)
        self.retention = retention.RetentionSweeper(self.delete_idle,
                                                    retention_settings or retention.RetentionSettings.from_env())

        async def check() -> None:
            await asyncio.to_thread(self._ping)

        health.register(self.component, f"postgresql ({self.engine.url.host}:{self.engine.url.port})", check)

    async def delete_idle(self, cutoff: float) -> int:
        counts = await asyncio.to_thread(retention.purge_sql, self.engine, cutoff)
        return counts["conversations"]

    async def save(self, tracker: DialogueStateTracker) -> None:
        self.retention.ensure_running()
        await super().save(tracker)

    def _ping(self) -> None:
        import sqlalchemy as sa

        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

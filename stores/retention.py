"""Conversations idle for longer than TRACKER_RETENTION_DAYS are deleted by the Rasa server itself.

Each tracker store runs a sweep when the server starts and then every
TRACKER_RETENTION_SWEEP_SECONDS (hourly by default); nothing depends on someone scheduling a
job. A conversation's age is the time since its latest event, so one still in use is never cut
in half. Several Rasa servers sharing one database each sweep it; the deletes are idempotent.
Logs give counts only, never conversation ids or contents.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Dict, List, Mapping, Optional

import sqlalchemy as sa

logger = logging.getLogger("plr.retention")

DEFAULT_DAYS = 30.0
DEFAULT_SWEEP_SECONDS = 3600.0
BATCH = 500


@dataclass(frozen=True)
class RetentionSettings:
    days: float = DEFAULT_DAYS
    sweep_seconds: float = DEFAULT_SWEEP_SECONDS

    @property
    def seconds(self) -> float:
        return self.days * 86400

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> RetentionSettings:
        environ = os.environ if environ is None else environ

        def positive(key: str, default: float) -> float:
            raw = (environ.get(key) or "").strip()
            try:
                value = float(raw) if raw else default
            except ValueError:
                raise ValueError(f"{key} must be a number of {'days' if 'DAYS' in key else 'seconds'}, "
                                 f"got {raw!r}") from None
            if value <= 0:
                raise ValueError(f"{key} must be more than 0, got {raw!r}")
            return value

        return cls(positive("TRACKER_RETENTION_DAYS", DEFAULT_DAYS),
                   positive("TRACKER_RETENTION_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS))


class RetentionSweeper:
    """Runs `sweep(cutoff)` now and then every `sweep_seconds`, in the server's event loop.

    `sweep` deletes conversations whose latest event is older than `cutoff` (a Unix time) and
    returns how many it deleted. A failed sweep is logged and tried again at the next interval."""

    def __init__(self, sweep: Callable[[float], Awaitable[int]], settings: RetentionSettings) -> None:
        self.sweep = sweep
        self.settings = settings
        self._task: Optional[asyncio.Task] = None

    def ensure_running(self) -> None:
        if self._task is not None and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # outside a server (a script or a test loading the store): nothing to schedule
        self._task = loop.create_task(self._run(), name="plr-tracker-retention")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def sweep_once(self, now: Optional[float] = None) -> int:
        cutoff = (time.time() if now is None else now) - self.settings.seconds
        deleted = await self.sweep(cutoff)
        if deleted:
            logger.info("Tracker retention (%g days): deleted %d idle conversations.", self.settings.days, deleted)
        return deleted

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next interval tries again; the server carries on
                logger.error("ALERT tracker retention failed (%s); it runs again in %g s.",
                             type(exc).__name__, self.settings.sweep_seconds)
            await asyncio.sleep(self.settings.sweep_seconds)


def _events_table(engine: sa.engine.Engine) -> Optional[sa.Table]:
    try:
        return sa.Table("events", sa.MetaData(), autoload_with=engine)
    except sa.exc.NoSuchTableError:
        return None


def idle_conversations(connection: sa.engine.Connection, events: sa.Table, cutoff: float) -> List[str]:
    query = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(sa.func.max(events.c.timestamp) < cutoff)
    return [row[0] for row in connection.execute(query)]


def purge_sql(engine: sa.engine.Engine, cutoff: float, dry_run: bool = False) -> Dict[str, int]:
    """Deletes (or with `dry_run` counts) the conversations of Rasa's SQL `events` table whose
    latest event is older than `cutoff`, whole, in batches of their own transactions."""
    events = _events_table(engine)
    if events is None:
        return {"conversations": 0, "events": 0}
    with engine.connect() as connection:
        idle = idle_conversations(connection, events, cutoff)
    deleted_events = 0
    for start in range(0, len(idle), BATCH):
        batch = idle[start:start + BATCH]
        with engine.begin() as connection:
            # Checked again inside the transaction: a conversation that came back to life since
            # the scan is kept.
            still_idle = sa.select(events.c.sender_id).where(events.c.sender_id.in_(batch)) \
                .group_by(events.c.sender_id).having(sa.func.max(events.c.timestamp) < cutoff)
            if dry_run:
                count = sa.select(sa.func.count()).select_from(events).where(events.c.sender_id.in_(still_idle))
                deleted_events += connection.execute(count).scalar_one()
            else:
                result = connection.execute(sa.delete(events).where(events.c.sender_id.in_(still_idle)))
                deleted_events += result.rowcount or 0
    return {"conversations": len(idle), "events": deleted_events}

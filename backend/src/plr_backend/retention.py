"""Retention: one sweep shared by the running service (every RETENTION_SWEEP_SECONDS) and the
`retention` command, so deleting old data never depends on someone scheduling a job.

A sweep deletes completed/rejected requests unchanged for RETENTION_DAYS (blanking their staff
notes), undeliverable requests older than RETENTION_DAYS, and spent status-check lock rows; it
counts open requests older than OPEN_REQUEST_MAX_DAYS and warns about them, since an open
request is kept until staff close it, and staff must hear about one that was forgotten.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from .store import RequestStore, RetentionReport

log = logging.getLogger("plr_backend.retention")


@dataclass(frozen=True)
class SweepResult:
    deleted: list[str]
    dead_letters_deleted: int
    locks_purged: int
    report: RetentionReport


def sweep(
    store: RequestStore, days: int, open_max_days: int, actor: str = "retention", dry_run: bool = False
) -> SweepResult:
    deleted = store.apply_retention(days, actor=actor, dry_run=dry_run)
    dead, locks = (0, 0) if dry_run else (store.purge_undeliverable(days), store.purge_status_locks())
    for reference in deleted:
        log.info(
            "would be deleted" if dry_run else "deleted by retention",
            extra={
                "event": "retention.candidate" if dry_run else "retention.deleted",
                "reference": reference,
                "days": days,
            },
        )
    report = store.retention_report(days, open_max_days)
    if dead:
        log.info("undeliverable requests deleted", extra={"event": "retention.dead_letters_deleted", "count": dead})
    if report.open_overdue:
        log.warning(
            "open requests older than the maximum age: staff should review them",
            extra={"event": "retention.open_overdue", "count": report.open_overdue, "days": open_max_days},
        )
    return SweepResult(deleted, dead, locks, report)


async def run_periodically(store: RequestStore, days: int, open_max_days: int, interval: float) -> None:
    """The service's own retention loop: a sweep at start, then one every `interval` seconds.

    A failed sweep (database down) is logged and tried again next time; it never stops the loop.
    """
    while True:
        try:
            result = await run_in_threadpool(sweep, store, days, open_max_days, "retention-service")
            log.info(
                "retention sweep done",
                extra={"event": "retention.sweep", "count": len(result.deleted), "days": days},
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the loop must outlive a bad round
            log.error("retention sweep failed", extra={"event": "retention.sweep_failed", "error": type(exc).__name__})
        await asyncio.sleep(interval)

"""Delete conversations that have been idle longer than the retention period from Rasa's SQL
tracker store (the `events` table of the PostgreSQL database endpoints.yml uses with TRACKER_STORE=postgresql).

A conversation's age is the time since its latest event, so one still in use is never cut in
half. Conversations are deleted whole, in batches, each batch in its own transaction, so the
Rasa servers keep working while it runs. Run it daily (a cron job, or a Kubernetes CronJob:
docs/deploy.md). Prints counts only, never conversation ids or contents.

Usage:
    .venv/bin/python scripts/tracker_retention.py [--days N] [--dry-run]
Settings: TRACKER_DB_HOST, TRACKER_DB_PORT, TRACKER_DB_NAME, TRACKER_DB_USER,
TRACKER_DB_PASSWORD (as endpoints.yml), TRACKER_RETENTION_DAYS (default 30), from the
environment or .env. `--url` overrides the database (any SQLAlchemy URL, e.g. sqlite:///rasa.db).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500


def database_url(env: Dict[str, str]) -> sa.engine.URL:
    missing = [key for key in ("TRACKER_DB_HOST", "TRACKER_DB_NAME") if not env.get(key)]
    if missing:
        raise SystemExit(f"{', '.join(missing)} not set: the SQL tracker store is not configured.")
    return sa.engine.URL.create(
        "postgresql",
        username=env.get("TRACKER_DB_USER") or None,
        password=env.get("TRACKER_DB_PASSWORD") or None,
        host=env["TRACKER_DB_HOST"],
        port=int(env["TRACKER_DB_PORT"]) if env.get("TRACKER_DB_PORT") else None,
        database=env["TRACKER_DB_NAME"],
    )


def expired_conversations(connection: sa.engine.Connection, events: sa.Table, cutoff: float) -> List[str]:
    last_event = sa.func.max(events.c.timestamp)
    query = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(last_event < cutoff)
    return [row[0] for row in connection.execute(query)]


def purge(url, days: float, dry_run: bool = False, now: Optional[float] = None) -> Dict[str, int]:
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        try:
            events = sa.Table("events", metadata, autoload_with=engine)
        except sa.exc.NoSuchTableError:
            return {"conversations": 0, "events": 0}
        cutoff = (now if now is not None else time.time()) - days * 86400
        with engine.connect() as connection:
            expired = expired_conversations(connection, events, cutoff)
        deleted_events = 0
        if dry_run:
            with engine.connect() as connection:
                for start in range(0, len(expired), BATCH):
                    batch = expired[start:start + BATCH]
                    count = sa.select(sa.func.count()).select_from(events).where(events.c.sender_id.in_(batch))
                    deleted_events += connection.execute(count).scalar_one()
        else:
            for start in range(0, len(expired), BATCH):
                batch = expired[start:start + BATCH]
                with engine.begin() as connection:
                    # Re-checked inside the transaction: a conversation that came back to life
                    # since the scan is kept.
                    still_idle = sa.select(events.c.sender_id).where(events.c.sender_id.in_(batch)) \
                        .group_by(events.c.sender_id).having(sa.func.max(events.c.timestamp) < cutoff)
                    result = connection.execute(sa.delete(events).where(events.c.sender_id.in_(still_idle)))
                    deleted_events += result.rowcount or 0
        return {"conversations": len(expired), "events": deleted_events}
    finally:
        engine.dispose()


def main(argv: Optional[List[str]] = None) -> int:
    sys.path.insert(0, str(ROOT))
    from testkit.stack import project_env

    env = project_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=float(env.get("TRACKER_RETENTION_DAYS") or 30))
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    parser.add_argument("--url", help="SQLAlchemy URL of the tracker database (default: TRACKER_DB_*)")
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be positive")
    counts = purge(args.url or database_url(env), args.days, args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"tracker retention ({args.days:g} days): {verb} {counts['conversations']} conversations, "
          f"{counts['events']} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())

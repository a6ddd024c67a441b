"""Delete, by hand, conversations that have been idle longer than the retention period from
Rasa's SQL tracker store (the `events` table of the PostgreSQL database endpoints.yml uses with
TRACKER_STORE=postgresql). The Rasa servers already do this by themselves (stores/retention.py);
this is for a one-off purge or a dry run. Prints counts only, never conversation ids or contents.

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


def purge(url, days: float, dry_run: bool = False, now: Optional[float] = None) -> Dict[str, int]:
    from stores.retention import purge_sql

    engine = sa.create_engine(url)
    try:
        return purge_sql(engine, (now if now is not None else time.time()) - days * 86400, dry_run)
    finally:
        engine.dispose()


def main(argv: Optional[List[str]] = None) -> int:
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

"""The console's own SQLite database: staff accounts, signed-in sessions and the audit of what
staff looked at. Personal details never go in here: the audit names the request, not the learner."""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'caseworker', 'admin')),
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    last_sign_in REAL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    last_seen REAL NOT NULL,
    csrf_token TEXT NOT NULL,
    csrf_signed TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    reference TEXT,
    account TEXT
);
CREATE INDEX IF NOT EXISTS audit_reference ON audit(reference, at);
"""
# Columns added after the first release: a database made before them gets them on start.
ADDED_COLUMNS = {
    "users": (("disabled", "INTEGER NOT NULL DEFAULT 0"), ("must_change_password", "INTEGER NOT NULL DEFAULT 0"),
              ("last_sign_in", "REAL")),
    "audit": (("account", "TEXT"),),
}


class Store:
    """One connection guarded by a lock: the console's traffic is a handful of staff."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.executescript(SCHEMA)
        self._add_missing_columns()
        self._conn.execute("CREATE INDEX IF NOT EXISTS audit_account ON audit(account, at)")
        if str(path) != ":memory:":
            path.chmod(0o600)  # password hashes and session ids: readable by the service only

    def _add_missing_columns(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            present = {row["name"] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            for name, definition in columns:
                if name not in present:
                    self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")

    @contextmanager
    def tx(self):
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                if self._conn.in_transaction:
                    self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()

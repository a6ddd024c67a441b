"""A durable outbox for submissions the backend could not take yet.

When the backend stays down past the client's retry budget, the request is written here
(SQLite, payload encrypted with Fernet because it holds personal details) and the learner is
told it will be sent. A worker thread delivers pending rows when the backend answers again.
Each row carries the request's idempotency key, so a row delivered twice (a crash between the
backend's answer and our commit) is still stored once by the backend.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from cryptography.fernet import Fernet, InvalidToken

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    idempotency_key TEXT PRIMARY KEY,
    payload BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | delivered | refused
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    reference TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)
"""


@dataclass(frozen=True)
class PendingItem:
    idempotency_key: str
    payload: Dict


class Outbox:
    def __init__(self, path: Path, key: str) -> None:
        self.path = Path(path)
        self.fernet = Fernet(key.encode() if isinstance(key, str) else key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def put(self, idempotency_key: str, payload: Dict) -> None:
        """Store durably (fsync'd by SQLite) before the learner is told it is saved."""
        token = self.fernet.encrypt(json.dumps(payload, sort_keys=True).encode())
        now = time.time()
        with closing(self._connect()) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, payload, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (idempotency_key, token, now, now),
            )

    def pending(self, limit: int = 50) -> List[PendingItem]:
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT idempotency_key, payload FROM outbox WHERE state = 'pending' ORDER BY created_at LIMIT ?",
                (limit,),
            ).fetchall()
        items = []
        for key, token in rows:
            try:
                items.append(PendingItem(key, json.loads(self.fernet.decrypt(token))))
            except InvalidToken:
                # Encrypted under another key: keep it for an operator rather than lose it.
                logger.error("outbox row cannot be decrypted with the configured key; left in place")
        return items

    def count(self, state: str = "pending") -> int:
        with closing(self._connect()) as conn:
            return conn.execute("SELECT COUNT(*) FROM outbox WHERE state = ?", (state,)).fetchone()[0]

    def _update(self, key: str, **fields) -> None:
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with closing(self._connect()) as conn:
            conn.execute(
                f"UPDATE outbox SET {assignments}, attempts = attempts + 1, updated_at = ? WHERE idempotency_key = ?",
                (*fields.values(), time.time(), key),
            )

    def mark_delivered(self, key: str, reference: str) -> None:
        self._update(key, state="delivered", reference=reference, last_error=None)

    def mark_refused(self, key: str, reason: str) -> None:
        self._update(key, state="refused", last_error=reason)

    def mark_failed_attempt(self, key: str, reason: str) -> None:
        self._update(key, last_error=reason)


async def deliver_pending(outbox: Outbox, client) -> int:
    """Send what is pending, oldest first; stop at the first sign the backend is still down."""
    from actions.backend_client import Refused, Submitted

    delivered = 0
    for item in outbox.pending():
        result = await client.submit(item.payload, item.idempotency_key)
        if isinstance(result, Submitted):
            outbox.mark_delivered(item.idempotency_key, result.reference)
            logger.info("outbox delivered a request: reference=%s", result.reference)
            delivered += 1
        elif isinstance(result, Refused):
            outbox.mark_refused(item.idempotency_key, f"http {result.status_code}")
            logger.error("outbox request refused by the backend: http %s", result.status_code)
        else:
            outbox.mark_failed_attempt(item.idempotency_key, result.reason)
            break
    return delivered


class OutboxWorker:
    """One daemon thread per process that drains the outbox every few seconds."""

    _lock = threading.Lock()
    _thread: Optional[threading.Thread] = None

    def __init__(self, outbox: Outbox, client_factory, interval: float) -> None:
        self.outbox = outbox
        self.client_factory = client_factory
        self.interval = interval
        self.stop_event = threading.Event()

    def _loop(self) -> None:
        while not self.stop_event.wait(self.interval):
            try:
                if self.outbox.count() == 0:
                    continue
                asyncio.run(deliver_pending(self.outbox, self.client_factory()))
            except Exception:  # the worker must outlive any single bad round
                logger.exception("outbox delivery round failed")

    def ensure_started(self) -> None:
        with OutboxWorker._lock:
            if OutboxWorker._thread is None or not OutboxWorker._thread.is_alive():
                OutboxWorker._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)
                OutboxWorker._thread.start()

"""A durable outbox for submissions the backend could not take yet.

When the backend stays down past the client's retry budget, or refuses the connection rather
than the request (a rotated key, a wrong URL), the request is written here (SQLite, payload
encrypted with Fernet because it holds personal details) and the learner is told it will be
sent. A worker thread delivers pending rows when the backend answers again. Each row carries
the request's idempotency key, so a row delivered twice (a crash between the backend's answer
and our commit) is still stored once by the backend.

The learner has been promised delivery, so no row is ever dropped in silence:

* pending      waiting for the backend. Transport or configuration trouble keeps a row here,
               with backoff and an ERROR "ALERT outbox" line that counts the rows waiting.
* dead_letter  the backend refused the request itself (422, 409). The row is forwarded to the
               backend's undeliverable list (POST /v1/undeliverable) for staff, and stays
               here, with its payload, until that forwarding succeeds.
* delivered    stored by the backend (or, for a dead letter, forwarded): the payload is blanked
               at once and the row itself purged after KEEP_DONE_DAYS.

OUTBOX_ENCRYPTION_KEY may list several comma-separated Fernet keys (MultiFernet): the first
encrypts, all decrypt, and rows are re-encrypted with the first when the outbox opens, so an
old key can be dropped after one restart.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

if TYPE_CHECKING:  # for annotations only: the functions below import it when they run
    from actions.backend_client import BackendClient

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    idempotency_key TEXT PRIMARY KEY,
    payload BLOB NOT NULL,                   -- empty once delivered or forwarded
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | dead_letter | delivered
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    reference TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)
"""
# Columns added after the first release; added in place to an existing outbox file.
ADDED_COLUMNS = {
    "next_attempt_at": "REAL NOT NULL DEFAULT 0",
    "http_status": "INTEGER",
    "field": "TEXT",
}
KEEP_DONE_DAYS = 7.0
# Backoff after a round that could not deliver: base interval doubling per attempt, capped.
MAX_BACKOFF_SECONDS = 300.0
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class PendingItem:
    idempotency_key: str
    payload: Dict


@dataclass(frozen=True)
class DeadLetter:
    idempotency_key: str
    payload: Dict
    http_status: int
    field: Optional[str]


def fernet_from(keys: str | bytes) -> MultiFernet:
    """One key or a comma-separated list (rotation: the first encrypts, every one decrypts)."""
    text = keys.decode() if isinstance(keys, bytes) else keys
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError("OUTBOX_ENCRYPTION_KEY is empty")
    return MultiFernet([Fernet(part.encode()) for part in parts])


class Outbox:
    def __init__(self, path: Path, key: str | bytes, retry_seconds: float = 5.0,
                 max_backoff: float = MAX_BACKOFF_SECONDS, keep_done_days: float = KEEP_DONE_DAYS) -> None:
        self.path = Path(path)
        self.fernet = fernet_from(key)
        self.retry_seconds = retry_seconds
        self.max_backoff = max_backoff
        self.keep_done_days = keep_done_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by the action server's user only, whatever the umask (SQLite gives its -wal
        # and -shm files the same mode).
        with contextlib.suppress(FileExistsError):
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with closing(self._connect()) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(SCHEMA)
            present = {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}
            for name, definition in ADDED_COLUMNS.items():
                if name not in present:
                    conn.execute(f"ALTER TABLE outbox ADD COLUMN {name} {definition}")
            # The first release marked rows 'refused' on any 4xx, a 401 after a key rotation
            # included: try them again; a real refusal now becomes a dead letter for staff.
            conn.execute("UPDATE outbox SET state = 'pending', next_attempt_at = 0 WHERE state = 'refused'")
        self._rotate()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def _rotate(self) -> None:
        """Re-encrypt waiting rows with the first key, so that older keys can be retired."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT idempotency_key, payload FROM outbox WHERE state IN ('pending', 'dead_letter')"
            ).fetchall()
            for key, token in rows:
                try:
                    rotated = self.fernet.rotate(token)
                except InvalidToken:
                    continue  # reported by pending(): none of the configured keys opens it
                if rotated != token:
                    conn.execute("UPDATE outbox SET payload = ? WHERE idempotency_key = ?", (rotated, key))

    def put(self, idempotency_key: str, payload: Dict) -> None:
        """Store durably (fsync'd by SQLite) before the learner is told it is saved."""
        token = self.fernet.encrypt(json.dumps(payload, sort_keys=True).encode())
        now = time.time()
        with closing(self._connect()) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, payload, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (idempotency_key, token, now, now),
            )

    def _open(self, token: bytes) -> Optional[Dict]:
        try:
            return json.loads(self.fernet.decrypt(token))
        except InvalidToken:
            # Encrypted under a key no longer configured: keep it for an operator rather than lose it.
            logger.error("ALERT outbox: a row cannot be decrypted with the configured keys; left in place")
            return None

    def pending(self, limit: int = 50, now: Optional[float] = None) -> List[PendingItem]:
        """Pending rows whose backoff has run out, oldest first."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT idempotency_key, payload FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? "
                "ORDER BY created_at LIMIT ?",
                (time.time() if now is None else now, limit),
            ).fetchall()
        items = []
        for key, token in rows:
            payload = self._open(token)
            if payload is not None:
                items.append(PendingItem(key, payload))
        return items

    def dead_letters_to_forward(self, limit: int = 50, now: Optional[float] = None) -> List[DeadLetter]:
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT idempotency_key, payload, http_status, field FROM outbox "
                "WHERE state = 'dead_letter' AND next_attempt_at <= ? ORDER BY created_at LIMIT ?",
                (time.time() if now is None else now, limit),
            ).fetchall()
        letters = []
        for key, token, status, field in rows:
            payload = self._open(token)
            if payload is not None:
                letters.append(DeadLetter(key, payload, status or 422, field))
        return letters

    def count(self, state: str = "pending") -> int:
        with closing(self._connect()) as conn:
            return conn.execute("SELECT COUNT(*) FROM outbox WHERE state = ?", (state,)).fetchone()[0]

    def has_work(self) -> bool:
        with closing(self._connect()) as conn:
            return conn.execute(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE state IN ('pending', 'dead_letter'))"
            ).fetchone()[0] == 1

    def oldest_waiting_age(self, now: Optional[float] = None) -> Optional[float]:
        with closing(self._connect()) as conn:
            oldest = conn.execute(
                "SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'dead_letter')"
            ).fetchone()[0]
        return None if oldest is None else (time.time() if now is None else now) - oldest

    def _update(self, key: str, **fields: Any) -> None:
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with closing(self._connect()) as conn:
            conn.execute(
                f"UPDATE outbox SET {assignments}, attempts = attempts + 1, updated_at = ? WHERE idempotency_key = ?",
                (*fields.values(), time.time(), key),
            )

    def mark_delivered(self, key: str, reference: str) -> None:
        # The backend holds the request now: no second copy of the learner's details here.
        self._update(key, state="delivered", reference=reference, last_error=None, payload=b"")

    def mark_dead_letter(self, key: str, http_status: int, field: Optional[str]) -> None:
        # Kept with its payload until staff have it (forwarded); due for forwarding at once.
        safe_field = field if field and _FIELD_NAME.match(field) else None
        self._update(key, state="dead_letter", http_status=http_status, field=safe_field,
                     last_error=f"http {http_status}", next_attempt_at=0)

    def mark_forwarded(self, key: str) -> None:
        self._update(key, state="delivered", reference=None, last_error=None, payload=b"")

    def defer(self, keys: Sequence[str], reason: str, now: Optional[float] = None) -> None:
        """Record a failed attempt and push the next one back: base interval x 2^attempts, capped."""
        now = time.time() if now is None else now
        with closing(self._connect()) as conn:
            for key in keys:
                attempts = conn.execute("SELECT attempts FROM outbox WHERE idempotency_key = ?", (key,)).fetchone()
                wait = min(self.retry_seconds * (2 ** min(attempts[0] if attempts else 0, 20)), self.max_backoff)
                conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ? "
                    "WHERE idempotency_key = ?",
                    (reason, now + wait, now, key),
                )

    def mark_failed_attempt(self, key: str, reason: str) -> None:
        """The backend did not answer: no backoff, since one probe a round costs little and the
        request should go as soon as the backend is back."""
        self._update(key, last_error=reason)

    def wake(self) -> None:
        """Every waiting row is due now: called at start, when the configuration may have been fixed."""
        with closing(self._connect()) as conn:
            conn.execute("UPDATE outbox SET next_attempt_at = 0 WHERE state IN ('pending', 'dead_letter')")

    def purge(self, now: Optional[float] = None) -> int:
        """Forget rows that were delivered or forwarded more than keep_done_days ago."""
        cutoff = (time.time() if now is None else now) - self.keep_done_days * 86400
        with closing(self._connect()) as conn:
            return conn.execute(
                "DELETE FROM outbox WHERE state = 'delivered' AND updated_at < ?", (cutoff,)
            ).rowcount


def _alert(outbox: Outbox, cause: str) -> None:
    logger.error("ALERT outbox: %d requests pending, backend refused with %s", outbox.count("pending"), cause)


async def deliver_pending(outbox: Outbox, client: BackendClient, now: Optional[float] = None) -> int:
    """Send what is due, oldest first; stop at the first sign the backend cannot take it yet.

    Returns how many requests the backend stored in this round.
    """
    from actions.backend_client import Refused, Submitted

    delivered = 0
    items = outbox.pending(now=now)
    for index, item in enumerate(items):
        result = await client.submit(item.payload, item.idempotency_key)
        if isinstance(result, Submitted):
            outbox.mark_delivered(item.idempotency_key, result.reference)
            logger.info("outbox delivered a request: reference=%s", result.reference)
            delivered += 1
        elif isinstance(result, Refused) and result.final:
            outbox.mark_dead_letter(item.idempotency_key, result.status_code, result.field)
            logger.error("ALERT outbox: the backend refused a request (%s); forwarding it to staff as undeliverable",
                         result.describe())
        elif isinstance(result, Refused):
            # The connection or configuration is wrong, not the request (a rotated key, a wrong
            # URL): the rest would fare the same, so they all wait, with backoff, and say so.
            outbox.defer([i.idempotency_key for i in items[index:]], result.describe(), now)
            _alert(outbox, result.describe())
            break
        else:
            outbox.mark_failed_attempt(item.idempotency_key, result.reason)
            logger.warning("outbox: %d requests pending, backend unavailable (%s)",
                           outbox.count("pending"), result.reason)
            break
    await forward_dead_letters(outbox, client, now)
    outbox.purge(now)
    return delivered


async def forward_dead_letters(outbox: Outbox, client: BackendClient, now: Optional[float] = None) -> int:
    """Hand refused requests to the backend's undeliverable list, where staff see them."""
    from actions.backend_client import Forwarded, Refused

    forwarded = 0
    for letter in outbox.dead_letters_to_forward(now=now):
        refusal = Refused(status_code=letter.http_status, field=letter.field, message="")
        result = await client.forward_undeliverable(letter.idempotency_key, refusal, letter.payload)
        if isinstance(result, Forwarded):
            outbox.mark_forwarded(letter.idempotency_key)
            logger.warning("outbox: a refused request (http %s) is now on the staff's undeliverable list",
                           letter.http_status)
            forwarded += 1
            continue
        reason = result.describe() if isinstance(result, Refused) else result.reason
        outbox.defer([letter.idempotency_key], reason, now)
        logger.error("ALERT outbox: %d refused requests not yet with staff, forwarding failed with %s",
                     outbox.count("dead_letter"), reason)
        break
    return forwarded


class OutboxWorker:
    """One daemon thread per process that drains the outbox every few seconds."""

    _lock = threading.Lock()
    _thread: Optional[threading.Thread] = None

    def __init__(self, outbox: Outbox, client_factory: Callable[[], BackendClient], interval: float) -> None:
        self.outbox = outbox
        self.client_factory = client_factory
        self.interval = interval
        self.stop_event = threading.Event()

    def _loop(self) -> None:
        while not self.stop_event.wait(self.interval):
            try:
                if not self.outbox.has_work():
                    self.outbox.purge()
                    continue
                asyncio.run(deliver_pending(self.outbox, self.client_factory()))
            except Exception:  # the worker must outlive any single bad round
                logger.exception("outbox delivery round failed")

    def ensure_started(self) -> None:
        with OutboxWorker._lock:
            if OutboxWorker._thread is None or not OutboxWorker._thread.is_alive():
                OutboxWorker._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)
                OutboxWorker._thread.start()

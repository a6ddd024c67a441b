"""Server-side sessions: the cookie holds a random id, the database holds its SHA-256, the user,
when it was last used and its CSRF token. Signing out or going idle deletes the row, so an old
cookie is worth nothing."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from .accounts import User
from .store import Store

COOKIE = "plr_console_session"
MAX_AGE_SECONDS = 12 * 3600  # a working day at most, idle or not


@dataclass(frozen=True)
class Session:
    id_hash: str
    user: User
    csrf_token: str
    csrf_signed: str


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, store: Store, clock: Callable[[], float], idle_seconds: int) -> None:
        self.store = store
        self.clock = clock
        self.idle_seconds = idle_seconds

    def start(self, user: User, csrf_token: str, csrf_signed: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.tx() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                       (_digest(session_id), user.username, now, now, csrf_token, csrf_signed))
        return session_id

    def resume(self, session_id: str | None) -> tuple[Session | None, str]:
        """(session, "") when valid and now touched; (None, why) otherwise: "", "idle" or "expired"."""
        if not session_id:
            return None, ""
        now = self.clock()
        id_hash = _digest(session_id)
        with self.store.tx() as db:
            row = db.execute(
                "SELECT s.*, u.role, u.disabled, u.must_change_password FROM sessions s "
                "JOIN users u ON u.username = s.username WHERE id_hash = ?", (id_hash,)).fetchone()
            if row is None:
                return None, ""
            if row["disabled"]:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))
                return None, ""
            if now - row["last_seen"] > self.idle_seconds:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))
                return None, "idle"
            if now - row["created_at"] > MAX_AGE_SECONDS:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))
                return None, "expired"
            db.execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", (now, id_hash))
        # The role and the must-change flag are read at every request: an admin's change applies at once.
        user = User(row["username"], row["role"], bool(row["must_change_password"]))
        return Session(id_hash, user, row["csrf_token"], row["csrf_signed"]), ""

    def end(self, id_hash: str) -> None:
        with self.store.tx() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    def end_all_for(self, username: str) -> None:
        with self.store.tx() as db:
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def sweep(self) -> None:
        cutoff = self.clock() - self.idle_seconds
        with self.store.tx() as db:
            db.execute("DELETE FROM sessions WHERE last_seen < ?", (cutoff,))

"""The console's audit: who looked at which request's personal details, when; also sign-ins,
lock-outs, exports and admins' changes to accounts (which account, never a password). The
backend keeps its own history of status changes."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .store import Store


class Audit:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock

    def record(self, username: str, action: str, reference: str | None = None, account: str | None = None) -> None:
        with self.store.tx() as db:
            db.execute("INSERT INTO audit (at, username, action, reference, account) VALUES (?, ?, ?, ?, ?)",
                       (self.clock(), username, action, reference, account))

    def record_each(self, username: str, action: str, references: list[str]) -> None:
        """One row per item, in one transaction, so each request's own audit names the view."""
        now = self.clock()
        with self.store.tx() as db:
            db.executemany("INSERT INTO audit (at, username, action, reference, account) VALUES (?, ?, ?, ?, NULL)",
                           [(now, username, action, reference) for reference in references])

    def for_account(self, account: str, limit: int = 50) -> list[dict]:
        """What was done to an account, and what it did to sign in and out."""
        with self.store.tx() as db:
            rows = db.execute("SELECT at, username, action FROM audit WHERE account = ? OR "
                              "(username = ? AND action IN ('signed in', 'signed out', 'changed their password', "
                              "'sign-in refused: wrong password', 'sign-in refused: locked', "
                              "'sign-in refused: disabled')) ORDER BY id DESC LIMIT ?",
                              (account, account, limit)).fetchall()
        return [{"at": _iso(r["at"]), "username": r["username"], "action": r["action"]} for r in rows]

    def for_reference(self, reference: str, limit: int = 100) -> list[dict]:
        with self.store.tx() as db:
            rows = db.execute("SELECT at, username, action FROM audit WHERE reference = ? ORDER BY id DESC LIMIT ?",
                              (reference, limit)).fetchall()
        return [{"at": _iso(r["at"]), "username": r["username"], "action": r["action"]} for r in rows]

    def recent(self, limit: int = 200) -> list[dict]:
        with self.store.tx() as db:
            rows = db.execute("SELECT at, username, action, reference, account FROM audit ORDER BY id DESC LIMIT ?",
                              (limit,)).fetchall()
        return [{"at": _iso(r["at"]), "username": r["username"], "action": r["action"],
                 "reference": r["reference"], "account": r["account"]} for r in rows]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

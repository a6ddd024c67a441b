"""Staff accounts: argon2 password hashes, roles, and the lock-out after wrong passwords."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .store import Store

ROLES = ("viewer", "caseworker", "admin")
# What each role may do; a higher role may do everything a lower one may.
RANK = {role: rank for rank, role in enumerate(ROLES)}
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")  # the backend's X-Staff-User pattern
MIN_PASSWORD = 12

_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong username costs the same time as a wrong
# password and timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not a real password, only spent time")


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    role: str

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


@dataclass(frozen=True)
class SignIn:
    outcome: str  # ok | wrong | locked
    user: User | None = None
    locked_for_seconds: int = 0


def check_new(username: str, password: str, role: str) -> None:
    if not USERNAME.match(username or ""):
        raise AccountError("A username is 1 to 64 letters, digits, dots, hyphens, underscores or @")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"The password must be at least {MIN_PASSWORD} characters")


class Accounts:
    def __init__(self, store: Store, clock: Callable[[], float], max_failures: int = 5,
                 lock_seconds: int = 15 * 60) -> None:
        self.store = store
        self.clock = clock
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds

    def add(self, username: str, password: str, role: str, replace: bool = False) -> User:
        check_new(username, password, role)
        hashed = _hasher.hash(password)
        with self.store.tx() as db:
            exists = db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
            if exists and not replace:
                raise AccountError(f"There is already an account called {username}")
            db.execute(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, "
                "role = excluded.role, failed_count = 0, locked_until = 0",
                (username, hashed, role, self.clock()),
            )
        return User(username, role)

    def ensure_admin(self, username: str, password: str) -> bool:
        """The first account, from .env; never overwrites an account that exists."""
        if not username or not password:
            return False
        with self.store.tx() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                return False
        self.add(username, password, "admin")
        return True

    def get(self, username: str) -> User | None:
        with self.store.tx() as db:
            row = db.execute("SELECT username, role FROM users WHERE username = ?", (username,)).fetchone()
        return User(row["username"], row["role"]) if row else None

    def all(self) -> list[dict]:
        now = self.clock()
        with self.store.tx() as db:
            rows = db.execute("SELECT username, role, failed_count, locked_until FROM users ORDER BY username")
            return [{"username": r["username"], "role": r["role"], "locked": r["locked_until"] > now}
                    for r in rows.fetchall()]

    def unlock(self, username: str) -> None:
        with self.store.tx() as db:
            db.execute("UPDATE users SET failed_count = 0, locked_until = 0 WHERE username = ?", (username,))

    def sign_in(self, username: str, password: str) -> SignIn:
        now = self.clock()
        with self.store.tx() as db:
            row = db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            _verify(_DUMMY_HASH, password)
            return SignIn("wrong")
        if row["locked_until"] > now:
            # Not even the right password opens a locked account: guessing stops for the whole period.
            return SignIn("locked", locked_for_seconds=int(row["locked_until"] - now + 0.999))
        if _verify(row["password_hash"], password):
            with self.store.tx() as db:
                db.execute("UPDATE users SET failed_count = 0, locked_until = 0 WHERE username = ?", (username,))
                if _hasher.check_needs_rehash(row["password_hash"]):
                    db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                               (_hasher.hash(password), username))
            return SignIn("ok", User(row["username"], row["role"]))
        failures = row["failed_count"] + 1
        locked_until = now + self.lock_seconds if failures >= self.max_failures else 0
        with self.store.tx() as db:
            db.execute("UPDATE users SET failed_count = ?, locked_until = ? WHERE username = ?",
                       (0 if locked_until else failures, locked_until, username))
        if locked_until:
            return SignIn("locked", locked_for_seconds=self.lock_seconds)
        return SignIn("wrong")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False

"""Staff accounts: argon2 password hashes, roles, the lock-out after wrong passwords, and what
admins do to accounts (role, one-time password, unlock, disable), never to their own."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .store import Store

ROLES = ("viewer", "caseworker", "admin")
# What each role may do; a higher role may do everything a lower one may.
RANK = {role: rank for rank, role in enumerate(ROLES)}
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")  # the backend's X-Staff-User pattern
MIN_PASSWORD = 12
# One-time passwords are read off a screen and typed: no 0/o, 1/l/i.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong username costs the same time as a wrong
# password and timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not a real password, only spent time")


class AccountError(ValueError):
    pass


class UnknownAccount(AccountError):
    pass


class WrongPassword(AccountError):
    def __init__(self, message: str, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


@dataclass(frozen=True)
class User:
    username: str
    role: str
    must_change_password: bool = False

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


@dataclass(frozen=True)
class SignIn:
    outcome: str  # ok | wrong | locked | disabled
    user: User | None = None
    locked_for_seconds: int = 0


def check_new(username: str, password: str, role: str) -> None:
    if not USERNAME.match(username or ""):
        raise AccountError("A username is 1 to 64 letters, digits, dots, hyphens, underscores or @")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}")
    check_password(password)


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"The password must be at least {MIN_PASSWORD} characters")


def one_time_password() -> str:
    return "-".join("".join(secrets.choice(_OTP_ALPHABET) for _ in range(4)) for _ in range(4))


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
                # Replacing from a terminal is also how a disabled or forgotten admin comes back.
                "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash, "
                "role = excluded.role, failed_count = 0, locked_until = 0, disabled = 0, "
                "must_change_password = 0",
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
            row = db.execute("SELECT username, role, must_change_password FROM users WHERE username = ?",
                             (username,)).fetchone()
        return User(row["username"], row["role"], bool(row["must_change_password"])) if row else None

    def all(self) -> list[dict]:
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM users ORDER BY username").fetchall()
        return [self._summary(r) for r in rows]

    def describe(self, username: str) -> dict | None:
        with self.store.tx() as db:
            row = db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return self._summary(row) if row else None

    def _summary(self, row) -> dict:
        locked = row["locked_until"] > self.clock()
        return {"username": row["username"], "role": row["role"], "locked": locked,
                "locked_until": _iso(row["locked_until"]) if locked else None,
                "disabled": bool(row["disabled"]), "must_change_password": bool(row["must_change_password"]),
                "last_sign_in": _iso(row["last_sign_in"]) if row["last_sign_in"] else None}

    def unlock(self, username: str) -> None:
        with self.store.tx() as db:
            _existing(db, username)
            db.execute("UPDATE users SET failed_count = 0, locked_until = 0 WHERE username = ?", (username,))

    def set_role(self, actor: str, username: str, role: str) -> str:
        """The account's role before the change."""
        if role not in ROLES:
            raise AccountError(f"The role must be one of {', '.join(ROLES)}")
        if actor == username and role != "admin":
            raise AccountError("You cannot remove your own admin role: ask another admin")
        with self.store.tx() as db:
            before = _existing(db, username)["role"]
            db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))
            _keep_an_admin(db)
        return before

    def set_disabled(self, actor: str, username: str, disabled: bool) -> None:
        if actor == username and disabled:
            raise AccountError("You cannot disable your own account: ask another admin")
        with self.store.tx() as db:
            _existing(db, username)
            db.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username))
            if disabled:
                # Signed-in sessions end now, not at their next idle time-out.
                db.execute("DELETE FROM sessions WHERE username = ?", (username,))
            _keep_an_admin(db)

    def reset_password(self, actor: str, username: str) -> str:
        """A new one-time password: the old one stops working, and the person must choose their
        own at the next sign-in. Returned once, to be shown once; only its hash is kept."""
        if actor == username:
            raise AccountError("Change your own password with \"Change your password\" instead")
        password = one_time_password()
        with self.store.tx() as db:
            _existing(db, username)
            db.execute("UPDATE users SET password_hash = ?, must_change_password = 1, failed_count = 0, "
                       "locked_until = 0 WHERE username = ?", (_hasher.hash(password), username))
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
        return password

    def change_password(self, username: str, current: str, new: str, keep_session: str | None = None) -> None:
        """The person's own change, which needs the current password (after a reset, the
        one-time one). Their other signed-in sessions end."""
        with self.store.tx() as db:
            row = _existing(db, username)
        if not _verify(row["password_hash"], current):
            # Counted as at sign-in, so a session left open cannot be used to guess the password.
            locked = self._failed(username)
            if locked:
                with self.store.tx() as db:
                    db.execute("DELETE FROM sessions WHERE username = ?", (username,))
            raise WrongPassword("Your current password is not right", locked=locked)
        check_password(new)
        if new == current:
            raise AccountError("The new password must differ from the current one")
        with self.store.tx() as db:
            db.execute("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE username = ?",
                       (_hasher.hash(new), username))
            db.execute("DELETE FROM sessions WHERE username = ? AND id_hash IS NOT ?", (username, keep_session))

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
            if row["disabled"]:
                # Said only to someone who knows the password, so it tells a guesser nothing.
                return SignIn("disabled")
            with self.store.tx() as db:
                db.execute("UPDATE users SET failed_count = 0, locked_until = 0, last_sign_in = ? WHERE username = ?",
                           (now, username))
                if _hasher.check_needs_rehash(row["password_hash"]):
                    db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                               (_hasher.hash(password), username))
            return SignIn("ok", User(row["username"], row["role"], bool(row["must_change_password"])))
        if self._failed(username):
            return SignIn("locked", locked_for_seconds=self.lock_seconds)
        return SignIn("wrong")

    def _failed(self, username: str) -> bool:
        """Counts one wrong password; True when that locks the account."""
        with self.store.tx() as db:
            row = _existing(db, username)
            failures = row["failed_count"] + 1
            locked_until = self.clock() + self.lock_seconds if failures >= self.max_failures else 0
            db.execute("UPDATE users SET failed_count = ?, locked_until = ? WHERE username = ?",
                       (0 if locked_until else failures, locked_until, username))
        return bool(locked_until)


def _existing(db, username: str):
    row = db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise UnknownAccount(f"There is no account called {username}")
    return row


def _keep_an_admin(db) -> None:
    # Raised inside the transaction, so the change is rolled back.
    if not db.execute("SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0").fetchone():
        raise AccountError("The console must keep at least one admin who can sign in")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False

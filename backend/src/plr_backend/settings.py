"""Typed settings from the repo-root `.env` (python-dotenv); real environment variables win.

Everything the service needs is read and checked once, at start, so a missing or malformed
key stops it with one clear message instead of failing on the first request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from dotenv import dotenv_values

# backend/src/plr_backend/settings.py -> the repository root is three levels above the package.
REPO_ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDERS = {"__secret__", "__fernet__"}
LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
MIN_SECRET_LENGTH = 16


class ConfigError(RuntimeError):
    """The configuration cannot run the service; the message says which keys and why."""


@dataclass(frozen=True)
class Settings:
    bind_host: str
    port: int
    database_url: str
    actions_api_key: str
    staff_api_key: str
    encryption_keys: tuple[bytes, ...]
    hash_key: bytes
    retention_days: int
    log_level: str
    env_file: Path | None
    # How often the running service applies retention itself (seconds).
    retention_sweep_seconds: int = 3600
    # Open requests (received / in_progress) older than this are reported to staff as overdue.
    open_request_max_days: int = 90
    # The OpenAPI document discloses every route and field; off unless asked for (tests, local docs).
    openapi_enabled: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def fernet(self) -> MultiFernet:
        # The first key encrypts; the others still decrypt, so keys can be rotated.
        return MultiFernet([Fernet(key) for key in self.encryption_keys])

    def __repr__(self) -> str:  # secrets must never reach a log line or a traceback
        return f"Settings(bind_host={self.bind_host!r}, port={self.port}, database={_redact(self.database_url)!r})"


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def env_file_path(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("PLR_ENV_FILE") or REPO_ROOT / ".env")


def normalise_database_url(raw: str) -> str:
    """Empty -> SQLite file var/backend.db at the repo root; plain postgresql:// -> psycopg 3 driver."""
    raw = raw.strip()
    if not raw:
        return f"sqlite:///{REPO_ROOT / 'var' / 'backend.db'}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    if raw.startswith(("sqlite:///", "postgresql+psycopg://")):
        return raw
    raise ConfigError("DATABASE_URL must be empty (SQLite at var/backend.db), sqlite:///PATH or postgresql://...")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    env_file = env_file_path(environ)
    file_values: dict[str, str | None] = dotenv_values(env_file) if env_file.is_file() else {}
    merged = {k: v for k, v in file_values.items() if v is not None}
    merged.update(environ)  # the real environment wins over the file

    problems: list[str] = []

    def secret(key: str) -> str:
        value = (merged.get(key) or "").strip()
        if not value:
            problems.append(f"{key} is missing")
        elif value in PLACEHOLDERS:
            problems.append(f"{key} still holds the placeholder {value} (run `make setup`)")
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(f"{key} is shorter than {MIN_SECRET_LENGTH} characters")
        return value

    def integer(key: str, default: int, low: int, high: int) -> int:
        raw = (merged.get(key) or "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{key} must be a whole number, not {raw!r}")
            return default
        if not low <= value <= high:
            problems.append(f"{key} must be between {low} and {high}")
        return value

    actions_key = secret("ACTIONS_API_KEY")
    staff_key = secret("STAFF_API_KEY")
    if actions_key and actions_key == staff_key:
        problems.append("ACTIONS_API_KEY and STAFF_API_KEY must differ (they grant different rights)")

    encryption_raw = secret("BACKEND_ENCRYPTION_KEY")
    encryption_keys: list[bytes] = []
    for part in filter(None, (p.strip() for p in encryption_raw.split(","))):
        try:
            Fernet(part.encode())
            encryption_keys.append(part.encode())
        except (ValueError, TypeError):
            problems.append("BACKEND_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes)")
            break

    hash_key = secret("BACKEND_HASH_KEY")

    log_level = (merged.get("LOG_LEVEL") or "INFO").strip().upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(sorted(LOG_LEVELS))}")

    port = integer("BACKEND_PORT", 8000, 1, 65535)
    retention_days = integer("RETENTION_DAYS", 365, 1, 36500)
    sweep_seconds = integer("RETENTION_SWEEP_SECONDS", 3600, 1, 7 * 24 * 3600)
    open_max_days = integer("OPEN_REQUEST_MAX_DAYS", 90, 1, 36500)
    openapi_raw = (merged.get("BACKEND_OPENAPI") or "").strip().lower()
    if openapi_raw not in ("", "0", "1", "true", "false", "yes", "no"):
        problems.append("BACKEND_OPENAPI must be true or false")

    database_url = ""
    try:
        database_url = normalise_database_url(merged.get("DATABASE_URL") or "")
    except ConfigError as exc:
        problems.append(str(exc))

    if problems:
        source = f"{env_file}" if env_file.is_file() else f"{env_file} (not found) and the environment"
        raise ConfigError(
            "backend configuration is incomplete (read from " + source + "):\n  - " + "\n  - ".join(problems)
        )

    return Settings(
        # BIND_HOST is the older name: before the split it was also the public address.
        bind_host=(merged.get("INTERNAL_BIND_HOST") or merged.get("BIND_HOST") or "127.0.0.1").strip(),
        port=port,
        database_url=database_url,
        actions_api_key=actions_key,
        staff_api_key=staff_key,
        encryption_keys=tuple(encryption_keys),
        hash_key=hash_key.encode(),
        retention_days=retention_days,
        log_level=log_level,
        env_file=env_file if env_file.is_file() else None,
        retention_sweep_seconds=sweep_seconds,
        open_request_max_days=open_max_days,
        openapi_enabled=openapi_raw in ("1", "true", "yes"),
    )

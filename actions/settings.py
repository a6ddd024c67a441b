"""Typed settings of the action server, read once from the environment and `.env`.

Real environment variables win over `.env` (python-dotenv does not override them), so a
test or a deployment can set any value without editing files. Missing required values
fail at start-up with the key's name, not at the first learner's submission.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import load_dotenv

from content import contacts

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    pass


def _env_file() -> Path:
    return Path(os.environ.get("PLR_ENV_FILE", PROJECT_ROOT / ".env"))


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value or value.startswith("__"):
        raise SettingsError(f"{name} is not set: run `make setup` to create .env, or set it in the environment.")
    return value


def _optional(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _float(name: str, default: float) -> float:
    raw = _optional(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    backend_url: str
    actions_api_key: str
    helpdesk_phone: str
    helpdesk_hours: str | None
    # The same hours in Welsh (HELPDESK_HOURS_CY); without them a Welsh reply quotes HELPDESK_HOURS.
    helpdesk_hours_cy: str | None
    accessible_formats_email: str
    outbox_path: Path
    outbox_key: str
    outbox_retry_seconds: float
    # Connect and read timeouts stay well below Rasa's 10 s action timeout, retries included.
    backend_connect_timeout: float
    backend_read_timeout: float
    backend_total_budget: float
    log_level: str


def load_settings() -> Settings:
    load_dotenv(_env_file(), override=False)
    outbox = _optional("OUTBOX_PATH") or str(PROJECT_ROOT / "var" / "outbox.sqlite3")
    return Settings(
        backend_url=_required("BACKEND_URL").rstrip("/"),
        actions_api_key=_required("ACTIONS_API_KEY"),
        helpdesk_phone=contacts.value("helpdesk_phone"),
        helpdesk_hours=_optional("HELPDESK_HOURS") or None,
        helpdesk_hours_cy=_optional("HELPDESK_HOURS_CY") or None,
        accessible_formats_email=contacts.value("accessible_formats_email"),
        outbox_path=Path(outbox),
        outbox_key=_required("OUTBOX_ENCRYPTION_KEY"),
        outbox_retry_seconds=_float("OUTBOX_RETRY_SECONDS", 5.0),
        backend_connect_timeout=_float("BACKEND_CONNECT_TIMEOUT", 1.5),
        backend_read_timeout=_float("BACKEND_READ_TIMEOUT", 3.0),
        backend_total_budget=_float("BACKEND_TOTAL_BUDGET", 7.0),
        log_level=_optional("LOG_LEVEL", "INFO").upper(),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()

"""The console's settings, from its environment and the project's .env ($PLR_ENV_FILE, default
the repository's .env; the real environment wins). The stack sets PLR_ENV_FILE=/dev/null and
passes only the keys the console needs."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDERS = ("__secret__", "__fernet__", "")


class SettingsError(ValueError):
    pass


def _environment() -> dict[str, str]:
    path = os.environ.get("PLR_ENV_FILE") or str(ROOT / ".env")
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None}
    return {**from_file, **os.environ}


@dataclass
class Settings:
    staff_api_key: str
    rasa_api_token: str
    secret: str
    backend_url: str = "http://127.0.0.1:8000"
    rasa_url: str = "http://127.0.0.1:5005"
    host: str = "127.0.0.1"
    port: int = 8070
    database: Path = ROOT / "var" / "console.db"
    admin_user: str = ""
    admin_password: str = ""
    # Where scripts/conversations.py runs (the assistant's own venv) and writes its reports.
    root: Path = ROOT
    runner_python: Path = ROOT / ".venv" / "bin" / "python"
    reports_dir: Path = ROOT / "reports"
    runs_dir: Path = ROOT / "var" / "console-runs"
    idle_minutes: int = 30
    lock_minutes: int = 15
    max_failures: int = 5
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = _environment() if env is None else env
        problems = []
        for key in ("STAFF_API_KEY", "RASA_API_TOKEN", "CONSOLE_SECRET"):
            if env.get(key, "").strip() in PLACEHOLDERS:
                problems.append(f"{key} is missing (make setup writes it into .env)")
        if len(env.get("CONSOLE_SECRET", "")) < 16 and "CONSOLE_SECRET is missing" not in " ".join(problems):
            problems.append("CONSOLE_SECRET is shorter than 16 characters")
        if problems:
            raise SettingsError("; ".join(problems))
        internal = env.get("INTERNAL_BIND_HOST") or "127.0.0.1"
        public = env.get("PUBLIC_BIND_HOST") or env.get("BIND_HOST") or "127.0.0.1"
        backend = env.get("BACKEND_URL") or f"http://{internal}:{env.get('BACKEND_PORT') or 8000}"
        rasa = env.get("RASA_URL") or f"http://{public}:{env.get('RASA_PORT') or 5005}"
        return cls(
            staff_api_key=env["STAFF_API_KEY"],
            rasa_api_token=env["RASA_API_TOKEN"],
            secret=env["CONSOLE_SECRET"],
            backend_url=backend.rstrip("/"),
            rasa_url=rasa.rstrip("/"),
            host=internal,
            port=int(env.get("CONSOLE_PORT") or 8070),
            database=Path(env.get("CONSOLE_DB") or ROOT / "var" / "console.db"),
            admin_user=(env.get("STAFF_ADMIN_USER") or "").strip(),
            admin_password=env.get("STAFF_ADMIN_PASSWORD") or "",
            runs_dir=Path(env.get("CONSOLE_RUNS_DIR") or ROOT / "var" / "console-runs"),
            reports_dir=Path(env.get("CONSOLE_REPORTS_DIR") or ROOT / "reports"),
        )

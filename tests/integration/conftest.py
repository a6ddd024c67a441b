"""A real backend service (its own venv, fresh SQLite) for the action side's client tests."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from testkit.ports import free_port
from testkit.process import Service
from testkit.stack import ROOT, read_env_file


class Backend:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        env_file = read_env_file(ROOT / ".env")
        self.env = {
            **env_file,
            "BACKEND_PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}",
            "LOG_LEVEL": "INFO",
        }
        self.service = Service("backend", ["make", "-s", "-C", str(ROOT / "backend"), "run"],
                               workdir / "backend.log", env=self.env, cwd=ROOT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Backend:
        self.service.start().wait_http(f"{self.url}/healthz", 120)
        return self

    def stop(self) -> None:
        self.service.stop()

    def staff_get(self, path: str):
        request = urllib.request.Request(f"{self.url}{path}",
                                         headers={"Authorization": f"Bearer {self.env['STAFF_API_KEY']}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def all_requests(self):
        items, cursor = [], None
        while True:
            page = self.staff_get("/v1/requests?limit=100" + (f"&cursor={cursor}" if cursor else ""))
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


@pytest.fixture
def backend(tmp_path):
    running = Backend(tmp_path).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client_env(monkeypatch, tmp_path):
    """Settings for the action side's client, pointing wherever a test says."""
    env = read_env_file(ROOT / ".env")
    for key in ("ACTIONS_API_KEY", "OUTBOX_ENCRYPTION_KEY"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.setenv("OUTBOX_PATH", str(tmp_path / "outbox.sqlite3"))
    monkeypatch.setenv("BACKEND_CONNECT_TIMEOUT", "0.5")
    monkeypatch.setenv("BACKEND_READ_TIMEOUT", "1.0")
    monkeypatch.setenv("BACKEND_TOTAL_BUDGET", "3.0")
    return monkeypatch


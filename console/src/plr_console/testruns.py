"""Test runs from the browser: scripts/conversations.py against the running assistant, in a
subprocess of the assistant's own venv, one run at a time; its JSON report is what the pages read."""
from __future__ import annotations

import json
import re
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .settings import Settings

RUN_ID = re.compile(r"^[0-9]{10}-[0-9a-f]{6}$")
FILTER = re.compile(r"^[A-Za-z0-9 _.-]{0,60}$")


@dataclass
class Run:
    id: str
    path: Path

    @property
    def report(self) -> dict | None:
        try:
            return json.loads((self.path / "report.json").read_text())
        except (OSError, ValueError):
            return None

    @property
    def meta(self) -> dict:
        try:
            return json.loads((self.path / "meta.json").read_text())
        except (OSError, ValueError):
            return {}

    @property
    def state(self) -> str:
        return self.meta.get("state", "unknown")


class Runner:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.runs_dir
        self._lock = threading.Lock()
        self._running: subprocess.Popen | None = None

    def busy(self) -> bool:
        return self._running is not None and self._running.poll() is None

    def start(self, user: str, needle: str = "") -> Run:
        if not FILTER.match(needle):
            raise ValueError("The filter may use letters, digits, spaces, dots, hyphens and underscores")
        with self._lock:
            if self.busy():
                raise RuntimeError("A test run is already running: wait for it to finish")
            run = Run(f"{int(time.time())}-{secrets.token_hex(3)}", self.dir / "")
            run.path = self.dir / run.id
            run.path.mkdir(parents=True, exist_ok=True)
            argv = [str(self.settings.runner_python), str(self.settings.root / "scripts" / "conversations.py"),
                    "--rasa-url", self.settings.rasa_url, "--backend-url", self.settings.backend_url,
                    "--json", str(run.path / "report.json"), "--jobs", "2"]
            if needle:
                argv += ["-k", needle]
            # Only what the runner needs; the token goes in its environment, not on its command line.
            env = {"PATH": "/usr/bin:/bin", "RASA_API_TOKEN": self.settings.rasa_api_token,
                   "STAFF_API_KEY": self.settings.staff_api_key, "PYTHONDONTWRITEBYTECODE": "1",
                   "PLR_ENV_FILE": "/dev/null"}
            self._write_meta(run, {"state": "running", "user": user, "filter": needle, "started": time.time()})
            with open(run.path / "output.txt", "wb") as log:
                self._running = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                                 cwd=self.settings.root, start_new_session=True)
            threading.Thread(target=self._finish, args=(run, self._running), daemon=True).start()
            return run

    def _finish(self, run: Run, proc: subprocess.Popen) -> None:
        code = proc.wait()
        meta = run.meta
        meta.update(state="finished", exit_code=code, finished=time.time())
        self._write_meta(run, meta)

    @staticmethod
    def _write_meta(run: Run, meta: dict) -> None:
        (run.path / "meta.json").write_text(json.dumps(meta))

    def get(self, run_id: str) -> Run | None:
        if not RUN_ID.match(run_id or ""):
            return None
        path = self.dir / run_id
        return Run(run_id, path) if path.is_dir() else None

    def recent(self, limit: int = 10) -> list[Run]:
        if not self.dir.is_dir():
            return []
        names = sorted((p.name for p in self.dir.iterdir() if RUN_ID.match(p.name)), reverse=True)
        return [Run(name, self.dir / name) for name in names[:limit]]

    def output(self, run: Run) -> str:
        try:
            return (run.path / "output.txt").read_text(errors="replace")[-20000:]
        except OSError:
            return ""

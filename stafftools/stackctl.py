"""The staff tools' own copy of the stack: every service on free loopback ports, a fresh
backend database and outbox in a temporary folder, and the backend behind a fault proxy so a
conversation can make it unreachable (`backend: down`) and bring it back (`backend: up`)."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Dict, Iterator, Optional

from testkit.faultproxy import FaultProxy
from testkit.limits import ONE_CLIENT_FOR_MANY_LEARNERS
from testkit.ports import free_port
from testkit.stack import Stack, StackConfig

ROOT = Path(__file__).resolve().parents[1]


class OwnStack:
    def __init__(self, stack: Stack, proxy: Optional[FaultProxy], workdir: Path) -> None:
        self.stack = stack
        self.proxy = proxy
        self.workdir = workdir
        self.down = False  # FaultProxy.accept() on a listening proxy would bind the port twice

    @property
    def rasa_url(self) -> str:
        return self.stack.config.rasa_url

    @property
    def backend_url(self) -> str:
        return self.stack.config.backend_url

    @property
    def token(self) -> str:
        return self.stack.env["RASA_API_TOKEN"]

    @property
    def staff_key(self) -> str:
        return self.stack.env["STAFF_API_KEY"]

    def backend_down(self) -> None:
        if self.proxy and not self.down:
            self.proxy.refuse()
            self.down = True

    def backend_up(self) -> None:
        if self.proxy and self.down:
            self.proxy.accept()
            self.down = False

    def backend_answers(self, status: int) -> None:
        """The backend's next answer (one call) is this HTTP status, whatever was asked."""
        if self.proxy:
            self.proxy.plan(f"status:{status}")

    def pids(self) -> Dict[str, int]:
        return {name: service.proc.pid for name, service in self.stack.services.items() if service.proc}


@contextlib.contextmanager
def own_stack(model: Path, with_proxy: bool = True, extra_env: Optional[Dict[str, str]] = None,
              keep_logs: Optional[Path] = None, timeout: float = 300.0) -> Iterator[OwnStack]:
    """Start backend, action server and Rasa; stop them (and the proxy) on the way out."""
    with tempfile.TemporaryDirectory(prefix="plr-staff-") as tmp:
        workdir = Path(tmp)
        backend_port = free_port()
        proxy = FaultProxy(("127.0.0.1", backend_port)) if with_proxy else None
        env = {
            "DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}",
            "OUTBOX_PATH": str(workdir / "outbox.sqlite3"),
            "OUTBOX_RETRY_SECONDS": "1",
            # Scripted conversations all come from 127.0.0.1 (testkit/limits.py).
            **ONE_CLIENT_FOR_MANY_LEARNERS,
            **(extra_env or {}),
        }
        if proxy:
            env["BACKEND_URL"] = proxy.url  # the action server reaches the backend only through the proxy
        config = StackConfig(rasa_port=free_port(), action_port=free_port(), backend_port=backend_port,
                             web_port=free_port(), model=Path(model).resolve(), log_dir=keep_logs or workdir / "log",
                             with_web=False, extra_env=env)
        stack = Stack(config)
        try:
            stack.start(timeout=timeout)
            yield OwnStack(stack, proxy, workdir)
        finally:
            stack.stop()
            if proxy:
                proxy.close()

"""Start a service as a child process, wait until it is healthy, and always stop it.

Stdlib only, so both the Rasa and the backend virtual environments can use it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence


class ServiceFailed(RuntimeError):
    pass


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Service:
    """One child process in its own process group, with its output in a log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        inherit_env: bool = True,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = Path(log_path)
        # inherit_env=False: exactly `env`, so a secret in this process's environment (a test
        # that loaded .env, say) does not reach a service that must not hold it.
        self.env = dict(os.environ, **(env or {})) if inherit_env else dict(env or {})
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None

    def start(self) -> Service:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
        )
        log.close()
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_until(self, ready: Callable[[], bool], timeout: float, interval: float = 0.25) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServiceFailed(f"{self.name} exited early:\n{self.log_tail()}")
            if ready():
                return
            time.sleep(interval)
        raise ServiceFailed(f"{self.name} not healthy after {timeout:.0f}s:\n{self.log_tail()}")

    def wait_http(self, url: str, timeout: float = 60.0) -> None:
        self.wait_until(lambda: http_ok(url), timeout)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def running(service: Service, health_url: str | None = None, timeout: float = 60.0) -> Iterator[Service]:
    """Start, wait for health, yield, and stop on the way out, failure included."""
    service.start()
    try:
        if health_url:
            service.wait_http(health_url, timeout)
        yield service
    finally:
        service.stop()

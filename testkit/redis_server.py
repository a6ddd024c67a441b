"""A throwaway Redis server (Debian's redis-server) on a loopback port, for tests and run-scaled.

No persistence (Rasa keeps only short-lived conversation locks there), loopback only, output in
a log file. Stdlib only.
"""
from __future__ import annotations

import shutil
import socket
from pathlib import Path

from testkit.process import Service

REDIS_SERVER = "/usr/bin/redis-server"


def ping(port: int, host: str = "127.0.0.1", timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_service(port: int, work_dir: Path, log_path: Path, host: str = "127.0.0.1") -> Service:
    binary = shutil.which("redis-server") or REDIS_SERVER
    if not Path(binary).exists():
        raise RuntimeError("redis-server not found; run scripts/install-system-packages.sh redis")
    work_dir.mkdir(parents=True, exist_ok=True)
    argv = [binary, "--port", str(port), "--bind", host, "--protected-mode", "yes",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(work_dir),
            "--logfile", ""]
    return Service("redis", argv, log_path)


def start_redis(port: int, work_dir: Path, log_path: Path, timeout: float = 30.0) -> Service:
    service = redis_service(port, work_dir, log_path).start()
    try:
        service.wait_until(lambda: ping(port), timeout)
    except BaseException:
        service.stop()
        raise
    return service

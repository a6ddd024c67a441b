"""The scaled-out stack: two Rasa servers and two action servers behind nginx, sharing a
PostgreSQL tracker store and a Redis lock store, with the backend on PostgreSQL too.

Used by `make run-scaled` (scripts/run_scaled.py), the tests in tests/scale and tests/faults,
and `make soak`, so all of them start the services the same way.

    public (nginx)  --/, /socket.io/, /webhooks/twilio_voice/webhook-->  rasa-1 | rasa-2
    rasa-1, rasa-2  --action endpoint--> nginx (internal) --> actions-1 | actions-2
    actions-*       --BACKEND_URL------> nginx (internal) --> backend
    rasa-*          --tracker store--> PostgreSQL (database rasa_tracker)
                    --lock store-----> Redis
    backend         --DATABASE_URL---> PostgreSQL (database plr_backend)

Every port is a free loopback port unless given; the PostgreSQL cluster is throwaway
(testkit/postgres.py), Redis keeps nothing on disk. Faults can be injected: stop and start
PostgreSQL, Redis or the action servers, SIGKILL a Rasa server, and (tests) point the action
servers at a fault proxy in front of the backend.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from testkit import nginx
from testkit.ports import free_port
from testkit.postgres import PostgresCluster, PostgresError, start_postgres, stop_postgres
from testkit.process import Service, http_ok
from testkit.redis_server import ping as redis_ping
from testkit.redis_server import redis_service
from testkit.service_env import env_for, kind_of
from testkit.stack import ROOT, project_env

TRACKER_DB = "rasa_tracker"
BACKEND_DB = "plr_backend"
# No SQL text in PostgreSQL's log even when a statement fails: it would hold a learner's details.
PG_SETTINGS = {"log_min_error_statement": "panic", "log_min_messages": "warning"}


@dataclass
class EdgeLimits:
    """Per client address limits at nginx (see deploy/nginx.conf.template)."""
    web_rate: str = "20r/s"
    web_burst: int = 200
    voice_rate: str = "20r/s"
    voice_burst: int = 100
    backend_rate: str = "50r/s"
    backend_burst: int = 200
    connections: int = 300

    @classmethod
    def from_env(cls, env: Dict[str, str]) -> EdgeLimits:
        limits = cls()
        for name in ("web_rate", "web_burst", "voice_rate", "voice_burst", "backend_rate", "backend_burst",
                     "connections"):
            value = env.get(f"EDGE_{name.upper()}")
            if value:
                setattr(limits, name, type(getattr(limits, name))(value))
        return limits


@dataclass
class ScaledConfig:
    work_dir: Path
    model: Path = ROOT / "models" / "current.tar.gz"
    host: str = "127.0.0.1"
    public_port: int = 0
    rasa_ports: List[int] = field(default_factory=list)
    action_ports: List[int] = field(default_factory=list)
    actions_lb_port: int = 0
    backend_port: int = 0
    backend_lb_port: int = 0
    web_port: int = 0
    redis_port: int = 0
    console_port: int = 0
    # Tests put a fault proxy between the action servers and the backend.
    actions_backend_url: Optional[str] = None
    edge: EdgeLimits = field(default_factory=EdgeLimits)
    extra_env: Dict[str, str] = field(default_factory=dict)
    postgres_settings: Dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.work_dir = Path(self.work_dir)
        for name in ("public_port", "actions_lb_port", "backend_port", "backend_lb_port", "web_port", "redis_port",
                     "console_port"):
            if not getattr(self, name):
                setattr(self, name, free_port())
        self.rasa_ports = self.rasa_ports or [free_port(), free_port()]
        self.action_ports = self.action_ports or [free_port(), free_port()]

    @property
    def log_dir(self) -> Path:
        return self.work_dir / "log"

    @property
    def public_url(self) -> str:
        # "localhost", not 127.0.0.1: the page's origin, and cookie jars refuse bare IP hosts.
        return f"http://localhost:{self.public_port}"

    @property
    def rasa_urls(self) -> List[str]:
        return [f"http://{self.host}:{port}" for port in self.rasa_ports]

    @property
    def backend_url(self) -> str:
        return f"http://{self.host}:{self.backend_port}"

    @property
    def backend_lb_url(self) -> str:
        return f"http://{self.host}:{self.backend_lb_port}"


class ScaledStack:
    def __init__(self, config: ScaledConfig) -> None:
        self.config = config
        self.services: Dict[str, Service] = {}
        self.postgres: Optional[PostgresCluster] = None
        self.env: Dict[str, str] = project_env()
        self.env.update({
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONUNBUFFERED": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_REGISTER": "False",
            "LOG_LEVEL": "INFO",
        })
        self.env.update(config.extra_env)

    # ------------------------------------------------------------------ environment per service
    def _common_env(self) -> Dict[str, str]:
        c = self.config
        origins = [o.strip() for o in self.env.get("WEB_ALLOWED_ORIGINS", "").split(",") if o.strip()]
        for own in (c.public_url, f"http://127.0.0.1:{c.public_port}"):
            if own not in origins:
                origins.append(own)
        return {
            **self.env,
            "WEB_ALLOWED_ORIGINS": ",".join(origins),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{c.actions_lb_port}/webhook",
            "BACKEND_URL": c.actions_backend_url or c.backend_lb_url,
            "TWILIO_PUBLIC_URL": c.public_url,
            "TRACKER_STORE": "postgresql",
            "LOCK_STORE": "redis",
            "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_PORT": str(self.postgres.port if self.postgres else ""),
            "TRACKER_DB_NAME": TRACKER_DB,
            "TRACKER_DB_USER": "postgres",
            "TRACKER_DB_PASSWORD": "",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(c.redis_port),
            "REDIS_DB": "1",
            "REDIS_PASSWORD": "",
        }

    def _service(self, name: str, argv: List[str], env: Optional[Dict[str, str]] = None) -> Service:
        # Each service holds only its own secrets (testkit/service_env.py); self.env keeps all.
        own = env_for(kind_of(name), env or self._common_env())
        service = Service(name, argv, self.config.log_dir / f"{name}.log", env=own, cwd=ROOT, inherit_env=False)
        self.services[name] = service
        return service

    def rasa_argv(self, index: int) -> List[str]:
        c = self.config
        # The API token comes from RASA_API_TOKEN, not the command line (scripts/rasa_server.py).
        return [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts" / "rasa_server.py"), "--model", str(c.model),
                "--interface", c.host, "--port", str(c.rasa_ports[index]), "--credentials", "credentials.yml",
                "--endpoints", "endpoints.yml", "--enable-api"]

    def actions_argv(self, index: int) -> List[str]:
        return [str(ROOT / ".venv/bin/python"), "-m", "actions.server", "--host", self.config.host,
                "--port", str(self.config.action_ports[index])]

    # ------------------------------------------------------------------ start / stop
    def start(self, timeout: float = 300.0) -> ScaledStack:
        c = self.config
        c.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.postgres = start_postgres(settings={**PG_SETTINGS, **c.postgres_settings})
            self.postgres.create_database(TRACKER_DB)
            self.postgres.create_database(BACKEND_DB)
            self.start_redis()
            backend_env = {**self._common_env(), "BACKEND_PORT": str(c.backend_port), "BIND_HOST": c.host,
                           "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{self.postgres.port}/{BACKEND_DB}"}
            backend = self._service("backend", ["make", "-s", "-C", str(ROOT / "backend"), "run"], backend_env)
            backend.start()
            self._start_nginx()
            for index in range(len(c.action_ports)):
                self.start_actions(index, wait=False)
            # Both Rasa servers load their model at the same time: the slowest part by far.
            for index in range(len(c.rasa_ports)):
                self._rasa(index).start()
            web_env = {**self._common_env(), "RASA_PORT": str(c.public_port), "WEB_SOCKET_URL": "",
                       "CONSOLE_PORT": str(c.console_port)}
            self._service("web", [str(ROOT / ".venv/bin/python"), str(ROOT / "webchat" / "server.py"),
                                  "--host", c.host, "--port", str(c.web_port)], web_env).start()
            self.start_console()
            backend.wait_http(f"{c.backend_url}/healthz", timeout)
            for index in range(len(c.action_ports)):
                self.services[f"actions-{index + 1}"].wait_http(
                    f"http://{c.host}:{c.action_ports[index]}/health", timeout)
            for index in range(len(c.rasa_ports)):
                self.wait_rasa(index, timeout)
            self.services["web"].wait_http(f"http://{c.host}:{c.web_port}/healthz", timeout)
            self.services["console"].wait_http(f"http://127.0.0.1:{c.console_port}/healthz", timeout)
            self.services["nginx"].wait_until(lambda: http_ok(f"{c.public_url}/"), 30)
        except BaseException:
            self.stop()
            raise
        return self

    def start_console(self) -> Service:
        """The staff console (console/), on loopback; nginx serves it at /staff/. It talks to the
        backend directly and to the first Rasa server (both read the shared tracker store)."""
        c = self.config
        env = {**self._common_env(), "BACKEND_URL": c.backend_url, "RASA_URL": c.rasa_urls[0],
               "CONSOLE_DB": str(c.work_dir / "console.db"), "CONSOLE_RUNS_DIR": str(c.work_dir / "console-runs")}
        argv = [str(ROOT / "console/.venv/bin/python"), "-m", "plr_console", "serve",
                "--host", "127.0.0.1", "--port", str(c.console_port)]
        return self._service("console", argv, env).start()

    def _start_nginx(self) -> None:
        c = self.config
        values = {
            "LOG_DIR": c.log_dir, "BIND_HOST": c.host, "PUBLIC_PORT": c.public_port,
            "RASA_1": c.rasa_ports[0], "RASA_2": c.rasa_ports[1],
            "ACTION_1": c.action_ports[0], "ACTION_2": c.action_ports[1],
            "ACTIONS_LB_PORT": c.actions_lb_port, "BACKEND_PORT": c.backend_port,
            "BACKEND_LB_PORT": c.backend_lb_port, "WEB_PORT": c.web_port, "CONSOLE_PORT": c.console_port,
            "WEB_RATE": c.edge.web_rate, "WEB_BURST": c.edge.web_burst,
            "VOICE_RATE": c.edge.voice_rate, "VOICE_BURST": c.edge.voice_burst,
            "BACKEND_RATE": c.edge.backend_rate, "BACKEND_BURST": c.edge.backend_burst,
            "CONN_PER_ADDRESS": c.edge.connections,
            "HELPDESK_PHONE": self.env.get("HELPDESK_PHONE", "0345 602 2589").strip('"'),
        }
        run_dir = c.work_dir / "nginx"
        config = nginx.prepare(run_dir, values)
        service = nginx.nginx_service(run_dir, config, c.log_dir / "nginx.log")
        self.services["nginx"] = service
        service.start()

    def _rasa(self, index: int) -> Service:
        return self._service(f"rasa-{index + 1}", self.rasa_argv(index))

    def wait_rasa(self, index: int, timeout: float = 300.0) -> None:
        self.services[f"rasa-{index + 1}"].wait_http(f"{self.config.rasa_urls[index]}/", timeout)

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()
        if self.postgres is not None:
            stop_postgres(self.postgres)
            self.postgres = None

    def __enter__(self) -> ScaledStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ faults and restarts
    def kill_rasa(self, index: int) -> None:
        self.services[f"rasa-{index + 1}"].kill(signal.SIGKILL)

    def start_actions(self, index: int, wait: bool = True) -> Service:
        c = self.config
        env = {**self._common_env(), "ACTION_PORT": str(c.action_ports[index]),
               "OUTBOX_PATH": str(c.work_dir / f"outbox-{index + 1}.sqlite3")}
        service = self._service(f"actions-{index + 1}", self.actions_argv(index), env)
        service.start()
        if wait:
            service.wait_http(f"http://{c.host}:{c.action_ports[index]}/health", 120)
        return service

    def stop_actions(self) -> None:
        for index in range(len(self.config.action_ports)):
            self.services[f"actions-{index + 1}"].stop()

    def start_redis(self) -> Service:
        c = self.config
        service = redis_service(c.redis_port, c.work_dir / "redis", c.log_dir / "redis.log")
        self.services["redis"] = service
        service.start()
        service.wait_until(lambda: redis_ping(c.redis_port), 30)
        return service

    def stop_redis(self) -> None:
        self.services["redis"].stop()

    def stop_postgres(self) -> None:
        assert self.postgres is not None
        pg = self.postgres
        _pg_ctl(pg, ["-m", "fast", "-w", "stop"])

    def start_postgres(self) -> None:
        assert self.postgres is not None
        pg = self.postgres
        options = {"listen_addresses": pg.host, "port": str(pg.port), "unix_socket_directories": str(pg.root),
                   "max_connections": "200", **PG_SETTINGS, **self.config.postgres_settings}
        opts = " ".join(f"-c {key}={value}" for key, value in options.items())
        _pg_ctl(pg, ["-l", str(pg.log_path), "-o", opts, "-w", "-t", "60", "start"])

    # ------------------------------------------------------------------ what tests read
    def log_files(self) -> List[Path]:
        files = [service.log_path for service in self.services.values()]
        files += sorted(self.config.log_dir.glob("nginx-*.log"))
        if self.postgres is not None:
            files.append(self.postgres.log_path)
        return [path for path in files if path.exists()]

    def rss_kib(self) -> Dict[str, int]:
        """Resident memory of every service's process tree, in KiB (from /proc)."""
        sizes: Dict[str, int] = {}
        for name, service in self.services.items():
            if service.alive():
                sizes[name] = _tree_rss(service.proc.pid)
        if self.postgres is not None:
            try:
                pid = int((self.postgres.data_dir / "postmaster.pid").read_text().split()[0])
                sizes["postgres"] = _tree_rss(pid)
            except (OSError, ValueError, IndexError):
                pass
        return sizes


def _pg_ctl(pg: PostgresCluster, args: List[str]) -> None:
    argv = [str(pg.bin_dir / "pg_ctl"), "-D", str(pg.data_dir), *args]
    if pg.run_as is not None:
        argv = ["runuser", "-u", pg.run_as, "--"] + argv
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise PostgresError(f"pg_ctl {' '.join(args[-1:])} failed: {result.stderr.strip()}\n{pg.log_tail()}")


def _children(pid: int) -> List[int]:
    kids: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def _tree_rss(pid: int) -> int:
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
        stack += _children(current)
    return total


def new_work_dir(prefix: str = "plr-scaled-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_work_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def wait_for(predicate, timeout: float, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()

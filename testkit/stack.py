"""The assistant's local stack: backend, action server, Rasa server (and web page when built).

Used by `make run` (scripts/run_stack.py) and by the end-to-end tests, so both start the
services the same way. Ports and URLs come from one place: `StackConfig`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

from testkit.process import Service
from testkit.service_env import env_for, kind_of

ROOT = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> Dict[str, str]:
    """A .env file's values, read by python-dotenv as every service reads it (keys without a
    value are left out, as unset)."""
    from dotenv import dotenv_values

    if not path.exists():
        return {}
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def project_env() -> Dict[str, str]:
    """The project's .env (or $PLR_ENV_FILE) under the real environment, which wins, as
    python-dotenv does in each service."""
    return {**read_env_file(Path(os.environ.get("PLR_ENV_FILE", ROOT / ".env"))), **os.environ}


@dataclass
class StackConfig:
    # `host`: where the public services listen (the Rasa server, whose internal routes refuse
    # outsiders by themselves, and the web page); `internal_host`: the backend and the action
    # server, which have no public part (security review M2).
    host: str = "127.0.0.1"
    internal_host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    backend_port: int = 8000
    web_port: int = 8080
    model: Path = ROOT / "models" / "current.tar.gz"
    log_dir: Path = ROOT / "var" / "log"
    extra_env: Dict[str, str] = field(default_factory=dict)
    with_backend: bool = True
    with_web: bool = True
    # The staff console (console/): started by `make run` and the console's own browser tests.
    with_console: bool = False
    console_port: int = 8070

    @classmethod
    def from_env(cls, env: Dict[str, str], **overrides) -> StackConfig:
        def port(key: str, default: int) -> int:
            return int(env.get(key) or default)

        config = cls(
            # BIND_HOST is the older name of PUBLIC_BIND_HOST: existing .env files keep working.
            host=env.get("PUBLIC_BIND_HOST") or env.get("BIND_HOST") or "127.0.0.1",
            internal_host=env.get("INTERNAL_BIND_HOST") or "127.0.0.1",
            rasa_port=port("RASA_PORT", 5005),
            action_port=port("ACTION_PORT", 5055),
            backend_port=port("BACKEND_PORT", 8000),
            web_port=port("WEB_PORT", 8080),
            console_port=port("CONSOLE_PORT", 8070),
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return config

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.internal_host}:{self.action_port}"

    @property
    def backend_url(self) -> str:
        return f"http://{self.internal_host}:{self.backend_port}"

    @property
    def web_url(self) -> str:
        return f"http://localhost:{self.web_port}"


class Stack:
    """Starts the services in dependency order and stops them in reverse order."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.services: Dict[str, Service] = {}
        self.env = project_env()
        self.env.update(
            {
                "BACKEND_PORT": str(config.backend_port),
                "ACTION_PORT": str(config.action_port),
                "RASA_PORT": str(config.rasa_port),
                "WEB_PORT": str(config.web_port),
                "CONSOLE_PORT": str(config.console_port),
                "BACKEND_URL": config.backend_url,
                "ACTION_ENDPOINT_URL": f"{config.action_url}/webhook",
                "RASA_URL": config.rasa_url,
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONUNBUFFERED": "1",
                "RASA_TELEMETRY_ENABLED": "false",
                "SANIC_REGISTER": "False",
            }
        )
        self.env.update(config.extra_env)
        # The page this stack serves may always talk to its Rasa, whatever port it is on.
        origins = [o.strip() for o in self.env.get("WEB_ALLOWED_ORIGINS", "").split(",") if o.strip()]
        for own in (f"http://localhost:{config.web_port}", f"http://127.0.0.1:{config.web_port}"):
            if own not in origins:
                origins.append(own)
        self.env["WEB_ALLOWED_ORIGINS"] = ",".join(origins)

    def service_env(self, name: str) -> Dict[str, str]:
        """What service `name` is started with: `self.env` less the secrets it does not use
        (testkit/service_env.py). `self.env` keeps them all, for tests and tools."""
        env = env_for(kind_of(name), self.env)
        if kind_of(name) == "backend":
            # `plr_backend serve` listens on BIND_HOST, which in .env is the public address.
            env["BIND_HOST"] = self.config.internal_host
        return env

    def _service(self, name: str, argv: List[str]) -> Service:
        service = Service(name, argv, self.config.log_dir / f"{name}.log", env=self.service_env(name),
                          cwd=ROOT, inherit_env=False)
        self.services[name] = service
        return service

    def backend_argv(self) -> List[str]:
        return ["make", "-s", "-C", str(ROOT / "backend"), "run"]

    def actions_argv(self) -> List[str]:
        return [str(ROOT / ".venv/bin/python"), "-m", "actions.server", "--port", str(self.config.action_port),
                "--host", self.config.internal_host]

    def rasa_argv(self) -> List[str]:
        """`rasa run` through scripts/rasa_server.py, which takes the API token from
        RASA_API_TOKEN in the environment: on the command line every local user could read it."""
        origins = self.env.get("WEB_ALLOWED_ORIGINS", "").split(",")
        argv = [
            str(ROOT / ".venv/bin/python"), str(ROOT / "scripts" / "rasa_server.py"),
            "--model", str(self.config.model),
            "--interface", self.config.host,
            "--port", str(self.config.rasa_port),
            "--credentials", "credentials.yml",
            "--endpoints", "endpoints.yml",
            "--enable-api",
        ]
        for origin in filter(None, (o.strip() for o in origins)):
            argv += ["--cors", origin]
        return argv

    # The staff console, on loopback: the web page's server passes /staff/ to it.
    def console_argv(self) -> List[str]:
        return [str(ROOT / "console/.venv/bin/python"), "-m", "plr_console", "serve",
                "--host", "127.0.0.1", "--port", str(self.config.console_port)]

    # Least privilege by allow-list: the staff key, Rasa's API token, its own CSRF secret and
    # the first admin's account; no other service's secret, and no .env of its own.
    CONSOLE_KEYS = frozenset({
        "STAFF_API_KEY", "RASA_API_TOKEN", "CONSOLE_SECRET", "STAFF_ADMIN_USER", "STAFF_ADMIN_PASSWORD",
        "BACKEND_URL", "RASA_URL", "CONSOLE_PORT", "CONSOLE_DB", "CONSOLE_RUNS_DIR", "BIND_HOST",
        "PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONUNBUFFERED", "LOG_LEVEL"})

    def console_env(self) -> Dict[str, str]:
        env = {key: value for key, value in self.env.items() if key in self.CONSOLE_KEYS}
        env["PLR_ENV_FILE"] = os.devnull
        return env

    def start_console(self, timeout: float) -> None:
        service = Service("console", self.console_argv(), self.config.log_dir / "console.log",
                          env=self.console_env(), cwd=ROOT, inherit_env=False)
        self.services["console"] = service
        service.start().wait_http(f"http://127.0.0.1:{self.config.console_port}/healthz", timeout)

    # The web chat page (webchat/server.py, stdlib only); health at /healthz.
    def web_argv(self) -> List[str]:
        return [str(ROOT / ".venv/bin/python"), str(ROOT / "webchat" / "server.py"),
                "--host", self.config.host, "--port", str(self.config.web_port)]

    def start(self, timeout: float = 180.0) -> Stack:
        try:
            if self.config.with_backend:
                self._service("backend", self.backend_argv()).start().wait_http(
                    f"{self.config.backend_url}/healthz", timeout)
            self._service("actions", self.actions_argv()).start().wait_http(
                f"{self.config.action_url}/health", timeout)
            self._service("rasa", self.rasa_argv()).start().wait_http(
                f"{self.config.rasa_url}/", timeout)
            if self.config.with_console:
                self.start_console(timeout)
            if self.config.with_web:
                self._service("web", self.web_argv()).start().wait_http(
                    f"http://{self.config.host}:{self.config.web_port}/healthz", timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()



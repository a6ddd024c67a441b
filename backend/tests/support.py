"""Test helpers: synthetic people, and a real backend process on a free port."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from plr_backend.register import make_uln
from plr_backend.settings import normalise_database_url
from testkit.ports import free_port
from testkit.process import Service

# The repository root, where testkit lives: pytest finds it through pythonpath in pyproject.toml (and
# the Makefile for bench/bench.py).
REPO = Path(__file__).resolve().parents[2]

PYTHON = sys.executable
REFERENCE_RE = r"^PLR-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$"

# Every personal value a test sends or loads; the last test checks that none reached a log.
PERSONAL_VALUES: set[str] = set()

_GIVEN = ("Ffion", "Osian", "Mabli", "Gethin", "Priya", "Tomos", "Aoife", "Yusuf", "Lowri", "Idris")
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
_counter = itertools.count(1)
_rng = random.Random(4242)


def _letters(n: int) -> str:
    out = ""
    n += 26 * 27  # at least three letters
    while n:
        n, r = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
    return out.capitalize()


def remember(*values: str | None) -> None:
    for value in values:
        if value:
            PERSONAL_VALUES.add(value)


def person(**overrides) -> dict:
    """A request body for a made-up learner, different from every other one in the run."""
    n = next(_counter)
    given = _rng.choice(_GIVEN)
    family = f"Testperson-{_letters(n)}"
    born = date(1970, 1, 1) + timedelta(days=_rng.randint(0, 365 * 35))
    body = {
        "type": "opt_out",
        "given_name": given,
        "family_name": family,
        "previous_family_name": None,
        "date_of_birth": born.isoformat(),
        "postcode": f"CV{_rng.randint(1, 9)} {_rng.randint(1, 9)}{_rng.choice(INWARD)}{_rng.choice(INWARD)}",
        "uln": make_uln(_rng),
        "contact_email": f"{given.lower()}.{family.lower()}@example.org",
        "channel": "web",
        # Ofcom reserves 07700 900000-900999 for fiction: a phone-number-like id that is nobody's.
        "conversation_id": f"+447700900{n % 1000:03d}-{uuid.uuid4().hex[:6]}",
    }
    body.update(overrides)
    remember(
        f"{body['given_name']} {body['family_name']}",
        body["family_name"],
        body.get("previous_family_name"),
        body["date_of_birth"],
        body["postcode"],
        body.get("uln"),
        body.get("contact_email"),
        body["conversation_id"],
    )
    return body


def new_key() -> str:
    return f"idem-{uuid.uuid4()}"


@dataclass
class Keys:
    actions: str
    staff: str
    fernet: str
    hashing: str


@dataclass
class BackendServer:
    """One backend process over one database, started and stopped by the tests."""

    name: str
    database_url: str
    keys: Keys
    log_dir: Path
    env_file: Path
    retention_days: int = 365
    # Settings a test adds or overrides (e.g. a short RETENTION_SWEEP_SECONDS).
    extra_env: dict = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    service: Service | None = None

    @property
    def env(self) -> dict:
        # Every key is passed explicitly: a developer's exported variables must not leak in.
        return {
            "PLR_ENV_FILE": str(self.env_file),
            "ACTIONS_API_KEY": self.keys.actions,
            "STAFF_API_KEY": self.keys.staff,
            "BACKEND_ENCRYPTION_KEY": self.keys.fernet,
            "BACKEND_HASH_KEY": self.keys.hashing,
            "DATABASE_URL": self.database_url,
            "BACKEND_PORT": str(self.port),
            "BIND_HOST": "127.0.0.1",
            "RETENTION_DAYS": str(self.retention_days),
            "LOG_LEVEL": "INFO",
            # The fuzz tests read the service's own OpenAPI document; production leaves it off.
            "BACKEND_OPENAPI": "true",
            **self.extra_env,
        }

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(
        self, *args: str, check: bool = True, extra_env: dict | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        env = {**os.environ, **self.env, **(extra_env or {})}
        result = subprocess.run(
            [PYTHON, "-m", "plr_backend", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=self.log_dir,
        )
        # Command logs (stderr) join the run's logs, which the last test scans for personal data.
        with self.log_path.open("a") as handle:
            handle.write(result.stderr)
        if check and result.returncode != 0:
            raise AssertionError(
                f"plr_backend {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def migrate(self) -> None:
        self.cli("migrate")

    def start(self, timeout: float = 60) -> BackendServer:
        self.service = Service(
            self.name, [PYTHON, "-m", "plr_backend", "serve"], self.log_path, env=self.env, cwd=self.log_dir
        )
        self.service.start()
        try:
            self.service.wait_http(f"{self.base_url}/healthz", timeout)
        except BaseException:
            self.service.stop()
            raise
        return self

    def stop(self) -> None:
        if self.service:
            self.service.stop()

    def kill(self) -> None:
        if self.service:
            self.service.kill()

    def client(self, role: str | None = None, **kwargs) -> httpx.Client:
        headers = {}
        if role:
            headers["Authorization"] = f"Bearer {getattr(self.keys, role)}"
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **kwargs)

    def engine(self) -> Engine:
        return create_engine(normalise_database_url(self.database_url))

    def count_rows(self, table: str = "requests") -> int:
        engine = self.engine()
        try:
            with engine.connect() as connection:
                return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        finally:
            engine.dispose()


def submit(client: httpx.Client, body: dict, key: str | None = None) -> httpx.Response:
    return client.post("/v1/requests", json=body, headers={"Idempotency-Key": key or new_key()})


def check_status(client: httpx.Client, reference: str, date_of_birth: str) -> httpx.Response:
    """The actions key's status check: the date of birth in the body, never in the URL."""
    return client.post(f"/v1/requests/{reference}/status-check", json={"date_of_birth": date_of_birth})

"""Shared fixtures: the repository root on sys.path, the trained model, and the live stack."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# PLR_MODEL lets a developer point the suites at another trained model.
MODEL = Path(os.environ.get("PLR_MODEL", ROOT / "models" / "current.tar.gz"))


@pytest.fixture(scope="session")
def trained_model() -> Path:
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train` (make test does it first).")
    return MODEL.resolve()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, trained_model):
    """Backend (fresh SQLite), action server and Rasa server on free loopback ports."""
    from testkit.limits import ONE_CLIENT_FOR_MANY_LEARNERS
    from testkit.ports import free_port
    from testkit.stack import Stack, StackConfig

    workdir = tmp_path_factory.mktemp("stack")
    config = StackConfig(
        rasa_port=free_port(),
        action_port=free_port(),
        backend_port=free_port(),
        web_port=free_port(),
        model=trained_model,
        log_dir=workdir / "log",
        with_web=False,
        extra_env={
            "DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}",
            "OUTBOX_PATH": str(workdir / "outbox.sqlite3"),
            # Every test's learners come from 127.0.0.1 (testkit/limits.py).
            **ONE_CLIENT_FOR_MANY_LEARNERS,
        },
    )
    with Stack(config) as running:
        yield running


@pytest.fixture(scope="session")
def agent(trained_model):
    """The trained assistant loaded in-process (NLU and policies, no action server)."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import read_endpoint_config

    # The NLG that endpoints.yml names, so responses carry their contact details as served.
    return Agent.load(str(trained_model), generator=read_endpoint_config(str(ROOT / "endpoints.yml"), "nlg"))


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory):
    """One Debian redis-server on a free loopback port, for the suites that need a real Redis."""
    from testkit.ports import free_port
    from testkit.redis_server import start_redis

    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    service = start_redis(port, folder, folder / "redis.log")
    try:
        yield port
    finally:
        service.stop()


def run(coro):
    import asyncio

    return asyncio.new_event_loop().run_until_complete(coro)

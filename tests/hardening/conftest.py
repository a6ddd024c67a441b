"""A stack of its own with the abuse limits low enough to reach in a test, and the test runner
trusted as a proxy (TRUSTED_PROXIES=127.0.0.1/32), so each test speaks for the client addresses
it names in X-Forwarded-For. Every test uses addresses of its own (documentation ranges), so
the tests do not share an allowance."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Dict, Optional, Tuple

import pytest

LIMITS = {
    "TRUSTED_PROXIES": "127.0.0.1/32",
    # The learners below speak over REST from documentation addresses, through the trusted
    # loopback proxy; REST is for staff networks only (channels/internal_routes.py).
    "STAFF_NETWORKS": "192.0.2.0/24,203.0.113.0/24",
    "WEB_SESSIONS_PER_SOCKET_PER_MINUTE": "3",
    "WEB_SESSIONS_PER_SOCKET_BURST": "3",
    "WEB_SESSIONS_PER_ADDRESS_PER_MINUTE": "10",
    "WEB_SESSIONS_PER_ADDRESS_BURST": "10",
    "MESSAGES_PER_ADDRESS_PER_MINUTE": "60",
    "MESSAGES_PER_ADDRESS_BURST": "20",
    "REST_SENDERS_PER_ADDRESS_PER_MINUTE": "5",
    "REST_SENDERS_PER_ADDRESS_BURST": "5",
    "VOICE_CALLS_PER_CALLER_PER_MINUTE": "0.5",
    "VOICE_CALLS_PER_CALLER_BURST": "3",
    "PLR_MAX_TURNS_WAITING": "12",
    "PLR_MAX_TURNS_WAITING_PER_ADDRESS": "4",
}


@pytest.fixture(scope="session")
def limited(tmp_path_factory, trained_model):
    """Backend, action server, Rasa server and web page with the limits above."""
    from testkit.ports import free_port
    from testkit.stack import Stack, StackConfig

    workdir = tmp_path_factory.mktemp("limited")
    config = StackConfig(
        rasa_port=free_port(), action_port=free_port(), backend_port=free_port(), web_port=free_port(),
        model=trained_model, log_dir=workdir / "log", with_web=True,
        extra_env={"DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}",
                   "OUTBOX_PATH": str(workdir / "outbox.sqlite3"), **LIMITS},
    )
    with Stack(config) as running:
        yield running


def post_json(url: str, body: object, address: Optional[str] = None, raw: Optional[bytes] = None,
              timeout: float = 60.0) -> Tuple[int, Dict[str, str], object]:
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if address:
        headers["X-Forwarded-For"] = address
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, head, payload = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, head, payload = error.code, dict(error.headers), error.read()
    try:
        return status, head, json.loads(payload)
    except ValueError:
        return status, head, payload.decode(errors="replace")


def rest(stack, sender: str, text: str, address: Optional[str] = None) -> Tuple[int, Dict[str, str], object, float]:
    started = time.monotonic()
    status, head, body = post_json(f"{stack.config.rasa_url}/webhooks/rest/webhook",
                                   {"sender": sender, "message": text}, address)
    return status, head, body, time.monotonic() - started

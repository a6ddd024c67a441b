"""The action server's backend client against the real backend service, through a fault
proxy where a failure has to be produced on demand."""
from __future__ import annotations

import asyncio
import re
import time
import uuid

from actions.backend_client import (
    BackendClient,
    Refused,
    StatusFound,
    StatusLocked,
    StatusNotFound,
    Submitted,
    Unavailable,
)
from actions.outbox import Outbox, deliver_pending
from actions.settings import load_settings
from testkit.faultproxy import FaultProxy

REFERENCE = re.compile(r"^PLR-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")


def payload(**changes):
    body = {
        "type": "opt_out", "given_name": "Testy", "family_name": "McTestface", "date_of_birth": "2001-04-03",
        "postcode": "SW1A 1AA", "uln": "1748529632", "channel": "web", "conversation_id": "conv-" + uuid.uuid4().hex,
    }
    body.update(changes)
    return body


def client_for(url: str, monkeypatch, **env) -> BackendClient:
    monkeypatch.setenv("BACKEND_URL", url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return BackendClient(load_settings())


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def test_submit_and_read_status(backend, client_env):
    client = client_for(backend.url, client_env)
    result = run(client.submit(payload(), uuid.uuid4().hex))
    assert isinstance(result, Submitted) and REFERENCE.match(result.reference)
    assert result.status == "received"
    assert run(client.status(result.reference, "2001-04-03")) == StatusFound(result.reference, "received")
    # A wrong date of birth is indistinguishable from an unknown reference.
    assert isinstance(run(client.status(result.reference, "2001-04-04")), StatusNotFound)
    assert isinstance(run(client.status("PLR-2222-3333", "2001-04-03")), StatusNotFound)


def test_five_wrong_dates_of_birth_lock_the_reference(backend, client_env):
    client = client_for(backend.url, client_env)
    reference = run(client.submit(payload(), uuid.uuid4().hex)).reference
    for day in range(1, 6):
        assert isinstance(run(client.status(reference, f"1990-01-0{day}")), StatusNotFound)
    locked = run(client.status(reference, "2001-04-03"))  # even the right one, for 15 minutes
    assert isinstance(locked, StatusLocked) and 0 < locked.retry_after <= 900
    log = backend.service.log_path.read_text()
    assert "2001-04-03" not in log and "1990-01-0" not in log


def test_same_key_twice_is_stored_once(backend, client_env):
    client = client_for(backend.url, client_env)
    key, body = uuid.uuid4().hex, payload()
    first, second = run(client.submit(body, key)), run(client.submit(body, key))
    assert first.reference == second.reference
    assert len(backend.all_requests()) == 1


def test_wrong_key_is_refused_401(backend, client_env):
    client = client_for(backend.url, client_env, ACTIONS_API_KEY="not-the-key")
    result = run(client.submit(payload(), uuid.uuid4().hex))
    assert isinstance(result, Refused) and result.status_code == 401
    assert not result.final, "a key problem is not the request's fault: the outbox keeps it"


def test_same_key_other_body_is_refused_409(backend, client_env):
    client = client_for(backend.url, client_env)
    key = uuid.uuid4().hex
    assert isinstance(run(client.submit(payload(), key)), Submitted)
    result = run(client.submit(payload(postcode="LS1 4AW"), key))
    assert isinstance(result, Refused) and result.status_code == 409 and result.final


def test_invalid_body_is_refused_422_naming_the_field(backend, client_env):
    client = client_for(backend.url, client_env)
    result = run(client.submit(payload(uln="1748529631"), uuid.uuid4().hex))
    assert isinstance(result, Refused) and result.status_code == 422 and result.field == "uln" and result.final
    assert backend.all_requests() == []


def test_5xx_and_429_are_retried_then_succeed(backend, client_env):
    proxy = FaultProxy(("127.0.0.1", backend.port))
    try:
        proxy.plan("status:503", "status:429")
        client = client_for(proxy.url, client_env)
        result = run(client.submit(payload(), uuid.uuid4().hex))
        assert isinstance(result, Submitted)
        assert proxy.seen["status:503"] == 1 and proxy.seen["status:429"] == 1 and proxy.seen["pass"] == 1
    finally:
        proxy.close()


def test_persistent_5xx_gives_up_within_the_budget(backend, client_env):
    proxy = FaultProxy(("127.0.0.1", backend.port))
    proxy.default = "status:500"
    try:
        client = client_for(proxy.url, client_env)
        started = time.monotonic()
        result = run(client.submit(payload(), uuid.uuid4().hex))
        assert isinstance(result, Unavailable) and result.reason == "http 500"
        assert time.monotonic() - started < 5
    finally:
        proxy.close()


def test_hanging_backend_times_out_within_the_budget(backend, client_env):
    proxy = FaultProxy(("127.0.0.1", backend.port))
    proxy.default = "hang"
    try:
        client = client_for(proxy.url, client_env)
        started = time.monotonic()
        result = run(client.submit(payload(), uuid.uuid4().hex))
        elapsed = time.monotonic() - started
        assert isinstance(result, Unavailable) and result.reason == "timeout"
        assert elapsed < 5, elapsed
    finally:
        proxy.close()


def test_lost_answer_is_retried_without_a_duplicate(backend, client_env):
    proxy = FaultProxy(("127.0.0.1", backend.port))
    proxy.plan("drop_after_forward")  # the backend stores it, the answer never arrives
    try:
        client = client_for(proxy.url, client_env)
        result = run(client.submit(payload(), uuid.uuid4().hex))
        assert isinstance(result, Submitted)
        assert proxy.seen["drop_after_forward"] == 1
        assert len(backend.all_requests()) == 1
    finally:
        proxy.close()


def test_outbox_delivers_once_when_the_backend_returns(tmp_path, client_env):
    from tests.integration.conftest import Backend

    backend = Backend(tmp_path)
    client = client_for(backend.url, client_env)  # nothing listens there yet: refused
    key, body = uuid.uuid4().hex, payload()
    assert isinstance(run(client.submit(body, key)), Unavailable)
    settings = load_settings()
    outbox = Outbox(settings.outbox_path, settings.outbox_key)
    outbox.put(key, body)
    outbox.put(key, body)  # a second save of the same request is one row
    assert outbox.count() == 1
    assert b"McTestface" not in settings.outbox_path.read_bytes(), "personal fields are encrypted at rest"
    assert run(deliver_pending(outbox, client)) == 0  # still down: stays pending
    assert outbox.count() == 1
    backend.start()
    try:
        assert run(deliver_pending(outbox, client)) == 1
        assert outbox.count() == 0 and outbox.count("delivered") == 1
        assert run(deliver_pending(outbox, client)) == 0
        stored = backend.all_requests()
        assert len(stored) == 1 and stored[0]["family_name"] == "McTestface"
    finally:
        backend.stop()

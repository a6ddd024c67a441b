"""The outbox against the real backend: a key rotated during an outage loses nothing, and a
request the backend refuses reaches staff as an undeliverable request (API and CLI)."""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sqlite3
import subprocess
import time
import uuid

from actions.backend_client import BackendClient, Unavailable
from actions.outbox import Outbox, deliver_pending
from actions.settings import load_settings
from testkit.stack import ROOT
from tests.integration.conftest import Backend

LATER = 10_000.0


def payload(**changes):
    body = {"type": "opt_out", "given_name": "Testy", "family_name": "Testperson-Rotation",
            "date_of_birth": "2001-04-03", "postcode": "SW1A 1AA", "uln": "1748529632", "channel": "web",
            "conversation_id": "conv-" + uuid.uuid4().hex}
    body.update(changes)
    return body


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def client_with(monkeypatch, url: str, key: str) -> BackendClient:
    monkeypatch.setenv("BACKEND_URL", url)
    monkeypatch.setenv("ACTIONS_API_KEY", key)
    return BackendClient(load_settings())


def states(outbox: Outbox):
    with sqlite3.connect(outbox.path) as conn:
        return conn.execute("SELECT state, length(payload) FROM outbox ORDER BY created_at").fetchall()


def test_actions_key_rotated_during_an_outage_loses_nothing(tmp_path, client_env, caplog):
    backend = Backend(tmp_path)
    old_key = backend.env["ACTIONS_API_KEY"]
    old = client_with(client_env, backend.url, old_key)
    settings = load_settings()
    outbox = Outbox(settings.outbox_path, settings.outbox_key)

    # 1. The backend is down: the learner's request goes to the outbox.
    key, body = uuid.uuid4().hex, payload()
    assert isinstance(run(old.submit(body, key)), Unavailable)
    outbox.put(key, body)
    assert run(deliver_pending(outbox, old)) == 0 and outbox.count() == 1

    # 2. It comes back with a new actions key: the old one gets 401. The row stays, with an ALERT.
    new_key = secrets.token_urlsafe(24)
    backend.service.env["ACTIONS_API_KEY"] = new_key
    backend.start()
    try:
        with caplog.at_level(logging.ERROR, logger="actions.outbox"):
            for _ in range(3):
                assert run(deliver_pending(outbox, old, now=time.time() + LATER)) == 0
        assert states(outbox) == [("pending", states(outbox)[0][1])] and states(outbox)[0][1] > 0
        assert "ALERT outbox: 1 requests pending, backend refused with http 401" in caplog.text
        assert backend.all_requests() == []

        # 3. The action side gets the new key (a restart wakes every row): delivered, once.
        new = client_with(client_env, backend.url, new_key)
        restarted = Outbox(settings.outbox_path, settings.outbox_key)
        restarted.wake()
        assert run(deliver_pending(restarted, new)) == 1
        assert states(restarted) == [("delivered", 0)], "a delivered row keeps no details"
        stored = backend.all_requests()
        assert len(stored) == 1 and stored[0]["conversation_id"] == body["conversation_id"]
        assert run(deliver_pending(restarted, new, now=time.time() + LATER)) == 0
        assert len(backend.all_requests()) == 1
    finally:
        backend.stop()


def test_a_refused_request_reaches_staff_as_undeliverable(backend, client_env, caplog):
    client = client_with(client_env, backend.url, backend.env["ACTIONS_API_KEY"])
    settings = load_settings()
    outbox = Outbox(settings.outbox_path, settings.outbox_key)
    refused = payload(uln="1748529631", family_name="Testperson-Deadletter")  # a wrong check digit
    outbox.put("refused-" + uuid.uuid4().hex, refused)
    outbox.put("fine-" + uuid.uuid4().hex, payload())
    with caplog.at_level(logging.ERROR, logger="actions.outbox"):
        assert run(deliver_pending(outbox, client)) == 1
    assert "ALERT outbox: the backend refused a request (http 422)" in caplog.text
    assert [s for s, _ in states(outbox)] == ["delivered", "delivered"]  # forwarded: nothing left to do
    assert all(length == 0 for _, length in states(outbox))

    letters = backend.staff_get("/v1/undeliverable")["items"]
    assert len(letters) == 1
    assert (letters[0]["http_status"], letters[0]["field"]) == (422, "uln")
    assert letters[0]["request"]["family_name"] == "Testperson-Deadletter"
    assert len(backend.all_requests()) == 1

    cli = subprocess.run([str(ROOT / "backend/.venv/bin/python"), "-m", "plr_backend", "dead-letters"],
                         env={**os.environ, **backend.env}, capture_output=True, text=True, timeout=60, check=True)
    assert "Testy Testperson-Deadletter" in cli.stdout and "http 422 (uln)" in cli.stdout


def test_refusals_that_are_not_the_requests_fault_keep_it_until_they_stop(backend, client_env, caplog):
    """The review's case: a 401 through a proxy for a while, and a BACKEND_URL with a wrong path
    (404 from the real backend); then the right answers, and exactly one stored request each."""
    from testkit.faultproxy import FaultProxy

    settings = load_settings()
    outbox = Outbox(settings.outbox_path, settings.outbox_key)
    good_key = backend.env["ACTIONS_API_KEY"]
    proxy = FaultProxy(("127.0.0.1", backend.port))
    try:
        proxy.default = "status:401"
        first = payload()
        outbox.put("proxy-" + uuid.uuid4().hex, first)
        through_proxy = client_with(client_env, proxy.url, good_key)
        with caplog.at_level(logging.ERROR, logger="actions.outbox"):
            for round_ in range(1, 4):  # each round past the previous one's backoff
                assert run(deliver_pending(outbox, through_proxy, now=time.time() + round_ * LATER)) == 0
            wrong_path = client_with(client_env, backend.url + "/not-the-api", good_key)
            assert run(deliver_pending(outbox, wrong_path, now=time.time() + 4 * LATER)) == 0
        alerts = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ALERT outbox")]
        assert alerts == ["ALERT outbox: 1 requests pending, backend refused with http 401"] * 3 + [
            "ALERT outbox: 1 requests pending, backend refused with http 404"]
        assert outbox.count("pending") == 1 and backend.all_requests() == []
        proxy.default = "pass"
        assert run(deliver_pending(outbox, through_proxy, now=time.time() + 5 * LATER)) == 1
    finally:
        proxy.close()
    stored = backend.all_requests()
    assert [r["conversation_id"] for r in stored] == [first["conversation_id"]]

"""The outbox never drops a request in silence: how each kind of answer is handled, with a fake
backend client that answers what each test needs (the real backend: tests/integration)."""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import pytest
from cryptography.fernet import Fernet

from actions.backend_client import Forwarded, Refused, Submitted, Unavailable
from actions.outbox import Outbox, deliver_pending
from actions.request_keys import idempotency_key

BODY = {"type": "opt_out", "given_name": "Testy", "family_name": "Testperson-Outbox", "date_of_birth": "2001-04-03",
        "postcode": "SW1A 1AA", "channel": "web", "conversation_id": "conv-outbox"}
LATER = 10_000.0  # seconds: past any backoff


class FakeClient:
    def __init__(self, *answers, forward=None):
        self.answers = list(answers)
        self.forward_answers = list(forward or [])
        self.submitted, self.forwarded = [], []

    async def submit(self, payload, key):
        self.submitted.append((key, payload))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    async def forward_undeliverable(self, key, refused, payload):
        self.forwarded.append((key, refused.status_code, refused.field, payload))
        return self.forward_answers.pop(0) if self.forward_answers else Forwarded()


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def rows(outbox):
    with sqlite3.connect(outbox.path) as conn:
        return conn.execute("SELECT idempotency_key, state, payload, attempts, next_attempt_at, http_status "
                            "FROM outbox ORDER BY created_at").fetchall()


@pytest.fixture
def outbox(tmp_path):
    return Outbox(tmp_path / "outbox.sqlite3", Fernet.generate_key().decode())


@pytest.mark.parametrize("answer", [
    Refused(401, None, "a valid API key is required"),
    Refused(403, None, ""),
    Refused(404, None, "Not Found"),
    Refused(405, None, ""),
    Refused(408, None, ""),
    Refused(413, None, ""),
    Refused(415, None, ""),
    Refused(302, None, "", is_json=False),
    Refused(200, None, "", is_json=False),   # a proxy's HTML page
    Refused(201, None, ""),                  # our JSON, but no reference
    Refused(422, None, "", is_json=False),   # not the backend's answer
])
def test_connection_or_configuration_refusals_keep_the_request_pending_with_an_alert(outbox, caplog, answer):
    for n in range(3):
        outbox.put(f"key-{n}", {**BODY, "conversation_id": f"conv-{n}"})
    with caplog.at_level(logging.ERROR, logger="actions.outbox"):
        assert run(deliver_pending(outbox, FakeClient(answer))) == 0
    assert outbox.count("pending") == 3 and outbox.count("dead_letter") == 0
    alerts = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert f"ALERT outbox: 3 requests pending, backend refused with http {answer.status_code}" in alerts[0]
    assert "Testperson" not in caplog.text
    # Backoff: not tried again straight away, all three held back.
    before = time.time()
    assert all(row[4] > before for row in rows(outbox))
    client = FakeClient(Submitted("PLR-2345-6789", "received", ""))
    assert run(deliver_pending(outbox, client)) == 0 and client.submitted == []
    # Once it answers properly, everything goes, and the delivered rows keep no details.
    assert run(deliver_pending(outbox, client, now=time.time() + LATER)) == 3
    assert outbox.count("pending") == 0 and outbox.count("delivered") == 3
    assert all(row[2] == b"" for row in rows(outbox))


def test_backoff_doubles_and_is_capped(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", Fernet.generate_key(), retry_seconds=5, max_backoff=30)
    outbox.put("k", BODY)
    waits, now = [], time.time()
    for _ in range(5):
        run(deliver_pending(outbox, FakeClient(Refused(401, None, "")), now=now))
        next_at = rows(outbox)[0][4]
        waits.append(round(next_at - now))
        now = next_at
    assert waits == [5, 10, 20, 30, 30]


def test_an_outage_is_retried_every_round_without_backoff(outbox, caplog):
    outbox.put("k", BODY)
    with caplog.at_level(logging.WARNING, logger="actions.outbox"):
        run(deliver_pending(outbox, FakeClient(Unavailable("timeout"))))
    assert rows(outbox)[0][1:2] == ("pending",) and rows(outbox)[0][4] == 0
    assert "1 requests pending, backend unavailable (timeout)" in caplog.text


@pytest.mark.parametrize("status", [422, 409])
def test_a_refusal_of_the_request_itself_becomes_a_dead_letter_forwarded_to_staff(outbox, caplog, status):
    outbox.put("bad", {**BODY, "uln": "1748529631"})
    outbox.put("good", BODY)
    client = FakeClient(Refused(status, "uln", "invalid"), Submitted("PLR-2345-6789", "received", ""),
                        forward=[Unavailable("timeout")])
    with caplog.at_level(logging.ERROR, logger="actions.outbox"):
        assert run(deliver_pending(outbox, client)) == 1  # the next request is not held up
    assert outbox.count("dead_letter") == 1 and outbox.count("delivered") == 1
    assert "ALERT outbox: 1 refused requests not yet with staff, forwarding failed with timeout" in caplog.text
    # Forwarding failed: kept, with its details, and tried again later.
    assert [row[1] for row in rows(outbox)] == ["dead_letter", "delivered"]
    assert rows(outbox)[0][2] != b""
    later = FakeClient(Submitted("PLR-2345-6789", "received", ""))
    run(deliver_pending(outbox, later, now=time.time() + LATER))
    assert later.forwarded == [("bad", status, "uln", {**BODY, "uln": "1748529631"})]
    assert outbox.count("dead_letter") == 0 and all(row[2] == b"" for row in rows(outbox))


def test_rows_of_the_first_release_marked_refused_are_tried_again(tmp_path):
    path, key = tmp_path / "old.sqlite3", Fernet.generate_key()
    Outbox(path, key).put("old", BODY)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE outbox SET state = 'refused', last_error = 'http 401'")
    reopened = Outbox(path, key)
    assert reopened.count("pending") == 1
    assert run(deliver_pending(reopened, FakeClient(Submitted("PLR-2345-6789", "received", "")))) == 1


def test_delivered_rows_are_purged_after_the_keep_period(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", Fernet.generate_key(), keep_done_days=7)
    outbox.put("k", BODY)
    run(deliver_pending(outbox, FakeClient(Submitted("PLR-2345-6789", "received", ""))))
    assert outbox.purge(now=time.time() + 6 * 86400) == 0
    assert outbox.purge(now=time.time() + 8 * 86400) == 1
    assert rows(outbox) == []


def test_key_rotation_with_a_comma_separated_list(tmp_path):
    path, old, new = tmp_path / "o.sqlite3", Fernet.generate_key().decode(), Fernet.generate_key().decode()
    Outbox(path, old).put("k", BODY)
    # New key first, old key still listed: the row is readable and re-encrypted with the new one.
    rotated = Outbox(path, f"{new}, {old}")
    assert rotated.pending()[0].payload == BODY
    # So the old key can then be dropped.
    assert Outbox(path, new).pending()[0].payload == BODY
    assert b"Testperson" not in path.read_bytes()


def test_a_row_no_configured_key_opens_is_kept_and_reported(tmp_path, caplog):
    path = tmp_path / "o.sqlite3"
    Outbox(path, Fernet.generate_key()).put("k", BODY)
    with caplog.at_level(logging.ERROR, logger="actions.outbox"):
        assert Outbox(path, Fernet.generate_key()).pending() == []
    assert "cannot be decrypted" in caplog.text
    assert len(rows(Outbox(path, Fernet.generate_key()))) == 1


def test_idempotency_key_follows_the_body_and_hides_it():
    first = idempotency_key("a" * 32, BODY)
    assert first == idempotency_key("a" * 32, dict(reversed(list(BODY.items()))))  # order does not matter
    assert idempotency_key("a" * 32, {**BODY, "postcode": "LS1 4AW"}) != first  # a correction: a new key
    assert idempotency_key("b" * 32, BODY) != first  # another request
    assert len(first) == 40 and "Testperson" not in first and "2001" not in first


def test_the_outbox_file_is_readable_by_its_owner_only(tmp_path):
    outbox = Outbox(tmp_path / "private.sqlite3", Fernet.generate_key())
    outbox.put("k", BODY)
    for file in tmp_path.glob("private.sqlite3*"):
        assert file.stat().st_mode & 0o077 == 0, file.name

"""Session hygiene on the shared store: personal details never outlive a session, and the
retention job removes idle conversations from PostgreSQL."""
from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from testkit.opt_out import DERWA, EIRLYS, opt_out_steps

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
DAY = 86400


def age_conversation(scaled, sender: str, seconds: float) -> None:
    """Move every stored event of one conversation `seconds` into the past (column and JSON)."""
    assert all(c in "0123456789abcdef-" for c in sender.split("-", 1)[1])
    scaled.stack.postgres.psql(
        f"UPDATE events SET timestamp = timestamp - {float(seconds)}, data = jsonb_set(data::jsonb, '{{timestamp}}', "
        f"to_jsonb((data::jsonb->>'timestamp')::double precision - {float(seconds)}))::text "
        f"WHERE sender_id = '{sender}'",
        database="rasa_tracker")


def stored_events(scaled, sender: str) -> int:
    return int(scaled.stack.postgres.psql(f"SELECT count(*) FROM events WHERE sender_id = '{sender}'",
                                          database="rasa_tracker"))


def test_the_domain_starts_every_session_empty_after_a_deliberate_expiry():
    config = yaml.safe_load((ROOT / "domain" / "core.yml").read_text())["session_config"]
    assert config["carry_over_slots_to_new_session"] is False
    assert 0 < config["session_expiration_time"] <= 60, "an idle learner's details expire within an hour"


def test_an_expired_session_starts_with_no_personal_details(scaled):
    sender = f"expiry-{uuid.uuid4().hex[:12]}"
    for text, expected in opt_out_steps(DERWA)[:3]:
        assert expected in scaled.chat(0, sender, text)
    slots = scaled.tracker(1, sender)["slots"]
    assert (slots["given_name"], slots["postcode"]) == (DERWA.given, DERWA.postcode)

    age_conversation(scaled, sender, 61 * 60)  # idle longer than session_expiration_time
    reply = scaled.chat(1, sender, "hello")
    assert "Here is what you told me" not in reply
    tracker = scaled.tracker(0, sender)
    for slot in ("given_name", "family_name", "date_of_birth", "postcode", "requested_slot"):
        assert tracker["slots"][slot] is None, f"{slot} carried into the new session"
    assert tracker["active_loop"] in ({}, None) or not tracker["active_loop"].get("name")
    starts = [i for i, e in enumerate(tracker["events"]) if e["event"] == "session_started"]
    assert len(starts) == 2, "the old session ended and a new one started"
    new_session = tracker["events"][starts[-1]:]
    carried = [e for e in new_session if e["event"] == "slot" and e.get("value") in DERWA.personal_values]
    assert not carried, carried


def run_retention(scaled, *args: str) -> str:
    env = {**scaled.stack._common_env(), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "tracker_retention.py"), *args],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_servers_delete_idle_conversations_by_themselves(scaled):
    """The scaled stack sweeps every 2 s (TRACKER_RETENTION_SWEEP_SECONDS) with the default 30 days."""
    old, recent = f"retain-{uuid.uuid4().hex[:12]}", f"retain-{uuid.uuid4().hex[:12]}"
    for sender in (old, recent):
        for text, expected in opt_out_steps(EIRLYS)[:2]:
            assert expected in scaled.chat(0, sender, text)
    age_conversation(scaled, old, 40 * DAY)
    age_conversation(scaled, recent, 29 * DAY)
    deadline = time.monotonic() + 30
    while stored_events(scaled, old) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert stored_events(scaled, old) == 0, "no server swept the conversation idle for 40 days"
    assert stored_events(scaled, recent) > 0
    # The deleted conversation starts afresh; the kept one carries on where it was.
    assert scaled.tracker(1, old)["slots"]["request_type"] is None
    assert scaled.tracker(1, recent)["slots"]["request_type"] == "opt_out"


def test_the_manual_job_counts_and_deletes_with_its_own_limit(scaled):
    sender = f"retain-{uuid.uuid4().hex[:12]}"
    for text, expected in opt_out_steps(EIRLYS)[:2]:
        assert expected in scaled.chat(0, sender, text)
    age_conversation(scaled, sender, 20 * DAY)  # inside the servers' 30 days
    events = stored_events(scaled, sender)
    dry = run_retention(scaled, "--days", "10", "--dry-run")
    assert "would delete" in dry and stored_events(scaled, sender) == events
    assert sender not in dry, "the job prints counts, not conversation ids"
    assert "deleted" in run_retention(scaled, "--days", "10")
    assert stored_events(scaled, sender) == 0

"""Retention deletes old completed/rejected requests, nothing else, and the audit trail says so."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import text

from support import person, submit


def age(server, reference: str, days: int) -> None:
    """Pretend a request was last changed `days` ago (the only way to test a year-long rule today)."""
    when = datetime.now(UTC) - timedelta(days=days)
    engine = server.engine()
    try:
        with engine.begin() as connection:
            value = when.replace(tzinfo=None) if server.database_url.startswith("sqlite") else when
            connection.execute(
                text("UPDATE requests SET updated_at = :w WHERE reference = :r"), {"w": value, "r": reference}
            )
    finally:
        engine.dispose()


def test_retention_deletes_only_old_final_requests_and_audits_it(fresh_backend):
    server = fresh_backend
    with server.client("actions") as actions, server.client("staff") as staff:
        refs = {
            name: submit(actions, person()).json()["reference"]
            for name in ("old_completed", "old_rejected", "old_received", "old_in_progress", "new_completed")
        }
        for name, status in (
            ("old_completed", "completed"),
            ("old_rejected", "rejected"),
            ("old_in_progress", "in_progress"),
            ("new_completed", "completed"),
        ):
            assert staff.post(f"/v1/requests/{refs[name]}/status", json={"status": status}).status_code == 200
        for name in ("old_completed", "old_rejected", "old_received", "old_in_progress"):
            age(server, refs[name], 400)

        dry = server.cli("retention", "--dry-run")
        assert "would delete 2" in dry.stdout
        assert server.count_rows() == 5

        result = server.cli("retention")  # RETENTION_DAYS=365 from the environment
        assert "deleted 2" in result.stdout
        gone = {name for name, ref in refs.items() if staff.get(f"/v1/requests/{ref}").status_code == 404}
        assert gone == {"old_completed", "old_rejected"}
        assert server.count_rows() == 3

        assert "deleted 0" in server.cli("retention").stdout  # idempotent

    engine = server.engine()
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT reference, actor, from_status, to_status, note FROM audit_events "
                    "WHERE action = 'deleted_by_retention' ORDER BY reference"
                )
            ).all()
    finally:
        engine.dispose()
    assert sorted(r.reference for r in rows) == sorted([refs["old_completed"], refs["old_rejected"]])
    fernet = Fernet(server.keys.fernet.encode())
    for row in rows:
        assert row.actor == "retention" and row.to_status is None and row.from_status in ("completed", "rejected")
        assert "365 days" in fernet.decrypt(row.note.encode()).decode()


def test_retention_days_can_be_overridden(fresh_backend):
    server = fresh_backend
    with server.client("actions") as actions, server.client("staff") as staff:
        reference = submit(actions, person()).json()["reference"]
        staff.post(f"/v1/requests/{reference}/status", json={"status": "completed"})
        age(server, reference, 40)
        assert "deleted 0" in server.cli("retention").stdout
        assert "deleted 1" in server.cli("retention", "--days", "30").stdout


def _set_times(server, reference: str, days: int) -> None:
    """Age a request's creation and last change (open requests are judged by their creation)."""
    when = datetime.now(UTC) - timedelta(days=days)
    value = when.replace(tzinfo=None) if server.database_url.startswith("sqlite") else when
    engine = server.engine()
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE requests SET created_at = :w, updated_at = :w WHERE reference = :r"),
                {"w": value, "r": reference},
            )
    finally:
        engine.dispose()


def _notes(server, reference: str) -> list:
    engine = server.engine()
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT action, note FROM audit_events WHERE reference = :r ORDER BY id"), {"r": reference}
            ).all()
    finally:
        engine.dispose()


def test_the_running_service_applies_retention_by_itself(fresh_backend_factory):
    """No command and no cron: a service with a 1-second sweep deletes an aged closed request,
    blanks the staff notes that described it, and reports an open request past its maximum age."""
    server = fresh_backend_factory(extra_env={"RETENTION_SWEEP_SECONDS": "1", "OPEN_REQUEST_MAX_DAYS": "60"})
    with server.client("actions") as actions, server.client("staff") as staff:
        old = person()
        closed = submit(actions, old).json()["reference"]
        note = f"learner {old['given_name']} {old['family_name']} called to confirm"
        assert (
            staff.post(f"/v1/requests/{closed}/status", json={"status": "completed", "note": note}).status_code == 200
        )
        kept = submit(actions, person()).json()["reference"]
        assert staff.post(f"/v1/requests/{kept}/status", json={"status": "rejected"}).status_code == 200
        forgotten = submit(actions, person()).json()["reference"]
        _set_times(server, closed, 400)
        _set_times(server, forgotten, 100)

        deadline = time.monotonic() + 20
        while staff.get(f"/v1/requests/{closed}").status_code != 404:
            assert time.monotonic() < deadline, "the service never deleted the aged request"
            time.sleep(0.5)
        assert staff.get(f"/v1/requests/{kept}").status_code == 200
        assert staff.get(f"/v1/requests/{forgotten}").status_code == 200  # open: kept, but reported

        summary = staff.get("/v1/reports/retention").json()
        assert summary["open_overdue"] == 1 and summary["open_request_max_days"] == 60
        assert summary["closed_due_for_deletion"] == 0
        assert summary["oldest_open_created_at"] < summary_cutoff(60)

    rows = _notes(server, closed)
    assert [r.action for r in rows] == ["created", "status_changed", "deleted_by_retention"]
    assert [r.note for r in rows[:2]] == [None, None], "the staff note outlived the request"
    fernet = Fernet(server.keys.fernet.encode())
    assert "365 days" in fernet.decrypt(rows[2].note.encode()).decode()
    assert rows[2].note and old["family_name"] not in fernet.decrypt(rows[2].note.encode()).decode()

    output = server.cli("retention").stdout
    assert "1 open request(s) older than 60 days" in output
    overdue = server.cli("list", "--overdue").stdout
    assert forgotten in overdue and kept not in overdue

    log = server.log_path.read_text()
    assert '"event": "retention.deleted"' in log and '"event": "retention.open_overdue"' in log


def summary_cutoff(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()

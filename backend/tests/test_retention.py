"""Retention deletes old completed/rejected requests, nothing else, and the audit trail says so."""

from __future__ import annotations

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

"""POST /v1/requests/{reference}/status-check (actions key): a status, only for the right date of
birth, with the date of birth in the body; five wrong dates lock the reference for 15 minutes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from support import check_status, person, submit


@pytest.fixture
def stored(actions):
    body = person()
    reference = submit(actions, body).json()["reference"]
    return reference, body


def test_right_date_of_birth_gives_the_status_and_nothing_personal(actions, stored):
    reference, body = stored
    response = check_status(actions, reference, body["date_of_birth"])
    assert response.status_code == 200
    view = response.json()
    assert set(view) == {"reference", "type", "status", "created_at", "updated_at"}
    assert (view["reference"], view["status"], view["type"]) == (reference, "received", "opt_out")
    for value in body.values():
        if isinstance(value, str) and value not in ("opt_out", "web"):
            assert value not in response.text


def test_wrong_date_of_birth_is_indistinguishable_from_an_unknown_reference(actions, stored):
    reference, body = stored
    wrong = check_status(actions, reference, "1999-01-01")
    unknown = check_status(actions, "PLR-2345-6789", body["date_of_birth"])
    malformed = check_status(actions, "not-a-reference", body["date_of_birth"])
    assert wrong.status_code == unknown.status_code == malformed.status_code == 404
    assert wrong.content == unknown.content == malformed.content
    assert wrong.headers["content-type"] == unknown.headers["content-type"]


def test_reference_as_a_person_types_it(actions, stored):
    reference, body = stored
    typed = reference.lower().replace("-", " ")
    response = check_status(actions, typed, body["date_of_birth"])
    assert response.status_code == 200
    assert response.json()["reference"] == reference


@pytest.mark.parametrize(
    "body,code",
    [
        ({}, "missing"),
        ({"date_of_birth": "12/03/2001"}, "string_pattern_mismatch"),
        ({"date_of_birth": "2001-02-30"}, "date_unreadable"),
        ({"date_of_birth": "2001-02-03", "postcode": "CV1 1AA"}, "extra_forbidden"),
    ],
)
def test_date_of_birth_is_required_and_checked(actions, stored, body, code):
    reference, _ = stored
    response = actions.post(f"/v1/requests/{reference}/status-check", json=body)
    assert response.status_code == 422
    assert [e["type"] for e in response.json()["detail"]] == [code]
    assert "2001" not in response.text  # the value is never echoed


def test_the_old_query_string_lookup_is_refused_for_the_actions_key(actions, stored):
    reference, body = stored
    response = actions.get(f"/v1/requests/{reference}", params={"date_of_birth": body["date_of_birth"]})
    assert response.status_code == 403
    assert "status-check" in response.json()["detail"]
    assert body["family_name"] not in response.text


def test_status_follows_staff_changes(actions, staff, stored):
    reference, body = stored
    assert staff.post(f"/v1/requests/{reference}/status", json={"status": "in_progress"}).status_code == 200
    view = check_status(actions, reference, body["date_of_birth"]).json()
    assert view["status"] == "in_progress"
    assert view["updated_at"] > view["created_at"]


def _end_lock(server, reference: str) -> None:
    """Pretend the 15 minutes have passed (the lock lives in the database, so this is where it ends)."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    value = past.replace(tzinfo=None) if server.database_url.startswith("sqlite") else past
    engine = server.engine()
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE status_check_locks SET locked_until = :t WHERE reference = :r"),
                {"t": value, "r": reference},
            )
    finally:
        engine.dispose()


def test_five_wrong_dates_of_birth_lock_the_reference_even_for_the_right_one(fresh_backend):
    server = fresh_backend
    with server.client("actions") as actions:
        body = person()
        reference = submit(actions, body).json()["reference"]
        wrong = [f"1980-01-{day:02d}" for day in range(1, 6)]
        assert [check_status(actions, reference, dob).status_code for dob in wrong] == [404] * 5

        locked = check_status(actions, reference, body["date_of_birth"])
        assert locked.status_code == 423
        answer = locked.json()
        assert "15 minutes" in answer["detail"] and "date of birth" in answer["detail"]
        assert 0 < answer["retry_after_seconds"] <= 900
        assert int(locked.headers["retry-after"]) == answer["retry_after_seconds"]
        assert body["family_name"] not in locked.text and reference not in locked.text
        # Still locked after a restart: the lock is in the database, not in a process.
        server.stop()
        server.start()
        assert check_status(actions, reference, body["date_of_birth"]).status_code == 423
        assert check_status(actions, reference, "1980-02-01").status_code == 423  # not counted, just refused

        # After the lock the count starts again: 4 wrong ones do not lock, the right one answers.
        _end_lock(server, reference)
        assert [check_status(actions, reference, dob).status_code for dob in wrong[:4]] == [404] * 4
        assert check_status(actions, reference, body["date_of_birth"]).status_code == 200
        # ... and a success resets the count: 4 more wrong ones still do not lock.
        assert [check_status(actions, reference, dob).status_code for dob in wrong[:4]] == [404] * 4
        assert check_status(actions, reference, body["date_of_birth"]).status_code == 200

    events = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    locks = [e for e in events if e.get("event") == "request.status_locked"]
    assert len(locks) == 1 and locks[0]["reference"] == reference and locks[0]["level"] == "WARNING"
    assert body["date_of_birth"] not in server.log_path.read_text()


def test_an_unknown_reference_locks_like_a_real_one(actions):
    """Otherwise the lock would reveal which references exist."""
    unknown = "PLR-ZZZZ-2345"
    assert [check_status(actions, unknown, f"1981-03-{d:02d}").status_code for d in range(1, 6)] == [404] * 5
    assert check_status(actions, unknown, "1981-03-06").status_code == 423

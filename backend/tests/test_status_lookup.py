"""GET /v1/requests/{reference} with the actions key: a status, only for the right date of birth."""

from __future__ import annotations

import pytest

from support import person, submit


@pytest.fixture
def stored(actions):
    body = person()
    reference = submit(actions, body).json()["reference"]
    return reference, body


def test_right_date_of_birth_gives_the_status_and_nothing_personal(actions, stored):
    reference, body = stored
    response = actions.get(f"/v1/requests/{reference}", params={"date_of_birth": body["date_of_birth"]})
    assert response.status_code == 200
    view = response.json()
    assert set(view) == {"reference", "type", "status", "created_at", "updated_at"}
    assert (view["reference"], view["status"], view["type"]) == (reference, "received", "opt_out")
    for value in body.values():
        if isinstance(value, str) and value not in ("opt_out", "web"):
            assert value not in response.text


def test_wrong_date_of_birth_is_indistinguishable_from_an_unknown_reference(actions, stored):
    reference, body = stored
    wrong = actions.get(f"/v1/requests/{reference}", params={"date_of_birth": "1999-01-01"})
    unknown = actions.get("/v1/requests/PLR-2345-6789", params={"date_of_birth": body["date_of_birth"]})
    malformed = actions.get("/v1/requests/not-a-reference", params={"date_of_birth": body["date_of_birth"]})
    assert wrong.status_code == unknown.status_code == malformed.status_code == 404
    assert wrong.content == unknown.content == malformed.content
    assert wrong.headers["content-type"] == unknown.headers["content-type"]


def test_reference_as_a_person_types_it(actions, stored):
    reference, body = stored
    typed = reference.lower().replace("-", " ")
    response = actions.get(f"/v1/requests/{typed}", params={"date_of_birth": body["date_of_birth"]})
    assert response.status_code == 200
    assert response.json()["reference"] == reference


@pytest.mark.parametrize(
    "params,code",
    [
        ({}, "missing"),
        ({"date_of_birth": "12/03/2001"}, "date_unreadable"),
        ({"date_of_birth": "2001-02-30"}, "date_unreadable"),
    ],
)
def test_date_of_birth_is_required_and_checked(actions, stored, params, code):
    reference, _ = stored
    response = actions.get(f"/v1/requests/{reference}", params=params)
    assert response.status_code == 422
    assert [(e["field"], e["type"]) for e in response.json()["detail"]] == [("date_of_birth", code)]


def test_status_follows_staff_changes(actions, staff, stored):
    reference, body = stored
    assert staff.post(f"/v1/requests/{reference}/status", json={"status": "in_progress"}).status_code == 200
    view = actions.get(f"/v1/requests/{reference}", params={"date_of_birth": body["date_of_birth"]}).json()
    assert view["status"] == "in_progress"
    assert view["updated_at"] > view["created_at"]

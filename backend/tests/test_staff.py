"""Staff routes: list with cursor pagination and filters, show one, change status with an audit trail."""

from __future__ import annotations

import pytest

from support import person, submit

RECORD_FIELDS = {
    "reference",
    "type",
    "status",
    "match",
    "given_name",
    "family_name",
    "previous_family_name",
    "date_of_birth",
    "postcode",
    "uln",
    "contact_email",
    "channel",
    "language",
    "conversation_id",
    "created_at",
    "updated_at",
}


def all_pages(staff, **params) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = staff.get("/v1/requests", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= params.get("limit", 50)
        items += page["items"]
        cursor, pages = page["next_cursor"], pages + 1
        if cursor is None:
            return items
        assert pages < 1000


def test_show_returns_every_field_decrypted_with_history(actions, staff):
    body = person(previous_family_name="Testformer-Name", channel="voice", type="opt_in", language="cy")
    reference = submit(actions, body).json()["reference"]
    response = staff.get(f"/v1/requests/{reference}")
    assert response.status_code == 200
    record = response.json()
    assert set(record) == RECORD_FIELDS | {"history"}
    for name, value in body.items():
        assert record[name] == value, name
    assert (record["status"], record["match"]) == ("received", "no_match")
    assert [(h["action"], h["actor"], h["from_status"], h["to_status"]) for h in record["history"]] == [
        ("created", "actions", None, "received")
    ]


def test_pagination_visits_every_request_once_in_order(actions, staff):
    mine = {submit(actions, person(type="opt_in")).json()["reference"] for _ in range(7)}
    items = all_pages(staff, limit=3, type="opt_in")
    references = [item["reference"] for item in items]
    assert len(references) == len(set(references))
    assert mine <= set(references)
    created = [item["created_at"] for item in items]
    assert created == sorted(created)
    assert all(set(item) == RECORD_FIELDS and item["type"] == "opt_in" for item in items)


def test_filters_by_status(actions, staff):
    reference = submit(actions, person()).json()["reference"]
    staff.post(f"/v1/requests/{reference}/status", json={"status": "rejected", "note": "duplicate"})
    rejected = {item["reference"] for item in all_pages(staff, status="rejected", limit=200)}
    received = {item["reference"] for item in all_pages(staff, status="received", limit=200)}
    assert reference in rejected and reference not in received


def test_filters_by_language(actions, staff):
    welsh = submit(actions, person(type="opt_in", language="cy")).json()["reference"]
    english = submit(actions, person(type="opt_in")).json()["reference"]
    in_welsh = all_pages(staff, language="cy", type="opt_in", limit=200)
    in_english = {item["reference"] for item in all_pages(staff, language="en", type="opt_in", limit=200)}
    assert welsh in {item["reference"] for item in in_welsh} and welsh not in in_english
    assert english in in_english
    assert all(item["language"] == "cy" and item["type"] == "opt_in" for item in in_welsh)


@pytest.mark.parametrize(
    "params,field",
    [
        ({"cursor": "garbage!"}, "cursor"),
        ({"cursor": "cjEyYQ"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "lost"}, "status"),
        ({"type": "both"}, "type"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_list_parameters_are_422_naming_them(staff, params, field):
    response = staff.get("/v1/requests", params=params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_status_changes_are_audited_and_final_states_are_final(actions, staff):
    reference = submit(actions, person()).json()["reference"]
    moved = staff.post(
        f"/v1/requests/{reference}/status",
        json={"status": "in_progress", "note": "called the learner back"},
        headers={"X-Staff-User": "agent.one"},
    )
    assert moved.status_code == 200
    done = staff.post(f"/v1/requests/{reference}/status", json={"status": "completed"})
    assert done.status_code == 200
    record = done.json()
    assert record["status"] == "completed"
    history = [(h["action"], h["actor"], h["from_status"], h["to_status"], h["note"]) for h in record["history"]]
    assert history == [
        ("created", "actions", None, "received", None),
        ("status_changed", "staff:agent.one", "received", "in_progress", "called the learner back"),
        ("status_changed", "staff:api", "in_progress", "completed", None),
    ]
    ats = [h["at"] for h in record["history"]]
    assert ats == sorted(ats) and record["updated_at"] == ats[-1]

    again = staff.post(f"/v1/requests/{reference}/status", json={"status": "in_progress"})
    assert again.status_code == 409
    assert "completed" in again.json()["detail"]
    assert len(staff.get(f"/v1/requests/{reference}").json()["history"]) == 3


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"status": "received"}, "status"),
        ({}, "status"),
        ({"status": "completed", "by": "me"}, "by"),
        ({"status": "completed", "note": "n" * 2001}, "note"),
    ],
)
def test_bad_status_change_is_422(actions, staff, payload, field):
    reference = submit(actions, person()).json()["reference"]
    response = staff.post(f"/v1/requests/{reference}/status", json=payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_unknown_reference_is_404_for_staff(staff):
    assert staff.get("/v1/requests/PLR-2345-6789").status_code == 404
    assert staff.post("/v1/requests/PLR-2345-6789/status", json={"status": "completed"}).status_code == 404
    assert staff.get("/v1/requests/%00%ff").status_code == 404

"""Undeliverable requests: an outbox forwards what the backend refused, staff see it (API and CLI)."""

from __future__ import annotations

import json

from test_at_rest import every_stored_text

from support import new_key, person


def forwarded(body: dict, status: int = 422, field: str | None = "uln") -> dict:
    return {"idempotency_key": new_key(), "http_status": status, "field": field, "request": body}


def test_a_forwarded_dead_letter_is_listed_for_staff_encrypted_at_rest(backend, actions, staff):
    body = person(uln="1748529631", language="cy")  # a check digit the backend refuses: a dead letter
    letter = forwarded(body)
    first = actions.post("/v1/undeliverable", json=letter)
    assert first.status_code == 201 and first.json() == {"outcome": "created"}
    again = actions.post("/v1/undeliverable", json=letter)  # the outbox retries: still one record
    assert again.status_code == 200 and again.json() == {"outcome": "replayed"}

    items, cursor = [], None
    while True:
        page = staff.get("/v1/undeliverable", params={"limit": 200, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    mine = [item for item in items if item["request"].get("conversation_id") == body["conversation_id"]]
    assert len(mine) == 1
    assert (mine[0]["http_status"], mine[0]["field"]) == (422, "uln")
    assert mine[0]["request"]["family_name"] == body["family_name"]
    assert mine[0]["request"]["language"] == "cy"  # staff reply to a dead letter in the learner's language
    assert "idempotency_key" not in mine[0]

    stored = every_stored_text(backend)
    for name in ("family_name", "postcode", "uln", "contact_email", "date_of_birth"):
        assert body[name] not in stored, name

    listed = backend.cli("dead-letters").stdout
    assert f"{body['given_name']} {body['family_name']}" in listed and "http 422 (uln)" in listed
    assert f"born {body['date_of_birth']}, language cy" in listed
    as_json = json.loads(backend.cli("dead-letters", "--json").stdout)
    assert any(item["request"].get("conversation_id") == body["conversation_id"] for item in as_json)
    assert "undeliverable request(s) waiting for staff" in backend.cli("retention", "--dry-run").stdout


def test_a_dead_letter_carries_no_more_than_the_request(actions, staff):
    body = person()
    letter = forwarded({**body, "note_from_elsewhere": "not a request field"}, status=409, field=None)
    assert actions.post("/v1/undeliverable", json=letter).status_code == 201
    items = staff.get("/v1/undeliverable", params={"limit": 200}).json()["items"]
    item = next(i for i in items if i["request"].get("conversation_id") == body["conversation_id"])
    assert "note_from_elsewhere" not in item["request"]


def test_forwarding_is_validated(actions):
    bad = [
        {"idempotency_key": new_key(), "http_status": 200, "request": {}},
        {"idempotency_key": "", "http_status": 422, "request": {}},
        {"idempotency_key": new_key(), "http_status": 422, "request": {"given_name": "x" * 1001}},
        {"idempotency_key": new_key(), "http_status": 422},
    ]
    for letter in bad:
        response = actions.post("/v1/undeliverable", json=letter)
        assert response.status_code == 422, letter
        assert "x" * 50 not in response.text

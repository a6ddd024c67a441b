"""Hostile bodies on every route that takes one: a 4xx with a message, never a 5xx; and CSV
exports that a spreadsheet cannot run as formulas."""

from __future__ import annotations

import csv

import pytest

from support import person, submit

BODY_ROUTES = [
    ("actions", "/v1/requests"),
    ("actions", "/v1/requests/PLR-2345-6789/status-check"),
    ("actions", "/v1/undeliverable"),
    ("staff", "/v1/requests/PLR-2345-6789/status"),
]
HOSTILE = {
    "nested 100000 deep": b"[" * 100_000,
    "nested under the size limit": b"[" * 15_000,
    "nested objects under the size limit": b'{"a":' * 3000,
    "valid JSON nested 900 deep": b"[" * 900 + b"]" * 900,
    "one megabyte": b'{"given_name": "' + b"x" * (1024 * 1024) + b'"}',
}


@pytest.mark.parametrize("role,path", BODY_ROUTES)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_json_gets_a_4xx_with_a_message(backend, role, path, name):
    with backend.client(role) as client:
        response = client.post(
            path, content=HOSTILE[name], headers={"Content-Type": "application/json", "Idempotency-Key": "hostile-1"}
        )
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:200])
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"]
    if name == "one megabyte" or name == "nested 100000 deep":
        assert response.status_code == 413


@pytest.mark.parametrize("role,path", BODY_ROUTES)
def test_a_streamed_megabyte_is_refused_too(backend, role, path):
    def chunks():
        for _ in range(64):
            yield b"[" * 16384

    with backend.client(role) as client:
        response = client.post(path, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


# Addresses the API accepts (check_email) that a spreadsheet would run; conversation ids from
# the phone start with "+" (the caller's id), and REST ones can be any printable text.
FORMULAS = ["=1+2@example.com", "-2+3@example.com"]


def test_csv_export_neutralises_formula_cells(backend, actions, run_dir):
    from plr_backend.cli import csv_safe

    assert [csv_safe(v) for v in ("=cmd", "+1", "-1", "@x", "\tx", "\rx", "plain", None, "a=b")] == [
        "'=cmd",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "plain",
        "",
        "a=b",
    ]
    references = {}
    for email in FORMULAS:
        body = person(contact_email=email, conversation_id=f'@HYPERLINK("x")-{email[:3]}')
        response = submit(actions, body)
        assert response.status_code == 201, response.text  # the API accepts these addresses
        references[response.json()["reference"]] = email
    target = run_dir / f"export-formulas-{backend.name}.csv"
    backend.cli("export-csv", "--output", str(target))
    try:
        with target.open(newline="") as handle:
            rows = {row["reference"]: row for row in csv.DictReader(handle)}
    finally:
        target.unlink()
    for reference, email in references.items():
        assert rows[reference]["contact_email"] == "'" + email
        assert rows[reference]["conversation_id"].startswith("'@HYPERLINK")
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value

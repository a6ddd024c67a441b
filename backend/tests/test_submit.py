"""POST /v1/requests: the contract the action server codes against."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from support import REFERENCE_RE, new_key, person, submit


def test_created_answer_has_reference_status_and_time(actions):
    before = datetime.now(UTC)
    response = submit(actions, person())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"reference", "status", "created_at"}
    assert re.match(REFERENCE_RE, body["reference"])
    assert body["status"] == "received"
    created = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=5) <= created <= datetime.now(UTC) + timedelta(seconds=5)


def test_same_key_same_body_replays_the_first_answer(actions):
    body, key = person(), new_key()
    first = submit(actions, body, key)
    again = submit(actions, body, key)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()


def test_replay_compares_normalised_values(actions):
    body, key = person(postcode="cv4 7al"), new_key()
    first = submit(actions, body, key)
    same_after_normalising = dict(body, postcode="CV47AL", family_name=f"  {body['family_name']} ")
    again = submit(actions, same_after_normalising, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]


def test_same_key_different_body_is_a_conflict(actions):
    body, key = person(), new_key()
    assert submit(actions, body, key).status_code == 201
    response = submit(actions, dict(body, type="opt_in"), key)
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]


def test_different_keys_make_different_requests(actions):
    body = person()
    first, second = submit(actions, body), submit(actions, body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["reference"] != second.json()["reference"]


def test_optional_fields_may_be_absent_null_or_blank(actions, staff):
    body = person()
    for name in ("previous_family_name", "uln", "contact_email"):
        body.pop(name)
    assert submit(actions, body).status_code == 201
    blank = person(uln="", contact_email=" ", previous_family_name=None)
    response = submit(actions, blank)
    assert response.status_code == 201
    record = staff.get(f"/v1/requests/{response.json()['reference']}").json()
    assert (record["uln"], record["contact_email"], record["previous_family_name"]) == (None, None, None)


def test_stored_values_are_normalised(actions, staff):
    body = person(
        postcode="cv4 7al", uln="1748 529 632", given_name="  Zoë   Ann ", family_name="O\u2019Neil-Testperson"
    )
    response = submit(actions, body)
    assert response.status_code == 201, response.text
    record = staff.get(f"/v1/requests/{response.json()['reference']}").json()
    assert record["postcode"] == "CV4 7AL"
    assert record["uln"] == "1748529632"
    assert record["given_name"] == "Zoë Ann"
    assert record["family_name"] == "O'Neil-Testperson"


def test_missing_idempotency_key_names_the_header(actions):
    response = actions.post("/v1/requests", json=person())
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["Idempotency-Key"]


@pytest.mark.parametrize("key", ["", "has space", "x" * 129, "tab\there"])
def test_malformed_idempotency_key_is_refused(actions, key):
    response = actions.post("/v1/requests", json=person(), headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "Idempotency-Key"


TOO_OLD = (date.today().replace(year=date.today().year - 121)).isoformat()
TOO_YOUNG = (date.today() - timedelta(days=365 * 10)).isoformat()
FUTURE = (date.today() + timedelta(days=3)).isoformat()

INVALID_FIELDS = [
    ("uln", "1748529631", "uln_check_digit"),
    ("uln", "174852963", "uln_length"),
    ("uln", "0000000042", "uln_leading_zero"),
    ("uln", "ABC4567890", None),
    ("date_of_birth", "2001-02-31", "date_impossible"),
    ("date_of_birth", "12/03/2001", None),
    ("date_of_birth", FUTURE, "date_future"),
    ("date_of_birth", TOO_YOUNG, "age_under_13"),
    ("date_of_birth", TOO_OLD, "age_over_120"),
    ("postcode", "NOT A CODE", "postcode_format"),
    ("given_name", "R2D2", None),
    ("given_name", "", None),
    ("family_name", "Testperson-Abcdefghij-Klmnopqrst-Uvwxyz", "name_too_long"),
    ("previous_family_name", "12345", "name_not_a_name"),
    ("contact_email", "not-an-email", "email_format"),
    ("type", "delete_me", "literal_error"),
    ("channel", "fax", "literal_error"),
    ("language", "fr", "literal_error"),
    ("language", "CY", "literal_error"),
    ("language", "welsh", "literal_error"),
    ("language", "", "literal_error"),
    ("language", None, "literal_error"),
    ("conversation_id", "", "string_too_short"),
    ("conversation_id", "a\x00b", "text_characters"),
    ("type", 3, "literal_error"),
    ("given_name", ["Ada"], "string_type"),
]


@pytest.mark.parametrize("field,value,code", INVALID_FIELDS, ids=[f"{f}-{c or v}" for f, v, c in INVALID_FIELDS])
def test_invalid_field_is_named(actions, field, value, code):
    response = submit(actions, person(**{field: value}))
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["msg"]
    if code:
        assert errors[0]["type"] == code


@pytest.mark.parametrize(
    "field", ["type", "given_name", "family_name", "date_of_birth", "postcode", "channel", "conversation_id"]
)
def test_missing_required_field_is_named(actions, field):
    body = person()
    body.pop(field)
    response = submit(actions, body)
    assert response.status_code == 422
    assert [(e["field"], e["type"]) for e in response.json()["detail"]] == [(field, "missing")]


def test_unknown_field_is_refused_and_named(actions):
    response = submit(actions, person(favourite_colour="teal"))
    assert response.status_code == 422
    assert [(e["field"], e["type"]) for e in response.json()["detail"]] == [("favourite_colour", "extra_forbidden")]


def test_validation_errors_do_not_echo_input(actions):
    body = person(uln="1748529631", postcode="NOT A CODE")
    response = submit(actions, body)
    assert response.status_code == 422
    assert body["family_name"] not in response.text
    assert "NOT A CODE" not in response.text
    for error in response.json()["detail"]:
        assert set(error) == {"loc", "field", "type", "msg"}


@pytest.mark.parametrize(
    "raw,content_type",
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"type=opt_out", "application/x-www-form-urlencoded"),
        (b"null", "application/json"),
    ],
)
def test_bodies_that_are_not_an_object_are_422(actions, raw, content_type):
    response = actions.post(
        "/v1/requests", content=raw, headers={"Idempotency-Key": new_key(), "Content-Type": content_type}
    )
    if raw.startswith(b"\xff"):
        # Bytes that are not text at all: FastAPI's parser answers 400 before validation starts.
        assert response.status_code == 400
        assert response.json()["detail"]
    else:
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["field"]


def test_body_over_16_kb_is_413(actions):
    body = json.dumps(person(conversation_id="c" * 17000)).encode()
    response = actions.post(
        "/v1/requests", content=body, headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "16 KB" in response.json()["detail"]


def test_streamed_body_over_16_kb_is_413(actions):
    chunk = b" " * 4096

    def stream():
        yield b'{"type": "opt_out",'
        for _ in range(5):
            yield chunk

    response = actions.post(
        "/v1/requests", content=stream(), headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"}
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413


def test_body_of_exactly_16_kb_is_accepted(actions):
    body = json.dumps(person()).encode()
    padded = body[:-1] + b" " * (16 * 1024 - len(body)) + b"}"
    assert len(padded) == 16 * 1024
    response = actions.post(
        "/v1/requests", content=padded, headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text


def test_references_are_unique_and_unambiguous(actions):
    references = {submit(actions, person()).json()["reference"] for _ in range(30)}
    assert len(references) == 30
    for reference in references:
        assert not set(reference[4:].replace("-", "")) & set("01OIL")


def test_language_is_stored_and_defaults_to_english(actions, staff):
    welsh = submit(actions, person(language="cy"))
    english = submit(actions, person(language="en"))
    unsaid = submit(actions, person())  # a client from before the field: English
    assert (welsh.status_code, english.status_code, unsaid.status_code) == (201, 201, 201)
    references = [r.json()["reference"] for r in (welsh, english, unsaid)]
    assert [staff.get(f"/v1/requests/{ref}").json()["language"] for ref in references] == ["cy", "en", "en"]


def test_an_unknown_language_is_refused_saying_which_are_accepted(actions):
    response = submit(actions, person(language="fr"))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["field"], error["type"]) == ("language", "literal_error")
    assert "'en'" in error["msg"] and "'cy'" in error["msg"]


def test_replay_sees_no_language_as_english_and_welsh_as_different(actions):
    body, key = person(), new_key()  # queued by an outbox before `language` existed
    first = submit(actions, body, key)
    again = submit(actions, dict(body, language="en"), key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert submit(actions, dict(body, language="cy"), key).status_code == 409

    welsh, welsh_key = person(language="cy"), new_key()
    assert submit(actions, welsh, welsh_key).status_code == 201
    assert submit(actions, welsh, welsh_key).status_code == 200
    assert submit(actions, dict(welsh, language="en"), welsh_key).status_code == 409

"""Identity pre-check against the synthetic register: shown to staff, never to the actions key."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from support import check_status, person, submit


@pytest.fixture(scope="module")
def register_rows(register_csv):
    with register_csv.open(newline="") as handle:
        return list(csv.DictReader(handle))


def identity(row):
    return (row["given_name"], row["family_name"], row["date_of_birth"], row["postcode"])


@pytest.fixture(scope="module")
def unique_rows(register_rows):
    counts = Counter(identity(row) for row in register_rows)
    return [row for row in register_rows if counts[identity(row)] == 1]


@pytest.fixture(scope="module")
def twins(register_rows):
    counts = Counter(identity(row) for row in register_rows)
    return [row for row in register_rows if counts[identity(row)] > 1]


def match_of(actions, staff, body) -> str:
    response = submit(actions, body)
    assert response.status_code == 201, response.text
    assert "match" not in response.json()
    return staff.get(f"/v1/requests/{response.json()['reference']}").json()["match"]


def test_register_has_at_least_200_learners_and_some_twins(register_rows, twins):
    assert len(register_rows) >= 200
    assert len(twins) >= 2


def test_uln_alone_matches(actions, staff, unique_rows):
    row = unique_rows[3]
    assert match_of(actions, staff, person(uln=row["uln"])) == "matched"


def test_names_date_of_birth_and_postcode_match(actions, staff, unique_rows):
    row = unique_rows[5]
    body = person(
        given_name=row["given_name"].upper(),
        family_name=row["family_name"],
        date_of_birth=row["date_of_birth"],
        postcode=row["postcode"].lower().replace(" ", ""),
        uln=None,
    )
    assert match_of(actions, staff, body) == "matched"


def test_accents_and_case_do_not_prevent_a_match(actions, staff, unique_rows):
    accented = next(row for row in unique_rows if any(c in row["given_name"] for c in "ëâ"))
    plain = accented["given_name"].replace("ë", "e").replace("â", "a")
    body = person(
        given_name=plain,
        family_name=accented["family_name"].lower(),
        date_of_birth=accented["date_of_birth"],
        postcode=accented["postcode"],
        uln=None,
    )
    assert match_of(actions, staff, body) == "matched"


def test_previous_family_name_matches(actions, staff, unique_rows):
    row = next(row for row in unique_rows if row["previous_family_name"])
    body = person(
        given_name=row["given_name"],
        family_name="Testnew-Surname",
        previous_family_name=row["previous_family_name"],
        date_of_birth=row["date_of_birth"],
        postcode=row["postcode"],
        uln=None,
    )
    assert match_of(actions, staff, body) == "matched"


def test_one_detail_different_is_no_match(actions, staff, unique_rows):
    row = unique_rows[8]
    body = person(
        given_name=row["given_name"],
        family_name=row["family_name"],
        date_of_birth="1960-01-01",
        postcode=row["postcode"],
        uln=None,
    )
    assert match_of(actions, staff, body) == "no_match"


def test_unknown_person_is_no_match(actions, staff):
    assert match_of(actions, staff, person()) == "no_match"


def test_twins_are_ambiguous(actions, staff, twins):
    row = twins[0]
    body = person(
        given_name=row["given_name"],
        family_name=row["family_name"],
        date_of_birth=row["date_of_birth"],
        postcode=row["postcode"],
        uln=None,
    )
    assert match_of(actions, staff, body) == "ambiguous"


def test_uln_of_one_learner_with_details_of_another_is_ambiguous(actions, staff, unique_rows):
    a, b = unique_rows[10], unique_rows[11]
    body = person(
        given_name=b["given_name"],
        family_name=b["family_name"],
        date_of_birth=b["date_of_birth"],
        postcode=b["postcode"],
        uln=a["uln"],
    )
    assert match_of(actions, staff, body) == "ambiguous"


def test_match_is_never_shown_on_the_actions_key(actions, unique_rows):
    row = unique_rows[12]
    body = person(uln=row["uln"])
    reference = submit(actions, body).json()["reference"]
    view = check_status(actions, reference, body["date_of_birth"])
    assert view.status_code == 200
    assert "match" not in view.json() and "matched" not in view.text

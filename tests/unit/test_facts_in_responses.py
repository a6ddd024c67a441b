"""Every phone number, email address, postal address, duration, date and web address in
any response (domain/*.yml) appears in the project's facts copy (docs/facts.yml) or in
the configuration template (.env.example)."""
from __future__ import annotations

import re
from typing import Dict, List

import pytest

from tests.unit.domain_files import env_example_values, facts, variations

NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|sixty"
MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PATTERNS: Dict[str, re.Pattern] = {
    "phone number": re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|0)\d{2,4}(?:[ -]?\d){6,8}(?!\d)"),
    "email address": EMAIL,
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
    "street or building": re.compile(
        r"\b(?:[A-Z][a-z']+ )+(?:House|Road|Street|Lane|Place|Avenue|Way|Square|Court|Building)\b"),
    "duration": re.compile(rf"\b(?:\d+|{NUMBER_WORDS})\s+(?:working\s+|calendar\s+)?(?:days?|weeks?|months?|years?)\b",
                           re.IGNORECASE),
    "date": re.compile(rf"\b\d{{1,2}}\s+(?:{MONTHS})\s+\d{{4}}\b"),
    "year": re.compile(r"\b(?:19|20)\d{2}\b"),
    "web address": re.compile(
        r"(?<![@\w.])(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+(?:uk|com|org|net|gov|cymru|io)\b(?:/[\w\-./]*\w)?",
        re.IGNORECASE),
}


def found_items(text: str) -> List[tuple]:
    items = []
    for kind, pattern in PATTERNS.items():
        scan = EMAIL.sub(" ", text) if kind == "web address" else text
        items.extend((kind, match.group(0)) for match in pattern.finditer(scan))
    return items


def _flat(text: str) -> str:
    return " ".join(text.lower().split())


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.replace("+44", "0"))


def allowed_corpus() -> str:
    data = facts()
    statements = [entry["statement"] for section in ("policy", "facts") for entry in data[section].values()]
    # Made-up values that responses show as format examples ("for example SW1A 1AA").
    examples = list(data.get("format_examples") or [])
    return "\n".join(statements + examples + list(env_example_values().values()))


def is_allowed(kind: str, value: str, corpus: str) -> bool:
    if kind == "phone number":
        wanted = _digits(value)
        return any(_digits(match.group(0)) == wanted for match in PATTERNS[kind].finditer(corpus))
    return re.search(rf"(?<!\w){re.escape(_flat(value))}(?!\w)", _flat(corpus)) is not None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Call 0345 602 2589 now", [("phone number", "0345 602 2589")]),
        ("Ring +44 345 602 2589.", [("phone number", "+44 345 602 2589")]),
        ("Email LRS.Support@education.gov.uk", [("email address", "LRS.Support@education.gov.uk")]),
        ("Write to Cheylesmore House, Quinton Road, Coventry CV1 1WT",
         [("postcode", "CV1 1WT"), ("street or building", "Cheylesmore House"),
          ("street or building", "Quinton Road")]),
        ("within 10 working days", [("duration", "10 working days")]),
        ("up to one month", [("duration", "one month")]),
        ("since 25 May 2018", [("date", "25 May 2018"), ("year", "2018")]),
        ("see gov.uk/guidance/how-to-access-your-personal-learning-record.",
         [("web address", "gov.uk/guidance/how-to-access-your-personal-learning-record")]),
        ("Go to https://ico.org.uk", [("web address", "https://ico.org.uk")]),
        ("Your ULN has 10 digits. {helpdesk_phone}", []),
    ],
)
def test_the_extractors_find_what_they_should(text, expected):
    assert sorted(found_items(text)) == sorted(expected)


def test_made_up_details_are_not_allowed():
    corpus = allowed_corpus()
    assert not is_allowed("phone number", "0800 123 4567", corpus)
    assert not is_allowed("email address", "help@lrs.example.org", corpus)
    assert not is_allowed("duration", "5 working days", corpus)
    assert not is_allowed("web address", "lrs-help.co.uk", corpus)
    assert is_allowed("phone number", "0345-602-2589", corpus)


def test_responses_do_contain_contact_details_to_check():
    kinds = {kind for variation in variations() for kind, _ in found_items(variation.text)}
    assert {"phone number", "email address", "postcode", "duration", "web address"} <= kinds


def test_every_detail_in_every_response_is_in_the_facts_or_the_configuration():
    corpus = allowed_corpus()
    unknown = [
        f"{variation.source}:{variation.response}: {kind} {value!r}"
        for variation in variations()
        for kind, value in found_items(variation.text + " " + " ".join(b.get("title", "") for b in variation.buttons))
        if not is_allowed(kind, value, corpus)
    ]
    assert unknown == [], "\n".join(unknown)


def test_configured_contacts_default_to_the_published_facts():
    """.env.example's helpdesk number and accessible-formats address are the ones in the facts."""
    statements = " ".join(entry["statement"] for entry in facts()["facts"].values())
    values = env_example_values()
    assert is_allowed("phone number", values["HELPDESK_PHONE"], statements)
    assert values["ACCESSIBLE_FORMATS_EMAIL"] in statements
    assert values.get("HELPDESK_HOURS", "") == "", "opening hours are not published: leave HELPDESK_HOURS empty"

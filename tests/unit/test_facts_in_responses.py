"""Every phone number, email address, postal address, duration, date and web address in
any response (domain/*.yml), as a learner gets it, appears in the project's facts copy
(docs/facts.yml). Responses name contact details only as {placeholders} that content/nlg.py
fills from content/contacts.py: a literal phone number, email address or web address in a
response is an error, because a deployment's setting could not change it."""
from __future__ import annotations

import re
from typing import Dict, List

import pytest

from content import contacts
from tests.unit.domain_files import ROOT, env_example_values, facts, variations

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
    return "\n".join(statements + examples)


_PLACEHOLDER = re.compile(r"{([a-z_0-9]+)}")
# The site's name, as in "search GOV.UK for ...": not an address a setting could change.
SITE_NAMES = {"gov.uk"}
LITERAL_KINDS = ("phone number", "email address", "web address")


def filled(text: str) -> str:
    """A response as a learner gets it: each contact placeholder with its reviewed value.

    Placeholders backed by a fact (contacts.yml `fact`) are filled; the others are settings of
    this service (how long the chat keeps a conversation, say), not facts, and stay as they are,
    as do the conversation's own ({reference})."""
    reviewed = contacts.reviewed()
    return _PLACEHOLDER.sub(
        lambda m: reviewed[m.group(1)].value if m.group(1) in reviewed and reviewed[m.group(1)].fact
        else m.group(0), text)


def literal_contacts(text: str) -> List[tuple]:
    """Phone numbers, email and web addresses written into a text instead of a placeholder."""
    examples = {_flat(e) for e in facts().get("format_examples") or []}
    return [(kind, value) for kind, value in found_items(text)
            if kind in LITERAL_KINDS and _flat(value) not in examples | SITE_NAMES]


def variation_text(variation) -> str:
    return variation.text + " " + " ".join(b.get("title", "") for b in variation.buttons)


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
    kinds = {kind for variation in variations() for kind, _ in found_items(filled(variation.text))}
    assert {"phone number", "email address", "postcode", "duration", "web address"} <= kinds


def test_every_detail_in_every_response_is_in_the_facts():
    corpus = allowed_corpus()
    unknown = [
        f"{variation.source}:{variation.response}: {kind} {value!r}"
        for variation in variations()
        for kind, value in found_items(filled(variation_text(variation)))
        if not is_allowed(kind, value, corpus)
    ]
    assert unknown == [], "\n".join(unknown)


@pytest.mark.parametrize("text, literal", [
    ("Call the LRS helpdesk on 0345 602 2589.", [("phone number", "0345 602 2589")]),
    ("Email LRS.Support@education.gov.uk", [("email address", "LRS.Support@education.gov.uk")]),
    ("See gov.uk/call-charges", [("web address", "gov.uk/call-charges")]),
    ("Call the LRS helpdesk on {helpdesk_phone}, or see {privacy_notice_url}.", []),
    ("Type it like name@example.com. For example, SW1A 1AA. Search GOV.UK for it.", []),
])
def test_literal_contact_details_are_found(text, literal):
    assert literal_contacts(text) == literal


def test_no_response_writes_a_contact_detail_instead_of_its_placeholder():
    literal = [f"{v.source}:{v.response} ({v.channel or 'text'}): {kind} {value!r}"
               for v in variations() for kind, value in literal_contacts(variation_text(v))]
    assert literal == [], "use a placeholder from content/contacts.yml instead:\n" + "\n".join(literal)


def test_every_placeholder_in_a_response_is_a_contact_or_a_known_slot():
    from content.readability import SAMPLE_VALUES
    review = {"review_name", "review_dob", "review_postcode", "review_previous_name", "review_uln", "review_email",
              "review_uln_last3", "fallback_option_1_payload", "fallback_option_2_payload"}
    known = set(contacts.reviewed()) | set(SAMPLE_VALUES) | review
    unknown = {(v.response, name) for v in variations() for name in _PLACEHOLDER.findall(variation_text(v))
               if name not in known}
    assert unknown == set()


@pytest.mark.parametrize("path", ["channels/guard.py", "channels/voice_prompts.py", "actions/settings.py"])
def test_channel_and_action_texts_take_the_helpdesk_number_from_the_contacts(path):
    source = (ROOT / path).read_text(encoding="utf-8")
    # Phone numbers and email addresses; code names such as socket.io are not web addresses.
    written = [item for item in literal_contacts(source) if item[0] != "web address"]
    assert written == [], f"{path}: use content.contacts.value(...)"


def test_configured_contacts_default_to_the_published_facts():
    """.env.example's helpdesk number and accessible-formats address are the ones in the facts."""
    statements = " ".join(entry["statement"] for entry in facts()["facts"].values())
    values = env_example_values()
    assert is_allowed("phone number", values["HELPDESK_PHONE"], statements)
    assert values["ACCESSIBLE_FORMATS_EMAIL"] in statements
    assert values.get("HELPDESK_HOURS", "") == "", "opening hours are not published: leave HELPDESK_HOURS empty"

"""No response says or implies that the learner is already opted out: an opt-out is a
request that the LRS team reviews (docs/facts.yml, policy.opt_out_is_a_request)."""
from __future__ import annotations

import re

import pytest

from tests.unit.domain_files import variations

CLAIMS = [re.compile(pattern, re.IGNORECASE) for pattern in [
    r"\byou(?:'re|\s+are)\s+(?:now\s+|already\s+)?opted[\s-]+out",
    r"\byou(?:'ve|\s+have)\s+(?:now\s+|already\s+)?(?:been\s+)?(?:successfully\s+)?opted[\s-]+out",
    r"\byou\s+(?:will|'ll)\s+(?:now\s+)?be\s+opted[\s-]+out",
    r"\bopted\s+you\s+out\b",
    r"\byour\s+opt[\s-]?out\s+(?:is|has\s+been|was|will\s+be)\s+(?:now\s+)?"
    r"(?:done|complete|completed|confirmed|processed|active|in\s+place|applied|approved|successful|accepted|granted)",
    r"\byour\s+(?:plr|record|data|details|(?:personal\s+)?learning\s+record)\s+(?:is|are|will)\s+(?:now\s+)?"
    r"(?:no\s+longer|not)\s+(?:be\s+)?(?:being\s+)?shared",
    r"\b(?:we|i|the\s+lrs)\s+(?:have|'ve|has)\s+(?:now\s+)?stopped\s+sharing",
    r"\b(?:we|i)(?:'ll|\s+will)\s+stop\s+sharing",
    r"\bsharing\s+(?:has\s+been|is|has)\s+(?:now\s+)?(?:stopped|turned\s+off|switched\s+off)",
    r"\bopt[\s-]?out\s+(?:is|has\s+been)\s+(?:now\s+)?(?:complete|confirmed|done|successful)",
]]


def claims_opted_out(text: str) -> bool:
    return any(pattern.search(text) for pattern in CLAIMS)


@pytest.mark.parametrize("text", [
    "You are now opted out.",
    "You're opted out of sharing.",
    "You have been opted out.",
    "You've successfully opted-out of data sharing",
    "We have opted you out.",
    "Your opt-out is complete.",
    "Your opt out has been processed.",
    "Your PLR is no longer shared.",
    "Your learning record will not be shared from now on.",
    "We have stopped sharing your record.",
    "I'll stop sharing your PLR.",
    "Sharing has been turned off.",
    "Your data will no longer be shared.",
])
def test_claims_are_caught(text):
    assert claims_opted_out(text)


@pytest.mark.parametrize("text", [
    "I can start an opt-out request now. Would you like to?",
    "Your opt-out request has been sent. The LRS team will review it and confirm what can be done.",
    "An opt-out puts a 'not shared' flag on your record.",
    "Opt-outs made before 25 May 2018 stay in place.",
    "Opting out does not remove your ULN.",
    "I can't check whether you have one.",
])
def test_requests_and_explanations_pass(text):
    assert not claims_opted_out(text)


def test_no_response_claims_the_learner_is_opted_out():
    offending = [f"{v.source}:{v.response}: {v.text}" for v in variations() if claims_opted_out(v.text)]
    assert offending == [], "\n".join(offending)


def test_offers_to_opt_out_speak_of_a_request():
    offers = [v for v in variations() if any(b.get("payload") == "/request_opt_out" for b in v.buttons)
              and v.response.startswith("utter_faq/")]
    assert offers, "expected FAQ answers that offer an opt-out request"
    assert all("request" in v.text.lower() for v in offers)

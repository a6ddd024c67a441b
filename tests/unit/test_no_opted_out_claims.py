"""No response says or implies that the learner is already opted out: an opt-out is a
request that the LRS team reviews (docs/facts.yml, policy.opt_out_is_a_request). Buttons,
keypad menus and the titles of the fallback's buttons ask; they never order the system to
stop or start sharing ("Ask to stop sharing my PLR", "press 2 to ask us to stop sharing")."""
from __future__ import annotations

import re

import pytest
import yaml

from tests.unit.domain_files import ROOT, variations

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
    "If the LRS puts a 'not shared' flag on your record, anyone who asks for your PLR is told you chose not "
    "to share it.",
    "Opt-outs made before 25 May 2018 stay in place.",
    "Opting out does not remove your ULN.",
    "I cannot check whether you have one.",
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


# A button or keypad choice that reads as an order to the system: "Stop sharing my PLR",
# "press 2 to stop sharing your record", "3 to share it again".
ORDERS = [re.compile(pattern, re.IGNORECASE) for pattern in [
    r"^\s*(?:stop|start|restart|resume)\s+sharing\b",
    r"^\s*share\s+(?:my|your)\s+(?:plr|record|data|learning\s+record)\b",
    r"^\s*opt\s+(?:me\s+)?(?:out|in|back\s+in)\b",
    r"\b(?:press\s+)?\d\s+(?:to|for)\s+(?:stop|start|restart)\s+sharing\b",
    r"\b(?:press\s+)?\d\s+(?:to|for)\s+shar(?:e|ing)\s+(?:it|your\s+\w+|my\s+\w+)\s+again\b",
    r"\b(?:press\s+)?\d\s+to\s+opt\s+(?:out|in|back\s+in)\b",
]]


def reads_as_an_order(text: str) -> bool:
    return any(pattern.search(text) for pattern in ORDERS)


@pytest.mark.parametrize("text", [
    "Stop sharing my PLR",
    "Share my PLR again",
    "Opt out",
    "Press 1 to ask a question, 2 to stop sharing your record, 3 to share it again.",
    "press 1 to stop sharing your record, 2 to share it again",
    "Press 2 to opt out.",
])
def test_orders_are_caught(text):
    assert reads_as_an_order(text)


@pytest.mark.parametrize("text", [
    "Ask to stop sharing my PLR",
    "Ask to share my PLR again",
    "Press 1 to ask a question, 2 to ask us to stop sharing your record, 3 to ask us to share it again.",
    "Or press 1 to ask to stop sharing, 2 to ask to share again, or 3 to check a request.",
    "Yes, start a request",
    "Check a request",
])
def test_requests_are_not_orders(text):
    assert not reads_as_an_order(text)


def _keypad(variation_custom) -> str:
    voice = (variation_custom or {}).get("voice") if isinstance(variation_custom, dict) else None
    return str((voice or {}).get("keypad") or "")


def spoken_and_shown_choices():
    """(where, text) of every button title, keypad prompt and voice text in the domain."""
    for path in sorted((ROOT / "domain").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for response, options in (document.get("responses") or {}).items():
            for option in options or []:
                where = f"{path.name}:{response} ({option.get('channel') or 'text'})"
                for button in option.get("buttons") or []:
                    yield f"{where} button", str(button.get("title") or "")
                if _keypad(option.get("custom")):
                    yield f"{where} keypad", _keypad(option.get("custom"))
                if option.get("channel") == "twilio_voice":
                    yield f"{where} text", str(option.get("text") or "")


def test_buttons_and_keypad_prompts_ask_rather_than_order():
    orders = [f"{where}: {text}" for where, text in spoken_and_shown_choices() if reads_as_an_order(text)]
    assert orders == [], "\n".join(orders)


def test_fallback_button_titles_ask_rather_than_order():
    titles = yaml.safe_load((ROOT / "actions" / "intent_titles.yml").read_text(encoding="utf-8"))
    entries = list(titles["intents"].items()) + list(titles["faq"].items())
    orders = [f"{key}: {entry['title']}" for key, entry in entries if reads_as_an_order(entry["title"])]
    assert orders == [], "\n".join(orders)


def test_no_button_or_keypad_prompt_claims_the_learner_is_opted_out():
    claims = [f"{where}: {text}" for where, text in spoken_and_shown_choices() if claims_opted_out(text)]
    assert claims == [], "\n".join(claims)

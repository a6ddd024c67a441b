"""A whole opt-out by phone in Welsh, through the running stack (issue 22, point 4).

The caller presses 9 at the greeting, then answers every yes/no question, the date of birth
and the ULN on the keypad: Twilio's speech recognition has no Welsh, so those are the answers
a Welsh caller can always give. Names and the postcode are spoken (en-GB recognition reads
them). Every word the caller hears is in the Welsh voice, and the request reaches the backend.

Needs the Welsh responses (content/cy/, rendered by content/nlg.py with `language: cy`) and a
model trained with domain/language.yml (`choose_welsh`); `test_the_welsh_parts_are_in` says which
is missing when one is.
"""
from __future__ import annotations

import json
import re
import tarfile
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pytest
import yaml

from channels.voice_prompts import WELSH_OFFER
from tests.conftest import MODEL
from tests.voice.test_voice_calls import caller, staff_requests

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"PLR-[A-Z0-9]{4}-[A-Z0-9]{4}")
CY_VOICE = ("Polly.Gwyneth", "cy-GB")
# The Welsh responses the opt-out needs; each must have a twilio_voice variation.
WELSH_RESPONSES = ("utter_language_cy", "utter_request_consent_opt_out", "utter_ask_given_name",
                   "utter_ask_date_of_birth", "utter_ask_uln")


@lru_cache(maxsize=None)
def waiting_for() -> Optional[str]:
    """What the Welsh call still needs from the rest of issue 22, or None when it is all in."""
    missing = []
    try:
        with tarfile.open(MODEL) as model:
            domain = yaml.safe_load(model.extractfile("components/domain_provider/domain.yml").read())
        if "choose_welsh" not in (domain.get("intents") or []) and not any(
                isinstance(i, dict) and "choose_welsh" in i for i in domain.get("intents") or []):
            missing.append("a model trained with domain/language.yml (make train)")
    except (OSError, KeyError, tarfile.TarError):
        missing.append(f"a trained model at {MODEL}")
    welsh = {}
    for path in sorted((ROOT / "content" / "cy").glob("*.yml")):
        welsh.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    voiced = {name for name, variations in welsh.items()
              if any(v.get("channel") == "twilio_voice" for v in variations or [])}
    absent = [name for name in WELSH_RESPONSES if name not in voiced]
    if absent:
        missing.append("Welsh twilio_voice variations in content/cy/ for " + ", ".join(absent))
    return "; ".join(missing) or None


pytestmark = pytest.mark.stack


def test_the_welsh_parts_are_in():
    assert waiting_for() is None, waiting_for()


def welsh_turn(reply, **attributes) -> None:
    """Said in Welsh, listening keypad-first, and the next turn knows the call is Welsh."""
    gather = reply.gather
    assert gather is not None, reply.body
    assert gather.get("input", "").startswith("dtmf") and gather.get("language") == "en-GB", gather.attrib
    assert "lang=cy" in gather.get("action"), gather.get("action")
    for name, value in attributes.items():
        assert gather.get(name) == value, (name, gather.attrib)
    assert reply.says and all((say.get("voice"), say.get("language")) == CY_VOICE for say in reply.says), reply.body


def test_a_whole_welsh_opt_out_by_keypad(stack):
    call = caller(stack)
    greeting = call.ring()
    assert greeting.says[0].text == WELSH_OFFER and "Learning Records Service" in greeting.text
    welsh_turn(call.press("9"))
    welsh_turn(call.press("2"), numDigits="1")                 # stop sharing -> consent, yes or no
    welsh_turn(call.press("1"))                                # yes -> first name
    call.say("Priya.")
    dob = call.say("Shah.")
    welsh_turn(dob, numDigits="8", finishOnKey="#")
    welsh_turn(call.press("03042001"))                         # -> postcode
    welsh_turn(call.say("C F ten three A T."), numDigits="1")  # -> a different family name? yes or no
    welsh_turn(call.press("2"), numDigits="1")                 # no -> do you know your ULN? yes or no
    welsh_turn(call.press("1"), numDigits="10", finishOnKey="#")
    email = call.press("1000000043")
    welsh_turn(email, numDigits="1")                           # an email address? 2 for no
    review = call.press("2")
    welsh_turn(review, numDigits="1")
    assert "Priya Shah" in review.text and "2001" in review.text
    assert review.say_as("digits") == ["043"] and review.say_as("characters") == ["CF10", "3AT"]
    assert "1000000043" not in review.body
    done = call.press("1")
    assert all((say.get("voice"), say.get("language")) == CY_VOICE for say in done.says), done.body
    reference = "-".join(done.say_as("characters")[:3])
    assert REFERENCE.fullmatch(reference), done.body

    stored = [r for r in staff_requests(stack) if r["conversation_id"] == call.call_sid]
    assert [(r["reference"], r["type"], r["uln"], r["date_of_birth"], r["postcode"], r["channel"]) for r in stored] == [
        (reference, "opt_out", "1000000043", "2001-04-03", "CF10 3AT", "voice")]
    assert stored[0].get("language") == "cy", "the backend keeps the caller's language for staff"
    assert call.number not in json.dumps(stored[0])
    call.hang_up()

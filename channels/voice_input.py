"""A caller's turn (speech-to-text or keypad digits) turned into the message the assistant reads.

Spoken ULNs, dates and postcodes are read with plr_common, the same code the form validators
use, so the phone and the web chat share one reading. When the question's voice directive says
what it expects, the channel hands the assistant the typed form ("SW1A 1AA" for "S W 1 A 1 A A"),
which its NLU takes for an answer; anything it cannot read is passed on as said. What only a
phone needs is done here too: keypad menus, 0 for a person, * to repeat, a spoken "adviser",
spoken email addresses and request references.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

from plr_common import check_postcode, spoken_digits
from plr_common.dates import parse_date
from plr_common.numwords import FILLERS, REPEATERS, UNITS, tokens
from plr_common.spoken import LETTER_NAMES, NATO

from channels.voice_directives import VoiceDirective

HANDOFF_MESSAGE = "/human_handoff"
HANDOFF_KEY = "0"
REPEAT_KEY = "*"
MAX_MESSAGE_CHARS = 1000
# Fewer digits than this is not an attempt at a ULN ("I'm 19"): it is left to the assistant.
MIN_ULN_DIGITS = 6
# A spoken "repeat" does what * does: the last turn again (the helplines after a safeguarding
# reply, which offers "say repeat, or press star").
_SPOKEN_REPEAT = re.compile(
    r"^(?:(?:can|could|would) you |please )?(?:repeat(?: that| it| them| the numbers| the number)?|"
    r"say (?:that|it|them|the numbers) again|(?:say it )?one more time|again)(?: please)?$"
)


@dataclass(frozen=True)
class CallerInput:
    """`kind` is "message" (send `text` to the assistant), "handoff", "repeat" or "silence"."""

    kind: str
    text: str = ""
    keypad: bool = False


SILENCE = CallerInput("silence")


def read_caller_input(
    speech: Optional[str],
    digits: Optional[str],
    directive: Optional[VoiceDirective] = None,
    confidence: Optional[float] = None,
    min_confidence: float = 0.0,
) -> CallerInput:
    if digits and digits.strip():
        return _read_digits(digits.strip(), directive)
    text = " ".join((speech or "").split())[:MAX_MESSAGE_CHARS]
    # Speech never starts with "/", but a message that did would be read as an intent.
    text = text.lstrip("/ ")
    if not text:
        return SILENCE
    if confidence is not None and confidence < min_confidence:
        return SILENCE
    if is_handoff_request(text):
        return CallerInput("handoff", HANDOFF_MESSAGE)
    if _SPOKEN_REPEAT.match(" ".join(tokens(text))):
        return CallerInput("repeat")
    if directive and directive.keys:
        choice = _spoken_choice(text)
        if choice is not None and choice in directive.keys:
            return CallerInput("message", directive.keys[choice])
    return CallerInput("message", normalise_answer(text, directive.expect if directive else None))


def _read_digits(digits: str, directive: Optional[VoiceDirective]) -> CallerInput:
    keyed = re.sub(r"[^0-9]", "", digits)
    if not keyed:
        return CallerInput("repeat") if REPEAT_KEY in digits else SILENCE
    if keyed == HANDOFF_KEY:
        return CallerInput("handoff", HANDOFF_MESSAGE, keypad=True)
    if directive and keyed in directive.keys:
        return CallerInput("message", directive.keys[keyed], keypad=True)
    return CallerInput("message", normalise_answer(keyed[:MAX_MESSAGE_CHARS], directive.expect if directive else None),
                       keypad=True)


def normalise_answer(text: str, expect: Optional[str]) -> str:
    """An answer to a form question in the typed form the assistant knows best.

    Speech-to-text gives "S W 1 A 1 A A" or "twenty-first of June two thousand and two", which
    the NLU may take for a question; "SW1A 1AA" and "21/06/2002" it reads as an answer. The
    readings are plr_common's, the ones the form validators use, and an answer that cannot be
    read is passed on unchanged, so the validator still explains what is wrong with it.
    """
    if expect == "postcode":
        return check_postcode(text).value or text
    if expect == "uln":
        digits = spoken_digits(text)
        return digits if digits and len(digits) >= MIN_ULN_DIGITS else text
    if expect == "date":
        parsed = parse_date(text)
        if parsed and 1 <= parsed[1] <= 12:
            day, month, year, two_digit = parsed
            # Numbers, day first as the validator reads them: the NLU takes "03/04/2001" for an
            # answer more surely than "3 April 2001" (which it has mistaken for a correction).
            return f"{day:02d}/{month:02d}/{year:02d}" if two_digit else f"{day:02d}/{month:02d}/{year:04d}"
        return text
    if expect == "email":
        return spoken_email(text) or text
    if expect == "reference":
        return spoken_reference(text) or text
    return text


_CHOICE_WORDS = FILLERS | {"number", "press", "pressing", "option", "choice", "the", "i'll", "take", "choose"}


def _spoken_choice(text: str) -> Optional[str]:
    """"One", "number two", "option 3": a menu key said instead of pressed."""
    words = [w for w in tokens(text) if w not in _CHOICE_WORDS]
    if len(words) != 1:
        return None
    digit = spoken_digits(words[0])
    return digit if digit and len(digit) == 1 else None


_PERSON_WORDS = {"adviser", "advisor", "advisers", "advisors", "operator", "agent", "human", "person",
                 "someone", "somebody", "representative", "helpdesk", "staff"}
_REQUEST_WORDS = FILLERS | {
    "a", "an", "the", "real", "actual", "live", "speak", "talk", "to", "with", "can", "could", "i", "i'd",
    "want", "need", "would", "like", "put", "me", "through", "let", "get", "transfer", "connect", "just",
    "please", "member", "of", "go", "thank", "thanks", "you",
}


def is_handoff_request(text: str) -> bool:
    """A short request for a person: "adviser", "operator please", "let me speak to someone".

    Longer sentences are left to the assistant's NLU (`human_handoff`), which knows context.
    """
    words = tokens(text)
    if not words or len(words) > 10:
        return False
    return any(w in _PERSON_WORDS for w in words) and all(w in _PERSON_WORDS or w in _REQUEST_WORDS for w in words)


_EMAIL_WORDS = [
    (r"\bat sign\b|\bat symbol\b|\bat\b", "@"),
    (r"\bdot\b|\bfull stop\b|\bperiod\b|\bpoint\b", "."),
    (r"\bunderscore\b", "_"),
    (r"\bdash\b|\bhyphen\b|\bminus\b", "-"),
    (r"\bplus\b", "+"),
]
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+$")


def spoken_email(text: str) -> Optional[str]:
    """"jane dot smith at example dot com" -> "jane.smith@example.com"; None when not an address."""
    words = text.strip().rstrip(".").lower()
    words = re.sub(r"^(?:(?:it's|it is|my email(?: address)? is|my email's|email)\s+)+", "", words)
    for pattern, symbol in _EMAIL_WORDS:
        words = re.sub(pattern, f" {symbol} ", words)
    words = re.sub(r"\bdouble\s+([a-z0-9])\b", r"\1\1", words)
    candidate = "".join(words.split())
    return candidate if _EMAIL.match(candidate) else None


_REFERENCE_FILLERS = FILLERS | {"reference", "ref", "number", "the", "dash", "hyphen", "then", "and"}
# Speech-to-text writes some digits as words that sound the same.
_SOUNDS_LIKE = {"for": "4", "to": "2", "too": "2", "ate": "8"}
_REFERENCE = re.compile(r"^PLR([A-Z0-9]{4})([A-Z0-9]{4})$")


def spoken_reference(text: str) -> Optional[str]:
    """"P L R seven K three M, nine Q X D" -> "PLR-7K3M-9QXD"; None when it is not one.

    Request references are spelt out over the phone; speech-to-text returns letters, letter
    names, NATO words, digit words or short chunks. Only a whole reference is returned.
    """
    out: List[str] = []
    words = tokens(text.lower().replace("x-ray", "xray").replace("x ray", "xray"))
    i = 0
    while i < len(words):
        word = words[i]
        repeat = 1
        if word in REPEATERS and i + 1 < len(words):
            repeat, i = REPEATERS[word], i + 1
            word = words[i]
        i += 1
        if word in _REFERENCE_FILLERS and repeat == 1:
            continue
        char = _reference_char(word)
        if char is None:
            return None
        out.append(char * repeat)
    match = _REFERENCE.match("".join(out))
    return f"PLR-{match.group(1)}-{match.group(2)}" if match else None


def _reference_char(word: str) -> Optional[str]:
    if word in UNITS and UNITS[word] != 0:
        return str(UNITS[word])
    if word in _SOUNDS_LIKE:
        return _SOUNDS_LIKE[word]
    if word in NATO:
        return NATO[word]
    if word in LETTER_NAMES:
        return LETTER_NAMES[word]
    if word.isascii() and word.isalnum() and len(word) <= 4:
        return word.upper()
    return None

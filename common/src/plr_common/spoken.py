"""Normalisers for speech-to-text output: digits read aloud and postcodes spelt out.

Hand-written on purpose: the number-word libraries on PyPI (word2number, text2num) turn
"one seven four eight" into 1+7+4+8 or "1 7 4 8" and know nothing of the telephone habits
"oh", "double five", "triple seven" or spelt letters, which are what callers actually say.
Both functions return None rather than guess when a word is not understood.
"""

from itertools import product
from typing import List, Optional, Tuple

from . import welsh
from .numwords import FILLERS, REPEATERS, UNITS, below_100, cardinal, tokens
from .ukpostcode import canonical

_DIGIT_FILLERS = FILLERS | {"the", "and", "number", "numbers", "uln", "digits", "unique", "learner"}


def spoken_digits(text: str) -> Optional[str]:
    """Digits read aloud: "seventeen forty-eight, double five, oh 3" -> "17485503".

    Digits and number words may be mixed; each group of number words gives its own digits
    ("fifty two" -> "52", "one hundred and five" -> "105"). None when nothing, or something
    that is not a number or a filler, is said.
    """
    toks = tokens(text)
    out: List[str] = []
    i = 0
    if any(t in welsh.UNITS and t not in UNITS for t in toks):
        return welsh.spoken_digits(text)  # "un saith pedwar wyth": Welsh digits, one word each
    while i < len(toks):
        word = toks[i]
        if word.isascii() and word.isdigit():
            out.append(word)
            i += 1
        elif word in REPEATERS:
            digit = _single_digit(toks, i + 1)
            if digit is None:
                return None
            out.append(digit * REPEATERS[word])
            i += 2
        elif word in _DIGIT_FILLERS and word not in UNITS:
            i += 1
        else:
            number = cardinal(toks, i)
            if number is None:
                return None
            out.append(str(number[0]))
            i = number[1]
    return "".join(out) or None


def _single_digit(toks: List[str], i: int) -> Optional[str]:
    if i >= len(toks):
        return None
    word = toks[i]
    if len(word) == 1 and word.isascii() and word.isdigit():
        return word
    if word in UNITS:
        return str(UNITS[word])
    return None


# fmt: off
LETTER_NAMES = {
    "ay": "A", "bee": "B", "be": "B", "see": "C", "sea": "C", "cee": "C", "dee": "D", "ee": "E",
    "ef": "F", "eff": "F", "gee": "G", "aitch": "H", "haitch": "H", "eye": "I", "jay": "J",
    "kay": "K", "el": "L", "ell": "L", "em": "M", "en": "N", "pee": "P", "pea": "P", "cue": "Q",
    "queue": "Q", "ar": "R", "are": "R", "ess": "S", "es": "S", "tee": "T", "tea": "T",
    "you": "U", "vee": "V", "ex": "X", "why": "Y", "wye": "Y", "zed": "Z", "zee": "Z",
}
NATO = {
    "alpha": "A", "alfa": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E",
    "foxtrot": "F", "golf": "G", "hotel": "H", "india": "I", "juliet": "J", "juliett": "J",
    "kilo": "K", "lima": "L", "mike": "M", "november": "N", "oscar": "O", "papa": "P",
    "quebec": "Q", "romeo": "R", "sierra": "S", "tango": "T", "uniform": "U", "victor": "V",
    "whiskey": "W", "whisky": "W", "xray": "X", "yankee": "Y", "zulu": "Z",
}
# fmt: on
_POSTCODE_FILLERS = FILLERS | {"the", "and", "postcode", "post", "code", "space", "zip"}
# "oh" and a lone "o" are the letter O or the digit 0; "double u" is W or U U. The postcode
# rules (O is never an inward letter, etc.) settle almost every case; the rest is refused.
_AMBIGUOUS = {"oh": ("O", "0"), "o": ("O", "0")}
_MAX_READINGS = 256

Alternatives = Tuple[str, ...]


def spoken_postcode(text: str) -> Optional[str]:
    """A postcode spelt out: "s w one a one a a" -> "SW1A 1AA", "c f ten three a t" -> "CF10 3AT".

    Accepts letter names ("ess", "double u"), NATO words, "s for sierra" (the example word must
    start with the letter), number words, digits and short typed chunks ("sw1a"). Returns the
    single reading that is a valid postcode, or None when there is none or more than one.
    """
    text = text.lower().replace("x-ray", "xray").replace("x ray", "xray")
    toks = tokens(text)
    parts: List[Alternatives] = []
    i = 0
    while i < len(toks):
        word = toks[i]
        if word == "for":
            # "s for sierra": keep the letter the example word starts with. Otherwise speech
            # to text wrote "for" for the digit four.
            example = toks[i + 1][0].upper() if i + 1 < len(toks) else ""
            letters = tuple(a for a in parts[-1] if a == example) if parts else ()
            if letters and len(toks[i + 1]) > 1:
                parts[-1] = letters
                i += 2
            else:
                parts.append(("4",))
                i += 1
            continue
        if word in _POSTCODE_FILLERS and word not in _AMBIGUOUS:
            i += 1
            continue
        item = _postcode_item(toks, i)
        if item is None:
            return None
        alternatives, i = item
        parts.append(alternatives)
    return _only_valid_reading(parts)


def _postcode_item(toks: List[str], i: int) -> Optional[Tuple[Alternatives, int]]:
    word = toks[i]
    if word == "double" and i + 1 < len(toks) and toks[i + 1] in ("u", "you"):
        return ("W", "UU"), i + 2
    if word in REPEATERS:
        inner = _postcode_item(toks, i + 1) if i + 1 < len(toks) else None
        if inner is None or any(len(a) != 1 for a in inner[0]):
            return None
        return tuple(a * REPEATERS[word] for a in inner[0]), inner[1]
    if word in _AMBIGUOUS:
        return _AMBIGUOUS[word], i + 1
    if word in NATO:
        return (NATO[word],), i + 1
    if word in LETTER_NAMES:
        return (LETTER_NAMES[word],), i + 1
    number = below_100(toks, i)
    if number:
        return (str(number[0]),), number[1]
    if word.isascii() and word.isalnum() and (len(word) <= 2 or any(c.isdigit() for c in word)):
        return (word.upper(),), i + 1
    return None


def _only_valid_reading(parts: List[Alternatives]) -> Optional[str]:
    if not parts:
        return None
    readings = 1
    for alternatives in parts:
        readings *= len(alternatives)
    if readings > _MAX_READINGS:
        return None
    valid = {canonical("".join(choice)) for choice in product(*parts)}
    valid.discard(None)
    return valid.pop() if len(valid) == 1 else None

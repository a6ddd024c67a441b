"""English number words as speech-to-text writes them, and small parsers over token lists.

Shared by the spoken-digit, spoken-postcode and date parsers so that "oh", "twenty-first" or
"two thousand and two" mean the same thing everywhere. Parsers take a token list and a start
index and return ``(value, next_index)`` or ``None``; they never guess past what they consume.
"""

import re
from typing import Dict, List, Optional, Tuple

# fmt: off
UNITS: Dict[str, int] = {
    "zero": 0, "oh": 0, "o": 0, "nought": 0, "nil": 0,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
TEENS: Dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS: Dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
ORDINALS: Dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
REPEATERS: Dict[str, int] = {"double": 2, "triple": 3, "treble": 3}

# Hesitations and carrier words that speech-to-text keeps but that never carry a value.
FILLERS = frozenset({
    "um", "umm", "uh", "uhh", "uhm", "er", "erm", "err", "ah", "ahh", "eh", "hmm", "hm", "mm",
    "mmm", "so", "okay", "ok", "yeah", "well", "like", "please", "right", "it", "it's", "its",
    "is", "that's", "thats", "my", "me", "was",
})
# fmt: on

_SPLIT = re.compile(r"[\s.,;:!?\-\u2010\u2011\u2013\u2014/]+")


def tokens(text: str) -> List[str]:
    """Lower-case words; hyphens and punctuation split words ("twenty-first" -> 2 tokens)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [t for t in _SPLIT.split(text) if t]


def unit(toks: List[str], i: int, zero: bool = True) -> Optional[Tuple[int, int]]:
    """A single digit word; ``zero=False`` refuses the words for 0."""
    if i < len(toks) and toks[i] in UNITS and (zero or UNITS[toks[i]] != 0):
        return UNITS[toks[i]], i + 1
    return None


def below_100(toks: List[str], i: int) -> Optional[Tuple[int, int]]:
    """0-99 in words: "seven", "twelve", "forty", "forty eight"."""
    if i >= len(toks):
        return None
    word = toks[i]
    if word in TEENS:
        return TEENS[word], i + 1
    if word in TENS:
        nxt = unit(toks, i + 1, zero=False)
        if nxt:
            return TENS[word] + nxt[0], nxt[1]
        return TENS[word], i + 1
    return unit(toks, i)


def _and(toks: List[str], i: int) -> int:
    return i + 1 if i < len(toks) and toks[i] == "and" else i


def cardinal(toks: List[str], i: int) -> Optional[Tuple[int, int]]:
    """0-99999 in words with "hundred", "thousand" and British "and" ("two thousand and two")."""
    first = below_100(toks, i)
    if not first:
        return None
    value, j = first
    if j < len(toks) and toks[j] == "thousand" and value > 0:
        value, j = value * 1000, j + 1
        k = _and(toks, j)
        rest = _hundreds(toks, k)
        if rest:
            return value + rest[0], rest[1]
        return value, j
    if j < len(toks) and toks[j] == "hundred" and value > 0:
        value, j = value * 100, j + 1
        k = _and(toks, j)
        rest = below_100(toks, k)
        if rest and rest[0] > 0:
            return value + rest[0], rest[1]
    return value, j


def _hundreds(toks: List[str], i: int) -> Optional[Tuple[int, int]]:
    """1-999 after "thousand": "and two", "three hundred and five", "twenty"."""
    first = below_100(toks, i)
    if not first or first[0] == 0:
        return None
    value, j = first
    if value < 10 and j < len(toks) and toks[j] == "hundred":
        value, j = value * 100, j + 1
        k = _and(toks, j)
        rest = below_100(toks, k)
        if rest and rest[0] > 0:
            return value + rest[0], rest[1]
    return value, j


def ordinal_day(toks: List[str], i: int) -> Optional[Tuple[int, int]]:
    """A day of the month in words, ordinal or cardinal: "third", "twenty first", "twelve"."""
    if i >= len(toks):
        return None
    word = toks[i]
    if word in ORDINALS:
        return ORDINALS[word], i + 1
    if word in TENS and i + 1 < len(toks):
        nxt = toks[i + 1]
        if nxt in ORDINALS and ORDINALS[nxt] < 10:
            return TENS[word] + ORDINALS[nxt], i + 2
    found = below_100(toks, i)
    if found and found[0] > 0:
        return found
    return None

"""Dates of birth as people type or say them, read day first (UK), returned as ISO YYYY-MM-DD.

Hand-written rather than ``dateutil.parser``: dateutil fills a missing day or year from today,
accepts "12" or "March" alone, and reads no spoken years, while a date of birth must be exact.
Accepted shapes (fillers such as "the", "of", "born on", "um" are ignored):

- numbers: 12/03/2001, 12-3-01, 12.03.2001, 12 03 2001, 12032001, 120301 (always day first);
  year first only with four digits: 2001-03-12, 2001/03/12 (and an ISO timestamp's date);
- month names (full, 3-letter, "sept"): 12 March 2001, 12th of Mar 01, March 12th, 2001;
- words: "twenty-first of june two thousand and two", "the third of april nineteen ninety nine",
  "march the twelfth oh one", years such as "twenty ten" or "nineteen oh five";
- Welsh (welsh.py): "14 Mawrth 2002", "14eg o Fawrth 2002", "y pedwerydd ar ddeg o Fawrth dwy
  fil a dau".

Two-digit years resolve to the most recent year that does not put the birthday in the future.
"""

import re
from datetime import date
from typing import List, Optional, Tuple

from . import welsh
from .numwords import FILLERS, TEENS, TENS, UNITS, below_100, cardinal, ordinal_day, tokens
from .result import Checked

MIN_AGE = 13
MAX_AGE = 120

# fmt: off
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# fmt: on
_DATE_FILLERS = FILLERS | {"the", "of", "on", "born", "date", "birth", "dob", "birthday", "in"}

_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:t[\d:.]*(?:z|[+-][\d:]+)?)?")
_DMY = re.compile(r"(\d{1,2})([-/. ])(\d{1,2})\2(\d{4}|\d{2})")
_COMPACT = re.compile(r"(\d{2})(\d{2})(\d{4}|\d{2})")
_ZERO_WORDS = ("oh", "o", "nought", "zero")
_DAY_DIGITS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
_YEAR_DIGITS = re.compile(r"'?(\d{4}|\d{2})")

# (day, month, year, year_has_two_digits)
Parsed = Tuple[int, int, int, bool]


def check_date_of_birth(text: str, today: date) -> Checked:
    parsed = parse_date(text or "")
    if parsed is None:
        return Checked.invalid("date_unreadable")
    day, month, year, two_digit = parsed
    if two_digit:
        year = _resolve_two_digit_year(year, month, day, today)
    try:
        born = date(year, month, day)
    except ValueError:
        return Checked.invalid("date_impossible")
    if born > today:
        return Checked.invalid("date_future")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < MIN_AGE:
        return Checked.invalid("age_under_13")
    if age > MAX_AGE:
        return Checked.invalid("age_over_120")
    return Checked.valid(born.isoformat())


def _resolve_two_digit_year(yy: int, month: int, day: int, today: date) -> int:
    year = today.year - (today.year - yy) % 100
    # Compare (month, day) rather than dates so that 29/02 in a non-leap year is still placed
    # and then reported as impossible, not as unreadable.
    if year == today.year and (month, day) > (today.month, today.day):
        year -= 100
    return year


def parse_date(text: str) -> Optional[Parsed]:
    """The date's parts as written, or None; impossible values (31/02) are left for the caller."""
    text = text.lower().replace("\u2019", "'").replace(",", " ").strip(" .!?")
    compact = " ".join(t for t in text.split() if t not in _DATE_FILLERS)
    match = _YMD.fullmatch(compact)
    if match:
        return int(match[4]), int(match[3]), int(match[1]), False
    match = _DMY.fullmatch(compact)
    if match:
        return _numeric(match[1], match[3], match[4])
    match = _COMPACT.fullmatch(compact)
    if match:
        return _numeric(match[1], match[2], match[3])
    english = _parse_words([t for t in tokens(compact) if t not in _DATE_FILLERS])
    if english is not None:
        return english
    cymraeg = welsh.date_parts(text)
    return (*cymraeg, False) if cymraeg else None


def _numeric(day: str, month: str, year: str) -> Parsed:
    return int(day), int(month), int(year), len(year) == 2


def _parse_words(toks: List[str]) -> Optional[Parsed]:
    months = [i for i, t in enumerate(toks) if t in MONTHS]
    if len(months) != 1:
        return None
    at = months[0]
    month = MONTHS[toks[at]]
    before, after = toks[:at], toks[at + 1 :]
    if before:
        day = _day(before)
        year = _year(after)
        return (day, month, *year) if day and year else None
    readings = set()
    for split in range(1, len(after)):
        day, year = _day(after[:split]), _year(after[split:])
        if day and day <= 31 and year:
            readings.add((day, month, *year))
    return readings.pop() if len(readings) == 1 else None


def _day(toks: List[str]) -> Optional[int]:
    if len(toks) == 1:
        match = _DAY_DIGITS.fullmatch(toks[0])
        if match:
            return int(match[1]) or None
    found = ordinal_day(toks, 0)
    if found and found[1] == len(toks):
        return found[0]
    return None


def _year(toks: List[str]) -> Optional[Tuple[int, bool]]:
    """(year, has_two_digits) from "2001", "'01", "two thousand and one", "nineteen ninety nine"."""
    if not toks:
        return None
    if len(toks) == 1:
        match = _YEAR_DIGITS.fullmatch(toks[0])
        if match:
            return int(match[1]), len(match[1]) == 2
    if len(toks) == 2 and toks[0] in _ZERO_WORDS and toks[1] in UNITS:
        return UNITS[toks[1]], True  # "oh one"
    whole = cardinal(toks, 0)
    # A lone "one" or "five" is never taken as a year: in "march twenty one" it is the day.
    if whole and whole[1] == len(toks) and (10 <= whole[0] < 100 or 1000 <= whole[0] <= 9999):
        return whole[0], whole[0] < 100
    return _year_pair(toks)


def _year_pair(toks: List[str]) -> Optional[Tuple[int, bool]]:
    """Years said as two pairs: "nineteen ninety nine", "twenty ten", "nineteen oh five"."""
    if not toks or (toks[0] not in TEENS and toks[0] not in TENS):
        return None
    century = below_100(toks, 0)
    if century is None or century[0] < 10:
        return None
    rest = toks[century[1] :]
    if rest == ["hundred"]:
        return century[0] * 100, False
    if len(rest) == 2 and rest[0] in _ZERO_WORDS and rest[1] in UNITS:
        return century[0] * 100 + UNITS[rest[1]], False
    if rest and (rest[0] in TEENS or rest[0] in TENS):
        tail = below_100(rest, 0)
        if tail and tail[1] == len(rest):
            return century[0] * 100 + tail[0], False
    return None

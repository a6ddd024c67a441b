"""Welsh as learners type it or speech-to-text writes it, turned into what the English parsers read.

Welsh mutates the first letter of a word after certain words ("Mawrth" becomes "Fawrth" after
"o", "Tachwedd" becomes "Nhachwedd" after "yn"), so every month is listed with its mutated
forms. Numbers come in the decimal system taught in schools ("dau ddeg un", 21) and the
traditional one ("un ar hugain"), with feminine forms ("dwy", "tair", "pedair") and mutations
("ddeg", "bedwar"). Years are said as a number ("dwy fil a dau") or digit by digit ("un naw naw
wyth"). Hand-written: no maintained library on the registry parses Welsh dates or numbers.
"""

import re
from datetime import date
from typing import Dict, List, Optional, Tuple

# fmt: off
# Each month's base form, mutated forms (soft, nasal, aspirate) and common short forms.
MONTHS: Dict[str, int] = {}
for _number, _forms in enumerate([
    ("ionawr", "ion"),
    ("chwefror", "chwef"),
    ("mawrth", "fawrth", "maw"),
    ("ebrill", "ebr"),
    ("mai", "fai"),
    ("mehefin", "fehefin", "meh"),
    ("gorffennaf", "orffennaf", "ngorffennaf", "gorffenaf", "gorff"),
    ("awst", "aws"),
    ("medi", "fedi"),
    ("hydref", "hyd"),
    ("tachwedd", "dachwedd", "nhachwedd", "thachwedd", "tach"),
    ("rhagfyr", "ragfyr", "rhag"),
], start=1):
    for _form in _forms:
        MONTHS[_form] = _number

UNITS: Dict[str, int] = {
    "dim": 0, "sero": 0,
    "un": 1,
    "dau": 2, "dwy": 2, "ddau": 2, "ddwy": 2,
    "tri": 3, "tair": 3, "dri": 3, "dair": 3, "thri": 3, "thair": 3,
    "pedwar": 4, "pedair": 4, "bedwar": 4, "bedair": 4, "phedwar": 4, "phedair": 4,
    "pump": 5, "pum": 5, "bump": 5, "bum": 5, "phump": 5, "phum": 5,
    "chwech": 6, "chwe": 6,
    "saith": 7,
    "wyth": 8,
    "naw": 9,
}
_TEN = {"deg", "ddeg", "deng", "ddeng"}
# Traditional 11-19 as one word, and the words that join the traditional system's parts.
_TRADITIONAL_TEENS = {
    "deuddeg": 12, "ddeuddeg": 12, "pymtheg": 15, "bymtheg": 15, "deunaw": 18, "ddeunaw": 18,
}
_TWENTY = {"ugain", "hugain"}
_HUNDRED = {"cant", "gant", "chant"}
_THOUSAND = {"mil", "fil"}
_AND = {"a", "ac"}

# Days of the month: ordinal words, and the suffixes written after digits (1af, 2il, 14eg, 21ain).
ORDINAL_WORDS: Dict[str, int] = {
    "cyntaf": 1, "gyntaf": 1, "ail": 2, "trydydd": 3, "trydedd": 3, "pedwerydd": 4, "pedwaredd": 4,
    "pumed": 5, "bumed": 5, "chweched": 6, "seithfed": 7, "wythfed": 8, "nawfed": 9, "degfed": 10,
    "ddegfed": 10, "deuddegfed": 12, "pymthegfed": 15, "deunawfed": 18, "ugeinfed": 20,
    "unfed": 1,
}
_ORDINAL_DIGITS = re.compile(r"(\d{1,2})(af|il|ail|ydd|edd|ed|fed|eg|ain)", re.I)

YES = frozenset({
    "ie", "ia", "iep", "ydw", "yndw", "ydy", "ydi", "yndi", "ydyn", "do", "iawn", "oes", "gwnaf",
    "gwnawn", "hoffwn", "byddwn", "cywir", "yn sicr", "ie plis", "ie os gwelwch yn dda", "ydw plis",
    "ydy mae'n iawn", "mae'n iawn", "ydi mae'n iawn", "ie diolch", "do diolch", "ie iawn",
})
NO = frozenset({
    "na", "nac ydw", "nac ydy", "nac ydi", "naddo", "nac oes", "nage", "dim diolch", "na diolch",
    "nid", "dim", "na dim diolch", "dim un", "does dim", "does gen i ddim", "sgen i ddim",
    "nac ydyn",
    "dw i ddim yn gwybod", "dwi ddim yn gwybod", "ddim yn gwybod", "dim syniad", "dim ebost",
    "dim e-bost", "dwi ddim yn siwr", "dw i ddim yn siwr", "ddim yn siwr",
})
# Words that carry no value in a spoken date or number ("ym mis", "fy ngeni", "o").
FILLERS = frozenset({
    "ym", "yn", "mis", "o", "y", "yr", "ar", "fy", "ngeni", "geni", "ganwyd", "ces", "i", "cefais",
    "dyddiad", "mae", "fe", "pen-blwydd", "penblwydd", "eni", "sef", "wel", "ymm", "rhif", "ydy",
    "yw", "'r", "diolch",
})
# fmt: on


def _tokens(text: str) -> List[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [t for t in re.split(r"[\s.,;:!?/]+", text) if t]


def below_100(toks: List[str], i: int) -> Optional[Tuple[int, int]]:
    """0-99: "naw", "un deg pedwar", "dau ddeg", "pymtheg", "un ar bymtheg", "dau ar hugain"."""
    if i >= len(toks):
        return None
    word = toks[i]
    if word in _TRADITIONAL_TEENS:
        return _TRADITIONAL_TEENS[word], i + 1
    if word in _TEN:
        # "deg" alone, or traditional "deg ar hugain" (30)
        if toks[i + 1 : i + 2] == ["ar"] and i + 2 < len(toks) and toks[i + 2] in _TWENTY:
            return 30, i + 3
        return 10, i + 1
    if word in _TWENTY:
        return 20, i + 1
    if word not in UNITS:
        return None
    value = UNITS[word]
    j = i + 1
    # Decimal tens: "dau ddeg" (20), "tri deg un" (31); "un deg" (10) for 1-9 tens.
    if j < len(toks) and toks[j] in _TEN and value > 0:
        tens = value * 10
        unit = UNITS.get(toks[j + 1]) if j + 1 < len(toks) else None
        if unit:
            return tens + unit, j + 2
        return tens, j + 1
    # Traditional: "un ar ddeg" (11), "un ar bymtheg" (16), "dau ar hugain" (22).
    if j + 1 < len(toks) and toks[j] == "ar":
        rest = toks[j + 1]
        if rest in _TEN:
            return value + 10, j + 2
        if rest in ("bymtheg", "pymtheg"):
            return value + 15, j + 2
        if rest in _TWENTY:
            return value + 20, j + 2
    return value, j


def cardinal(toks: List[str], i: int) -> Optional[Tuple[int, int]]:
    """0-9999: "dwy fil a dau" (2002), "mil naw cant naw deg wyth" (1998), "dwy fil ac un deg"."""
    value, j = 0, i
    if j < len(toks) and toks[j] in _THOUSAND:  # "mil" alone is a thousand
        value, j = 1000, j + 1
    else:
        first = below_100(toks, j)
        if first is None:
            return None
        if first[1] < len(toks) and toks[first[1]] in _THOUSAND and first[0] > 0:
            value, j = first[0] * 1000, first[1] + 1
        elif first[1] < len(toks) and toks[first[1]] in _HUNDRED and first[0] > 0:
            value, j = first[0] * 100, first[1] + 1
            return _rest_below(toks, j, value, 100)
        else:
            return first
    return _rest_below(toks, j, value, 1000)


def _rest_below(toks: List[str], j: int, value: int, limit: int) -> Tuple[int, int]:
    k = j + 1 if j < len(toks) and toks[j] in _AND else j
    if limit == 1000:
        if k < len(toks) and toks[k] in _HUNDRED:
            value, k = value + 100, k + 1
            return _rest_below(toks, k, value, 100)
        hundreds = below_100(toks, k)
        if (hundreds and hundreds[1] < len(toks) and toks[hundreds[1]] in _HUNDRED
                and 0 < hundreds[0] < 10):
            return _rest_below(toks, hundreds[1] + 1, value + hundreds[0] * 100, 100)
    rest = below_100(toks, k)
    if rest and 0 < rest[0] < limit:
        return value + rest[0], rest[1]
    return value, j


def day(toks: List[str]) -> Optional[int]:
    """A day of the month: "14eg", "14", "pedwerydd ar ddeg", "unfed ar hugain", "un deg pedwar"."""
    if len(toks) == 1:
        match = _ORDINAL_DIGITS.fullmatch(toks[0])
        if match:
            return int(match[1])
        if toks[0].isdigit():
            return int(toks[0])
    if toks and toks[0] in ORDINAL_WORDS:
        base = ORDINAL_WORDS[toks[0]]
        rest = toks[1:]
        if not rest:
            return base
        if rest[0] == "ar" and len(rest) == 2:
            if rest[1] in _TEN:
                return base + 10
            if rest[1] in ("bymtheg", "pymtheg"):
                return base + 15
            if rest[1] in _TWENTY:
                return base + 20
        return None
    found = below_100(toks, 0)
    if found and found[1] == len(toks) and 0 < found[0] <= 31:
        return found[0]
    return None


def year(toks: List[str]) -> Optional[int]:
    """A four-digit year: "2002", "dwy fil a dau", "un naw naw wyth" (digit by digit)."""
    if len(toks) == 1 and toks[0].isdigit() and len(toks[0]) == 4:
        return int(toks[0])
    if len(toks) == 4 and all(t in UNITS for t in toks):
        digits = "".join(str(UNITS[t]) for t in toks)
        return int(digits) if digits[0] != "0" else None
    found = cardinal(toks, 0)
    if found and found[1] == len(toks) and 1000 <= found[0] <= 9999:
        return found[0]
    return None


def date_parts(text: str) -> Optional[Tuple[int, int, int]]:
    """(day, month, year) of a Welsh date: "14 Mawrth 2002", "y pedwerydd ar ddeg o Fawrth dwy fil
    a dau", "14eg o Fawrth 2002", "ym mis Chwefror" is a month without a day (None)."""
    # "ar" joins the parts of a traditional number ("pedwerydd ar ddeg"), so it stays.
    toks = [t for t in _tokens(text) if t not in FILLERS or t in MONTHS or t == "ar"]
    while toks and toks[0] == "ar":  # "ar y trydydd": "on the third"
        toks = toks[1:]
    months = [i for i, t in enumerate(toks) if t in MONTHS]
    if len(months) != 1:
        return None
    at = months[0]
    found_day, found_year = day(toks[:at]), year(toks[at + 1 :])
    if found_day is None or found_year is None:
        return None
    return found_day, MONTHS[toks[at]], found_year


def yes_no(text: str) -> Optional[bool]:
    """True for a Welsh yes ("ie", "ydw", "do", "iawn"), False for a no ("na", "nac ydw",
    "naddo"), None otherwise."""
    words = " ".join(_tokens(re.sub(r"[^\w' ]", " ", text)))
    if words in YES:
        return True
    if words in NO:
        return False
    first = words.split(" ", 1)[0] if words else ""
    if first in ("ie", "ia", "ydw", "ydy", "do", "iawn", "oes"):
        return True
    if first in ("na", "naddo", "nage") or words.startswith("nac "):
        return False
    return None


def spoken_digits(text: str) -> Optional[str]:
    """Digits said in Welsh, one word each ("un saith pedwar wyth"), or digits typed between
    them; None when any word is neither."""
    out: List[str] = []
    for tok in _tokens(text):
        if tok.isdigit():
            out.append(tok)
        elif tok in UNITS:
            out.append(str(UNITS[tok]))
        elif tok not in FILLERS:
            return None
    return "".join(out) or None


# Each month's name as a date is written in Welsh: the base form (the first of its forms above).
MONTH_NAMES: Tuple[str, ...] = tuple(
    next(form for form, number in MONTHS.items() if number == month).capitalize()
    for month in range(1, 13)
)


def long_date(value: date) -> str:
    """A date as Welsh writes it in running text, day first.

    date(2001, 3, 12) -> "12 Mawrth 2001"; date_parts() reads it back.
    """
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"

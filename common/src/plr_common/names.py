"""Given and family names: Latin letters (accented too), spaces, hyphens, apostrophes, full
stops and commas ("St. John"), the characters the LRS accepts in a name (plr-facts.md section 6).

The LRS accepts names of up to 35 characters (plr-facts.md section 6). Curly apostrophes and
Unicode hyphens are folded to ASCII so that the same name typed on a phone and on a PC matches.
Case is kept as given: "McDonald" and "van der Berg" must not be "corrected".
"""

import re
import unicodedata

from .result import Checked

MAX_LENGTH = 35
_SEPARATORS = " -'.,"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"})
# Answers that are letters and apostrophes but plainly not a name. Short words such as "No" or
# "Na" stay allowed: they are real family names.
# fmt: off
_NOT_NAMES = frozenset({
    "i don't know", "i dont know", "don't know", "dont know", "dunno", "not sure", "no idea",
    "prefer not to say", "rather not say", "none", "nothing", "unknown", "skip", "no name",
    "not applicable", "same as before",
})
# fmt: on


def check_name(text: str) -> Checked:
    name = unicodedata.normalize("NFC", text or "")
    name = name.translate(_APOSTROPHES).translate(_HYPHENS)
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        return Checked.invalid("name_empty")
    if re.fullmatch(r"[\d\s\-'.,/+()]+", name):
        return Checked.invalid("name_not_a_name")
    if not all(ch in _SEPARATORS or _is_latin_letter(ch) for ch in name):
        return Checked.invalid("name_characters")
    # A full stop or comma may follow a letter ("St. John", "Smith, Jr."); a name starts with a
    # letter or an apostrophe ("'t Hooft") and ends with a letter, an apostrophe or a full stop.
    if (name.rstrip(".,").casefold() in _NOT_NAMES or name[0] in "-.," or name[-1] in "-,"
            or _bad_run(name)):
        return Checked.invalid("name_not_a_name")
    if len(name) > MAX_LENGTH:
        return Checked.invalid("name_too_long")
    return Checked.valid(name)


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN ")


def _bad_run(name: str) -> bool:
    # Two separators in a row ("--", "' -", "..", ", ,", "-.", "Smith .") or one letter four
    # times ("aaaa") is keyboard noise. A hyphen may follow a full stop, as in "J.-P.".
    return (re.search(r"[-'][ ]?[-'.,]|[.,][ ]?[.,']| [.,]", name) is not None
            or re.search(r"(\w)\1{3}", name) is not None)

"""Unique Learner Number: format and LRS check digit (plr-facts.md section 5).

A pass proves only that the number is well formed, never that it was issued.
"""

import re

from .result import Checked
from .spoken import spoken_digits

_SEPARATORS = re.compile(r"[\s.\-\u2010\u2011\u2013]+")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_uln(text: str) -> Checked:
    """Typed ("1748 529 632", "1748-529-632") or spoken ("one seven four eight ...") ULNs."""
    digits = _SEPARATORS.sub("", text or "")
    if not (digits.isascii() and digits.isdigit()):
        spoken = spoken_digits(text or "")
        if spoken is None:
            return Checked.invalid("uln_length" if not digits else "uln_not_digits")
        digits = spoken
    if len(digits) != 10:
        return Checked.invalid("uln_length")
    if digits[0] == "0":
        return Checked.invalid("uln_leading_zero")
    if not _check_digit_ok(digits):
        return Checked.invalid("uln_check_digit")
    return Checked.valid(digits)


def _check_digit_ok(digits: str) -> bool:
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS)) % 11
    return remainder != 0 and int(digits[9]) == 10 - remainder


def mask_uln(uln: str) -> str:
    """Only the last 3 digits stay visible ("*******632"); anything shorter is fully masked."""
    digits = _SEPARATORS.sub("", uln or "")
    if len(digits) <= 3:
        return "*" * len(digits)
    return "*" * (len(digits) - 3) + digits[-3:]

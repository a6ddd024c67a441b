"""The shape of a UK postcode, as one documented regular expression.

No well-kept PyPI library validates UK postcode *format* offline (the maintained ones are API
clients for address look-ups, which we must not call; the offline ones are small and unmaintained),
so we use the rules of BS 7666 as published in the UK Government Data Standards Catalogue:

- outward code A9, A99, AA9, AA99, A9A or AA9A; inward code 9AA;
- 1st letter never Q, V, X; 2nd letter never I, J, Z;
- the letter in A9A is one of A-H J K P S T U W; the letter in AA9A one of A B E H M N P R V W X Y;
- the two inward letters never C, I, K, M, O, V;
- GIR 0AA (the old Girobank code) is accepted because Royal Mail still delivers to it.

Refused on purpose: "BFPO 1234" (a forces mail number, not a postcode; BFPO addresses also have a
BF1 postcode, which passes) and overseas-territory codes (ASCN 1ZZ and similar), which are outside
the LRS's UK scope. The check proves only the format, never that the postcode exists.
"""

import re
from typing import Optional

_A1 = "[A-PR-UWYZ]"
_A2 = "[A-HK-Y]"
_OUTWARD_SHAPES = (
    f"{_A1}[0-9][0-9]?",  # A9, A99
    f"{_A1}{_A2}[0-9][0-9]?",  # AA9, AA99
    f"{_A1}[0-9][A-HJKPSTUW]",  # A9A
    f"{_A1}{_A2}[0-9][ABEHMNPRVWXY]",  # AA9A
)
_OUTWARD = "(?:" + "|".join(_OUTWARD_SHAPES) + ")"
_INWARD = "[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE = re.compile(f"(?:{_OUTWARD}{_INWARD}|GIR0AA)")


def canonical(text: str) -> Optional[str]:
    """``"sw1a1aa"`` -> ``"SW1A 1AA"``; None when the text is not a postcode's shape."""
    compact = re.sub(r"\s+", "", text).upper()
    if _POSTCODE.fullmatch(compact) is None:
        return None
    return f"{compact[:-3]} {compact[-3:]}"

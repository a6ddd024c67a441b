"""UK postcodes, typed or spoken, normalised to upper case with one space ("SW1A 1AA").

The format rules and what is refused on purpose (BFPO numbers, overseas territories) are
documented in ``ukpostcode``.
"""

from .result import Checked
from .spoken import spoken_postcode
from .ukpostcode import canonical


def check_postcode(text: str) -> Checked:
    """Typed first; when that fails, the text is read as speech ("s w one a one a a")."""
    value = canonical(text or "") or spoken_postcode(text or "")
    return Checked.valid(value) if value else Checked.invalid("postcode_format")

"""How details are named and shown to a learner (labels, dates, masked ULN)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from plr_common import mask_uln

FIELD_LABELS = {
    "given_name": "first name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "postcode": "postcode",
    "has_previous_name": "answer about a previous family name",
    "previous_family_name": "previous family name",
    "knows_uln": "answer about your ULN",
    "uln": "ULN",
    "contact_email": "email address",
    "status_reference": "reference",
    "status_date_of_birth": "date of birth",
}


def long_date(iso: Optional[str]) -> str:
    """'2001-04-03' -> '3 April 2001' (day first, as people in the UK write it)."""
    if not iso:
        return "not given"
    day = date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def masked_uln(uln: Optional[str]) -> str:
    """Only the last 3 digits are shown: '*******632'."""
    return mask_uln(uln) if uln else "not given"


def optional_text(value: Optional[str]) -> str:
    return value if value and value != "none" else "none"

"""How details are named and shown to a learner (labels, dates, masked ULN), in English or Welsh.

Every function takes the conversation's language (actions/language.py); English is the default
and gives exactly the English values. The Welsh responses of content/cy/requests.yml put a label
after "eich", "fel" and "mewn" and refer back to it with "ef", so every Welsh label is a
masculine noun phrase that those words do not mutate.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from plr_common import mask_uln, welsh

from actions.language import WELSH

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
# The official term first and the abbreviation learners know in brackets, as content/cy writes
# it on screen; on the phone the Welsh voice says the term alone (VOICE_DROPS is left out).
FIELD_LABELS_CY = {
    "given_name": "enw cyntaf",
    "family_name": "cyfenw",
    "date_of_birth": "dyddiad geni",
    "postcode": "cod post",
    "has_previous_name": "ateb am gyfenw blaenorol",
    "previous_family_name": "cyfenw blaenorol",
    "knows_uln": "ateb am Rif Unigryw'r Dysgwr (ULN)",
    "uln": "Rhif Unigryw'r Dysgwr (ULN)",
    "contact_email": "cyfeiriad e-bost",
    "status_reference": "cyfeirnod",
    "status_date_of_birth": "dyddiad geni",
}
VOICE_DROPS = " (ULN)"
# A read-back line with nothing in it.
NOT_GIVEN = {"en": "not given", WELSH: "heb ei roi"}
NONE = {"en": "none", WELSH: "dim"}


def field_label(slot: str, language: str = "en", voice: bool = False) -> str:
    """The name of a field inside a sentence: 'first name', 'enw cyntaf'."""
    if language != WELSH:
        return FIELD_LABELS.get(slot, slot)
    label = FIELD_LABELS_CY.get(slot, FIELD_LABELS.get(slot, slot))
    return label.replace(VOICE_DROPS, "") if voice else label


def not_given(language: str = "en") -> str:
    return NOT_GIVEN.get(language, NOT_GIVEN["en"])


def long_date(iso: Optional[str], language: str = "en") -> str:
    """'2001-04-03' -> '3 April 2001' (day first, as people in the UK write it); '3 Ebrill 2001' in Welsh."""
    if not iso:
        return not_given(language)
    day = date.fromisoformat(iso)
    if language == WELSH:
        return welsh.long_date(day)
    return f"{day.day} {day.strftime('%B')} {day.year}"


def masked_uln(uln: Optional[str], language: str = "en") -> str:
    """Only the last 3 digits are shown: '*******632'."""
    return mask_uln(uln) if uln else not_given(language)


def optional_text(value: Optional[str], language: str = "en") -> str:
    return value if value and value != "none" else NONE.get(language, NONE["en"])

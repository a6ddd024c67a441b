"""The server's own checks, from the same plr_common rules the assistant applies while asking.

Each wrapper turns a plr_common error code into a pydantic error of that type, so a 422 names
the field (its `loc`) and gives a stable code (its `type`) plus a sentence for people.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError

from plr_common import check_date_of_birth, check_email, check_name, check_postcode, check_uln
from plr_common.result import Checked

MESSAGES = {
    "uln_not_digits": "a ULN has digits only",
    "uln_length": "a ULN has exactly 10 digits",
    "uln_leading_zero": "a ULN cannot start with 0",
    "uln_check_digit": "this is not a valid ULN (its check digit does not match)",
    "postcode_format": "this is not a UK postcode",
    "name_empty": "a name is required",
    "name_too_long": "names are at most 35 characters",
    "name_characters": "names may contain letters, spaces, hyphens and apostrophes only",
    "name_not_a_name": "this does not look like a name",
    "date_unreadable": "dates are written YYYY-MM-DD",
    "date_impossible": "this date does not exist",
    "date_future": "a date of birth cannot be in the future",
    "age_under_13": "the learner must be at least 13 years old",
    "age_over_120": "the learner cannot be over 120 years old",
    "email_format": "this is not an email address",
    "text_characters": "control characters are not allowed",
}

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Learners' birthdays turn over at midnight UK time; the assistant asks with the same day
# (actions/forms.py), so a learner it accepts is never refused here between 00:00 and 01:00 BST.
UK = ZoneInfo("Europe/London")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _apply(check: Callable[[str], Checked], value: str) -> str:
    result = check(value)
    if not result.ok:
        code = result.error or "invalid"
        raise PydanticCustomError(code, MESSAGES.get(code, "invalid value"))
    assert result.value is not None
    return result.value


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_uk() -> date:
    return utcnow().astimezone(UK).date()


def name(value: str) -> str:
    return _apply(check_name, value)


def postcode(value: str) -> str:
    return _apply(check_postcode, value)


def uln(value: str | None) -> str | None:
    return None if value is None else _apply(check_uln, value)


def email(value: str | None) -> str | None:
    return None if value is None else _apply(check_email, value)


def iso_date_of_birth(value: str) -> str:
    """The API takes YYYY-MM-DD only (the assistant has already read what the learner said)."""
    if not _ISO_DATE.match(value):
        raise PydanticCustomError("date_unreadable", MESSAGES["date_unreadable"])
    return _apply(lambda text: check_date_of_birth(text, today_uk()), value)


def plain_text(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("text_characters", MESSAGES["text_characters"])
    return value


def blank_to_none(value: object) -> object:
    """Optional fields: an empty string means "not given" (a slot the learner skipped)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value

"""Email address syntax, via the well-kept ``email-validator`` library (no DNS look-up).

The LRS accepts up to 254 characters (plr-facts.md section 6). Internationalised local parts
(SMTPUTF8) are refused because the LRS and most mail relays cannot carry them; internationalised
domains are accepted and kept in their readable form.
"""

from email_validator import EmailNotValidError, validate_email

from .result import Checked

MAX_LENGTH = 254


def check_email(text: str) -> Checked:
    candidate = (text or "").strip()
    if not candidate or len(candidate) > MAX_LENGTH:
        return Checked.invalid("email_format")
    try:
        result = validate_email(candidate, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return Checked.invalid("email_format")
    if len(result.normalized) > MAX_LENGTH:
        return Checked.invalid("email_format")
    return Checked.valid(result.normalized)

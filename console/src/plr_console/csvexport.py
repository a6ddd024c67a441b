"""CSV of requests for admins, safe to open in a spreadsheet: a cell that starts with = + - @,
a tab or a carriage return would be read as a formula (CSV injection), so it gets a leading '."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("reference", "type", "status", "match", "channel", "language", "created_at", "updated_at",
           "given_name", "family_name", "previous_family_name", "date_of_birth", "postcode", "uln",
           "contact_email", "conversation_id")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(records: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([safe_cell(record.get(column)) for column in COLUMNS])
    return out.getvalue()

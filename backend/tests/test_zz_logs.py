"""Runs last: the logs of every service and command in this run hold no personal value."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest

from support import PERSONAL_VALUES, REFERENCE_RE

PREFIX = 5


def find_any(text: str, values: set[str]) -> list[str]:
    """Every value that occurs in text (a prefix index: thousands of `in` scans of megabytes are slow)."""
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for value in values:
        by_prefix[value[:PREFIX]].append(value)
    found = set()
    for i in range(len(text) - PREFIX + 1):
        candidates = by_prefix.get(text[i : i + PREFIX])
        if candidates:
            found.update(v for v in candidates if text.startswith(v, i))
    return sorted(found)


def test_find_any_finds_what_is_there():
    assert find_any("xx Testperson-Abc yy 2001-03-12", {"Testperson-Abc", "2001-03-12", "1748529632"}) == [
        "2001-03-12",
        "Testperson-Abc",
    ]


@pytest.mark.last
def test_logs_of_the_whole_run_carry_no_personal_value(run_dir):
    logs = sorted((run_dir / "logs").glob("*.log"))
    text = "\n".join(path.read_text(errors="replace") for path in logs)
    # The scan must have something to scan, or it proves nothing.
    assert len(logs) >= 4 and text.count('"event": "request.created"') >= 100
    assert len(PERSONAL_VALUES) >= 500

    leaks = find_any(text, {value for value in PERSONAL_VALUES if len(value) >= PREFIX})
    assert leaks == [], f"personal values found in the logs, e.g. {leaks[:3]}"

    references = 0
    for line in text.splitlines():
        if not line.strip() or line.startswith(("error:", "  ")):
            continue  # a command's message to the person running it (scanned above all the same)
        entry = json.loads(line)  # every log line is structured JSON
        assert {"ts", "level", "logger", "msg"} <= set(entry)
        if "reference" in entry:
            assert re.match(REFERENCE_RE, entry["reference"])
            references += 1
    assert references >= 100

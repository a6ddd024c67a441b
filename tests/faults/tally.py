"""Counts of what the bad-input and flood tests tried, printed at the end of the run and
saved to reports/bad-input.json."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parents[2]
TALLY: Dict[str, Counter] = defaultdict(Counter)


def count(route: str, outcome: str, n: int = 1) -> None:
    TALLY[route][outcome] += n


def lines():
    for route in sorted(TALLY):
        outcomes = ", ".join(f"{key} {value}" for key, value in sorted(TALLY[route].items()))
        yield f"{route:<34} tried {sum(TALLY[route].values()):>5}: {outcomes}"


def save() -> None:
    if TALLY:
        (ROOT / "reports").mkdir(exist_ok=True)
        (ROOT / "reports" / "bad-input.json").write_text(
            json.dumps({route: dict(outcomes) for route, outcomes in TALLY.items()}, indent=2, sort_keys=True))

"""Percentiles and latency summaries (linear interpolation, as numpy's default)."""
from __future__ import annotations

import math
from typing import Dict, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: Sequence[float]) -> Dict[str, float]:
    return {f"p{q}_ms": round(percentile(seconds, q) * 1000, 1) for q in (50, 95, 99)}

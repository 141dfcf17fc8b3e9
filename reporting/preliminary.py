"""When a figure is preliminary (sơ bộ): its period has not ended, or too few provinces reported.

Agencies may report a month, quarter or year from its first day (an estimate), and one early
province must not stand for all 34: the province comparison opens on the newest period that
most provinces have reported.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from core import periods

COVERAGE = 0.8  # share of provinces that makes a comparison representative
REPORTED_FREQUENCIES = ("monthly", "quarterly", "yearly")  # feeds and days are always current


def not_ended(label: str, now: datetime) -> bool:
    """True while a monthly, quarterly or yearly period is still running at `now` (local)."""
    try:
        period = periods.parse(label)
    except periods.PeriodError:
        return False
    return period.frequency in REPORTED_FREQUENCIES and now < periods.end(period)


def enough(reported: int, total: int) -> bool:
    """Whether `reported` of `total` provinces make a representative comparison."""
    return total <= 0 or reported >= math.ceil(COVERAGE * total)


def comparison_period(counts: Sequence[tuple[str, int]], total: int) -> str:
    """The period a province comparison opens on, from (period, provinces reported) newest
    first: the newest with enough provinces, else the one most reported (the newer of ties)."""
    for label, reported in counts:
        if enough(reported, total):
            return label
    best = max((n for _, n in counts), default=0)
    return next((label for label, n in counts if n == best), "")

"""Period labels: parsing, frequency checks, stepping and due dates."""
from __future__ import annotations

from datetime import datetime

import pytest

from core import periods


@pytest.mark.parametrize(("text", "frequency", "label"), [
    ("2026-10", "monthly", "2026-10"), ("2026-Q3", "quarterly", "2026-Q3"),
    ("2026", "yearly", "2026"), ("2026-11-22", "daily", "2026-11-22"),
    ("2026-11-22T10:00", "hourly", "2026-11-22T10:00"),
    ("2026-11-22T10:00:03", "realtime", "2026-11-22T10:00:03"),
])
def test_parse_round_trips(text: str, frequency: str, label: str) -> None:
    p = periods.parse(text, frequency)
    assert (p.label, p.frequency) == (label, frequency)


@pytest.mark.parametrize(("text", "frequency"), [
    ("2026-13", None), ("2026-Q5", None), ("26-10", None), ("2026-02-30", "daily"),
    ("2026-10", "quarterly"), ("2026-Q3", "monthly"), ("=1+1", None), ("", None),
])
def test_parse_rejects(text: str, frequency: str | None) -> None:
    with pytest.raises(periods.PeriodError):
        periods.parse(text, frequency)


def test_shift_previous_year_and_due() -> None:
    q = periods.parse("2026-Q1")
    assert periods.shift(q, -1).label == "2025-Q4"
    assert periods.previous_year(periods.parse("2026-01")).label == "2025-01"
    assert periods.shift(periods.parse("2026-12"), 1).label == "2027-01"
    assert periods.due_at(periods.parse("2026-10")) == datetime(2026, 11, 6)
    assert periods.of(datetime(2026, 8, 15), "quarterly").label == "2026-Q3"


@pytest.mark.parametrize(("now", "frequency", "owed"), [
    (datetime(2026, 11, 30, 23, 59), "monthly", "2026-10"),  # October was due on 5 November
    (datetime(2026, 12, 1, 0, 7), "monthly", "2026-10"),  # November is not due until 5 December
    (datetime(2026, 12, 6, 0, 0), "monthly", "2026-11"),
    (datetime(2027, 1, 3, 12, 0), "quarterly", "2026-Q3"),
    (datetime(2027, 1, 6, 12, 0), "quarterly", "2026-Q4"),
])
def test_latest_due_is_the_period_agencies_owe(now: datetime, frequency: str, owed: str) -> None:
    assert periods.latest_due(now, frequency).label == owed

"""Shared components: the stale badge says the date when the outage began on another day."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.clock import local_now
from layouts.components import stale_badge, stale_since_text


def test_stale_since_today_is_a_time_other_days_carry_the_date() -> None:
    today = date(2026, 11, 30)
    assert stale_since_text(datetime(2026, 11, 30, 10, 5), "vi", today) == "10:05"
    assert stale_since_text(datetime(2026, 11, 29, 23, 50), "vi", today) == "23:50 29/11"
    assert stale_since_text(datetime(2026, 11, 29, 23, 50), "en", today) == "23:50, 29 Nov"
    assert stale_since_text(datetime(2025, 12, 31, 8, 0), "vi", today) == "08:00 31/12/2025"
    assert stale_since_text(datetime(2025, 12, 31, 8, 0), "en", today) == "08:00, 31 Dec 2025"
    # An aware moment is read in Viet Nam time: 17:30 UTC on the 29th is 00:30 on the 30th.
    assert stale_since_text(datetime(2026, 11, 29, 17, 30, tzinfo=UTC), "vi", today) == "00:30"


def test_badge_text() -> None:
    now = local_now()
    assert stale_badge(None, "vi") is None
    assert stale_badge(now.isoformat(), "vi").children.endswith(f"{now:%H:%M}")
    yesterday = now - timedelta(days=1)
    assert f"{yesterday:%H:%M} {yesterday:%d/%m}" in stale_badge(yesterday.isoformat(), "vi").children


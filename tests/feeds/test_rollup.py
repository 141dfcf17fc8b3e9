"""Per-tick live rows are rolled up into hourly rows after the retention period; totals are kept,
recent ticks stay, and nothing an agency reported is deleted."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core import clock
from core.db import Database
from feeds import rollup
from feeds.simulator import FeedSimulator
from reporting import ingest
from reporting.models import Observation, Submission

NOW = datetime(2027, 3, 10, 12, 0, 0)  # local


@pytest.fixture
def ticked(database: Database) -> Iterator[Database]:
    """Ticks three days ago (10:00-11:59), and a few just now."""
    sim = FeedSimulator(database, interval=3.0, seed=3)
    sim.maybe_roll_up = lambda _now: None  # type: ignore[method-assign]  # roll up by hand here
    old = NOW - timedelta(days=3, hours=2)
    for minutes in (0, 1, 30, 59, 60, 61, 119):
        clock.start_at(old + timedelta(minutes=minutes))
        sim.tick()
    for seconds in (0, 3, 6):
        clock.start_at(NOW - timedelta(minutes=5) + timedelta(seconds=seconds))
        sim.tick()
    yield database
    clock.start_at(None)


def ticks(database: Database, code: str) -> list[Observation]:
    with database.sessions() as s:
        return list(s.scalars(select(Observation).where(
            Observation.indicator_code == code).order_by(Observation.period_start)))


def test_old_ticks_become_hourly_totals_and_recent_ones_stay(ticked: Database) -> None:
    before = ticks(ticked, "RT_EDOCS")
    power_before = ticks(ticked, "RT_POWER")
    old_hour = [o.value for o in before if o.period_start.hour == 10 and o.period_start.day == 7]
    old_power = [o.value for o in power_before
                 if o.period_start.hour == 10 and o.period_start.day == 7]
    with ticked.sessions() as s:
        files_before = s.scalar(select(func.count()).select_from(Submission))
    result = rollup.run(ticked, NOW)
    assert result.hours == 2 * 4 and not result.remaining  # two hours x four feeds
    after = ticks(ticked, "RT_EDOCS")
    hourly = [o for o in after if o.source == rollup.SOURCE]
    assert [(o.period, o.note) for o in hourly] == [
        ("2027-03-07T10:00", "hourly sum of 4 readings"),
        ("2027-03-07T11:00", "hourly sum of 3 readings")]
    assert hourly[0].value == sum(old_hour)
    assert [o.period_start for o in after if o.source != rollup.SOURCE] == [
        o.period_start for o in before if o.period_start > NOW - timedelta(hours=1)]
    power = [o for o in ticks(ticked, "RT_POWER") if o.source == rollup.SOURCE]
    assert power[0].value == pytest.approx(sum(old_power) / len(old_power))
    with ticked.sessions() as s:
        files_after = s.scalar(select(func.count()).select_from(Submission))
    assert files_after < files_before  # the simulator's own tick files went with their rows
    assert rollup.run(ticked, NOW).hours == 0  # nothing left to do


def test_agency_submissions_are_kept_and_late_ticks_merge(ticked: Database) -> None:
    clock.start_at(NOW - timedelta(days=3))
    sent = ingest.ingest_bytes(ticked, b"indicator,region,period,value\n"
                                       b"RT_EDOCS,VN,2027-03-07T10:15:00,5\n",
                               filename="agency.csv", agency="VPCP", channel="api")
    assert sent.status == "accepted", sent.to_dict()
    rollup.run(ticked, NOW)
    with ticked.sessions() as s:
        kept = s.get(Submission, sent.submission_id)
        assert kept is not None and b"RT_EDOCS,VN,2027-03-07T10:15:00,5" in kept.payload
        first = s.scalar(select(Observation.value).where(
            Observation.period == "2027-03-07T10:00", Observation.indicator_code == "RT_EDOCS",
            Observation.is_latest.is_(True)))
    # A reading for 10:20 arrives after the hour was rolled up: it joins the hourly total.
    ingest.ingest_bytes(ticked, b"indicator,region,period,value\n"
                                b"RT_EDOCS,VN,2027-03-07T10:20:00,7\n",
                        filename="late.csv", agency="VPCP", channel="api")
    rollup.run(ticked, NOW)
    with ticked.sessions() as s:
        rows = [(o.revision, o.value, o.is_latest) for o in s.scalars(select(Observation).where(
            Observation.period == "2027-03-07T10:00", Observation.indicator_code == "RT_EDOCS")
            .order_by(Observation.revision))]
    assert rows == [(1, first, False), (2, first + 7, True)]

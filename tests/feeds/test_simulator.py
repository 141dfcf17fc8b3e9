"""The live simulator: each tick goes through ingest and moves the live figures."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feeds.simulator import FeedSimulator
from reporting import queries
from reporting.models import Observation, Submission
from settings import Settings
from tests.apps import build_app
from tests.helpers import wait_for


@pytest.fixture
def db_kind() -> str:
    return "seeded"  # on PostgreSQL too: ticks after seeding must not collide with seeded ids


@pytest.fixture
def app(settings: Settings):
    return build_app(settings.with_(cache_type="NullCache"))


def test_tick_goes_through_ingest_and_moves_live_totals(app) -> None:
    db = app.server.extensions["ops_db"]
    sim = FeedSimulator(db, interval=3.0, seed=1)
    with app.server.app_context():
        before = queries.live_totals()
        for _ in range(5):
            sim.tick()
        after = queries.live_totals()
    with db.sessions() as s:
        subs = list(s.scalars(select(Submission).where(Submission.channel == "simulator")))
        assert subs and all(x.status in ("accepted", "duplicate") for x in subs)
        assert all(x.payload.startswith(b"indicator,region,period,value") for x in subs)
        sources = set(s.scalars(select(Observation.source).join(
            Submission, Submission.id == Observation.submission_id)
            .where(Submission.channel == "simulator").distinct()))
        assert sources == {"simulated"}
        aqi = s.scalar(select(func.count()).select_from(Observation).where(
            Observation.indicator_code == "VN_AQI", Observation.submission_id.in_(
                [x.id for x in subs])))
        assert aqi == 35  # one hourly reading for VN and each of the 34 provinces
    assert after["last_tick"] >= before["last_tick"]
    assert after["RT_POWER"] is not None
    assert sum(after[c] for c in ("RT_EDOCS", "RT_DOSSIERS", "RT_EPAYMENTS")) >= \
        sum(before[c] for c in ("RT_EDOCS", "RT_DOSSIERS", "RT_EPAYMENTS"))


def test_late_report_arrives_and_leaves_the_late_list(app) -> None:
    db = app.server.extensions["ops_db"]
    sim = FeedSimulator(db, interval=3.0, seed=2)
    with app.server.app_context():
        late_before = {x["agency"] for x in queries.late_now()}
        assert late_before, "the seeded history leaves some agencies late"
        sent = set()
        for _ in range(len(late_before) + 10):
            agency = sim.late_report()
            if agency is None:
                break
            sent.add(agency)
        late_after = {x["agency"] for x in queries.late_now()}
    assert late_before & sent
    assert not (late_after & sent)


def test_background_simulator_runs_and_stops(app) -> None:
    db = app.server.extensions["ops_db"]
    sim = FeedSimulator(db, interval=0.05, seed=3).start()
    try:
        wait_for(lambda: sim.ticks >= 3, 10, "three simulator ticks")
        assert sim.running
    finally:
        sim.stop()
    assert not sim.running
    assert sim.errors == 0

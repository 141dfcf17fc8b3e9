"""The water balance, the seeded history, the live feed and the roll-up."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.db import Database, transaction
from dams import reference, rollup, simulate
from dams.models import DamBatch, DamReading

NOW = datetime(2026, 12, 6, 3, 0)  # naive UTC


def _params(dam_id: str = "SONG_TRANH_2") -> simulate.Params:
    dam = next(d for d in reference.dams() if d.id == dam_id)
    return simulate.Params(dam.id, 15.3, dam.normal_level_m, dam.dead_level_m, dam.flood_limit_m,
                           dam.riverbed_m, dam.crest_m, dam.spill_gates, dam.turbine_max_m3s,
                           dam.mean_inflow_m3s, [tuple(p) for p in json.loads(dam.curve)])


def test_the_curve_interpolates_both_ways() -> None:
    curve = [(10.0, 0.0), (20.0, 100.0), (30.0, 300.0)]
    assert reference.volume_at(curve, 25.0) == 200.0
    assert reference.level_at(curve, 50.0) == 15.0
    assert reference.level_at(curve, reference.volume_at(curve, 27.3)) == 27.3


def test_more_inflow_than_outflow_raises_the_level() -> None:
    p = _params()
    low = p.dead + 5
    state = simulate.State(low, reference.volume_at(p.curve, low))
    after = simulate.step(p, state, q_in=3 * p.turbine_max, at=NOW, dt_s=3600)
    assert after.turbine == p.turbine_max and after.spillway == 0
    expected = state.volume + (3 * p.turbine_max - p.turbine_max) * 3600 / 1e6
    assert abs(after.volume - expected) < 1e-9
    assert after.level > low


def test_less_inflow_than_outflow_lowers_it_and_gates_open_above_the_limit() -> None:
    p = _params()
    high = p.normal - 0.5  # above the rainy season's limit (December on the central coast)
    state = simulate.State(high, reference.volume_at(p.curve, high))
    after = simulate.step(p, state, q_in=p.mean_inflow, at=NOW, dt_s=600)
    assert after.gates > 0 and after.spillway > 0
    assert after.level < high


def test_a_flood_multiplies_the_inflow_and_the_dry_season_lowers_it() -> None:
    p = _params()
    flood = NOW - timedelta(hours=simulate.PEAK_HOURS)
    p.demo_flood = True
    peak = simulate.inflow(p, NOW, 2020, flood)
    assert peak > 4 * simulate.inflow(p, NOW, 2020, None)
    dry = simulate.inflow(p, datetime(2026, 3, 1), 2020, None)
    assert dry < p.mean_inflow


def test_history_live_ticks_and_rollup(database: Database) -> None:
    with transaction(database.sessions) as s:
        written = simulate.build_history(s, NOW, seed=2020, days=3)
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DamReading)) == written
        sources = dict(s.execute(select(DamReading.source, func.count())
                                 .group_by(DamReading.source)).all())
        gates = s.scalar(select(func.max(DamReading.gates_open)).where(
            DamReading.at > NOW - timedelta(hours=6)))
    assert sources["rollup"] == 32 * 24 and sources["simulated"] == 32 * (48 * 6 + 1)
    assert gates and gates > 0  # the demonstration flood opened gates somewhere
    feed = simulate.DamFeed(database)
    assert feed.maybe_tick(NOW + timedelta(minutes=1))
    assert not feed.maybe_tick(NOW + timedelta(minutes=1, seconds=30))  # once a minute
    with database.sessions() as s:
        newest = s.scalars(select(DamReading).where(DamReading.at == NOW + timedelta(minutes=1)))
        assert len(list(newest)) == 32
        assert s.scalar(select(func.count()).select_from(DamBatch)) == 1
    # Two days on, the live readings (and the simulator's batch) are rolled into hours.
    later = NOW + timedelta(hours=50)
    result = rollup.run(database, later, max_hours=10_000)
    assert result.rows_rolled > 0 and result.batches_dropped == 1 and not result.remaining
    with database.sessions() as s:
        old_ticks = s.scalar(select(func.count()).select_from(DamReading).where(
            DamReading.source != "rollup", DamReading.at < later - rollup.RETENTION
            - timedelta(hours=1)))
        hourly = s.scalar(select(func.max(DamReading.samples)).where(
            DamReading.source == "rollup", DamReading.at >= NOW - timedelta(hours=2)))
    assert old_ticks == 0 and hourly == 6

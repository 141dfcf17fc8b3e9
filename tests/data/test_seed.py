"""The simulated history: deterministic, complete, marked simulated, with revisions and gaps."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from data import seed
from data.db import Database
from data.models import BridgePoint, Camera, Indicator, KpiFact, Observation, Region, Submission

NOW = datetime(2026, 11, 22, 10, 30)


def _build(tmp_path, name: str, years: int = 2, seed_value: int = 7) -> Database:
    db = Database(f"sqlite:///{tmp_path / name}")
    seed.init_database(db, years=years, seed=seed_value, now=NOW)
    return db


def _values(db: Database) -> list[tuple]:
    with db.sessions() as s:
        return list(s.execute(select(Observation.indicator_code, Observation.region_code,
                                     Observation.period, Observation.revision, Observation.value)
                              .order_by(Observation.id)))


def test_same_seed_same_history_other_seed_differs(tmp_path) -> None:
    a, b, c = _build(tmp_path, "a.db"), _build(tmp_path, "b.db"), _build(tmp_path, "c.db", seed_value=8)
    assert _values(a) == _values(b)
    assert _values(a) != _values(c)


def test_reference_counts_and_every_row_simulated(tmp_path) -> None:
    db = _build(tmp_path, "a.db")
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 35  # VN + 34 provinces
        assert s.scalar(select(func.count()).select_from(Camera)) == 32
        assert s.scalar(select(func.count()).select_from(BridgePoint)) == 57
        assert s.scalar(select(func.count()).select_from(KpiFact)) == 50
        assert s.scalar(select(func.count()).select_from(Indicator).where(
            Indicator.group_code != "RT")) == 60
        sources = set(s.scalars(select(Observation.source).distinct()))
        assert sources == {"simulated"}
        assert all(c.demo for c in s.scalars(select(Camera)))


def test_every_catalogue_indicator_has_a_national_series_at_its_frequency(tmp_path) -> None:
    db = _build(tmp_path, "a.db")
    with db.sessions() as s:
        for ind in s.scalars(select(Indicator)):
            n = s.scalar(select(func.count()).select_from(Observation).where(
                Observation.indicator_code == ind.code, Observation.region_code == "VN"))
            assert n > 0, ind.code
        # 2 years of a monthly national series, up to last month (Oct 2026), none in the future
        periods = list(s.scalars(select(Observation.period).where(
            Observation.indicator_code == "EXPORTS", Observation.region_code == "VN",
            Observation.is_latest.is_(True)).order_by(Observation.period_start)))
        assert periods[0] == "2024-11"
        assert periods[-1] in ("2026-10", "2026-09")  # the latest report may be late
        # province series exist where provinces report
        provinces = s.scalar(select(func.count(Observation.region_code.distinct())).where(
            Observation.indicator_code == "CPI_YOY", Observation.region_code != "VN"))
        assert provinces == 34


def test_revisions_keep_history_and_one_latest(tmp_path) -> None:
    db = _build(tmp_path, "a.db")
    with db.sessions() as s:
        revised = s.scalar(select(func.count()).select_from(Observation).where(
            Observation.revision == 2))
        assert revised > 0
        dupes = s.execute(select(Observation.indicator_code, Observation.region_code,
                                 Observation.period, func.count())
                          .where(Observation.is_latest.is_(True))
                          .group_by(Observation.indicator_code, Observation.region_code,
                                    Observation.period).having(func.count() > 1)).all()
        assert dupes == []


def test_compliance_is_realistic(tmp_path) -> None:
    db = _build(tmp_path, "a.db")
    with db.sessions() as s:
        total = s.scalar(select(func.count()).select_from(Submission))
        late = s.scalar(select(func.count()).select_from(Submission).where(
            Submission.on_time.is_(False)))
        assert total > 500
        assert 0.03 < late / total < 0.2
        assert all(x.payload.startswith(b"indicator,region,period,value")
                   for x in s.scalars(select(Submission).limit(20)))


def test_second_init_reuses_the_database(tmp_path) -> None:
    db = _build(tmp_path, "a.db")
    before = _values(db)
    counts = seed.init_database(db, years=5, seed=99, now=NOW)
    assert _values(db) == before
    assert counts["observations"] == len(before)

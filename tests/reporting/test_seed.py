"""The simulated history: deterministic, complete, marked simulated, with revisions and gaps."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Database
from data import prepare
from reporting import seed
from reporting.models import (
    BridgePoint,
    Camera,
    Indicator,
    KpiFact,
    Observation,
    Region,
    Submission,
)
from tests.databases import Templates

NOW = datetime(2026, 11, 22, 10, 30)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path,
                   templates: Templates) -> Iterator[Callable[[str], Database]]:
    """Makes empty databases (no schema) on the test's backend, as many as a test needs."""
    made: list[tuple[Database, str]] = []

    def make(name: str) -> Database:
        if backend == "sqlite":
            url = templates.sqlite("empty", tmp_path / name)
        else:
            url = request.getfixturevalue("pg_templates").postgres("empty")
        db = Database(url)
        made.append((db, url))
        return db

    yield make
    for db, url in made:
        db.dispose()
        if backend == "postgresql":
            request.getfixturevalue("pg_templates").drop_postgres(url)


@pytest.fixture
def build(empty_database: Callable[[str], Database]) -> Callable[..., Database]:
    def _build(name: str, years: int = 2, seed_value: int = 7) -> Database:
        db = empty_database(name)
        prepare.init_database(db, years=years, seed=seed_value, now=NOW)
        return db
    return _build


@pytest.fixture(scope="module")
def _shared() -> Iterator[dict[str, Database]]:
    built: dict[str, Database] = {}
    yield built
    for db in built.values():
        db.dispose()


@pytest.fixture
def history(backend: str, _shared: dict[str, Database], tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> Database:
    """The history every read-only test inspects (2 years, seed 7), built once per backend."""
    if backend not in _shared:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('history') / 'h.db'}"
        else:
            url = request.getfixturevalue("pg_templates").postgres("empty")
        db = Database(url)
        prepare.init_database(db, years=2, seed=7, now=NOW)
        _shared[backend] = db
    return _shared[backend]


def _values(db: Database) -> list[tuple]:
    with db.sessions() as s:
        return list(s.execute(select(Observation.indicator_code, Observation.region_code,
                                     Observation.period, Observation.revision, Observation.value)
                              .order_by(Observation.id)))


def test_same_seed_same_history_other_seed_differs(history: Database, build) -> None:
    a, b, c = history, build("b.db"), build("c.db", seed_value=8)
    assert _values(a) == _values(b)
    assert _values(a) != _values(c)


def test_reference_counts_and_every_row_simulated(history: Database) -> None:
    db = history
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


def test_every_catalogue_indicator_has_a_national_series_at_its_frequency(history: Database) -> None:
    db = history
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


def test_revisions_keep_history_and_one_latest(history: Database) -> None:
    db = history
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


def test_compliance_is_realistic(history: Database) -> None:
    db = history
    with db.sessions() as s:
        total = s.scalar(select(func.count()).select_from(Submission))
        late = s.scalar(select(func.count()).select_from(Submission).where(
            Submission.on_time.is_(False)))
        assert total > 500
        assert 0.03 < late / total < 0.2
        assert all(x.payload.startswith(b"indicator,region,period,value")
                   for x in s.scalars(select(Submission).limit(20)))


def test_second_init_reuses_the_database(history: Database) -> None:
    db = history
    before = _values(db)
    counts = prepare.init_database(db, years=5, seed=99, now=NOW)
    assert _values(db) == before
    assert counts["observations"] == len(before)


def test_empty_init_loads_reference_data_only(empty_database) -> None:
    db = empty_database("e.db")
    counts = prepare.init_database(db, empty=True, now=NOW)
    assert counts["observations"] == 0 and counts["submissions"] == 0
    assert counts["agencies"] == 128 and counts["indicators"] == 64
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 35
        assert s.scalar(select(func.count()).select_from(Camera)) == 32
        assert s.scalar(select(func.count()).select_from(BridgePoint)) == 57
        assert s.scalar(select(func.count()).select_from(KpiFact)) == 50
    assert prepare.is_seeded(db)
    assert prepare.init_database(db, years=1, now=NOW)["observations"] == 0  # not seeded twice


@pytest.mark.parametrize("db_kind", ["seeded"])
def test_after_seeding_the_database_assigns_new_ids(database: Database) -> None:
    """Seeding must not leave PostgreSQL's sequences behind the ids it stored."""
    from reporting import ingest

    db = database
    with db.sessions() as s:
        highest = s.scalar(select(func.max(Submission.id)))
    result = ingest.ingest_bytes(db, b"indicator,region,period,value\nIIP,VN,2026-09,7.5\n",
                                 filename="r.csv", agency="BTC", channel="cli")
    assert result.status == "accepted" and result.submission_id > highest


def _run_init(url: str, data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir), "OPS_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-m", "data", "init", "--years", "1"], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_processes_starting_at_once_seed_once(empty_database, tmp_path: Path) -> None:
    db = empty_database("shared.db")
    procs = [_run_init(db.url, tmp_path) for _ in range(4)]
    outcomes = [(p.wait(120), *p.communicate()) for p in procs]
    for code, _out, err in outcomes:
        assert code == 0, err[-2000:]
    printed = {out.strip().splitlines()[-1] for _code, out, _err in outcomes}
    assert len(printed) == 1  # every process saw the same, once-seeded database
    with db.sessions() as s:
        counts = seed.counts(s)
        # Seeded once: one seed submission per agency and period, reference rows once.
        twice = s.execute(select(Submission.agency_code, Submission.period)
                          .group_by(Submission.agency_code, Submission.period)
                          .having(func.count() > 1)).all()
    assert twice == []
    assert printed.pop() == ", ".join(f"{k}: {v}" for k, v in counts.items())
    assert counts["agencies"] == 128 and counts["submissions"] > 0

"""The read side: correct figures, one database query per key however many viewers ask."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from core.cache import fetch
from reporting import queries
from reporting.models import Observation
from settings import Settings
from tests.apps import build_app
from tests.conftest import login


@pytest.fixture
def db_kind() -> str:
    return "seeded"


@pytest.fixture
def app(settings: Settings):
    return build_app(settings.with_(cache_ttl=60))


def test_indicator_summary_matches_the_stored_series(app) -> None:
    with app.server.app_context():
        db = app.server.extensions["ops_db"]
        with db.sessions() as s:
            rows = list(s.execute(select(Observation.period, Observation.value).where(
                Observation.indicator_code == "EXPORTS", Observation.region_code == "VN",
                Observation.is_latest.is_(True)).order_by(Observation.period_start.desc())
                .limit(13)))
        tile = queries.indicator_summary("EXPORTS")
        assert tile["period"] == rows[0][0] and tile["value"] == rows[0][1]
        assert tile["previous"] == rows[1][1]
        assert tile["year_ago"] == rows[12][1]
        assert tile["spark"][-1] == [rows[0][0], rows[0][1]]
        assert tile["source"] == "simulated"
        assert tile["status"] in {"good", "warn", "bad", "neutral"}
        assert queries.indicator_summary("NOPE") == {}


def test_headline_tiles_are_eight_to_twelve(app) -> None:
    with app.server.app_context():
        tiles = queries.headline_tiles()
    assert 8 <= len(tiles) <= 12
    assert [t["code"] for t in tiles][:3] == ["GDP_GROWTH", "CPI_YOY", "EXPORTS"]
    assert all(t["value"] is not None and t["period"] for t in tiles)


def test_a_new_revision_replaces_the_value_shown(app) -> None:
    with app.server.app_context():
        db = app.server.extensions["ops_db"]
        tile = queries.indicator_summary.uncached("PMI_MANUF")
        with db.sessions() as s, s.begin():
            old = s.scalars(select(Observation).where(
                Observation.indicator_code == "PMI_MANUF", Observation.region_code == "VN",
                Observation.period == tile["period"], Observation.is_latest.is_(True))).one()
            old.is_latest = False
            s.execute(insert(Observation).values(
                indicator_code="PMI_MANUF", region_code="VN", period=old.period,
                period_start=old.period_start, value=42.0, source="submitted",
                revision=old.revision + 1, is_latest=True))
        fresh = queries.indicator_summary.uncached("PMI_MANUF")
        assert fresh["value"] == 42.0 and fresh["revision"] == old.revision + 1
        assert fresh["status"] == "bad"  # below the 50-point threshold


def test_repeated_and_concurrent_calls_query_once(app) -> None:
    db = app.server.extensions["ops_db"]
    with app.server.app_context():
        before = db.query_count
        queries.compliance(12)
        one = db.query_count - before
        assert one > 0

    barrier = threading.Barrier(40)
    def viewer() -> None:
        with app.server.app_context():
            barrier.wait()
            queries.coverage()
            queries.compliance(12)
    before = db.query_count
    threads = [threading.Thread(target=viewer) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.server.app_context():
        coverage_queries = db.query_count - before
        queries.coverage.uncached()
    # 40 viewers at once: coverage computed once (its own statements), compliance from cache.
    assert coverage_queries <= 3


def test_cache_outage_degrades_to_direct_queries(settings: Settings) -> None:
    app = build_app(settings.with_(cache_type="RedisCache", redis_url="redis://127.0.0.1:1/0"))
    with app.server.app_context():
        assert len(queries.headline_tiles()) >= 8
    client = app.server.test_client()
    login(client)
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json()["cache"]["reachable"] is False


@pytest.mark.parametrize("backend", ["sqlite"])  # the outage is the SQLite file moving away
def test_fetch_keeps_last_good_value_when_database_fails(app, tmp_path: Path) -> None:
    with app.server.app_context():
        good = fetch(queries.coverage.uncached)
        assert good.stale_since is None and good.data["indicators_total"] == 200
        db = app.server.extensions["ops_db"]
        db.dispose()
        path = tmp_path / "var" / "ops.sqlite"
        path.rename(tmp_path / "aside.sqlite")
        path.mkdir()
        stale = fetch(queries.coverage.uncached)
        assert stale.data == good.data
        assert stale.stale_since is not None and stale.error == "database unavailable"
        path.rmdir()
        (tmp_path / "aside.sqlite").rename(path)
        again = fetch(queries.coverage.uncached)
        assert again.stale_since is None


def test_compliance_matrix_covers_reporting_agencies(app) -> None:
    with app.server.app_context():
        m = queries.compliance(12)
    assert len(m["periods"]) == 12
    provinces = [r for r in m["rows"] if r["agency"].startswith("T34_")]
    assert len(provinces) == 34
    cells = {c for r in m["rows"] for c in r["cells"]}
    assert {"on_time", "late"} <= cells
    assert cells <= {"on_time", "late", "missing", "pending"}
    assert datetime.fromisoformat(m["as_of"])


def test_every_read_query_answers(app) -> None:
    """Each query the pages run works on this backend and finds the seeded data."""
    since = (datetime.now() - timedelta(hours=2)).isoformat(timespec="minutes")
    calls = {
        "catalogue": lambda: queries.catalogue(), "regions": lambda: queries.regions(),
        "headline_tiles": lambda: queries.headline_tiles(),
        "series": lambda: queries.series("EXPORTS", "VN", "2025-01", "2026-12"),
        "province_history": lambda: queries.province_history("CPI_YOY"),
        "province_snapshot": lambda: queries.province_snapshot("CPI_YOY")["values"],
        "live_totals": lambda: queries.live_totals(), "kpi_facts": lambda: queries.kpi_facts(),
        "compliance": lambda: queries.compliance(12)["rows"],
        "late_now": lambda: queries.late_now(), "coverage": lambda: queries.coverage(),
        "thresholds": lambda: queries.indicators_with_thresholds(),
        "threshold_alerts": lambda: queries.threshold_alerts() or [None],
        "agency_submissions": lambda: queries.agency_submissions("BTC"),
        "live_history": lambda: queries.live_history("RT_EDOCS", since) or [None],
    }
    with app.server.app_context():
        empty = [name for name, call in calls.items() if not call()]
    assert empty == []

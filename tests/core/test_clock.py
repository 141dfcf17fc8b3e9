"""Time you can set: OPS_NOW starts the app's clock, and calendar edges run end to end
(29 February, local midnight, month, quarter and year ends)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core import clock, periods
from core.cache import cache
from core.db import Database
from feeds.simulator import FeedSimulator
from reporting import ingest, queries
from reporting.models import Observation
from settings import from_env
from tests.apps import build_app
from tests.conftest import csrf_header, login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def set_clock() -> Iterator[Callable[[str], None]]:
    yield clock.start_at
    clock.start_at(None)


def test_ops_now_starts_the_clock_and_lets_it_run() -> None:
    script = ("import time\nfrom core.clock import local_now, utc_now\n"
              "first = local_now()\nprint(first.isoformat(), utc_now().isoformat())\n"
              "deadline = time.monotonic() + 10\n"
              "while local_now().date() == first.date() and time.monotonic() < deadline:\n"
              "    time.sleep(0.05)\nprint(local_now().isoformat())\n")
    env = {**os.environ, "OPS_NOW": "2028-02-28T23:59:59+07:00", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=30, check=True).stdout.split()
    assert out[0].startswith("2028-02-28T23:59:5") and out[1].startswith("2028-02-28T16:59:5")
    assert out[2].startswith("2028-02-29T00:00:0")  # it runs on, into the leap day


def test_a_naive_instant_is_viet_nam_time(set_clock: Callable[[str], None]) -> None:
    set_clock("2027-12-31T23:59:59")
    assert clock.local_now().date().isoformat() == "2027-12-31"
    assert clock.utc_now().hour == 16


@pytest.mark.parametrize("label, expected", [
    ("2028-02-29", "2027-02-28"), ("2028-02-29T10:00", "2027-02-28T10:00"),
    ("2028-02-29T10:00:05", "2027-02-28T10:00:05"), ("2028-02", "2027-02"),
    ("2028-Q1", "2027-Q1"), ("2029-03-01", "2028-03-01"),
])
def test_previous_year_across_29_february(label: str, expected: str) -> None:
    period = periods.parse(label, "realtime" if label.count(":") == 2 else None)
    assert periods.previous_year(period).label == expected


@pytest.fixture
def app_at(tmp_path: Path, set_clock: Callable[[str], None]) -> Callable[[str], Any]:
    """An app whose history is seeded up to the instant the clock is set to."""
    built: list[Any] = []

    def make(instant: str) -> Any:
        set_clock(instant)
        app = build_app(from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=False,
                                 seed_years=1))
        built.append(app)
        return app

    yield make
    for app in built:
        app.server.extensions["ops_db"].dispose()


def test_alerts_on_29_february(app_at: Callable[[str], Any]) -> None:
    app = app_at("2028-02-29T10:00:00+07:00")
    database = app.server.extensions["ops_db"]
    FeedSimulator(database, interval=3.0, seed=1).tick()  # the hourly air-quality reading
    with database.sessions() as s:
        assert s.scalar(select(Observation.period).where(
            Observation.indicator_code == "VN_AQI").order_by(Observation.id.desc()).limit(1)) \
            == "2028-02-29T10:00"
    client = app.server.test_client()
    login(client, "staff")
    client.get("/")
    output = "..overview-live.children...overview-alerts.children...overview-camera-strip.children.."
    outs = ("overview-live", "overview-alerts", "overview-camera-strip")
    body = {"output": output, "outputs": [{"id": i, "property": "children"} for i in outs],
            "inputs": [{"id": "overview-live-tick", "property": "n_intervals", "value": 1},
                       {"id": "lang", "property": "data", "value": "vi"}],
            "changedPropIds": ["overview-live-tick.n_intervals"]}
    response = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    with app.server.app_context():
        assert queries.indicator_summary.uncached("VN_AQI")["period"] == "2028-02-29T10:00"


def test_todays_counters_reset_at_midnight_viet_nam_time(app_at: Callable[[str], Any],
                                                         set_clock: Callable[[str], None]) -> None:
    # also a month and a quarter end; three minutes before midnight, as building the app on a
    # loaded machine can take longer than the ten seconds this once left
    app = app_at("2027-06-30T23:57:00+07:00")
    database = app.server.extensions["ops_db"]
    sim = FeedSimulator(database, interval=3.0, seed=2)
    sim.tick()
    with app.server.app_context():
        before = queries.live_totals.uncached()
        assert before["RT_EDOCS"] > 0
        set_clock("2027-07-01T00:00:02+07:00")  # 17:00:02 UTC: a new day only in Viet Nam
        cache.clear()
        assert queries.live_totals.uncached()["RT_EDOCS"] == 0
        sim.tick()
        after = queries.live_totals.uncached()
    with database.sessions() as s:
        newest = s.scalar(select(Observation.value).where(
            Observation.indicator_code == "RT_EDOCS").order_by(Observation.id.desc()).limit(1))
    assert after["RT_EDOCS"] == newest
    assert after["as_of"].startswith("2027-07-01T00:00")


def send(database: Database, body: str) -> ingest.IngestResult:
    return ingest.ingest_bytes(database, body.encode(), filename="r.csv", agency="BTC",
                               channel="api")


@pytest.mark.parametrize("edge, before, after", [
    # month end: November's figure may be sent from 1 November, not on 31 October
    ("CPI_YOY,VN,2027-11,3.1", "2027-10-31T23:54:00+07:00", "2027-11-01T00:00:00+07:00"),
    # quarter end: Q4 from 1 October
    ("GDP_GROWTH,VN,2027-Q4,6.1", "2027-09-30T23:50:00+07:00", "2027-10-01T00:00:00+07:00"),
    # year end: the year 2028 from 1 January
    ("GDP_PER_CAPITA,VN,2028,5000", "2027-12-31T23:50:00+07:00", "2028-01-01T00:00:01+07:00"),
])
def test_reporting_calendar_edges(database: Database, set_clock: Callable[[str], None],
                                  edge: str, before: str, after: str) -> None:
    body = "indicator,region,period,value\n" + edge + "\n"
    set_clock(before)
    refused = send(database, body)
    assert refused.status == "rejected" and refused.rejected[0].field == "period"
    set_clock(after)
    assert send(database, body).status == "accepted"


def test_due_dates_across_the_year_end(database: Database,
                                       set_clock: Callable[[str], None]) -> None:
    # December 2027 is due five days after it ends: by 2028-01-06 00:00 Viet Nam time.
    set_clock("2028-01-05T23:59:00+07:00")
    on_time = send(database, "indicator,region,period,value\nCPI_YOY,VN,2027-12,3.1\n")
    set_clock("2028-01-06T00:00:30+07:00")
    late = send(database, "indicator,region,period,value\nIIP,VN,2027-12,7.1\n")
    assert (on_time.on_time, late.on_time) == (True, False)
    assert on_time.due_at == datetime(2028, 1, 5, 17, 0)


def test_compliance_months_roll_over_at_the_year_end(app_at: Callable[[str], Any],
                                                     set_clock: Callable[[str], None]) -> None:
    app = app_at("2027-12-31T23:59:00+07:00")
    with app.server.app_context():
        assert queries.compliance.uncached(12)["periods"][-1] == "2027-11"
        set_clock("2028-01-01T00:00:30+07:00")
        assert queries.compliance.uncached(12)["periods"][-1] == "2027-12"

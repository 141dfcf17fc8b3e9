"""The daily briefing: made once per day across processes, and at start-up when 07:00 was missed."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, datetime, time
from pathlib import Path

import pytest

from briefings import schedule, store
from core import clock
from core.db import Database
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_kind() -> str:
    return "seeded"


def _run_due(settings: Settings, now: str) -> subprocess.CompletedProcess[str]:
    """One process started at `now` (OPS_NOW) that runs the schedule's check and exits:
    what a restarted `python app.py` does first."""
    env = {**os.environ, "OPS_NOW": now, "OPS_DATA_DIR": str(settings.data_dir),
           "OPS_DATABASE_URL": settings.database_url, "OPS_SECRET_KEY": settings.secret_key,
           "OPS_BRIEFING_AT": "07:00", "PYTHONPATH": str(ROOT),
           # Two pages, not the default twenty: the schedule is under test, not the content.
           "OPS_BRIEFING_PAGES": "overview,tasks"}
    code = "import sys; from cli.main import main; sys.exit(main(['briefing', 'run-due']))"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_made_once_a_day_across_restarts(settings: Settings, database: Database) -> None:
    early = _run_due(settings, "2026-12-07T06:59:00+07:00")
    assert early.returncode == 0 and "nothing due" in early.stdout
    # Down at 07:00, started at 09:30: made at start-up.
    late = _run_due(settings, "2026-12-07T09:30:00+07:00")
    assert late.returncode == 0, late.stderr
    assert "of 2026-12-07" in late.stdout
    again = _run_due(settings, "2026-12-07T09:31:00+07:00")  # restarted again: not made twice
    assert "nothing due" in again.stdout
    tomorrow = _run_due(settings, "2026-12-08T07:00:05+07:00")
    assert "of 2026-12-08" in tomorrow.stdout
    rows = store.recent(database)
    assert [(r["date"], r["trigger"], r["status"]) for r in rows] == [
        ("2026-12-08", "scheduled", "done"), ("2026-12-07", "scheduled", "done")]
    files = sorted(p.name for p in (settings.data_dir / "briefings").iterdir())
    assert len(files) == 2 and all(f.endswith(".pdf") for f in files)


def test_two_processes_claim_one_day_once(database: Database) -> None:
    day = date(2026, 12, 9)
    got: list[int | None] = []
    start = threading.Barrier(4)

    def claim() -> None:
        start.wait()
        got.append(store.claim_daily(database, day))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([g for g in got if g is not None]) == 1
    # A failed run is taken over by the next check; a done one never is.
    store.fail(database, next(g for g in got if g), "boom")
    assert store.claim_daily(database, day) is not None


def test_due_and_next() -> None:
    at = time(7, 0)
    assert schedule.due_day(datetime(2026, 12, 7, 6, 59), at) is None
    assert schedule.due_day(datetime(2026, 12, 7, 7, 0), at) == date(2026, 12, 7)
    assert schedule.seconds_to_next(datetime(2026, 12, 7, 6, 0), at) == 3600
    assert schedule.seconds_to_next(datetime(2026, 12, 7, 7, 0), at) == 24 * 3600
    with pytest.raises(ValueError):
        schedule.parse_at("7h")
    clock.start_at(None)

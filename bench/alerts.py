"""Times the alert evaluator at the issue's scale and the /alerts reads over 100,000 old alerts.

    python bench/alerts.py [--repeat 20] [--history 100000] [--database-url URL]

Evaluation: 32 cameras down, 64 indicators x 35 regions past a threshold, 128 agencies late,
58 bridge points lost and 4 stale feeds (2,462 conditions, every one of them at once: the worst
case), against the same pass with nothing detected (the baseline). "% core" is the median
pass over the evaluator's 5 s period. The sources themselves are the memoized queries the wall
already runs, so they are not counted again here.

Reads: what /alerts and the wall ask (alerts.store) on an empty history (the baseline) and
after --history resolved alerts with three events each.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from alerts import conditions, lifecycle, store  # noqa: E402
from alerts.conditions import Condition, Detected  # noqa: E402
from alerts.models import Alert, AlertEvent  # noqa: E402
from bench._table import p95, print_table, timings  # noqa: E402
from core.db import Database, transaction  # noqa: E402
from data import migrate  # noqa: E402

PERIOD_S = 5.0
T0 = datetime(2026, 12, 1, 3, 0, 0)
POLICY = lifecycle.Policy(severity=conditions.severities(""))


def everything() -> Detected:
    found = Detected()
    found.add("camera", [Condition("camera", f"cam-{i:02d}", title=f"Camera {i}")
                         for i in range(32)])
    found.add("threshold", [Condition("threshold", f"IND{i:02d}:{r:02d}", "2026-11", "BCT",
                                      f"Indicator {i}") for i in range(64) for r in range(35)])
    found.add("late", [Condition("late", f"AG{i:03d}", "2026-11", f"AG{i:03d}", f"Agency {i}")
                       for i in range(128)])
    found.add("display", [Condition("display", f"BP{i:02d}", title=f"Bridge point {i}")
                          for i in range(58)])
    found.add("feed", [Condition("feed", f"feed{i}", title=f"Feed {i}") for i in range(4)])
    return found


def evaluate(database: Database, found: Detected, now: datetime) -> lifecycle.Outcome:
    with transaction(database.sessions) as session:
        return lifecycle.evaluate(session, found, now, POLICY)


def add_history(database: Database, n: int) -> None:
    """n resolved alerts, each opened, acknowledged and resolved (bulk inserts)."""
    kinds = conditions.KINDS
    batch = 5000
    next_id = 1_000_000
    for start in range(0, n, batch):
        alerts, events = [], []
        for i in range(start, min(start + batch, n)):
            opened = T0 - timedelta(minutes=n - i)
            kind = kinds[i % len(kinds)]
            alerts.append({"id": next_id + i, "key": f"{kind}:old{i % 997}", "active_key": None,
                           "kind": kind, "subject": f"old{i % 997}", "period": "", "agency": "",
                           "title": "old", "severity": "warning", "state": "resolved",
                           "opened_at": opened, "last_seen_at": opened,
                           "acknowledged_comment": "", "resolved_at": opened + timedelta(minutes=3),
                           "resolved_reason": "condition cleared", "opened_count": 1})
            for j, action in enumerate(("opened", "acknowledged", "resolved")):
                events.append({"alert_id": next_id + i, "time": opened + timedelta(minutes=j),
                               "action": action, "actor": "", "comment": ""})
        with transaction(database.sessions) as session:
            session.execute(insert(Alert), alerts)
            session.execute(insert(AlertEvent), events)


def reads(database: Database, some_id: int) -> dict[str, object]:
    return {
        "/alerts live list (open+ack)": lambda: store.search(database),
        "/alerts resolved, newest 100": lambda: store.search(database, state="resolved"),
        "/alerts resolved camera, 100": lambda: store.search(database, state="resolved",
                                                             kind="camera"),
        "/alerts page deep (before id)": lambda: store.search(database, state="resolved",
                                                              before_id=some_id + 50_000),
        "/alerts counts per state": lambda: store.counts(database),
        "one alert with history": lambda: store.one(database, some_id),
        "wall: live alerts (50)": lambda: store.live(database),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="an empty database (default: SQLite)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    url = args.database_url or f"sqlite:///{folder / 'alerts.sqlite'}"
    database = Database(url)
    try:
        migrate.upgrade(database)
        found, nothing = everything(), Detected(checked=set(conditions.KINDS))
        rows = []
        base = timings(lambda: evaluate(database, nothing, T0), args.repeat)
        rows.append(["evaluate: nothing detected (baseline)", 0, statistics.median(base),
                     p95(base), 1.0, statistics.median(base) / (PERIOD_S * 10)])
        first = timings(lambda: evaluate(database, found, T0), 1, warmup=0)
        rows.append([f"evaluate: first pass opens {len(found.conditions):,}",
                     len(found.conditions), first[0], first[0],
                     first[0] / statistics.median(base), first[0] / (PERIOD_S * 10)])
        clock = iter(T0 + timedelta(seconds=5 * (i + 1)) for i in range(10_000))
        steady = timings(lambda: evaluate(database, found, next(clock)), args.repeat)
        rows.append([f"evaluate: steady, {len(found.conditions):,} kept", len(found.conditions),
                     statistics.median(steady), p95(steady),
                     statistics.median(steady) / statistics.median(base),
                     statistics.median(steady) / (PERIOD_S * 10)])
        print(f"database: {database.dialect}; evaluator period {PERIOD_S:.0f} s\n")
        print_table(["evaluation", "conditions", "median ms", "p95 ms", "x baseline",
                     "% core"], rows)

        with database.sessions() as s:
            some_id = s.query(Alert.id).order_by(Alert.id).first()[0]
        empty = {k: timings(fn, args.repeat) for k, fn in reads(database, some_id).items()}
        add_history(database, args.history)
        full = {k: timings(fn, args.repeat)
                for k, fn in reads(database, 1_000_000 + args.history // 2).items()}
        print(f"\n/alerts reads: no history (baseline) vs {args.history:,} resolved alerts\n")
        print_table(["read", "baseline median ms", "median ms", "p95 ms", "x baseline"],
                    [[k, statistics.median(empty[k]), statistics.median(v), p95(v),
                      statistics.median(v) / max(statistics.median(empty[k]), 1e-6)]
                     for k, v in full.items()])
    finally:
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Times the queries the wall runs every few seconds on a 20-year database, with and without
the observation index, and shows the SQLite query plans.

    python bench/queries.py [--years 20] [--repeat 50] [--data-dir bench/out/queries]

With --live-days N it instead builds N days of live-feed rows at the simulator's rate (one tick
every 3 s: ~57,600 submissions and ~115,200 observations a day) and times the wall's queries on
those raw rows (the baseline: nothing rolled up) and after data.rollup has rolled every per-tick
row older than 48 h into hourly rows, as the running app does:

    python bench/queries.py --live-days 90 [--years 6]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bench._table import p95, print_table, timings  # noqa: E402
from core.db import Database  # noqa: E402
from data import prepare  # noqa: E402
from reporting import queries  # noqa: E402

TEN_YEARS = ("2016-11", "2026-10")


def wall_queries(cached: bool = False) -> dict[str, object]:
    """Each call the wall (or the drill-down) makes: uncached so the database answers, or
    through the memoizing cache as the screens call them."""
    def q(fn):  # noqa: ANN001, ANN202
        return fn if cached else fn.uncached

    return {
        "headline tiles (latest+trend x10)": lambda: [
            q(queries.indicator_summary)(c) for c in q(queries.headline_codes)()],
        "1 indicator x 34 provinces x 10y": lambda: q(queries.province_history)(
            "CPI_YOY", *TEN_YEARS),
        "compliance matrix (42 x 12)": lambda: q(queries.compliance)(12),
        "live totals today": lambda: q(queries.live_totals)(),
        "national series 10y": lambda: q(queries.series)("EXPORTS", "VN", *TEN_YEARS),
    }


PLANS = {
    "latest of one series": "SELECT * FROM observation WHERE indicator_code='EXPORTS' AND "
    "region_code='VN' AND is_latest=1 ORDER BY period_start DESC LIMIT 36",
    "34 provinces x 10y": "SELECT region_code, period, value FROM observation WHERE "
    "indicator_code='CPI_YOY' AND region_code != 'VN' AND is_latest=1 AND period_start >= "
    "'2016-11-01' ORDER BY period_start",
    "compliance": "SELECT agency_code, period, min(received_at) FROM submission WHERE period IN "
    "('2026-09','2026-10') AND status != 'rejected' GROUP BY agency_code, period",
}


def live_queries() -> dict[str, object]:
    """What the wall's live parts run every few seconds (uncached: the database answers)."""
    from datetime import timedelta

    from core.clock import local_now

    def since() -> str:
        return (local_now() - timedelta(minutes=30)).replace(second=0).isoformat(
            timespec="seconds")

    return {
        "live totals today": lambda: queries.live_totals.uncached(),
        "power last 30 min": lambda: queries.live_history.uncached("RT_POWER", since()),
        "live tile (latest+trend)": lambda: queries.indicator_summary.uncached("RT_EDOCS"),
        "coverage (100 days)": lambda: queries.coverage.uncached(),
        "compliance matrix (42 x 12)": lambda: queries.compliance.uncached(12),
        "headline tiles (latest+trend x10)": lambda: [
            queries.indicator_summary.uncached(c) for c in queries.headline_codes.uncached()],
        "agency submissions (reporting)": lambda: queries.agency_submissions.uncached("VPCP"),
    }


def measure(url: str, repeat: int, cached: bool = False,
            suite: dict[str, object] | None = None) -> dict[str, list[float]]:
    from flask import Flask

    from core import cache
    from core.db import EXTENSION_KEY
    from settings import from_env

    server = Flask(__name__)
    database = Database(url)
    server.extensions[EXTENSION_KEY] = database
    cache.init_app(server, from_env({}, cache_type="SimpleCache", cache_ttl=300))
    with server.app_context():
        chosen = suite if suite is not None else wall_queries(cached)
        return {name: timings(fn, repeat) for name, fn in chosen.items()}


def live_main(args: argparse.Namespace) -> None:
    """--live-days: the wall's live queries on N days of raw ticks, then rolled up."""
    import time

    from bench import _live
    from feeds import rollup

    out = Path(args.data_dir)
    out.mkdir(parents=True, exist_ok=True)
    raw_path = out / f"ops-live-{args.live_days}d-raw.sqlite"
    rolled_path = out / f"ops-live-{args.live_days}d-rolled.sqlite"
    if not (args.reuse and raw_path.exists() and rolled_path.exists()):
        for path in (raw_path, rolled_path):
            for extra in ("", "-wal", "-shm"):
                Path(str(path) + extra).unlink(missing_ok=True)
        database = Database(f"sqlite:///{raw_path.resolve()}")
        prepare.init_database(database, years=args.years, seed=2020, progress=False)
        database.dispose()
        started = time.perf_counter()
        subs, obs = _live.fill(raw_path, args.live_days)
        print(f"built {args.live_days} days of live rows: {subs:,} submissions, {obs:,} "
              f"observations in {time.perf_counter() - started:.0f} s "
              f"({raw_path.stat().st_size / 2**20:.0f} MiB)")
        shutil.copy(raw_path, rolled_path)
    else:
        print(f"reusing {raw_path} and {rolled_path} (the roll-up resumes where it stopped)")
    rolled_db = Database(f"sqlite:///{rolled_path.resolve()}")
    started = time.perf_counter()
    done = rollup.run(rolled_db, max_hours=10**6)
    with rolled_db.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        remaining = conn.execute(text("SELECT count(*) FROM observation WHERE indicator_code "
                                      "LIKE 'RT\\_%' ESCAPE '\\'")).scalar()
    rolled_db.dispose()
    print(f"rolled up {done.hours:,} feed-hours ({done.rows_rolled:,} per-tick rows, "
          f"{done.submissions_dropped:,} simulator files) in {time.perf_counter() - started:.0f}"
          f" s; {remaining:,} live observations remain")

    suite = live_queries()
    raw = measure(f"sqlite:///{raw_path.resolve()}", max(5, args.repeat // 5), suite=suite)
    rolled = measure(f"sqlite:///{rolled_path.resolve()}", args.repeat, suite=suite)
    rows = []
    for name, ms in rolled.items():
        b = raw[name]
        rows.append([name, statistics.median(ms), p95(ms), "yes" if p95(ms) < 20 else "NO",
                     statistics.median(b), p95(b),
                     statistics.median(b) / max(statistics.median(ms), 1e-6)])
    print()
    print_table(["query (ms)", "rolled median", "rolled p95", "p95<20ms", "raw median",
                 "raw p95", "raw / rolled"], rows)

    print("\nThe statements these replaced (before issue 10), 3 runs each:")
    rows = []
    for name, sql in PREVIOUS.items():
        got = []
        for path in (raw_path, rolled_path):
            engine = Database(f"sqlite:///{path.resolve()}")
            with engine.engine.connect() as conn:
                got.append(timings(lambda c=conn, q=sql: c.execute(text(q)).all(), 3, warmup=0))
            engine.dispose()
        rows.append([name, statistics.median(got[1]), statistics.median(got[0])])
    print_table(["previous statement (ms)", "rolled median", "raw median"], rows)

    print("\nEXPLAIN QUERY PLAN (rolled-up database):")
    check = Database(f"sqlite:///{rolled_path.resolve()}")
    with check.engine.connect() as conn:
        for name, sql in LIVE_PLANS.items():
            plan = [r[-1] for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql))]
            print(f"  {name}: " + " | ".join(plan))
    check.dispose()


PREVIOUS = {
    "last tick: max(received_at) of live rows": "SELECT max(received_at) FROM observation WHERE "
    "indicator_code IN ('RT_EDOCS','RT_DOSSIERS','RT_EPAYMENTS','RT_POWER')",
    "coverage: agencies in 100 days (scan)": "SELECT count(DISTINCT agency_code) FROM "
    "submission WHERE received_at >= datetime('now', '-100 days')",
}

LIVE_PLANS = {
    "today's total of a counter": "SELECT sum(value) FROM observation WHERE indicator_code="
    "'RT_EDOCS' AND region_code='VN' AND is_latest=1 AND period_start >= '2026-11-30'",
    "newest tick of a feed": "SELECT received_at FROM observation WHERE indicator_code="
    "'RT_EDOCS' AND region_code='VN' AND is_latest=1 ORDER BY period_start DESC LIMIT 1",
    "agencies active in 100 days": "SELECT count(*) FROM agency WHERE EXISTS (SELECT 1 FROM "
    "submission WHERE submission.agency_code = agency.code AND received_at >= '2026-08-22')",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--data-dir", default="bench/out/queries")
    ap.add_argument("--reuse", action="store_true",
                    help="--live-days: keep the databases of an earlier run")
    ap.add_argument("--live-days", type=int, default=0,
                    help="build N days of live rows and time the live queries, raw vs rolled up")
    args = ap.parse_args()
    if args.live_days:
        live_main(args)
        return
    out = Path(args.data_dir)
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / f"ops-{args.years}y.sqlite"
    database = Database(f"sqlite:///{db_path.resolve()}")
    counts = prepare.init_database(database, years=args.years, seed=2020, progress=True)
    database.dispose()
    print(f"\ndatabase: {args.years} years, {counts}")

    # Baseline in the same run: the same tables without any index.
    base_path = out / f"ops-{args.years}y-noindex.sqlite"
    shutil.copy(db_path, base_path)
    base = Database(f"sqlite:///{base_path.resolve()}")
    with base.engine.begin() as conn:
        # CREATE TABLE AS copies rows without constraints or indexes: every read is a scan.
        for table in ("observation", "submission"):
            conn.execute(text(f"CREATE TABLE {table}_plain AS SELECT * FROM {table}"))
            conn.execute(text(f"DROP TABLE {table}"))
            conn.execute(text(f"ALTER TABLE {table}_plain RENAME TO {table}"))
    base.dispose()

    indexed = measure(f"sqlite:///{db_path.resolve()}", args.repeat)
    unindexed = measure(f"sqlite:///{base_path.resolve()}", max(5, args.repeat // 5))
    cached = measure(f"sqlite:///{db_path.resolve()}", args.repeat, cached=True)
    rows = []
    for name, ms in indexed.items():
        b, c = unindexed[name], cached[name]
        rows.append([name, statistics.median(ms), p95(ms), statistics.median(b),
                     statistics.median(b) / statistics.median(ms),
                     "yes" if p95(ms) < 20 else "NO", statistics.median(c),
                     statistics.median(ms) / statistics.median(c)])
    print()
    print_table(["query (ms)", "median", "p95", "no-index median", "index speed-up",
                 "p95<20ms", "cache hit median", "cache speed-up"], rows)

    print("\nEXPLAIN QUERY PLAN (indexed database):")
    check = Database(f"sqlite:///{db_path.resolve()}")
    with check.engine.connect() as conn:
        for name, sql in PLANS.items():
            plan = [r[-1] for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql))]
            print(f"  {name}: " + " | ".join(plan))


if __name__ == "__main__":
    main()

"""Times the queries the wall runs every few seconds on a 20-year database, with and without
the observation index, and shows the SQLite query plans.

    python bench/queries.py [--years 20] [--repeat 50] [--data-dir bench/out/queries]
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
from data import queries, seed  # noqa: E402
from data.db import Database  # noqa: E402

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


def measure(url: str, repeat: int, cached: bool = False) -> dict[str, list[float]]:
    from flask import Flask

    from data import cache
    from data.db import EXTENSION_KEY
    from settings import from_env

    server = Flask(__name__)
    database = Database(url)
    server.extensions[EXTENSION_KEY] = database
    cache.init_app(server, from_env({}, cache_type="SimpleCache", cache_ttl=300))
    with server.app_context():
        return {name: timings(fn, repeat) for name, fn in wall_queries(cached).items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--data-dir", default="bench/out/queries")
    args = ap.parse_args()
    out = Path(args.data_dir)
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / f"ops-{args.years}y.sqlite"
    database = Database(f"sqlite:///{db_path.resolve()}")
    counts = seed.init_database(database, years=args.years, seed=2020, progress=True)
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

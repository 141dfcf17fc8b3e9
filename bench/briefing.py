"""Time and size of a 20-page briefing (cover, 4 overview sections, 15 indicator pages).

    python bench/briefing.py [--url sqlite:///var/ops.sqlite] [--repeat 3]

Prints median and p95 seconds, size and peak RSS growth; the baseline, run in the same process,
is the cover and overview alone (the cost every briefing pays before its indicator pages).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import psutil

    from briefings.build import bound, make_briefing
    from core.db import Database
    from reporting import queries

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///var/ops.sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    database = Database(args.url)
    with bound(database):
        items = [i for i in queries.catalogue() if i["frequency"] != "realtime"]
        # Province pages first (series, ranking and map: the costliest), then national ones.
        codes = [i["code"] for i in sorted(items, key=lambda i: not i["by_province"])]
    heads = ["overview", "reporting", "savings", "status"]
    twenty = heads + [f"indicator:{c}" for c in codes[:15]]
    process = psutil.Process()
    rows = []
    for label, pages in (("baseline: cover + overview", ["overview"]),
                         (f"{len(twenty) + 1} pages", twenty)):
        times, size, pages_out = [], 0, 0
        rss0 = process.memory_info().rss
        for _ in range(args.repeat):
            start = time.perf_counter()
            made, _ = make_briefing(database, None, pages, None)
            times.append(time.perf_counter() - start)
            size, pages_out = made.size, made.page_count
        grow = (process.memory_info().rss - rss0) / 2**20
        p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
        rows.append((label, pages_out, statistics.median(times), p95, size, grow))
    base = rows[0][2]
    print(f"{'briefing':<28} {'pages':>5} {'median s':>9} {'p95 s':>7} {'size KiB':>9} "
          f"{'RSS +MiB':>9} {'ratio':>6}")
    for label, n, med, p95, size, grow in rows:
        print(f"{label:<28} {n:>5} {med:>9.2f} {p95:>7.2f} {size / 1024:>9.0f} {grow:>9.1f} "
              f"{med / base:>6.1f}")
    database.dispose()


if __name__ == "__main__":
    main()

"""Task tracking at scale: the summary API, the /tasks queries and an import of 25,000 rows.

    python bench/tasks.py [--years 10] [--per-year 25000] [--repeat 50]
                          [--postgres postgresql+psycopg://...] [--data-dir bench/out/tasks]

Builds `years` x `per-year` simulated tasks (250,000 by default: ten years at the 2017 peak),
then times, median and p95 in ms:
- the summary as GET /api/v1/tasks/summary answers it with the cache off (every call is SQL),
- the same counts by the baseline a summary could be written as: fetch the window's two dates
  per task and count in Python (the ratio column is against it),
- the /tasks page's queries (agencies ranked, the overdue list's first page),
- one import of a 25,000-row CSV (created), then the same file again (unchanged).
"""
from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench._table import p95, print_table, statistics, timings  # noqa: E402
from core.cache import cache  # noqa: E402
from core.db import EXTENSION_KEY, Database, transaction  # noqa: E402
from data import migrate  # noqa: E402
from reporting import catalogue  # noqa: E402
from tasks import importer, seed, status  # noqa: E402
from tasks.models import Task  # noqa: E402
from tasks.reading import COLUMNS  # noqa: E402
from tasks.summary import Filters, list_in, ranking_in  # noqa: E402
from web import api_tasks  # noqa: E402

NOW = datetime(2026, 6, 30, 12)


def build(database: Database, years: int, per_year: int) -> int:
    migrate.upgrade(database)
    with transaction(database.sessions) as session:
        catalogue.load(session)
        return seed.build(session, years, 2020, NOW, per_year=per_year)


def python_loop(database: Database, filters: Filters, day: date) -> dict[str, int]:
    """The baseline: the rows' dates to Python, the status rule applied per row."""
    counts = dict.fromkeys(status.STATUSES, 0)
    with database.sessions() as session:
        for deadline, done in session.execute(filters.apply(
                select(Task.deadline, Task.completed_on))):
            counts[status.of(deadline, done, day)] += 1
    return counts


def api_client(database: Database) -> object:
    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    # No cache: every call reaches the database (flask-caching warns that it is off).
    cache.init_app(server, config={"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True})
    api_tasks.init_app(server)
    return server.test_client()


def export(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    agencies = ("BTC", "BCT", "BYT", "BXD", "T34_01", "T34_79")
    for i in range(rows):
        writer.writerow([f"{i // 50 + 1}/TB-VPCP-BENCH", "Thông báo kết luận", "2026-03-02",
                         "Thủ tướng", i % 50 + 1, f"Nhiệm vụ thử {i}", agencies[i % 6],
                         "2026-09-30", "2026-05-04" if i % 2 else "", int(i % 7 == 0), "", 0])
    return out.getvalue().encode()


def run(database: Database, label: str, repeat: int) -> list[list[object]]:
    day = NOW.date()
    ytd = Filters(date(day.year, 1, 1), day)
    decade = Filters(date(day.year - 10, 1, 1), day)
    client = api_client(database)
    status.today = lambda: day  # type: ignore[assignment]  # the bench's "today" is fixed
    cases = {
        "summary API, year to date": lambda: client.get(
            f"/api/v1/tasks/summary?from={ytd.start}&to={ytd.stop}"),
        "summary API, ten years": lambda: client.get(
            f"/api/v1/tasks/summary?from={decade.start}&to={decade.stop}"),
        "summary API, ten years, one agency": lambda: client.get(
            f"/api/v1/tasks/summary?from={decade.start}&to={decade.stop}&agency=BTC"),
    }
    baselines = {"summary API, year to date": lambda: python_loop(database, ytd, day),
                 "summary API, ten years": lambda: python_loop(database, decade, day),
                 "summary API, ten years, one agency": lambda: python_loop(
                     database, Filters(decade.start, decade.stop, "BTC"), day)}
    rows: list[list[object]] = []
    for name, call in cases.items():
        got = timings(call, repeat)
        base = timings(baselines[name], max(5, repeat // 5))
        rows.append([label, name, statistics.median(got), p95(got), statistics.median(base),
                     statistics.median(base) / statistics.median(got)])
    with database.sessions() as session:
        page = {"/tasks agencies ranked, YTD": lambda: ranking_in(session, ytd, day),
                "/tasks overdue list p1, ten years": lambda: list_in(
                    session, decade, day, status.OPEN_OVERDUE, 1, 50)}
        for name, call in page.items():
            got = timings(call, repeat)
            rows.append([label, name, statistics.median(got), p95(got), "", ""])
    payload = export(25_000)
    for name in ("import 25,000 rows (new)", "import 25,000 rows (same again)"):
        start = time.perf_counter()
        result = importer.import_bytes(database, payload, filename="bench.csv", today=day)
        took = (time.perf_counter() - start) * 1000
        assert not result.refused, result.refused[:3]
        rows.append([label, name, took, took, "", ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--per-year", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--postgres", default="", help="also run on this (empty) database URL")
    parser.add_argument("--data-dir", default="bench/out/tasks")
    args = parser.parse_args()
    out = Path(args.data_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    targets = [("sqlite", f"sqlite:///{out / 'tasks.sqlite'}")]
    if args.postgres:
        targets.append(("postgresql", args.postgres))
    rows: list[list[object]] = []
    for label, url in targets:
        database = Database(url)
        start = time.perf_counter()
        count = build(database, args.years, args.per_year)
        print(f"{label}: {count:,} tasks built in {time.perf_counter() - start:.0f} s",
              flush=True)
        rows += run(database, label, args.repeat)
        database.dispose()
    print_table(["db", "what", "median ms", "p95 ms", "python loop ms", "x faster"], rows)


if __name__ == "__main__":
    main()

"""Task tracking at scale: the summary API, the /tasks page's callback and a 25,000-row import.

    python bench/tasks.py [--tasks 250000] [--reports 1000000] [--repeat 40]
                          [--database-url URL | --postgres] [--data-dir bench/out/tasks]
                          [--reuse]

Builds ten years of simulated tasks (250,000 by default: the 2017 peak of ~25,000 a year) up to
30/06/2026 and tops their revisions up with agencies' progress reports to 1,000,000; on SQLite
by default, on an empty database given by --database-url, or with --postgres on a throwaway
PostgreSQL cluster started for the run (tests/servers.py) and removed after. Then times, with
the cache off (every call reaches the database), median and p95 in ms:
- GET /api/v1/tasks/summary for a few windows, against the baseline measured in the same run:
  the same counts the plain way (tasks.counts.reference_in: one pass over the window's tasks);
- the /tasks page's callback (callbacks.tasks.page_view: ranking, map, list, two summaries),
  against the baseline measured in the same run, call for call in turn: the callback's
  earlier path (earlier_path below); once more with its JSON reply (what Dash sends), and once
  warm (the cache on, as a second viewer within the minute finds it);
- one task's view with its history; one import of 25,000 rows (new), then the same again.

--reuse keeps the database between runs (SQLite in --data-dir, or the one --database-url
names): it is built when it has no tasks yet and used as it is after; the import, which would
change it, is left out.
"""
from __future__ import annotations

import argparse
import csv
import gc
import io
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from bench._table import p95, print_table, statistics, timings  # noqa: E402
from core.cache import cache  # noqa: E402
from core.db import EXTENSION_KEY, Database, transaction  # noqa: E402
from data import migrate  # noqa: E402
from reporting import catalogue  # noqa: E402
from tasks import importer, seed, status  # noqa: E402
from tasks.counts import Filters, reference_ranking_in, reference_summary_in  # noqa: E402
from tasks.models import Task, TaskRevision  # noqa: E402
from tasks.reading import COLUMNS  # noqa: E402
from web import api_tasks  # noqa: E402

NOW = datetime(2026, 6, 30, 12)
YEARS = 10
CHUNK = 50_000


def build(database: Database, tasks: int, reports: int) -> tuple[int, int]:
    """(tasks, revisions): ten calendar years to NOW at the rate that gives `tasks`."""
    migrate.upgrade(database)
    years = YEARS - 1 + (NOW.date() - date(NOW.year, 1, 1)).days / 365
    with transaction(database.sessions) as session:
        catalogue.load(session)
        count = seed.build(session, YEARS, 2020, NOW, per_year=int(tasks / years) + 1)
    return count, top_up(database, reports)


def built(database: Database) -> tuple[int, int]:
    """(tasks, revisions) of a database kept from an earlier run; (0, 0) when it has none."""
    migrate.upgrade(database)  # a kept database follows the migrations added since
    with database.sessions() as session:
        return (int(session.scalar(select(func.count()).select_from(Task)) or 0),
                int(session.scalar(select(func.count()).select_from(TaskRevision)) or 0))


def top_up(database: Database, reports: int) -> int:
    """Progress reports added after each task's last revision until `reports` revisions exist
    (each its own revision, as an agency's report is); the tasks' revision numbers follow."""
    with database.sessions() as session:
        have = int(session.scalar(select(func.count()).select_from(TaskRevision)) or 0)
        ids = list(session.scalars(select(Task.id).order_by(Task.id)))
    missing = max(0, reports - have)
    per_task, extra = divmod(missing, len(ids)) if ids else (0, 0)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        with transaction(database.sessions) as session:
            last = {tid: row for tid, *row in session.execute(
                select(TaskRevision.task_id, TaskRevision.revision, TaskRevision.received_at,
                       TaskRevision.content, TaskRevision.lead_agency, TaskRevision.deadline,
                       TaskRevision.completed_on, TaskRevision.is_key, TaskRevision.theme,
                       TaskRevision.meeting)
                .join(Task, (Task.id == TaskRevision.task_id)
                      & (Task.revision == TaskRevision.revision))
                .where(Task.id >= part[0], Task.id <= part[-1]))}
            rows = []
            for i, tid in enumerate(part):
                rev, at, content, agency, deadline, done, key, theme, meeting = last[tid]
                for k in range(per_task + (start + i < extra)):
                    rows.append({"task_id": tid, "revision": rev + k + 1,
                                 "received_at": at + timedelta(days=7 * (k + 1)),
                                 "content": content, "lead_agency": agency, "deadline": deadline,
                                 "completed_on": done, "is_key": key, "theme": theme,
                                 "meeting": meeting, "report_document": f"BC-{tid}-{k + 1}",
                                 "progress": "Báo cáo tiến độ (mô phỏng)"})
            if rows:
                session.execute(insert(TaskRevision.__table__), rows)
            bump = "UPDATE task SET revision = revision + :n WHERE id BETWEEN :a AND :b"
            if per_task:
                session.execute(text(bump), {"n": per_task, "a": part[0], "b": part[-1]})
            if start < extra:  # the first `extra` tasks have one report more
                session.execute(text(bump), {"n": 1, "a": part[0],
                                             "b": part[min(len(part), extra - start) - 1]})
    if database.dialect == "postgresql":  # as autovacuum would: statistics and visibility
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(TaskRevision)) or 0)


def server_of(database: Database, cached: bool = False) -> Flask:
    server = Flask(__name__)
    server.extensions[EXTENSION_KEY] = database
    # No cache: every call reaches the database (flask-caching warns that it is off).
    cache.init_app(server, config={"CACHE_TYPE": "SimpleCache"} if cached else
                   {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True})
    api_tasks.init_app(server)
    return server


@contextmanager
def earlier_path() -> Iterator[None]:
    """The /tasks callback as it read and drew before queries.page (the callbacks' baseline):
    each read in its own session through its own memoized function (the agencies twice, the
    list's total a summary of its own) and the map a plotly Figure, validated as it was. The
    answers are the same. The rest of the change (whole numbers and dates without Babel, the
    list's index, the boundaries sent once per map) it does not undo: the ratio understates it."""
    import plotly.graph_objects as go

    from callbacks import tasks_map
    from tasks import summary as queries

    def page(start: str, stop: str, agency: str, theme: str, key: bool | None, document: str,
             state: str, number: int, size: int, day: str) -> dict[str, Any]:
        on = date.fromisoformat(day)
        queries.agencies()  # the names; the filter's options read them again
        return {"ranking": queries.ranking(start, stop, theme, key, document, day),
                "list": queries.listing(start, stop, agency, theme, key, document, state,
                                        number, size, day),
                "now": queries.summary(start, stop, agency, theme, day),
                "then": queries.summary(
                    queries.year_ago(date.fromisoformat(start)).isoformat(),
                    queries.year_ago(date.fromisoformat(stop)).isoformat(), agency, theme,
                    queries.year_ago(on).isoformat()),
                "agencies": queries.agencies(), "themes": queries.themes()}

    kept = queries.page, tasks_map.figure
    queries.page = page  # type: ignore[assignment]
    tasks_map.figure = lambda *args: go.Figure(kept[1](*args))  # type: ignore[assignment]
    try:
        yield
    finally:
        queries.page, tasks_map.figure = kept  # type: ignore[assignment]


def in_turn(fn: Callable[[], Any], base: Callable[[], Any], repeat: int
            ) -> tuple[list[float], list[float]]:
    """Timings of fn and of base, call for call in turn (a busy machine slows both alike)."""
    got: list[float] = []
    was: list[float] = []
    for _ in range(2):
        fn()
        base()
    for _ in range(repeat):
        got += timings(fn, 1, warmup=0)
        was += timings(base, 1, warmup=0)
    return got, was


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


def _row(label: str, got: list[float], base: list[float] | None = None) -> list[object]:
    if not base:
        return [label, statistics.median(got), p95(got), "", ""]
    return [label, statistics.median(got), p95(got), statistics.median(base),
            statistics.median(base) / statistics.median(got)]


def run(database: Database, repeat: int, imports: bool = True) -> list[list[object]]:
    from dash._utils import to_json

    from callbacks.tasks import page_view
    from pagestate.tasks import TasksState
    from tasks.summary import task as task_of

    day = NOW.date()
    status.today = lambda: day  # type: ignore[assignment]  # the bench's "today" is fixed
    server = server_of(database)
    client = server.test_client()
    with server.app_context():  # built and imported, as a served process is before it serves
        page_view(TasksState(), "vi")
    # As the served app does once built (app.py main, deploy/gunicorn.conf.py): what lives as
    # long as the process out of the collector's full passes (here 180 ms each, 1 call in 30).
    gc.freeze()
    ten = (date(day.year - 10, 1, 1), day)
    windows = {"YTD": (Filters(date(day.year, 1, 1), day), ""),
               "ten years": (Filters(*ten), ""),
               "ten years, one agency": (Filters(*ten, "BTC"), "&agency=BTC"),
               "ten years, one theme": (Filters(*ten, "", "Chuyển đổi số"),
                                        "&theme=Chuyển đổi số"),
               "2016-03-05..2025-10-20": (Filters(date(2016, 3, 5), date(2025, 10, 20)), "")}
    rows: list[list[object]] = []

    def plain(f: Filters) -> Callable[[], Any]:
        def call() -> Any:
            with database.sessions() as session:
                return reference_summary_in(session, f, day)
        return call

    for name, (f, extra) in windows.items():
        url = f"/api/v1/tasks/summary?from={f.start}&to={f.stop}{extra}"
        got = timings(lambda url=url: client.get(url), repeat)
        rows.append(_row(f"summary API, {name}", got, timings(plain(f), max(5, repeat // 4))))

    def plain_ranking() -> Any:
        with database.sessions() as session:
            return reference_ranking_in(session, Filters(*ten), day)

    states = {"/tasks callback, default (YTD)": TasksState(),
              "/tasks callback, ten years": TasksState(start=ten[0].isoformat()),
              "/tasks callback, ten years, BTC": TasksState(agency="BTC",
                                                            start=ten[0].isoformat()),
              "/tasks callback, ten years, done late": TasksState(start=ten[0].isoformat(),
                                                                  status="done_late")}
    def earlier(state: TasksState, reply: bool = False) -> Callable[[], Any]:
        def call() -> Any:
            with earlier_path():
                out = page_view(state, "vi")
                return to_json(out) if reply else out
        return call

    with server.app_context():
        for name, state in states.items():
            rows.append(_row(name, *in_turn(lambda s=state: page_view(s, "vi"), earlier(state),
                                            repeat)))
        rows.append(_row("/tasks callback, default, with its JSON reply", *in_turn(
            lambda: to_json(page_view(TasksState(), "vi")), earlier(TasksState(), True),
            repeat)))
        rows.append(_row("(plain ranking alone, ten years)", timings(plain_ranking, 5)))
        with database.sessions() as session:
            some = session.scalar(select(Task.id).order_by(Task.id).offset(1000).limit(1))
        rows.append(_row("/tasks/<id>: one task with its history", timings(
            lambda: task_of(int(some or 1), day.isoformat()), repeat)))
    with server_of(database, cached=True).app_context():
        rows.append(_row("/tasks callback, default, warm (cache on)",
                         timings(lambda: page_view(TasksState(), "vi"), repeat)))
    payload = export(25_000)
    for name in ("import 25,000 rows (new)", "import 25,000 rows (same again)")[:2 * imports]:
        start = time.perf_counter()
        result = importer.import_bytes(database, payload, filename="bench.csv", today=day)
        took = (time.perf_counter() - start) * 1000
        assert not result.refused, result.refused[:3]
        rows.append([name, took, took, "", ""])
    return rows


@contextmanager
def target(args: argparse.Namespace, out: Path) -> Iterator[str]:
    if args.database_url:
        yield args.database_url
    elif args.postgres:
        from tests.servers import postgres_server

        with postgres_server() as url:
            yield url
    else:
        yield f"sqlite:///{out / 'tasks.sqlite'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=250_000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--database-url", default="", help="an empty database (default: SQLite)")
    parser.add_argument("--postgres", action="store_true",
                        help="on a throwaway PostgreSQL cluster started for the run")
    parser.add_argument("--data-dir", default="bench/out/tasks")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database: build it once, time it as it is after")
    args = parser.parse_args()
    if args.reuse and args.postgres:
        parser.error("--reuse needs a database that outlives the run: SQLite or --database-url")
    out = Path(args.data_dir)
    if not args.reuse:
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    with target(args, out) as url:
        database = Database(url)
        start = time.perf_counter()
        count, revisions = built(database) if args.reuse else (0, 0)
        if not count:
            count, revisions = build(database, args.tasks, args.reports)
        print(f"{database.dialect}: {count:,} tasks, {revisions:,} revisions (assignments, "
              f"progress and completion reports) {'kept' if args.reuse else 'built'}; "
              f"{time.perf_counter() - start:.0f} s", flush=True)
        try:
            rows = run(database, args.repeat, imports=not args.reuse)
        finally:
            database.dispose()
    print(f"\n{database.dialect}; cache off unless said; baseline, in this run: for the "
          "summary, the same counts the plain way (one pass over the window's tasks); for the "
          "/tasks callback, its earlier path (bench/tasks.py earlier_path), call for call in "
          "turn\n")
    print_table(["what", "median ms", "p95 ms", "baseline median ms", "x faster"], rows)


if __name__ == "__main__":
    main()

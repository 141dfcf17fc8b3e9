"""Keeping task_tally (tasks.models.TaskTally): the settled counts per month and year.

A task adds 1 to `assigned` of its document's month and year (per lead agency, theme and key
flag), 1 to `with_deadline` if it has one, and 1 to `done_on_time` or `done_late` once done.
A revision takes the old state's contribution away and adds the new one's, in the importer's
transaction, so the counts are right the moment the import commits. rebuild() recomputes
every row from the tasks (the seed's bulk insert, and the test that the kept rows are right).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, case, cast, delete, extract, func, insert, literal, select
from sqlalchemy.orm import Session

from tasks.models import Task, TaskTally

COUNTS = ("assigned", "with_deadline", "done_on_time", "done_late")
MONTH, YEAR = "M", "Y"
Key = tuple[str, int, str, str, bool]  # grain, period, lead agency, theme, key flag
Deltas = dict[Key, list[int]]


def counts_of(deadline: date | None, completed_on: date | None) -> list[int]:
    """One task's share of the four counts (the SQL of rebuild() and tasks.counts, in Python)."""
    if deadline is None:
        return [1, 0, 0, 0]
    if completed_on is None:
        return [1, 1, 0, 0]
    return [1, 1, int(completed_on <= deadline), int(completed_on > deadline)]


def keys_of(document_date: date, agency: str, theme: str, is_key: bool) -> tuple[Key, Key]:
    return ((MONTH, document_date.year * 100 + document_date.month, agency, theme, is_key),
            (YEAR, document_date.year, agency, theme, is_key))


def add(deltas: Deltas, state: Mapping[str, Any], sign: int = 1) -> None:
    """Count one task's state (a Task row's columns by name) into deltas, or take it out."""
    share = counts_of(state["deadline"], state["completed_on"])
    for key in keys_of(state["document_date"], state["lead_agency"], state["theme"],
                       bool(state["is_key"])):
        row = deltas.setdefault(key, [0, 0, 0, 0])
        for i, n in enumerate(share):
            row[i] += sign * n


def apply(session: Session, deltas: Deltas) -> None:
    """Add the deltas to task_tally, creating rows as needed.

    In key order, so two imports touching the same rows lock them in the same order (no
    deadlock on PostgreSQL); an upsert, so a row one import creates another one adds to.
    """
    rows = [{"grain": k[0], "period": k[1], "lead_agency": k[2], "theme": k[3], "is_key": k[4],
             **dict(zip(COUNTS, v, strict=True))}
            for k, v in sorted(deltas.items()) if any(v)]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    stmt = upsert(TaskTally)
    stmt = stmt.on_conflict_do_update(
        index_elements=["grain", "period", "lead_agency", "theme", "is_key"],
        set_={c: getattr(TaskTally, c) + getattr(stmt.excluded, c) for c in COUNTS})
    session.execute(stmt, rows)


def sums() -> list[Any]:
    done = and_(Task.completed_on.is_not(None), Task.deadline.is_not(None))
    return [func.count(), func.count(Task.deadline),
            func.sum(case((and_(done, Task.completed_on <= Task.deadline), 1), else_=0)),
            func.sum(case((and_(done, Task.completed_on > Task.deadline), 1), else_=0))]


def rebuild(session: Session) -> int:
    """Recompute every row from the tasks; the number of rows written."""
    session.execute(delete(TaskTally))
    year = cast(extract("year", Task.document_date), Integer)
    month = cast(extract("month", Task.document_date), Integer)
    written = 0
    for grain, period in ((MONTH, year * 100 + month), (YEAR, year)):
        columns = [literal(grain), period.label("period"), Task.lead_agency, Task.theme,
                   Task.is_key]
        query = select(*columns, *sums()).group_by(period, Task.lead_agency, Task.theme,
                                                    Task.is_key)
        result = session.execute(insert(TaskTally).from_select(
            ["grain", "period", "lead_agency", "theme", "is_key", *COUNTS], query))
        written += max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
    return written


def rows_in(session: Session) -> dict[Key, tuple[int, ...]]:
    """Every non-zero row, for comparing kept rows with rebuilt ones."""
    return {(r.grain, r.period, r.lead_agency, r.theme, r.is_key):
            (r.assigned, r.with_deadline, r.done_on_time, r.done_late)
            for r in session.scalars(select(TaskTally)) if r.assigned}


def states(tasks: Iterable[Task]) -> list[dict[str, Any]]:
    """The columns a contribution depends on, read from Task rows before they change."""
    return [{"document_date": t.document_date, "lead_agency": t.lead_agency, "theme": t.theme,
             "is_key": t.is_key, "deadline": t.deadline, "completed_on": t.completed_on}
            for t in tasks]

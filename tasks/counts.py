"""The counts of a window of tasks, as of a day: the summary and the agencies ranked.

Two ways to the same numbers. reference_in is the plain one: one pass of filtered COUNTs
(tasks.status) over every task of the window; at 250,000 tasks a ten-year window reads them
all. summary_in and ranking_in add up the settled counts of the whole months and years inside
the window (task_tally), count the few days at its edges from the tasks, and count live only
what the day changes: the open tasks past their deadline, the tasks whose deadline is still
ahead and, for a day in the past, the tasks completed after it (open on that day), each read
from its own index. Tests check both ways agree; for one document the plain way answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tasks import status
from tasks.models import Task, TaskDocument, TaskTally
from tasks.tally import MONTH, YEAR, sums


@dataclass(frozen=True)
class Filters:
    """What the summary, the ranking and the list are restricted to."""

    start: date
    stop: date
    agency: str = ""
    theme: str = ""
    key: bool | None = None
    document: str = ""

    def narrow(self, stmt: Select[Any], table: type[Task] | type[TaskTally] = Task
               ) -> Select[Any]:
        """Agency, theme and key flag, on the tasks or on their tally."""
        if self.agency:
            stmt = stmt.where(table.lead_agency == self.agency)
        if self.theme:
            stmt = stmt.where(table.theme == self.theme)
        if self.key is not None:
            stmt = stmt.where(table.is_key == self.key)
        return stmt

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        stmt = stmt.where(Task.document_date >= self.start, Task.document_date <= self.stop)
        if self.document:
            stmt = stmt.where(Task.document_id.in_(
                select(TaskDocument.id).where(TaskDocument.number == self.document)))
        return self.narrow(stmt)


def shares(row: dict[str, int]) -> dict[str, Any]:
    """The counts with both published overdue rates as fractions (None when undefined)."""
    assigned, due, overdue = row["assigned"], row.pop("due"), row[status.OPEN_OVERDUE]
    row["overdue_share_all"] = overdue / assigned if assigned else None
    row["overdue_share_due"] = overdue / due if due else None
    row["due"] = due
    return row


def _ranked(rows: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    out = [{"agency": agency, **shares(counts)} for agency, counts in rows.items()
           if counts["assigned"]]
    out.sort(key=lambda r: (-r[status.OPEN_OVERDUE], -(r["overdue_share_all"] or 0),
                            r["agency"]))
    return out


# --- the plain way ----------------------------------------------------------------------------

def reference_in(session: Session, filters: Filters, day: date, by_agency: bool = False
                 ) -> dict[str, dict[str, int]]:
    """agency ('' unless by_agency) -> assigned, the five counts and due: one pass, no tally."""
    head = [Task.lead_agency] if by_agency else []
    stmt = filters.apply(select(*head, *status.aggregates(day)).select_from(Task))
    out = {}
    for row in session.execute(stmt.group_by(*head) if head else stmt):
        values = dict(row._mapping)
        agency = values.pop("lead_agency", "")
        out[agency] = {k: int(v or 0) for k, v in values.items()}
    return out


# --- the tally's way --------------------------------------------------------------------------

def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def _period(month: int) -> int:
    return (month // 12) * 100 + month % 12 + 1


def spans(start: date, stop: date) -> tuple[list[tuple[date, date]], list[tuple[str, int, int]]]:
    """The window as day ranges counted from the tasks (its ragged edges) and tally ranges
    (grain, first period, last period): whole years where they fit, whole months around them."""
    m0 = _month(start) + (start.day != 1)
    m1 = _month(stop) - (stop != _first(_month(stop) + 1) - timedelta(days=1))
    if m0 > m1:
        return ([(start, stop)] if start <= stop else []), []
    edges = [(start, _first(m0) - timedelta(days=1))] if start < _first(m0) else []
    if stop >= _first(m1 + 1):
        edges.append((_first(m1 + 1), stop))
    y0, y1 = -(-m0 // 12), (m1 + 1) // 12 - 1  # the first and last whole years
    if y0 > y1:
        return edges, [(MONTH, _period(m0), _period(m1))]
    ranges = [(YEAR, y0, y1)]
    if m0 < y0 * 12:
        ranges.append((MONTH, _period(m0), _period(y0 * 12 - 1)))
    if m1 > y1 * 12 + 11:
        ranges.append((MONTH, _period(y1 * 12 + 12), _period(m1)))
    return edges, ranges


def _add(out: dict[str, dict[str, int]], rows: Any, names: tuple[str, ...]) -> None:
    for row in rows:
        values = list(row)
        agency = values.pop(0) if len(values) > len(names) else ""
        counts = out.setdefault(agency, dict.fromkeys(
            ("assigned", "with_deadline", "done_on_time", "done_late", "overdue", "ahead",
             "undone_on_time", "undone_late"), 0))
        for name, value in zip(names, values, strict=True):
            counts[name] += int(value or 0)


def _few(session: Session, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """A condition few rows meet, said so to SQLite: without statistics of ranges it would
    read the window's range of ix_task_window (every task of ten years) rather than the few
    thousand entries of ix_task_deadline_window. PostgreSQL's statistics know it already."""
    if session.get_bind().dialect.name != "sqlite":
        return condition
    return func.likelihood(condition, literal_column("0.001"))  # typeless: no "= 1" added


def _tallied(session: Session, filters: Filters, day: date, by_agency: bool
             ) -> dict[str, dict[str, int]]:
    settled = ("assigned", "with_deadline", "done_on_time", "done_late")
    edges, ranges = spans(filters.start, filters.stop)
    out: dict[str, dict[str, int]] = {}
    if ranges:
        head = [TaskTally.lead_agency] if by_agency else []
        stmt = filters.narrow(select(*head, *(func.sum(getattr(TaskTally, c)) for c in settled))
                              .where(or_(*(and_(TaskTally.grain == g, TaskTally.period >= lo,
                                                TaskTally.period <= hi)
                                           for g, lo, hi in ranges))), TaskTally)
        _add(out, session.execute(stmt.group_by(*head) if head else stmt), settled)
    head = [Task.lead_agency] if by_agency else []
    window = and_(Task.document_date >= filters.start, Task.document_date <= filters.stop)
    queries = [(settled, select(*head, *sums()).where(
        or_(*(Task.document_date.between(a, b) for a, b in edges))))] if edges else []
    # A task completed after the day asked (the same period last year, a clock set back) was
    # open on it: out of the tally's done counts, into overdue if past its deadline.
    later = [func.sum(case((Task.completed_on <= Task.deadline, 1), else_=0)),
             func.sum(case((Task.completed_on > Task.deadline, 1), else_=0)),
             func.sum(case((Task.deadline < day, 1), else_=0))]
    queries += [(("undone_on_time", "undone_late", "overdue"), select(*head, *later).where(
                    _few(session, Task.completed_on > day), window)),
                (("overdue",), select(*head, func.count()).where(
                    Task.completed_on.is_(None), Task.deadline < day, window)),
                (("ahead",), select(*head, func.count()).where(
                    _few(session, Task.deadline > day), window))]
    for names, stmt in queries:
        stmt = filters.narrow(stmt)
        _add(out, session.execute(stmt.group_by(*head) if head else stmt), names)
    for c in out.values():
        c["done_on_time"] -= c.pop("undone_on_time")
        c["done_late"] -= c.pop("undone_late")
    return {agency: {
        "assigned": c["assigned"], status.DONE_ON_TIME: c["done_on_time"],
        status.DONE_LATE: c["done_late"],
        status.OPEN_IN_TIME: c["with_deadline"] - c["done_on_time"] - c["done_late"]
        - c["overdue"],
        status.OPEN_OVERDUE: c["overdue"], status.NO_DEADLINE: c["assigned"] - c["with_deadline"],
        "due": c["with_deadline"] - c["ahead"]} for agency, c in out.items()}


def settled(session: Session, day: date) -> bool:
    """The tally's premise: no completion is dated after the day (one probe of an index)."""
    return session.scalar(select(Task.id).where(Task.completed_on > day).limit(1)) is None


def condition_in(session: Session, state: str, day: date) -> ColumnElement[bool]:
    """status.condition, with "not done" as "no completion" where that is the same thing, so
    the open tasks are read from their index in deadline order (the overdue list)."""
    if state in (status.OPEN_OVERDUE, status.OPEN_IN_TIME) and settled(session, day):
        return and_(Task.completed_on.is_(None), Task.deadline < day
                    if state == status.OPEN_OVERDUE else Task.deadline >= day)
    return status.condition(state, day)


def counted_in(session: Session, filters: Filters, day: date, by_agency: bool = False
               ) -> dict[str, dict[str, int]]:
    """The counts by the tally; the plain way for one document (a few tasks by its index)."""
    if filters.document:
        return reference_in(session, filters, day, by_agency)
    return _tallied(session, filters, day, by_agency)


def summary_in(session: Session, filters: Filters, day: date) -> dict[str, Any]:
    """assigned, the five status counts, due, and the two overdue rates, on a day."""
    found = counted_in(session, filters, day).get("")
    return shares(found or dict.fromkeys(("assigned", *status.STATUSES, "due"), 0))


def ranking_in(session: Session, filters: Filters, day: date) -> list[dict[str, Any]]:
    """Per lead agency: the counts and both rates, most overdue first."""
    return _ranked(counted_in(session, filters, day, by_agency=True))


def summed(ranked: list[dict[str, Any]], agency: str = "") -> dict[str, Any]:
    """The summary of the agencies ranked, or of one of them: what summary_in answers for the
    ranking's filters (and that agency), from its figures rather than the same queries again."""
    total = dict.fromkeys(("assigned", *status.STATUSES, "due"), 0)
    for row in ranked:
        if not agency or row["agency"] == agency:
            for name in total:
                total[name] += row[name]
    return shares(total)


def reference_summary_in(session: Session, filters: Filters, day: date) -> dict[str, Any]:
    """summary_in the plain way (the tests' and the bench's reference)."""
    found = reference_in(session, filters, day).get("")
    return shares(found or dict.fromkeys(("assigned", *status.STATUSES, "due"), 0))


def reference_ranking_in(session: Session, filters: Filters, day: date) -> list[dict[str, Any]]:
    return _ranked(reference_in(session, filters, day, by_agency=True))

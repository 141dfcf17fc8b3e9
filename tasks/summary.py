"""The read side of task tracking: the counts, the agencies ranked, the list and one task.

The counts themselves are tasks.counts'. The memoized functions take plain values (ISO dates,
codes) and return plain dicts and lists; the *_in functions take a session, for the CLI, tests
and the bench.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.cache import fetch, memoized
from core.db import current
from tasks import status
from tasks.counts import Filters, condition_in, ranking_in, summary_in, summed
from tasks.models import Task, TaskDocument, TaskRevision, TaskTally
from tasks.tally import YEAR

TTL = 60  # the wall polls once a minute; one recompute per minute whatever the viewers
PAGE_MAX = 500
COUNTS = status.STATUSES
__all__ = ["Filters", "summary_in", "ranking_in", "list_in", "task_in"]


def _task_dict(task: Task, number: str, day: date) -> dict[str, Any]:
    return {
        "id": task.id, "document": number, "document_date": task.document_date.isoformat(),
        "task_no": task.task_no, "content": task.content, "lead_agency": task.lead_agency,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "completed_on": task.completed_on.isoformat() if task.completed_on else None,
        "key": task.is_key, "theme": task.theme, "meeting": task.meeting,
        "status": status.of(task.deadline, task.completed_on, day),
        "days_overdue": status.days_overdue(task.deadline, task.completed_on, day),
        "revision": task.revision, "source": task.source,
    }


def list_in(session: Session, filters: Filters, day: date, state: str = "", page: int = 1,
            size: int = 50, cap: int = PAGE_MAX, counts: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """One page of tasks (overdue ones by deadline, oldest first) and how many match;
    `counts`: the summary of the same filters on the same day, when the caller has it."""
    size = max(1, min(size, cap))
    page = max(1, page)
    stmt = filters.apply(select(Task, TaskDocument.number).join(
        TaskDocument, TaskDocument.id == Task.document_id))
    if state:
        stmt = stmt.where(condition_in(session, state, day))
    total = int((summary_in(session, filters, day) if counts is None else counts)
                [state or "assigned"])
    order = ([Task.deadline, Task.document_date, Task.id] if state == status.OPEN_OVERDUE
             else [Task.document_date.desc(), Task.document_id.desc(), Task.task_no])
    rows = session.execute(stmt.order_by(*order).limit(size).offset((page - 1) * size))
    return {"total": total, "page": page, "size": size,
            "tasks": [_task_dict(task, number, day) for task, number in rows]}


def task_in(session: Session, task_id: int, day: date) -> dict[str, Any] | None:
    """One task with its document and its revisions, newest first."""
    found = session.execute(select(Task, TaskDocument).join(
        TaskDocument, TaskDocument.id == Task.document_id).where(Task.id == task_id)).first()
    if found is None:
        return None
    task, document = found
    out = _task_dict(task, document.number, day)
    out.update(document_kind=document.kind, assigned_by=document.assigned_by,
               document_source=document.source, document_note=document.note)
    history = session.scalars(select(TaskRevision).where(TaskRevision.task_id == task_id)
                              .order_by(TaskRevision.revision.desc()))
    out["history"] = [{
        "revision": r.revision, "received_at": r.received_at.isoformat(timespec="seconds"),
        "deadline": r.deadline.isoformat() if r.deadline else None,
        "completed_on": r.completed_on.isoformat() if r.completed_on else None,
        "lead_agency": r.lead_agency, "content": r.content, "progress": r.progress,
        "report_document": r.report_document, "import_id": r.import_id} for r in history]
    return out


def page_in(session: Session, filters: Filters, day: date, state: str, page: int, size: int
            ) -> dict[str, Any]:
    """What /tasks shows, in one session: the agencies ranked; the counts of the window
    (without the key and document filters, as the panel has them) and of the same window a
    year before, each as of its own day; one page of the list; the agencies and the themes.
    Without a key or document filter the ranking has the same filters as the counts: they are
    its sum (or its agency's row), and the list's total one of them."""
    ranking = ranking_in(session, Filters(filters.start, filters.stop, "", filters.theme,
                                          filters.key, filters.document), day)
    counted = Filters(filters.start, filters.stop, filters.agency, filters.theme)
    same = filters == counted
    now = summed(ranking, filters.agency) if same else summary_in(session, counted, day)
    before = Filters(year_ago(filters.start), year_ago(filters.stop), filters.agency,
                     filters.theme)
    return {"now": now, "then": summary_in(session, before, year_ago(day)), "ranking": ranking,
            "list": list_in(session, filters, day, state, page, size,
                            counts=now if same else None),
            "agencies": agencies_in(session), "themes": themes_in(session)}


def themes_in(session: Session) -> list[str]:
    """The themes tasks have, from the yearly tally (a few thousand rows, not every task)."""
    return [t for t in session.scalars(select(TaskTally.theme).distinct().where(
        TaskTally.grain == YEAR, TaskTally.assigned > 0).order_by(TaskTally.theme)) if t]


# --- memoized, for the screens and the API (plain arguments: ISO dates and codes) ------------

def _filters(start: str, stop: str, agency: str = "", theme: str = "", key: bool | None = None,
             document: str = "") -> Filters:
    return Filters(date.fromisoformat(start), date.fromisoformat(stop), agency, theme, key,
                   document)


@memoized(ttl=TTL, time_args=("day",))
def summary(start: str, stop: str, agency: str, theme: str, day: str) -> dict[str, Any]:
    with current().sessions() as session:
        return summary_in(session, _filters(start, stop, agency, theme),
                          date.fromisoformat(day))


@memoized(ttl=TTL, time_args=("day",))
def ranking(start: str, stop: str, theme: str, key: bool | None, document: str,
            day: str) -> list[dict[str, Any]]:
    with current().sessions() as session:
        return ranking_in(session, _filters(start, stop, "", theme, key, document),
                          date.fromisoformat(day))


@memoized(ttl=TTL, time_args=("day",))
def listing(start: str, stop: str, agency: str, theme: str, key: bool | None, document: str,
            state: str, page: int, size: int, day: str) -> dict[str, Any]:
    with current().sessions() as session:
        return list_in(session, _filters(start, stop, agency, theme, key, document),
                       date.fromisoformat(day), state, page, size)


@memoized(ttl=TTL, time_args=("day",))
def page(start: str, stop: str, agency: str, theme: str, key: bool | None, document: str,
         state: str, number: int, size: int, day: str) -> dict[str, Any]:
    """page_in: one connection for the page's dozen short queries, one cache entry."""
    with current().sessions() as session:
        return page_in(session, _filters(start, stop, agency, theme, key, document),
                       date.fromisoformat(day), state, number, size)


@memoized(ttl=TTL)
def themes() -> list[str]:
    with current().sessions() as session:
        return themes_in(session)


def task(task_id: int, day: str) -> dict[str, Any] | None:
    """Not memoized: one task is read when someone opens it."""
    with current().sessions() as session:
        return task_in(session, task_id, date.fromisoformat(day))


EXPORT_MAX = 100_000  # rows of one CSV export (ten years of one agency fit)
EXPORT_COLUMNS = ("document", "document_date", "task_no", "content", "lead_agency", "deadline",
                  "completed_on", "key", "theme", "meeting", "status", "days_overdue")


def export_in(session: Session, filters: Filters, day: date, state: str = ""
              ) -> list[dict[str, Any]]:
    """The rows of a CSV export, at most EXPORT_MAX, in the list's order."""
    return list_in(session, filters, day, state, 1, EXPORT_MAX, cap=EXPORT_MAX)["tasks"]


def agencies_in(session: Session) -> list[dict[str, str]]:
    """The agencies that lead tasks (ministries and provinces of today, a province with its
    map code), for the filters and the map."""
    from reporting.models import Agency

    rows = session.execute(select(Agency.code, Agency.name_vi, Agency.name_en, Agency.kind,
                                  Agency.region_code)
                           .where(Agency.era.in_(("both", "post2025")),
                                  Agency.kind.in_(("ministry", "agency", "province")))
                           .order_by(Agency.kind, Agency.code))
    return [{"code": c, "name_vi": vi, "name_en": en, "kind": k, "region_code": r or ""}
            for c, vi, en, k, r in rows]


@memoized(ttl=TTL)
def agencies() -> list[dict[str, str]]:
    with current().sessions() as session:
        return agencies_in(session)


def overdue_key_in(session: Session, day: date, limit: int = 5) -> dict[str, Any]:
    """Key tasks open past their deadline, longest overdue first (the wall's alerts)."""
    where = [Task.is_key.is_(True), status.condition(status.OPEN_OVERDUE, day)]
    total = int(session.scalar(select(func.count()).select_from(Task).where(*where)) or 0)
    rows = session.execute(select(Task.id, Task.task_no, Task.lead_agency, Task.deadline,
                                  TaskDocument.number)
                           .join(TaskDocument, TaskDocument.id == Task.document_id)
                           .where(*where).order_by(Task.deadline, Task.id).limit(limit))
    return {"total": total, "tasks": [
        {"id": i, "task_no": no, "agency": agency, "document": number,
         "days_overdue": (day - deadline).days}
        for i, no, agency, deadline, number in rows]}


def overdue_key_by_agency_in(session: Session, day: date) -> list[dict[str, Any]]:
    """Per lead agency: how many key tasks are open past their deadline and the longest delay
    (the alerts: one per agency, however many of its tasks are late)."""
    where = [Task.is_key.is_(True), status.condition(status.OPEN_OVERDUE, day)]
    rows = session.execute(select(Task.lead_agency, func.count(), func.min(Task.deadline))
                           .where(*where).group_by(Task.lead_agency)
                           .order_by(Task.lead_agency))
    return [{"agency": agency, "count": int(n), "days_overdue": (day - oldest).days}
            for agency, n, oldest in rows]


@memoized(ttl=TTL, time_args=("day",))
def overdue_key_by_agency(day: str) -> list[dict[str, Any]]:
    with current().sessions() as session:
        return overdue_key_by_agency_in(session, date.fromisoformat(day))


@memoized(ttl=TTL, time_args=("day",))
def overdue_key(day: str, limit: int = 5) -> dict[str, Any]:
    with current().sessions() as session:
        return overdue_key_in(session, date.fromisoformat(day), limit)


def year_ago(on: date) -> date:
    """The same day last year (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


def year_to_date(on: date) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(this year to date, last year to the same day), each as of its own day; through fetch,
    so a database outage leaves the last good figures on the wall (None before any)."""
    before = year_ago(on)
    now = fetch(summary, date(on.year, 1, 1).isoformat(), on.isoformat(), "", "",
                on.isoformat())
    then = fetch(summary, date(before.year, 1, 1).isoformat(), before.isoformat(), "",
                 "", before.isoformat())
    return now.data, then.data

"""A task's status from its deadline, its completion date and today (Viet Nam time).

A task due on D is within its deadline through D and overdue from 00:00 of D+1, Viet Nam time;
completed on or before D it is done on time, after D late. Without a deadline it is counted
apart (no_deadline), done or not. A completion dated after today is not a completion yet: the
clock can be set back (OPS_NOW) and the status must be what it was on that day.

The same rule is written twice, once in Python (one task) and once as SQL (every count), and
tests check that they agree.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func
from sqlalchemy.sql.elements import ColumnElement

from core.clock import local_now
from tasks.models import Task

DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OPEN_IN_TIME = "open_in_time"
OPEN_OVERDUE = "open_overdue"
NO_DEADLINE = "no_deadline"
STATUSES = (DONE_ON_TIME, DONE_LATE, OPEN_IN_TIME, OPEN_OVERDUE, NO_DEADLINE)


def today() -> date:
    """Today in Viet Nam (the app's clock, so OPS_NOW moves it)."""
    return local_now().date()


def of(deadline: date | None, completed_on: date | None, on: date | None = None) -> str:
    """The status of one task on a day (default: today in Viet Nam)."""
    day = on or today()
    if deadline is None:
        return NO_DEADLINE
    if completed_on is not None and completed_on <= day:
        return DONE_ON_TIME if completed_on <= deadline else DONE_LATE
    return OPEN_IN_TIME if deadline >= day else OPEN_OVERDUE


def days_overdue(deadline: date | None, completed_on: date | None, on: date | None = None) -> int:
    """Whole days past the deadline: of an open task until today, of a late one until done."""
    day = on or today()
    if deadline is None:
        return 0
    end = completed_on if completed_on is not None and completed_on <= day else day
    return max(0, (end - deadline).days)


def condition(status: str, day: date) -> ColumnElement[bool]:
    """The SQL condition of one status on a day (the same rule as `of`)."""
    done = and_(Task.completed_on.is_not(None), Task.completed_on <= day)
    has = Task.deadline.is_not(None)
    conditions: dict[str, ColumnElement[bool]] = {
        NO_DEADLINE: Task.deadline.is_(None),
        DONE_ON_TIME: and_(has, done, Task.completed_on <= Task.deadline),
        DONE_LATE: and_(has, done, Task.completed_on > Task.deadline),
        OPEN_IN_TIME: and_(has, ~done, Task.deadline >= day),
        OPEN_OVERDUE: and_(has, ~done, Task.deadline < day),
    }
    if status not in conditions:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    return conditions[status]


def aggregates(day: date) -> list[ColumnElement[int]]:
    """The five counts, `assigned` and `due` as one pass of aggregates (labelled).

    Four filtered counts do the work; the rest is arithmetic on them. NULL comparisons are
    false, so a task without a deadline falls out of every dated count by itself:
    no_deadline = all - with a deadline; open_in_time = with a deadline - the other three.
    """
    done = and_(Task.completed_on.is_not(None), Task.completed_on <= day)
    with_deadline = func.count(Task.deadline)
    on_time = func.count().filter(and_(done, Task.completed_on <= Task.deadline))
    late = func.count().filter(and_(done, Task.completed_on > Task.deadline))
    overdue = func.count().filter(and_(Task.deadline < day, ~done))
    return [func.count().label("assigned"), on_time.label(DONE_ON_TIME), late.label(DONE_LATE),
            (with_deadline - on_time - late - overdue).label(OPEN_IN_TIME),
            overdue.label(OPEN_OVERDUE), (func.count() - with_deadline).label(NO_DEADLINE),
            func.count().filter(Task.deadline <= day).label("due")]

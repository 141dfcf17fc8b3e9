"""The read side of alerts: lists, one alert's history, the wall's live alerts (plain dicts)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from accounts.users import labels
from alerts.models import Alert, AlertEvent
from core.cache import memoized
from core.db import Database, current

MAX_PAGE = 200
WALL_LIMIT = 50  # live alerts the wall reads; the panel shows fewer, with "+N more"


# Seconds the wall's alert list is shared (one query for every wall in it). The evaluator, the
# API and the /alerts page forget it whenever they change an alert, so this is only the bound
# for a change made elsewhere; the evaluator's own period, so walls read no more often than it
# writes, however many of them poll.
WALL_TTL = 5


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def as_json(a: Alert, people: dict[str, str]) -> dict[str, Any]:
    """One alert as the API and the screens publish it (times ISO UTC with Z)."""
    return {
        "id": a.id, "key": a.key, "kind": a.kind, "subject": a.subject, "period": a.period,
        "agency": a.agency, "title": a.title, "severity": a.severity, "state": a.state,
        "opened_at": _iso(a.opened_at), "last_seen_at": _iso(a.last_seen_at),
        "acknowledged_by": a.acknowledged_by,
        "acknowledged_by_label": people.get(a.acknowledged_by or "", a.acknowledged_by),
        "acknowledged_at": _iso(a.acknowledged_at), "acknowledged_comment": a.acknowledged_comment,
        "resolved_at": _iso(a.resolved_at), "resolved_by": a.resolved_by,
        "resolved_by_label": people.get(a.resolved_by or "", a.resolved_by),
        "resolved_reason": a.resolved_reason, "escalated": a.escalated_at is not None,
        "escalated_at": _iso(a.escalated_at), "opened_count": a.opened_count,
    }


def _people(database: Database, rows: list[Alert]) -> dict[str, str]:
    names = [n for a in rows for n in (a.acknowledged_by, a.resolved_by) if n]
    return labels(database, names)


def search(database: Database, *, state: str | None = None, kind: str | None = None,
           agency: str | None = None, period: str | None = None, limit: int = 100,
           before_id: int | None = None) -> list[dict[str, Any]]:
    """Alerts newest first, filtered; `before_id` pages on (keyset, so 100,000 rows stay fast).

    No state: the live ones (open and acknowledged).
    """
    stmt = select(Alert)
    if state:
        stmt = stmt.where(Alert.state == state)
    else:
        stmt = stmt.where(Alert.state.in_(("open", "acknowledged")))
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    if agency:
        stmt = stmt.where(Alert.agency == agency.upper())
    if period:
        stmt = stmt.where(Alert.period == period)
    if before_id:
        stmt = stmt.where(Alert.id < before_id)
    stmt = stmt.order_by(Alert.id.desc()).limit(max(1, min(limit, MAX_PAGE)))
    with database.sessions() as s:
        rows = list(s.scalars(stmt))
    people = _people(database, rows)
    return [as_json(a, people) for a in rows]


def counts(database: Database) -> dict[str, int]:
    """Alerts per state (the /alerts page's tabs)."""
    with database.sessions() as s:
        got = dict(s.execute(select(Alert.state, func.count()).group_by(Alert.state)).all())
    return {k: int(got.get(k, 0)) for k in ("open", "acknowledged", "resolved")}


def one(database: Database, alert_id: int) -> dict[str, Any] | None:
    """One alert with its history, oldest step first."""
    with database.sessions() as s:
        alert = s.get(Alert, alert_id)
        if alert is None:
            return None
        events = list(s.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id)
                                .order_by(AlertEvent.id)))
    people = labels(database, [e.actor for e in events if e.actor] +
                    [n for n in (alert.acknowledged_by, alert.resolved_by) if n])
    out = as_json(alert, people)
    out["history"] = [{"time": _iso(e.time), "action": e.action, "actor": e.actor,
                       "actor_label": people.get(e.actor, e.actor), "comment": e.comment}
                      for e in events]
    return out


def live(database: Database, limit: int = WALL_LIMIT) -> list[dict[str, Any]]:
    """Open and acknowledged alerts for the wall: escalated first, then critical, then those
    nobody has yet, then the oldest."""
    order = (case((Alert.escalated_at.is_not(None) & (Alert.state == "open"), 0), else_=1),
             case((Alert.severity == "critical", 0), else_=1),
             case((Alert.state == "open", 0), else_=1), Alert.opened_at)
    with database.sessions() as s:
        rows = list(s.scalars(select(Alert).where(Alert.active_key.is_not(None))
                              .order_by(*order).limit(limit)))
    people = _people(database, rows)
    return [as_json(a, people) for a in rows]


@memoized(ttl=WALL_TTL)
def wall_alerts() -> list[dict[str, Any]]:
    """live() through the shared cache: every wall polling in the same window shares one query."""
    return live(current())

"""An alert's life: opened, kept, escalated, acknowledged, resolved (by the data or a person).

Every function takes `now` (naive UTC from core.clock) so tests move time with the settable
clock instead of sleeping. evaluate() runs in the one evaluator; acknowledge() and resolve()
run for people and answer AlertConflict (HTTP 409) for an alert that is already resolved.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts import audit
from alerts.conditions import Condition, Detected
from alerts.models import Alert, AlertEvent
from core.db import Database, transaction

MAX_COMMENT = 2000
FLAP_WINDOW = timedelta(minutes=10)
ESCALATE_AFTER = {"critical": timedelta(minutes=5), "warning": timedelta(minutes=30)}
CLEARED = "condition cleared"


class AlertError(ValueError):
    """A request about an alert that cannot be done (bad comment): HTTP 400."""


class AlertNotFound(AlertError):
    """No alert with that id: HTTP 404."""


class AlertConflict(AlertError):
    """The alert's state forbids it (already resolved or acknowledged): HTTP 409."""


@dataclass(frozen=True)
class Policy:
    """Severity per kind, the flap window and the escalation limits (from the settings)."""

    severity: dict[str, str]
    flap: timedelta = FLAP_WINDOW
    escalate_after: dict[str, timedelta] = field(default_factory=lambda: dict(ESCALATE_AFTER))


@dataclass
class Outcome:
    """What one evaluation changed (alert ids), for the outbox, the log and the tests."""

    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)

    def changed(self) -> bool:
        return bool(self.opened or self.reopened or self.resolved or self.escalated)

    def summary(self) -> str:
        """One short log line: how many of each (the ids are in the alert table's history)."""
        return ", ".join(f"{name} {len(ids)}" for name, ids in vars(self).items() if ids) \
            or "no change"


def check_comment(text: str | None) -> str:
    """A comment or reason: at most 2,000 characters, no control characters but line breaks."""
    text = (text or "").strip()
    if len(text) > MAX_COMMENT:
        raise AlertError(f"comment: at most {MAX_COMMENT} characters (got {len(text)})")
    bad = next((c for c in text if (ord(c) < 32 and c not in "\n\t") or 127 <= ord(c) < 160), None)
    if bad is not None:
        raise AlertError(f"comment: control character U+{ord(bad):04X} is not allowed")
    return text


def _event(session: Session, alert: Alert, action: str, now: datetime, actor: str = "",
           comment: str = "") -> None:
    session.add(AlertEvent(alert_id=alert.id, time=now, action=action, actor=actor,
                           comment=comment))


def _new(session: Session, cond: Condition, now: datetime, policy: Policy) -> Alert:
    alert = Alert(key=cond.key, active_key=cond.key, kind=cond.kind, subject=cond.subject,
                  period=cond.period, agency=cond.agency, title=cond.title[:300],
                  severity=cond.severity or policy.severity.get(cond.kind, "warning"), state="open",
                  opened_at=now, last_seen_at=now, acknowledged_comment="", resolved_reason="",
                  opened_count=1)
    session.add(alert)
    return alert


def _reopen(session: Session, alert: Alert, now: datetime) -> None:
    """The condition came back within the flap window: the same alert, open again."""
    alert.state, alert.active_key, alert.opened_at, alert.last_seen_at = "open", alert.key, now, now
    alert.resolved_at = alert.resolved_by = alert.acknowledged_by = alert.acknowledged_at = None
    alert.escalated_at = None
    alert.resolved_reason = alert.acknowledged_comment = ""
    alert.opened_count += 1
    _event(session, alert, "reopened", now)


def _close(session: Session, alert: Alert, now: datetime, by: str | None, reason: str) -> None:
    alert.state, alert.active_key, alert.resolved_at = "resolved", None, now
    alert.resolved_by, alert.resolved_reason = by, reason
    _event(session, alert, "resolved", now, by or "", reason)


def evaluate(session: Session, detected: Detected, now: datetime, policy: Policy,
             on_change: Callable[[Session, Alert, str], None] | None = None) -> Outcome:
    """Bring the alert table in line with what is detected now (inside the caller's transaction).

    on_change(session, alert, "opened" | "escalated") queues notifications. Cheap when nothing
    changes: the live alerts are read as plain rows and kept ones are touched with one UPDATE
    per 500 keys, so only alerts that open, clear or escalate become ORM objects.
    """
    out = Outcome()
    found = detected.by_key()
    live = {r.key: r for r in session.execute(
        select(Alert.id, Alert.key, Alert.kind, Alert.state, Alert.severity, Alert.opened_at,
               Alert.escalated_at).where(Alert.active_key.is_not(None)))}
    kept = [key for key in found if key in live]
    for i in range(0, len(kept), 500):
        session.execute(update(Alert).where(Alert.active_key.in_(kept[i:i + 500]))
                        .values(last_seen_at=now))
    missing = [key for key in found if key not in live]
    recent: dict[str, Alert] = {}
    if missing:
        # Alerts of these conditions resolved within the flap window come back instead.
        for alert in session.scalars(
                select(Alert).where(Alert.state == "resolved",
                                    Alert.resolved_at >= now - policy.flap)
                .order_by(Alert.resolved_at)):
            if alert.key in found:
                recent[alert.key] = alert  # the newest wins
    opened: list[Alert] = []
    for key in missing:
        again = recent.get(key)
        if again is not None:
            _reopen(session, again, now)
            out.reopened.append(again.id)
        else:
            opened.append(_new(session, found[key], now, policy))
    if opened:
        session.flush()  # one flush for every new alert: their ids for the history
        for alert in opened:
            _event(session, alert, "opened", now, comment=alert.title)
            out.opened.append(alert.id)
            if on_change:
                on_change(session, alert, "opened")
    for key, row in live.items():
        if key not in found and row.kind in detected.checked:
            alert = session.get(Alert, row.id)
            if alert is not None:
                _close(session, alert, now, None, CLEARED)
                out.resolved.append(row.id)
            continue
        limit = policy.escalate_after.get(row.severity)
        if (row.state == "open" and row.escalated_at is None and limit is not None
                and now - row.opened_at >= limit):
            alert = session.get(Alert, row.id)
            if alert is None:
                continue
            alert.escalated_at = now
            _event(session, alert, "escalated", now)
            out.escalated.append(alert.id)
            if on_change:
                on_change(session, alert, "escalated")
    return out


def _locked(session: Session, alert_id: int) -> Alert:
    # FOR UPDATE on PostgreSQL: a person and the evaluator never both change one alert at once.
    alert = session.scalar(select(Alert).where(Alert.id == alert_id).with_for_update())
    if alert is None:
        raise AlertNotFound(f"no alert {alert_id}")
    return alert


def acknowledge(database: Database, alert_id: int, user: str, comment: str, now: datetime,
                address: str = "") -> Alert:
    """'I have it': who, when and a comment. 409 when resolved or already acknowledged."""
    comment = check_comment(comment)
    with transaction(database.sessions) as session:
        alert = _locked(session, alert_id)
        if alert.state == "resolved":
            raise AlertConflict(f"alert {alert_id} is resolved: nothing to acknowledge")
        if alert.state == "acknowledged":
            raise AlertConflict(f"alert {alert_id} is already acknowledged by "
                                f"{alert.acknowledged_by}")
        alert.state, alert.acknowledged_by, alert.acknowledged_at = "acknowledged", user, now
        alert.acknowledged_comment = comment
        _event(session, alert, "acknowledged", now, user, comment)
        audit.add(session, "alert", user, f"acknowledge {alert.key} #{alert.id}", address)
        return alert


def resolve(database: Database, alert_id: int, user: str, reason: str, now: datetime,
            address: str = "") -> Alert:
    """Resolved by a person with a reason. 409 when already resolved.

    If the condition is still detected, the next evaluation re-opens it (within the flap
    window): a person closes what was handled, the data says whether it still holds.
    """
    reason = check_comment(reason)
    with transaction(database.sessions) as session:
        alert = _locked(session, alert_id)
        if alert.state == "resolved":
            raise AlertConflict(f"alert {alert_id} is already resolved")
        _close(session, alert, now, user, reason)
        audit.add(session, "alert", user, f"resolve {alert.key} #{alert.id}", address)
        return alert

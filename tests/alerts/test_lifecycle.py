"""Alert lifecycle on SQLite and PostgreSQL: raise and clear per kind, flapping, escalation timing,
acknowledge and resolve with their refusals. Time is passed in (the settable clock), never slept."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import AuditEvent
from alerts import conditions, lifecycle
from alerts.conditions import Condition, Detected
from alerts.models import Alert, AlertEvent
from core.db import Database, transaction

T0 = datetime(2026, 12, 1, 3, 0, 0)  # naive UTC, as stored
POLICY = lifecycle.Policy(severity=conditions.severities(""))

EXAMPLES = {
    "threshold": conditions.thresholds([{"code": "IIP", "region": "VN", "period": "2026-11",
                                         "agency": "BCT", "name_vi": "IIP", "value": 1.5}]),
    "late": conditions.late([{"agency": "BCT", "name_vi": "Bộ Công Thương", "period": "2026-11"}]),
    "camera": conditions.cameras([{"id": "hoa-binh", "name": "Hòa Bình", "state": "OFFLINE"},
                                  {"id": "son-la", "name": "Sơn La", "state": "LIVE"}], False),
    "feed": conditions.feeds([{"code": "RT_POWER", "name_vi": "Công suất"}]),
}


def detected(*conds: Condition, checked: tuple[str, ...] = conditions.KINDS) -> Detected:
    d = Detected()
    d.conditions.extend(conds)
    d.checked.update(checked)
    return d


def run(database: Database, found: Detected, now: datetime) -> lifecycle.Outcome:
    with transaction(database.sessions) as session:
        return lifecycle.evaluate(session, found, now, POLICY)


def alerts(database: Database) -> list[Alert]:
    with database.sessions() as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def test_keys_are_stable() -> None:
    assert [c.key for c in EXAMPLES["threshold"]] == ["threshold:IIP:VN:2026-11"]
    assert [c.key for c in EXAMPLES["late"]] == ["late:BCT:2026-11"]
    assert [c.key for c in EXAMPLES["camera"]] == ["camera:hoa-binh"]
    assert [c.key for c in EXAMPLES["feed"]] == ["feed:power"]
    assert [c.key for c in conditions.cameras([], True)] == ["camera:relay"]


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_kind_raises_once_and_clears(database: Database, kind: str) -> None:
    cond = EXAMPLES[kind][0]
    out = run(database, detected(cond, cond), T0)  # the same condition twice: one alert
    assert len(out.opened) == 1
    run(database, detected(cond), T0 + timedelta(seconds=5))
    [alert] = alerts(database)
    assert (alert.key, alert.state, alert.last_seen_at) == (cond.key, "open",
                                                             T0 + timedelta(seconds=5))
    assert alert.severity == conditions.DEFAULT_SEVERITY[kind]
    out = run(database, detected(), T0 + timedelta(seconds=10))
    [alert] = alerts(database)
    assert out.resolved == [alert.id]
    assert (alert.state, alert.resolved_by, alert.active_key) == ("resolved", None, None)
    assert alert.resolved_at == T0 + timedelta(seconds=10)


def test_unchecked_kind_is_kept(database: Database) -> None:
    cam = EXAMPLES["camera"][0]
    run(database, detected(cam), T0)
    run(database, detected(checked=("threshold",)), T0 + timedelta(minutes=1))  # relay unread
    assert alerts(database)[0].state == "open"


def test_flapping_reopens_within_the_window_then_makes_a_new_one(database: Database) -> None:
    cam = EXAMPLES["camera"][0]
    run(database, detected(cam), T0)
    run(database, detected(), T0 + timedelta(minutes=1))
    out = run(database, detected(cam), T0 + timedelta(minutes=10))  # 9 min after clearing
    [alert] = alerts(database)
    assert out.reopened == [alert.id] and alert.state == "open" and alert.opened_count == 2
    run(database, detected(), T0 + timedelta(minutes=11))
    out = run(database, detected(cam), T0 + timedelta(minutes=21, seconds=1))  # 10 min 1 s later
    assert len(out.opened) == 1
    assert [a.state for a in alerts(database)] == ["resolved", "open"]


def test_escalation_by_severity(database: Database) -> None:
    cam, late = EXAMPLES["camera"][0], EXAMPLES["late"][0]  # critical 5 min, warning 30 min
    run(database, detected(cam, late), T0)
    out = run(database, detected(cam, late), T0 + timedelta(minutes=4, seconds=59))
    assert out.escalated == []
    out = run(database, detected(cam, late), T0 + timedelta(minutes=5))
    by_key = {a.key: a for a in alerts(database)}
    assert out.escalated == [by_key[cam.key].id]
    assert by_key[cam.key].escalated_at == T0 + timedelta(minutes=5)
    out = run(database, detected(cam, late), T0 + timedelta(minutes=30))
    assert out.escalated == [by_key[late.key].id]  # the camera is not escalated twice


def test_acknowledged_alerts_do_not_escalate(database: Database) -> None:
    cam = EXAMPLES["camera"][0]
    run(database, detected(cam), T0)
    alert_id = alerts(database)[0].id
    lifecycle.acknowledge(database, alert_id, "an", "đang xử lý", T0 + timedelta(minutes=1))
    out = run(database, detected(cam), T0 + timedelta(minutes=6))
    assert out.escalated == []
    [alert] = alerts(database)
    assert (alert.state, alert.acknowledged_by, alert.acknowledged_comment) == (
        "acknowledged", "an", "đang xử lý")


def test_acknowledge_and_resolve_refusals(database: Database) -> None:
    cam = EXAMPLES["camera"][0]
    run(database, detected(cam), T0)
    alert_id = alerts(database)[0].id
    with pytest.raises(lifecycle.AlertError, match="at most 2000"):
        lifecycle.acknowledge(database, alert_id, "an", "x" * 2001, T0)
    with pytest.raises(lifecycle.AlertError, match="control character"):
        lifecycle.acknowledge(database, alert_id, "an", "ok\x1b[31m", T0)
    with pytest.raises(lifecycle.AlertNotFound):
        lifecycle.acknowledge(database, alert_id + 99, "an", "", T0)
    lifecycle.resolve(database, alert_id, "an", "đã khởi động lại", T0 + timedelta(minutes=2))
    with pytest.raises(lifecycle.AlertConflict, match="resolved"):
        lifecycle.acknowledge(database, alert_id, "binh", "", T0 + timedelta(minutes=3))
    with pytest.raises(lifecycle.AlertConflict, match="already resolved"):
        lifecycle.resolve(database, alert_id, "binh", "", T0 + timedelta(minutes=3))
    with database.sessions() as s:
        actions = list(s.scalars(select(AlertEvent.action).where(AlertEvent.alert_id == alert_id)
                                 .order_by(AlertEvent.id)))
        audited = s.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.kind == "alert"))
    assert actions == ["opened", "resolved"] and audited == 1
    [alert] = alerts(database)
    assert (alert.resolved_by, alert.resolved_reason) == ("an", "đã khởi động lại")


def test_severity_setting() -> None:
    assert conditions.severities("late=critical")["late"] == "critical"
    with pytest.raises(ValueError, match="KIND=critical"):
        conditions.severities("late=loud")

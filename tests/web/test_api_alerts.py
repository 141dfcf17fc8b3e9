"""GET /api/v1/alerts and POST .../acknowledge|resolve: roles, CSRF, 409 and 400 refusals."""
from __future__ import annotations

import secrets
from typing import Any

from alerts import conditions, lifecycle
from alerts.conditions import Condition, Detected
from core.clock import utc_now
from core.db import transaction
from tests.conftest import csrf_header

POLICY = lifecycle.Policy(severity=conditions.severities(""))


def new_alert(db: Any) -> int:
    """A fresh camera alert (its own subject, so tests sharing the app do not collide)."""
    cond = Condition("camera", f"cam-{secrets.token_hex(3)}", title="Hòa Bình")
    with transaction(db.sessions) as session:
        out = lifecycle.evaluate(session, Detected([cond], set()), utc_now(), POLICY)
    return out.opened[0]


def test_list_filters_and_refusals(client_for: Any, db: Any) -> None:
    alert_id = new_alert(db)
    leader = client_for("leader")
    got = leader.get("/api/v1/alerts?state=open&kind=camera")
    assert got.status_code == 200
    row = next(a for a in got.get_json()["alerts"] if a["id"] == alert_id)
    for field in ("id", "key", "kind", "subject", "severity", "state", "opened_at",
                  "acknowledged_by", "acknowledged_at", "resolved_at", "escalated"):
        assert field in row
    assert row["state"] == "open" and row["escalated"] is False
    assert leader.get("/api/v1/alerts?state=closed").status_code == 400
    assert leader.get("/api/v1/alerts?kind=weather").status_code == 400
    assert client_for("display").get("/api/v1/alerts").status_code == 200  # read-only
    assert client_for("anonymous").get("/api/v1/alerts").status_code == 401
    assert client_for("agency").get("/api/v1/alerts").status_code == 403


def test_acknowledge_then_resolve_by_a_leader(client_for: Any, db: Any) -> None:
    from accounts import users

    alert_id = new_alert(db)
    leader = client_for("leader")
    name = users.list_users(db)[-1].name
    users.set_person(db, name, "Nguyễn Thị Lan", "Văn phòng Chính phủ")
    url = f"/api/v1/alerts/{alert_id}/acknowledge"
    assert leader.post(url, json={"comment": "x"}).status_code == 403  # no CSRF header
    got = leader.post(url, json={"comment": "Đang kiểm tra"}, headers=csrf_header(leader))
    assert got.status_code == 200, got.get_data(as_text=True)
    body = got.get_json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"] == name
    assert body["acknowledged_by_label"] == "Nguyễn Thị Lan, Văn phòng Chính phủ"
    again = leader.post(url, json={}, headers=csrf_header(leader))
    assert again.status_code == 409 and "already acknowledged" in again.get_json()["error"]
    done = leader.post(f"/api/v1/alerts/{alert_id}/resolve", json={"comment": "Đã xử lý"},
                       headers=csrf_header(leader))
    assert done.status_code == 200 and done.get_json()["state"] == "resolved"
    late = leader.post(url, json={"comment": "muộn"}, headers=csrf_header(leader))
    assert late.status_code == 409 and "resolved" in late.get_json()["error"]
    history = leader.get(f"/api/v1/alerts/{alert_id}").get_json()["history"]
    assert [h["action"] for h in history] == ["opened", "acknowledged", "resolved"]


def test_bad_comments_are_400(client_for: Any, db: Any) -> None:
    alert_id = new_alert(db)
    staff = client_for("staff")
    url = f"/api/v1/alerts/{alert_id}/acknowledge"
    for body in ({"comment": "x" * 2001}, {"comment": "a\x07b"}, {"comment": 5}, ["x"]):
        got = staff.post(url, json=body, headers=csrf_header(staff))
        assert got.status_code == 400, body
    got = staff.post(url, data="not json", headers={**csrf_header(staff),
                                                    "Content-Type": "application/json"})
    assert got.status_code == 400
    assert staff.post("/api/v1/alerts/999999/resolve", json={},
                      headers=csrf_header(staff)).status_code == 404
    assert staff.post(url, json={"comment": "x" * 2000}, headers=csrf_header(staff)).status_code == 200


def test_displays_and_agencies_cannot_write(client_for: Any, db: Any) -> None:
    alert_id = new_alert(db)
    for role in ("display-bearer", "agency"):
        got = client_for(role).post(f"/api/v1/alerts/{alert_id}/acknowledge", json={})
        assert got.status_code == 403, role

"""/alerts callbacks as functions: the list and counts, the detail's buttons by role and state,
and acting only for people."""
from __future__ import annotations

from typing import Any

import pytest
from flask import g
from werkzeug.exceptions import Forbidden

from alerts import conditions, lifecycle
from alerts.conditions import Condition, Detected
from callbacks import alerts as cb
from core.clock import utc_now
from core.db import current, transaction
from tests.helpers import text_of
from web.access import Principal

POLICY = lifecycle.Policy(severity=conditions.severities(""))


def as_(role: str, kind: str = "user") -> None:
    g.ops_principal = Principal(kind, role, f"{role}-1", 1, "session")


@pytest.fixture
def alert_id(app: Any, ctx: None) -> int:
    with transaction(current().sessions) as session:
        out = lifecycle.evaluate(session, Detected([Condition("camera", "hoa-binh",
                                                              title="Hòa Bình")], {"camera"}),
                                 utc_now(), POLICY)
    return out.opened[0]


def test_list_counts_and_detail(alert_id: int) -> None:
    as_("leader")
    table, counts = cb.update_list(0, 0, "", "camera", "", "", alert_id, "vi")
    assert "Camera mất tín hiệu: Hòa Bình" in text_of(table) and counts.startswith("1 chưa")
    detail, actions, ack = cb.update_detail(0, 0, alert_id, "en")
    assert "Camera down: Hòa Bình" in text_of(detail) and actions == {} and ack == {}
    as_("display", "display")
    _detail, actions, _ack = cb.update_detail(0, 0, alert_id, "vi")
    assert actions == {"display": "none"}  # displays read only


def test_act_for_people_only(app: Any, alert_id: int) -> None:
    as_("display", "display")
    with pytest.raises(Forbidden), app.server.test_request_context():
        g.ops_principal = Principal("display", "display", "wall", 1, "session")
        cb.act(1, 0, alert_id, "x", 0, "vi")
    with app.server.test_request_context():
        g.ops_principal = Principal("user", "staff", "an", 1, "session")
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(cb, "ctx", type("C", (), {"triggered_id": "al-ack"})())
            message, done, comment = cb.act(1, 0, alert_id, "đang xử lý", 0, "vi")
            assert (message, done, comment) == ("Đã tiếp nhận cảnh báo", 1, "")
            message, done, _ = cb.act(2, 0, alert_id, "", 1, "vi")
            assert message.startswith("Không thực hiện được") and done == 2
            message, _done, _ = cb.act(3, 0, alert_id, "a\x1bb", 2, "en")
            assert message.startswith("Comment refused")


def test_wall_alerts_drill_to_their_subject() -> None:
    from pagestate.alerts import subject_href

    cases = {("threshold", "IIP:VN"): "/indicators/IIP",
             ("threshold", "IIP:T34_01"): "/indicators/IIP?region=T34_01",
             ("late", "BCT"): "/reporting?agency=BCT",
             ("camera", "hoa-binh"): "/cameras?cam=hoa-binh",
             ("camera", "relay"): "/cameras",
             ("dam-spill", "son-la"): "/cameras?cam=son-la",
             ("display", "T34_01"): "/displays",
             ("task", "17/NQ-CP#12"): "/tasks?document=17/NQ-CP",
             ("feed", "power"): "/alerts?alert=5"}
    for (kind, subject), href in cases.items():
        assert subject_href({"id": 5, "kind": kind, "subject": subject}) == href, (kind, subject)

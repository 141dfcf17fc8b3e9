"""Display callbacks as plain functions: presenter button and status, /displays, the overview's
lost bridge points, the admin page's actions (audited, admin only)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import g
from werkzeug.exceptions import Forbidden

import callbacks.displays as cb
import callbacks.overview as ov
from accounts import audit
from displays import livestate, registry
from tests.helpers import text_of as text
from web.access import Principal


@contextmanager
def acting(app: Any, role: str, name: str = "anna") -> Iterator[None]:
    with app.server.test_request_context("/_dash-update-component"):
        g.ops_principal = (Principal("display", "display", "display:1", 1, "session")
                           if role == "display" else Principal("user", role, name, 1, "session"))
        yield


def test_present_toggle_takeover_and_status(app: Any) -> None:
    with acting(app, "leader", "anna"):
        assert cb.present_action({"action": "toggle", "path": "/savings", "search": ""})["on"]
        label, cls, takeover, status, flag = cb.present_status(1, {"on": True}, "vi")
        assert label == "Dừng trình chiếu" and "is-on" in cls and flag
        assert "0 màn hình theo dõi" in text(status)
        assert cb.present_publish({"path": "/reporting", "search": ""})["seq"]
        for bad in ({"path": "//evil.example/x"}, {"path": "javascript:alert(1)"},
                    {"path": "/admin/displays"}):
            with pytest.raises(cb.dash.exceptions.PreventUpdate):
                cb.present_publish(bad)  # followers are only ever sent to pages of this site
    with acting(app, "staff", "binh"):
        assert not cb.present_action({"action": "toggle", "path": "/", "search": ""})["on"]
        label, _, takeover, status, flag = cb.present_status(1, None, "en")
        assert status == "anna is presenting" and takeover == {} and not flag
        assert cb.present_action({"action": "takeover", "path": "/", "search": ""})["on"]
    with acting(app, "leader", "anna"):
        _, _, _, status, flag = cb.present_status(2, {"on": True}, "en")
        assert status == "binh took over presenting" and not flag  # the first one sees it
        assert cb.present_publish({"path": "/", "search": ""})["seq"] is None
    with acting(app, "staff", "binh"):
        assert not cb.present_action({"action": "toggle", "path": "/", "search": ""})["on"]
        assert app.server.extensions["ops_live"].presenter() is None
    with acting(app, "display"), pytest.raises(Forbidden):
        cb.present_action({"action": "toggle", "path": "/", "search": ""})


def test_followers_and_laggards_shown_to_the_presenter(app: Any) -> None:
    database = app.server.extensions["ops_db"]
    live = app.server.extensions["ops_live"]
    for name in ("Wall", "BP1"):
        registry.create(database, name, mode="follow")
    with acting(app, "staff", "anna"):
        cb.present_action({"action": "toggle", "path": "/", "search": ""})
        seq = live.presenter()["seq"]
        now = time.time()
        live.display_beat("Wall", {"seen": now, "ack": seq, "ack_at": now})
        live.display_beat("BP1", {"seen": now, "ack": seq - 1, "ack_at": now})
        record = live.presenter()
        record["changed_at"] -= 5  # the change is 5 s old: BP1 lags
        live.backend.swap(livestate.PRESENTER, live.backend.get(livestate.PRESENTER),
                          json.dumps(record), 15)
        _, _, _, status, _ = cb.present_status(1, {"on": True}, "en")
        assert "2 displays following" in text(status) and "lagging: BP1" in text(status)


def test_status_page_and_overview_alert_for_lost_bridge_points(app: Any, monkeypatch) -> None:
    database = app.server.extensions["ops_db"]
    live = app.server.extensions["ops_live"]
    registry.create(database, "Hue", place="BP05")
    live.display_beat("Hue", {"seen": time.time() - 60, "showing": "/savings"})
    with acting(app, "leader"):
        title, counts, table = cb.update_status(1, "en")
        assert title == "Displays and bridge points" and "1 lost" in counts
        assert "Lost since" in text(table) and "/savings" in text(table)
        strip = ov.update_cameras(0, "vi")
        assert "Điểm cầu mất kết nối (1)" in text(strip) and "Bộ Tư pháp" in text(strip)
    with acting(app, "display"):
        assert cb.update_status(1, "vi")[0] == "Trang này dành cho cán bộ Trung tâm"


def _admin_call(trigger: str, **values: Any) -> tuple:
    args = dict.fromkeys(("new_name", "new_place", "new_mode", "new_playlist", "new_page", "name",
                          "place", "mode", "playlist", "page", "pl_name", "pl_text"))
    args.update(values)
    return cb.admin_do(trigger, **args, lang="en")


def test_admin_actions_are_audited_and_admin_only(app: Any) -> None:
    database = app.server.extensions["ops_db"]
    with acting(app, "admin", "root"):
        created, _, _, refresh = _admin_call("adm-create", new_name="BN", new_place="BP10",
                                             new_mode="follow")
        assert "/display/opsd_" in text(created) and refresh
        bad, _, _, refresh = _admin_call("adm-create", new_name="X", new_place="BP99")
        assert "place: 'BP99'" in text(bad) and refresh is cb.dash.no_update
        _, changed, _, _ = _admin_call("adm-apply", name="BN", place="BP10", mode="page",
                                       page="/savings")
        assert changed == "BN updated" and registry.get(database, "BN").page == "/savings"
        _, _, saved, _ = _admin_call("adm-pl-save", pl_name="short", pl_text="/ 5\n/savings 6")
        assert "short saved" in saved
        _, _, err, _ = _admin_call("adm-pl-save", pl_name="short", pl_text="/ 5\n/savings x")
        assert "line 2, seconds" in text(err)
        _, revoked, _, _ = _admin_call("adm-revoke", name="BN")
        assert revoked == "BN revoked" and not registry.get(database, "BN").active
    details = [e.detail for e in audit.recent(database, kind="admin") if e.actor == "root"]
    assert any(d.startswith("display create BN") for d in details)
    assert any(d.startswith("display set BN") for d in details)
    assert any(d.startswith("playlist save short") for d in details)
    assert any(d.startswith("display revoke BN") for d in details)
    for role in ("staff", "leader", "display"):
        with acting(app, role), pytest.raises(Forbidden):
            _admin_call("adm-create", new_name="Y")


def test_the_lost_bridge_group_does_not_read_the_registry_each_second(app: Any) -> None:
    """The wall's live row is computed every second for everyone: its lost-bridge group reads
    the heartbeats each time, the registry at most every LOST_GROUP_REGISTRY_AGE (not the 1 s a
    screen following its own mode needs)."""
    from sqlalchemy import event

    from displays import status

    database = app.server.extensions["ops_db"]
    registry.create(database, "Vinh", place="BP07")
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "display" in statement:
            reads.append(statement)

    with acting(app, "display"):
        cb.lost_alert("vi")  # the registry as created
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            until = time.monotonic() + registry.SNAPSHOT_SECONDS * 2.5
            calls = 0
            while time.monotonic() < until:
                cb.lost_alert("vi")
                calls += 1
                time.sleep(0.05)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
    assert status.LOST_GROUP_REGISTRY_AGE > registry.SNAPSHOT_SECONDS * 2.5
    assert calls > 20 and reads == []

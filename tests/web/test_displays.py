"""Displays over HTTP: the screens' live poll (no database query), revocation, status API,
the presenter's live state in memory and across workers through a real Redis."""
from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from core.db import Database
from displays import livestate, registry
from settings import from_env
from tests.apps import build_app
from tests.conftest import login
from tests.helpers import wait_for
from web.displays import FOLLOW_POLL_MS, IDLE_POLL_MS


def _app(tmp_path, **overrides: Any) -> Any:
    settings = from_env({}, data_dir=tmp_path / "var", simulate=False, cameras=False,
                        seed_years=1, **overrides)
    return build_app(settings)


def _display_client(app: Any, name: str, **kwargs: Any) -> tuple[Any, registry.DisplayView]:
    database = app.server.extensions["ops_db"]
    view, secret = registry.create(database, name, **kwargs)
    client = app.server.test_client()
    assert client.get(f"/display/{secret}").status_code == 303
    return client, view


def test_live_poll_is_memory_only_and_follows_registry_changes(tmp_path) -> None:
    app = _app(tmp_path)
    database: Database = app.server.extensions["ops_db"]
    client, view = _display_client(app, "Wall", place="wall", mode="playlist")
    first = client.get("/displays/live?showing=/&w=1920&h=1080&v=0.1.0").get_json()
    assert first["kind"] == "display" and first["mode"] == "playlist"
    assert first["playlist"]["name"] == "default" and first["presenter"] is None
    assert first["poll"] == IDLE_POLL_MS == 1000

    before = database.query_count
    for _ in range(50):
        assert client.get("/displays/live?showing=/savings").status_code == 200
    assert database.query_count == before  # 50 polls inside one snapshot period: no query
    time.sleep(registry.SNAPSHOT_SECONDS + 0.1)  # the next period (a timer, not a condition)
    before = database.query_count
    for _ in range(20):
        client.get("/displays/live?showing=/savings")
    assert database.query_count == before + 1  # the registry unchanged: one stamp query

    # A change made by another process (the CLI): the snapshot picks it up within 2 s.
    other = Database(database.url)
    registry.update(other, "Wall", mode="follow")
    wait_for(lambda: client.get("/displays/live").get_json()["mode"] == "follow",
             registry.SNAPSHOT_SECONDS + 2, "the mode change at the screen", interval=0.1)
    assert client.get("/displays/live").get_json()["poll"] == FOLLOW_POLL_MS

    registry.revoke(other, "Wall")
    wait_for(lambda: client.get("/displays/live").get_json().get("revoked"),
             registry.SNAPSHOT_SECONDS + 2, "the revocation at the screen", interval=0.1)
    # The session is gone: the pages now need a new link.
    assert client.get("/displays").status_code == 302
    page = client.get("/display/revoked")
    assert page.status_code == 200 and "thu hồi" in page.get_data(as_text=True)
    other.dispose()


def test_status_api_connected_never_and_lost(tmp_path, monkeypatch) -> None:
    app = _app(tmp_path)
    screen, _ = _display_client(app, "Hue", place="BP05", mode="follow")
    screen.get("/displays/live?showing=/savings&w=1920&h=1080&v=0.1.0&err=")
    staff = app.server.test_client()
    login(staff, "staff")
    body = staff.get("/api/v1/displays").get_json()
    rows = {r["place"]: r for r in body["displays"]}
    assert len(body["displays"]) == 58
    hue = rows["BP05"]
    assert {"name", "place", "mode", "connected", "last_seen", "showing"} <= set(hue)
    assert hue["name"] == "Hue" and hue["connected"] and hue["showing"] == "/savings"
    assert hue["screen"] == "1920x1080" and hue["mode"] == "follow"
    assert rows["BP01"]["state"] == "never" and not rows["BP01"]["connected"]
    assert body["counts"] == {"connected": 1, "lost": 0, "never": 57}

    # No heartbeat for longer than LOST_AFTER: lost, with since when.
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 30)
    hue = {r["place"]: r for r in staff.get("/api/v1/displays").get_json()["displays"]}["BP05"]
    assert hue["state"] == "lost" and hue["lost_since"] == hue["last_seen"]

    assert screen.get("/api/v1/displays").status_code == 403  # displays do not list displays
    assert app.server.test_client().get("/api/v1/displays").status_code == 401


def _presenter_checks(live: livestate.LiveState) -> None:
    ok, rec = live.start("anna", "anna", "/savings", "")
    assert ok and live.presenter()["name"] == "anna"
    refused, current = live.start("binh", "binh", "/", "")
    assert not refused and current["user"] == "anna"  # one presenter at a time
    seq = live.publish("anna", "/indicators/GDP_GROWTH", "?region=01")["seq"]
    assert seq > rec["seq"]
    assert live.publish("anna", "/indicators/GDP_GROWTH", "?region=01")["seq"] == seq  # no change
    assert live.publish("binh", "/", "") is None  # not the presenter
    ok, rec = live.start("binh", "binh", "/", "", takeover=True)
    assert ok and rec["took_from"] == "anna" and live.presenter()["user"] == "binh"
    assert live.beat("anna") is None
    assert not live.stop("anna") and live.stop("binh") and live.presenter() is None


def test_presenter_rules_in_memory(monkeypatch) -> None:
    live = livestate.LiveState(livestate.MemoryBackend())
    _presenter_checks(live)
    live.start("anna", "anna", "/", "")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + livestate.PRESENTER_TIMEOUT + 1)
    assert live.presenter() is None  # silent for 15 s: gone


def test_presenter_rules_in_redis(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    _presenter_checks(livestate.LiveState(livestate.RedisBackend(redis_url)))


def test_redis_down_falls_back_to_memory_quickly() -> None:
    live = livestate.LiveState(livestate.RedisBackend("redis://127.0.0.1:9/0"))
    started = time.monotonic()
    ok, _ = live.start("anna", "anna", "/", "")
    assert ok and live.presenter()["user"] == "anna"
    assert time.monotonic() - started < 2


def test_two_workers_share_presenter_and_heartbeats_through_redis(tmp_path, redis_url) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    db_url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    worker_a = _app(tmp_path / "a", cache_type="RedisCache", redis_url=redis_url,
                    database_url=db_url, secret_key="k" * 40)
    worker_b = _app(tmp_path / "b", cache_type="RedisCache", redis_url=redis_url,
                    database_url=db_url, secret_key="k" * 40)
    screen, _ = _display_client(worker_b, "Wall", place="wall", mode="follow")
    live_a = worker_a.server.extensions["ops_live"]
    assert isinstance(live_a.backend, livestate.RedisBackend)
    assert live_a is not worker_b.server.extensions["ops_live"]  # as in two processes
    live_a.start("anna", "anna", "/indicators/GDP_GROWTH", "?region=01")
    answer = screen.get("/displays/live?showing=/&ack=0").get_json()
    assert answer["presenter"]["path"] == "/indicators/GDP_GROWTH"
    assert answer["presenter"]["search"] == "?region=01"
    assert "Wall" in live_a.display_beats()


def test_presenter_is_refused_to_displays_and_stops_on_logout(tmp_path) -> None:
    app = _app(tmp_path)
    staff = app.server.test_client()
    name = login(staff, "staff")
    live = app.server.extensions["ops_live"]
    live.start(name, name, "/", "")
    csrf = staff.get_cookie("_csrf_token").value
    assert staff.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert live.presenter() is None


def test_display_sessions_cannot_present(tmp_path) -> None:
    from callbacks.displays import present_action

    app = _app(tmp_path)
    with app.server.test_request_context("/_dash-update-component"):
        from flask import g

        from web.access import Principal

        g.ops_principal = Principal("display", "display", "display:1", 1, "session")
        with pytest.raises(Exception) as info:
            present_action({"action": "toggle", "path": "/", "search": ""})
        assert getattr(info.value, "code", None) == 403


def test_follow_answer_names_the_presenter_vietnamese_first() -> None:
    """The bridge points' banner: 'Đang trình chiếu: Full Name, Unit' (English on the switch),
    and where the presenter's screen starts in the page."""
    from datetime import datetime

    from displays.registry import DisplayView, Snapshot
    from web.displays import display_answer

    moment = datetime(2026, 12, 6)
    view = DisplayView(id=1, name="BP01", place="T34_01", mode="follow", playlist="", page="",
                       token_id=1, created_at=moment, updated_at=moment, revoked_at=None)
    snapshot = Snapshot()
    answer = display_answer(view, snapshot, {"name": "Nguyễn Văn An, Văn phòng Chính phủ",
                                             "seq": 3, "path": "/", "search": "", "scroll": 0.4})
    presenter = answer["presenter"]
    assert presenter["banner"] == {"vi": "Đang trình chiếu: Nguyễn Văn An, Văn phòng Chính phủ",
                                   "en": "Presenting: Nguyễn Văn An, Văn phòng Chính phủ"}
    assert presenter["scroll"] == 0.4

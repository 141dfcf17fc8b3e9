"""Camera wall callbacks as plain functions, against a real relay on simulated cameras."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from dash import no_update
from flask import Flask

from callbacks import cameras as cb
from layouts import cameras as lay
from settings import from_env
from streams.simulator import Simulator
from tests.streams.conftest import Stack, camera, camera_set, wait_for

pytestmark = pytest.mark.timeout(60)
IDS = ["hoa-binh", "son-la", "lai-chau", "tri-an", "yaly"]
SECRET = "pw-9a7"


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    simulator = Simulator([(c, c.title(), False) for c in IDS], fps=10.0).start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def stack(sim: Simulator) -> Iterator[Stack]:
    cams = [camera(c, f"sim://{c}", dam=c.upper().replace("-", "_")) for c in IDS]
    cams.append(camera("bad-404", f"http://admin:{SECRET}@127.0.0.1:{sim.port}/bad/404.mjpg"))
    st = Stack(sim, camera_set(cams))
    st.wait_states({c: "LIVE" for c in IDS}, timeout=15)
    st.wait_states({"bad-404": "OFFLINE"}, timeout=15)
    yield st
    assert st.close() == []


@pytest.fixture
def app(stack: Stack) -> Iterator[Flask]:
    """A dashboard server with the in-process relay, as create_app stores it."""
    server = Flask("dash-test")
    server.config["OPS_SETTINGS"] = from_env({}, cameras=True, simulate=True)
    server.extensions["ops_streams"] = stack.service
    with server.app_context():
        yield server


def text_of(component: object) -> str:
    """All text in a component tree (as JSON), for assertions on what the wall shows."""
    return json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def test_status_is_cached_public_and_complete(app: Flask) -> None:
    rows = cb.relay_status()
    assert rows is not None and [r["id"] for r in rows] == [*IDS, "bad-404"]
    assert cb.relay_status() is rows  # the 1 s cache: many walls, one read
    blob = json.dumps(rows)
    for leak in (SECRET, "admin", "sim://", "http://", "source"):
        assert leak not in blob


def test_wall_tiles_counts_and_map(app: Flask, stack: Stack) -> None:
    out = cb.update_wall(1, "vi", "", None)
    title, counts, overlay, _down_title, down, _map_title, _note, figure, sig = out
    assert "Camera thủy điện" in title and "6" in title
    assert len(overlay) == 6
    assert [tile.id for tile in overlay] == [f"cam-tile-{c}" for c in [*IDS, "bad-404"]]
    assert overlay[0].href == "/cameras?cam=hoa-binh"
    bad = text_of(overlay[-1])
    assert "Mất tín hiệu" in bad and "cam-offline" in overlay[-1].className
    assert "Mất tín hiệu" not in text_of(overlay[0])
    counted = {c.id: c.children[0].children for c in counts}
    assert counted == {"cam-count-live": "5", "cam-count-stale": "0", "cam-count-offline": "1"}
    assert "bad-404" in text_of(down) or "Bad-404" in text_of(down)
    states = {trace.name.split(" (")[0]: len(trace.lon) for trace in figure.data
              if trace.type == "scattergeo" and trace.showlegend}
    assert states == {"Trực tuyến": 5, "Mất tín hiệu": 1}
    # Dams over the 34 shipped province shapes; no base layer, no tiles: nothing external.
    assert len(figure.data[0].locations) == 34 and figure.layout.geo.visible is False
    assert not any(trace.type.endswith(("mapbox", "map")) for trace in figure.data)
    # Same states next tick: the map is not redrawn.
    assert cb.update_wall(2, "vi", "", sig)[7] is no_update
    # English, and kiosk links keep the flag.
    out_en = cb.update_wall(3, "en", "?kiosk=1", sig)
    assert "Dam cameras" in out_en[0] and "Offline" in text_of(out_en[2][-1])
    assert out_en[2][0].href == "/cameras?cam=hoa-binh&kiosk=1"
    assert out_en[7] is not no_update


def test_stopped_camera_shows_offline_with_since(app: Flask, stack: Stack) -> None:
    stack.sim.stop_camera("tri-an")
    try:
        stack.wait_states({"tri-an": "OFFLINE"}, timeout=5)
        wait_for(lambda: any(r["id"] == "tri-an" and r["state"] == "OFFLINE"
                             for r in cb.relay_status(max_age=0) or []), 5, "cached status to follow")
        down = {d["id"]: d for d in cb.cameras_down()}
        assert set(down) == {"tri-an", "bad-404"}
        assert down["tri-an"]["state"] == "OFFLINE" and down["tri-an"]["since"]
        assert down["bad-404"]["since"] is None  # never sent a frame
        overlay = cb.update_wall(1, "vi", "", None)[2]
        tile = text_of(overlay[IDS.index("tri-an")])
        assert "Mất tín hiệu" in tile and "từ " + cb.vn_time(down["tri-an"]["since"]) in tile
    finally:
        stack.sim.start_camera("tri-an")
    stack.wait_states({"tri-an": "LIVE"}, timeout=10)


def test_focus_facts_and_state(app: Flask) -> None:
    title, badge, flag, facts, back = cb.update_focus(1, "vi", "hoa-binh")
    assert title == "Thủy điện Hoa-Binh"
    assert "Trực tuyến" in text_of(badge) and flag is None
    blob = text_of(facts)
    # dams.csv: Hòa Bình was in Hòa Bình province, merged into Phú Thọ from 1 July 2025.
    for expected in ("Phú Thọ", "Tỉnh (từ 01/07/2025)", "Điểm camera trình diễn", "100 MW", "21,0000° N"):
        assert expected in blob, expected
    assert back == "← Tất cả camera"
    _, badge, flag, facts, _ = cb.update_focus(1, "en", "bad-404")
    assert "Offline" in text_of(badge) and "Offline" in text_of(flag)
    assert "Last error" in text_of(facts) and SECRET not in text_of(facts)


def test_layouts_use_ids_only(app: Flask) -> None:
    wall = text_of(lay.layout())
    assert "/streams/mosaic.mjpg" in wall and "cam-overlay" in wall
    assert "repeat(4, 1fr)" in wall  # the overlay grid has the mosaic's columns (4 in this relay)
    focus = text_of(lay.layout(cam="son-la", kiosk="1"))
    assert "/streams/son-la.mjpg" in focus and "/cameras?kiosk=1" in focus
    assert "cam.unknown" in text_of(lay.layout(cam="nope"))
    for blob in (wall, focus):
        assert "sim://" not in blob and "127.0.0.1" not in blob and SECRET not in blob


def test_overview_strip(app: Flask) -> None:
    first = cb.update_strip(0, "vi")
    blob = text_of(first)
    assert "5/6 trực tuyến" in blob and "1 mất tín hiệu" in blob
    shots = first[1].children
    assert len(shots) == min(lay.STRIP_SIZE, 5)  # live cameras only
    srcs = [s.children[0].src for s in shots]
    assert all(src.startswith("/streams/") and "w=320" in src for src in srcs)
    assert not any("bad-404" in src for src in srcs)  # only live cameras: no 503 images
    assert [s.children[0].src for s in cb.update_strip(1, "vi")[1].children] != srcs  # rotates


def test_relay_unavailable_and_disabled() -> None:
    server = Flask("no-relay")
    server.config["OPS_SETTINGS"] = from_env({}, cameras=True, relay_url="http://127.0.0.1:9")
    with server.app_context():
        # Relay down: every camera of the camera file (the bundled 32) OFFLINE, with the reason.
        rows = cb.relay_status()
        assert rows is not None and len(rows) == 32
        assert all(r["state"] == "OFFLINE" and r["last_error"] == "camera relay unavailable" for r in rows)
        assert len(cb.cameras_down()) == 32
        out = cb.update_wall(1, "vi", "", None)
        assert len(out[2]) == 32 and "Chưa kết nối được máy chủ camera" in text_of(out[4])
        assert "MẤT TÍN HIỆU" in text_of(out[2]).upper()
        assert "Chưa kết nối" in text_of(cb.update_strip(0, "vi"))
    off = Flask("off")
    off.config["OPS_SETTINGS"] = from_env({}, cameras=False)
    with off.app_context():
        assert cb.camera_config()["enabled"] is False
        assert "cam.disabled" in text_of(lay.layout())
        assert "Chức năng camera đang tắt" in text_of(cb.update_message("vi", "cam.disabled"))


def test_external_relay_over_http(stack: Stack) -> None:
    server = Flask("proxy")
    server.config["OPS_SETTINGS"] = from_env({}, cameras=True, relay_url=stack.url)
    with server.app_context():
        rows = cb.relay_status()
        assert rows is not None and len(rows) == 6
        assert cb.camera_config()["cameras"][0]["id"] == "hoa-binh"


def test_relay_down_then_back(stack: Stack, tmp_path) -> None:
    """An external relay that stops: all its cameras OFFLINE (the layout from the camera file), then LIVE."""
    import yaml

    from streams.routes import make_blueprint
    from streams.server import BackgroundServer

    cams = [camera(c, f"sim://{c}", dam=c.upper().replace("-", "_")) for c in IDS]
    (tmp_path / "cams.yaml").write_text(yaml.safe_dump({"cameras": cams}), encoding="utf-8")
    relay_app = Flask("relay-again")
    relay_app.register_blueprint(make_blueprint(stack.service))
    relay = BackgroundServer(relay_app).start()
    port = relay.port
    server = Flask("dash-relay-down")
    server.config["OPS_SETTINGS"] = from_env({}, cameras=True, relay_url=relay.url,
                                             cameras_file=str(tmp_path / "cams.yaml"))
    with server.app_context():
        assert {r["id"]: r["state"] for r in cb.relay_status(max_age=0)}["son-la"] == "LIVE"
        relay.stop()
        rows = cb.relay_status(max_age=0)
        assert [r["id"] for r in rows] == IDS and {r["state"] for r in rows} == {"OFFLINE"}
        wall = cb.update_wall(1, "en", "", None)
        assert len(wall[2]) == len(IDS) and "Camera relay unavailable" in text_of(wall[4])
        assert [c["id"] for c in cb.camera_config()["cameras"]] == IDS  # the wall keeps its grid
        relay = BackgroundServer(relay_app, port=port).start()  # the relay comes back
        try:
            rows = wait_for(lambda: (r := cb.relay_status(max_age=0)) and not cb.relay_down(r) and r, 10,
                            "the relay's own status again")
            assert {r["id"]: r["state"] for r in rows}["son-la"] == "LIVE"
            assert "Camera relay unavailable" not in text_of(cb.update_wall(2, "en", "", None)[4])
        finally:
            relay.stop()


def test_down_since_carries_the_date_when_not_today() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    today = cb.since_text({"last_frame_at": now.isoformat()}, "vi")
    assert today.startswith("từ ") and "/" not in today
    earlier = now - timedelta(days=2)
    shown = cb.since_text({"last_frame_at": earlier.isoformat()}, "vi")
    assert (earlier + timedelta(hours=7)).strftime("%d/%m") in shown
    assert cb.since_text({"last_frame_at": None}, "vi") == ""


def test_river_is_named_in_the_screen_language() -> None:
    row = {"id": "hoa-binh", "dam": "HOA_BINH", "river": "Đà (Black River)"}
    vi = text_of(cb.facts_children(row, "hoa-binh", "vi"))
    assert "sông Đà" in vi and "Black River" not in vi
    en = text_of(cb.facts_children(row, "hoa-binh", "en"))
    assert "Da (Black River)" in en and "sông" not in en
    # A camera whose dam is not in dams.csv shows the river its configuration names.
    assert "Sông Nhỏ" in text_of(cb.facts_children({"id": "x", "river": "Sông Nhỏ"}, "x", "vi"))


def test_every_shipped_dam_names_its_river_in_both_languages() -> None:
    facts = cb.dam_facts()
    assert len(facts) == 40
    for dam in facts.values():
        assert dam["river_vi"].startswith(("sông ", "suối ", "thượng nguồn sông ")), dam["id"]
        assert dam["river_en"] and dam["river_en"].isascii(), dam["id"]

"""Clean shutdown and the init_app modes (disabled, proxy to an external relay, in-process)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
import yaml
from flask import Flask

from settings import from_env
from streams import init_app
from streams.simulator import Simulator

from .conftest import FAST_RELAY, Stack, camera, camera_set, wait_for

pytestmark = pytest.mark.timeout(60)


def relay_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("relay-cam-")]


def test_clean_shutdown_joins_threads_and_releases_captures(sim: Simulator) -> None:
    cams = [camera("dam-0", "sim://dam-0"), camera("dam-h264", "sim://dam-h264?codec=h264"),
            camera("bad-hang", f"http://127.0.0.1:{sim.port}/bad/hang.mjpg")]
    stack = Stack(sim, camera_set(cams))
    stack.wait_states({"dam-0": "LIVE", "dam-h264": "LIVE"}, timeout=15)
    viewer = requests.get(f"{stack.url}/streams/dam-0.mjpg", stream=True, timeout=5)
    next(viewer.iter_content(1024))
    readers = list(stack.service.capture.readers.values())
    started = time.monotonic()
    assert stack.close() == []
    # A hung source is bounded by its read timeout (1 s here), not by the 30 s OpenCV default.
    assert time.monotonic() - started < 5
    viewer.close()
    assert not any(r.alive for r in readers)
    assert all(r.opened == r.released for r in readers), [(r.opened, r.released) for r in readers]
    assert not relay_threads()


def test_init_app_disabled() -> None:
    server = Flask("t")
    assert init_app(server, from_env({}, cameras=False)) is None
    resp = server.test_client().get("/streams/status")
    assert resp.status_code == 503


def test_init_app_in_process_and_proxy(tmp_path: Path) -> None:
    cams_file = tmp_path / "cams.yaml"
    cams_file.write_text(yaml.safe_dump({"relay": FAST_RELAY, "cameras": [
        camera("hoa-binh", "sim://hoa-binh"), camera("son-la", "sim://son-la")]}), encoding="utf-8")
    relay_app = Flask("relay")
    service = init_app(relay_app, from_env({}, cameras_file=str(cams_file), simulate=True))
    assert service is not None and service.simulator is not None
    from streams.server import BackgroundServer

    relay_server = BackgroundServer(relay_app).start()
    try:
        wait_for(lambda: all(s["state"] == "LIVE" for s in
                             requests.get(f"{relay_server.url}/streams/status", timeout=5).json()),
                 15, "cameras LIVE")
        # A second app (a dashboard worker) proxies to that relay: no cameras opened here.
        dash_app = Flask("dash")
        assert init_app(dash_app, from_env({}, relay_url=relay_server.url)) is None
        client = dash_app.test_client()
        status = client.get("/streams/status")
        assert status.status_code == 200 and [s["id"] for s in status.get_json()] == ["hoa-binh", "son-la"]
        snap = client.get("/streams/son-la.jpg?w=320")
        assert snap.status_code == 200 and snap.data.startswith(b"\xff\xd8")
        assert client.get("/streams/../../etc/passwd").status_code == 404
        assert client.get("/streams/nope.jpg").status_code == 404
        # Live video never goes through a web worker: the relay serves it itself.
        for live in ("/streams/son-la.mjpg", "/streams/mosaic.mjpg"):
            refused = client.get(live)
            assert refused.status_code == 404 and "relay" in refused.get_json()["error"]
        assert service.relay.viewer_count() == 0
        assert service.simulator.stats()["son-la"]["total"] == 1
    finally:
        relay_server.stop()
        assert service.stop() == []


TOKEN = "relay-token-" + "x" * 32


def test_standalone_relay_requires_its_token_and_the_dashboard_sends_it(sim: Simulator) -> None:
    from callbacks import cameras as cb
    from streams.routes import make_blueprint
    from streams.server import BackgroundServer
    from streams.service import StreamService

    service = StreamService(camera_set([camera("dam-0", "sim://dam-0")]), simulate=False,
                            sim_base=sim.base_url).start()
    relay_app = Flask("relay")
    relay_app.register_blueprint(make_blueprint(service, TOKEN))
    server = BackgroundServer(relay_app).start()
    try:
        url = f"{server.url}/streams/status"
        refused = requests.get(url, timeout=5)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=5).status_code == 401
        assert requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).status_code == 200
        # The dashboard proxies with the shared token; its status poll sends it too.
        settings = from_env({}, relay_url=server.url, relay_token=TOKEN)
        dash_app = Flask("dash")
        dash_app.config["OPS_SETTINGS"] = settings
        init_app(dash_app, settings)
        assert dash_app.test_client().get("/streams/status").status_code == 200
        with dash_app.app_context():
            assert [r["id"] for r in cb.relay_status() or []] == ["dam-0"]
        # A wrong token is the operator's mistake, not the user's: 502, never a login prompt (401).
        wrong = Flask("wrong")
        init_app(wrong, from_env({}, relay_url=server.url, relay_token="y" * 40))
        resp = wrong.test_client().get("/streams/status")
        assert resp.status_code == 502 and "OPS_RELAY_TOKEN" in resp.get_json()["error"]
    finally:
        server.stop()
        assert service.stop() == []


def test_relay_refuses_an_open_address_without_a_token(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from cli.streams import main

    monkeypatch.delenv("OPS_RELAY_TOKEN", raising=False)
    assert main(["relay", "--host", "0.0.0.0", "--port", "0", "--no-simulate"]) == 2
    assert "without OPS_RELAY_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("OPS_RELAY_TOKEN", "short")
    assert main(["relay", "--host", "0.0.0.0", "--port", "0", "--no-simulate"]) == 2
    assert "at least 32 characters" in capsys.readouterr().err


def test_loopback_addresses() -> None:
    from cli.streams import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3") and not is_loopback("relay.example")

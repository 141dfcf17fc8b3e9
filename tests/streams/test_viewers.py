"""Video viewers against the real app served by real waitress: pages never starve, every slot comes back.

The app (auth, guard, in-process relay) runs under waitress with 4 threads, as `python app.py`
runs it with more; viewers are raw loopback sockets so each test controls exactly how a viewer
reads, stalls or leaves.
"""
from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import update

from accounts import tokens, users
from accounts.models import DisplayToken
from settings import from_env
from streams import signing
from streams.simulator import Simulator
from tests.apps import build_app
from tests.servers import WaitressThread

from .conftest import FAST_RELAY, camera, wait_for

pytestmark = [pytest.mark.timeout(120), pytest.mark.serial]  # frame rates with many viewers
THREADS = 4  # waitress threads: far fewer than the viewers below
CAMS = ["dam-0", "dam-1", "dam-2"]
MAX_VIEWERS = 40
TOKEN = "relay-token-" + "v" * 32
PASSWORD = "correct horse battery"


class Served:
    """The app under waitress on a loopback port, and what tests need to reach inside it."""

    def __init__(self, app: Any, server: Any) -> None:
        self.app, self.server = app, server
        self.port = server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.service = app.server.extensions["ops_streams"]
        self.relay = self.service.relay
        self.db = app.server.extensions["ops_db"]


@pytest.fixture(scope="module")
def mjpeg_sim() -> Iterator[Simulator]:
    simulator = Simulator([(c, c.title(), False) for c in CAMS], fps=10.0).start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, mjpeg_sim: Simulator,
           _cheap_password_hashing: None) -> Iterator[Served]:
    tmp: Path = tmp_path_factory.mktemp("viewers")
    cams = [camera(c, f"http://127.0.0.1:{mjpeg_sim.port}/cam/{c}.mjpg") for c in CAMS]
    (tmp / "cams.yaml").write_text(yaml.safe_dump(
        {"relay": {**FAST_RELAY, "max_viewers": MAX_VIEWERS}, "cameras": cams}), encoding="utf-8")
    settings = from_env({}, data_dir=tmp / "var", simulate=False, cameras=True, seed_years=1,
                        cameras_file=str(tmp / "cams.yaml"), relay_token=TOKEN)
    app = build_app(settings, background=True)
    server = WaitressThread(app.server, threads=THREADS, ident="test")
    live = Served(app, server)
    users.add(live.db, "viewer-staff", "staff", PASSWORD)
    wait_for(lambda: all(s["state"] == "LIVE" for s in live.service.status()), 20, "cameras LIVE")
    yield live
    server.shutdown()
    live.service.stop()
    live.db.dispose()


def signed_in(served: Served) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{served.url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = session.post(f"{served.url}/login", data={"csrf_token": csrf, "username": "viewer-staff",
                                                     "password": PASSWORD}, allow_redirects=False, timeout=10)
    assert resp.status_code == 303, resp.text[:200]
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def open_viewer(served: Served, path: str, cookies: str = "", rcvbuf: int | None = None,
                read_head: bool = True) -> socket.socket:
    """A raw viewer: sends the request; with read_head, waits for the response head and first part."""
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", served.port))
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (f"Cookie: {cookies}\r\n" if cookies else "")
    sock.sendall((head + "\r\n").encode())
    if read_head:
        got = b""
        while b"\xff\xd9" not in got:  # the end of the first JPEG
            chunk = sock.recv(65536)
            assert chunk, got[:200]
            got += chunk
        assert got.startswith(b"HTTP/1.1 200"), got[:200]
    return sock


def reset(sock: socket.socket) -> None:
    """Leave abruptly: RST instead of FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def ended(sock: socket.socket, timeout: float) -> bool:
    """True once the server closes the stream (EOF or reset) within `timeout` seconds."""
    sock.settimeout(0.5)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if not sock.recv(1 << 20):
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def timed_get(url: str, **kwargs: Any) -> float:
    started = time.perf_counter()
    resp = requests.get(url, timeout=5, **kwargs)
    assert resp.status_code == 200, (url, resp.status_code)
    return time.perf_counter() - started


def test_pages_keep_answering_with_many_more_viewers_than_threads(served: Served) -> None:
    cookies = cookie_header(signed_in(served))
    paths = [f"/streams/{CAMS[i % 3]}.mjpg" + ("?w=320" if i % 4 == 0 else "") for i in range(14)]
    paths += ["/streams/mosaic.mjpg"] * 2
    viewers = [open_viewer(served, p, cookies) for p in paths]
    try:
        assert served.relay.viewer_count() == len(viewers)
        # With every waitress thread held by a viewer (the old way) these would time out.
        for _ in range(3):
            assert timed_get(f"{served.url}/healthz") < 5
            assert timed_get(f"{served.url}/login") < 5
        # ... and the viewers still get frames, from the hub's one thread.
        for sock in viewers:
            got = b""
            while got.count(b"--opsframe") < 2:
                got += sock.recv(1 << 20)
        hub_threads = [t.name for t in threading.enumerate() if t.name == "relay-hub"]
        assert hub_threads == ["relay-hub"]
    finally:
        for sock in viewers:
            sock.close()
    wait_for(lambda: served.relay.viewer_count() == 0, 5, "every slot back")


def test_head_holds_no_viewer_slot(served: Served) -> None:
    session = signed_in(served)
    for _ in range(MAX_VIEWERS + 10):
        resp = session.head(f"{served.url}/streams/dam-0.mjpg", timeout=5)
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("multipart/x-mixed-replace")
    assert served.relay.viewer_count() == 0
    sock = open_viewer(served, "/streams/dam-0.mjpg", cookie_header(session))  # not 503
    sock.close()
    wait_for(lambda: served.relay.viewer_count() == 0, 5, "slot back")


def test_viewer_reset_mid_frame_gives_its_slot_back(served: Served) -> None:
    cookies = cookie_header(signed_in(served))
    socks = [open_viewer(served, p, cookies, read_head=False)
             for p in ("/streams/dam-1.mjpg", "/streams/dam-1.mjpg?w=320", "/streams/mosaic.mjpg")]
    wait_for(lambda: served.relay.viewer_count() == 3, 5, "three viewers")
    for sock in socks:
        sock.recv(100)  # the middle of the head or of the first frame
        reset(sock)
    wait_for(lambda: served.relay.viewer_count() == 0, 5, "slots back after resets")


def test_viewer_that_never_reads_is_dropped(served: Served) -> None:
    hub = served.relay.hub
    saved, hub.write_timeout = hub.write_timeout, 1.5
    try:
        sock = open_viewer(served, "/streams/dam-2.mjpg", cookie_header(signed_in(served)),
                           rcvbuf=4096, read_head=False)
        wait_for(lambda: served.relay.viewer_count() == 1, 5, "the viewer counted")
        # It never reads: once the socket buffers are full nothing moves, and the hub lets go.
        wait_for(lambda: served.relay.viewer_count() == 0, 20, "the stalled viewer dropped")
        assert hub.closed_reasons["write timeout"] >= 1
        sock.close()
    finally:
        hub.write_timeout = saved


def test_slow_reader_skips_frames_instead_of_queueing_them(served: Served) -> None:
    hub = served.relay.hub
    saved, hub.send_buffer = hub.send_buffer, 16384  # small kernel buffers: the hub's policy shows at once
    try:
        sock = open_viewer(served, "/streams/dam-0.mjpg", cookie_header(signed_in(served)), rcvbuf=8192)
    finally:
        hub.send_buffer = saved
    viewer = wait_for(lambda: next(iter(hub._viewers.values()), None), 5, "the viewer in the hub")
    deadline = time.monotonic() + 4
    most_queued = 0
    while time.monotonic() < deadline:  # about 40 KB/s, a fraction of the stream's rate
        sock.recv(2048)
        most_queued = max(most_queued, len(viewer.queue))
        time.sleep(0.05)
    assert viewer.dropped > 5  # frames skipped, not kept for it
    assert most_queued <= 1  # never more than the newest frame waiting behind the one in flight
    assert not viewer.closed  # slow is not gone: it keeps its stream
    sock.close()
    wait_for(lambda: served.relay.viewer_count() == 0, 5, "slot back")


def test_revoked_display_stream_ends_within_five_seconds(served: Served) -> None:
    token_id, secret = tokens.create_display(served.db, "bridge-revoked")
    session = requests.Session()
    assert session.get(f"{served.url}/display/{secret}", allow_redirects=False, timeout=10).status_code == 303
    sock = open_viewer(served, "/streams/dam-1.mjpg", cookie_header(session))
    assert served.relay.hub.principals() >= {f"display:{token_id}"}
    # Revoked from another process (the CLI): nothing in this process is told.
    with served.db.sessions() as db_session:
        db_session.execute(update(DisplayToken).where(DisplayToken.id == token_id)
                           .values(revoked_at=datetime.now()))
        db_session.commit()
    revoked_at = time.monotonic()
    assert ended(sock, timeout=5.0), "a revoked display still receives frames"
    assert time.monotonic() - revoked_at < 5.0
    wait_for(lambda: served.relay.viewer_count() == 0, 5, "slot back")
    wait_for(lambda: session.get(f"{served.url}/streams/dam-1.jpg", timeout=5).status_code == 401, 10,
             "the revoked display refused")


def test_standalone_relay_checks_signed_urls_and_learns_revocations(served: Served,
                                                                    mjpeg_sim: Simulator) -> None:
    """The relay as its own service: signed URLs only, revocations asked of the dashboard."""
    from flask import Flask

    from streams.access import DashboardCheck
    from streams.routes import make_blueprint
    from streams.server import BackgroundServer
    from streams.service import StreamService

    from .conftest import camera_set

    service = StreamService(camera_set([camera(c, f"http://127.0.0.1:{mjpeg_sim.port}/cam/{c}.mjpg")
                                        for c in CAMS[:2]]), simulate=False)
    service.watch_revocations(DashboardCheck(served.url, TOKEN))
    relay_app = Flask("relay")
    relay_app.register_blueprint(make_blueprint(service, TOKEN))
    service.start()
    server = BackgroundServer(relay_app).start()
    key = signing.derive_key(TOKEN)
    token_id, _ = tokens.create_display(served.db, "bridge-relay")
    principal = f"display:{token_id}"
    try:
        wait_for(lambda: all(s["state"] == "LIVE" for s in service.status()), 15, "relay cameras LIVE")
        path = "/streams/dam-0.mjpg"
        assert requests.get(f"{server.url}{path}", timeout=5).status_code == 401
        other = signing.signed(key, "/streams/dam-1.mjpg", principal)  # signed for another camera
        assert requests.get(server.url + path + "?" + other.split("?", 1)[1], timeout=5).status_code == 401
        expired = signing.signed(key, path, principal, ttl=-120)
        assert requests.get(server.url + expired, timeout=5).status_code == 401
        forged = signing.signed(signing.derive_key("x" * 40), path, principal)
        assert requests.get(server.url + forged, timeout=5).status_code == 401
        good = signing.signed(key, path, principal, {"w": "320"})
        snap = requests.get(server.url + signing.signed(key, "/streams/dam-0.jpg", principal), timeout=5)
        assert snap.status_code == 200 and snap.content.startswith(b"\xff\xd8")
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(f"GET {good} HTTP/1.1\r\nHost: relay\r\n\r\n".encode())
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first[:200]
        wait_for(lambda: service.relay.hub.principals() == {principal}, 5, "the stream in the hub")
        tokens.revoke_display(served.db, token_id)
        revoked_at = time.monotonic()
        assert ended(sock, timeout=5.0), "the relay kept streaming to a revoked display"
        assert time.monotonic() - revoked_at < 5.0
        assert requests.get(server.url + good, timeout=5).status_code == 403
        wait_for(lambda: service.relay.viewer_count() == 0, 5, "slot back")
    finally:
        server.stop()
        assert service.stop() == []


def test_relay_access_endpoint_needs_the_relay_token(served: Served) -> None:
    url = f"{served.url}/relay/access"
    body = {"principals": ["display:999999", "user:1"]}
    assert requests.post(url, json=body, timeout=5).status_code == 401
    assert requests.post(url, json=body, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert requests.post(url, json={"principals": "x"}, headers=auth, timeout=5).status_code == 400
    answer = requests.post(url, json=body, headers=auth, timeout=5)
    assert answer.status_code == 200 and "display:999999" in answer.json()["revoked"]


def test_relay_service_command_learns_revocations_from_the_dashboard(served: Served, mjpeg_sim: Simulator,
                                                                     tmp_path: Path) -> None:
    """`python -m streams relay` as its own process, asking the dashboard (served above) about revocations."""
    import os
    import subprocess
    import sys

    cams = [camera(c, f"http://127.0.0.1:{mjpeg_sim.port}/cam/{c}.mjpg") for c in CAMS[:1]]
    (tmp_path / "cams.yaml").write_text(yaml.safe_dump({"relay": FAST_RELAY, "cameras": cams}), encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OPS_RELAY_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "streams", "relay", "--cameras", str(tmp_path / "cams.yaml"),
                             "--port", str(port), "--no-simulate", "--dashboard-url", served.url],
                            cwd=Path(__file__).resolve().parents[2], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    relay = f"http://127.0.0.1:{port}"
    try:
        def live() -> bool:
            try:
                rows = requests.get(f"{relay}/streams/status", headers={"Authorization": f"Bearer {TOKEN}"},
                                    timeout=2).json()
            except requests.RequestException:
                return False
            return bool(rows) and rows[0]["state"] == "LIVE"

        wait_for(live, 30, "the relay service with a LIVE camera")
        assert requests.get(f"{relay}/streams/status", timeout=5).status_code == 401
        token_id, _ = tokens.create_display(served.db, "bridge-cli")
        key = signing.derive_key(TOKEN)
        url = signing.signed(key, "/streams/dam-0.mjpg", f"display:{token_id}")
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: relay\r\n\r\n".encode())
        head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 200") and b"Access-Control-Allow-Origin: *" in head
        tokens.revoke_display(served.db, token_id)
        assert ended(sock, timeout=5.0), "the relay service kept streaming to a revoked display"
        assert requests.get(relay + url, timeout=5).status_code == 403
    finally:
        proc.terminate()
        proc.wait(15)


def test_revocation_also_ends_streams_served_on_server_threads(mjpeg_sim: Simulator) -> None:
    """A server that cannot hand sockets over (plain werkzeug here; gunicorn alike) streams on its
    threads: a revoked principal's stream there ends within the check period too."""
    from flask import Flask
    from werkzeug.serving import make_server

    from streams.routes import make_blueprint
    from streams.service import StreamService

    from .conftest import camera_set

    revoked: set[str] = set()
    service = StreamService(camera_set([camera("dam-0", f"http://127.0.0.1:{mjpeg_sim.port}/cam/dam-0.mjpg")]),
                            simulate=False)
    service.watch_revocations(lambda principals: principals & revoked)
    app = Flask("plain")
    app.register_blueprint(make_blueprint(service, principal_of=lambda: "display:7"))
    service.start()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        wait_for(lambda: service.status()[0]["state"] == "LIVE", 15, "camera LIVE")
        socks = []
        for path in ("/streams/dam-0.mjpg", "/streams/mosaic.mjpg"):
            sock = socket.create_connection(("127.0.0.1", server.server_port), timeout=10)
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            socks.append(sock)
        wait_for(lambda: service.relay.principals() == {"display:7"}, 5, "the streams counted")
        assert service.relay.hub.count() == 0  # on server threads, not in the hub
        revoked.add("display:7")
        for sock in socks:
            assert ended(sock, timeout=5.0)
        wait_for(lambda: service.relay.viewer_count() == 0, 5, "slots back")
    finally:
        server.shutdown()
        service.stop()

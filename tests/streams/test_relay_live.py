"""The relay against real simulated cameras: MJPEG + H.264, fan-out, failures, status, routes."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator

import numpy as np
import pytest
import requests

from streams._cv import cv2
from streams.simulator import Simulator
from streams.slots import TooManyViewers

from .conftest import RTSP_OPTIONS, Stack, camera, camera_set, wait_for

pytestmark = [pytest.mark.timeout(60), pytest.mark.serial]  # frame rates
GOOD = [f"dam-{i}" for i in range(6)] + ["dam-h264"]
BAD = ["bad-garbage", "bad-404", "bad-hang"]
SECRET = "s3cr3t-pw"


@pytest.fixture(scope="module")
def stack(sim: Simulator) -> Iterator[Stack]:
    port = sim.port
    cams = [camera(f"dam-{i}", f"sim://dam-{i}") for i in range(6)]
    cams.append(camera("dam-h264", "sim://dam-h264?codec=h264", options=dict(RTSP_OPTIONS)))
    cams.append(camera("bad-garbage", "sim://bad/garbage"))
    # A real-looking URL with credentials: it must never appear in status, errors or logs.
    cams.append(camera("bad-404", f"http://admin:{SECRET}@127.0.0.1:{port}/bad/404.mjpg"))
    cams.append(camera("bad-hang", f"http://127.0.0.1:{port}/bad/hang.mjpg"))
    st = Stack(sim, camera_set(cams))
    yield st
    assert st.close() == []


def mjpeg_frames(url: str, count: int, timeout: float = 10.0) -> list[bytes]:
    """Read `count` JPEG parts from a multipart stream with a plain HTTP client."""
    frames: list[bytes] = []
    with requests.get(url, stream=True, timeout=timeout) as resp:
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("multipart/x-mixed-replace")
        buf = b""
        for chunk in resp.iter_content(chunk_size=16384):
            buf += chunk
            while True:
                start, end = buf.find(b"\xff\xd8"), buf.find(b"\xff\xd9")
                if start < 0 or end < 0:
                    break
                head = buf[:start]
                length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                if len(buf) < start + length:
                    break
                frames.append(buf[start : start + length])
                buf = buf[start + length :]
                if len(frames) >= count:
                    return frames
    return frames


def test_reads_mjpeg_and_h264(stack: Stack) -> None:
    stack.wait_states({c: "LIVE" for c in GOOD}, timeout=15)
    for cam_id in ("dam-0", "dam-h264"):
        # On a loaded machine the first snapshot may come before a live picture: wait for one
        # rather than take the first answer.
        resp = wait_for(lambda cam_id=cam_id: (r := requests.get(f"{stack.url}/streams/{cam_id}.jpg", timeout=5))
                        .status_code == 200 and r, 15, f"a live snapshot of {cam_id}")
        assert resp.headers["Cache-Control"] == "no-store"
        image = cv2.imdecode(np.frombuffer(resp.content, np.uint8), cv2.IMREAD_COLOR)
        assert image.shape == (360, 640, 3)
    # MJPEG passes through: a full-size snapshot never triggers an encode; H.264 must be encoded.
    encodes = stack.service.relay.renditions.encodes
    assert not any(key[0] == "dam-0" and key[1] == 0 for key in encodes)
    assert any(key[0] == "dam-h264" for key in encodes)
    assert stack.service.capture.readers["dam-h264"].fps() > 3


def test_bad_sources_do_not_affect_others(stack: Stack) -> None:
    status = stack.wait_states({**{c: "LIVE" for c in GOOD}, **{c: "OFFLINE" for c in BAD}}, timeout=15)
    for cam_id in BAD:
        assert status[cam_id]["last_error"]
    assert "404" in status["bad-404"]["last_error"]
    # Frame rate and age settle within seconds even when the machine is busy.
    wait_for(lambda: all(s["fps"] > 5 and s["age_s"] < 1.0 for c, s in stack.status().items() if c in GOOD),
             15, "every good camera near its 10 fps")
    resp = requests.get(f"{stack.url}/streams/bad-404.jpg", timeout=5)
    assert resp.status_code == 503 and resp.content.startswith(b"\xff\xd8")  # offline placeholder


def test_status_never_shows_a_source(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stack.wait_states({"bad-404": "OFFLINE"}, timeout=10)
    wait_for(lambda: stack.status()["bad-404"]["reconnects"] >= 2, 10, "a logged reconnect")
    text = requests.get(f"{stack.url}/streams/status", timeout=5).text
    for leak in (SECRET, "admin", "sim://", "http://", "/cam/", str(stack.sim.port)):
        assert leak not in text
    assert all("source" not in entry for entry in json.loads(text))
    assert SECRET not in caplog.text


def test_forty_viewers_one_upstream_per_camera(stack: Stack) -> None:
    stack.wait_states({c: "LIVE" for c in GOOD}, timeout=15)
    totals_before = {c: stack.sim.stats()[c]["total"] for c in GOOD}
    urls = [f"{stack.url}/streams/{GOOD[i % len(GOOD)]}.mjpg" + ("?w=320" if i % 4 == 0 else "")
            for i in range(34)] + [f"{stack.url}/streams/mosaic.mjpg"] * 6
    results: dict[int, int] = {}
    started = threading.Barrier(len(urls) + 1, timeout=20)

    def viewer(index: int, url: str) -> None:
        started.wait()
        results[index] = len(mjpeg_frames(url, count=5, timeout=20))

    threads = [threading.Thread(target=viewer, args=(i, u)) for i, u in enumerate(urls)]
    for thread in threads:
        thread.start()
    started.wait()
    wait_for(lambda: sum(r.viewers for r in stack.service.capture.readers.values()) >= 20, 10, "viewers")
    stats = stack.sim.stats()
    assert all(stats[c]["connections"] == 1 for c in GOOD), stats
    for thread in threads:
        thread.join(30)
    assert results == {i: 5 for i in range(len(urls))}
    # No extra upstream was ever opened for the viewers.
    assert {c: stack.sim.stats()[c]["total"] for c in GOOD} == totals_before
    wait_for(lambda: stack.status()["dam-0"]["viewers"] == 0, 5, "viewers to leave")


def test_stopped_camera_goes_offline_and_back(stack: Stack) -> None:
    stack.wait_states({"dam-3": "LIVE"}, timeout=10)
    stack.sim.stop_camera("dam-3")
    try:
        stack.wait_states({"dam-3": "OFFLINE", "dam-2": "LIVE"}, timeout=5)
    finally:
        stack.sim.start_camera("dam-3")
    status = stack.wait_states({"dam-3": "LIVE"}, timeout=10)
    assert status["dam-3"]["reconnects"] >= 1
    assert stack.sim.stats()["dam-3"]["connections"] == 1


def test_unknown_ids_and_path_tricks(stack: Stack) -> None:
    for path in ("nope.jpg", "nope.mjpg", "DAM-0.jpg", "dam-0..jpg", "..%2Fsettings.jpg", "%2e%2e.jpg",
                 "-dam.jpg", "dam-0.jpg.jpg"):
        resp = requests.get(f"{stack.url}/streams/{path}", timeout=5)
        assert resp.status_code in (400, 404), path
        if resp.status_code == 404 and resp.headers["Content-Type"].startswith("application/json"):
            assert "error" in resp.json()
    assert requests.get(f"{stack.url}/streams/nope.jpg", timeout=5).json() == {"error": "unknown camera"}
    assert requests.get(f"{stack.url}/streams/dam-0.jpg?w=abc", timeout=5).status_code == 400


def test_rendition_encoded_once_and_shared(stack: Stack) -> None:
    relay = stack.service.relay
    frame = stack.service.capture.readers["dam-1"].slot.latest
    assert frame is not None
    results: list[bytes] = []
    barrier = threading.Barrier(16)

    def ask() -> None:
        barrier.wait()
        results.append(relay.renditions.get("dam-1", frame, 300))  # 300 snaps to 320

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 16 and all(r is results[0] for r in results)  # the same bytes object
    before = relay.renditions.encodes[("dam-1", 320, relay.options.jpeg_quality)]
    assert relay.renditions.get("dam-1", frame, 320) is results[0]
    assert relay.renditions.encodes[("dam-1", 320, relay.options.jpeg_quality)] == before
    image = cv2.imdecode(np.frombuffer(results[0], np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[1] == 320
    # Over HTTP: many requests, at most one encode per distinct frame.
    for _ in range(10):
        assert requests.get(f"{stack.url}/streams/dam-2.jpg?w=480", timeout=5).status_code == 200
    assert relay.renditions.encodes[("dam-2", 480, relay.options.jpeg_quality)] <= 10


def test_mosaic_built_once_per_tick(stack: Stack) -> None:
    resp = requests.get(f"{stack.url}/streams/mosaic.jpg", timeout=5)
    image = cv2.imdecode(np.frombuffer(resp.content, np.uint8), cv2.IMREAD_COLOR)
    mosaic = stack.service.relay.mosaic
    assert image.shape == (3 * 96, 4 * 160, 3)  # 10 cameras, 4 columns of 160x96 tiles (whole MCU rows)
    assert mosaic.size == (4 * 160, 3 * 96)
    builds = mosaic.builds
    threads = [threading.Thread(target=mjpeg_frames, args=(f"{stack.url}/streams/mosaic.mjpg", 4)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    # 8 viewers x 4 frames, but each tick is built once: far fewer builds than frames sent.
    assert mosaic.builds - builds <= 12


def test_mosaic_sizes_fit_the_screen_and_are_shared(stack: Stack) -> None:
    relay = stack.service.relay
    # 4 columns here: allowed pictures are 640, 960, 1280 and 1920 px wide.
    for asked, size in ((None, (640, 288)), (900, (960, 384)), (960, (960, 384)), (4000, (1920, 816))):
        url = f"{stack.url}/streams/mosaic.jpg" + (f"?w={asked}" if asked else "")
        image = cv2.imdecode(np.frombuffer(requests.get(url, timeout=5).content, np.uint8), cv2.IMREAD_COLOR)
        assert (image.shape[1], image.shape[0]) == size, asked
    assert relay.mosaic_for(900) is relay.mosaic_for(960) is not relay.mosaic
    # A wider screen than the largest mosaic (two 4K panels) gets the largest, not an error.
    assert requests.get(f"{stack.url}/streams/mosaic.jpg?w=7680", timeout=5).status_code == 200
    viewers = relay._viewers
    assert requests.get(f"{stack.url}/streams/mosaic.jpg?w=huge", timeout=5).status_code == 400
    assert requests.get(f"{stack.url}/streams/mosaic.mjpg?w=huge", timeout=5).status_code == 400
    assert relay._viewers == viewers  # a refused request holds no viewer slot
    # Two streams asking for sizes that snap to the same mosaic are fed by one build per tick.
    mosaic = relay.mosaic_for(960)
    builds = mosaic.builds
    threads = [threading.Thread(target=mjpeg_frames, args=(f"{stack.url}/streams/mosaic.mjpg?w={w}", 4))
               for w in (900, 960, 950, 901)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert 0 < mosaic.builds - builds <= 8


def test_camera_widths_are_snapped_before_anything_is_keyed(stack: Stack) -> None:
    relay = stack.service.relay
    threads = [threading.Thread(target=mjpeg_frames, args=(f"{stack.url}/streams/dam-1.mjpg?w={w}", 3))
               for w in (300, 310, 317)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    # Three widths, one allowed rendition: one feed and one cached part, not three (full-size
    # viewers of earlier tests have their own feed, ("dam-1", None)).
    assert {key for key in relay._fanouts if key[0] == "dam-1" and key[1]} == {("dam-1", 320)}
    assert {key for key in relay._wires if key[0] == "dam-1"} <= {("dam-1", 320), ("dam-1", None)}


def test_a_viewer_on_the_server_thread_holds_one_slot_from_opening_to_close(stack: Stack) -> None:
    """A server that cannot give the socket up: the slot is taken once, when the viewer is opened
    (no moment where another viewer could take it), and given back once, read or never read."""
    relay = stack.service.relay
    wait_for(lambda: stack.status()["dam-0"]["state"] == "LIVE" and relay.viewer_count() == 0, 15,
             "dam-0 LIVE and no viewer left from earlier tests")
    body = relay.open_mjpeg("dam-0", None, "", lambda: None)
    assert body is not None and relay.viewer_count() == 1  # held before the first part
    assert next(iter(body)).startswith(b"--opsframe") and relay.viewer_count() == 1  # not a second one
    body.close()
    body.close()  # servers may close twice: still one release
    assert relay.viewer_count() == 0
    unread = relay.open_mjpeg(None, 640, "", lambda: None)  # the mosaic, closed before its first part
    assert unread is not None and relay.viewer_count() == 1
    unread.close()
    assert relay.viewer_count() == 0
    taken = 0
    while relay.try_add_viewer():
        taken += 1
    try:
        with pytest.raises(TooManyViewers):
            relay.open_mjpeg("dam-0", None, "", lambda: None)
    finally:
        for _ in range(taken):
            relay.release_viewer()
    assert relay.viewer_count() == 0

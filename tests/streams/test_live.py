"""RTSP cameras with main and sub streams: live fMP4 without transcoding, the sub stream for the grid."""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from typing import Any

import av
import numpy as np
import pytest
import requests

from streams import fmp4
from streams._cv import cv2
from streams.capture import PictureRate
from streams.config import ConfigError, parse_cameras
from streams.simulator import Simulator

from .conftest import RTSP_OPTIONS, Stack, camera, camera_set, small_video, wait_for
from .test_relay_live import mjpeg_frames

pytestmark = [pytest.mark.timeout(90), pytest.mark.serial]  # frame rates
SUB = (320, 180)  # small_video's sub stream


def two_streams(cam_id: str, main_codec: str = "") -> dict[str, Any]:
    query = f"?codec={main_codec}" if main_codec else ""
    return camera(cam_id, None, options=dict(RTSP_OPTIONS), streams=[{"name": "main", "source": f"sim://{cam_id}/main{query}"},
                                         {"name": "sub", "source": f"sim://{cam_id}/sub"}])


@pytest.fixture(scope="module")
def rtsp_sim(sim_cache: Any) -> Iterator[Simulator]:
    """Three RTSP cameras: H.264 main+sub, H.265 main + H.264 sub, and H.264 main without a sub."""
    cams = [("cam-a", "Cam A", "h264"), ("cam-hevc", "Cam Hevc", "hevc"), ("cam-solo", "Cam Solo", "h264")]
    simulator = Simulator(cams, video=small_video(sim_cache), solo_main=frozenset({"cam-solo"})).start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def stack(rtsp_sim: Simulator) -> Iterator[Stack]:
    cams = [two_streams("cam-a"), two_streams("cam-hevc", "hevc"), camera("cam-solo", "sim://cam-solo/main", options=dict(RTSP_OPTIONS))]
    st = Stack(rtsp_sim, camera_set(cams))
    st.wait_states({"cam-a": "LIVE", "cam-hevc": "LIVE", "cam-solo": "LIVE"}, timeout=20)
    wait_for(lambda: all(st.status()[c]["streams"]["main"]["mse"] for c in ("cam-a", "cam-solo")), 10,
             "a cached GOP on the H.264 main streams")
    yield st
    assert st.close() == []


class MseViewer:
    """Reads /streams/<id>.mp4 like a browser's fetch(): records when the init segment and the first
    keyframe fragment were complete, and keeps the bytes to decode them afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.data = bytearray()
        self.opened = time.monotonic()
        self.first_picture: float | None = None  # seconds from request to init + keyframe fragment
        self.fragments = 0
        self.keyframes = 0
        self.stop = threading.Event()

    def read(self, until_fragments: int, timeout: float = 10.0) -> MseViewer:
        with requests.get(self.url, stream=True, timeout=5) as resp:
            assert resp.status_code == 200, resp.text
            assert resp.headers["Content-Type"].startswith('video/mp4; codecs="avc1.')
            pending, have_init = b"", False
            deadline = time.monotonic() + timeout
            for chunk in resp.iter_content(chunk_size=None):
                self.data += chunk
                pending += chunk
                boxes, used = fmp4.top_boxes(pending)
                pending = pending[used:]
                for kind, body in boxes:
                    if kind == b"moov":
                        have_init = True
                    elif kind == b"moof":
                        self.fragments += 1
                        self.keyframes += fmp4.is_key_fragment(body)
                    elif kind == b"mdat" and have_init and self.keyframes and self.first_picture is None:
                        self.first_picture = time.monotonic() - self.opened
                if self.fragments >= until_fragments or time.monotonic() > deadline or self.stop.is_set():
                    break
        return self

    def pictures(self) -> list[np.ndarray]:
        container = av.open(io.BytesIO(bytes(self.data)), format="mp4")
        return [frame.to_ndarray(format="bgr24") for frame in container.decode(video=0)]


def test_config_streams_and_roles() -> None:
    cams = camera_set([two_streams("cam-a"), camera("cam-solo", "sim://cam-solo/main", options=dict(RTSP_OPTIONS))]).by_id()
    assert [(s.name, s.role_list()) for s in cams["cam-a"].stream_list()] == [("main", ["live"]), ("sub", ["grid"])]
    # Without a sub stream, the main stream also feeds the grid (its keyframes only).
    assert cams["cam-solo"].stream_list()[0].role_list() == ["live", "grid"]
    bad = [
        ({"source": "sim://x", "streams": [{"name": "main", "source": "sim://x/main"}]}, "either 'source' or"),
        ({"source": None, "streams": [{"name": "sub", "source": "sim://x/sub"}]}, "needs a 'main'"),
        ({"source": None, "streams": [{"name": "main", "source": "sim://x/main"},
                                      {"name": "sub", "source": "sim://x/sub", "roles": ["live"]}]}, "exactly one"),
        ({"source": None, "streams": [{"name": "main", "source": "a", "codec": "h264"}]}, "streams.0.codec"),
    ]
    for extra, message in bad:
        with pytest.raises(ConfigError, match=message):
            parse_cameras({"cameras": [{**camera("x", "sim://x"), **extra}]})


def test_rtsp_camera_is_read_once_whatever_the_number_of_viewers(stack: Stack, rtsp_sim: Simulator) -> None:
    before = {s: rtsp_sim.total_connections("cam-a", s) for s in ("main", "sub")}
    viewers = [MseViewer(f"{stack.url}/streams/cam-a.mp4") for _ in range(6)]
    threads = [threading.Thread(target=v.read, args=(30,)) for v in viewers]
    for thread in threads:
        thread.start()
    frames = mjpeg_frames(f"{stack.url}/streams/cam-a.mjpg", 3)
    for _ in range(3):
        assert requests.get(f"{stack.url}/streams/cam-a.jpg", timeout=5).status_code == 200
    for thread in threads:
        thread.join(timeout=20)
    assert all(v.fragments >= 30 for v in viewers) and len(frames) == 3
    # One RTSP session per stream, opened before any viewer came and never again.
    assert {s: rtsp_sim.connections("cam-a", s) for s in ("main", "sub")} == {"main": 1, "sub": 1}
    assert {s: rtsp_sim.total_connections("cam-a", s) for s in ("main", "sub")} == before


def test_new_viewer_gets_a_picture_within_a_second_without_any_decode(stack: Stack) -> None:
    reader = stack.service.capture.readers["cam-a"]
    viewer = MseViewer(f"{stack.url}/streams/cam-a.mp4").read(until_fragments=40)
    assert viewer.first_picture is not None and viewer.first_picture < 1.0
    pictures = viewer.pictures()  # the bytes are a valid fMP4 of the camera's own 640x360 H.264
    assert len(pictures) >= 30 and pictures[0].shape == (360, 640, 3)
    assert reader.streams["main"].decodes == 0  # the main stream is remuxed, never decoded
    assert stack.status()["cam-a"]["live"] == "mse"
    assert stack.status()["cam-solo"]["state"] == "LIVE"  # its keyframes differ: not taken for frozen


def test_grid_decodes_the_sub_stream_keyframes(stack: Stack) -> None:
    snap = requests.get(f"{stack.url}/streams/cam-a.jpg", timeout=5)
    image = cv2.imdecode(np.frombuffer(snap.content, np.uint8), cv2.IMREAD_COLOR)
    assert snap.status_code == 200 and image.shape[:2] == SUB[::-1]  # the sub stream's picture
    sub = stack.service.capture.readers["cam-a"].streams["sub"]
    decodes, started = sub.decodes, time.monotonic()
    wait_for(lambda: sub.decodes >= decodes + 2, 5, "two more sub keyframes")
    seconds = time.monotonic() - started
    assert sub.decodes - decodes <= seconds / 1.0 + 2  # one keyframe a second, not 10 pictures
    # Without a sub stream the grid decodes the main stream's keyframes only (one per 2 s).
    solo = stack.service.capture.readers["cam-solo"].streams["main"]
    decodes, started = solo.decodes, time.monotonic()
    wait_for(lambda: solo.decodes >= decodes + 1, 5, "a main keyframe of the camera without a sub stream")
    assert solo.roles == ["live", "grid"] and solo.fps() > 20  # 25 fps read, ...
    assert solo.decodes - decodes <= (time.monotonic() - started) / 2.0 + 1  # ... one picture per 2 s decoded
    snap = requests.get(f"{stack.url}/streams/cam-solo.jpg", timeout=5)
    assert cv2.imdecode(np.frombuffer(snap.content, np.uint8), cv2.IMREAD_COLOR).shape == (360, 640, 3)


def test_h265_main_stream_falls_back_to_mjpeg_from_the_sub_stream(stack: Stack) -> None:
    status = stack.status()["cam-hevc"]
    assert status["streams"]["main"]["codec"] == "hevc" and status["live"] == "mjpeg"
    refused = requests.get(f"{stack.url}/streams/cam-hevc.mp4", timeout=5)
    assert refused.status_code == 415 and refused.json()["fallback"] == "/streams/cam-hevc.mjpg"
    sub = stack.service.capture.readers["cam-hevc"].streams["sub"]
    decodes = sub.decodes
    frames = mjpeg_frames(f"{stack.url}/streams/cam-hevc.mjpg", 12, timeout=15)
    pictures = [cv2.imdecode(np.frombuffer(f, np.uint8), cv2.IMREAD_COLOR) for f in frames]
    assert all(p.shape[:2] == SUB[::-1] for p in pictures)
    # While someone watches the MJPEG fallback every sub picture is decoded (10 fps), not 1 a second.
    assert sub.decodes - decodes >= 8
    assert stack.service.capture.readers["cam-hevc"].streams["main"].decodes == 0


def test_mjpeg_of_a_25_fps_stream_takes_10_pictures_a_second(stack: Stack) -> None:
    solo = stack.service.capture.readers["cam-solo"].streams["main"]
    frames = mjpeg_frames(f"{stack.url}/streams/cam-solo.mjpg", 3, timeout=15)  # decoding all now
    assert len(frames) == 3 and solo.fps() > 20  # the stream itself runs at 25 fps
    started, decodes = time.monotonic(), solo.decodes
    mjpeg_frames(f"{stack.url}/streams/cam-solo.mjpg", 25, timeout=15)
    rate = (solo.decodes - decodes) / (time.monotonic() - started)
    assert 6 <= rate <= 13, rate  # mjpeg_fps: 10 pictures converted and encoded a second, not 25


def test_picture_rate_keeps_the_average_on_the_stream_clock() -> None:
    rate = PictureRate(10)
    kept = [n for n in range(250) if rate.due(n * 3600, now=0.0)]  # 25 fps for 10 s (90 kHz dts)
    assert len(kept) == 100 and kept[:5] == [0, 3, 5, 8, 10]
    assert rate.due(10**9, now=0.0)  # a jump in time (a new source): starts again at once
    assert not rate.due(10**9 + 3600, now=0.0)
    arrival = PictureRate(10)  # no timestamps: the arrival clock
    assert [arrival.due(None, t / 25) for t in range(6)] == [True, False, False, True, False, True]
    assert all(PictureRate(0).due(n, now=0.0) for n in range(10))


def test_stopped_camera_is_offline_within_5s_and_recovers(stack: Stack, rtsp_sim: Simulator) -> None:
    watching = MseViewer(f"{stack.url}/streams/cam-a.mp4")
    thread = threading.Thread(target=watching.read, args=(10_000, 30.0))
    thread.start()
    wait_for(lambda: watching.keyframes >= 1, 5, "the viewer's first keyframe")
    rtsp_sim.stop_camera("cam-a")
    started = time.monotonic()
    try:
        stack.wait_states({"cam-a": "OFFLINE"}, timeout=5)
        assert time.monotonic() - started < 5
        refused = requests.get(f"{stack.url}/streams/cam-a.mp4", timeout=5)
        assert refused.status_code == 503 and "fallback" in refused.json()
        assert stack.status()["cam-solo"]["state"] == "LIVE"  # the others do not notice
        keys = watching.keyframes
    finally:
        rtsp_sim.start_camera("cam-a")
    stack.wait_states({"cam-a": "LIVE"}, timeout=15)
    # The viewer that stayed connected plays on: new keyframes arrive on the same response.
    wait_for(lambda: watching.keyframes > keys, 10, "a keyframe after the camera came back")
    watching.stop.set()
    thread.join(timeout=10)
    assert len(watching.pictures()) > 10


def test_a_wsgi_server_without_the_socket_gets_the_same_stream(stack: Stack) -> None:
    from flask import Flask

    from streams.routes import make_blueprint

    app = Flask("no-socket")  # the test client, like waitress, hands no raw socket to the route
    app.register_blueprint(make_blueprint(stack.service))
    relay = stack.service.relay
    before = relay._viewers
    resp = app.test_client().get("/streams/cam-a.mp4", buffered=False)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith('video/mp4; codecs="avc1.')
    chunks, data = iter(resp.response), b""
    while data.count(b"mdat") < 3:
        data += next(chunks)
    boxes, _ = fmp4.top_boxes(data)
    assert [k for k, _ in boxes][:3] == [b"ftyp", b"moov", b"moof"] and fmp4.is_key_fragment(boxes[2][1])
    resp.close()
    assert relay._viewers == before  # the viewer slot is given back when the response closes


def test_a_revoked_viewer_on_a_server_thread_loses_its_mp4_stream(stack: Stack) -> None:
    """As MJPEG viewers on server threads (test_viewers): the revoked principal's fMP4 ends too."""
    from flask import Flask

    from streams.routes import make_blueprint

    app = Flask("no-socket-revoked")
    app.register_blueprint(make_blueprint(stack.service, principal_of=lambda: "display:mp4"))
    relay = stack.service.relay
    resp = app.test_client().get("/streams/cam-a.mp4", buffered=False)
    chunks = iter(resp.response)
    assert next(chunks)[4:8] == b"ftyp"
    assert "display:mp4" in relay.principals()
    assert relay.close_principals({"display:mp4"}) == 1
    list(chunks)  # the stream ends at its next fragment
    resp.close()
    assert "display:mp4" not in relay.principals()

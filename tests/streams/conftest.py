"""Fixtures for the relay tests: a real simulator, a real relay and a real HTTP server on loopback."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from streams.config import CameraSet, parse_cameras
from streams.routes import make_blueprint
from streams.server import BackgroundServer
from streams.service import StreamService
from streams.simulator import Simulator, VideoOptions
from tests.helpers import wait_for  # noqa: F401 - the stream tests import it from here

FAST_RELAY = {"stale_after_s": 1.0, "offline_after_s": 2.0, "frozen_after_s": 3.0, "backoff_base_s": 0.2,
              "backoff_max_s": 1.0, "mosaic_fps": 4.0, "mosaic_columns": 4, "mosaic_tile_width": 160}
FAST_OPTIONS = {"open_timeout_ms": 1000, "read_timeout_ms": 1000}
# An RTSP camera's read timeout must exceed its keyframe interval (2 s here): a simulator session
# that backs up on a loaded machine skips to the next keyframe, as a camera drops frames, and is
# silent until then. With 1 s the reader would reconnect, which the fan-out tests count as a fault.
RTSP_OPTIONS = {"open_timeout_ms": 1000, "read_timeout_ms": 3000}


def camera(cam_id: str, source: str, **extra: Any) -> dict[str, Any]:
    return {"id": cam_id, "dam": cam_id.upper().replace("-", "_"), "name": cam_id.title(), "river": "Da",
            "province": "Hoa Binh", "capacity_mw": 100.0, "lat": 21.0, "lon": 105.0, "source": source,
            "options": dict(FAST_OPTIONS), **extra}


def camera_set(cameras: list[dict[str, Any]], **relay: Any) -> CameraSet:
    return parse_cameras({"relay": {**FAST_RELAY, **relay}, "cameras": cameras})


class Stack:
    """Simulator + StreamService + HTTP server, torn down in reverse order."""

    def __init__(self, sim: Simulator, cameras: CameraSet) -> None:
        self.sim = sim
        self.service = StreamService(cameras, simulate=False, sim_base=sim.base_url, sim_rtsp=sim.rtsp_url)
        app = Flask("streams-test")
        app.register_blueprint(make_blueprint(self.service))
        self.service.start()
        self.server = BackgroundServer(app).start()
        self.url = self.server.url

    def status(self) -> dict[str, dict[str, Any]]:
        return {s["id"]: s for s in requests.get(f"{self.url}/streams/status", timeout=5).json()}

    def wait_states(self, wanted: dict[str, str], timeout: float) -> dict[str, dict[str, Any]]:
        def ok() -> dict[str, dict[str, Any]] | None:
            status = self.status()
            return status if all(status[c]["state"] == s for c, s in wanted.items()) else None

        return wait_for(ok, timeout, f"states {wanted}")

    def close(self) -> list[str]:
        left = self.service.stop()
        self.server.stop()
        return left


def small_video(cache: Any) -> VideoOptions:
    """Test-sized RTSP streams (cheap to encode and decode): 640x360 main at 25 fps, 320x180 sub."""
    return VideoOptions((640, 360), 25, (320, 180), 10, 2.0, 1.0, cache)


@pytest.fixture(scope="session")
def sim_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Encoded loops shared by every simulator of the session (encoded once, as under var/)."""
    return tmp_path_factory.mktemp("sim-cache")


@pytest.fixture(scope="module")
def sim(sim_cache: Any) -> Iterator[Simulator]:
    """Six MJPEG cameras at 10 fps and one RTSP camera (H.264 main and sub streams)."""
    names = [(f"dam-{i}", f"Dam {i}", "mjpeg") for i in range(6)] + [("dam-h264", "Dam H264", "h264")]
    simulator = Simulator(names, fps=10.0, video=small_video(sim_cache), solo_main=frozenset({"dam-h264"})).start()
    yield simulator
    simulator.stop()

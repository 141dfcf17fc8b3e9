"""A restart of the relay service (`python -m streams relay`, its own process as in
deploy/Procfile) brings every open camera view back by itself within 10 s: the focus view's MSE
player and an MJPEG focus view in Chromium, and an MJPEG stream read by a plain HTTP client that
reconnects to the same signed URL."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from settings import from_env
from streams.config import BUNDLED_CAMERAS
from tests.browser.conftest import (
    SMALL_SIM,
    LiveApp,
    login_browser,
    make_driver,
    start_live_app,
    stop_live_app,
    wait_for,
)
from tests.browser.test_camera_live import PLAYBACK
from tests.browser.test_relay_service import PIXELS
from tests.helpers import wait_for as wait_until
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
H264, MJPEG = "hoa-binh", "huoi-quang"  # an RTSP camera (main stream H.264) and an MJPEG one
HEAL_S = 10.0
pytestmark = pytest.mark.timeout(300)


@dataclass
class Relay:
    """The relay process, restartable on its port."""

    command: list[str]
    env: dict[str, str]
    url: str
    log: Path
    proc: subprocess.Popen | None = None

    def start(self) -> float:
        """Start it; returns the monotonic time it answered its status again."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT)
        headers = {"Authorization": f"Bearer {self.env['OPS_RELAY_TOKEN']}"}
        wait_until(lambda: requests.get(self.url + "/streams/status", headers=headers,
                                        timeout=1).ok, 30, "the relay answering",
                   interval=0.05, ignore=(requests.RequestException,))
        return time.monotonic()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


def _cameras_file(folder: Path) -> str:
    doc = yaml.safe_load(BUNDLED_CAMERAS.read_text(encoding="utf-8"))
    doc["simulator"] = SMALL_SIM
    doc["cameras"] = [c for c in doc["cameras"] if c["id"] in (H264, MJPEG)]
    path = folder / "cameras.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def relayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveApp, Relay]]:
    folder = tmp_path_factory.mktemp("relay-restart")
    cameras = _cameras_file(folder)
    relay_port, sim_port, rtsp_port = free_port(), free_port(), free_port()
    token = secrets.token_urlsafe(40)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPS_")}
    env.update(OPS_RELAY_TOKEN=token, PYTHONUNBUFFERED="1")
    log = folder / "streams.log"
    with log.open("wb") as out:
        sim = subprocess.Popen(
            [sys.executable, "-m", "streams", "simulate", "--cameras", cameras,
             "--port", str(sim_port), "--rtsp-port", str(rtsp_port),
             "--sim-cache", str(folder / "sim-cache")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    relay = Relay([sys.executable, "-m", "streams", "relay", "--cameras", cameras,
                   "--port", str(relay_port), "--server", "waitress", "--no-simulate",
                   "--sim-base", f"http://127.0.0.1:{sim_port}",
                   "--sim-rtsp", f"rtsp://127.0.0.1:{rtsp_port}"],
                  env, f"http://127.0.0.1:{relay_port}", log)
    live = None
    try:
        wait_until(lambda: requests.get(f"http://127.0.0.1:{sim_port}/stats", timeout=1).ok,
                   120, "the camera simulator", ignore=(requests.RequestException,))
        relay.start()
        settings = from_env({}, data_dir=folder / "var", simulate=False, cameras=True,
                            seed_years=1, cameras_file=cameras, relay_url=relay.url,
                            relay_token=token, relay_public_url=relay.url)
        live = start_live_app(settings)
        yield live, relay
    finally:
        if live is not None:
            stop_live_app(live)
        relay.stop()
        sim.send_signal(signal.SIGTERM)
        sim.wait(30)


class MjpegReader:
    """An MJPEG client: reads parts, and on any end or error opens the same URL again."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.frames: list[float] = []  # monotonic arrival of each part
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with requests.get(self.url, stream=True, timeout=(2, 5)) as r:
                    r.raise_for_status()
                    for chunk in r.iter_content(8192):
                        if self._stop.is_set():
                            return
                        if b"\xff\xd8" in chunk:  # a JPEG starts
                            self.frames.append(time.monotonic())
            except requests.RequestException:
                pass
            self._stop.wait(0.5)

    def since(self, moment: float) -> int:
        return sum(t > moment for t in self.frames)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


def test_a_relay_restart_brings_every_open_view_back_within_10s(relayed) -> None:
    live, relay = relayed
    driver = make_driver(1280, 720)
    reader = None
    try:
        login_browser(driver, live)
        driver.get(f"{live.url}/cameras?cam={H264}")
        mse = driver.current_window_handle
        wait_for(driver, lambda d: (p := d.execute_script(PLAYBACK)) and p["mode"] == "mse"
                 and p["frames"] > 10, timeout=40)
        driver.switch_to.new_window("tab")
        driver.get(f"{live.url}/cameras?cam={MJPEG}")
        mjpeg = driver.current_window_handle
        src = wait_for(driver, lambda d: d.execute_script(
            "const i = document.getElementById('cam-live-img'); return i && i.getAttribute('src')"),
            timeout=20)
        assert src.startswith(relay.url) and "sig=" in src
        first = wait_for(driver, lambda d: d.execute_script(PIXELS, "cam-live-img"), timeout=20)
        wait_for(driver, lambda d: d.execute_script(PIXELS, "cam-live-img") not in (None, first))
        reader = MjpegReader(src)  # the page's own signed URL, read by another client
        wait_until(lambda: len(reader.frames) > 5, 20, "the HTTP client reading MJPEG")

        relay.stop()
        time.sleep(1.0)  # down long enough for every view to notice
        back = relay.start()

        def healed(what: str, condition) -> float:  # noqa: ANN001
            wait_for(driver, condition, timeout=HEAL_S + 20)
            took = time.monotonic() - back
            assert took <= HEAL_S, f"{what} came back {took:.1f} s after the relay"
            return took

        # MJPEG in Chromium: the <img> watchdog reopens the stream; the picture moves again.
        driver.switch_to.window(mjpeg)
        seen = driver.execute_script(PIXELS, "cam-live-img")
        healed("the MJPEG view", lambda d: d.execute_script(PIXELS, "cam-live-img")
               not in (None, seen))
        # The HTTP client: pictures again on the same signed URL.
        assert reader.since(back) > 0 or wait_until(lambda: reader.since(back) > 0,
                                                    max(0.1, back + HEAL_S - time.monotonic()),
                                                    "MJPEG parts after the restart")
        # The MSE view: video frames decode again (MSE, or MJPEG while it retries MSE).
        driver.switch_to.window(mse)
        state = driver.execute_script(PLAYBACK)

        def moving(d) -> bool:  # noqa: ANN001
            now = d.execute_script(PLAYBACK)
            if now["mode"] == "mse":
                return now["frames"] > state["frames"] + 10 and now["t"] > state["t"]
            return d.execute_script(PIXELS, "cam-live-img") is not None

        healed("the MSE view", moving)
        # And it ends on MSE again, not on the MJPEG fall-back.
        final = wait_for(driver, lambda d: (p := d.execute_script(PLAYBACK))["mode"] == "mse"
                         and p["frames"] > state["frames"] + 10 and p, timeout=30)
        assert final["opens"] >= 2  # it reopened the stream itself (no page reload)
    finally:
        if reader is not None:
            reader.stop()
        driver.quit()

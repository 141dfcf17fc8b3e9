"""The relay as its own service on another origin: signed URLs, CSP and CORS in real Chromium, revocation."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from selenium.webdriver.common.by import By

from accounts import users
from settings import from_env
from streams.access import DashboardCheck
from streams.routes import make_blueprint
from streams.server import BackgroundServer
from streams.service import StreamService
from streams.simulator import Simulator
from tests.browser.conftest import (
    LiveApp,
    console_errors,
    login_browser,
    make_driver,
    start_live_app,
    stop_live_app,
    wait_for,
)
from tests.streams.conftest import FAST_RELAY, camera, camera_set

pytestmark = pytest.mark.timeout(180)
TOKEN = "relay-browser-" + "k" * 32
CAMS = ["dam-0", "dam-1"]

# A signature of the picture: readable only if the relay allowed it (CORS) and CSP let it load.
PIXELS = """
const img = document.getElementById(arguments[0]);
if (!img || !img.naturalWidth) { return null; }
const c = document.createElement('canvas'); c.width = 64; c.height = 36;
const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0, 64, 36);
const d = ctx.getImageData(0, 0, 64, 36).data; let h = 0;
for (let i = 0; i < d.length; i += 4) { h = (h * 31 + d[i]) | 0; }
return h;
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveApp, Any, StreamService]]:
    sim = Simulator([(c, c.title(), False) for c in CAMS], fps=10.0).start()
    cams = [camera(c, f"http://127.0.0.1:{sim.port}/cam/{c}.mjpg") for c in CAMS]
    service = StreamService(camera_set(cams), simulate=False).start()
    relay_app = Flask("relay-service")
    relay_app.register_blueprint(make_blueprint(service, TOKEN))
    relay = BackgroundServer(relay_app).start()
    tmp: Path = tmp_path_factory.mktemp("relay-browser")
    (tmp / "cams.yaml").write_text(yaml.safe_dump({"relay": FAST_RELAY, "cameras": cams}), encoding="utf-8")
    settings = from_env({}, data_dir=tmp / "var", simulate=False, cameras=True, seed_years=1,
                        cameras_file=str(tmp / "cams.yaml"), relay_url=relay.url, relay_token=TOKEN,
                        relay_public_url=relay.url)  # another port: another origin, no nginx
    live = start_live_app(settings)
    service.watch_revocations(DashboardCheck(live.url, TOKEN))
    yield live, relay, service
    stop_live_app(live)
    relay.stop()
    service.stop()
    sim.stop()


def test_pages_show_video_from_the_relay_origin_and_a_revoked_user_is_cut(stack) -> None:
    live, relay, service = stack
    driver = make_driver(1280, 720)
    try:
        login_browser(driver, live)
        driver.get_log("browser")
        driver.get(live.url + "/cameras?cam=dam-0")
        src = wait_for(driver, lambda d: d.find_element(By.ID, "cam-live-img").get_attribute("src"))
        assert src.startswith(relay.url + "/streams/dam-0.mjpg?") and "sig=" in src and TOKEN not in src
        first = wait_for(driver, lambda d: d.execute_script(PIXELS, "cam-live-img"))
        wait_for(driver, lambda d: d.execute_script(PIXELS, "cam-live-img") not in (None, first), timeout=10)
        assert service.relay.hub.count() == 1  # straight from the relay, nothing through the dashboard
        driver.get(live.url + "/cameras")
        wait_for(driver, lambda d: d.execute_script(PIXELS, "cam-mosaic"))
        wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#cam-overlay .cam-tile")) == 2)
        assert console_errors(driver) == []  # no CSP violation, no CORS refusal
        # The account is disabled: its open stream ends within 5 s (the relay asks the dashboard).
        wait_for(driver, lambda d: service.relay.hub.count() == 1)
        users.disable(live.app.server.extensions["ops_db"], live.username)
        wait_for(driver, lambda d: service.relay.hub.count() == 0, timeout=5)
    finally:
        driver.quit()

"""Browser fixtures: the real app on a loopback port and headless Debian Chromium (Selenium)."""
from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from settings import Settings, from_env
from tests import helpers
from tests.servers import WaitressThread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


# One browser account per test process (its password is only ever in memory).
BROWSER_USER = "browser-staff"
BROWSER_PASSWORD = secrets.token_urlsafe(18)


@dataclass
class LiveApp:
    """A running app: its base URL, Dash app, settings and a staff account to sign in with."""

    url: str
    app: Any
    settings: Settings
    server: Any  # werkzeug's BaseWSGIServer or tests.servers.WaitressThread
    username: str = BROWSER_USER
    password: str = BROWSER_PASSWORD


def start_live_app(settings: Settings, waitress: bool = False) -> LiveApp:
    """Create the app (with the browser's staff account) and serve it on a loopback port:
    werkzeug's threaded server, or with `waitress` the server of `python app.py`."""
    from accounts import users
    from tests.apps import build_app

    app = build_app(settings, background=True)  # feeds and cameras as the settings say
    # A restart on the same data dir finds the account already there.
    with contextlib.suppress(users.UserError):
        users.add(app.server.extensions["ops_db"], BROWSER_USER, "staff", BROWSER_PASSWORD)
    if waitress:
        server: Any = WaitressThread(app.server, threads=16, ident="test")
    else:
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, name="live-app", daemon=True).start()
    return LiveApp(f"http://127.0.0.1:{server.server_port}", app, settings, server)


def login_browser(driver: webdriver.Chrome, live: LiveApp, next_path: str = "/healthz") -> None:
    """Sign in through the real /login form; lands on next_path (light by default)."""
    driver.get(f"{live.url}/login?next={next_path}")
    driver.find_element(By.ID, "username").send_keys(live.username)
    driver.find_element(By.ID, "password").send_keys(live.password)
    driver.find_element(By.ID, "login-submit").click()
    wait_for(driver, lambda d: "/login" not in d.current_url, timeout=10)


def stop_live_app(live: LiveApp) -> None:
    live.server.shutdown()
    for key in ("ops_feeds", "ops_streams", "ops_alerts"):
        service = live.app.server.extensions.get(key)
        if service is not None:
            service.stop()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """One app for the browser session: one year of history, fast live feeds, no cameras."""
    data_dir = tmp_path_factory.mktemp("browser-var")
    settings = from_env({}, data_dir=data_dir, simulate=True, feed_interval=1.0, cameras=False,
                        seed_years=2)
    live = start_live_app(settings)
    yield live
    stop_live_app(live)


def make_driver(width: int = 1920, height: int = 1080, *,
                self_signed_tls: bool = False) -> webdriver.Chrome:
    """Headless Chromium with console and network logs; fails loudly if Chromium is missing.
    self_signed_tls: accept the test's own certificate (nginx in front of the stack)."""
    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        pytest.fail("Debian packages chromium and chromium-driver are required (see .ci/run)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", "--hide-scrollbars", "--lang=vi"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.accept_insecure_certs = self_signed_tls
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # Window size includes browser chrome in some modes: set the viewport exactly.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": False})
    return driver


@pytest.fixture
def browser(live_app: LiveApp) -> Iterator[webdriver.Chrome]:
    """Headless Chromium signed in to live_app as its staff account."""
    driver = make_driver()
    try:
        login_browser(driver, live_app)
        driver.get_log("browser")  # start each test with an empty console
        yield driver
    finally:
        driver.quit()


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """Severe console messages since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def requested_hosts(driver: webdriver.Chrome) -> set[str]:
    """Hosts of every request the page made since the last call (from the performance log)."""
    hosts = set()
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            if url.startswith(("http://", "https://", "ws://", "wss://")):
                hosts.add(urlparse(url).hostname or "")
    return hosts


def wait_for(driver: webdriver.Chrome, condition: Callable[[webdriver.Chrome], Any],
             timeout: float = 20, describe: Callable[[], str] | None = None) -> Any:
    """Wait until condition(driver) is truthy; returns its value. On timeout the failure says
    `describe()`, what the screens showed then.

    Dash replaces components when callbacks answer (a language switch re-renders whole cards), so
    an element found a moment ago may be gone: that is "not yet", not a failure.
    """
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException as exc:
        if describe is None:
            raise
        raise TimeoutException(f"not within {timeout:g} s: {describe()}") from exc


def click(driver: webdriver.Chrome, element_id: str, timeout: float = 20) -> None:
    """Click the element with this id as a person would, finding it again if a callback
    replaced it between finding and clicking (the wall's live row re-renders every 3 s)."""
    def clicked(d: webdriver.Chrome) -> bool:
        d.find_element(By.ID, element_id).click()
        return True

    wait_for(driver, clicked, timeout)


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Save a screenshot under screenshots/ (git-ignored) for a person to look at."""
    out = Path(__file__).resolve().parents[2] / "screenshots"
    out.mkdir(exist_ok=True)
    path = out / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_all_live(live: LiveApp, timeout: float = 30) -> None:
    """Wait until every camera of the app's relay is LIVE."""
    service = live.app.server.extensions["ops_streams"]
    helpers.wait_for(lambda: all(s["state"] == "LIVE" for s in service.status()), timeout,
                     "every camera LIVE", interval=0.2)


# The bundled cameras' RTSP streams at test sizes (640x360 main, 320x180 sub): cheap to encode and read.
SMALL_SIM = {"main_width": 640, "main_height": 360, "main_fps": 25, "keyframe_s": 2.0,
             "sub_width": 320, "sub_height": 180, "sub_fps": 10, "sub_keyframe_s": 1.0}


def small_cameras_file(folder: Path) -> str:
    """The bundled 32 cameras (28 RTSP main+sub, 4 MJPEG) with the simulator at SMALL_SIM sizes."""
    import yaml

    from streams.config import BUNDLED_CAMERAS

    cameras = yaml.safe_load(BUNDLED_CAMERAS.read_text(encoding="utf-8"))
    cameras["simulator"] = SMALL_SIM
    file = folder / "cameras.yaml"
    file.write_text(yaml.safe_dump(cameras, allow_unicode=True), encoding="utf-8")
    return str(file)


@pytest.fixture(scope="module")
def cam_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The app with its 32 simulated dam cameras (the shared live_app runs without cameras)."""
    data_dir = tmp_path_factory.mktemp("cam-var")
    settings = from_env({}, data_dir=data_dir, simulate=True, cameras=True, seed_years=1, feed_interval=1.0,
                        cameras_file=small_cameras_file(data_dir))
    live = start_live_app(settings)
    wait_all_live(live)
    yield live
    stop_live_app(live)


"""Displays in real Chromium: a presenter and a follower, a timed playlist without blank frames,
changes and revocation reaching an open screen, a killed screen shown as lost."""
from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest
from selenium.webdriver.common.by import By

from accounts import users
from core.db import Database
from displays import registry
from settings import from_env
from tests.browser.conftest import (
    LiveApp,
    console_errors,
    login_browser,
    make_driver,
    screenshot,
    start_live_app,
    stop_live_app,
    wait_for,
)
from web.displays import EXTENSION_KEY as LIVE_KEY
from web.displays import HELD_KEY
from web.heldpolls import HeldPolls

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def disp_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The app without feeds or cameras (the displays need pages, not live data), under waitress
    as `python app.py` serves it, so following screens' polls are held (web/heldpolls.py)."""
    settings = from_env({}, data_dir=tmp_path_factory.mktemp("disp-var"), simulate=False,
                        cameras=False, seed_years=1)
    live = start_live_app(settings, waitress=True)
    yield live
    stop_live_app(live)


def _db(live: LiveApp) -> Database:
    return live.app.server.extensions["ops_db"]


def _open_display(live: LiveApp, name: str, **kwargs: Any) -> Any:
    _, secret = registry.create(_db(live), name, **kwargs)
    driver = make_driver(1280, 720)
    driver.get(f"{live.url}/display/{secret}")
    wait_for(driver, lambda d: d.execute_script(
        "return !!(window.opsDisplay && window.opsDisplay.config)"), timeout=20)
    return driver


def _where(driver: Any) -> str:
    return driver.execute_script("return window.location.pathname + window.location.search")


def _spa_go(driver: Any, url: str) -> None:
    """Navigate inside the app as its links do (pushState + Dash's event), not a reload."""
    driver.execute_script("window.history.pushState({}, '', arguments[0]);"
                          "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));", url)


def _follow_state(driver: Any) -> Any:
    """The follower script's own view of where it is going (for a failure's message)."""
    return driver.execute_script(
        "const d = window.opsDisplay || {}; return {seq: d.seq, ack: d.ack, ready: d.ready, "
        "showing: d.showing, navigating: d.navigating, followLoading: d.followLoading, "
        "err: d.err};")


def _settled(driver: Any, url: str) -> bool:
    """The driver shows url (pages may add their defaults to the query: from=, to=, ...)."""
    path, _, query = url.partition("?")
    now = _where(driver)
    return now.split("?")[0] == path and all(p in now.split("&") or "?" + p in now
                                             for p in query.split("&") if p)


def test_presenter_and_follower(disp_app: LiveApp) -> None:
    registry.save_playlist(_db(disp_app), "quick", registry.parse_lines("/savings 3\n/reporting 3"))
    follower = _open_display(disp_app, "Follower", place="BP02", mode="follow", playlist="quick")
    presenter = make_driver()
    held: HeldPolls = disp_app.app.server.extensions[HELD_KEY]
    try:
        login_browser(presenter, disp_app, "/savings")
        wait_for(presenter, lambda d: d.find_element(By.ID, "present-button").text == "Trình chiếu")
        wait_for(follower, lambda d: _where(d) in ("/savings", "/reporting"))  # its playlist
        presenter.find_element(By.ID, "present-button").click()
        wait_for(presenter, lambda d: "Đang trình chiếu" in d.find_element(By.ID, "present-status").text)
        follower.execute_script(UNPAINTED_SAMPLER)
        live = disp_app.app.server.extensions[LIVE_KEY]
        painted: dict[str, float] = {}
        for url in ("/reporting", "/indicators/GDP_GROWTH", "/indicators/GDP_GROWTH?region=01",
                    "/indicators/GDP_GROWTH?region=04", "/cameras?cam=hoa-binh", "/savings", "/"):
            before = (live.display_beat_of("Follower") or {}).get("ready")
            clicked = time.time()
            _spa_go(presenter, url)
            wait_for(follower, lambda d, u=url: _settled(presenter, u)
                     and _where(d) == _where(presenter), timeout=20,
                     describe=lambda u=url: f"after {u}: the presenter at {_where(presenter)}, "
                     f"the follower at {_where(follower)}, its state {_follow_state(follower)}")
            # The follower says "ready" once the new page is painted with its data (the cover
            # lifted): the server's time of that, from the presenter's click.
            wait_for(follower, lambda _d, b=before: (live.display_beat_of("Follower") or {}
                                                     ).get("ready") not in (None, b), timeout=20)
            painted[url] = live.display_beat_of("Follower")["ready_at"] - clicked
        # The follower kept the previous page on top until the new one had its title and graphs:
        # no frame showed a graph still 'đang tải' or a page without its title.
        unpainted = follower.execute_script("return window.__unpainted")
        assert unpainted == [], ("painted too early", unpainted, painted)
        # From the presenter's click to the follower's painted page: within 2 s for the median
        # page, each page's first visit in a fresh browser and app included (bench/displays.py
        # measures the p95, warm, with 120 followers); none lost (each waited up to 20 s).
        times = sorted(painted.values())
        assert times[len(times) // 2] < 2.0, painted
        banner = follower.find_element(By.ID, "display-banner").text
        # Vietnamese on a Vietnamese screen, the presenter by name (the login when no full name).
        assert banner == f"Đang trình chiếu: {disp_app.username}", banner
        assert held.answered >= 6  # the follower's polls were held and answered at each change
        wait_for(presenter, lambda d: "1 màn hình" in d.find_element(By.ID, "present-status").text)
        screenshot(follower, "displays-follower")
        # A control of the page itself (the indicator page's dropdowns rewrite the address bar).
        _spa_go(presenter, "/indicators/GDP_GROWTH?region=01")
        wait_for(follower, lambda d: _settled(presenter, "/indicators/GDP_GROWTH?region=01")
                 and _where(d) == _where(presenter), timeout=20)

        presenter.find_element(By.ID, "present-button").click()  # stop
        wait_for(follower, lambda d: not d.find_elements(By.ID, "display-banner"), timeout=10)
        wait_for(follower, lambda d: _where(d) in ("/savings", "/reporting"), timeout=10)
        # plotly.js itself may throw "reading 'typesetMath'" when a graph is unmounted while it
        # still draws (the follower leaves a page within a second of opening it); nothing shows.
        # Every other console error fails the test.
        assert [e for e in console_errors(follower) if "typesetMath" not in e] == []
        assert console_errors(presenter) == []
    finally:
        follower.quit()
        presenter.quit()


UNPAINTED_SAMPLER = """
window.__unpainted = [];
(function tick() {
  if (!document.getElementById("display-freeze")) {
    const title = document.querySelector("#page .pg-title");
    const notes = [...document.querySelectorAll("#page .js-plotly-plot .annotation-text")]
      .map(n => n.textContent.trim()).filter(t => t === "Đang tải…" || t === "Loading…");
    if (((title && !title.textContent.trim()) || notes.length) && window.__unpainted.length < 50) {
      window.__unpainted.push(location.pathname + location.search + " " + notes.length);
    }
  }
  requestAnimationFrame(tick);
})();
"""

FRAME_SAMPLER = """
window.__frames = {total: 0, loading: []};
(function tick() {
  const f = window.__frames;
  f.total += 1;
  const cover = document.getElementById("display-freeze");
  if (!cover && document.querySelector("#page [data-dash-is-loading='true']")
      && f.loading.length < 1000) { f.loading.push(performance.now()); }
  requestAnimationFrame(tick);
})();
"""


def _key(url: str) -> str:
    """A shown URL without the defaults the page adds to its query (from=, to=, period=)."""
    path, _, query = url.partition("?")
    region = [p for p in query.split("&") if p.startswith("region=")]
    return path + ("?" + region[0] if region else "")


def _blank(png: bytes) -> bool:
    """A screenshot whose page area (below the header) is one flat colour."""
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    page = image[image.shape[0] // 8:, :]
    return float(page.std()) < 4.0


def test_playlist_timing_no_blank_frame_then_mode_change_and_revocation(disp_app: LiveApp) -> None:
    items = registry.parse_lines("/savings 5\n/reporting 6\n/indicators/GDP_GROWTH 5 provinces=01,04")
    registry.save_playlist(_db(disp_app), "timed", items)
    screen = _open_display(disp_app, "Timed", place="BP03", mode="playlist", playlist="timed")
    try:
        assert "kiosk" in screen.find_element(By.ID, "shell").get_attribute("class")
        # A round of 4 steps (21 s) and the next item; screenshots all along, checked for blanks.
        screen.execute_script(FRAME_SAMPLER)
        shots, deadline = [], time.monotonic() + 60
        while len(screen.execute_script("return window.opsDisplay.reveals")) < 6:
            assert time.monotonic() < deadline, "the playlist did not advance"
            shots.append(screen.get_screenshot_as_png())
            time.sleep(0.2)  # the sampling cadence: screenshots cost the shared CPU
        reveals = screen.execute_script("return window.opsDisplay.reveals")
        urls = [_key(r["url"]) for r in reveals]
        assert urls[:6] == ["/savings", "/reporting", "/indicators/GDP_GROWTH?region=01",
                            "/indicators/GDP_GROWTH?region=04", "/savings", "/reporting"], urls
        assert len(shots) >= 10
        blank = [n for n, png in enumerate(shots) if _blank(png)]
        assert not blank, f"{len(blank)} blank screenshots of {len(shots)}"
        # Every animation frame: the screen shows a cover (the old page) or a page whose
        # callbacks have answered (these pages have no timers: any loading frame is a switch).
        frames = screen.execute_script("return window.__frames")
        assert frames["total"] > 100 and frames["loading"] == [], (
            frames["total"], len(frames["loading"]))

        seconds = {"/savings": 5, "/reporting": 6}
        for before, after in zip(reveals, reveals[1:], strict=False):
            want = seconds.get(_key(before["url"]), 5)
            got = (after["t"] - before["t"]) / 1000
            assert abs(got - want) <= 0.1 * want, (before["url"], got, want)
        # A change from another process (the CLI) reaches the open screen within 5 s.
        other = Database(_db(disp_app).url)
        started = time.monotonic()
        registry.update(other, "Timed", mode="page", page="/indicators/GDP_GROWTH?region=79")
        wait_for(screen, lambda d: _settled(d, "/indicators/GDP_GROWTH?region=79"), timeout=5)
        assert time.monotonic() - started < 5
        started = time.monotonic()
        registry.revoke(other, "Timed")
        wait_for(screen, lambda d: d.find_elements(By.ID, "display-revoked"), timeout=5)
        assert time.monotonic() - started < 5
        other.dispose()
    finally:
        screen.quit()


def test_admin_page_creates_a_display_and_a_killed_one_shows_lost(disp_app: LiveApp) -> None:
    with contextlib.suppress(users.UserError):
        users.add(_db(disp_app), "browser-admin", "admin", disp_app.password)
    admin_live = dataclasses.replace(disp_app, username="browser-admin")
    admin = make_driver()
    screen = None
    try:
        login_browser(admin, admin_live, "/admin/displays")
        wait_for(admin, lambda d: d.find_element(By.ID, "adm-pl-items").get_attribute("value"))
        admin.find_element(By.CSS_SELECTOR, "#adm-new-name").send_keys("Bac Ninh")
        admin.find_element(By.ID, "adm-create").click()
        link = wait_for(admin, lambda d: d.find_element(By.ID, "adm-new-link").text)
        assert link.startswith("/display/opsd_")
        screen = make_driver(1280, 720)
        screen.get(disp_app.url + link)
        wait_for(screen, lambda d: d.execute_script(
            "return !!(window.opsDisplay && window.opsDisplay.config)"))

        admin.get(disp_app.url + "/displays")
        row = "tr[data-name='Bac Ninh'] .ds-state"
        wait_for(admin, lambda d: "Kết nối" in d.find_element(By.CSS_SELECTOR, row).text)
        screen.quit()
        screen, killed = None, time.monotonic()
        wait_for(admin, lambda d: "Mất kết nối" in d.find_element(By.CSS_SELECTOR, row).text,
                 timeout=20)
        assert time.monotonic() - killed < 20
        screenshot(admin, "displays-status")
    finally:
        admin.quit()
        if screen is not None:
            screen.quit()


FRACTION = "return window.scrollY / document.documentElement.scrollHeight"


def test_follower_follows_the_presenters_scroll(disp_app: LiveApp) -> None:
    """The presenter scrolls /indicators/GDP_GROWTH down to the provinces: a follower of another
    size shows the same part of the page (the same fraction of its content) within 1 s."""
    follower = _open_display(disp_app, "Scroller", place="BP03", mode="follow")
    presenter = make_driver()
    try:
        login_browser(presenter, disp_app, "/indicators/GDP_GROWTH")
        wait_for(presenter, lambda d: d.find_element(By.ID, "present-button").text == "Trình chiếu")
        presenter.find_element(By.ID, "present-button").click()
        wait_for(presenter, lambda d: "Đang trình chiếu" in d.find_element(By.ID, "present-status").text)
        wait_for(follower, lambda d: _where(d).startswith("/indicators/GDP_GROWTH")
                 and not d.find_elements(By.ID, "display-freeze"), timeout=20)
        wait_for(presenter, lambda d: d.execute_script(
            "return document.documentElement.scrollHeight > innerHeight * 1.5"))
        took = []
        for share in (0.25, 0.5, 0.75, 1.0):
            presenter.execute_script(
                f"window.scrollTo(0, document.documentElement.scrollHeight * {share});")
            target = presenter.execute_script(FRACTION)
            assert target > 0.1
            started = time.monotonic()
            wait_for(follower, lambda d, f=target: abs(d.execute_script(FRACTION) - f) < 0.03,
                     timeout=6)
            took.append(time.monotonic() - started)
        # Within 1 s (+ the poll of this check) for the median scroll; none lost (the 6 s wait).
        assert sorted(took)[len(took) // 2] < 1.0 + 0.2, took
        screenshot(follower, "displays-follower-scrolled")
        presenter.find_element(By.ID, "present-button").click()
    finally:
        follower.quit()
        presenter.quit()

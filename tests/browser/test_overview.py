"""The wall overview in a real browser: figures, live ticking, language, offline, fits the wall."""
from __future__ import annotations

import re
import secrets
import time

from selenium.webdriver.common.by import By

from tests.browser.conftest import (
    LiveApp,
    console_errors,
    make_driver,
    requested_hosts,
    screenshot,
    wait_for,
)

FITS = """return [document.documentElement.scrollHeight, innerHeight,
                  document.documentElement.scrollWidth, innerWidth]"""
# Key numbers that are cut off (ellipsis or overflow) would be unreadable on the wall.
CLIPPED = """return [...document.querySelectorAll(
    '#overview .kpi-value, #overview .ind-value, #overview .ind-period, #overview .ov-sys-value')]
  .filter(e => e.scrollWidth > e.clientWidth + 1
            || e.getBoundingClientRect().right > e.closest('.ov-panel, .ind-tile')
                                                  .getBoundingClientRect().right + 1)
  .map(e => e.id || e.className + ':' + e.textContent)"""


# The strip's snapshots: [src, loaded, a hash of the picture] (same origin: the canvas is readable).
SHOTS = """return [...document.querySelectorAll('#cam-strip .cam-shot-img')].map(img => {
  if (!img.complete || !img.naturalWidth) { return [img.getAttribute('src'), false, 0]; }
  const c = document.createElement('canvas');
  c.width = 64; c.height = 36;
  const ctx = c.getContext('2d', {willReadFrequently: true});
  ctx.drawImage(img, 0, 0, 64, 36);
  let h = 0;
  for (const v of ctx.getImageData(0, 0, 64, 36).data) { h = (h * 31 + v) | 0; }
  return [img.getAttribute('src'), true, h];
})"""


def _text(driver, element_id: str) -> str:
    """An element's visible text, read in one step (Dash re-renders: no stale references)."""
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.innerText.trim() : '';",
        element_id)


def open_wall(live_app, driver, path: str = "/") -> None:
    """Sign the browser in as a wall display (its display link, as a real wall does), then open
    the page. The display link itself lands on /?kiosk=1."""
    from accounts import tokens

    database = live_app.app.server.extensions["ops_db"]
    _id, token = tokens.create_display(database, f"test-wall-{secrets.token_hex(3)}")
    driver.get(f"{live_app.url}/display/{token}")
    wait_for(driver, lambda d: "/display/" not in d.current_url)
    if path != "/?kiosk=1":
        driver.get(live_app.url + path)


def _loaded(driver) -> bool:
    return (_text(driver, "overview-savings-total") != ""
            and len(driver.find_elements(By.CSS_SELECTOR, "#overview-tiles .ind-value")) >= 8
            and _text(driver, "overview-live-RT_POWER") not in ("", "—")
            and _text(driver, "overview-cumulative") != ""
            and _text(driver, "data-as-of") != "")


def _assert_fits(driver) -> None:
    height, inner_h, width, inner_w = driver.execute_script(FITS)
    assert height <= inner_h and width <= inner_w, (height, inner_h, width, inner_w)
    assert driver.execute_script(CLIPPED) == []


def test_overview_figures_live_and_fit_1080(live_app, browser) -> None:
    open_wall(live_app, browser, "/")
    wait_for(browser, _loaded)

    assert _text(browser, "overview-savings-total") == "9.900"
    assert "hơn" in _text(browser, "overview-savings-card")
    for system, figure in (("public_service_portal", "8.100"), ("document_axis", "1.200"),
                           ("e_cabinet", "169"), ("reporting_system", "460")):
        assert figure in _text(browser, f"overview-sys-{system}")
    tiles = browser.find_elements(By.CSS_SELECTOR, "#overview-tiles .ind-tile")
    assert 8 <= len(tiles) <= 12
    for tile in tiles:
        assert tile.find_element(By.CLASS_NAME, "ind-value").text.strip()
        assert tile.find_element(By.CLASS_NAME, "ind-period").text.strip()
    assert _text(browser, "overview-portal-services") == "2.800"
    assert "Số liệu đến" in _text(browser, "data-as-of")

    # Live feeds tick (server poll every 3 s); the savings estimate is in tens of billions, no
    # ticking decimals, with its basis (the browser keeps it current: the same figure).
    power, updated = _text(browser, "overview-live-RT_POWER"), _text(browser, "overview-live-updated")
    saved = _text(browser, "overview-cumulative")
    wait_for(browser, lambda d: _text(d, "overview-live-updated") not in ("", updated))
    wait_for(browser, lambda d: _text(d, "overview-live-RT_POWER") not in ("", "—", power))
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+", saved) and saved.endswith("0"), saved
    assert _text(browser, "overview-cumulative") == saved  # seconds later: not a ticking meter
    assert _text(browser, "overview-cumulative-basis") == "Ước tính từ số liệu công bố 03/2021"

    _assert_fits(browser)
    screenshot(browser, "overview-1080")
    assert console_errors(browser) == []
    assert requested_hosts(browser) <= {"127.0.0.1"}


def test_overview_language_switch(live_app, browser) -> None:
    # As the signed-in staff member, not as a display: a display tab stays in kiosk mode, whose
    # header hides the navigation and with it the language switch.
    browser.get(live_app.url + "/")
    wait_for(browser, _loaded)
    assert "TIẾT KIỆM" in _text(browser, "overview-savings").upper()
    browser.find_element(By.ID, "lang-switch").click()
    wait_for(browser, lambda d: _text(d, "overview-savings-total") == "9,900")
    wait_for(browser, lambda d: "vs last year" in _text(d, "overview-tiles"))
    assert "SOCIAL COST SAVED" in _text(browser, "overview-savings").upper()
    assert "more than" in _text(browser, "overview-savings-card")
    assert "8,100" in _text(browser, "overview-sys-public_service_portal")
    assert _text(browser, "overview-portal-services") == "2,800"
    assert "Data as of" in _text(browser, "data-as-of")
    wait_for(browser, lambda d: re.fullmatch(r"\d{1,3}(,\d{3})+",  # 68,550: English grouping
                                             _text(d, "overview-cumulative")))
    assert _text(browser, "overview-cumulative").endswith("0")
    assert _text(browser, "overview-cumulative-basis") == "Estimate from figures published 03/2021"
    _assert_fits(browser)
    screenshot(browser, "overview-1080-en")
    assert console_errors(browser) == []
    assert requested_hosts(browser) <= {"127.0.0.1"}


def test_overview_fits_4k_and_kiosk(live_app) -> None:
    driver = make_driver(3840, 2160)
    try:
        open_wall(live_app, driver, "/?kiosk=1")
        wait_for(driver, _loaded)
        wait_for(driver, lambda d: "kiosk" in d.find_element(By.ID, "shell").get_attribute("class"))
        assert not driver.find_element(By.ID, "nav").is_displayed()
        _assert_fits(driver)
        screenshot(driver, "overview-2160")
        assert console_errors(driver) == []
        assert requested_hosts(driver) <= {"127.0.0.1"}
    finally:
        driver.quit()


def test_overview_camera_strip_moves_and_names_cameras_down(cam_app: LiveApp) -> None:
    service = cam_app.app.server.extensions["ops_streams"]
    driver = make_driver(1920, 1080)
    cam = "thac-ba"
    try:
        open_wall(cam_app, driver, "/")
        wait_for(driver, _loaded)
        # Snapshots load, then rotate to other dams with new pictures (every 3 s).
        first = wait_for(driver, lambda d: (shots := d.execute_script(SHOTS)) and len(shots) == 5
                         and all(loaded for _src, loaded, _h in shots) and shots)
        assert all(re.fullmatch(r"/streams/[a-z0-9-]+\.jpg\?w=320&t=\d+", src)
                   for src, _l, _h in first)
        wait_for(driver, lambda d: (shots := d.execute_script(SHOTS)) and len(shots) == 5
                 and all(loaded for _src, loaded, _h in shots)
                 and {src for src, _l, _h in shots}.isdisjoint(src for src, _l, _h in first)
                 and {h for _s, _l, h in shots} != {h for _s, _l, h in first}, timeout=10)
        names = driver.find_elements(By.CSS_SELECTOR, "#cam-strip .cam-shot-name")
        assert all(n.text.strip() for n in names)
        assert driver.find_element(By.CSS_SELECTOR, "#cam-strip .cam-shot").get_attribute(
            "href").split("/", 3)[3].startswith("cameras?cam=")
        wait_for(driver, lambda d: _text(d, "cam-strip-live").startswith("32/32"))
        assert "Camera: 32/32" in _text(driver, "overview-camera-strip")

        # A camera stops: the alerts strip names it within ~5 s, and the counts follow.
        service.simulator.stop_camera(cam)
        started = time.monotonic()
        wait_for(driver, lambda d: "Thác Bà" in _text(d, "overview-camera-strip"), timeout=6)
        assert time.monotonic() - started < 6.0
        assert "Camera mất tín hiệu (1/32)" in _text(driver, "overview-camera-strip")
        wait_for(driver, lambda d: _text(d, "cam-strip-live").startswith("31/32"))
        _assert_fits(driver)
        screenshot(driver, "overview-1080-cams")
        # The same page on a 4K wall: still no scrolling, nothing cut off.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 3840, "height": 2160, "deviceScaleFactor": 1,
                                "mobile": False})
        wait_for(driver, lambda d: d.execute_script("return innerWidth") == 3840)
        _assert_fits(driver)
        screenshot(driver, "overview-2160-cams")
        # A snapshot asked for in the second before the status noticed may answer 503.
        assert [e for e in console_errors(driver) if f"/streams/{cam}.jpg" not in e] == []
        assert requested_hosts(driver) <= {"127.0.0.1"}
        assert "sim://" not in driver.page_source
    finally:
        service.simulator.start_camera(cam)
        driver.quit()

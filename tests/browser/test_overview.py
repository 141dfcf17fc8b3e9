"""The wall overview in a real browser: figures, live ticking, language, offline, fits the wall."""
from __future__ import annotations

import re
import secrets

from selenium.webdriver.common.by import By

from tests.browser.conftest import (
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


def _text(driver, element_id: str) -> str:
    """An element's visible text, read in one step (Dash re-renders: no stale references)."""
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.innerText.trim() : '';",
        element_id)


def open_wall(live_app, driver, path: str = "/") -> None:
    """Sign the browser in as a wall display (its display link, as a real wall does), then open
    the page. The display link itself lands on /?kiosk=1."""
    from data import tokens

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

    # Live feeds tick (server poll every 3 s) and the savings estimate counts up (browser).
    power, updated = _text(browser, "overview-live-RT_POWER"), _text(browser, "overview-live-updated")
    saved = _text(browser, "overview-cumulative")
    wait_for(browser, lambda d: _text(d, "overview-live-updated") not in ("", updated))
    wait_for(browser, lambda d: _text(d, "overview-live-RT_POWER") not in ("", "—", power))
    wait_for(browser, lambda d: _text(d, "overview-cumulative") not in ("", saved))
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{4}", _text(browser, "overview-cumulative"))

    _assert_fits(browser)
    screenshot(browser, "overview-1080")
    assert console_errors(browser) == []
    assert requested_hosts(browser) <= {"127.0.0.1"}


def test_overview_language_switch(live_app, browser) -> None:
    open_wall(live_app, browser, "/")
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
    wait_for(browser, lambda d: re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{4}",
                                             _text(d, "overview-cumulative")))  # 67,985.6912
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

"""Drilling down from the wall: tiles open their indicator, alerts their subject, the tasks panel
/tasks; on a kiosk wall the same elements are inert."""
from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.browser.conftest import click, make_driver, wait_for
from tests.browser.test_overview import _loaded, open_wall

HREFS = """return [...document.querySelectorAll('#overview a.drill')].map(
  a => [a.id || a.className, new URL(a.href).pathname + new URL(a.href).search,
        getComputedStyle(a.firstElementChild || a).pointerEvents,
        getComputedStyle(a).pointerEvents])"""


def test_tiles_alerts_and_tasks_drill_down(live_app, browser) -> None:
    browser.get(live_app.url + "/?kiosk=0")
    wait_for(browser, _loaded)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-alerts a.al-item"))
    links = browser.execute_script(HREFS)
    tiles = [href for ident, href, *_ in links if ident.startswith("overview-drill-")]
    assert len(tiles) >= 8 and all(h.startswith("/indicators/") for h in tiles), links
    alerts = [href for ident, href, *_ in links if ident.startswith("wall-alert-")]
    assert alerts and all(h.split("?")[0] in ("/reporting", "/cameras", "/displays", "/tasks")
                          or h.startswith("/indicators/") for h in alerts), alerts
    assert any(h.startswith("/tasks") for ident, h, *_ in links if ident == "tasks-panel")

    click(browser, "overview-tile-CPI_YOY")
    wait_for(browser, lambda d: d.current_url.endswith("/indicators/CPI_YOY"))
    browser.back()
    wait_for(browser, _loaded)
    target = browser.execute_script(
        "const a = document.querySelector('#wall-alerts a.al-item'); return [a.id, a.href];")
    click(browser, target[0])
    wait_for(browser, lambda d: d.current_url == target[1])


def test_kiosk_wall_has_no_live_links(live_app) -> None:
    driver = make_driver()
    try:
        open_wall(live_app, driver, "/?kiosk=1")
        wait_for(driver, _loaded)
        wait_for(driver, lambda d: "kiosk" in d.find_element(By.ID, "shell").get_attribute("class"))
        links = driver.execute_script(HREFS)
        assert links and all(style == "none" for *_, style in links), links
        # A click where the tile is (as a finger on a touch wall would) goes nowhere.
        ActionChains(driver).move_to_element(
            driver.find_element(By.CSS_SELECTOR, "#overview-tiles .ind-tile")).click().perform()
        driver.execute_async_script("const done = arguments[0]; setTimeout(done, 500);")
        assert driver.execute_script("return location.pathname") == "/"
    finally:
        driver.quit()

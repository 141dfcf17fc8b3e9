"""The province map in a real browser: 34 shapes, both archipelagos named, click to drill, offline."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from tests.browser.conftest import (
    LiveApp,
    console_errors,
    login_browser,
    make_driver,
    requested_hosts,
    screenshot,
    wait_for,
)

# Paths of the choropleth traces with the province code plotly bound to each.
SHAPES_JS = """
return Array.from(document.querySelectorAll('#ind-map path.choroplethlocation'))
  .map(p => [p.closest('g.trace') ? p.closest('g.trace').__data__[0].trace.name : '',
             p.__data__ && p.__data__.loc]);
"""
TEXTS_JS = """
return Array.from(document.querySelectorAll('#ind-map .geolayer text'))
  .map(t => t.textContent);
"""


def _shapes(driver) -> list[list[str]]:
    return driver.execute_script(SHAPES_JS) or []


def test_map_draws_34_provinces_and_both_archipelagos_and_drills_in(live_app: LiveApp,
                                                                     browser) -> None:
    browser.get(live_app.url + "/indicators/CPI_YOY?region=01")
    wait_for(browser, lambda d: len({loc for name, loc in _shapes(d) if name != "selected"}) == 34)
    shapes = _shapes(browser)
    assert sorted(loc for name, loc in shapes if name == "selected") == ["01"]
    texts = browser.execute_script(TEXTS_JS)
    # Each archipelago's label names it, its province and the country.
    assert any("QĐ. Hoàng Sa" in x and "Đà Nẵng" in x and "Việt Nam" in x for x in texts)
    assert any("QĐ. Trường Sa" in x and "Khánh Hòa" in x and "Việt Nam" in x for x in texts)
    assert any(x.startswith("Hà Nội") for x in texts)  # the selected province is always labelled
    # Hoàng Sa is drawn as part of Đà Nẵng: its shape reaches far east of Quảng Ngãi's coast.
    right = browser.execute_script("""
        const box = code => Array.from(document.querySelectorAll('#ind-map path.choroplethlocation'))
          .find(p => p.__data__ && p.__data__.loc === code).getBoundingClientRect().right;
        return [box('48'), box('51')];""")
    assert right[0] > right[1] + 100

    # A click on Gia Lai (a compact province) drills into it: picker, series and URL follow.
    target = browser.execute_script("""
        return Array.from(document.querySelectorAll('#ind-map path.choroplethlocation'))
          .find(p => p.__data__ && p.__data__.loc === '52' &&
                     p.closest('g.trace').__data__[0].trace.name !== 'selected');""")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    ActionChains(browser).move_to_element(target).click().perform()
    wait_for(browser, lambda d: "region=52" in d.current_url)
    wait_for(browser, lambda d: sorted(loc for name, loc in _shapes(d) if name == "selected") == ["52"])
    assert console_errors(browser) == []
    assert requested_hosts(browser) <= {"127.0.0.1"}


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def test_indicator_page_screenshots(live_app: LiveApp, size: tuple[int, int]) -> None:
    driver = make_driver(*size)
    try:
        login_browser(driver, live_app)
        driver.get(live_app.url + "/indicators/CPI_YOY?region=48")
        wait_for(driver, lambda d: len(_shapes(d)) >= 34)
        driver.execute_script("document.getElementById('ind-compare').scrollIntoView()")
        screenshot(driver, f"map-indicators-{size[0]}")
        assert requested_hosts(driver) <= {"127.0.0.1"}
    finally:
        driver.quit()


CAM_MAP_JS = """
const paths = document.querySelectorAll('#cam-map path.choroplethlocation').length;
const dams = document.querySelectorAll('#cam-map .scattergeo path.point').length;
const texts = Array.from(document.querySelectorAll('#cam-map .geolayer text')).map(t => t.textContent);
return [paths, dams, texts.join(' ')];
"""


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def test_camera_page_map_shows_dams_on_the_provinces(cam_app: LiveApp, size: tuple[int, int]) -> None:
    driver = make_driver(*size)
    try:
        login_browser(driver, cam_app)
        driver.get(cam_app.url + "/cameras")
        wait_for(driver, lambda d: d.execute_script(CAM_MAP_JS)[0] == 34 and
                 d.execute_script(CAM_MAP_JS)[1] >= 32, timeout=30)
        _paths, _dams, texts = driver.execute_script(CAM_MAP_JS)
        assert "QĐ. Hoàng Sa" in texts and "QĐ. Trường Sa" in texts
        screenshot(driver, f"map-cameras-{size[0]}")
        assert console_errors(driver) == []
        assert requested_hosts(driver) <= {"127.0.0.1"}
    finally:
        driver.quit()

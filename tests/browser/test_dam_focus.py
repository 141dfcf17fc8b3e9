"""The dams on the camera pages in headless Chromium: numbers on every tile, the focus view's
7-day chart against its reference lines, during the simulated flood seeded at init."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from dams.queries import latest_of
from tests.browser.conftest import LiveApp, console_errors, login_browser, make_driver, wait_for

pytestmark = pytest.mark.timeout(180)
SHOTS = Path(os.environ.get("OPS_SHOTS_DIR", Path(__file__).resolve().parents[2] / "screenshots"))

CHART = """
const g = document.querySelector('#cam-dam-chart .js-plotly-plot');
if (!g || !g.data || !g.data.length || !g.layout) { return null; }  // not yet: 'đang tải' has no trace
return {names: g.data.map(t => t.name), points: g.data[0].x.length,
        lines: (g.layout.shapes || []).map(s => s.y0),
        drawn: g.querySelectorAll('.scatterlayer .trace path.js-line').length};
"""


@pytest.fixture
def browser(cam_app: LiveApp) -> Iterator[object]:
    driver = make_driver(1920, 1080)
    try:
        login_browser(driver, cam_app)
        driver.get_log("browser")
        yield driver
    finally:
        driver.quit()


def _spilling(cam_app: LiveApp) -> dict:
    """A dam the seeded flood has opened gates at (the demonstration flood runs through several)."""
    dams = latest_of(cam_app.app.server.extensions["ops_db"])
    flooded = [d for d in dams if d["latest"] and d["latest"]["gates_open"]]
    assert flooded, "the demonstration flood opened gates somewhere"
    return flooded[0]


def _shot(browser, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def test_tiles_show_level_and_discharge(cam_app: LiveApp, browser) -> None:
    dam = _spilling(cam_app)
    browser.get(cam_app.url + "/cameras")
    tile = f"cam-tile-{dam['camera']}"
    text = wait_for(browser, lambda d: "m³/s" in d.find_element(By.ID, tile).text
                    and d.find_element(By.ID, tile).text)
    assert " m" in text and "cửa" in text  # level, discharge, gates open
    assert len(browser.find_elements(By.CSS_SELECTOR, "#cam-overlay .dam-water")) == 32
    wait_for(browser, lambda d: d.execute_script(
        "const i = document.getElementById('cam-mosaic'); return i && i.naturalWidth > 0;"))
    _shot(browser, "dams-cameras")


def test_focus_view_chart(cam_app: LiveApp, browser) -> None:
    dam = _spilling(cam_app)
    browser.get(cam_app.url + f"/cameras?cam={dam['camera']}")
    chart = wait_for(browser, lambda d: (c := d.execute_script(CHART)) and c["drawn"] == 3 and c)
    assert chart["names"] == ["Mực nước", "Lưu lượng về", "Tổng lưu lượng xả"]
    assert chart["points"] > 200  # 7 days: hourly, then every 10 minutes, then live
    ref = dam["reference"]
    assert {ref["normal_level_m"], ref["flood_limit_m"], ref["dead_level_m"]} <= set(chart["lines"])
    now = browser.find_element(By.ID, "cam-dam-now").text
    assert "ĐANG XẢ LŨ" in now and f"/{ref['spill_gates']}" in now  # gates open of the dam's
    # The picture beside the chart (its playback is tested in test_camera_live.py).
    wait_for(browser, lambda d: d.execute_script(
        "const v = document.getElementById('cam-live-video'), i = document.getElementById('cam-live-img');"
        "return (v && v.readyState >= 2) || (i && i.naturalWidth > 0);"), timeout=60)
    _shot(browser, "dams-focus")
    assert console_errors(browser) == []


def test_wall_and_focus_on_a_4k_wall(cam_app: LiveApp) -> None:
    """The same pages on a 3840x2160 wall: numbers and chart drawn at its size."""
    dam = _spilling(cam_app)
    driver = make_driver(3840, 2160)
    try:
        login_browser(driver, cam_app)
        driver.get(cam_app.url + "/cameras")
        wait_for(driver, lambda d: "m³/s" in d.find_element(By.ID, f"cam-tile-{dam['camera']}").text)
        wait_for(driver, lambda d: d.execute_script(
            "const i = document.getElementById('cam-mosaic'); return i && i.naturalWidth >= 3840;"))
        _shot(driver, "dams-cameras-4k")
        driver.get(cam_app.url + f"/cameras?cam={dam['camera']}")
        wait_for(driver, lambda d: (c := d.execute_script(CHART)) and c["drawn"] == 3)
        _shot(driver, "dams-focus-4k")
    finally:
        driver.quit()

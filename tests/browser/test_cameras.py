"""The camera wall in headless Chromium: 32 moving tiles, live callbacks, OFFLINE within 5 s."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import (
    LiveApp,
    console_errors,
    login_browser,
    make_driver,
    requested_hosts,
    screenshot,
    wait_for,
)

pytestmark = pytest.mark.timeout(180)

# Hash the picture under every overlay cell (upper part: the label band is static).
TILE_HASHES = """
const img = document.getElementById('cam-mosaic');
const overlay = document.getElementById('cam-overlay');
if (!img || !overlay || !img.naturalWidth) { return null; }
const n = overlay.children.length;
const cols = getComputedStyle(overlay).gridTemplateColumns.split(' ').length;
const rows = Math.ceil(n / cols);
const c = document.createElement('canvas');
c.width = img.naturalWidth; c.height = img.naturalHeight;
const ctx = c.getContext('2d', {willReadFrequently: true});
ctx.drawImage(img, 0, 0);
const tw = c.width / cols, th = c.height / rows, out = [];
for (let i = 0; i < n; i++) {
  const x = Math.floor((i % cols) * tw) + 4, y = Math.floor(Math.floor(i / cols) * th) + 4;
  const d = ctx.getImageData(x, y, Math.floor(tw) - 8, Math.floor(th * 0.7)).data;
  let h = 0;
  for (let j = 0; j < d.length; j += 12) { h = (h * 31 + d[j]) | 0; }
  out.push(h);
}
return out;
"""


@pytest.fixture
def browser(cam_app: LiveApp) -> Iterator[object]:
    """Headless Chromium at 1920x1080 signed in to the camera app (the shared one has no cameras)."""
    driver = make_driver(1920, 1080)
    try:
        login_browser(driver, cam_app)
        driver.get_log("browser")
        yield driver
    finally:
        driver.quit()


def tile_class(driver, cam_id: str) -> str:
    """Class of a tile, read in the page (tiles are re-rendered every poll: no stale handles)."""
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.className : '';", f"cam-tile-{cam_id}")


def tile_text(driver, cam_id: str) -> str:
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.textContent : '';", f"cam-tile-{cam_id}")


def test_wall_all_tiles_move_and_page_stays_live(cam_app: LiveApp, browser) -> None:
    service = cam_app.app.server.extensions["ops_streams"]
    browser.get(cam_app.url + "/cameras")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#cam-overlay .cam-tile")) == 32)
    # All 32 tiles change: sample the mosaic until every tile differs from the first sample.
    first = wait_for(browser, lambda d: d.execute_script(TILE_HASHES))
    assert len(first) == 32
    changed: set[int] = set()

    def all_changed(d) -> bool:
        now = d.execute_script(TILE_HASHES) or first
        changed.update(i for i, h in enumerate(now) if h != first[i])
        return len(changed) == 32

    wait_for(browser, all_changed, timeout=20)
    # One connection for all the video: Dash callbacks still answer at once (language switch).
    started = time.monotonic()
    browser.find_element(By.ID, "lang-switch").click()
    wait_for(browser, lambda d: "OPERATIONS CENTRE" in d.find_element(By.ID, "app-title").text.upper(),
             timeout=5)
    assert time.monotonic() - started < 2.0
    wait_for(browser, lambda d: "Dam cameras" in d.find_element(By.ID, "cam-title").text, timeout=5)
    browser.find_element(By.ID, "lang-switch").click()
    wait_for(browser, lambda d: "Camera thủy điện" in d.find_element(By.ID, "cam-title").text, timeout=5)
    # The browser asked for the mosaic that fits its 1920 px window, not the 2560 px default.
    natural = browser.execute_script("return document.getElementById('cam-mosaic').naturalWidth")
    assert natural == 1920
    assert service.relay.mosaic_for(natural).builds > 0

    # A camera goes down: the wall says so in words within 5 s.
    cam = "thac-ba" if "thac-ba" in service.relay.readers else list(service.relay.readers)[5]
    service.simulator.stop_camera(cam)
    try:
        started = time.monotonic()
        wait_for(browser, lambda d: "cam-offline" in tile_class(d, cam), timeout=5)
        assert time.monotonic() - started < 5.0
        text = tile_text(browser, cam)
        assert "Mất tín hiệu" in text and "từ " in text
        wait_for(browser, lambda d: d.execute_script(
            "return document.getElementById('cam-count-offline').textContent").startswith("1"))
        wait_for(browser, lambda d: d.execute_script(
            "return document.querySelector('#cam-map .scatterlayer') !== null"))
        # The picture after the map's drawing has been painted: two animation frames from now.
        browser.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));")
        screenshot(browser, "cameras")
    finally:
        service.simulator.start_camera(cam)
    wait_for(browser, lambda d: "cam-live" in tile_class(d, cam), timeout=20)
    assert console_errors(browser) == []
    assert requested_hosts(browser) <= {"127.0.0.1"}
    assert "sim://" not in browser.page_source and "/cam/" not in browser.page_source


def test_focus_view_from_a_tile(cam_app: LiveApp, browser) -> None:
    browser.get(cam_app.url + "/cameras")
    wait_for(browser, lambda d: "Hòa Bình" in tile_text(d, "hoa-binh"))
    browser.execute_script("document.getElementById('cam-tile-hoa-binh').click();")
    wait_for(browser, lambda d: d.current_url.endswith("/cameras?cam=hoa-binh"))
    facts = wait_for(browser, lambda d: d.find_element(By.ID, "cam-facts"))
    wait_for(browser, lambda d: "Phú Thọ" in facts.text)  # province after the 2025 merger
    assert "1.920 MW" in facts.text and "Sông" in facts.text
    # The camera's own H.264 through MSE (tests/browser/test_camera_live.py has the details).
    wait_for(browser, lambda d: d.execute_script(
        "const v = document.getElementById('cam-live-video');"
        "return v && v.getVideoPlaybackQuality().totalVideoFrames > 0;"))
    assert browser.find_element(By.ID, "cam-live-video").get_attribute("data-live").startswith(
        "/streams/hoa-binh.mp4?r=" + __import__("streams.client", fromlist=["x"]).RELAY_BOOT)
    wait_for(browser, lambda d: "Trực tuyến" in d.find_element(By.ID, "cam-focus-state").text
             or "TRỰC TUYẾN" in d.find_element(By.ID, "cam-focus-state").text)
    screenshot(browser, "cameras-focus")
    # The URL is the state: open it directly in kiosk mode, the back link is hidden.
    browser.get(cam_app.url + "/cameras?cam=hoa-binh&kiosk=1")
    wait_for(browser, lambda d: "kiosk" in d.find_element(By.ID, "shell").get_attribute("class"))
    # The shell's class is set before the page renders its layout: wait for the link to exist.
    back = wait_for(browser, lambda d: d.find_elements(By.ID, "cam-back"))[0]
    assert not back.is_displayed()
    assert console_errors(browser) == []
    assert requested_hosts(browser) <= {"127.0.0.1"}


# The camera's own top line (its name, MÔ PHỎNG) on mosaic tile `i`, against the same camera's
# snapshot scaled to the tile: the line is drawn once per camera, so every picture has it alike.
TOP_LINE_DIFF = """
const [i, done] = [arguments[0], arguments[arguments.length - 1]];
const img = document.getElementById('cam-mosaic');
const overlay = document.getElementById('cam-overlay');
const cols = getComputedStyle(overlay).gridTemplateColumns.split(' ').length;
const rows = Math.ceil(overlay.children.length / cols);
const tw = img.naturalWidth / cols, th = img.naturalHeight / rows;
const snap = new Image();
snap.onerror = () => done(null);
snap.onload = () => {
  const ph = Math.round(snap.naturalHeight * tw / snap.naturalWidth);
  const crop = Math.max(0, Math.floor((ph - th) / 2)), line = Math.round(ph * 0.125) - crop;
  const w = Math.floor(tw / 2), h = line - 2;
  const a = document.createElement('canvas'), b = document.createElement('canvas');
  a.width = b.width = w; a.height = b.height = h;
  a.getContext('2d').drawImage(img, (i % cols) * tw + 1, Math.floor(i / cols) * th + 1, w, h, 0, 0, w, h);
  b.getContext('2d').drawImage(snap, -1, -(crop + 1), tw, ph);
  const pa = a.getContext('2d').getImageData(0, 0, w, h).data, pb = b.getContext('2d').getImageData(0, 0, w, h).data;
  let sum = 0;
  for (let j = 0; j < pa.length; j += 4) { sum += Math.abs(pa[j] - pb[j]) + Math.abs(pa[j + 1] - pb[j + 1]); }
  done(sum / (pa.length / 2));
};
snap.src = '/streams/' + overlay.children[i].id.replace('cam-tile-', '') + '.jpg?w=' + Math.round(tw);
"""

# Each name on the page: its text starts inside its box, and what does not fit ends in '…'.
NAME_BOXES = """
return [...document.querySelectorAll(arguments[0])].map(e => {
  const box = e.getBoundingClientRect(), range = document.createRange();
  const css = getComputedStyle(e);
  range.selectNodeContents(e);
  const content = box.left + parseFloat(css.borderLeftWidth) + parseFloat(css.paddingLeft);
  return {text: e.textContent, start: range.getBoundingClientRect().left - content,
          overflows: e.scrollWidth > e.clientWidth, ellipsis: css.textOverflow === 'ellipsis',
          ltr: css.direction === 'ltr' && ['start', 'left'].includes(css.textAlign)};
});
"""


def test_camera_names_show_their_start(cam_app: LiveApp, browser) -> None:
    """Names on the wall read from their first letter: the tiles' HTML names, the camera's own
    top line in the mosaic picture (the capture-time stamp once covered its start, leaving
    'g (Na Hang)'), and the overview strip's snapshots (cropped to their top line)."""
    browser.get(cam_app.url + "/cameras")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#cam-overlay .cam-tile")) == 32)
    wait_for(browser, lambda d: d.execute_script(TILE_HASHES))  # the mosaic has a picture
    names = browser.execute_script(NAME_BOXES, ".cam-tile-name")
    assert len(names) == 32
    for name in names:
        assert -0.5 < name["start"] < 2 and name["ltr"], name
        assert name["ellipsis"] or not name["overflows"], name
    assert any(n["text"] == "Tuyên Quang (Na Hang)" for n in names)  # diacritics as written
    browser.set_script_timeout(20)
    diffs = [browser.execute_async_script(TOP_LINE_DIFF, i) for i in range(0, 32, 5)]
    assert all(d is not None for d in diffs), diffs
    assert max(diffs) < 12, diffs  # the stamp over the name measured ~40
    browser.get(cam_app.url + "/")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".cam-shot-img"), 30)
    position = browser.execute_script(
        "return getComputedStyle(document.querySelector('.cam-shot-img')).objectPosition")
    assert position.split()[1] in ("0%", "0px"), position  # the top line stays, the bottom goes
    for name in browser.execute_script(NAME_BOXES, ".cam-shot-name"):
        assert -0.5 < name["start"] < 2 and (name["ellipsis"] or not name["overflows"]), name

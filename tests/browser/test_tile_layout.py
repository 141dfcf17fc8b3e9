"""No two text boxes of a wall tile overlap (nor text and the sparkline), at four screen sizes;
the tasks panel is one of the tiles checked."""
from __future__ import annotations

import pytest

from tests.browser.conftest import LiveApp, make_driver, screenshot, wait_for
from tests.browser.test_overview import FITS, _loaded, open_wall

SIZES = [(1280, 720), (1920, 937), (1920, 1080), (3840, 2160)]

# Every non-empty text node's own box (a Range, not its element's box) and each sparkline, per
# tile; pairs that intersect by more than a pixel each way are reported with their texts.
OVERLAPS = r"""
const tiles = [...document.querySelectorAll('#overview .ind-tile, #overview .kpi-card, #overview .ov-tasks')];
const out = [];
const eps = 1;
for (const tile of tiles) {
  const boxes = [];
  const walker = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const text = node.textContent.trim();
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    // A text range's box is the font's ascent + descent, taller than what is drawn: a big
    // number's box reaches into the label above it though its digits do not. Compare ink:
    // from the baseline up to the digits' height (or the stacked Vietnamese marks' height for
    // words) and down to the descent (none for digits).
    const digits = /^[0-9.,+\-−%▲▼▶ ]+$/.test(text);
    for (const r of range.getClientRects()) {
      if (r.width <= 0 || r.height <= 0) continue;
      const baseline = r.top + 0.79 * r.height;
      const top = baseline - (digits ? 0.75 : 0.95) * size;
      const bottom = baseline + (digits ? 0.02 : 0.22) * size;
      boxes.push([text, {left: r.left, right: r.right, top: Math.max(top, r.top),
                         bottom: Math.min(bottom, r.bottom)}]);
    }
  }
  for (const img of tile.querySelectorAll('.ind-spark')) {
    const r = img.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) boxes.push(['<sparkline>', r]);
  }
  const frame = tile.getBoundingClientRect();
  for (let i = 0; i < boxes.length; i++) {
    const [ta, a] = boxes[i];
    if (a.left < frame.left - eps || a.right > frame.right + eps || a.top < frame.top - eps
        || a.bottom > frame.bottom + eps) {
      out.push([tile.id || tile.className, ta, 'outside its tile']);
    }
    for (let j = i + 1; j < boxes.length; j++) {
      const [tb, b] = boxes[j];
      if (a.left < b.right - eps && b.left < a.right - eps && a.top < b.bottom - eps
          && b.top < a.bottom - eps) {
        out.push([tile.id || tile.className, ta, tb]);
      }
    }
  }
}
return [tiles.length, out];
"""


def _check_every_size(driver, name: str) -> None:
    """Resize the one browser through the four sizes (CSS relayout only), checking each."""
    problems = []
    wait_for(driver, lambda d: d.execute_script(
        "return document.querySelectorAll('#overview .ov-tasks .tk-fig:not(.tk-no_deadline) .tk-fig-value').length") == 4)
    for width, height in SIZES:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1,
                                "mobile": False})
        wait_for(driver, lambda d, w=width, h=height: d.execute_script(
            "return [innerWidth, innerHeight]") == [w, h])
        # Layout settles on the next frames (vh/vw units, images scaled to their boxes).
        driver.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));")
        tiles, overlaps = driver.execute_script(OVERLAPS)
        # The tasks panel has its slot on the wall, with its four statuses and both rates.
        assert driver.execute_script(
            "return document.querySelectorAll('#overview .ov-tasks .tk-fig:not(.tk-no_deadline) .tk-fig-value, "
            "#overview .ov-tasks .tk-rate-value').length") == 6
        screenshot(driver, f"overview-tiles-{name}-{width}x{height}")
        assert tiles >= 9
        page_h, inner_h, page_w, inner_w = driver.execute_script(FITS)
        if page_h > inner_h or page_w > inner_w:
            problems.append(f"{width}x{height}: page {page_w}x{page_h} does not fit")
        problems += [f"{width}x{height}: " + " | ".join(map(str, o)) for o in overlaps]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("which", ["live_app", "cam_app"], ids=["plain", "with-cameras"])
def test_no_text_overlaps_in_any_tile(request: pytest.FixtureRequest, which: str) -> None:
    """With cameras the overview gives a row to the camera strip: the tiles are shorter."""
    live: LiveApp = request.getfixturevalue(which)
    driver = make_driver(*SIZES[0])
    try:
        open_wall(live, driver, "/?kiosk=1")
        wait_for(driver, _loaded, timeout=30)
        _check_every_size(driver, which)
    finally:
        driver.quit()


def test_no_text_overlaps_in_english(live_app: LiveApp) -> None:
    """English names and labels run longer than Vietnamese ones."""
    driver = make_driver(*SIZES[0])
    try:
        open_wall(live_app, driver, "/?kiosk=1")
        # The language lives in the browser (a dcc.Store in localStorage), as the switch leaves it.
        driver.execute_script("localStorage.setItem('lang', JSON.stringify('en'));"
                              "localStorage.setItem('lang-timestamp', Date.now());")
        driver.refresh()
        wait_for(driver, lambda d: _loaded(d) and d.find_element(
            "id", "overview-savings-total").text == "9,900", timeout=30)
        _check_every_size(driver, "en")
    finally:
        driver.quit()

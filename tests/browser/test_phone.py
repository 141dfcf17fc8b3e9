"""A leader's phone (390x844): the overview in one column, text at least 14 px, no sideways
scrolling; headline tiles, alerts and tasks shown."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from tests.browser.conftest import login_browser, make_driver, screenshot, wait_for
from tests.browser.test_overview import _text

SMALL_TEXT = r"""
const out = [];
const walker = document.createTreeWalker(document.getElementById('shell'), NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  if (!node.textContent.trim() || !el.getClientRects().length) continue;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || el.closest('[hidden]')) continue;
  const range = document.createRange(); range.selectNodeContents(node);
  const r = range.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) continue;
  if (parseFloat(style.fontSize) < 14) out.push(node.textContent.trim().slice(0, 30) + ' ' + style.fontSize);
}
return out;
"""
SHOWN = """return ['#overview-tiles', '#overview-alerts', '#tasks-panel-box', '#overview-savings']
  .map(s => { const e = document.querySelector(s); return !!e && e.getClientRects().length > 0; })"""


@contextlib.contextmanager
def _phone(live_app, path: str) -> Iterator[Any]:
    """A 390x844 phone (device pixel ratio 2), signed in as staff, on `path`."""
    driver = make_driver(390, 844)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        login_browser(driver, live_app)
        driver.get(live_app.url + path)
        yield driver
    finally:
        driver.quit()


def test_overview_on_a_phone(live_app) -> None:
    with _phone(live_app, "/?kiosk=0") as driver:
        wait_for(driver, lambda d: d.execute_script(
            "return document.querySelectorAll('#overview-tiles .ind-value').length") >= 8
            and _text(d, "tasks-panel") != "" and _text(d, "overview-alerts") != "")
        assert driver.execute_script(SHOWN) == [True, True, True, False]
        width, inner = driver.execute_script(
            "return [document.documentElement.scrollWidth, innerWidth]")
        assert width <= inner, (width, inner)
        assert driver.execute_script(SMALL_TEXT) == []
        screenshot(driver, "overview-phone-390x844")


# The adoption charts' texts a phone shows: each inside its card, none over another.
CHART_TEXTS = """
return [...document.querySelectorAll('#sav-adoption .adoption-card')].map(card => {
  const box = card.getBoundingClientRect();
  const shown = [...card.querySelectorAll('svg.sparkline text')]
    .filter(t => getComputedStyle(t).display !== 'none')
    .map(t => { const r = t.getBoundingClientRect();
                return {text: t.textContent, left: r.left, right: r.right, top: r.top,
                        bottom: r.bottom}; });
  const outside = shown.filter(r => r.left < box.left || r.right > box.right).map(r => r.text);
  const over = [];
  shown.forEach((a, i) => shown.slice(i + 1).forEach(b => {
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
      over.push(a.text + ' / ' + b.text);
  }));
  return {id: card.id, shown: shown.length, outside, over};
});
"""


def test_savings_charts_on_a_phone(live_app) -> None:
    with _phone(live_app, "/savings") as driver:
        wait_for(driver, lambda d: d.execute_script(
            "return document.querySelectorAll('#sav-adoption svg.sparkline').length") == 6)
        charts = driver.execute_script(CHART_TEXTS)
        for chart in charts:  # narrow cards: close labels and every other date give way
            assert chart["shown"] >= 3 and chart["outside"] == [] and chart["over"] == [], chart
        driver.execute_script("document.getElementById('sav-adoption').scrollIntoView()")
        screenshot(driver, "savings-adoption-phone-390x844")

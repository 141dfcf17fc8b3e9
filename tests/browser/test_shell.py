"""The frame of every page in a real browser: clock ticks, language switch, kiosk, offline."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.conftest import console_errors, requested_hosts, wait_for


def test_shell_clock_language_and_kiosk(live_app, browser) -> None:
    browser.get(live_app.url + "/reporting")
    title = wait_for(browser, lambda d: d.find_element(By.ID, "app-title")
                     .get_attribute("textContent"))
    assert "Chính phủ" in title
    first = wait_for(browser, lambda d: d.find_element(By.ID, "clock-time").text)
    wait_for(browser, lambda d: d.find_element(By.ID, "clock-time").text not in ("", first))

    browser.find_element(By.ID, "lang-switch").click()
    wait_for(browser, lambda d: "OPERATIONS CENTRE" in d.find_element(By.ID, "app-title").text)
    assert browser.find_element(By.ID, "logout-link").text == "Sign out"
    browser.refresh()  # the choice is remembered
    wait_for(browser, lambda d: "OPERATIONS CENTRE" in d.find_element(By.ID, "app-title").text)

    browser.get(live_app.url + "/reporting?kiosk=1")
    wait_for(browser, lambda d: "kiosk" in d.find_element(By.ID, "shell").get_attribute("class"))
    assert not browser.find_element(By.ID, "nav").is_displayed()
    assert not browser.find_element(By.ID, "logout-link").is_displayed()
    # A page that rewrites its query string keeps the screen in kiosk mode.
    browser.get(live_app.url + "/reporting?agency=T34_01")
    wait_for(browser, lambda d: "kiosk" in d.find_element(By.ID, "shell").get_attribute("class"))
    browser.get(live_app.url + "/reporting?kiosk=0")
    wait_for(browser, lambda d: "kiosk" not in d.find_element(By.ID, "shell").get_attribute("class"))
    assert console_errors(browser) == []
    assert requested_hosts(browser) <= {"127.0.0.1"}


# The header's boxes: the title's text fits its box (no clamp, no ellipsis), the navigation's
# links in order, and no two of title, navigation, controls and clock overlap.
HEADER = r"""
const box = id => document.getElementById(id).getBoundingClientRect();
const title = document.getElementById('app-title');
const links = [...document.querySelectorAll('#nav .nav-link')].map(a => a.textContent);
const parts = ['app-title', 'nav', 'present-button', 'lang-switch', 'logout-link', 'clock-time']
  .map(id => [id, box(id)]).filter(([, r]) => r.width > 0);
const overlaps = [];
for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
  const [a, ra] = parts[i], [b, rb] = parts[j];
  if (ra.left < rb.right - 1 && rb.left < ra.right - 1 && ra.top < rb.bottom - 1
      && rb.top < ra.bottom - 1) overlaps.push(a + ' × ' + b);
}
return {clipped: title.scrollHeight > title.clientHeight + 1 || title.scrollWidth > title.clientWidth + 1,
        lines: Math.round(title.getBoundingClientRect().height / parseFloat(getComputedStyle(title).lineHeight)),
        links, overlaps, right: Math.max(...parts.map(([, r]) => r.right)), width: innerWidth};
"""

# The browser's account is staff: /submit is the tenth (leaders see nine).
NAV_ORDER = ["Tổng quan", "Chỉ tiêu", "Nhiệm vụ", "Cảnh báo", "Tiết kiệm", "Báo cáo", "Camera",
             "Điểm cầu", "Bản tin", "Gửi số liệu"]


def test_header_fits_the_full_name_and_ten_links_in_order(live_app, browser) -> None:
    from tests.browser.conftest import screenshot

    for width, height in ((1920, 1080), (1280, 720), (3840, 2160)):
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": width, "height": height, "deviceScaleFactor": 1,
                                 "mobile": False})
        browser.get(live_app.url + "/?kiosk=0")
        wait_for(browser, lambda d: d.find_element(By.ID, "clock-time").text != "")
        got = browser.execute_script(HEADER)
        screenshot(browser, f"header-{width}x{height}")
        assert got["links"] == NAV_ORDER
        assert not got["clipped"] and got["lines"] == 1, got  # the centre's name, whole, one line
        assert got["overlaps"] == [] and got["right"] <= got["width"], got

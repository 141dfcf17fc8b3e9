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

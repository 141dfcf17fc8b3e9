"""Sign-in in a real browser, every page under the Content-Security-Policy, the display link."""
from __future__ import annotations

import re

from selenium.webdriver.common.by import By

from accounts import tokens
from tests.browser.conftest import console_errors, make_driver, wait_for
from web.i18n import t

PAGES = ("/", "/indicators", "/indicators/CPI_YOY", "/savings", "/reporting")


def _page_ready(driver) -> bool:
    """Dash rendered the page and no callback is pending."""
    return bool(driver.execute_script(
        "return !!document.querySelector('#page') && "
        "!document.querySelector('[data-dash-is-loading=\"true\"]') && "
        "!document.querySelector('._dash-loading');"))


def test_login_form_then_every_page_under_csp_without_console_errors(live_app) -> None:
    driver = make_driver()
    try:
        driver.get(live_app.url + "/indicators?x=1")
        wait_for(driver, lambda d: "/login" in d.current_url)  # not signed in: the form
        assert "next=%2Findicators%3Fx%3D1" in driver.current_url
        driver.find_element(By.ID, "username").send_keys(live_app.username)
        driver.find_element(By.ID, "password").send_keys("wrong password!")
        driver.find_element(By.ID, "login-submit").click()
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg"))
        assert t("login.wrong", "vi") in driver.find_element(By.CSS_SELECTOR, ".msg").text
        driver.get_log("browser")  # the 401 of the failed form post is expected

        driver.find_element(By.ID, "password").send_keys(live_app.password)
        driver.find_element(By.ID, "login-submit").click()
        wait_for(driver, lambda d: d.current_url.endswith("/indicators?x=1"))
        cookies = {c["name"]: c for c in driver.get_cookies()}
        assert cookies["ops_session"]["httpOnly"] and cookies["ops_session"]["sameSite"] == "Lax"
        assert not cookies["_csrf_token"]["httpOnly"]  # dash-renderer reads it for X-CSRFToken

        for path in PAGES:
            driver.get(live_app.url + path)
            wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#page *"))
            wait_for(driver, _page_ready, timeout=30)
            errors = console_errors(driver)
            assert errors == [], (path, errors)
        # The camera page with the relay off: its images 503, but nothing the CSP refused.
        driver.get(live_app.url + "/cameras")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#page *"))
        wait_for(driver, _page_ready, timeout=30)
        assert not [e for e in console_errors(driver) if "Content Security Policy" in e]

        # A callback still works (the language switch posts with the CSRF header).
        driver.get(live_app.url + "/reporting")
        wait_for(driver, lambda d: d.find_element(By.ID, "lang-switch").text)
        before = driver.find_element(By.ID, "app-title").text
        driver.find_element(By.ID, "lang-switch").click()
        wait_for(driver, lambda d: d.find_element(By.ID, "app-title").text != before)
        assert console_errors(driver) == []

        # Sign out through the form: the pages ask for a login again. The form is in the
        # language just chosen on the Dash page (vi -> en).
        driver.get(live_app.url + "/logout")
        assert driver.find_element(By.ID, "logout-submit").text == t("logout", "en")
        driver.find_element(By.ID, "logout-submit").click()
        wait_for(driver, lambda d: "/login" in d.current_url)
        driver.get(live_app.url + "/savings")
        wait_for(driver, lambda d: "/login" in d.current_url)
    finally:
        driver.quit()


def test_display_link_opens_kiosk_without_login(live_app) -> None:
    database = live_app.app.server.extensions["ops_db"]
    token_id, secret = tokens.create_display(database, "bridge-hanoi")
    driver = make_driver()
    try:
        driver.get(f"{live_app.url}/display/{secret}")
        wait_for(driver, lambda d: d.current_url.endswith("/?kiosk=1"))
        wait_for(driver, lambda d: "kiosk" in d.find_element(By.ID, "shell").get_attribute("class"))
        wait_for(driver, _page_ready, timeout=30)
        assert console_errors(driver) == []
        assert secret not in driver.page_source
        assert not re.search(r"opsd_[\w-]{20,}", " ".join(c["value"] for c in driver.get_cookies()))

        tokens.revoke_display(database, token_id)  # revocation ends the session at once
        driver.get(live_app.url + "/?kiosk=1")
        wait_for(driver, lambda d: "/login" in d.current_url)
    finally:
        driver.quit()

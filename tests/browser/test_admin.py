"""The admin console in a real browser: add an account, see its password once, change its role,
find both in the audit log; a staff account is refused."""
from __future__ import annotations

import contextlib
import dataclasses
import secrets

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import (
    LiveApp,
    console_errors,
    login_browser,
    make_driver,
    requested_hosts,
    screenshot,
    wait_for,
)
from web.i18n import t


def test_admin_console_through_the_page(live_app: LiveApp) -> None:
    from accounts import users

    database = live_app.app.server.extensions["ops_db"]
    admin = dataclasses.replace(live_app, username="browser-admin",
                                password=secrets.token_urlsafe(18))
    with contextlib.suppress(users.UserError):
        users.add(database, admin.username, "admin", admin.password)
    newcomer = f"op-{secrets.token_hex(3)}"
    driver = make_driver(1920, 1080)
    try:
        login_browser(driver, admin)
        driver.get(live_app.url + "/admin")
        driver.find_element(By.ID, "new-user-name").send_keys(newcomer)
        Select(driver.find_element(By.ID, "new-user-role")).select_by_visible_text("staff")
        driver.find_element(By.ID, "add-user").click()
        secret = wait_for(driver, lambda d: d.find_element(By.ID, "admin-secret").text)
        assert users.verify(database, newcomer, secret) is not None
        assert driver.find_element(By.ID, "displays-link").get_attribute("href").endswith(
            "/admin/displays")
        screenshot(driver, "admin-console")

        Select(driver.find_element(By.CSS_SELECTOR, f"#user-{newcomer} select")).select_by_visible_text(
            "leader")
        driver.find_element(By.ID, f"role-{newcomer}").click()
        wait_for(driver, lambda d: "leader" in d.find_element(By.ID, "admin-msg").text)
        assert next(u for u in users.list_users(database) if u.name == newcomer).role == "leader"

        driver.get(live_app.url + f"/admin/audit?actor={admin.username}&action=admin")
        rows = driver.find_element(By.ID, "audit-table").text
        assert f"user role {newcomer} staff->leader" in rows
        assert rows.index("user role") < rows.index(f"user add {newcomer}")  # newest first
        screenshot(driver, "admin-audit")
        assert console_errors(driver) == []
        assert requested_hosts(driver) <= {"127.0.0.1"}
    finally:
        driver.quit()

    staff = make_driver(1280, 720)
    try:
        login_browser(staff, live_app)  # the shared staff account
        staff.get(live_app.url + "/admin")
        assert t("deny.admin_only", "vi") in staff.find_element(By.TAG_NAME, "body").text
    finally:
        staff.quit()

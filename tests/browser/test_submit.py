"""/submit in Chromium: a staff member whose unit names an agency finds it chosen, drops a CSV
on the page's file input, reads the preview, confirms, and the value is stored."""
from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from sqlalchemy import select

from accounts import users
from reporting import ingest
from reporting.models import Observation
from tests.browser.conftest import console_errors, login_browser, make_driver, wait_for

SHOTS = Path(os.environ.get("OPS_SHOTS_DIR", Path(__file__).resolve().parents[2] / "screenshots"))


def shot(driver: Any, name: str) -> None:
    with contextlib.suppress(OSError):
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"submit-{name}.png"))


def latest(database: Any, period: str) -> float | None:
    with database.sessions() as s:
        return s.scalar(select(Observation.value).where(
            Observation.indicator_code == "IIP", Observation.region_code == "VN",
            Observation.period == period, Observation.is_latest))


def test_upload_preview_confirm(live_app: Any, tmp_path: Path) -> None:
    database = live_app.app.server.extensions["ops_db"]
    name, password = f"canbo-{secrets.token_hex(2)}", secrets.token_urlsafe(12)
    users.add(database, name, "staff", password, full_name="Trần Văn Bình", unit="Bộ Tài chính")
    ingest.ingest_bytes(database, b"indicator,region,period,value\nIIP,VN,2020-04,5\n"
                        b"IIP,VN,2020-05,3\n", filename="before.csv", agency="BTC",
                        channel="cli")
    csv = tmp_path / "btc-iip.csv"
    csv.write_text("indicator,region,period,value,note\nIIP,VN,2020-03,7.5,\n"
                   "IIP,VN,2020-04,5.5,sửa\nIIP,VN,2020-05,3,\nIIP,99,2020-06,2,\n",
                   encoding="utf-8")
    driver = make_driver(1920, 1080)
    try:
        login_browser(driver, dataclasses.replace(live_app, username=name, password=password),
                      "/submit")
        # The person's unit names the Ministry of Finance: it is chosen already.
        wait_for(driver, lambda d: "BTC" in d.find_element(By.ID, "submit-agency").text)
        assert driver.find_element(By.ID, "submit-confirm").get_attribute("disabled")
        driver.find_element(By.CSS_SELECTOR, "#submit-upload input[type=file]").send_keys(
            str(csv))
        table = wait_for(driver, lambda d: d.find_element(By.ID, "submit-table").text)
        assert "5 → 5,5" in table and "Mới" in table and "Không đổi" in table
        assert "mã địa bàn '99' không tồn tại" in table and "unknown region '99'" in table
        assert latest(database, "2020-03") is None  # the preview stored nothing
        wait_for(driver, lambda d: d.find_element(By.ID, "submit-confirm").is_enabled())
        shot(driver, "preview")
        driver.find_element(By.ID, "submit-confirm").click()
        result = wait_for(driver, lambda d: "Đã lưu lần gửi số" in d.find_element(
            By.ID, "submit-result").text and d.find_element(By.ID, "submit-result").text)
        assert "1 mới, 1 điều chỉnh, 1 không đổi" in result and "1 dòng bị từ chối" in result
        assert (latest(database, "2020-03"), latest(database, "2020-04")) == (7.5, 5.5)
        wait_for(driver, lambda d: not d.find_element(By.ID, "submit-confirm").is_enabled())
        assert not driver.find_elements(By.ID, "submit-table")  # stored: no preview any more
        shot(driver, "done")
        # Over the upload limit: refused in the browser (its bytes never sent), said in both
        # languages, English first once the reader switches.
        big = tmp_path / "big.csv"
        big.write_bytes(b"indicator,region,period,value\n" + b"x" * (5 * 2**20))
        driver.find_element(By.ID, "lang-switch").click()
        driver.find_element(By.CSS_SELECTOR, "#submit-upload input[type=file]").send_keys(
            str(big))
        refused = wait_for(driver, lambda d: d.find_element(By.ID, "submit-preview").text)
        assert "exceeds the upload limit of 5242880 bytes" in refused
        assert "vượt giới hạn tải lên 5242880 byte" in refused
        assert "Submit indicator data" in driver.find_element(By.ID, "submit-title").text
        shot(driver, "too-large-en")
        assert console_errors(driver) == []
        # On a phone the form stacks: nothing wider than the screen.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 1,
                                "mobile": True})
        driver.get(live_app.url + "/submit")
        wait_for(driver, lambda d: "BTC" in d.find_element(By.ID, "submit-agency").text)
        driver.find_element(By.CSS_SELECTOR, "#submit-upload input[type=file]").send_keys(
            str(csv))
        wait_for(driver, lambda d: d.find_element(By.ID, "submit-table").text)
        assert driver.execute_script(
            "return document.querySelector('.sb-form').scrollWidth <= innerWidth")
        shot(driver, "phone")
    finally:
        driver.quit()

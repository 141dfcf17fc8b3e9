"""Alerts in Chromium: the wall's panel (escalated first, owner by full name and unit), the drill
to /alerts, and acknowledging there with a comment; screenshots at 1920x1080 and 3840x2160."""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from accounts import users
from alerts import conditions, lifecycle, store
from alerts.conditions import Detected
from alerts.evaluator import Evaluator, release_lease, take_lease
from core.clock import utc_now
from tests.browser.conftest import console_errors, login_browser, make_driver, wait_for
from tests.browser.test_overview import open_wall

SHOTS = Path(os.environ.get("OPS_SHOTS_DIR", Path(__file__).resolve().parents[2] / "screenshots"))
HOLDER = "browser-test"


def shot(driver: Any, name: str) -> None:
    with contextlib.suppress(OSError):
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"alerts-{name}.png"))


def detected() -> Detected:
    found = Detected()
    found.add("camera", conditions.cameras([{"id": "hoa-binh", "name": "Hòa Bình",
                                             "state": "OFFLINE"}], False))
    found.add("display", [conditions.Condition("display", "BP07", title="Điểm cầu Tuyên Quang")])
    found.add("feed", conditions.feeds([{"code": "RT_POWER", "name_vi": "Công suất thủy điện"}]))
    found.add("late", conditions.late([{"agency": "BCT", "name_vi": "Bộ Công Thương",
                                        "period": "2026-10"}]))
    found.add("threshold", conditions.thresholds([{"code": "CPI", "region": "VN",
                                                   "period": "2026-10", "agency": "TCTK",
                                                   "name_vi": "Chỉ số giá tiêu dùng",
                                                   "value": 4.6}]))
    for kind in conditions.KINDS:  # nothing else is wrong: what the app's own evaluator
        if kind not in found.checked:  # raised before (tasks, dams) clears
            found.add(kind, [])
    return found


@pytest.fixture
def staged(live_app: Any) -> Iterator[dict[str, Any]]:
    """Alerts staged by this test's own evaluator: it holds the lease, so the app's idles."""
    server = live_app.app.server
    database = server.extensions["ops_db"]
    running = server.extensions.get("ops_alerts")
    if running is not None:
        running.stop()  # releases the lease
    now = utc_now()
    assert take_lease(database, HOLDER, now, timedelta(hours=1))
    evaluator = Evaluator(server, database, live_app.settings, holder=HOLDER)
    evaluator.run_once(now - timedelta(minutes=12), detected())
    evaluator.run_once(now, detected())  # critical ones open 12 min: escalated
    leader = f"lan-{secrets.token_hex(2)}"
    users.add(database, leader, "leader", "correct horse battery", full_name="Nguyễn Thị Lan",
              unit="Văn phòng Chính phủ")
    rows = {a["key"]: a for a in store.live(database)}
    lifecycle.acknowledge(database, rows["display:BP07"]["id"], leader, "Đã gọi điểm cầu", now)
    with server.app_context():
        store.wall_alerts.forget()
    try:
        yield rows
    finally:
        release_lease(database, HOLDER)
        if running is not None:
            running.start()


def test_wall_panel_then_drill_and_acknowledge(live_app: Any, staged: dict[str, Any]) -> None:
    for width, height in ((1920, 1080), (3840, 2160)):
        driver = make_driver(width, height)
        try:
            open_wall(live_app, driver, "/?kiosk=1")
            text = wait_for(driver, lambda d: "Nguyễn Thị Lan" in d.find_element(
                By.ID, "wall-alerts").text and d.find_element(By.ID, "wall-alerts").text)
            assert "Đã tiếp nhận: Nguyễn Thị Lan, Văn phòng Chính phủ" in text
            first = wait_for(driver, lambda d: d.find_element(
                By.CSS_SELECTOR, "#wall-alerts .al-item").text)
            assert "LEO THANG" in first  # escalated first
            shot(driver, f"wall-{height}")
            assert console_errors(driver) == []
        finally:
            driver.quit()
    camera = staged["camera:hoa-binh"]
    for width, height in ((1920, 1080), (3840, 2160)):
        driver = make_driver(width, height)
        try:
            login_browser(driver, live_app, f"/alerts?alert={camera['id']}")
            wait_for(driver, lambda d: "Hòa Bình" in d.find_element(By.ID, "al-detail-title").text)
            wait_for(driver, lambda d: d.find_elements(By.ID, f"al-row-{camera['id']}"))
            # An eighth link in the staff navigation still leaves the centre's name whole.
            assert driver.execute_script("const e = document.querySelector('.title');"
                                         "return e.scrollHeight <= e.clientHeight + 1")
            history = driver.find_element(By.ID, "al-history").text
            assert "Mở" in history and "Leo thang" in history
            if height == 1080:
                driver.find_element(By.ID, "al-comment").send_keys("Kỹ thuật viên đang kiểm tra")
                driver.find_element(By.ID, "al-ack").click()
                wait_for(driver, lambda d: "Đã tiếp nhận cảnh báo" in d.find_element(
                    By.ID, "al-message").text)
                wait_for(driver, lambda d: "Kỹ thuật viên đang kiểm tra" in d.find_element(
                    By.ID, "al-history").text)
            shot(driver, f"page-{height}")
            assert console_errors(driver) == []
        finally:
            driver.quit()
    database = live_app.app.server.extensions["ops_db"]
    row = store.one(database, camera["id"])
    assert row is not None and row["state"] == "acknowledged"
    assert row["acknowledged_comment"] == "Kỹ thuật viên đang kiểm tra"

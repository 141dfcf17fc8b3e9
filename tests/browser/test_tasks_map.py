"""/tasks at 1920x1080: the province map of overdue shares is drawn, and a click on a province
drills the page into that province's agency (the URL says ?agency=T34_xx)."""
from __future__ import annotations

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.browser.conftest import console_errors, screenshot, wait_for


def test_tasks_map_draws_and_drills(live_app, browser) -> None:
    browser.get(f"{live_app.url}/tasks?from=2025-01-01")
    paths = wait_for(browser, lambda d: [p for p in d.find_elements(
        By.CSS_SELECTOR, "#tk-map path.choroplethlocation") if p.size["width"] > 0] or None, 60)
    assert len(paths) >= 34
    wait_for(browser, lambda d: "34 tỉnh" in d.find_element(By.ID, "tk-map-title").text)
    browser.execute_script("document.getElementById('tk-map').scrollIntoView()")
    screenshot(browser, "tasks-map-1920")
    # A province's box centre may fall outside its shape: the compact ones first.
    compact = sorted(paths, key=lambda p: abs(p.size["width"] - p.size["height"])
                     - p.size["width"])[:5]
    for path in compact:
        ActionChains(browser).move_to_element(path).click().perform()
        try:
            wait_for(browser, lambda d: "agency=T34_" in d.current_url, 8)
            break
        except TimeoutException:
            continue
    assert "agency=T34_" in browser.current_url
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "tasks-drilled-1920")
    assert not [e for e in console_errors(browser) if "favicon" not in e]

"""The staff pages in a real browser: URL state in and out, CSV, language, offline, screenshots."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import console_errors, requested_hosts, screenshot, wait_for


def _text(driver, css: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else ""


def _plotted(driver, graph_id: str) -> bool:
    return bool(driver.find_elements(By.CSS_SELECTOR, f"#{graph_id} .main-svg"))


def _offline_and_clean(driver) -> None:
    assert console_errors(driver) == []
    assert requested_hosts(driver) <= {"127.0.0.1"}


def _periods(live_app, code: str) -> list[str]:
    from pagestate.indicators import _by_code, period_choices
    from reporting import queries

    with live_app.app.server.app_context():
        return period_choices(_by_code(queries.catalogue())[code])[0]


def test_indicator_drill_down_opens_from_url_and_writes_it_back(live_app, browser) -> None:
    labels = _periods(live_app, "CPI_YOY")
    start, end, period = labels[-18], labels[-1], labels[-2]
    url = f"/indicators/CPI_YOY?region=01&from={start}&to={end}&period={period}"
    browser.get(live_app.url + url)
    wait_for(browser, lambda d: _text(d, "#ind-series-title").startswith("Hà Nội"))
    wait_for(browser, lambda d: all(_plotted(d, g) for g in ("ind-series", "ind-rank",
                                                              "ind-map")))
    assert "Hà Nội" in _text(browser, "#ind-region")
    assert "Chỉ số giá tiêu dùng" in _text(browser, "#ind-title")
    assert browser.find_element(By.ID, "ind-csv-btn").is_displayed()
    assert browser.find_elements(By.CSS_SELECTOR, "#ind-table table tbody tr")
    # The target line and the latest value are written on the chart, not only on hover.
    notes = _text(browser, "#ind-series .infolayer") or browser.find_element(
        By.ID, "ind-series").text
    assert "Mục tiêu" in notes
    screenshot(browser, "indicators")
    browser.execute_script("document.getElementById('ind-rank').scrollIntoView()")
    screenshot(browser, "indicators-provinces")
    _offline_and_clean(browser)

    # Change the region with the picker: the address bar follows without a reload.
    browser.find_element(By.ID, "ind-region").click()
    option = wait_for(browser, lambda d: next(
        (o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
         if o.get_attribute("textContent").strip() == "Cần Thơ"), None))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});"
                           "arguments[0].click();", option)
    wait_for(browser, lambda d: "region=92" in d.current_url)
    assert f"from={start}" in browser.current_url and f"period={period}" in browser.current_url
    # ... and the link reopens the same view on another screen.
    shared = browser.current_url
    browser.get(shared)
    wait_for(browser, lambda d: _text(d, "#ind-series-title").startswith("Cần Thơ"))
    _offline_and_clean(browser)


def test_savings_page_figures_and_estimate(live_app, browser) -> None:
    browser.get(live_app.url + "/savings")
    total = wait_for(browser, lambda d: _text(d, "#sav-card-total"))
    wait_for(browser, lambda d: "9.900" in _text(d, "#sav-card-total"))
    assert "8.500" in _text(browser, "#sav-card-total")
    for system, figure in (("public_service_portal", "8.100"), ("document_axis", "1.200"),
                           ("e_cabinet", "169"), ("reporting_system", "460")):
        assert figure in _text(browser, f"#sav-card-{system}")
    wait_for(browser, lambda d: _plotted(d, "sav-growth") and _text(d, "#sav-est-total"))
    screenshot(browser, "savings")
    _adoption_charts_are_svg(browser)
    before = _text(browser, "#sav-est-total")
    box = browser.find_element(By.ID, "sav-in-h1")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("5", Keys.TAB)
    wait_for(browser, lambda d: "h1=5" in d.current_url)
    wait_for(browser, lambda d: _text(d, "#sav-est-total") not in ("", before))
    assert total
    _offline_and_clean(browser)


# Each adoption card's chart as the browser drew it: SVG elements (the markup's parser must make
# them in the SVG namespace, camelCase attributes as SVG's), with their size and place in the card.
ADOPTION_CHARTS = """
return [...document.querySelectorAll('#sav-adoption .adoption-card')].map(card => {
  const svg = card.querySelector('svg.sparkline'), box = card.getBoundingClientRect();
  if (!svg) return {id: card.id};
  const inside = e => { const r = e.getBoundingClientRect();
                        return r.width > 0 && r.left >= box.left && r.right <= box.right; };
  const texts = [...svg.querySelectorAll('text')].filter(t => t.getAttribute('font-size') === '12');
  const line = svg.querySelector('polyline');
  return {id: card.id, ns: svg.namespaceURI, role: svg.getAttribute('role'),
          label: svg.getAttribute('aria-label'), height: svg.getBoundingClientRect().height,
          points: svg.querySelectorAll('circle').length, labels: texts.map(t => t.textContent),
          inside: texts.every(inside) && [...svg.querySelectorAll('circle')].every(inside),
          line: line && line.getBoundingClientRect().width,
          stroke: line && line.getAttribute('vector-effect'),
          stretch: svg.querySelector('svg').getAttribute('preserveAspectRatio')};
});
"""


def _adoption_charts_are_svg(driver) -> None:
    """Six cards, each with an SVG chart of its points and labels; the page's only plotly
    graphs are the two beside each other above them."""
    charts = {c["id"]: c for c in driver.execute_script(ADOPTION_CHARTS)}
    assert len(charts) == 6
    for chart in charts.values():
        assert chart["ns"] == "http://www.w3.org/2000/svg" and chart["role"] == "img", chart
        assert chart["height"] == 170 and chart["points"] >= 2 and chart["labels"], chart
        assert chart["inside"] and chart["line"] > 100, chart  # drawn, nothing out of the card
        assert chart["stroke"] == "non-scaling-stroke" and chart["stretch"] == "none", chart
    services = charts["sav-adopt-services_integrated"]
    assert services["points"] == 5 and services["labels"] == ["8", "1.000", "2.700", "2.800"]
    assert services["label"].startswith("Dịch vụ công tích hợp trên Cổng: 8 (09/12/2019)")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#page .js-plotly-plot")) == 2


def test_reporting_page_agency_in_url_and_language_switch(live_app, browser) -> None:
    browser.get(live_app.url + "/reporting?agency=T34_01")
    wait_for(browser, lambda d: "Hà Nội" in _text(d, "#rep-agency-title"))
    rows = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR,
                                                        "#rep-heat tr[id^='rep-row-T34_']"))
    assert len(rows) == 34
    assert "selected" in browser.find_element(By.ID, "rep-row-T34_01").get_attribute("class")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#rep-submissions tbody tr"))
    screenshot(browser, "reporting")
    _offline_and_clean(browser)

    # A link in the matrix opens another agency, and the URL says so.
    browser.find_element(By.CSS_SELECTOR, "#rep-row-T34_79 a").click()
    wait_for(browser, lambda d: "agency=T34_79" in d.current_url)
    wait_for(browser, lambda d: "Hồ Chí Minh" in _text(d, "#rep-agency-title"))

    browser.find_element(By.ID, "lang-switch").click()
    wait_for(browser, lambda d: _text(d, "#rep-title") == "Periodic reporting compliance")
    wait_for(browser, lambda d: "recent submissions" in _text(d, "#rep-agency-title"))
    assert "Agency" in _text(browser, "#rep-heat thead")
    _offline_and_clean(browser)


def test_every_page_renders_in_english_too(live_app, browser) -> None:
    browser.get(live_app.url + "/savings")
    wait_for(browser, lambda d: "9.900" in _text(d, "#sav-card-total"))
    browser.find_element(By.ID, "lang-switch").click()
    wait_for(browser, lambda d: "9,900" in _text(d, "#sav-card-total"))
    browser.get(live_app.url + "/indicators/GDP_GROWTH")
    wait_for(browser, lambda d: "GDP" in _text(d, "#ind-title"))
    wait_for(browser, lambda d: "Q" in _text(d, "#ind-series .xaxislayer-above"))
    _offline_and_clean(browser)

"""Overview callbacks as plain functions, inside a real app with a seeded throwaway database."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from callbacks import overview as ov
from core.cache import cache
from core.db import EXTENSION_KEY, session_factory
from reporting import queries
from settings import Settings, from_env


def text(component: Any) -> str:
    """All the text a component tree shows, space-separated (what a viewer reads)."""
    if component is None or isinstance(component, bool):
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


def find(component: Any, id_: str) -> Any:
    """The component with an id inside a tree (None when absent)."""
    if isinstance(component, list | tuple):
        for c in component:
            hit = find(c, id_)
            if hit is not None:
                return hit
        return None
    if component is None or isinstance(component, str | int | float | bool):
        return None
    if getattr(component, "id", None) == id_:
        return component
    return find(getattr(component, "children", None), id_)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One seeded app for the read-only tests (same settings as the `settings` fixture)."""
    from tests.apps import build_app

    settings = from_env({}, data_dir=tmp_path_factory.mktemp("ov") / "var", simulate=False,
                        cameras=False, seed_years=1, cache_type="SimpleCache")
    dash_app = build_app(settings)
    with dash_app.server.app_context():
        yield dash_app
    dash_app.server.extensions[EXTENSION_KEY].dispose()


def test_savings_figures_in_both_languages(app: Any) -> None:
    savings, _cov, _portal, segments = ov.update_facts(0, "vi")
    shown = text(savings)
    assert text(find(savings, "overview-savings-total")) == "9.900"
    assert "hơn" in text(find(savings, "overview-savings-card"))  # "more than", from the note
    for system, figure in (("public_service_portal", "8.100"), ("document_axis", "1.200"),
                           ("e_cabinet", "169"), ("reporting_system", "460")):
        assert figure in text(find(savings, f"overview-sys-{system}"))
    assert "8.500" in shown and "T12/2020" in shown and "T3/2021" in shown  # how it grew
    assert "08/03/2021" in shown and "Baochinhphu.vn" in shown  # as-of and source
    assert "ước tính" in shown.lower()  # the since-launch figure says it is an estimate
    assert len(segments) == 6  # portal 6.700 then 8.100; axis 1.200 twice; two others once

    savings_en, *_ = ov.update_facts(0, "en")
    assert text(find(savings_en, "overview-savings-total")) == "9,900"
    shown_en = text(savings_en)
    assert "more than" in shown_en and "8,100" in shown_en and "1,200" in shown_en
    assert "Dec 2020" in shown_en and "estimate" in shown_en.lower()


def test_cumulative_estimate_counts_rates_from_each_launch() -> None:
    facts = [
        {"metric": "savings_per_year", "system": "e_cabinet", "value": 169, "as_of": "2020-12-31"},
        {"metric": "savings_per_year", "system": "public_service_portal", "value": 6700,
         "as_of": "2020-12-17"},
        {"metric": "savings_per_year", "system": "public_service_portal", "value": 8100,
         "as_of": "2021-03-08"},
    ]
    segments = ov.ticker_segments(facts)
    ms = ov._epoch_ms
    year_ms = 365.2425 * 86_400_000
    assert ov.cumulative_savings(segments, ms(date(2019, 6, 25))) == 0  # nothing before launch
    # e-Cabinet alone until the portal opens on 09/12/2019.
    only_cabinet = ov.cumulative_savings(segments, ms(date(2019, 12, 9)))
    assert only_cabinet == pytest.approx(169 * (ms(date(2019, 12, 9)) - ms(date(2019, 6, 25)))
                                         / year_ms)
    # After the last published figure, the latest rates add up: 8.100 + 169 a year.
    a, b = ms(date(2022, 1, 1)), ms(date(2023, 1, 1))
    grown = ov.cumulative_savings(segments, b) - ov.cumulative_savings(segments, a)
    assert grown == pytest.approx((8100 + 169) * (b - a) / year_ms)


@pytest.mark.parametrize("lang, basis, published", [
    ("vi", "Ước tính từ số liệu công bố 03/2021", "số liệu công bố 03/2021"),
    ("en", "Estimate from figures published 03/2021", "figures published 03/2021")])
def test_the_savings_estimate_has_an_estimate_s_precision_and_its_basis(
        app: Any, lang: str, basis: str, published: str) -> None:
    savings, cov, portal, segments = ov.update_facts(0, lang)
    figure = text(find(savings, "overview-cumulative"))
    # Tens of billions, no decimals ticking below them (was 68.394,053).
    assert figure.replace(".", "").replace(",", "").isdigit() and figure.endswith("0"), figure
    assert text(find(savings, "overview-cumulative-basis")) == basis
    assert published in text(find(savings, "overview-savings-card"))  # dated official figures
    assert published in text(portal[0])
    assert published.capitalize() in text(cov)  # the 2021 reference line of the coverage panel
    assert ov.ticker_parts(68_394.053, "vi")[0].children == "68.390"


def test_coverage_and_portal(app: Any) -> None:
    _s, cov, portal, _t = ov.update_facts(0, "vi")
    live = queries.coverage()
    assert text(find(cov, "overview-cov-ministries")) == str(live["ministries"])
    assert text(find(cov, "overview-cov-localities")) == str(live["localities"])
    assert text(find(cov, "overview-cov-indicators")) == str(live["indicators_supplied"])
    shown = text(cov)
    assert "/ 200" in shown
    assert "14 bộ" in shown and "37 địa phương" in shown and "105/200" in shown  # 2021
    portal_text = text(portal)
    assert text(find(portal, "overview-portal-services")) == "2.800"
    assert "6.800" in portal_text and "940.000" in portal_text and "67.000" in portal_text
    _s, cov_en, portal_en, _t = ov.update_facts(0, "en")
    assert "14 ministries" in text(cov_en) and "of nearly 6,800" in text(portal_en)


def test_headline_tiles(app: Any) -> None:
    tiles = ov.update_tiles(0, "vi")
    assert 8 <= len(tiles) <= 12
    items = queries.headline_tiles()
    for link, item in zip(tiles, items, strict=True):
        assert link.href == f"/indicators/{item['code']}"  # every tile opens its indicator
        tile = link.children
        assert tile.id == f"overview-tile-{item['code']}"
        shown = text(tile)
        assert "Số liệu đến" in shown and "so kỳ trước" in shown and "so cùng kỳ" in shown
        assert f"status-{item['status']}" in tile.className
        assert "MÔ PHỎNG" in shown  # seeded history is simulated, and says so
    gdp = next(t for t, i in zip(tiles, items, strict=True) if i["code"] == "GDP_GROWTH")
    item = next(i for i in items if i["code"] == "GDP_GROWTH")
    assert f"{item['value']:.2f}".replace(".", ",") in text(gdp)
    assert "Quý" in text(gdp) and "Mục tiêu 6,50" in text(gdp)
    tiles_en = ov.update_tiles(0, "en")
    assert "vs last year" in text(tiles_en) and "Target 6.50" in text(tiles_en)
    assert ov.update_as_of(0, "vi").startswith("Số liệu đến ")


def test_overdue_rule() -> None:
    now = datetime(2026, 11, 23, 10)
    assert not ov.is_overdue("2026-10", "monthly", now)  # November's report is not due yet
    assert ov.is_overdue("2026-09", "monthly", now)  # October's was due on 05/11 + 1 month
    assert not ov.is_overdue("2026-Q3", "quarterly", now)
    assert ov.is_overdue("2026-Q2", "quarterly", now)
    assert not ov.is_overdue("2026-11-23T10:00:00", "realtime", now)


def test_live_feeds_and_alerts(app: Any) -> None:
    live = ov.update_live(0, "vi")
    totals = queries.live_totals()
    assert text(find(live, "overview-live-RT_EDOCS")) == f"{totals['RT_EDOCS']:,.0f}".replace(",", ".")
    assert text(find(live, "overview-live-RT_POWER")) == f"{totals['RT_POWER']:,.0f}".replace(",", ".")
    assert find(live, "overview-power-spark").src.startswith("data:image/svg+xml")
    assert "Không có cảnh báo" in text(ov.update_alerts(0, "vi"))  # nothing evaluated yet
    from alerts.evaluator import Evaluator

    settings = app.server.config["OPS_SETTINGS"]
    Evaluator(app.server, app.server.extensions["ops_db"], settings).run_once()
    from alerts import store
    from layouts.alerts import WALL_SHOWN

    store.wall_alerts.forget()
    alerts = text(ov.update_alerts(0, "vi"))
    late = queries.late_now()
    # The panel shows the first WALL_SHOWN (the gravest: on some days the simulated dams' floods
    # fill it) and counts the rest; the late reports are among the wall's alerts either way.
    rows = store.wall_alerts()
    assert any(a["kind"] == "late" for a in rows) == bool(late)
    shown = rows[:WALL_SHOWN]
    assert ("Chậm báo cáo" in alerts) == any(a["kind"] == "late" for a in shown)
    if len(rows) > WALL_SHOWN:
        assert f"+{len(rows) - WALL_SHOWN}" in alerts
    assert "Chưa ai tiếp nhận" in alerts
    assert ov.update_cameras(0, "vi") == []  # cameras switched off: no camera chip at all


def test_overview_layout_has_the_camera_strip_only_with_cameras(app: Any) -> None:
    from layouts import overview as lay

    page = lay.layout()  # this app runs without cameras
    assert "has-cams" not in page.className and find(page, "overview-cams") is None
    assert find(page, "overview-camera-strip") is not None


def test_camera_strip_names_cameras_down() -> None:
    states = [{"id": "hb-1", "name": "Hòa Bình 1", "state": "LIVE"},
              {"id": "sl-2", "name": "Sơn La 2", "state": "OFFLINE"},
              {"id": "lc-1", "state": "STALE"}]
    out = ov.camera_strip(states, "vi")
    shown = text(out)
    assert "Camera mất tín hiệu (2/3)" in shown and "Sơn La 2" in shown and "lc-1" in shown
    assert "Hòa Bình" not in shown
    chips = find(out, "overview-cameras-down").children[1:]
    assert [c.className for c in chips] == ["chip chip-bad", "chip chip-warn"]  # OFFLINE first
    many = [{"id": f"c{i}", "name": f"Đập {i}", "state": "OFFLINE"} for i in range(7)]
    assert "+3 nữa" in text(ov.camera_strip(many, "vi"))
    assert "3/3" in text(ov.camera_strip([{"state": "LIVE"}] * 3, "en"))
    assert "relay not connected" in text(ov.camera_strip(None, "en"))
    assert ov.camera_strip(None, "vi", enabled=False) == []


def test_alerts_use_the_camera_relay_status() -> None:
    """update_cameras reads callbacks.cameras.relay_status (in-process or OPS_RELAY_URL, 1 s
    cache): an external relay that does not answer says so."""
    from flask import Flask

    assert not hasattr(ov, "camera_states")  # one status reader: the camera wall's
    server = Flask("external-relay")
    server.config["OPS_SETTINGS"] = from_env({}, cameras=True, relay_url="http://127.0.0.1:9")
    with server.app_context():
        assert "chưa kết nối relay" in text(ov.update_cameras(0, "vi"))  # nothing listens on :9
    # A relay that answers and names its down cameras: tests/browser/test_overview.py, against
    # the real simulated cameras.


def test_database_down_keeps_last_values_then_recovers(settings: Settings, tmp_path: Path) -> None:
    """The database really goes away (engine pointed at a path that cannot exist)."""
    from tests.apps import build_app

    dash_app = build_app(settings)
    database = dash_app.server.extensions[EXTENSION_KEY]
    with dash_app.server.app_context():
        good_tiles = ov.update_tiles(0, "vi")
        good_savings, *_ = ov.update_facts(0, "vi")
        good_live = ov.update_live(0, "vi")
        assert "Mất kết nối" not in text(good_tiles + good_savings + good_live)

        original = database.engine, database.sessions
        database.engine.dispose()
        broken = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'gone.sqlite'}")
        database.engine, database.sessions = broken, session_factory(broken)
        cache.clear()  # no cached answers: every query has to reach the (missing) database
        try:
            stale_tiles = ov.update_tiles(1, "vi")
            stale_savings, stale_cov, _p, segments = ov.update_facts(1, "vi")
            stale_live = ov.update_live(1, "vi")
            stale_alerts = ov.update_alerts(1, "vi")
            assert ov.update_as_of(1, "vi").count("Mất kết nối từ") == 1
        finally:
            broken.dispose()
            database.engine, database.sessions = original
        # Same figures as before, each panel marked stale.
        assert len(stale_tiles) == len(good_tiles)
        assert [text(t.children.children[1]) for t in stale_tiles] == \
            [text(t.children.children[1]) for t in good_tiles]
        assert all("Mất kết nối từ" in text(t) for t in stale_tiles)
        assert text(find(stale_savings, "overview-savings-total")) == "9.900"
        assert "Mất kết nối từ" in text(stale_savings) and segments
        assert "Mất kết nối từ" in text(stale_live)
        assert "Mất kết nối từ" in text(stale_cov)
        assert "Mất kết nối từ" in text(stale_alerts)

        cache.clear()  # the database is back: the next poll is fresh again
        recovered = ov.update_tiles(2, "vi") + ov.update_live(2, "vi")
        assert "Mất kết nối" not in text(recovered)
    database.dispose()


def test_never_fetched_shows_no_data_not_a_traceback() -> None:
    tiles = ov.tiles_children(None, "vi", "2026-11-23T10:05:00")
    assert "Chưa có số liệu" in text(tiles) and "10:05" in text(tiles)
    assert "Chưa có số liệu" in text(ov.savings_panel(None, "vi", "2026-11-23T10:05:00"))
    assert "No data yet" in text(ov.coverage_panel(None, None, "en"))
    assert "No data yet" in text(ov.portal_panel(None, "en"))
    assert text(find(ov.live_children(None, "vi"), "overview-live-RT_POWER")) == "—"

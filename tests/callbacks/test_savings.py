"""Savings page callbacks: official figures with dates and sources, adoption, the SCM estimate."""
from __future__ import annotations

import pytest

from callbacks import savings as sav
from reporting import queries
from tests.helpers import Element, markup_of, text_of


def test_cards_show_each_official_figure_with_date_and_source(ctx) -> None:
    cards = sav.cards(queries.kpi_facts(), "vi")
    text = {c.id: text_of(c) for c in cards}
    total = text["sav-card-total"]
    assert "hơn" in total and "9.900" in total and "08/03/2021" in total
    assert "8.500" in total and "28/12/2020" in total  # grew from 8.500 in Dec 2020
    assert "Baochinhphu.vn" in total
    for system, figure, when in (("public_service_portal", "8.100", "08/03/2021"),
                                 ("document_axis", "1.200", "08/03/2021"),
                                 ("e_cabinet", "169", "31/12/2020"),
                                 ("reporting_system", "460", "31/12/2020")):
        card = text[f"sav-card-{system}"]
        assert figure in card and when in card and "tỷ đồng/năm" in card
    english = text_of(sav.cards(queries.kpi_facts(), "en"))
    assert "9,900" in english and "more than" in english and "bn VND/yr" in english


def test_page_shows_adoption_over_time_with_sources(ctx) -> None:
    out = sav.page("vi")
    adoption = {c.id: text_of(c) for c in out[9]}
    services = adoption["sav-adopt-services_integrated"]
    assert "8 (09/12/2019)" in services and "2.800 (08/03/2021)" in services
    for metric in ("visits", "accounts", "documents_exchanged", "dossiers_online",
                   "e_payments"):
        assert metric and "·" in adoption[f"sav-adopt-{metric}"]  # every figure dated+sourced
    assert "116 triệu" in adoption["sav-adopt-visits"]
    # Each card is one component: its chart inline SVG, a marker per dated figure, no plotly.
    for card in out[9]:
        assert type(card).__name__ == "Markdown" and card.className == "adoption-card"
        graph = markup_of(card)[3]
        assert graph.className == "adoption-graph" and graph.children[0].tag == "svg"
    services_svg = markup_of(out[9][0])[3].children[0]
    assert services_svg.tag == "svg" and services_svg.attrs["role"] == "img"
    assert services_svg.attrs["aria-label"].startswith("Dịch vụ công tích hợp trên Cổng: 8 (09/12")
    circles = [e for e in services_svg.children if isinstance(e, Element) and e.tag == "circle"]
    assert len(circles) == 5
    labels = [text_of(e.children) for e in services_svg.children
              if isinstance(e, Element) and e.tag == "text" and e.attrs["fontsize"] == "12"]
    assert labels == ["8", "1.000", "2.700", "2.800"]  # 2.650 gives way to 2.700, a fortnight on
    by_system, growth = out[5], out[7]
    assert sorted(by_system.data[0].x) == [169, 460, 1200, 8100]
    total = [tr for tr in growth.data if list(tr.y) == [8500, 9900]]
    assert total and list(total[0].text) == ["8.500", "9.900"]
    assert out[2] is None  # fresh: no stale badge
    for title in (out[4], out[6], out[8]):  # the official figures say when they were published
        assert "số liệu công bố 03/2021" in text_of(title)


def test_estimate_recomputes_when_an_assumption_changes(ctx) -> None:
    base = sav.scm_estimate(sav.DEFAULTS)
    portal = base["rows"][0]
    assert portal["bn_vnd"] == pytest.approx(42_500_000 * (4 * 30_000 + 50_000) / 1e9)
    values = [a.default for a in sav.ASSUMPTIONS]
    view, search = sav.estimate(*values, "vi")
    assert search == ""
    shown = text_of(view)
    assert "Ước tính" in shown and "Số chính thức" in shown and "8.100" in shown
    assert "42.500.000 × (4,00 × 30.000 đ + 50.000 đ) = 7.225 tỷ đồng/năm" in shown
    values[1] = 5  # one more hour saved per dossier
    view, search = sav.estimate(*values, "vi")
    assert search == "?h1=5"
    more = sav.scm_estimate(sav.parse_assumptions({"h1": "5"}))
    assert more["total_bn_vnd"] - base["total_bn_vnd"] == pytest.approx(42.5e6 * 30_000 / 1e9)
    assert sav._bn(more["total_bn_vnd"], "vi") in text_of(view)


def test_assumptions_url_round_trip() -> None:
    values = sav.parse_assumptions({"n1": "1000000", "w": "42500.5", "h2": "-3", "c1": "x"})
    assert values["n1"] == 1_000_000 and values["w"] == 42500.5
    assert values["h2"] == sav.DEFAULTS["h2"] and values["c1"] == sav.DEFAULTS["c1"]
    search = sav.assumptions_search(values)
    assert search == "?n1=1000000&w=42500.5"
    from urllib.parse import parse_qs

    assert sav.parse_assumptions({k: v[0] for k, v in parse_qs(search[1:]).items()}) == values


def test_close_adoption_labels_give_way_to_the_newer_one() -> None:
    from datetime import date

    days = [date(2019, 12, 9), date(2020, 8, 19), date(2020, 12, 17), date(2020, 12, 30), date(2021, 3, 8)]
    labels = ["8", "1.000", "2.650", "2.700", "2.800"]
    # 17/12 and 30/12/2020 are a fortnight apart on a 15-month axis: the older label gives way.
    assert sav.spaced_labels(days, labels) == ["8", "1.000", "", "2.700", "2.800"]
    assert sav.spaced_labels(days[:1], labels[:1]) == ["8"]


def test_source_table_speaks_vietnamese_and_english_on_the_switch(ctx) -> None:
    facts = queries.kpi_facts()
    vi = text_of(sav.sources_table(facts, "vi"))
    for shown in ("Bộ, ngành kết nối", "22 cơ quan", "9.900 tỷ đồng/năm", "bộ, cơ quan ngang bộ",
                  "Điểm cầu truyền hình", "30 %"):
        assert shown in vi
    for english in ("ministries_connected", "agencies", "bn VND", "more than", "approx."):
        assert english not in vi
    en = text_of(sav.sources_table(facts, "en"))
    for shown in ("Ministries connected", "22 agencies", "9,900 bn VND/yr",
                  "ministries and ministerial-level agencies"):
        assert shown in en
    assert "Bộ, ngành" not in en and "tỷ đồng" not in en


def test_every_shipped_fact_has_a_label_unit_and_note_in_both_languages(ctx) -> None:
    from web import i18n

    facts = queries.kpi_facts()
    assert facts
    assert {f["metric"] for f in facts} <= {k[len("sav.m."):] for k in i18n.TEXTS
                                            if k.startswith("sav.m.")}
    assert all(f["unit_vi"] for f in facts)
    assert all(bool(f["note_vi"]) == bool(f["note"]) for f in facts)

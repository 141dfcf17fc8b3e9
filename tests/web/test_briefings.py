"""The briefing made through the API holds exactly the wall's numbers, in the screens' format."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from dash import html
from flask.testing import FlaskClient
from pypdf import PdfReader

from callbacks.overview import tiles_children
from reporting.catalogue import profiles
from tests.conftest import csrf_header
from tests.helpers import wait_for


def _texts(component: Any, class_name: str) -> list[str]:
    """The text of every descendant with this CSS class (how the wall tile shows it)."""
    found = []
    if isinstance(component, html.Div | html.Span) and class_name in (component.className or ""):
        found.append(component.children if isinstance(component.children, str) else "")
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found.extend(_texts(child, class_name))
    return found


def _wall_shows(client: FlaskClient, code: str) -> tuple[str, str, str, str]:
    """(name, value, unit, period) of one indicator as GET /api/v1 gives its latest national
    value, written by the overview's own tile."""
    catalogue = {i["code"]: i for i in client.get("/api/v1/indicators").get_json()["indicators"]}
    series = client.get(f"/api/v1/indicators/{code}/observations").get_json()
    latest = series["observations"][-1]
    item = {**catalogue[code], "value": latest["value"], "period": latest["period"],
            "status": "neutral", "source": latest["source"], "spark": []}
    item.setdefault("warn_below", None)
    tile = tiles_children([item], "vi")[0]
    return (catalogue[code]["name_vi"], _texts(tile, "ind-value")[0], item["unit"],
            _texts(tile, "ind-period")[0])


def test_headline_figures_match_the_api_and_the_wall(client_for: Callable[[str], FlaskClient],
                                                    web_app: Any) -> None:
    staff, leader = client_for("staff"), client_for("leader")
    answer = staff.post("/api/v1/briefings", json={"pages": ""}, headers=csrf_header(staff))
    assert answer.status_code == 202, answer.get_json()
    briefing = answer.get_json()
    done = wait_for(lambda: (r := leader.get(f"/api/v1/briefings/{briefing['id']}").get_json())
                    ["status"] in ("done", "failed") and r, timeout=120, what="the briefing")
    assert done["status"] == "done", done["error"]
    listed = leader.get("/api/v1/briefings").get_json()["briefings"]
    assert briefing["id"] in [b["id"] for b in listed]
    assert {"id", "date", "made_at", "pages", "size"} <= set(listed[0])

    got = leader.get(f"/api/v1/briefings/{briefing['id']}.pdf")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(got.data))
    assert len(reader.pages) == done["page_count"] and len(got.data) == done["size"]
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    overview = next(p for p in pages if "Các chỉ tiêu chủ yếu Chỉ tiêu Giá trị Đơn vị" in p)

    codes = [c for c, p in sorted(profiles().items(), key=lambda kv: kv[1].headline or 99)
             if p.headline]
    assert len(codes) == 10
    for code in codes:
        name, value, unit, period = _wall_shows(leader, code)
        row = re.escape(name) + r"\s+" + re.escape(value) + r"\s+" + re.escape(unit) + r"\s+" + \
            re.escape(period)
        assert re.search(row, overview), f"{code}: '{name} {value} {unit} {period}' not in\n{overview}"
        # ... and the indicator's own page opens with the same figure and period.
        page = next(p for p in pages if f"{name} {value} {unit} · {period}" in p)
        assert "Xếp hạng 34 tỉnh" in page or "không có số liệu theo tỉnh" in page
    # Diacritics survive (embedded font, real text, not boxes), on every page's frame.
    assert all("Trung tâm Thông tin, Chỉ đạo, Điều hành của Chính phủ" in p for p in pages)
    assert all(f"Trang {i}/{len(pages)}" in p for i, p in enumerate(pages, start=1))
    assert "MÔ PHỎNG" in overview


def test_who_may_read_and_make(client_for: Callable[[str], FlaskClient]) -> None:
    assert client_for("anonymous").get("/api/v1/briefings").status_code == 401
    assert client_for("display-bearer").get("/api/v1/briefings").status_code == 403
    assert client_for("agency").get("/api/v1/briefings").status_code == 403
    leader = client_for("leader")
    assert leader.get("/api/v1/briefings").status_code == 200
    assert leader.post("/api/v1/briefings", json={}, headers=csrf_header(leader)).status_code == 403
    staff = client_for("staff")
    bad = staff.post("/api/v1/briefings", json={"pages": "overview,indicator:NOPE"},
                     headers=csrf_header(staff))
    assert bad.status_code == 400 and "NOPE" in bad.get_json()["error"]
    bad = staff.post("/api/v1/briefings", json={"date": "2026-02-30"}, headers=csrf_header(staff))
    assert bad.status_code == 400
    assert leader.get("/api/v1/briefings/999999.pdf").status_code == 404


def test_the_briefings_page_lists_and_links(client_for: Callable[[str], FlaskClient],
                                            web_app: Any) -> None:
    from callbacks.briefings import rows_children

    leader = client_for("leader")
    assert leader.get("/briefings").status_code == 200
    rows = [{"id": 7, "date": "2026-12-07", "made_at": "2026-12-07T07:00:12", "pages": ["overview"],
             "page_count": 16, "size": 300_000, "status": "done", "progress": 100,
             "trigger": "scheduled", "error": None},
            {"id": 8, "date": "2026-12-07", "made_at": None, "pages": [], "page_count": 0,
             "size": 0, "status": "running", "progress": 40, "trigger": "manual", "error": None}]
    text = str(rows_children(rows, "vi"))
    assert "/api/v1/briefings/7.pdf" in text and "Tải PDF" in text and "Hằng ngày" in text
    assert "width': '40%'" in text

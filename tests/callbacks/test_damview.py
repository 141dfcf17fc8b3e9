"""The dams on the camera pages: tile numbers, focus chart and gates, level bands for the map."""
from __future__ import annotations

import json
from typing import Any

from callbacks import cameras as cb
from callbacks import damview


def _text(component: object) -> str:
    return json.dumps(component, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def _info(level: float, gates: int = 0) -> dict[str, Any]:
    return {"id": "HOA_BINH", "camera": "hoa-binh", "name": "Hòa Bình",
            "reference": {"normal_level_m": 117.0, "flood_limit_m": 101.0, "dead_level_m": 80.0,
                          "spill_gates": 12},
            "latest": {"at": "2026-12-06T10:05:00+07:00", "level_m": level, "inflow_m3s": 5200.0,
                       "turbine_m3s": 2400.0, "spillway_m3s": 1800.0 if gates else 0.0,
                       "gates_open": gates, "discharge_m3s": 4200.0 if gates else 2400.0}}


def test_tile_line_and_bands() -> None:
    line = _text(damview.water_line(_info(104.26, gates=3), "vi"))
    assert "104,3 m" in line and "4.200 m³/s" in line and "3 cửa" in line
    assert "dam-limit" in line
    assert damview.band(_info(95)) == "NORMAL" and damview.band(_info(118)) == "HIGH"
    assert damview.band(None) == "NODATA" and damview.water_line(None, "vi") is None
    tile = _text(cb.tile({"id": "hoa-binh", "name": "Hòa Bình", "state": "LIVE", "age_s": 0.2},
                         "en", False, _info(99)))
    assert "99.0 m" in tile and "2,400 m³/s" in tile


def test_level_map_names_the_dams_above_their_limits() -> None:
    rows = [{"id": "hoa-binh", "name": "Hòa Bình", "lat": 20.8, "lon": 105.3, "state": "LIVE"},
            {"id": "son-la", "name": "Sơn La", "lat": 21.5, "lon": 104.0, "state": "LIVE"}]
    fig = cb.map_figure(rows, "vi", "level", {"hoa-binh": _info(110.0)})
    names = {trace.name: list(trace.text or []) for trace in fig.data[1:] if trace.name}
    assert any("Trên mực nước trước lũ (1)" in n for n in names)
    assert any(v == ["Hòa Bình"] for v in names.values())


def test_focus_chart_on_the_seeded_history(app: Any) -> None:
    with app.server.app_context():
        now, figure, title = damview.update_focus_dam(1, "vi", "hoa-binh")
    assert title == "Mực nước và lưu lượng 7 ngày"
    names = [trace.name for trace in figure.data]
    assert names == ["Mực nước", "Lưu lượng về", "Tổng lưu lượng xả"]
    assert len(figure.data[0].x) > 24 * 6  # the 7 days seeded at init, per reading or per hour
    lines = [shape.y0 for shape in figure.layout.shapes]
    assert 117.0 in lines and 101.0 in lines
    assert "Mực nước" in _text(now) and "Cửa xả đang mở" in _text(now)

"""The map of Viet Nam's 34 provinces, drawn from the shipped boundaries; nothing loads from outside.

The only shapes drawn are data/reference/provinces34.geojson, named by URL (web.geodata: each
browser fetches it once and plotly.js keeps it), on a geo subplot with `visible=False` (no base
layer). plotly.js still loads its world topojson
whenever a trace has a locationmode (a geojson choropleth too), from cdn.plot.ly by default:
every map graph's config sets topojsonURL to /assets/topojson/, where an empty stub answers. Hoàng Sa and Trường Sa are part of Đà Nẵng and Khánh Hòa in
that file and always labelled as Viet Nam's.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import dash
import plotly.graph_objects as go
import plotly.io as pio

from callbacks.labels import Point, fit_centred
from reporting import geo
from ui.figures import TEMPLATE, separators
from ui.palette import ACCENT, BG, GOOD_SCALE, LAND, LAND_EDGE, MUTED, NEUTRAL_SCALE, NO_DATA, TEXT
from web import geodata
from web.i18n import t

EDGE = BG  # province borders: the page background, so shapes read as separate
LABEL_PX = 14
SHADOW = "0 0 3px #000, 0 0 2px #000"  # white text stays readable on the lightest fill
PAD_DEG = 0.25
LABEL_ROOM_DEG = 1.6  # east of Trường Sa, so its label fits inside the map at any panel width
ARCHIPELAGO_LABELS = {"hoang_sa": ("map.hoang_sa", 112.05, 17.9),
                      "truong_sa": ("map.truong_sa", 113.4, 12.55)}


@lru_cache(maxsize=1)
def view() -> tuple[list[float], list[float]]:
    """Longitude and latitude ranges shown: every shape, islands included, plus a margin
    (the shipped shapes do not change while the process runs)."""
    lon0, lat0, lon1, lat1 = geo.bounds()
    return [lon0 - PAD_DEG, lon1 + PAD_DEG + LABEL_ROOM_DEG], [lat0 - PAD_DEG, lat1 + PAD_DEG]


def px_per_degree(height: int, min_width: int, margin_y: int) -> float:
    """Plotly fits the view to the tighter of height and width (equirectangular: 1° = 1°)."""
    lons, lats = view()
    return min((height - margin_y) / (lats[1] - lats[0]), min_width / (lons[1] - lons[0]))


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    """The app's chart template (ui.figures), as JSON-ready data (built once)."""
    return pio.templates[TEMPLATE].to_plotly_json()


@lru_cache(maxsize=1)
def _features() -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in geo.provinces()["features"]}


def _layout_spec(lang: str | None, height: int) -> dict[str, Any]:
    lons, lats = view()
    return {
        "height": height, "margin": {"l": 4, "r": 4, "t": 8, "b": 8},
        "paper_bgcolor": "rgba(0,0,0,0)", "font": {"color": TEXT},
        "separators": separators(lang), "dragmode": False, "showlegend": False,
        "geo": {"visible": False, "projection": {"type": "equirectangular"},
                "bgcolor": "rgba(0,0,0,0)", "lonaxis": {"range": list(lons)},
                "lataxis": {"range": list(lats)}, "fitbounds": False},
    }


def _layout(fig: go.Figure, lang: str | None, height: int) -> go.Figure:
    fig.update_layout(_layout_spec(lang, height))
    return fig


def _archipelagos(lang: str | None, size: int = LABEL_PX, dots: bool = False
                  ) -> list[dict[str, Any]]:
    """Both archipelagos named, with their province, as on every official map of Viet Nam;
    with `dots`, each island also marked (where provinces are all one dark colour)."""
    traces = []
    if dots:
        isles = [i for group in geo.islands().values() for i in group]
        traces.append({"type": "scattergeo", "lon": [i["lon"] for i in isles],
                       "lat": [i["lat"] for i in isles], "mode": "markers",
                       "marker": {"size": 5, "color": MUTED}, "name": "islands",
                       "hoverinfo": "skip", "showlegend": False})
    for key, (text_key, lon, lat) in ARCHIPELAGO_LABELS.items():
        traces.append({"type": "scattergeo", "lon": [lon], "lat": [lat], "mode": "text",
                       "text": [t(text_key, lang)], "name": key,
                       "textfont": {"size": size, "color": TEXT, "shadow": SHADOW},
                       "hoverinfo": "skip", "showlegend": False})
    return traces


def _area(codes: list[str], z: list[float], name: str, colorscale: list[list[Any]],
          line: dict[str, Any], customdata: list[list[str]], hovertemplate: str,
          **more: Any) -> dict[str, Any]:
    return {"type": "choropleth", "geojson": geodata.url(), "locations": codes, "z": z,
            "name": name, "featureidkey": "id", "colorscale": colorscale,
            "marker": {"line": line}, "customdata": customdata,
            "hovertemplate": hovertemplate, **more}


def choropleth_spec(values: dict[str, float], texts: dict[str, str], names: dict[str, str],
                    selected: str, lang: str | None, higher_is_better: bool | None, unit: str,
                    height: int, min_width: int = 700) -> dict[str, Any]:
    """Value per province; provinces without a value grey and saying so; selected outlined.

    values/texts: province code -> value / its formatted text; names: code -> display name.
    The colour bar names the good end ("better"), unless the indicator has no direction.
    A plain figure dict, as plotly's validation would make of the same figure (a test checks
    it), built without that validation (plotly.py's copies were most of a map's time); the
    outlines are a URL, so the answer is a few kB.
    """
    codes = list(_features())
    have = [c for c in codes if values.get(c) is not None]
    missing = [c for c in codes if values.get(c) is None]
    data: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    if have:
        good_end = "" if higher_is_better is None else t("map.better", lang)
        data.append(_area(
            have, [values[c] for c in have], "values",
            GOOD_SCALE if higher_is_better is not None else NEUTRAL_SCALE,
            {"color": EDGE, "width": 1}, [[names.get(c, c), texts.get(c, "")] for c in have],
            "%{customdata[0]}: <b>%{customdata[1]}</b><extra></extra>",
            colorbar={"title": {"text": f"{unit}<br>{'▲ ' + good_end if higher_is_better else ''}",
                                "side": "top", "font": {"size": 14}},
                      "thickness": 16, "len": 0.55, "x": 0.98, "y": 0.62, "tickformat": ",~r",
                      "tickfont": {"size": 13}, "outlinewidth": 0},
            reversescale=higher_is_better is False))
        if higher_is_better is False:  # the good end is at the bottom: say it there
            notes.append({"text": f"▼ {t('map.better', lang)}", "xref": "paper",
                          "yref": "paper", "x": 0.98, "y": 0.33, "xanchor": "center",
                          "yanchor": "top", "showarrow": False,
                          "font": {"size": 14, "color": TEXT}})
    if missing:
        data.append(_area(
            missing, [0] * len(missing), "no-data", [[0, NO_DATA], [1, NO_DATA]],
            {"color": EDGE, "width": 1},
            [[names.get(c, c), t("map.no_data", lang)] for c in missing],
            "%{customdata[0]}: %{customdata[1]}<extra></extra>", showscale=False))
        notes.append({"text": f"<span style='color:{NO_DATA}'>■</span> {t('map.no_data', lang)}",
                      "xref": "paper", "yref": "paper", "x": 0.98, "y": 0.08,
                      "xanchor": "right", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 14, "color": TEXT}})
    if selected in codes:
        data.append(_area(
            [selected], [0], "selected", [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            {"color": ACCENT, "width": 4},
            [[names.get(selected, selected), texts.get(selected) or t("map.no_data", lang)]],
            "%{customdata[0]}: <b>%{customdata[1]}</b><extra></extra>", showscale=False))
    data.append(_labels(codes, names, texts, selected, height, min_width))
    data += _archipelagos(lang)
    layout = {"template": _template(), **_layout_spec(lang, height)}
    if notes:
        layout["annotations"] = notes
    return {"data": data, "layout": layout}


def clicked_region(click: dict[str, Any] | None) -> str:
    """The province code a click on the map landed on (PreventUpdate when none)."""
    point = ((click or {}).get("points") or [{}])[0]
    code = point.get("location")
    if not isinstance(code, str) or code not in _features():
        raise dash.exceptions.PreventUpdate
    return code


def _labels(codes: list[str], names: dict[str, str], texts: dict[str, str], selected: str,
            height: int, min_width: int) -> dict[str, Any]:
    """Name and value on each province where they fit; crowded ones keep their hover only."""
    spots = geo.label_points()
    lines = [f"{names.get(c, c)}<br><b>{texts[c]}</b>" if texts.get(c) else names.get(c, c)
             for c in codes]
    points = [Point(spots[c][0], spots[c][1], 0, text) for c, text in zip(codes, lines, strict=True)]
    area_rank = {c: i for i, c in enumerate(codes)}
    # The selected province first, then provinces in file order (north to south): a fixed order,
    # so a label does not jump from one refresh to the next.
    order = sorted(range(len(codes)), key=lambda i: (codes[i] != selected, area_rank[codes[i]]))
    shown = fit_centred(points, px_per_degree(height, min_width, 16), order, LABEL_PX)
    picked = [i for i in range(len(codes)) if shown[i]]
    return {"type": "scattergeo", "lon": [points[i].x for i in picked],
            "lat": [points[i].y for i in picked], "mode": "text",
            "text": [points[i].text for i in picked], "name": "labels", "hoverinfo": "skip",
            "textfont": {"size": LABEL_PX, "color": TEXT, "shadow": SHADOW},
            "showlegend": False}


def status_map(dams: list[dict[str, Any]], colours: dict[str, str], legend: dict[str, str],
               lang: str | None, height: int,
               order: tuple[str, ...] = ("LIVE", "CONNECTING", "STALE", "OFFLINE"),
               quiet: str = "LIVE") -> go.Figure:
    """Dams by status over the 34 provinces: one trace per status, named dams when not live.

    dams: [{name, lat, lon, state}]; colours/legend: state -> colour / legend text; order:
    the states drawn, bottom up; quiet: the state drawn small and unnamed.
    """
    codes = list(_features())
    fig = go.Figure(go.Choropleth(
        geojson=geodata.url(), locations=codes, z=[0] * len(codes), featureidkey="id", name="provinces",
        colorscale=[[0, LAND], [1, LAND]], showscale=False, hoverinfo="skip",
        marker={"line": {"color": LAND_EDGE, "width": 0.8}}))
    for state in order:
        group = [d for d in dams if d.get("state") == state]
        if not group:
            continue
        fig.add_trace(go.Scattergeo(
            lon=[d["lon"] for d in group], lat=[d["lat"] for d in group],
            mode="markers" if state == quiet else "markers+text",
            text=[d.get("name") for d in group], textposition="middle right",
            textfont={"color": colours[state], "size": 15}, name=legend[state],
            marker={"size": 13 if state == quiet else 17, "color": colours[state],
                    "line": {"color": EDGE, "width": 1.5}}, showlegend=True))
    fig.add_traces(_archipelagos(lang, size=12, dots=True))
    _layout(fig, lang, height)
    fig.update_layout(showlegend=True, autosize=True, height=None,
                      legend={"font": {"color": TEXT, "size": 14}, "bgcolor": "rgba(10,17,32,0.7)",
                              "x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"})
    return fig

"""Indicator drill-down callbacks: URL state, pickers, series/ranking/map figures, table, CSV."""
from __future__ import annotations

import csv
import io
import math
from datetime import datetime
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, html
from dash.development.base_component import Component

from callbacks import provincemap
from core.cache import Fetched, fetch, fetch_many
from core.clock import VN_TZ
from layouts.components import stale_badge, unit_label
from layouts.markup import block, esc, tag
from pagestate import search_string
from pagestate.indicators import (
    BASE_PATH,
    BUCKET,
    IndicatorState,
    _catalogue,
    code_options,
    group_options,
    parse_state,
    period_options,
    region_name,
    region_options,
    resolve,
    resolve_page,
)
from reporting import preliminary, queries
from ui.figures import dark_layout, empty_figure
from ui.palette import ACCENT, BG, LINE, MUTED, SERIES, STATUS_COLOURS, TEXT
from ui.wording import indicator_name
from web.i18n import norm, number, period_label, t, when


def decimals_for(values: list[float], unit: str | None = None) -> int:
    """Enough decimals to tell values apart without noise: 2 for small, 0 for large."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return 1
    top = max(finite)
    if top >= 1000:
        return 0
    if top >= 100:
        return 1 if (unit or "").startswith("%") else 0
    if top >= 10:
        return 1
    return 2


# --- pickers -------------------------------------------------------------------------------

def page_labels(lang: str | None) -> tuple:
    cat, regs = fetch_many((queries.catalogue,), (queries.regions,))
    items, regions = cat.data or [], regs.data or []
    return (t("ind.group", lang), t("ind.indicator", lang), t("ind.region", lang),
            t("ind.from", lang), t("ind.to", lang), t("ind.compare_period", lang),
            t("ind.csv", lang), group_options(items, lang), region_options(regions, lang))


def pick_code(group: str | None, lang: str | None, code: str | None) -> tuple[list, str]:
    """The group's indicators; the current one stays picked if it belongs to the group."""
    items = _catalogue().data or []
    options = code_options(items, group, lang)
    values = [o["value"] for o in options]
    if code in values or not values:
        return options, code or ""
    return options, values[0]


def range_controls(code: str | None, lang: str | None, click: dict | None, region: str | None,
                   start: str | None, end: str | None, period: str | None) -> tuple:
    """Pickers that fit the indicator's frequency; values kept when they still fit.

    A click on a province of the map drills into it: the region picker takes its code (and the
    page, with the URL, follows). The click comes in here rather than through a second callback
    on ind-region, so the region has one writer.
    """
    if dash.callback_context.triggered_id == "ind-map":
        region = clicked_region(click)
    return range_pickers(code, lang, region, start, end, period)


def range_pickers(code: str | None, lang: str | None, region: str | None, start: str | None,
                  end: str | None, period: str | None) -> tuple:
    """range_controls' outputs for a picked indicator and the values asked for."""
    page = resolve_page(code, {"region": region, "from": start, "to": end, "period": period})
    state, ind = page.state, page.ind
    if ind is None or ind["code"] != (code or ""):  # no such indicator picked (yet)
        return [], "", [], "", [], "", True, "VN"
    opts = period_options(list(page.labels), lang)
    return (opts, state.start, opts, state.end, opts if ind.get("by_province") else [],
            state.period, not ind.get("by_province"), state.region)


# --- figures ---------------------------------------------------------------------------------

def _when_points(rows: list[dict], ind: dict) -> tuple[list[datetime], list[float], list[int],
                                                      list[str]]:
    """x, y, revision and period label per point; real-time ticks bucketed to 5 minutes."""
    if ind["frequency"] != "realtime":
        return ([datetime.fromisoformat(r["start"]) for r in rows], [r["value"] for r in rows],
                [r["revision"] for r in rows], [r["period"] for r in rows])
    if not rows:
        return [], [], [], []
    frame = pd.DataFrame({"start": pd.to_datetime([r["start"] for r in rows]),
                          "value": [r["value"] for r in rows]}).set_index("start")
    grouped = frame["value"].resample(BUCKET)
    buckets = grouped.mean() if ind["unit"] == "MW" else grouped.sum()
    buckets = buckets.dropna()
    xs = [ts.to_pydatetime() for ts in buckets.index]
    return xs, [float(v) for v in buckets.values], [1] * len(xs), \
        [x.strftime("%Y-%m-%dT%H:%M") for x in xs]


def _step(count: int, choices: tuple[int, ...], most: int = 12) -> int:
    for step in choices:
        if count / step <= most:
            return step
    return choices[-1]


def time_axis(fig: go.Figure, xs: list[datetime], labels: list[str], frequency: str,
              lang: str | None) -> None:
    """Tick labels in the indicator's own calendar: T10/2026, Quý III/2026, 2026, 22/11, 10:00."""
    vi = norm(lang) == "vi"
    if frequency in ("monthly", "quarterly", "yearly") and xs:
        per_year = {"monthly": 12, "quarterly": 4, "yearly": 1}[frequency]
        choices = {"monthly": (1, 2, 3, 6, 12, 24), "quarterly": (1, 2, 4, 8),
                   "yearly": (1, 2, 5, 10)}[frequency]
        step = _step(len(xs), choices)
        ticks = [(x, lab) for x, lab in zip(xs, labels, strict=True)
                 if ((x.year * per_year + (x.month - 1) * per_year // 12) % step == 0)]
        fig.update_xaxes(tickmode="array", tickvals=[x for x, _ in ticks],
                         ticktext=[period_label(lab, lang) for _, lab in ticks])
    elif frequency == "daily":
        fig.update_xaxes(tickformat="%d/%m" if vi else "%d %b")
    elif frequency == "hourly":
        fig.update_xaxes(tickformat="%H:%M<br>%d/%m" if vi else "%H:%M<br>%d %b")
    else:
        fig.update_xaxes(tickformat="%H:%M")


def series_figure(ind: dict, rows: list[dict], region_label: str, lang: str | None,
                  height: int = 380) -> go.Figure:
    """The series with its target line, revised points marked and the last value labelled."""
    if not rows:
        return empty_figure(t("no_data", lang), lang, height)
    xs, ys, revs, labels = _when_points(rows, ind)
    dec = decimals_for(ys, ind["unit"])
    unit = unit_label(ind["unit"], lang)
    shown = [period_label(lab, lang) if ind["frequency"] != "realtime" else lab[11:16]
             for lab in labels]
    values = [number(y, lang, dec) for y in ys]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=xs, y=ys, name=region_label, mode="lines+markers" if len(xs) <= 120 else "lines",
        line={"color": SERIES, "width": 2.5}, marker={"size": 6, "color": SERIES},
        customdata=list(zip(shown, values, revs, strict=True)),
        hovertemplate="%{customdata[0]}: <b>%{customdata[1]}</b> " + unit
                      + "<extra></extra>"))
    # A period that has not ended is an early estimate: hollow points, said in the hover.
    early = [i for i, r in enumerate(rows) if r.get("preliminary")] \
        if ind["frequency"] != "realtime" else []
    if early:
        fig.add_trace(go.Scatter(
            x=[xs[i] for i in early], y=[ys[i] for i in early], mode="markers",
            name=t("prelim.points", lang),
            marker={"symbol": "circle-open", "size": 13, "color": STATUS_COLOURS["warn"],
                    "line": {"width": 2}},
            customdata=[[shown[i], values[i]] for i in early],
            hovertemplate="%{customdata[0]}: <b>%{customdata[1]}</b> " + unit + " · "
                          + t("prelim", lang) + "<extra></extra>"))
    revised = [i for i, r in enumerate(revs) if r > 1]
    if revised:
        fig.add_trace(go.Scatter(
            x=[xs[i] for i in revised], y=[ys[i] for i in revised], mode="markers",
            name=t("ind.revised", lang),
            marker={"symbol": "diamond", "size": 12, "color": ACCENT,
                    "line": {"color": BG, "width": 1.5}},
            customdata=[[shown[i], values[i], revs[i]] for i in revised],
            hovertemplate="%{customdata[0]}: <b>%{customdata[1]}</b> " + unit + " · "
                          + t("ind.revision", lang) + " %{customdata[2]}<extra></extra>"))
    target = ind.get("target")
    if target is not None and ind["frequency"] != "realtime":
        fig.add_hline(y=target, line={"color": STATUS_COLOURS["good"], "width": 2,
                                      "dash": "dash"},
                      annotation={"text": f"{t('target', lang)}: {number(target, lang, dec)} "
                                          f"{unit}", "font": {"color": STATUS_COLOURS["good"]},
                                  "xanchor": "left", "x": 0, "yanchor": "bottom"})
    last_note = f" · {t('prelim', lang)}" if early and early[-1] == len(xs) - 1 else ""
    fig.add_annotation(x=xs[-1], y=ys[-1], text=f"<b>{values[-1]}</b> {unit}{last_note}",
                       showarrow=True, arrowcolor=MUTED, ax=0, ay=-28,
                       font={"size": 14, "color": TEXT}, bgcolor="rgba(10,17,32,0.85)",
                       bordercolor=LINE)
    dark_layout(fig, lang, height, showlegend=True)
    fig.update_yaxes(title={"text": unit, "font": {"color": MUTED}}, tickformat=",~r")
    time_axis(fig, xs, labels, ind["frequency"], lang)
    return fig


def _province_rows(snapshot: dict, regions: list[dict]) -> list[tuple[dict, float]]:
    values = snapshot.get("values") or {}
    return [(r, values[r["code"]]) for r in regions
            if r["code"] != "VN" and values.get(r["code"]) is not None]


def _status_colour(value: float, ind: dict) -> str:
    return STATUS_COLOURS[queries.tile_status(value, ind)]


def ranking_figure(ind: dict, snapshot: dict, regions: list[dict], selected: str,
                   national: float | None, lang: str | None) -> go.Figure:
    """The 34 provinces ranked for one period, each bar labelled with its value."""
    rows = _province_rows(snapshot, regions)
    height = 40 + 21 * max(len(rows), 10) + 40
    if not rows:
        return empty_figure(t("no_data", lang), lang, 320)
    best_first = ind.get("higher_is_better") is not False
    rows.sort(key=lambda rv: rv[1], reverse=best_first)
    dec = decimals_for([v for _, v in rows], ind["unit"])
    names = [region_name(r, lang) for r, _ in rows]
    ranked = [f"<b>{i}. {n}</b>" if r["code"] == selected else f"{i}. {n}"
              for i, (n, (r, _)) in enumerate(zip(names, rows, strict=True), start=1)]
    colours = [_status_colour(v, ind) for _, v in rows]
    outline = [ACCENT if r["code"] == selected else "rgba(0,0,0,0)" for r, _ in rows]
    texts = [number(v, lang, dec) for _, v in rows]
    fig = go.Figure(go.Bar(
        x=[v for _, v in rows], y=ranked, orientation="h", text=texts,
        textposition="outside", cliponaxis=False, textfont={"color": TEXT, "size": 12},
        marker={"color": colours, "line": {"color": outline, "width": 3}},
        customdata=names, hovertemplate="%{customdata}: <b>%{text}</b><extra></extra>"))
    if national is not None:
        fig.add_vline(x=national, line={"color": ACCENT, "width": 2, "dash": "dot"},
                      annotation={"text": f"{t('ind.national', lang)}: "
                                          f"{number(national, lang, dec)}",
                                  "font": {"color": ACCENT}, "yanchor": "bottom",
                                  "y": 1, "yref": "paper", "yshift": 20})  # above the tick labels
    dark_layout(fig, lang, height, showlegend=False, bargap=0.25)
    fig.update_layout(margin={"l": 150, "r": 60, "t": 56, "b": 30})
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12}, gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(tickformat=",~r", side="top")
    lo = min(0.0, min(v for _, v in rows))
    hi = max(v for _, v in rows)
    fig.update_xaxes(range=[lo, hi * 1.12 if hi > 0 else 1])
    return fig


MAP_MIN_WIDTH_PX = 700  # the narrowest map panel the label layout plans for


def map_figure(ind: dict, snapshot: dict, regions: list[dict], selected: str,
               lang: str | None, height: int | None = None) -> dict[str, Any]:
    """The 34 provinces coloured by value (good end named), no data grey, selected outlined:
    a plain figure dict (provincemap.choropleth_spec)."""
    rows = _province_rows(snapshot, regions)
    height = height or 40 + 21 * 34 + 40
    vals = [v for _, v in rows]
    dec = decimals_for(vals, ind["unit"])
    values = {r["code"]: v for r, v in rows}
    texts = {r["code"]: number(v, lang, dec) for r, v in rows}
    names = {r["code"]: region_name(r, lang) for r in regions if r["code"] != "VN"}
    return provincemap.choropleth_spec(values, texts, names, selected, lang,
                                       ind.get("higher_is_better"), unit_label(ind["unit"], lang),
                                       height, MAP_MIN_WIDTH_PX)


clicked_region = provincemap.clicked_region  # the /tasks map drills the same way


def table(rows: list[dict], ind: dict, region_label: str, lang: str | None,
          limit: int = 240) -> Component:
    """The series as a table, newest first (what the CSV download contains): one component
    (layouts.markup), not seven per row."""
    if not rows:
        return html.Div(t("no_data", lang), className="empty")
    dec = decimals_for([r["value"] for r in rows], ind["unit"])
    head = tag("thead", tag("tr", *[tag("th", esc(t(k, lang))) for k in (
        "period", "ind.region", "ind.value", "ind.revision", "ind.source", "ind.received")]))
    body = []
    for r in list(reversed(rows))[:limit]:
        label = period_label(r["period"], lang) if ind["frequency"] != "realtime" \
            else r["period"].replace("T", " ")
        body.append(tag("tr",
                        tag("td", esc(label)), tag("td", esc(region_label)),
                        tag("td", esc(number(r["value"], lang, dec)), className="num"),
                        tag("td", esc(r["revision"]), className="num"),
                        tag("td", esc(t(f"ind.src.{r['source']}", lang))),
                        tag("td", esc(when(r["received_at"], lang))),
                        className="revised" if r["revision"] > 1 else None))
    return block(tag("table", head, tag("tbody", *body), className="data-table"))


CSV_COLUMNS = ("ind.indicator", "ind.region", "period", "ind.value", "ind.unit", "ind.revision",
               "ind.source", "csv.received")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with one (else Vietnamese garbles)


def with_offset(local_iso: str | None) -> str:
    """A Viet Nam local time as ISO 8601 with its offset: 2026-11-05T10:00:00+07:00 (periods
    that are not times, 2026-10 or 2026-Q3, unchanged)."""
    if not local_iso or "T" not in local_iso:
        return local_iso or ""
    moment = datetime.fromisoformat(local_iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.isoformat(timespec="minutes" if len(local_iso) <= 16 else "seconds")


def csv_text(ind: dict, region: str, rows: list[dict], lang: str | None = "vi") -> str:
    """The series as CSV for Excel and scripts: a UTF-8 BOM, headers in the page's language,
    codes, ISO periods, dot decimals and times with their offset (+07:00)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(key, lang) for key in CSV_COLUMNS])
    for r in rows:
        writer.writerow([ind["code"], region, with_offset(r["period"]), r["value"], ind["unit"],
                         r["revision"], r["source"], with_offset(r["received_at"])])
    return BOM + out.getvalue()


def compare_texts(snap: dict, lang: str | None) -> tuple[str, str]:
    """The comparison's title (its period, 'sơ bộ' when preliminary) and note (how many
    provinces reported, and why it is preliminary)."""
    period, reported = snap.get("period", ""), len(snap.get("values") or {})
    title = f"{t('ind.compare', lang)} · {period_label(period, lang)}"
    note = t("ind.compare_note", lang).format(n=reported)
    if not snap.get("preliminary"):
        return title, note
    total = snap.get("total") or 34
    if reported < total and not preliminary.enough(reported, total):
        note = t("prelim.thin", lang).format(n=reported, total=total) + note
    elif snap.get("period"):
        note = f"{t('prelim.open', lang)}. {note}"
    return f"{title} · {t('prelim', lang)}", note


# --- callbacks -------------------------------------------------------------------------------

def _stale(*fetched: Fetched | None) -> str | None:
    marks = [f.stale_since for f in fetched if f and f.stale_since]
    return min(marks) if marks else None


def _freq_text(ind: dict, lang: str | None) -> str:
    return t(f"ind.freq.{ind['frequency']}", lang)


def render(code: str | None, region: str | None, start: str | None, end: str | None,
           period: str | None, lang: str | None) -> tuple:
    """Every view of the page for one state, and the URL that reopens it."""
    lang = norm(lang)
    page = resolve_page(code, {"region": region, "from": start, "to": end, "period": period})
    state, ind, cat, reg_fetch = page.state, page.ind, page.catalogue, page.regions
    if ind is None:
        empty = empty_figure(t("no_data", lang), lang)
        return (t("nav.indicators", lang), "", stale_badge(cat.stale_since, lang), "", "",
                empty, "", "", {"display": "none"}, empty, empty, "", "", BASE_PATH, "")
    regions = reg_fetch.data or []
    by_region = {r["code"]: r for r in regions}
    region_label = region_name(by_region.get(state.region), lang) or state.region
    # The shown range and the provinces' snapshot in one cache call; the national value of the
    # compared period comes from the national series resolve_page already read.
    series_call = (queries.series, ind["code"], state.region, state.start, state.end)
    if ind.get("by_province"):
        got, snap_f = fetch_many(series_call,
                                 (queries.province_snapshot, ind["code"], state.period))
    else:
        got, snap_f = fetch(*series_call), None
    rows = got.data or []
    unit = unit_label(ind["unit"], lang)
    name = indicator_name(ind, lang, short=False)
    meta = [html.Span(f"{ind['code']}", className="chip"),
            html.Span(f"{ind['group']} · {ind['group_name_en' if lang == 'en' else 'group_name_vi']}",
                      className="chip"),
            html.Span(_freq_text(ind, lang), className="chip"),
            html.Span(f"{t('ind.unit', lang)}: {unit}", className="chip"),
            html.Span(f"{t('ind.owner', lang)}: {ind['agency']}", className="chip")]
    if ind.get("target") is not None:
        meta.append(html.Span(f"{t('target', lang)}: {number(ind['target'], lang, 1)} {unit}",
                              className="chip chip-target"))
    if any(r["source"] == "simulated" for r in rows):
        meta.append(html.Span(t("simulated", lang), className="badge badge-sim"))
    if rows:
        meta.append(html.Span(f"{t('as_of', lang)} {when(max(r['received_at'] for r in rows), lang)}",
                              className="chip chip-asof"))
    range_text = f"{period_label(state.start, lang)} – {period_label(state.end, lang)}" \
        if state.start else ""
    series_title = f"{region_label} · {range_text}"
    revised = sum(1 for r in rows if r["revision"] > 1)
    note = t("ind.bucket_note", lang) if ind["frequency"] == "realtime" else \
        (t("ind.revised_note", lang).format(n=revised) if revised else "")
    fig_series = series_figure(ind, rows, region_label, lang)

    fetched = [cat, reg_fetch, got]
    if snap_f is not None:
        fetched += [snap_f, page.history]
        snap = snap_f.data or {"period": state.period, "values": {}}
        national_rows = (page.history.data if page.history else None) or []
        national = next((r["value"] for r in national_rows if r["period"] == state.period), None)
        compare_title, compare_note = compare_texts(snap, lang)
        rank = ranking_figure(ind, snap, regions, state.region, national, lang)
        fig_map = map_figure(ind, snap, regions, state.region, lang)
        compare_style: dict = {}
    else:
        compare_title, compare_note = t("ind.compare", lang), ""
        rank = fig_map = empty_figure(t("ind.no_provinces", lang), lang, 200)
        compare_style = {"display": "none"}
    table_title = f"{t('ind.table', lang)} · {region_label} ({len(rows)})"
    return (name, meta, stale_badge(_stale(*fetched), lang), series_title, note, fig_series,
            compare_title, compare_note, compare_style, rank, fig_map, table_title,
            table(rows, ind, region_label, lang), state.pathname(), state.search())


def download_csv(n_clicks: int | None, code: str | None, region: str | None,
                 start: str | None, end: str | None, lang: str | None = "vi") -> dict:
    """The shown series as a CSV file named after the indicator, region and range."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    state, ind = resolve(code, {"region": region, "from": start, "to": end})
    if ind is None:
        raise dash.exceptions.PreventUpdate
    rows = fetch(queries.series, ind["code"], state.region, state.start, state.end).data or []
    name = f"{ind['code']}_{state.region}_{state.start}_{state.end}.csv".replace(":", "")
    return {"content": csv_text(ind, state.region, rows, norm(lang)), "filename": name,
            "type": "text/csv;charset=utf-8", "base64": False}


def register(app: dash.Dash) -> None:
    app.callback(
        Output("ind-l-group", "children"), Output("ind-l-code", "children"),
        Output("ind-l-region", "children"), Output("ind-l-from", "children"),
        Output("ind-l-to", "children"), Output("ind-l-period", "children"),
        Output("ind-csv-btn", "children"), Output("ind-group", "options"),
        Output("ind-region", "options"), Input("lang", "data"),
    )(page_labels)
    # The layout opens the pickers as these two would set them (layouts.indicators): not run on
    # the first render, so the views (render) need not wait for them.
    app.callback(
        Output("ind-code", "options"), Output("ind-code", "value"),
        Input("ind-group", "value"), Input("lang", "data"), State("ind-code", "value"),
        prevent_initial_call=True,
    )(pick_code)
    app.callback(
        Output("ind-from", "options"), Output("ind-from", "value"),
        Output("ind-to", "options"), Output("ind-to", "value"),
        Output("ind-period", "options"), Output("ind-period", "value"),
        Output("ind-region", "disabled"), Output("ind-region", "value"),
        Input("ind-code", "value"), Input("lang", "data"), Input("ind-map", "clickData"),
        State("ind-region", "value"),
        State("ind-from", "value"), State("ind-to", "value"), State("ind-period", "value"),
        prevent_initial_call=True,
    )(range_controls)
    app.callback(
        Output("ind-title", "children"), Output("ind-meta", "children"),
        Output("ind-stale", "children"), Output("ind-series-title", "children"),
        Output("ind-series-note", "children"), Output("ind-series", "figure"),
        Output("ind-compare-title", "children"), Output("ind-compare-note", "children"),
        Output("ind-compare", "style"), Output("ind-rank", "figure"),
        Output("ind-map", "figure"), Output("ind-table-title", "children"),
        Output("ind-table", "children"), Output("ind-url", "pathname"),
        Output("ind-url", "search"),
        Input("ind-code", "value"), Input("ind-region", "value"), Input("ind-from", "value"),
        Input("ind-to", "value"), Input("ind-period", "value"), Input("lang", "data"),
    )(render)
    app.callback(
        Output("ind-csv", "data"), Input("ind-csv-btn", "n_clicks"),
        State("ind-code", "value"), State("ind-region", "value"), State("ind-from", "value"),
        State("ind-to", "value"), State("lang", "data"), prevent_initial_call=True,
    )(download_csv)


__all__ = ["IndicatorState", "parse_state", "register", "render", "resolve", "search_string", "series_figure"]

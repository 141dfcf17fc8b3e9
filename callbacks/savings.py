"""Savings page callbacks: official figures with sources, adoption over time, the SCM estimate."""
from __future__ import annotations

from datetime import date
from typing import Any

import dash
import plotly.graph_objects as go
from dash import Input, Output, html
from dash.development.base_component import Component

from core.cache import fetch
from layouts.components import kpi_card, published_tag, stale_badge
from layouts.markup import block, esc, tag
from layouts.sparkline import Point, sparkline
from pagestate.savings import ASSUMPTIONS, DEFAULTS, assumptions_search, parse_assumptions
from reporting import queries
from ui.figures import dark_layout
from ui.palette import ACCENT, EXTRA_SERIES, MUTED, SERIES, STATUS_COLOURS, TEXT
from ui.wording import qualifier, source_text
from web.i18n import day, norm, number, t

SYSTEMS = ("public_service_portal", "document_axis", "e_cabinet", "reporting_system")
SYSTEM_COLOURS = {"public_service_portal": SERIES, "document_axis": STATUS_COLOURS["good"],
                  "e_cabinet": STATUS_COLOURS["warn"], "reporting_system": EXTRA_SERIES,
                  "all": ACCENT}
ADOPTION = (("services_integrated", "public_service_portal"), ("visits", "public_service_portal"),
            ("accounts", "public_service_portal"), ("documents_exchanged", "document_axis"),
            ("dossiers_online", "public_service_portal"), ("e_payments", "public_service_portal"))


# --- facts -----------------------------------------------------------------------------------

def history(facts: list[dict], metric: str, system: str | None = None) -> list[dict]:
    """The dated figures of one metric (and system), oldest first."""
    rows = [f for f in facts if f["metric"] == metric and (system is None or f["system"] == system)]
    return sorted(rows, key=lambda f: f["as_of"])


def latest(facts: list[dict], metric: str, system: str | None = None) -> dict | None:
    rows = history(facts, metric, system)
    return rows[-1] if rows else None


def compact(value: float | None, lang: str | None) -> str:
    """116.000.000 -> '116 triệu' / '116 million'; smaller numbers in full."""
    if value is None:
        return "—"
    if abs(value) >= 1_000_000:
        scaled = value / 1_000_000
        return f"{number(scaled, lang, 1 if scaled < 100 and scaled % 1 else 0)} " \
               f"{t('sav.million', lang)}"
    return number(value, lang, 0 if float(value).is_integer() else 1)


def source_line(fact: dict, lang: str | None) -> str:
    return f"{day(fact['as_of'], lang)} · {source_text(fact['source'], lang)}"


# --- the standard cost model estimate --------------------------------------------------------

BN = 1_000_000_000  # the official figures are in billions of VND (tỷ đồng)


def scm_estimate(values: dict[str, float]) -> dict[str, Any]:
    """Standard cost model: transactions × (hours saved × hourly cost + direct cost saved)."""
    v = {k: float(values.get(k) if values.get(k) is not None else DEFAULTS[k]) for k in DEFAULTS}
    rows = []
    for system, n, h, c in (("public_service_portal", "n1", "h1", "c1"),
                            ("document_axis", "n2", "h2", "c2")):
        per_unit = v[h] * v["w"] + v[c]
        rows.append({"system": system, "transactions": v[n], "hours": v[h], "direct": v[c],
                     "per_unit": per_unit, "bn_vnd": v[n] * per_unit / BN})
    return {"rows": rows, "hourly_cost": v["w"], "total_bn_vnd": sum(r["bn_vnd"] for r in rows)}


# --- views -----------------------------------------------------------------------------------

def system_name(system: str, lang: str | None) -> str:
    return t(f"sav.sys.{system}", lang)


def cards(facts: list[dict], lang: str | None) -> list:
    """The official total (with its growth) and the four systems, each with date and source."""
    unit = t("unit.bn_vnd_year", lang)
    total = latest(facts, "savings_total_per_year", "all")
    before = history(facts, "savings_total_per_year", "all")
    out = []
    if total:
        growth = None
        if len(before) >= 2:
            prev = before[-2]
            growth = html.Div(className="kpi-growth", children=[
                f"{t('sav.up_from', lang)} {qualifier(prev, lang)} ".replace("  ", " "),
                html.B(number(prev["value"], lang)), f" ({day(prev['as_of'], lang)}) → ",
                html.B(number(total["value"], lang)), f" ({day(total['as_of'], lang)})",
            ])
        out.append(kpi_card(t("sav.total", lang), number(total["value"], lang), unit,
                            qualifier=qualifier(total, lang), extra=growth,
                            foot=source_line(total, lang), card_id="sav-card-total",
                            className="sav-card sav-card-total"))
    for system in SYSTEMS:
        fact = latest(facts, "savings_per_year", system)
        if fact is None:
            continue
        out.append(kpi_card(system_name(system, lang), number(fact["value"], lang), unit,
                            qualifier=qualifier(fact, lang), foot=source_line(fact, lang),
                            card_id=f"sav-card-{system}", className="sav-card"))
    return out


def by_system_figure(facts: list[dict], lang: str | None) -> go.Figure:
    rows = [(s, latest(facts, "savings_per_year", s)) for s in SYSTEMS]
    rows = [(s, f) for s, f in rows if f]
    fig = go.Figure(go.Bar(
        x=[f["value"] for _, f in rows],
        y=[f"{system_name(s, lang)}<br><span style='font-size:11px;color:{MUTED}'>"
           f"{day(f['as_of'], lang)}</span>" for s, f in rows],
        orientation="h", marker={"color": [SYSTEM_COLOURS[s] for s, _ in rows]},
        text=[f"{qualifier(f, lang)} {number(f['value'], lang)}".strip() for _, f in rows],
        textposition="outside", cliponaxis=False, textfont={"size": 15, "color": TEXT},
        hoverinfo="skip"))
    dark_layout(fig, lang, 300, showlegend=False, bargap=0.35)
    fig.update_layout(margin={"l": 230, "r": 90, "t": 10, "b": 40})
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(title={"text": t("unit.bn_vnd_year", lang), "font": {"color": MUTED}},
                     tickformat=",~r")
    return fig


def growth_figure(facts: list[dict], lang: str | None) -> go.Figure:
    """Annual savings as reported over time: the total and each system's dated figures."""
    fig = go.Figure()
    series = [("savings_total_per_year", "all", t("sav.total_short", lang))] + \
        [("savings_per_year", s, system_name(s, lang)) for s in SYSTEMS]
    for metric, system, label in series:
        rows = history(facts, metric, system)
        if len(rows) < 2:  # a single dated figure is in the bar chart beside this one
            continue
        fig.add_trace(go.Scatter(
            x=[r["as_of"] for r in rows], y=[r["value"] for r in rows], name=label,
            mode="lines+markers+text", line={"color": SYSTEM_COLOURS[system],
                                             "width": 4 if system == "all" else 2},
            marker={"size": 10 if system == "all" else 7},
            text=[number(r["value"], lang) for r in rows], textposition="top center",
            textfont={"color": SYSTEM_COLOURS[system], "size": 13}, cliponaxis=False,
            hovertemplate="%{text}<extra>" + label + "</extra>"))
    dark_layout(fig, lang, 300, showlegend=True)
    fig.update_layout(margin={"l": 60, "r": 30, "t": 40, "b": 40},
                      legend={"font": {"size": 12}})
    fig.update_xaxes(tickformat="%m/%Y", range=["2019-04-01", "2021-06-30"])
    fig.update_yaxes(title={"text": t("unit.bn_vnd_year", lang), "font": {"color": MUTED}},
                     tickformat=",~r", range=[0, 11_500])
    return fig


def spaced_labels(days: list[date], labels: list[str], min_share: float = 0.1) -> list[str]:
    """The labels of points at least `min_share` of the time span apart, kept from the newest back.

    Two figures published a fortnight apart would print on top of each other; the older one
    gives way (its value is still in the dated list under the chart).
    """
    if len(days) < 2:
        return list(labels)
    gap = (days[-1] - days[0]) * min_share
    out, kept = [""] * len(labels), days[-1]
    out[-1] = labels[-1]
    for index in range(len(days) - 2, -1, -1):
        if kept - days[index] >= gap:
            out[index], kept = labels[index], days[index]
    return out


def adoption_card(facts: list[dict], metric: str, system: str, lang: str | None) -> Component:
    """One metric's dated figures: the latest, the change, a small chart and every source.

    The whole card is one component (layouts.markup) and its chart inline SVG
    (layouts.sparkline): six plotly graphs were most of the page's paint time on a display.
    """
    rows = history(facts, metric, system)
    if not rows:
        return html.Div()
    first_row, last = rows[0], rows[-1]
    days = [date.fromisoformat(r["as_of"]) for r in rows]
    values = [compact(r["value"], lang) for r in rows]
    points = [Point(d, r["value"], label) for d, r, label
              in zip(days, rows, spaced_labels(days, values), strict=True)]
    name = t(f"sav.m.{metric}", lang)
    summary = f"{name}: " + ", ".join(f"{v} ({day(r['as_of'], lang)})"
                                      for v, r in zip(values, rows, strict=True))
    change = f"{compact(first_row['value'], lang)} ({day(first_row['as_of'], lang)}) → " \
             f"{compact(last['value'], lang)} ({day(last['as_of'], lang)})" \
        if len(rows) > 1 else day(last["as_of"], lang)
    return block(''.join((
        tag("div", esc(name), className="adoption-title"),
        tag("div", tag("span", esc(qualifier(last, lang)), className="kpi-qualifier"),
            tag("span", esc(compact(last["value"], lang)), className="adoption-value"),
            tag("span", esc(t(f"sav.u.{metric}", lang)), className="adoption-unit"),
            className="adoption-figure"),
        tag("div", esc(change), className="adoption-change"),
        tag("div", sparkline(points, SYSTEM_COLOURS[system], summary),
            className="adoption-graph"),
        tag("ul", *[tag("li", esc(f"{compact(r['value'], lang)} — {source_line(r, lang)}"))
                    for r in rows], className="sources"),
    )), id=f"sav-adopt-{metric}", className="adoption-card")


def fact_text(fact: dict, field: str, lang: str | None) -> str:
    """A fact's unit or note in the screen's language: the Vietnamese column (data/reference/
    kpi_facts.csv unit_vi, note_vi) on Vietnamese screens, the transcribed English on the
    switch, and the English where a fact has no Vietnamese yet."""
    if norm(lang) == "vi":
        return fact.get(f"{field}_vi") or fact.get(field) or ""
    return fact.get(field) or ""


def metric_name(metric: str, lang: str | None) -> str:
    """The label of a KPI metric (catalogue 'sav.m.<metric>'); the code only if none is written."""
    return t(f"sav.m.{metric}", lang)


def sources_table(facts: list[dict], lang: str | None) -> Component:
    """Every official figure with its date and source: one component (layouts.markup), not the
    360 of a table built from html.Td."""
    head = tag("thead", tag("tr", *[tag("th", esc(t(k, lang))) for k in (
        "sav.col.metric", "sav.col.system", "ind.value", "sav.col.date", "ind.source",
        "sav.col.note")]))
    body = [tag("tr",
                tag("td", esc(metric_name(f["metric"], lang))),
                tag("td", esc(system_name(f["system"], lang))),
                tag("td", esc(f"{number(f['value'], lang, 0 if float(f['value']).is_integer() else 1)}"
                              f" {fact_text(f, 'unit', lang)}".strip()), className="num"),
                tag("td", esc(day(f["as_of"], lang))),
                tag("td", esc(source_text(f["source"], lang))),
                tag("td", esc(fact_text(f, "note", lang))))
            for f in sorted(facts, key=lambda f: (f["as_of"], f["metric"]), reverse=True)]
    return block(tag("table", head, tag("tbody", *body), className="data-table"))


def page(lang: str | None) -> tuple:
    """Everything on the page that depends only on the facts and the language."""
    lang = norm(lang)
    got = fetch(queries.kpi_facts)
    facts = got.data or []
    labels = [t(f"sav.in.{a.key}", lang) for a in ASSUMPTIONS]
    legends = [t(f"sav.g.{g}", lang) for g in ("portal", "axis", "common")]
    dated = published_tag(facts, lang)  # the official figures are those of early 2021
    return (t("sav.title", lang), t("sav.subtitle", lang), stale_badge(got.stale_since, lang),
            cards(facts, lang), [t("sav.by_system", lang), " ", dated],
            by_system_figure(facts, lang), [t("sav.growth", lang), " ", dated],
            growth_figure(facts, lang), [t("sav.adoption", lang), " ", dated],
            [adoption_card(facts, m, s, lang) for m, s in ADOPTION],
            t("sav.est.title", lang), t("sav.est.badge", lang), t("sav.est.intro", lang),
            t("sav.sources", lang), sources_table(facts, lang), t("sav.reset", lang),
            *legends, *labels)


def _bn(value: float, lang: str | None) -> str:
    return number(value, lang, 0 if value >= 100 else 1)


def estimate_view(values: dict[str, float], lang: str | None) -> list:
    """The estimate beside the official figures, with the formula and its substitution."""
    lang = norm(lang)
    est = scm_estimate(values)
    facts = fetch(queries.kpi_facts).data or []
    unit = t("unit.bn_vnd_year", lang)
    vnd = t("sav.vnd", lang)
    lines = []
    for row in est["rows"]:
        official = latest(facts, "savings_per_year", row["system"])
        lines.append(html.Div(className="est-row", id=f"sav-est-{row['system']}", children=[
            html.Div(system_name(row["system"], lang), className="est-system"),
            html.Code(f"{number(row['transactions'], lang)} × ({number(row['hours'], lang, 2)}"
                      f" × {number(est['hourly_cost'], lang)} {vnd} + "
                      f"{number(row['direct'], lang)} {vnd}) = "
                      f"{_bn(row['bn_vnd'], lang)} {unit}", className="est-formula-line"),
            html.Div(className="est-compare", children=[
                html.Span([t("sav.estimate", lang), ": ",
                           html.B(f"{_bn(row['bn_vnd'], lang)}", className="est-value"),
                           f" {unit}"], className="est-figure"),
                html.Span([t("sav.official", lang), ": ", qualifier(official, lang), " ",
                           html.B(number(official["value"], lang)), f" {unit} (",
                           day(official["as_of"], lang), ")"],
                          className="official-figure") if official else None,
            ]),
        ]))
    total = latest(facts, "savings_total_per_year", "all")
    return [
        html.Div(className="est-formula", children=[
            html.Div(t("sav.est.formula_label", lang), className="field-label"),
            html.Code(t("sav.est.formula", lang), id="sav-formula"),
        ]),
        *lines,
        html.Div(className="est-total", children=[
            html.Div([html.Span(t("sav.est.total", lang), className="est-total-label"),
                      html.Span(_bn(est["total_bn_vnd"], lang), id="sav-est-total",
                                className="est-total-value"),
                      html.Span(unit, className="kpi-unit"),
                      html.Span(t("sav.est.badge", lang), className="badge badge-estimate")]),
            html.Div([t("sav.official_total", lang), ": ", qualifier(total, lang), " ",
                      html.B(number(total["value"], lang)), f" {unit} · ",
                      source_line(total, lang)], className="official-figure")
            if total else None,
            html.Div(t("sav.est.scope", lang), className="panel-note"),
        ]),
    ]


def estimate(*args: Any) -> tuple[list, str]:
    """Recompute when an assumption changes; the URL keeps the changed assumptions."""
    *inputs, lang = args
    values = {a.key: (v if v is not None else a.default) for a, v in zip(ASSUMPTIONS, inputs,
                                                                          strict=True)}
    return estimate_view(values, lang), assumptions_search(values)


def reset(n_clicks: int | None) -> tuple:
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    return tuple(a.default for a in ASSUMPTIONS)


def register(app: dash.Dash) -> None:
    app.callback(
        Output("sav-title", "children"), Output("sav-subtitle", "children"),
        Output("sav-stale", "children"), Output("sav-cards", "children"),
        Output("sav-by-system-title", "children"), Output("sav-by-system", "figure"),
        Output("sav-growth-title", "children"), Output("sav-growth", "figure"),
        Output("sav-adoption-title", "children"), Output("sav-adoption", "children"),
        Output("sav-est-title", "children"), Output("sav-est-badge", "children"),
        Output("sav-est-intro", "children"), Output("sav-sources-title", "children"),
        Output("sav-sources", "children"), Output("sav-reset", "children"),
        *[Output(f"sav-g-{g}", "children") for g in ("portal", "axis", "common")],
        *[Output(f"sav-l-{a.key}", "children") for a in ASSUMPTIONS],
        Input("lang", "data"),
    )(page)
    app.callback(
        Output("sav-est-result", "children"), Output("sav-url", "search"),
        *[Input(f"sav-in-{a.key}", "value") for a in ASSUMPTIONS], Input("lang", "data"),
    )(estimate)
    app.callback(
        *[Output(f"sav-in-{a.key}", "value") for a in ASSUMPTIONS],
        Input("sav-reset", "n_clicks"), prevent_initial_call=True,
    )(reset)


__all__ = ["ASSUMPTIONS", "DEFAULTS", "cards", "estimate", "parse_assumptions", "register",
           "scm_estimate"]


"""Overview callbacks: thin functions from memoized queries (through fetch) to components.

Every data read goes through fetch(), so a database outage keeps the last values on
screen with a "stale since" badge and the next poll recovers by itself. The builders below are
plain functions of plain data; the update_* functions are the callbacks, testable as functions.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import dash
from dash import Input, Output, State, dcc, html

from alerts import store as alert_store
from callbacks.displays import lost_alert
from core import periods
from core.cache import fetch
from core.clock import local_now, utc_now
from layouts.alerts import wall_panel
from layouts.components import (
    indicator_tile,
    kpi_card,
    published_tag,
    sparkline,
    stale_badge,
    unit_label,
)
from reporting import catalogue, queries
from streams.client import camera_config, relay_down, relay_status
from ui.wording import published, qualifier, source_text
from web.i18n import day, norm, number, period_label, t, when

log = logging.getLogger(__name__)

SYSTEMS = ("public_service_portal", "document_axis", "e_cabinet", "reporting_system")
# When each system went live: the start of the "saved since launch" estimate. Portal and axis
# dates are in data/reference/kpi_facts.csv; the reporting system went live on 13/03/2020
# (data/reference README); e-Cabinet opened on 25/06/2019 (press coverage of the launch).
LAUNCHES: dict[str, date] = {
    "public_service_portal": date(2019, 12, 9),
    "document_axis": date(2019, 3, 12),
    "e_cabinet": date(2019, 6, 25),
    "reporting_system": date(2020, 3, 13),
}
LIVE_FEEDS = (("RT_EDOCS", "ov.live.edocs"), ("RT_DOSSIERS", "ov.live.dossiers"),
              ("RT_EPAYMENTS", "ov.live.payments"))
POWER = "RT_POWER"
POWER_WINDOW = timedelta(minutes=30)
MAX_CHIPS = 4


# --- KPI facts ---------------------------------------------------------------------------------

def facts_of(facts: list[dict[str, Any]] | None, metric: str,
             system: str | None = None) -> list[dict[str, Any]]:
    """Dated facts of one metric (and system), oldest first."""
    rows = [f for f in facts or [] if f["metric"] == metric
            and (system is None or f["system"] == system)]
    return sorted(rows, key=lambda f: f["as_of"])


def latest_fact(facts: list[dict[str, Any]] | None, metric: str,
                system: str | None = None) -> dict[str, Any] | None:
    rows = facts_of(facts, metric, system)
    return rows[-1] if rows else None


def fact_foot(fact: dict[str, Any] | None, lang: str) -> list[Any]:
    """Small text under a figure: its as-of date and source."""
    if not fact:
        return []
    return [html.Span(f"{t('as_of', lang)} {day(fact['as_of'], lang)}", className="foot-asof"),
            html.Span(f"{t('ov.source', lang)}: {source_text(fact['source'], lang)}",
                      className="foot-source")]


def ticker_segments(facts: list[dict[str, Any]] | None) -> list[dict[str, float]]:
    """Piecewise-constant saving rates per system for the clientside "since launch" counter.

    Each system saves at its first published annual rate from its launch until the next
    published figure, then at that one, up to now (an estimate, and said so on screen).
    """
    out = []
    for system in SYSTEMS:
        rows = facts_of(facts, "savings_per_year", system)
        launch = LAUNCHES.get(system)
        if not rows or launch is None:
            continue
        for i, fact in enumerate(rows):
            start = launch if i == 0 else max(launch, date.fromisoformat(fact["as_of"]))
            end = date.fromisoformat(rows[i + 1]["as_of"]) if i + 1 < len(rows) else None
            out.append({"rate": float(fact["value"]), "from": _epoch_ms(start),
                        "to": _epoch_ms(end) if end else None})
    return out


def _epoch_ms(moment: date) -> float:
    # Midnight Viet Nam time (UTC+7) of that day, in epoch milliseconds.
    return (datetime(moment.year, moment.month, moment.day) - datetime(1970, 1, 1)
            - timedelta(hours=7)).total_seconds() * 1000


TICKER_STEP = 10  # bn VND: an extrapolated yearly estimate is not worth more digits


def ticker_parts(total: float, lang: str) -> list[html.Span]:
    """The estimate in tens of billions (68.390), as the browser (assets/20-overview.js,
    ticker) writes it: it changes every few hours, never ticks like a measurement."""
    return [html.Span(number(round(total / TICKER_STEP) * TICKER_STEP, lang),
                      className="tick-whole")]


def cumulative_savings(segments: list[dict[str, float]], now_ms: float) -> float:
    """The same sum the browser computes (bn VND), for tests and the first paint."""
    year_ms = 365.2425 * 86_400_000
    total = 0.0
    for seg in segments:
        end = now_ms if seg["to"] is None else min(seg["to"], now_ms)
        if end > seg["from"]:
            total += seg["rate"] * (end - seg["from"]) / year_ms
    return total


def _title(key: str, lang: str, stale_since: str | None, extra: Any = None) -> html.Div:
    return html.Div(className="ov-title", children=[
        html.H2(t(key, lang)), extra, stale_badge(stale_since, lang)])


def savings_panel(facts: list[dict[str, Any]] | None, lang: str,
                  stale_since: str | None = None) -> list[Any]:
    """Total per year (with its qualifier and growth), per system, and the ticking estimate."""
    lang = norm(lang)
    total = latest_fact(facts, "savings_total_per_year", "all")
    history = facts_of(facts, "savings_total_per_year", "all")
    if total is None:
        return [_title("ov.savings", lang, stale_since), html.Div(t("no_data", lang),
                                                                   className="ov-empty")]
    growth = None
    if len(history) >= 2:
        first = history[0]
        growth = html.Div(className="ov-growth", children=[
            html.Span("▲", className="arrow tone-good"),
            html.Span(t("ov.savings.growth", lang) + " "),
            html.B(number(first["value"], lang)),
            html.Span(f" ({period_label(first['as_of'][:7], lang)})"),
            html.Span(" → "),
            html.B(number(total["value"], lang)),
            html.Span(f" ({period_label(total['as_of'][:7], lang)})"),
        ])
    systems = [latest_fact(facts, "savings_per_year", s) for s in SYSTEMS]
    top = max((f["value"] for f in systems if f), default=1) or 1
    rows = []
    for system, fact in zip(SYSTEMS, systems, strict=True):
        if fact is None:
            continue
        launch = LAUNCHES.get(system)
        rows.append(html.Div(className="ov-sys", id=f"overview-sys-{system}", children=[
            html.Div(t(f"ov.sys.{system}", lang), className="ov-sys-name"),
            html.Div(className="ov-sys-bar", children=html.Div(
                className="ov-sys-fill", style={"width": f"{max(fact['value'] / top, 0.02):.0%}"})),
            html.Div(className="ov-sys-value", children=[
                html.Span(qualifier(fact, lang) + " " if qualifier(fact, lang) else "",
                          className="q"),
                html.Span(number(fact["value"], lang), className="v"),
            ]),
            html.Div(([html.Span(f"{t('ov.savings.launched', lang)} {day(launch, lang)}",
                                 className="foot-launch")] if launch else [])
                     + fact_foot(fact, lang), className="ov-foot ov-sys-foot"),
        ]))
    segments = ticker_segments(facts)
    now_ms = (utc_now() - datetime(1970, 1, 1)).total_seconds() * 1000
    return [
        _title("ov.savings", lang, stale_since),
        kpi_card([t("ov.savings.total", lang),
                  published_tag(facts_of(facts, "savings_per_year") + history, lang)],
                 number(total["value"], lang),
                 t("unit.bn_vnd_year", lang), qualifier=qualifier(total, lang),
                 value_id="overview-savings-total", card_id="overview-savings-card",
                 className="ov-hero", extra=growth,
                 foot=fact_foot(total, lang) + [html.Span(t("ov.savings.method", lang),
                                                         className="foot-note")]),
        html.Div(rows, className="ov-systems"),
        html.Div(className="ov-cumulative", children=[
            html.Div(t("ov.savings.since_launch", lang), className="kpi-label"),
            html.Div(className="kpi-figure", children=[
                html.Span(ticker_parts(cumulative_savings(segments, now_ms), lang),
                          id="overview-cumulative", className="kpi-value ticker"),
                html.Span(t("unit.bn_vnd", lang), className="kpi-unit"),
            ]),
            html.Div([html.B(published(facts_of(facts, "savings_per_year"), lang,
                                       "pub.estimate_basis", start=True),
                             id="overview-cumulative-basis"),
                      ". ", t("pub.estimate_note", lang)], className="ov-foot"),
        ]),
    ]


def coverage_panel(cov: dict[str, Any] | None, facts: list[dict[str, Any]] | None, lang: str,
                   stale_since: str | None = None) -> list[Any]:
    """Ministries and localities reporting now, indicators supplied of 200, and 2021's figures."""
    lang = norm(lang)
    if not cov:
        return [_title("ov.coverage", lang, stale_since),
                html.Div(t("no_data", lang), className="ov-empty")]
    supplied, total = cov["indicators_supplied"], cov["indicators_total"] or 200
    ref_m = latest_fact(facts, "ministries_connected", "reporting_system")
    ref_l = latest_fact(facts, "localities_connected", "reporting_system")
    ref_i = latest_fact(facts, "indicators_supplied", "reporting_system")
    ref = None
    if ref_m and ref_l and ref_i:
        ref = html.Div(className="ov-ref", children=[
            html.Span(published([ref_m, ref_l, ref_i], lang, start=True) + ": ",
                      className="ov-ref-label"),
            html.Span(t("ov.cov.ref_text", lang).format(
                m=number(ref_m["value"], lang), l=number(ref_l["value"], lang),
                i=number(ref_i["value"], lang), n=number(total, lang))),
            html.Span(f" · {t('ov.source', lang)}: {source_text(ref_i['source'], lang)}",
                      className="foot-source"),
        ])
    return [
        _title("ov.coverage", lang, stale_since),
        html.Div(className="ov-cov-grid", children=[
            kpi_card(t("ov.cov.ministries", lang), number(cov["ministries"], lang),
                     value_id="overview-cov-ministries"),
            kpi_card(t("ov.cov.localities", lang), number(cov["localities"], lang),
                     f"/ {number(cov['localities_total'], lang)}",
                     value_id="overview-cov-localities"),
            kpi_card(t("ov.cov.indicators", lang), number(supplied, lang),
                     f"/ {number(total, lang)}", value_id="overview-cov-indicators",
                     extra=progress(supplied / total if total else 0)),
        ]),
        html.Div(t("ov.cov.active", lang), className="ov-foot"),
        ref,
    ]


def progress(share: float, className: str = "") -> html.Div:
    share = min(max(share, 0.0), 1.0)
    return html.Div(className=f"ov-progress {className}".strip(), children=html.Div(
        className="ov-progress-fill", style={"width": f"{share:.1%}"}))


def portal_panel(facts: list[dict[str, Any]] | None, lang: str,
                 stale_since: str | None = None) -> list[Any]:
    """Services integrated of all procedures, online dossiers and e-payments (latest facts)."""
    lang = norm(lang)
    sys = "public_service_portal"
    services = latest_fact(facts, "services_integrated", sys)
    procedures = latest_fact(facts, "procedures_total", sys)
    dossiers = latest_fact(facts, "dossiers_online", sys)
    payments = latest_fact(facts, "e_payments", sys)
    pay_value = latest_fact(facts, "e_payments_value", sys)
    if not services:
        return [_title("ov.portal", lang, stale_since),
                html.Div(t("no_data", lang), className="ov-empty")]
    share = services["value"] / procedures["value"] if procedures else None
    of_text = (f"{qualifier(procedures, lang)} {number(procedures['value'], lang)}".strip()
               if procedures else "")
    cards = [
        kpi_card(t("ov.portal.services", lang), number(services["value"], lang),
                 qualifier=qualifier(services, lang), value_id="overview-portal-services",
                 extra=html.Div([
                     html.Span(t("ov.portal.of", lang).format(n=of_text), className="ov-of"),
                     progress(share or 0)], className="ov-of-box") if procedures else None,
                 className="ov-portal-main"),
    ]
    if dossiers:
        cards.append(kpi_card(t("ov.portal.dossiers", lang), number(dossiers["value"], lang),
                              value_id="overview-portal-dossiers",
                              foot=_foot_if_other(dossiers, services, lang)))
    if payments:
        sub = (html.Div(t("ov.portal.payments_value", lang).format(
            v=number(pay_value["value"], lang, 1)), className="ov-sub") if pay_value else None)
        cards.append(kpi_card(t("ov.portal.payments", lang), number(payments["value"], lang),
                              value_id="overview-portal-payments", extra=sub,
                              foot=_foot_if_other(payments, services, lang)))
    tag = published_tag([services, procedures, dossiers, payments, pay_value], lang)
    return [_title("ov.portal", lang, stale_since, tag), html.Div(cards, className="ov-portal-grid"),
            html.Div(fact_foot(services, lang), className="ov-foot")]


def _foot_if_other(fact: dict[str, Any], shared: dict[str, Any], lang: str) -> list[Any] | None:
    """A figure's own as-of/source only when it differs from the panel's shared one."""
    same = (fact["as_of"], fact["source"]) == (shared["as_of"], shared["source"])
    return None if same else fact_foot(fact, lang)


# --- indicators --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _decimals() -> dict[str, int]:
    """Display decimals per indicator, from the reference profiles (a CSV, not the database)."""
    try:
        return {code: p.decimals for code, p in catalogue.profiles().items()}
    except OSError:
        return {}


def is_overdue(period: str | None, frequency: str | None, now: datetime) -> bool:
    """True when the next period's report is past due: the value shown is older than expected."""
    if not period or frequency not in ("monthly", "quarterly", "yearly"):
        return False
    try:
        following = periods.shift(periods.parse(period, frequency), 1)
    except periods.PeriodError:
        return False
    return now > periods.due_at(following)


def tiles_children(items: list[dict[str, Any]] | None, lang: str,
                   stale_since: str | None = None, now: datetime | None = None) -> list[Any]:
    """The headline tiles, or a single 'no data' tile when nothing was ever fetched."""
    lang = norm(lang)
    now = now or local_now()
    if not items:
        return [html.Div(className="ind-tile status-neutral", children=[
            html.Div(t("no_data", lang), className="ind-empty"),
            stale_badge(stale_since, lang)])]
    decimals = _decimals()
    # Each tile opens its indicator (inert on kiosk walls: assets/10-overview.css).
    return [dcc.Link(indicator_tile(item, lang, decimals=decimals.get(item.get("code", ""), 1),
                                    stale_since=stale_since,
                                    overdue=is_overdue(item.get("period"), item.get("frequency"), now),
                                    id=f"overview-tile-{item.get('code')}"),
                     href=f"/indicators/{item.get('code')}", className="ind-tile-link drill",
                     id=f"overview-drill-{item.get('code')}")
            for item in items]


# --- live feeds --------------------------------------------------------------------------------

def live_children(totals: dict[str, Any] | None, lang: str, stale_since: str | None = None,
                  power_trend: list[float] | None = None) -> list[Any]:
    """Today's counters and the power output; the update time proves they move."""
    lang = norm(lang)
    totals = totals or {}
    last = totals.get("last_tick")
    cards = [kpi_card(t(key, lang), number(totals.get(code), lang),
                      unit_label(_unit(code), lang), value_id=f"overview-live-{code}",
                      className="ov-live-card")
             for code, key in LIVE_FEEDS]
    cards.append(kpi_card(t("ov.live.power", lang), number(totals.get(POWER), lang),
                          "MW", value_id=f"overview-live-{POWER}",
                          className="ov-live-card ov-live-power"))
    return [
        _title("ov.live", lang, stale_since, extra=html.Span(
            f"{t('ov.live.last', lang)} {last[11:19] if last else '—'}",
            id="overview-live-updated", className="ov-live-updated")),
        html.Div(cards, className="ov-live-grid"),
        # Rebuilt as a few hundred bytes of SVG each poll: cheaper than plotly.js on a wall PC,
        # and the current minute's point moves with every reading.
        sparkline(power_trend or [], "neutral", className="ov-power-spark",
                  id="overview-power-spark"),
    ]


def _unit(code: str) -> str:
    return {"RT_EDOCS": "văn bản", "RT_DOSSIERS": "hồ sơ", "RT_EPAYMENTS": "giao dịch"}.get(code, "")


def per_minute(points: list[list[Any]] | None) -> list[float]:
    """Mean reading per minute: the feed's tick-to-tick noise would draw a band, not a trend."""
    buckets: dict[str, list[float]] = {}
    for moment, value in points or []:
        if value is not None:
            buckets.setdefault(str(moment)[:16], []).append(float(value))
    return [sum(v) / len(v) for _k, v in sorted(buckets.items())]


# --- alerts ------------------------------------------------------------------------------------

def camera_strip(states: list[dict[str, Any]] | None, lang: str,
                 enabled: bool = True) -> list[Any]:
    """Cameras down, named (or all live); a muted note when the relay does not answer.

    states: streams.client.relay_status() rows. Nothing at all when cameras are switched off.
    """
    lang = norm(lang)
    if not enabled:
        return []
    if states is None:
        return [html.Span(t("ov.alerts.cameras_na", lang), className="chip chip-muted")]
    counts = Counter(str(s.get("state", "")).upper() for s in states)
    # OFFLINE first (no picture at all), then STALE (frozen or late picture).
    down = sorted((s for s in states if str(s.get("state", "")).upper() in ("OFFLINE", "STALE")),
                  key=lambda s: str(s.get("state", "")).upper() != "OFFLINE")
    if not down:
        return [html.Span(t("ov.alerts.cameras_ok", lang).format(
            n=f"{counts.get('LIVE', 0)}/{len(states)}"), className="chip chip-good")]
    chips = [html.Span(str(s.get("name") or s.get("id") or "?"),
                       className="chip " + ("chip-bad" if str(s.get("state", "")).upper()
                                            == "OFFLINE" else "chip-warn"))
             for s in down[:MAX_CHIPS]]
    if len(down) > MAX_CHIPS:
        chips.append(html.Span(t("ov.alerts.more", lang).format(n=len(down) - MAX_CHIPS),
                               className="chip chip-more"))
    return [html.Div(className="alert-group alert-cameras", id="overview-cameras-down", children=[
        html.Span(f"{t('ov.alerts.cameras', lang)} ({len(down)}/{len(states)})",
                  className="group-label"), *chips])]


# --- the callbacks -----------------------------------------------------------------------------

def update_tiles(_n: int | None, lang: str | None) -> list[Any]:
    got = fetch(queries.headline_tiles)
    return tiles_children(got.data, norm(lang), got.stale_since)


def update_as_of(_n: int | None, lang: str | None) -> str:
    """The header's 'as of': the latest receipt among the values on the wall."""
    lang = norm(lang)
    got = fetch(queries.headline_tiles)
    stamps = [i.get("received_at") for i in got.data or [] if i.get("received_at")]
    text = f"{t('as_of', lang)} {when(max(stamps), lang)}" if stamps else t("no_data", lang)
    if got.stale_since:
        text += f" · {t('stale_since', lang)} {got.stale_since[11:16]}"
    return text


def update_facts(_n: int | None, lang: str | None) -> tuple[list, list, list, list]:
    """Savings, coverage and portal panels and the ticker's rate segments."""
    lang = norm(lang)
    facts = fetch(queries.kpi_facts)
    cov = fetch(queries.coverage)
    return (savings_panel(facts.data, lang, facts.stale_since),
            coverage_panel(cov.data, facts.data, lang, cov.stale_since or facts.stale_since),
            portal_panel(facts.data, lang, facts.stale_since),
            ticker_segments(facts.data))


def update_live(_n: int | None, lang: str | None) -> list[Any]:
    got = fetch(queries.live_totals)
    # The minute-rounded start is the cache key: every viewer in that minute shares it.
    since = (local_now() - POWER_WINDOW).replace(second=0).isoformat(timespec="seconds")
    power = fetch(queries.live_history, POWER, since)
    return live_children(got.data, norm(lang), got.stale_since or power.stale_since,
                         per_minute(power.data))


def update_alerts(_n: int | None, lang: str | None) -> list[Any]:
    """The live alerts from the alert table (alerts.store): escalated first, with their owner."""
    got = fetch(alert_store.wall_alerts)
    return wall_panel(got.data, norm(lang), utc_now(), got.stale_since)


def update_cameras(_n: int | None, lang: str | None) -> list[Any]:
    """Cameras down for the alerts strip, from the relay (in-process or OPS_RELAY_URL), through
    the camera wall's 1 s status cache."""

    states = relay_status()
    if relay_down(states):  # the strip says "relay not connected" rather than 32 cameras down
        states = None
    enabled = states is not None or camera_config()["enabled"]
    bridge = lost_alert(norm(lang))  # bridge points lost, beside the cameras down
    return camera_strip(states, norm(lang), enabled) + ([bridge] if bridge else [])


def update_live_row(n: int | None, lang: str | None) -> tuple[list[Any], list[Any], list[Any]]:
    """The live figures, the alerts and the cameras-down strip: one request per wall every
    LIVE_MS instead of three (a thousand walls poll this; bench/polling.py)."""
    return update_live(n, lang), update_alerts(n, lang), update_cameras(n, lang)


def register(app: dash.Dash) -> None:
    live, slow, lang = (Input("overview-live-tick", "n_intervals"),
                        Input("overview-slow-tick", "n_intervals"), Input("lang", "data"))
    app.callback(Output("overview-tiles", "children"), slow, lang)(update_tiles)
    # The shell owns #data-as-of: the page writes its own store, and the browser copies it
    # across (an allow_duplicate output fed by inputs absent at first load upsets the renderer).
    app.callback(Output("overview-as-of", "data"), slow, lang)(update_as_of)
    app.clientside_callback(
        dash.ClientsideFunction(namespace="overview", function_name="asOf"),
        Output("data-as-of", "children", allow_duplicate=True),
        Input("overview-as-of", "data"), prevent_initial_call=True,
    )
    app.callback(Output("overview-savings", "children"), Output("overview-coverage", "children"),
                 Output("overview-portal", "children"), Output("overview-ticker", "data"),
                 slow, lang)(update_facts)
    app.callback(Output("overview-live", "children"), Output("overview-alerts", "children"),
                 Output("overview-camera-strip", "children"), live, lang)(update_live_row)
    # The "saved since launch" estimate counts up in the browser on the shell's 1 s clock.
    app.clientside_callback(
        dash.ClientsideFunction(namespace="overview", function_name="ticker"),
        Output("overview-cumulative", "children"),
        Input("clock-tick", "n_intervals"), Input("overview-ticker", "data"),
        State("lang", "data"),
    )

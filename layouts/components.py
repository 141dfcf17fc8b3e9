"""Small shared components for every page: KPI cards, indicator tiles, sparklines, badges.

Pure functions returning Dash components (or plain figures). Signatures are stable: other
pages import them, so new options are added as keyword arguments with defaults, never removed.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from dash import html

from core.clock import VN_TZ, local_now
from core.fmt import change_text, norm, number, period_label, when
from ui.palette import MUTED, status_colour
from ui.wording import indicator_name, published
from web.i18n import t

# Plotly config for every wall figure: static, no toolbar, nothing that needs a mouse.
STATIC_CONFIG: dict[str, Any] = {"displayModeBar": False, "staticPlot": True, "responsive": True}


def unit_label(unit: str | None, lang: str | None) -> str:
    """An indicator's unit in the viewer's language (TEXTS 'unit:<unit>'; else as stored)."""
    if not unit:
        return ""
    text = t(f"unit:{unit}", lang)
    return unit if text == f"unit:{unit}" else text


# --- small badges -----------------------------------------------------------------------------

def stale_since_text(moment: datetime, lang: str | None, today: date | None = None) -> str:
    """'10:05' today; '10:05 29/11' (en: '10:05, 29 Nov') on an earlier day, with the year when
    that is not this year: an outage since yesterday must not read as one since this morning.
    `moment` is Viet Nam time (naive, as core.cache.fetch stamps it) or aware (converted)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ).replace(tzinfo=None)
    today = today or local_now().date()
    clock = f"{moment:%H:%M}"
    if moment.date() == today:
        return clock
    year = "" if moment.year == today.year else f"/{moment.year}" if norm(lang) == "vi" \
        else f" {moment.year}"
    if norm(lang) == "vi":
        return f"{clock} {moment:%d/%m}{year}"
    return f"{clock}, {moment.day} {moment:%b}{year}"


def stale_badge(stale_since: str | datetime | None, lang: str | None,
                id: str | None = None) -> html.Span | None:
    """'Mất kết nối từ 10:05' when data could not be refreshed (with the date when not today);
    None when fresh."""
    if not stale_since:
        return None
    moment = datetime.fromisoformat(stale_since) if isinstance(stale_since, str) else stale_since
    kwargs = {"id": id} if id else {}
    return html.Span(f"{t('stale_since', lang)} {stale_since_text(moment, lang)}",
                     className="badge badge-stale", title=when(moment, lang), **kwargs)


def overdue_badge(lang: str | None) -> html.Span:
    """The period shown is older than its reporting frequency allows."""
    return html.Span(t("ov.overdue", lang), className="badge badge-overdue")


def preliminary_badge(lang: str | None) -> html.Span:
    """The period shown has not ended: an early estimate that may still change."""
    return html.Span(t("prelim.badge", lang), className="badge badge-prelim",
                     title=t("prelim.open", lang))


def published_tag(facts: list[dict[str, Any] | None], lang: str | None) -> html.Span | None:
    """'số liệu công bố 03/2021' beside a panel title of dated official figures (None without)."""
    text = published(facts, lang)
    return html.Span(text, className="published-tag") if text else None


def simulated_badge(lang: str | None) -> html.Span:
    """Marks values produced by the simulator rather than reported."""
    return html.Span(t("ov.sim", lang), className="badge badge-sim", title=t("simulated", lang))


def change_arrow(delta: float | None, higher_is_better: bool | None) -> tuple[str, str]:
    """(arrow, status) of a change: ▲/▼/▶, coloured good or bad by the indicator's direction."""
    if delta is None:
        return "", "neutral"
    if abs(delta) < 1e-12:
        return "▶", "neutral"
    arrow = "▲" if delta > 0 else "▼"
    if higher_is_better is None:
        return arrow, "neutral"
    return arrow, "good" if (delta > 0) == bool(higher_is_better) else "bad"


# --- sparklines ------------------------------------------------------------------------------

def _spark_path(values: list[float], width: float, height: float, pad: float,
                lo: float, hi: float) -> list[tuple[float, float]]:
    span = (hi - lo) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    return [(pad + i * step, pad + (height - 2 * pad) * (1 - (v - lo) / span))
            for i, v in enumerate(values)]


def sparkline_svg(points: list[Any], status: str | None = "neutral",
                  target: float | None = None) -> str:
    """A sparkline as an inline SVG data URI: [[period, value], ...] or [value, ...].

    Built on the server (a few hundred bytes), crisp at any size, no plotly.js render per tile:
    the wall redraws ten of them every minute. Stroke widths do not scale with the box.
    """
    values = [float(p[1] if isinstance(p, list | tuple) else p) for p in points
              if (p[1] if isinstance(p, list | tuple) else p) is not None]
    w, h, pad = 100.0, 32.0, 2.0
    colour = status_colour(status)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:g} {h:g}" '
             f'preserveAspectRatio="none">']
    if len(values) >= 2:
        lo, hi = min(values), max(values)
        if target is not None and lo <= target <= hi * 1.5 and target >= lo * 0.5:
            lo, hi = min(lo, target), max(hi, target)
        xy = _spark_path(values, w, h, pad, lo, hi)
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        area = f"{xy[0][0]:.1f},{h:g} {line} {xy[-1][0]:.1f},{h:g}"
        if target is not None and lo <= target <= hi:
            ty = _spark_path([target], w, h, pad, lo, hi)[0][1]
            parts.append(f'<line x1="0" x2="{w:g}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{MUTED}" '
                         'stroke-width="1.5" stroke-dasharray="4 3" '
                         'vector-effect="non-scaling-stroke"/>')
        parts.append(f'<polygon points="{area}" fill="{colour}" fill-opacity="0.18"/>')
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="3" '
                     'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>')
        x, y = xy[-1]
        # A zero-length line with round caps draws an undistorted dot despite aspect "none".
        parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                     f'stroke="{colour}" stroke-width="9" stroke-linecap="round" '
                     'vector-effect="non-scaling-stroke"/>')
    parts.append("</svg>")
    return "data:image/svg+xml;charset=utf-8," + quote("".join(parts))


def sparkline(points: list[Any], status: str | None = "neutral", target: float | None = None,
              className: str = "sparkline", id: str | dict | None = None) -> html.Img:
    """The sparkline as an <img> (no hover, nothing to click)."""
    kwargs = {"id": id} if id is not None else {}
    return html.Img(src=sparkline_svg(points, status, target), className=className, alt="",
                    **kwargs)


# --- cards and tiles -------------------------------------------------------------------------

def kpi_card(label: str | list[Any], value: Any, unit: str = "", *, qualifier: str = "",
             foot: Any = None, status: str | None = None, value_id: str | None = None,
             card_id: str | None = None, extra: Any = None, className: str = "") -> html.Div:
    """A big figure with its label: [label] [qualifier] VALUE unit / foot (as-of, source).

    value is shown as given (format it with web.i18n first); value_id lets a callback or a
    clientside ticker update only the number.
    """
    value_kwargs = {"id": value_id} if value_id else {}
    card_kwargs = {"id": card_id} if card_id else {}
    status_class = f" status-{status}" if status else ""
    return html.Div(className=f"kpi-card{status_class} {className}".strip(), **card_kwargs,
                    children=[
        html.Div(label, className="kpi-label"),
        html.Div(className="kpi-figure", children=[
            html.Span(qualifier, className="kpi-qualifier") if qualifier else None,
            html.Span(value, className="kpi-value", **value_kwargs),
            html.Span(unit, className="kpi-unit") if unit else None,
        ]),
        extra,
        html.Div(foot, className="kpi-foot") if foot is not None else None,
    ])


def indicator_tile(item: dict[str, Any], lang: str | None, *, decimals: int = 1,
                   stale_since: str | None = None, overdue: bool = False,
                   id: str | dict | None = None, className: str = "") -> html.Div:
    """One indicator: name, value + unit, period, changes, sparkline, target, as-of, badges.

    item is a queries.indicator_summary() dict. Status colours the tile (good/warn/bad/neutral).
    """
    kwargs = {"id": id} if id is not None else {}
    value = item.get("value")
    if value is None:
        return html.Div(className=f"ind-tile status-neutral {className}".strip(), **kwargs,
                        children=[html.Div(indicator_name(item, lang), className="ind-name"),
                                  html.Div(t("no_data", lang), className="ind-empty")])
    status = item.get("status") or "neutral"
    unit = unit_label(item.get("unit"), lang)
    hib = item.get("higher_is_better")
    changes = []
    for base_key, label_key in (("previous", "vs_prev"), ("year_ago", "vs_year")):
        base = item.get(base_key)
        delta = None if base is None else value - base
        arrow, tone = change_arrow(delta, hib)
        changes.append(html.Div(className=f"ind-change tone-{tone}", children=[
            html.Span(arrow, className="arrow"),
            html.Span(change_text(value, base, item.get("unit"), lang, decimals),
                      className="delta"),
            html.Span(t(label_key, lang), className="change-label"),
        ]))
    # Stale and overdue go up top where they are seen; "simulated" is on every demo tile, so
    # it sits in the foot line.
    badges = [b for b in (overdue_badge(lang) if overdue else None,
                          preliminary_badge(lang) if item.get("preliminary") else None,
                          stale_badge(stale_since, lang)) if b is not None]
    target = item.get("target")
    foot = [html.Span(f"{t('target', lang)} {number(target, lang, decimals)}",
                      className="ind-target") if target is not None else None,
            html.Span(f"{t('as_of', lang)} {when(item.get('received_at'), lang)}",
                      className="ind-asof"),
            simulated_badge(lang) if item.get("source") == "simulated" else None]
    stale_class = " is-stale" if stale_since or overdue else ""
    return html.Div(className=f"ind-tile status-{status}{stale_class} {className}".strip(),
                    **kwargs, children=[
        html.Div(className="ind-head", children=[
            html.Div(indicator_name(item, lang), className="ind-name",
                     title=indicator_name(item, lang, short=False)),
            html.Div(badges, className="ind-badges"),
        ]),
        html.Div(className="ind-body", children=[
            html.Div(number(value, lang, decimals), className="ind-value"),
            html.Div(className="ind-sub", children=[
                html.Span(unit, className="ind-unit"),
                html.Span(period_label(item.get("period", ""), lang), className="ind-period"),
            ]),
            sparkline(item.get("spark") or [], status, target, className="ind-spark"),
        ]),
        html.Div(changes, className="ind-changes"),
        html.Div(foot, className="ind-foot"),
    ])


__all__ = [
    "STATIC_CONFIG", "change_arrow", "change_text", "indicator_tile", "kpi_card", "overdue_badge",
    "preliminary_badge", "published_tag", "simulated_badge", "sparkline", "sparkline_svg",
    "stale_badge", "unit_label",
]


def page_head(title_id: str, meta_id: str, stale_id: str, title: str = "") -> html.Div:
    """The head of a staff page: title, a meta line and the stale badge slot (filled by callbacks)."""
    return html.Div(className="pg-head", children=[
        html.Div(className="pg-title-block", children=[
            html.H1(title, id=title_id, className="pg-title"),
            html.Div(id=meta_id, className="pg-meta"),
        ]),
        html.Div(id=stale_id, className="pg-badges"),
    ])

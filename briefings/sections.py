"""The briefing's sections, as a registry: name -> builder(context, argument) drawing its pages.

Every figure comes from the query functions the screens call (reporting.queries, the same
arguments, so the same cache keys) and is written by the screens' formatter (core.fmt).
A new section is one function added to SECTIONS (the direction pages: briefings/direction.py).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from briefings import charts, direction, texts
from briefings.document import FONT, MUTED, SIM, Document
from briefings.sources import Sources
from core.fmt import change_text, day, number, period_label, when
from reporting import catalogue, queries

# Periods of a series shown on its page: the indicator screen's default ranges.
SERIES_POINTS = {"monthly": 36, "quarterly": 16, "yearly": 20, "daily": 60}


@dataclass
class Context:
    """What every section gets: the document, the briefing's date and time, its sources."""

    doc: Document
    date: date
    made_at: datetime  # Viet Nam time
    sources: Sources = field(default_factory=Sources)
    simulated: bool = False  # set by a section that printed a simulated value


Builder = Callable[[Context, str], None]


def decimals(code: str) -> int:
    """The wall tiles' decimals for an indicator (the reference profiles)."""
    profile = catalogue.profiles().get(code)
    return profile.decimals if profile is not None else 1


def _unit(unit: str | None) -> str:
    return unit or ""


# --- overview: the headline indicators --------------------------------------------------------

def headline_rows(tiles: list[dict[str, Any]]) -> list[list[str]]:
    """One row per wall tile: name, value, unit, period, changes, target, source."""
    rows = []
    for item in tiles:
        dec = decimals(item["code"])
        value = item.get("value")
        if value is None:
            rows.append([item["name_vi"], texts.NO_DATA, _unit(item.get("unit")), "", "", "",
                         "", ""])
            continue
        source = item.get("source") or ""
        if source == "simulated":
            source = texts.SIMULATED
        target = item.get("target")
        rows.append([
            item["name_vi"], number(value, "vi", dec), _unit(item.get("unit")),
            period_label(item.get("period", ""), "vi"),
            change_text(value, item.get("previous"), item.get("unit"), "vi", dec),
            change_text(value, item.get("year_ago"), item.get("unit"), "vi", dec),
            number(target, "vi", dec) if target is not None else "—", source,
        ])
    return rows


def overview(ctx: Context, _arg: str) -> None:
    tiles = queries.headline_tiles()
    ctx.doc.new_page(texts.OVERVIEW)
    ctx.doc.grid(texts.COLUMNS, headline_rows(tiles), (78, 26, 30, 24, 26, 26, 22, 41),
                 size=9.5, aligns=("LEFT", "RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT",
                                   "LEFT"))
    if any(t.get("source") == "simulated" for t in tiles):
        ctx.simulated = True
        ctx.doc.paragraph(texts.SIMULATED_NOTE, 8.5, SIM)
    stamps = [t["received_at"] for t in tiles if t.get("received_at")]
    if stamps:
        ctx.doc.paragraph(f"{texts.AS_OF} {when(max(stamps), 'vi')}", 8.5, MUTED)


# --- reporting compliance ---------------------------------------------------------------------

def latest_due(matrix: dict[str, Any]) -> tuple[str, Counter[str]]:
    """The newest period already due for someone, and how many on time, late, missing."""
    labels = matrix.get("periods") or []
    for i in range(len(labels) - 1, -1, -1):
        cells = Counter(row["cells"][i] for row in matrix.get("rows") or [])
        if set(cells) - {"pending"}:
            return labels[i], cells
    return "", Counter()


def reporting(ctx: Context, _arg: str) -> None:
    matrix = queries.compliance()
    late = queries.late_now()
    period, counts = latest_due(matrix)
    ctx.doc.new_page(texts.REPORTING)
    ctx.doc.paragraph(texts.REPORTING_SUMMARY.format(
        period=period_label(period, "vi") if period else "—", on_time=counts["on_time"],
        late=counts["late"], missing=counts["missing"], total=len(matrix.get("rows") or [])), 11)
    ctx.doc.ln(2)
    ctx.doc.subtitle(f"{texts.LATE_TITLE} ({len(late)})")
    if not late:
        ctx.doc.paragraph(texts.LATE_NONE)
        return
    ctx.doc.grid(texts.LATE_COLUMNS, [[x["name_vi"], period_label(x["period"], "vi")]
                                      for x in late], (200, 73))


# --- savings KPIs -----------------------------------------------------------------------------

def latest_facts(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest fact of each (metric, system), in the briefing's metric order."""
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    for fact in facts:
        key = (fact["metric"], fact["system"])
        if key not in newest or fact["as_of"] >= newest[key]["as_of"]:
            newest[key] = fact
    order = list(texts.METRICS)
    systems = list(texts.SYSTEMS)
    return sorted(newest.values(), key=lambda f: (
        order.index(f["metric"]) if f["metric"] in order else len(order),
        systems.index(f["system"]) if f["system"] in systems else len(systems), f["system"]))


def savings(ctx: Context, _arg: str) -> None:
    rows = []
    for fact in latest_facts(queries.kpi_facts()):
        label, unit = texts.METRICS.get(fact["metric"], (fact["metric"], fact.get("unit") or ""))
        value = fact["value"]
        dec = 0 if float(value).is_integer() else 1
        rows.append([label, texts.SYSTEMS.get(fact["system"], fact["system"]),
                     number(value, "vi", dec), unit, day(fact["as_of"], "vi"), fact["source"]])
    ctx.doc.new_page(texts.SAVINGS)
    if not rows:
        ctx.doc.paragraph(texts.NO_DATA)
        return
    ctx.doc.grid(texts.SAVINGS_COLUMNS, rows, (62, 52, 26, 26, 22, 85), size=8.5,
                 aligns=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT", "LEFT"))


# --- cameras and bridge points ----------------------------------------------------------------

def _camera_rows(states: list[dict[str, Any]]) -> list[list[str]]:
    down = [s for s in states if str(s.get("state", "")).upper() != "LIVE"]
    down.sort(key=lambda s: str(s.get("state", "")).upper() != "OFFLINE")
    return [[str(s.get("name") or s.get("id")),
             texts.CAMERA_STATES.get(str(s.get("state", "")).upper(), str(s.get("state"))),
             when(s["last_frame_at"][:19], "vi") if s.get("last_frame_at") else "—",
             str(s.get("last_error") or "")[:80]] for s in down]


def status(ctx: Context, _arg: str) -> None:
    doc = ctx.doc
    doc.new_page(texts.STATUS)
    doc.subtitle(texts.CAMERAS)
    states = ctx.sources.cameras() if ctx.sources.cameras else None
    if states is None:
        doc.paragraph(texts.CAMERAS_NA if ctx.sources.cameras_enabled else texts.CAMERAS_OFF)
    else:
        counts = Counter(str(s.get("state", "")).upper() for s in states)
        doc.paragraph(texts.CAMERA_SUMMARY.format(
            live=counts["LIVE"], total=len(states), offline=counts["OFFLINE"],
            stale=counts["STALE"]), 11)
        rows = _camera_rows(states)
        if rows:
            doc.grid(texts.CAMERA_COLUMNS, rows, (80, 35, 40, 118), size=8.5)
    doc.ln(3)
    doc.subtitle(texts.BRIDGE)
    points = ctx.sources.bridge() if ctx.sources.bridge else None
    if points is None:
        doc.paragraph(texts.BRIDGE_NA)
        return
    points = [p for p in points if p.place]
    counts = Counter(p.state for p in points)
    doc.paragraph(texts.BRIDGE_SUMMARY.format(connected=counts["connected"],
                                              lost=counts["lost"], never=counts["never"]), 11)
    lost = [p for p in points if p.state == "lost"]
    if lost:
        doc.grid(texts.BRIDGE_COLUMNS,
                 [[p.place_name or p.place, p.name, texts.BRIDGE_STATES[p.state],
                   when(p.last_seen[:19], "vi") if p.last_seen else "—"] for p in lost],
                 (110, 60, 45, 58), size=8.5)


# --- one page per indicator -------------------------------------------------------------------

def indicator(ctx: Context, code: str) -> None:
    item = queries.indicator_summary(code)
    if not item:
        raise ValueError(f"unknown indicator '{code}'")
    doc = ctx.doc
    dec = decimals(code)
    doc.new_page(item["name_vi"])
    value = item.get("value")
    head = texts.NO_DATA
    if value is not None:
        head = (f"{number(value, 'vi', dec)} {_unit(item.get('unit'))} · "
                f"{period_label(item['period'], 'vi')} · "
                f"{texts.COLUMNS[4]} {change_text(value, item.get('previous'), item.get('unit'), 'vi', dec)}"
                f" · {texts.COLUMNS[5]} {change_text(value, item.get('year_ago'), item.get('unit'), 'vi', dec)}")
        if item.get("target") is not None:
            head += f" · {texts.COLUMNS[6]} {number(item['target'], 'vi', dec)}"
    doc.set_font(FONT, "B", 13)
    doc.cell(0, 7, head, new_x="LMARGIN", new_y="NEXT")
    source = item.get("source") or ""
    note = f"Nguồn: {source}" if source and source != "simulated" else ""
    if source == "simulated":
        ctx.simulated = True
        note = f"{texts.SIMULATED} — {texts.SIMULATED_NOTE}"
    if item.get("received_at"):
        note += f" · {texts.AS_OF} {when(item['received_at'], 'vi')}"
    doc.paragraph(note.strip(" ·"), 8.5, SIM if source == "simulated" else MUTED)
    top = doc.get_y() + 1
    bottom = doc.h - 18  # above the footer
    series_h = 55.0
    rows = queries.series(code, "VN", "", "")[-SERIES_POINTS.get(item["frequency"], 36):]
    by_province = bool(item.get("by_province"))
    width = 150 if by_province else doc.w - 24
    doc.set_xy(12, top)
    doc.subtitle(texts.INDICATOR_SERIES)
    if rows:
        svg = charts.series_chart([period_label(r["period"], "vi") for r in rows],
                                  [r["value"] for r in rows], status=item.get("status", ""),
                                  target=item.get("target"), decimals=dec,
                                  size=(width / 25.4, series_h / 25.4))
        doc.figure(svg, 12, top + 7, width, series_h)
    if not by_province:
        doc.set_xy(12, top + series_h + 10)
        doc.paragraph(texts.INDICATOR_NOT_BY_PROVINCE, 9, MUTED)
        return
    snap = queries.province_snapshot(code, "")
    regions = {r["code"]: r for r in queries.regions() if r["code"] != "VN"}
    values = {c: v for c, v in (snap.get("values") or {}).items() if c in regions}
    ranked = sorted(values.items(), key=lambda kv: kv[1],
                    reverse=item.get("higher_is_better") is not False)
    when_text = period_label(snap.get("period", ""), "vi")
    doc.set_xy(167, top)
    doc.subtitle(f"{texts.INDICATOR_RANKING} · {when_text}")
    if ranked:
        info = {k: item[k] for k in ("higher_is_better", "warn_below", "warn_above", "target",
                                     "frequency")}
        names = [regions[c]["name_vi"] for c, _ in ranked]
        doc.ranking(167, top + 7, 118, bottom - top - 7, names, [v for _, v in ranked],
                    [charts.rgb(queries.tile_status(v, info)) for _, v in ranked],
                    [number(v, "vi", dec) for _, v in ranked],
                    national=value if snap.get("period") == item.get("period") else None,
                    national_text=f"{texts.NATIONAL}: {number(value, 'vi', dec)}")
    map_top = top + series_h + 9
    doc.set_xy(12, map_top)
    doc.subtitle(f"{texts.INDICATOR_MAP} · {when_text}")
    map_h = bottom - map_top - 7
    svg = charts.province_map(values, higher_is_better=item.get("higher_is_better"),
                              decimals=dec, size=(150 / 25.4, map_h / 25.4))
    doc.figure(svg, 12, map_top + 7, 150, map_h)


SECTIONS: dict[str, Builder] = {
    "overview": overview,
    "reporting": reporting,
    "savings": savings,
    "status": status,
    "indicator": indicator,
    "tasks": direction.tasks,
    "alerts": direction.alerts,
}
# What the cover lists for each section (the indicator pages are named by their indicator).
TITLES: dict[str, str] = {
    "overview": texts.OVERVIEW, "reporting": texts.REPORTING, "savings": texts.SAVINGS,
    "status": texts.STATUS, "tasks": texts.TASKS, "alerts": texts.ALERTS,
}
# The sections of a default briefing, before the wall's indicators.
DEFAULT_SECTIONS: list[str] = ["overview", "tasks", "alerts", "reporting", "savings", "status"]

"""Conditions the alerts evaluator can raise for the dams (it decides how they become alerts).

Keys are stable per dam and kind, so an evaluator can open an alert when a key appears and
close it when it goes: `dam-level:<camera>` (level above the flood-season limit; critical above
the normal water level), `dam-spill:<camera>` (spillway gates open or spillway discharge;
critical past SPILL_CRITICAL × turbine capacity), `dam-silent:<camera>` (no reading for
SILENT_AFTER).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.clock import utc_now

SILENT_AFTER = timedelta(minutes=30)
SPILL_CRITICAL = 1.0  # spillway discharge above this many times the turbines' capacity


@dataclass(frozen=True)
class Condition:
    """One detected condition: key, severity (warning | critical), subject (the dam's name) and
    its detail in Vietnamese and English."""

    key: str
    severity: str
    subject: str
    detail_vi: str
    detail_en: str
    dam_id: str


def _num(value: float) -> str:
    return f"{value:,.1f}".replace(",", " ")


def detect(dams: list[dict[str, Any]], now: datetime | None = None) -> list[Condition]:
    """Conditions of the dams as returned by dams.queries.latest()/latest_of (plain values);
    `now` is naive UTC."""
    now = now or utc_now()
    out: list[Condition] = []
    for dam in dams:
        cam, name, ref, last = dam["camera"], dam["name"], dam["reference"], dam["latest"]
        if last is None or _age(last["at"], now) > SILENT_AFTER:
            since = last["at"][11:16] if last else "—"
            out.append(Condition(f"dam-silent:{cam}", "warning", name,
                                 f"Không có số liệu từ {since}",
                                 f"No readings since {since}", dam["id"]))
            if last is None:
                continue
        level = last["level_m"]
        # Above the flood-control level matters in the flood season; above the normal water
        # level at any time.
        limit = ref["flood_limit_m"] if ref.get("flood_season", True) else ref["normal_level_m"]
        if level > limit:
            critical = level > ref["normal_level_m"]
            out.append(Condition(
                f"dam-level:{cam}", "critical" if critical else "warning", name,
                f"Mực nước {_num(level)} m, vượt "
                + (f"mực nước dâng bình thường {_num(ref['normal_level_m'])} m" if critical
                   else f"mực nước trước lũ {_num(ref['flood_limit_m'])} m"),
                f"Level {_num(level)} m, above the "
                + (f"normal water level {_num(ref['normal_level_m'])} m" if critical
                   else f"flood-season limit {_num(ref['flood_limit_m'])} m"), dam["id"]))
        spill, gates = last.get("spillway_m3s") or 0.0, last.get("gates_open") or 0
        if gates > 0 or spill > 0:
            critical = spill > SPILL_CRITICAL * ref["turbine_max_m3s"]
            out.append(Condition(
                f"dam-spill:{cam}", "critical" if critical else "warning", name,
                f"Xả lũ: {gates} cửa mở, {_num(spill)} m³/s qua tràn",
                f"Flood release: {gates} gates open, {_num(spill)} m³/s over the spillway",
                dam["id"]))
    return out


def _age(iso: str, now: datetime) -> timedelta:
    """Age of a reading whose time is ISO with an offset (as dams.queries gives it)."""
    moment = datetime.fromisoformat(iso)
    utc = moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta())
    return now - utc


def conditions(now: datetime | None = None) -> list[Condition]:
    """The app's dams' conditions now (reads the memoized dams.queries.latest)."""
    from dams import queries

    return detect(queries.latest(), now)

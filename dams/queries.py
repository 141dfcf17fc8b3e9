"""The dams' read side, memoized on plain arguments with plain results (times as ISO strings)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.cache import memoized
from core.clock import local_now, utc_now, utc_to_local
from core.db import Database, current
from dams.models import Dam, DamReading
from dams.reference import flood_season, latitudes

TTL = 10  # seconds: the camera wall polls every 2 s; readings arrive once a minute
SERIES_DAYS = 7
REFERENCE_KEYS = ("normal_level_m", "dead_level_m", "flood_limit_m", "riverbed_m", "crest_m",
                  "spill_gates", "turbine_max_m3s")
READING_KEYS = ("level_m", "inflow_m3s", "turbine_m3s", "spillway_m3s", "gates_open", "source")


def _local_iso(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as Viet Nam time with its offset: 2026-12-06T10:05:00+07:00."""
    return utc_to_local(moment).isoformat(timespec="seconds") + "+07:00" if moment else None


def discharge(reading: dict[str, Any]) -> float | None:
    """Total discharge (turbines + spillway), m³/s; None when neither is known."""
    parts = [reading.get("turbine_m3s"), reading.get("spillway_m3s")]
    known = [p for p in parts if p is not None]
    return float(sum(known)) if known else None


def latest_of(database: Database) -> list[dict[str, Any]]:
    """Every dam, its reference levels and its latest reading (None when it has none)."""
    month, lats = local_now().month, latitudes()
    with database.sessions() as s:
        newest = (select(DamReading.dam_id, func.max(DamReading.at).label("at"))
                  .group_by(DamReading.dam_id).subquery())
        readings = {r.dam_id: r for r in s.scalars(select(DamReading).join(
            newest, (DamReading.dam_id == newest.c.dam_id) & (DamReading.at == newest.c.at)))}
        out = []
        for dam in s.scalars(select(Dam).order_by(Dam.id)):
            reading = readings.get(dam.id)
            latest = None
            if reading is not None:
                latest = {k: getattr(reading, k) for k in READING_KEYS}
                latest["at"] = _local_iso(reading.at)
                latest["discharge_m3s"] = discharge(latest)
            out.append({"id": dam.id, "camera": dam.camera, "name": dam.name,
                        "demo": dam.demo, "operator": dam.operator,
                        "reference": {k: getattr(dam, k) for k in REFERENCE_KEYS}
                        | {"flood_season": flood_season(lats.get(dam.id, 16.0), month)},
                        "latest": latest})
        return out


def series_of(database: Database, dam_id: str, days: int = SERIES_DAYS,
              now: datetime | None = None) -> dict[str, Any]:
    """One dam's readings of the last `days` days, oldest first, as parallel lists, with its
    reference levels; {} for an unknown dam."""
    since = (now or utc_now()) - timedelta(days=days)
    with database.sessions() as s:
        dam = s.get(Dam, dam_id)
        if dam is None:
            return {}
        rows = s.execute(select(DamReading.at, DamReading.level_m, DamReading.inflow_m3s,
                                DamReading.turbine_m3s, DamReading.spillway_m3s,
                                DamReading.gates_open)
                         .where(DamReading.dam_id == dam_id, DamReading.at >= since)
                         .order_by(DamReading.at)).all()
        return {
            "id": dam.id, "name": dam.name, "camera": dam.camera,
            "reference": {k: getattr(dam, k) for k in REFERENCE_KEYS},
            "at": [_local_iso(r.at) for r in rows],
            "level_m": [r.level_m for r in rows],
            "inflow_m3s": [r.inflow_m3s for r in rows],
            "discharge_m3s": [discharge({"turbine_m3s": r.turbine_m3s,
                                         "spillway_m3s": r.spillway_m3s}) for r in rows],
            "spillway_m3s": [r.spillway_m3s for r in rows],
            "gates_open": [r.gates_open for r in rows],
        }


@memoized(ttl=TTL)
def latest() -> list[dict[str, Any]]:
    """latest_of the app's database (memoized: one query per TTL whoever polls)."""
    return latest_of(current())


@memoized(ttl=TTL)
def latest_by_camera() -> dict[str, dict[str, Any]]:
    """latest() keyed by camera id (hoa-binh), for the camera pages."""
    return {d["camera"]: d for d in latest()}


@memoized(ttl=60)
def series(dam_id: str, days: int = SERIES_DAYS) -> dict[str, Any]:
    """series_of the app's database (memoized a minute: the chart moves once a reading)."""
    return series_of(current(), dam_id, days)

"""The dams' reference levels and volume curves, from data/reference, and the curve arithmetic."""
from __future__ import annotations

import functools
import json
from bisect import bisect_left
from collections import defaultdict

from sqlalchemy.orm import Session

from core.reference import rows
from dams.models import Dam

Curve = list[tuple[float, float]]  # (level m, volume million m3), levels rising


def camera_slug(dam_id: str) -> str:
    """The camera id of a dam, as the camera wall names it: HOA_BINH -> hoa-binh."""
    return dam_id.lower().replace("_", "-")


def dam_id_of(text: str) -> str:
    """A dam named by its id or its camera slug, as stored: 'hoa-binh' / 'hoa_binh' -> HOA_BINH."""
    return text.strip().upper().replace("-", "_")


def flood_season(lat: float, month: int) -> bool:
    """The flood season, when a reservoir must stay below its flood-control level: June–September
    in the north, September–December on the central coast, May–October in the highlands and the
    south (a demonstration rule by latitude; operating procedures set it per basin)."""
    if lat >= 17.0:
        return 6 <= month <= 9
    if lat >= 13.0:
        return 9 <= month <= 12
    return 5 <= month <= 10


@functools.cache
def latitudes() -> dict[str, float]:
    """Each dam's latitude (dams.csv), which decides its flood season."""
    return {r["id"]: float(r["lat"]) for r in rows("dams.csv") if r.get("lat")}


def curves() -> dict[str, Curve]:
    """Every dam's volume curve from dam_volume.csv."""
    out: dict[str, Curve] = defaultdict(list)
    for r in rows("dam_volume.csv"):
        out[r["id"]].append((float(r["level_m"]), float(r["volume_mm3"])))
    return {k: sorted(v) for k, v in out.items()}


def dams() -> list[Dam]:
    """The camera dams with their levels (dam_levels.csv joined to dams.csv for the name)."""
    names = {r["id"]: r["name"] for r in rows("dams.csv")}
    curve = curves()
    return [
        Dam(id=r["id"], camera=camera_slug(r["id"]), name=names.get(r["id"], r["id"]),
            normal_level_m=float(r["normal_level_m"]), dead_level_m=float(r["dead_level_m"]),
            flood_limit_m=float(r["flood_limit_m"]), riverbed_m=float(r["riverbed_m"]),
            crest_m=float(r["crest_m"]), volume_normal_mm3=float(r["volume_normal_mm3"]),
            spill_gates=int(r["spill_gates"]), turbine_max_m3s=float(r["turbine_max_m3s"]),
            mean_inflow_m3s=float(r["mean_inflow_m3s"]), operator=r["operator"],
            curve=json.dumps(curve[r["id"]]), demo=r["demo"] == "1", source=r["source"])
        for r in rows("dam_levels.csv")
    ]


def load(session: Session) -> int:
    """Insert or refresh the shipped dams; returns how many. A dam no longer shipped stays, as
    its readings point at it."""
    shipped = dams()
    for dam in shipped:
        session.merge(dam)
    return len(shipped)


def volume_at(curve: Curve, level: float) -> float:
    """Volume at a level, linear between the curve's points (and along its end segments)."""
    return _interpolate(curve, level, 0, 1)


def level_at(curve: Curve, volume: float) -> float:
    """Level at a volume: the inverse of volume_at (volumes rise with levels)."""
    return _interpolate(curve, volume, 1, 0)


def _interpolate(curve: Curve, x: float, xi: int, yi: int) -> float:
    xs = [p[xi] for p in curve]
    i = min(max(bisect_left(xs, x), 1), len(curve) - 1)  # the segment around x, or an end one
    x0, x1 = curve[i - 1][xi], curve[i][xi]
    y0, y1 = curve[i - 1][yi], curve[i][yi]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)

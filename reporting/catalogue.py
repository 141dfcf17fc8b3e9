"""Reads the reference CSVs shipped in data/reference and loads them into the database."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.reference import rows
from reporting.models import Agency, BridgePoint, Camera, Indicator, KpiFact, Region

TOTAL_INDICATORS = 200  # Decision 293/QĐ-TTg: the catalogue is designed for 200 indicators
# Other providers that hold a bridge point beside the ministries and provinces (demonstration).
LIVE_GROUP = "RT"  # project-defined real-time feeds, outside the 200-indicator catalogue
BRIDGE_AGENCIES = ("BHXH", "TCTK", "EVN", "VNPT", "UBATGTQG", "UBQGTKCN")


def _float(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


@dataclass(frozen=True)
class Profile:
    """How an indicator behaves: used for simulation, plausibility and thresholds."""

    code: str
    kind: str  # level (grows by trend % a year) | rate (moves by trend points) | ytd
    base: float
    trend: float
    noise: float
    season: float
    min_value: float
    max_value: float
    target: float | None
    warn_below: float | None
    warn_above: float | None
    by_province: bool
    headline: int | None
    decimals: int


def profiles() -> dict[str, Profile]:
    """The simulation and threshold profile of every catalogue indicator."""
    out: dict[str, Profile] = {}
    for r in rows("indicator_profiles.csv"):
        out[r["code"]] = Profile(
            code=r["code"], kind=r["kind"], base=float(r["base"]), trend=float(r["trend"]),
            noise=float(r["noise"]), season=float(r["season"]),
            min_value=float(r["min"]), max_value=float(r["max"]), target=_float(r["target"]),
            warn_below=_float(r["warn_below"]), warn_above=_float(r["warn_above"]),
            by_province=r["by_province"] == "1",
            headline=int(r["headline"]) if r["headline"] else None, decimals=int(r["decimals"]),
        )
    return out


def _agencies() -> list[Agency]:
    out = []
    for r in rows("agencies.csv"):
        merged = re.search(r"merged into (T34_\d\d)", r["note"])
        out.append(Agency(
            code=r["code"], name_vi=r["name_vi"], name_en=r["name_en"], kind=r["kind"],
            era=r["era"], region_code=r["gso_code"] if r["code"].startswith("T34_") else None,
            merged_into=merged.group(1) if merged else None,
            area_group=r["region_or_parent"] or None,
            demo_connected=r["demo_connected_2021"].lower() in ("1", "true", "yes", "y"),
            note=r["note"],
        ))
    return out


def _regions() -> list[Region]:
    out = [Region(code="VN", name_vi="Toàn quốc", name_en="Viet Nam", kind="national",
                  lat=16.0, lon=106.0, merged_from="")]
    for r in rows("provinces34.csv"):
        out.append(Region(
            code=r["code"], name_vi=r["name_vi"], name_en=r["name_en"], kind="province",
            province_type=r["type"], lat=_float(r["lat"]), lon=_float(r["lon"]),
            area_km2=_float(r["area_km2"]),
            population=int(r["population_2024"]) if r["population_2024"] else None,
            merged_from=r["merged_from"],
        ))
    return out


def _indicators() -> list[Indicator]:
    prof = profiles()
    hib = {"true": True, "false": False}
    out = []
    for r in [*rows("indicators.csv"), *rows("live_feeds.csv")]:
        p = prof[r["code"]]
        out.append(Indicator(
            code=r["code"], name_vi=r["name_vi"], name_en=r["name_en"], unit=r["unit"],
            frequency=r["frequency"], group_code=r["group"], group_name_vi=r["group_name_vi"],
            group_name_en=r["group_name_en"], agency_code=r["agency"],
            higher_is_better=hib.get(r["higher_is_better"].lower()), by_province=p.by_province,
            target=p.target, target_note=r["target_2021"], warn_below=p.warn_below,
            warn_above=p.warn_above, min_value=p.min_value, max_value=p.max_value,
            headline=p.headline, note=r["note"],
        ))
    return out


def _kpi_facts() -> list[KpiFact]:
    return [
        KpiFact(metric=r["metric"], system=r["system"], value=float(r["value"]), unit=r["unit"],
                unit_vi=r["unit_vi"], as_of=date.fromisoformat(r["as_of"]), source=r["source"],
                note=r["note"], note_vi=r["note_vi"])
        for r in rows("kpi_facts.csv")
    ]


def camera_slug(dam_id: str) -> str:
    """The public id of a dam's camera: HOA_BINH -> hoa-binh."""
    return dam_id.lower().replace("_", "-")


def _cameras() -> list[Camera]:
    return [
        Camera(id=camera_slug(r["id"]), dam_id=r["id"], name=r["name"], river=r["river"],
               province=r["province"], province_2025=r["province_2025"], lat=float(r["lat"]),
               lon=float(r["lon"]), capacity_mw=float(r["capacity_mw"]), demo=True)
        for r in rows("dams.csv") if r["demo_camera"] == "1"
    ]


def _bridge_points(agencies: list[Agency]) -> list[BridgePoint]:
    chosen = [a for a in agencies if a.kind == "ministry" and a.era in ("both", "post2025")]
    chosen += [a for a in agencies if a.code in BRIDGE_AGENCIES]
    chosen += [a for a in agencies if a.code.startswith("T34_")]
    return [
        BridgePoint(id=f"BP{i:02d}", name_vi=f"Điểm cầu {a.name_vi}",
                    name_en=f"Bridge point {a.name_en}", agency_code=a.code, demo=True)
        for i, a in enumerate(chosen, start=1)
    ]


def load(session: Session) -> dict[str, int]:
    """Replace the reference tables with the shipped CSVs; returns row counts."""
    for model in (BridgePoint, Camera, KpiFact, Indicator, Region, Agency):
        session.execute(delete(model))
    agencies = _agencies()
    groups: dict[str, list] = {
        "agencies": agencies, "regions": _regions(), "indicators": _indicators(),
        "kpi_facts": _kpi_facts(), "cameras": _cameras(),
        "bridge_points": _bridge_points(agencies),
    }
    for items in groups.values():
        session.add_all(items)
        session.flush()
    return {key: len(items) for key, items in groups.items()}

"""The shipped province boundaries (data/reference/provinces34.geojson), read once per process."""
from __future__ import annotations

import csv
import hashlib
import json
from functools import lru_cache
from typing import Any

from core.reference import REFERENCE_DIR

GEOJSON = REFERENCE_DIR / "provinces34.geojson"  # built by tools/build_map.py; ~80 KiB
ARCHIPELAGOS = ("hoang_sa", "truong_sa")


@lru_cache(maxsize=1)
def provinces() -> dict[str, Any]:
    """The 34 provinces as a GeoJSON FeatureCollection; feature id = province code ('48')."""
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def label_points() -> dict[str, tuple[float, float]]:
    """Province code -> (lon, lat) of a point inside its mainland, where its label goes."""
    return {f["id"]: (f["properties"]["label_lon"], f["properties"]["label_lat"])
            for f in provinces()["features"]}


@lru_cache(maxsize=1)
def islands() -> dict[str, list[dict[str, Any]]]:
    """Archipelago -> its islands [{name_vi, name_en, lat, lon, province_code}] (islands.csv)."""
    out: dict[str, list[dict[str, Any]]] = {a: [] for a in ARCHIPELAGOS}
    with (REFERENCE_DIR / "islands.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["archipelago"], []).append(
                {**row, "lat": float(row["lat"]), "lon": float(row["lon"])})
    return out


def bounds() -> tuple[float, float, float, float]:
    """(lon0, lat0, lon1, lat1) of every shape, islands included."""
    xs: list[float] = []
    ys: list[float] = []
    for feature in provinces()["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                xs.extend(p[0] for p in ring)
                ys.extend(p[1] for p in ring)
    return min(xs), min(ys), max(xs), max(ys)


@lru_cache(maxsize=1)
def digest() -> str:
    """A short hash of the shipped boundaries: the version in their URL (web.geodata)."""
    return hashlib.sha256(GEOJSON.read_bytes()).hexdigest()[:12]

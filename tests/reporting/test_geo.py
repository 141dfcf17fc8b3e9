"""The shipped province map: 34 valid shapes keyed by province code, both archipelagos included."""
from __future__ import annotations

import csv

from shapely.geometry import Point, shape

from core.reference import REFERENCE_DIR
from reporting import geo


def test_34_provinces_keyed_like_the_reference_table() -> None:
    with (REFERENCE_DIR / "provinces34.csv").open(encoding="utf-8") as fh:
        codes = {row["code"]: row["name_vi"] for row in csv.DictReader(fh)}
    features = geo.provinces()["features"]
    assert {f["id"]: f["properties"]["name_vi"] for f in features} == codes
    assert geo.GEOJSON.stat().st_size < 1_000_000
    for feature in features:
        polygon = shape(feature["geometry"])
        assert polygon.is_valid and polygon.area > 0.01, feature["id"]
        label = Point(*geo.label_points()[feature["id"]])
        assert polygon.contains(label), feature["id"]  # the label sits on its own province


def test_hoang_sa_is_part_of_da_nang_and_truong_sa_of_khanh_hoa() -> None:
    shapes = {f["id"]: shape(f["geometry"]) for f in geo.provinces()["features"]}
    islands = geo.islands()
    assert len(islands["hoang_sa"]) >= 5 and len(islands["truong_sa"]) >= 5
    for archipelago, code in (("hoang_sa", "48"), ("truong_sa", "56")):
        for island in islands[archipelago]:
            spot = Point(island["lon"], island["lat"])
            assert shapes[code].contains(spot), (archipelago, island["name_vi"])
            assert not any(s.contains(spot) for c, s in shapes.items() if c != code)
    lon0, lat0, lon1, lat1 = geo.bounds()
    assert lon1 > 114 and lat0 < 8  # the map's extent reaches Trường Sa

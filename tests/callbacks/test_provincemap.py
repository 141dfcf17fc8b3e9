"""The province map as a plain figure dict: exactly what plotly's validation makes of it, each
area trace carrying only the shapes it draws."""
from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from callbacks import provincemap
from reporting import geo

CODES = [f["id"] for f in geo.provinces()["features"]]


def _plain(figure: Any) -> Any:
    return json.loads(pio.to_json(figure, validate=False))


@pytest.mark.parametrize("higher_is_better", [True, False, None])
@pytest.mark.parametrize("reported", [34, 20, 0])
@pytest.mark.parametrize("selected", ["", CODES[5]])
def test_the_spec_is_what_plotly_validation_makes_of_it(
        higher_is_better: bool | None, reported: int, selected: str) -> None:
    values = {c: i * 1.37 - 3 for i, c in enumerate(CODES[:reported])}
    texts = {c: f"{v:.1f}" for c, v in values.items()}
    names = {c: f"Tỉnh {c}" for c in CODES}
    spec = provincemap.choropleth_spec(values, texts, names, selected, "vi", higher_is_better,
                                       "u (%)", 794, 560)
    validated = go.Figure(spec)  # raises on any property plotly does not know
    assert _plain(spec) == _plain(validated)
    assert _plain(provincemap.choropleth(values, texts, names, selected, "vi",
                                         higher_is_better, "u (%)", 794, 560)) == _plain(spec)
    areas = [tr for tr in spec["data"] if tr["type"] == "choropleth"]
    drawn = [loc for tr in areas if tr["name"] != "selected" for loc in tr["locations"]]
    assert sorted(drawn) == sorted(CODES)  # every province once: with a value or grey
    shipped = {f["id"]: f for f in geo.provinces()["features"]}
    for tr in areas:  # each trace carries the shapes it draws, as shipped
        assert [f["id"] for f in tr["geojson"]["features"]] == list(tr["locations"])
        assert all(f == shipped[f["id"]] for f in tr["geojson"]["features"])
    assert ("selected" in {tr["name"] for tr in areas}) == bool(selected)

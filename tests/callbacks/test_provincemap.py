"""The province map as a plain figure dict: exactly what plotly's validation makes of it, its
outlines named by the app's own URL."""
from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from callbacks import provincemap
from reporting import geo
from web import geodata

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
    areas = [tr for tr in spec["data"] if tr["type"] == "choropleth"]
    drawn = [loc for tr in areas if tr["name"] != "selected" for loc in tr["locations"]]
    assert sorted(drawn) == sorted(CODES)  # every province once: with a value or grey
    for tr in areas:  # the shipped outlines by URL (a few kB of answer, not 77 KiB)
        assert tr["geojson"] == geodata.url()
        assert tr["featureidkey"] == "id" and set(tr["locations"]) <= set(CODES)
    assert len(json.dumps(spec)) < 30_000
    assert ("selected" in {tr["name"] for tr in areas}) == bool(selected)

"""GET /geo/provinces34.geojson: the maps' outlines, the shipped file, kept a year under its hash."""
from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from reporting import geo
from web import geodata


@pytest.mark.parametrize("role", ["display", "leader", "staff"])
def test_every_screen_gets_the_shipped_outlines_kept_under_their_hash(
        client_for: Callable[[str], FlaskClient], role: str) -> None:
    client = client_for(role)
    got = client.get(geodata.url())
    assert got.status_code == 200
    assert got.data == geo.GEOJSON.read_bytes()
    assert len(json.loads(got.data)["features"]) == 34
    assert got.mimetype == "application/geo+json"
    assert "immutable" in got.headers["Cache-Control"] and "private" in got.headers["Cache-Control"]
    # A browser asking again with the validator it holds gets no body.
    again = client.get(geodata.url(), headers={"If-None-Match": got.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_an_old_or_missing_version_is_answered_but_not_kept(
        client_for: Callable[[str], FlaskClient]) -> None:
    client = client_for("display")
    for path in (geodata.PATH, geodata.PATH + "?v=000000000000"):
        got = client.get(path)
        assert got.status_code == 200 and got.data == geo.GEOJSON.read_bytes()
        assert "immutable" not in got.headers["Cache-Control"]


def test_an_anonymous_caller_is_refused(client_for: Callable[[str], FlaskClient]) -> None:
    got = client_for("anonymous").get(geodata.url())
    assert got.status_code in (302, 303, 401)
    assert b"FeatureCollection" not in got.data

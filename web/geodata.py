"""GET /geo/provinces34.geojson: the shipped province boundaries, fetched once by each browser.

The maps name this URL instead of carrying the 77 KiB of outlines in every answer: plotly.js
fetches a choropleth's geojson URL once and keeps it for the page's life (window.PlotlyGeoAssets),
so a follower moving between map pages downloads, parses and diffs the outlines once. The URL
carries the file's hash, so the answer may be kept for a year: a new file is a new URL. Behind
the guard like every page's data (the shapes are public, but the route need not be).
"""
from __future__ import annotations

from flask import Flask, Response, request, send_file

from reporting import geo

PATH = "/geo/provinces34.geojson"
YEAR_S = 365 * 24 * 3600


def url() -> str:
    """The boundaries' URL, versioned by their content."""
    return f"{PATH}?v={geo.digest()}"


def _boundaries() -> Response:
    current = request.args.get("v") == geo.digest()
    response = send_file(geo.GEOJSON, mimetype="application/geo+json", etag=True,
                         max_age=YEAR_S if current else 0, conditional=True)
    if current:
        response.headers["Cache-Control"] = f"private, max-age={YEAR_S}, immutable"
    return response


def init_app(server: Flask) -> None:
    server.add_url_rule(PATH, "geo_boundaries", _boundaries, methods=["GET"])

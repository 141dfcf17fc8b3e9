"""The savings page (placeholder until its screen lands)."""
from __future__ import annotations

from dash import html


def layout(**_query: str) -> html.Div:
    return html.Div(html.H2("savings"), className="placeholder")

"""The dashboard's colours for figures (hex: plotly needs values), the same as assets/00-theme.css."""
from __future__ import annotations

# The theme (CSS variables of the same names in assets/00-theme.css; tests/ui checks they agree).
BG = "#0a1120"  # --bg: the page; marker outlines and province borders in it read as gaps
LINE = "#24365a"  # --line: grid lines and borders
TEXT = "#eef3fb"  # --text
MUTED = "#9fb0cc"  # --muted: axis titles, notes, targets
ACCENT = "#ffcd00"  # --accent: the selected item, the national value, totals

# Threshold colours (--good, --warn, --bad, --neutral).
STATUS_COLOURS: dict[str, str] = {
    "good": "#2fd67b", "warn": "#ffb020", "bad": "#ff4d5a", "neutral": "#7cc4ff",
}
STATUSES = tuple(STATUS_COLOURS)
SERIES = STATUS_COLOURS["neutral"]  # a single line or bar series
EXTRA_SERIES = "#c79bff"  # a fifth series colour, when the four above are taken

# Camera states as the wall shows them: live is good, stale a warning, offline bad.
CAMERA_STATE_COLOURS: dict[str, str] = {
    "LIVE": STATUS_COLOURS["good"], "STALE": STATUS_COLOURS["warn"],
    "OFFLINE": STATUS_COLOURS["bad"], "CONNECTING": STATUS_COLOURS["neutral"],
}

# Maps.
NO_DATA = "#3a4458"  # grey, never a colour of a scale
LAND = "#1f2d48"  # provinces of a map that shows something else on top (the camera map)
LAND_EDGE = "#3a5075"  # their borders
# Bad -> good: red, amber, teal. Luminance rises with it, so it still reads in grey.
GOOD_SCALE = [[0.0, "#c8323c"], [0.5, "#e8b23a"], [1.0, "#3fd0b0"]]
NEUTRAL_SCALE = [[0.0, "#24406e"], [1.0, "#8fd3ff"]]


def status_colour(status: str | None) -> str:
    """Hex colour of a status (good/warn/bad/neutral); neutral when unknown."""
    return STATUS_COLOURS.get(status or "neutral", STATUS_COLOURS["neutral"])

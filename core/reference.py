"""The sourced reference files shipped in data/reference (read by every domain that needs them)."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"


def rows(name: str) -> Iterator[dict[str, str]]:
    """Rows of one reference CSV as dicts of stripped strings."""
    with open(REFERENCE_DIR / name, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {k: (v or "").strip() for k, v in row.items()}

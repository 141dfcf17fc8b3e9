"""The savings page's URL state: the estimate's assumptions (?n1=..&h1=..), defaults elsewhere."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pagestate import first, search_string


@dataclass(frozen=True)
class Assumption:
    """One input of the estimate: URL key, group, default and step."""

    key: str
    group: str
    default: float
    step: float


ASSUMPTIONS = (
    Assumption("n1", "portal", 42_500_000, 100_000),  # dossiers a year
    Assumption("h1", "portal", 4, 0.5),  # hours a citizen saves per dossier
    Assumption("c1", "portal", 50_000, 1_000),  # travel, copies, postage saved per dossier (VND)
    Assumption("n2", "axis", 4_500_000, 100_000),  # e-documents a year
    Assumption("h2", "axis", 0.5, 0.25),  # clerk hours saved per document
    Assumption("c2", "axis", 20_000, 1_000),  # paper, printing, postage per document (VND)
    Assumption("w", "common", 30_000, 1_000),  # cost of one hour of time (VND)
)
DEFAULTS = {a.key: a.default for a in ASSUMPTIONS}


def parse_assumptions(query: dict[str, Any]) -> dict[str, float]:
    """Assumptions from a URL query: defaults for anything missing, negative or not a number."""
    out = dict(DEFAULTS)
    for key in DEFAULTS:
        raw = first(query.get(key))
        try:
            value = float(raw)
        except ValueError:
            continue
        if value >= 0 and value == value and value != float("inf"):
            out[key] = int(value) if value.is_integer() else value
    return out


def assumptions_search(values: dict[str, float]) -> str:
    """Only the assumptions that differ from the defaults go into the URL."""
    return search_string({k: _plain(v) for k, v in values.items()
                          if v is not None and float(v) != float(DEFAULTS[k])})


def _plain(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)

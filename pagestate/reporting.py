"""The reporting page's URL state (?agency=T34_01&submission=123) and its agency picker."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.cache import fetch
from pagestate import first, search_string
from reporting import queries
from web.i18n import norm


@dataclass(frozen=True)
class ReportingState:
    """The drill-down as written in the URL: ?agency=T34_01&submission=123."""

    agency: str | None = None
    submission: int | None = None

    def search(self) -> str:
        return search_string({"agency": self.agency, "submission": self.submission})


def parse_state(query: dict[str, Any]) -> ReportingState:
    agency = first(query.get("agency")).strip().upper() or None
    raw = first(query.get("submission")).strip()
    submission = int(raw) if raw.isdigit() else None
    return ReportingState(agency, submission if agency else None)


def agency_href(code: str) -> str:
    return "/reporting" + ReportingState(code).search()


def _name(row: dict, lang: str | None) -> str:
    return row["name_en" if norm(lang) == "en" else "name_vi"]


def _grouped(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Ministries and other agencies first, then the 34 provinces."""
    central = [r for r in rows if r["kind"] != "province"]
    provinces = [r for r in rows if r["kind"] == "province"]
    return [(key, group) for key, group in (("rep.central", central),
                                             ("rep.provinces", provinces)) if group]


def agency_options(matrix: dict, extra: str | None, lang: str | None) -> list[dict]:
    opts = [{"label": f"{_name(r, lang)} ({r['agency']})", "value": r["agency"]}
            for key, group in _grouped(matrix.get("rows") or []) for r in group]
    if extra and extra not in {o["value"] for o in opts}:
        opts.insert(0, {"label": extra, "value": extra})
    return opts


def initial_options(agency: str | None, lang: str = "vi") -> list[dict]:
    """The agency picker's options for the first render (the URL's agency among them)."""
    return agency_options(fetch(queries.compliance, 12).data or {}, agency, lang)

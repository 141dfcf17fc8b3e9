"""The indicator drill-down's URL state (/indicators/<code>?region=&from=&to=&period=) and pickers."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core import periods
from core.cache import Fetched, fetch, fetch_many
from core.clock import local_now
from pagestate import first, search_string
from reporting import queries
from ui.wording import indicator_name
from web.i18n import norm, period_label, t

# --- URL state -------------------------------------------------------------------------------

BASE_PATH = "/indicators"
RANGE_POINTS = {"monthly": 36, "quarterly": 16, "yearly": 30, "daily": 60, "hourly": 72,
                "realtime": 24}
BUCKET = "5min"  # real-time ticks are summed (or averaged) into five-minute buckets


@dataclass(frozen=True)
class IndicatorState:
    """Everything the drill-down shows, as it is written in the URL."""

    code: str = ""
    region: str = "VN"
    start: str = ""
    end: str = ""
    period: str = ""

    def pathname(self) -> str:
        return f"{BASE_PATH}/{self.code}" if self.code else BASE_PATH

    def search(self) -> str:
        return search_string({"region": self.region, "from": self.start, "to": self.end,
                              "period": self.period})

    def url(self) -> str:
        return self.pathname() + self.search()


def parse_state(code: str | None, query: dict[str, Any]) -> IndicatorState:
    """The raw state of a URL (not yet checked against the catalogue)."""
    return IndicatorState(code=first(code).strip().upper(),
                          region=first(query.get("region")) or "VN",
                          start=first(query.get("from")), end=first(query.get("to")),
                          period=first(query.get("period")))


def _catalogue() -> Fetched:
    return fetch(queries.catalogue)


def _by_code(items: list[dict] | None) -> dict[str, dict]:
    return {i["code"]: i for i in items or []}


def default_code(items: list[dict]) -> str:
    """The first headline indicator (what the wall shows first), else the first of all."""
    heads = sorted((i for i in items if i.get("headline")), key=lambda i: i["headline"])
    if heads:
        return heads[0]["code"]
    return items[0]["code"] if items else ""


def range_frequency(ind: dict) -> str:
    """Real-time feeds are picked by the hour; every other series by its own period."""
    return "hourly" if ind["frequency"] == "realtime" else ind["frequency"]


def period_choices(ind: dict, history: Fetched | None = None) -> tuple[list[str], str | None]:
    """The periods the range pickers offer (oldest first) and the stale-since mark; `history`
    is the indicator's national series when the caller holds it (see national_history)."""
    if ind["frequency"] == "realtime":
        now = local_now()
        first_hour = periods.of(now.replace(hour=0, minute=0, second=0), "hourly")
        hours = [periods.shift(first_hour, i).label for i in range(now.hour + 1)]
        return hours, None
    got = history or national_history(ind)
    return [r["period"] for r in got.data or []], got.stale_since


def national_history(ind: dict) -> Fetched | None:
    """The whole national series of a reported indicator (its periods are the pickers' choices,
    its rows the national values); None for a real-time feed, picked by the hour."""
    if ind["frequency"] == "realtime":
        return None
    return fetch(queries.series, ind["code"], "VN", "", "")


def _valid(label: str, frequency: str) -> str:
    if not label:
        return ""
    try:
        return periods.parse(label, frequency).label
    except periods.PeriodError:
        return ""


def normalize(state: IndicatorState, ind: dict, labels: list[str], region_codes: set[str],
              compare_default: str = "") -> IndicatorState:
    """A state the page can show: known region, range inside the data, start before end."""
    freq = range_frequency(ind)
    region = state.region if state.region in region_codes else "VN"
    if not ind.get("by_province"):
        region = "VN"
    start, end = _valid(state.start, freq), _valid(state.end, freq)
    if labels:
        n = RANGE_POINTS.get(ind["frequency"], 36)
        known = set(labels)
        if start not in known:
            start = labels[max(0, len(labels) - n)]
        if end not in known:
            end = labels[-1]
        if labels.index(start) > labels.index(end):
            start, end = end, start
    period = ""
    if ind.get("by_province"):
        period = _valid(state.period, freq)
        if labels and period not in set(labels):
            period = compare_default if compare_default in set(labels) else labels[-1]
    return replace(state, code=ind["code"], region=region, start=start, end=end, period=period)


@dataclass(frozen=True)
class Resolved:
    """A URL's state checked against the catalogue and the data, with what was read to check it
    (the page shows the same reads rather than asking the cache for them again)."""

    state: IndicatorState
    ind: dict | None
    catalogue: Fetched
    regions: Fetched
    history: Fetched | None = None  # national_history of ind
    labels: tuple[str, ...] = ()  # the periods the pickers offer


def resolve_page(code: str | None, query: dict[str, Any]) -> Resolved:
    """The URL's state checked against the catalogue and the data, with its indicator."""
    raw = parse_state(code, query)
    cat, regs = fetch_many((queries.catalogue,), (queries.regions,))  # one cache call for both
    items = cat.data or []
    by_code = _by_code(items)
    ind = by_code.get(raw.code) or by_code.get(default_code(items))
    if ind is None:
        return Resolved(raw, None, cat, regs)
    history = national_history(ind)
    labels, _ = period_choices(ind, history)
    regions = {r["code"] for r in regs.data or []} or {"VN"}
    compare_default = ""
    if ind.get("by_province") and not (raw.period and raw.period in labels):
        snap = fetch(queries.province_snapshot, ind["code"], "").data or {}
        compare_default = snap.get("period", "")
    state = normalize(raw, ind, labels, regions, compare_default)
    return Resolved(state, ind, cat, regs, history, tuple(labels))


def resolve(code: str | None, query: dict[str, Any]) -> tuple[IndicatorState, dict | None]:
    """The URL's state checked against the catalogue and the data, with its indicator."""
    page = resolve_page(code, query)
    return page.state, page.ind


def initial_controls(code: str | None, query: dict[str, Any], lang: str = "vi") -> dict:
    """For the layout: the state to open with and every picker's options, so the values in
    the URL are valid options from the first render (Dash 4 drops a value not in options)."""
    page = resolve_page(code, query)
    state, ind = page.state, page.ind
    items = page.catalogue.data or []
    regions = page.regions.data or []
    group = (ind or {}).get("group", "")
    opts = period_options(list(page.labels), lang) if ind else []
    by_province = bool(ind and ind.get("by_province"))
    return {"state": state, "group": group, "groups": group_options(items, lang),
            "codes": code_options(items, group, lang), "regions": region_options(regions, lang),
            "periods": opts, "compare_periods": opts if by_province else [],
            "by_province": by_province}


# --- labels ----------------------------------------------------------------------------------

def region_name(region: dict | None, lang: str | None, short: bool = True) -> str:
    if region is None:
        return ""
    if region["code"] == "VN":
        return t("ind.national", lang)
    name = region["name_en" if norm(lang) == "en" else "name_vi"]
    if short and norm(lang) == "en":
        for suffix in (" Province", " City"):
            name = name.removesuffix(suffix)
    return name


def group_options(items: list[dict], lang: str | None) -> list[dict]:
    seen: dict[str, str] = {}
    for i in items:
        seen.setdefault(i["group"], i["group_name_en" if norm(lang) == "en" else "group_name_vi"])
    return [{"label": f"{code} · {name}" if code.startswith("G") else name, "value": code}
            for code, name in sorted(seen.items(), key=lambda kv: (kv[0] == "RT", kv[0]))]


def code_options(items: list[dict], group: str | None, lang: str | None) -> list[dict]:
    return [{"label": indicator_name(i, lang, short=False), "value": i["code"]}
            for i in items if i["group"] == group]


def region_options(regions: list[dict], lang: str | None) -> list[dict]:
    ordered = sorted(regions, key=lambda r: (r["code"] != "VN", region_name(r, lang)))
    return [{"label": region_name(r, lang), "value": r["code"]} for r in ordered]


def period_options(labels: list[str], lang: str | None) -> list[dict]:
    return [{"label": period_label(p, lang), "value": p} for p in reversed(labels)]

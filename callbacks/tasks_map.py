"""/tasks: the 34 provinces coloured by their overdue share, and a click drilling into one.

A province leads tasks as its agency (T34_xx, whose region_code is the map's province code).
The figures are the agencies ranked on the page (same filters, same query): nothing more is
read. Drawn by callbacks.provincemap, as the indicator page's map.
"""
from __future__ import annotations

from typing import Any

import dash

from callbacks import provincemap
from web.i18n import percent, t

HEIGHT = 40 + 21 * 34 + 40  # the indicator page's map height: the labels' layout plans for it
MIN_WIDTH_PX = 560  # the narrowest map panel on /tasks at 1920 px


def province_agencies(agencies: list[dict[str, Any]]) -> dict[str, str]:
    """Map province code -> the agency leading tasks for it (T34_xx)."""
    return {a["region_code"]: a["code"] for a in agencies
            if a["kind"] == "province" and a.get("region_code")}


def figure(ranked: list[dict[str, Any]], agencies: list[dict[str, Any]], selected: str,
           lang: str | None) -> dict[str, Any]:
    """Overdue as a share of all tasks per province; provinces without tasks grey. A plain
    figure dict (provincemap.choropleth_spec): the page's callback answers without plotly's
    validation of the boundaries."""
    by_agency = {r["agency"]: r for r in ranked}
    by_code = {a["code"]: a for a in agencies}
    names = "name_vi" if lang != "en" else "name_en"
    values: dict[str, float] = {}
    texts: dict[str, str] = {}
    labels: dict[str, str] = {}
    chosen = ""
    for region, agency in province_agencies(agencies).items():
        labels[region] = by_code[agency][names]
        if agency == selected:
            chosen = region
        row = by_agency.get(agency)
        if row is None or row["overdue_share_all"] is None:
            continue
        values[region] = row["overdue_share_all"] * 100
        texts[region] = percent(values[region], lang, 1)
    return provincemap.choropleth_spec(values, texts, labels, chosen, lang, False,
                                       t("tasks.share_all", lang) + " (%)", HEIGHT, MIN_WIDTH_PX)


def drill(click: dict[str, Any] | None, agencies: list[dict[str, Any]]) -> str:
    """The agency of the province clicked (PreventUpdate for a click elsewhere)."""
    agency = province_agencies(agencies).get(provincemap.clicked_region(click))
    if agency is None:
        raise dash.exceptions.PreventUpdate
    return agency

"""The alerts page's URL state: ?state=open&kind=camera&agency=BCT&period=2026-11&alert=12."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from alerts.conditions import DAM_KINDS, KINDS, RELAY
from pagestate import first, search_string

STATES = ("open", "acknowledged", "resolved")
CODE = re.compile(r"^[A-Za-z0-9_]{1,16}$")
PERIOD = re.compile(r"^[0-9]{4}(-[0-9QH]{1,3})?$")


@dataclass(frozen=True)
class AlertsState:
    """Filters and the alert whose history is open; '' state means the live ones."""

    state: str = ""
    kind: str = ""
    agency: str = ""
    period: str = ""
    alert: int | None = None

    def search(self) -> str:
        return search_string({"state": self.state, "kind": self.kind, "agency": self.agency,
                              "period": self.period, "alert": self.alert})


def parse_state(query: dict[str, Any]) -> AlertsState:
    """What the URL asks for; anything not acceptable is dropped, never an error."""
    state = first(query.get("state")).strip()
    kind = first(query.get("kind")).strip()
    agency = first(query.get("agency")).strip().upper()
    period = first(query.get("period")).strip().upper()
    raw = first(query.get("alert")).strip()
    return AlertsState(state if state in STATES else "", kind if kind in KINDS else "",
                       agency if CODE.match(agency) else "", period if PERIOD.match(period) else "",
                       int(raw) if raw.isdigit() and len(raw) < 12 else None)


def subject_href(a: dict[str, Any]) -> str:
    """Where a wall alert drills to: its subject (the indicator, the late agency on /reporting,
    the camera's focus view, the bridge points, the task's document); else the alert itself."""
    kind, subject = str(a.get("kind") or ""), str(a.get("subject") or "")
    if kind == "threshold" and subject:
        code, _, region = subject.partition(":")
        return f"/indicators/{quote(code)}" + (f"?region={quote(region)}" if region and region != "VN" else "")
    if kind == "late" and subject:
        return f"/reporting?agency={quote(subject)}"
    if (kind == "camera" or kind in DAM_KINDS) and subject:
        return "/cameras" if subject == RELAY else f"/cameras?cam={quote(subject)}"
    if kind == "display":
        return "/displays"
    if kind == "task" and subject:
        # The alert names the task by document and number; the document's list shows it.
        return f"/tasks?document={quote(subject.partition('#')[0])}"
    return alert_href(int(a["id"])) if a.get("id") is not None else "/alerts"


def alert_href(alert_id: int) -> str:
    """Where a wall alert drills to."""
    return "/alerts" + AlertsState(alert=alert_id).search()

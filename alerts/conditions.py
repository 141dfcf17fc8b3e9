"""The conditions the app detects, as stable keys: kind + subject + period, one per condition.

Pure functions of what the domain queries return (reporting.queries, reporting.freshness,
displays.status, streams.client); alerts/sources.py calls those queries. A kind whose source
could not be read is left out of `checked`, so its open alerts are kept, not resolved.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

DAM_KINDS = ("dam-level", "dam-spill", "dam-silent")
KINDS = ("threshold", "late", "camera", "display", "feed", "task", *DAM_KINDS)
DEFAULT_SEVERITY = {"threshold": "warning", "late": "warning", "camera": "critical",
                    "display": "critical", "feed": "critical", "task": "warning",
                    "dam-level": "warning", "dam-spill": "warning", "dam-silent": "warning"}
RELAY = "relay"  # the camera subject standing for the whole relay when it does not answer


@dataclass(frozen=True)
class Condition:
    """One detected condition; `key` is the same every time the same thing is detected."""

    kind: str
    subject: str
    period: str = ""
    agency: str = ""
    title: str = ""  # what was detected, in words (Vietnamese names; screens add the kind)
    severity: str = ""  # set by a source that grades its own conditions; else the kind's

    @property
    def key(self) -> str:
        return ":".join(p for p in (self.kind, self.subject, self.period) if p)


@dataclass
class Detected:
    """Conditions found now, and the kinds whose sources answered (only those may clear)."""

    conditions: list[Condition] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def add(self, kind: str, found: Iterable[Condition]) -> None:
        self.conditions.extend(found)
        self.checked.add(kind)

    def by_key(self) -> dict[str, Condition]:
        return {c.key: c for c in self.conditions}  # one alert per condition, whatever repeats


def thresholds(items: list[dict[str, Any]]) -> list[Condition]:
    """reporting.queries.threshold_alerts(): `threshold:IIP:VN:2026-11`."""
    return [Condition("threshold", f"{i['code']}:{i.get('region') or 'VN'}", str(i.get("period", "")),
                      str(i.get("agency") or ""),
                      f"{i.get('name_vi') or i['code']}: {i.get('value')}")
            for i in items if i.get("code")]


def late(items: list[dict[str, Any]]) -> list[Condition]:
    """reporting.queries.late_now(): `late:BCT:2026-11`."""
    return [Condition("late", str(i["agency"]), str(i.get("period", "")), str(i["agency"]),
                      str(i.get("name_vi") or i["agency"]))
            for i in items if i.get("agency")]


def cameras(rows: list[dict[str, Any]] | None, relay_down: bool) -> list[Condition]:
    """streams.client.relay_status() rows OFFLINE or STALE: `camera:hoa-binh`; one
    `camera:relay` instead of every camera when the relay itself does not answer."""
    if relay_down:
        return [Condition("camera", RELAY, title="relay")]
    return [Condition("camera", str(r["id"]), title=str(r.get("name") or r["id"]))
            for r in rows or [] if str(r.get("state", "")).upper() in ("OFFLINE", "STALE")
            and r.get("id")]


def displays(lost: list[Any]) -> list[Condition]:
    """displays.status.lost_places(): `display:BP07` (the place, which outlives its screen)."""
    return [Condition("display", str(s.place), title=str(s.place_name or s.name or s.place))
            for s in lost if getattr(s, "place", "")]


def feeds(stale: list[dict[str, Any]]) -> list[Condition]:
    """reporting.freshness.stale_feeds(): `feed:power` (RT_POWER without its prefix)."""
    return [Condition("feed", str(f["code"]).removeprefix("RT_").lower(),
                      title=str(f.get("name_vi") or f["code"]))
            for f in stale if f.get("code")]


def tasks(by_agency: list[dict[str, Any]]) -> list[Condition]:
    """tasks.summary.overdue_key_by_agency(): `task:BCT`, one alert per lead agency with key
    tasks open past their deadline, naming the agency, how many and the longest delay (one
    per task would bury the wall under years of history)."""
    return [Condition("task", str(x["agency"]), agency=str(x["agency"]),
                      title=f"{x['agency']}: {x['count']} nhiệm vụ trọng tâm quá hạn, lâu nhất "
                            f"{x['days_overdue']} ngày")
            for x in by_agency if x.get("agency") and x.get("count")]


def dams(found: list[Any]) -> list[Condition]:
    """dams.conditions.conditions(): `dam-level:hoa-binh` (level past its flood-season limit),
    `dam-spill:hoa-binh` (xả lũ: gates open or water over the spillway), `dam-silent:hoa-binh`
    (no reading for 30 minutes); critical where the dam says so (past the normal water level,
    or a spill beyond the turbines' capacity)."""
    out = []
    for c in found:
        kind, _, subject = c.key.partition(":")
        if kind in KINDS and subject:
            out.append(Condition(kind, subject, title=f"{c.subject}: {c.detail_vi}",
                                 severity=c.severity if c.severity == "critical" else ""))
    return out


def severities(text: str) -> dict[str, str]:
    """DEFAULT_SEVERITY overridden by 'camera=critical,late=warning' (OPS_ALERT_SEVERITY)."""
    out = dict(DEFAULT_SEVERITY)
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        kind, _, level = part.partition("=")
        kind, level = kind.strip(), level.strip()
        if kind not in KINDS or level not in ("critical", "warning"):
            raise ValueError(f"'{part}': expected KIND=critical|warning, KIND one of "
                             + ", ".join(KINDS))
        out[kind] = level
    return out

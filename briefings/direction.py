"""The briefing's direction pages: Government-assigned tasks and the alerts with their owners.

The same queries as the wall's task panel (tasks.summary.year_to_date, overdue_key) and its
alert panel (alerts.store.live), written by the screens' formatter.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from alerts import store as alert_store
from briefings import texts
from briefings.document import MUTED
from core.clock import utc_to_local
from core.db import current
from core.fmt import number, percent, when
from tasks import summary as task_queries

RANKED_AGENCIES = 12  # agencies with the most overdue tasks, on the tasks page
OVERDUE_KEY_ROWS = 15  # overdue key tasks listed
ALERT_ROWS = 25  # open alerts listed (escalated, critical and unowned first, as on the wall)


def _rate(value: float | None) -> str:
    return percent(None if value is None else value * 100, "vi", 1)


def _points(now: float | None, then: float | None) -> str:
    """The change of a rate against the same period last year, in percentage points."""
    if now is None or then is None:
        return "—"
    delta = (now - then) * 100
    return f"{'+' if delta > 0 else ''}{number(delta, 'vi', 1)} {texts.POINTS}"


def task_summary_text(now: dict[str, Any], then: dict[str, Any] | None) -> str:
    """The year to date in one sentence, as the Government Office reports it."""
    then = then or {}
    return texts.TASKS_SUMMARY.format(
        assigned=number(now["assigned"], "vi"), on_time=number(now["done_on_time"], "vi"),
        late=number(now["done_late"], "vi"), in_time=number(now["open_in_time"], "vi"),
        overdue=number(now["open_overdue"], "vi"), none=number(now["no_deadline"], "vi"),
        share_all=_rate(now.get("overdue_share_all")),
        share_due=_rate(now.get("overdue_share_due")),
        change_all=_points(now.get("overdue_share_all"), then.get("overdue_share_all")),
        change_due=_points(now.get("overdue_share_due"), then.get("overdue_share_due")))


def tasks(ctx: Any, _arg: str) -> None:
    doc, on = ctx.doc, ctx.date
    now, then = task_queries.year_to_date(on)
    doc.new_page(texts.TASKS)
    if not now or not now.get("assigned"):
        doc.paragraph(texts.NO_DATA)
        return
    doc.paragraph(task_summary_text(now, then), 11)
    doc.ln(2)
    start, day = date(on.year, 1, 1).isoformat(), on.isoformat()
    ranked = [r for r in task_queries.ranking(start, day, "", None, "", day)
              if r["open_overdue"]][:RANKED_AGENCIES]
    doc.subtitle(texts.TASKS_RANKED)
    if ranked:
        doc.grid(texts.TASKS_RANKED_COLUMNS,
                 [[r["agency"], number(r["assigned"], "vi"), number(r["open_overdue"], "vi"),
                   _rate(r["overdue_share_all"]), _rate(r["overdue_share_due"])]
                  for r in ranked], (60, 40, 40, 50, 50), size=9,
                 aligns=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
    else:
        doc.paragraph(texts.TASKS_NONE_OVERDUE)
    doc.ln(2)
    key = task_queries.overdue_key(day, OVERDUE_KEY_ROWS)
    doc.subtitle(f"{texts.TASKS_KEY_OVERDUE} ({number(key['total'], 'vi')})")
    if key["tasks"]:
        doc.grid(texts.TASKS_KEY_COLUMNS,
                 [[x["agency"], x["document"], str(x["task_no"]), number(x["days_overdue"], "vi")]
                  for x in key["tasks"]], (60, 90, 40, 50), size=9,
                 aligns=("LEFT", "LEFT", "RIGHT", "RIGHT"))
    else:
        doc.paragraph(texts.TASKS_NONE_OVERDUE)


def _local(iso_utc: str | None) -> str:
    """An API time (ISO UTC with Z) as Viet Nam time, dd/mm/yyyy HH:MM."""
    return when(utc_to_local(datetime.fromisoformat(iso_utc.rstrip("Z"))), "vi") if iso_utc \
        else "—"


def _owner(alert: dict[str, Any]) -> str:
    if not alert.get("acknowledged_by"):
        return texts.ALERT_UNOWNED
    who = alert.get("acknowledged_by_label") or alert["acknowledged_by"]
    return f"{who}, {_local(alert.get('acknowledged_at'))}"


def alerts(ctx: Any, _arg: str) -> None:
    doc = ctx.doc
    live = alert_store.live(current(), limit=ALERT_ROWS)
    counts = alert_store.counts(current())
    doc.new_page(texts.ALERTS)
    doc.paragraph(texts.ALERTS_SUMMARY.format(open=counts.get("open", 0),
                                              acknowledged=counts.get("acknowledged", 0)), 11)
    if not live:
        doc.paragraph(texts.ALERTS_NONE)
        return
    doc.ln(2)
    doc.grid(texts.ALERT_COLUMNS, [
        [texts.SEVERITY.get(a["severity"], a["severity"])
         + (f" · {texts.ESCALATED}" if a.get("escalated") else ""),
         texts.ALERT_KINDS.get(a["kind"], a["kind"]), a.get("title") or a["subject"],
         _local(a["opened_at"]), _owner(a)]
        for a in live], (38, 48, 100, 32, 55), size=8.5)
    if counts.get("open", 0) + counts.get("acknowledged", 0) > len(live):
        doc.paragraph(texts.ALERTS_MORE, 8.5, MUTED)

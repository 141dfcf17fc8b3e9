"""Reads every condition's source through the domain queries (inside a Flask app context)."""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from alerts import conditions
from alerts.conditions import Detected
from core.db import current
from dams import conditions as dam_conditions
from displays import status as display_status
from reporting import freshness, queries
from streams import client
from tasks import status as task_status
from tasks import summary as task_queries

log = logging.getLogger(__name__)
LIVE_STATE_KEY = "ops_live"  # where the app (web.displays) keeps the displays' live state


def _live_state() -> Any:
    return current_app.extensions.get(LIVE_STATE_KEY)


def gather(feed_stale_after: float) -> Detected:
    """Every kind's conditions now; a source that fails is logged and its kind left unchecked."""
    found = Detected()

    def read(kind: str, fn: Any) -> None:
        try:
            found.add(kind, fn())
        except Exception as exc:  # noqa: BLE001 - one source down must not stop the others
            log.warning("alerts: %s source unavailable: %s", kind, exc.__class__.__name__)

    read("threshold", lambda: conditions.thresholds(queries.threshold_alerts()))
    read("late", lambda: conditions.late(queries.late_now()))
    read("feed", lambda: conditions.feeds(freshness.stale_feeds(feed_stale_after)))
    read("camera", _cameras)
    _dams(found)
    read("task", lambda: conditions.tasks(
        task_queries.overdue_key_by_agency(task_status.today().isoformat())))
    live = _live_state()
    if live is not None:  # without the live state nobody can say a screen was lost
        read("display", lambda: conditions.displays(
            display_status.lost_places(display_status.current(current(), live))))
    return found


def _cameras() -> list[conditions.Condition]:
    rows = client.relay_status()
    if rows is None:
        if client.camera_config()["enabled"]:
            raise RuntimeError("relay status unavailable")
        return []  # no cameras configured: nothing to raise, and old camera alerts clear
    return conditions.cameras(rows, client.relay_down(rows))


def _dams(found: Detected) -> None:
    """The three dam kinds come from one source: all checked, or none (then none may clear)."""
    try:
        raised = conditions.dams(dam_conditions.conditions())
    except Exception as exc:  # noqa: BLE001 - one source down must not stop the others
        log.warning("alerts: dams source unavailable: %s", exc.__class__.__name__)
        return
    for kind in conditions.DAM_KINDS:
        found.add(kind, [c for c in raised if c.kind == kind])


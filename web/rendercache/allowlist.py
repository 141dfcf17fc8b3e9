"""Which callbacks' answers are shared between viewers, and over which data window (opt-in)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from alerts.store import WALL_TTL
from pagestate.savings import ASSUMPTIONS
from reporting.queries import SLOW_TTL
from streams.client import STATUS_TTL
from tasks.summary import TTL as TASKS_TTL


def slow_window(_server: Flask) -> int:
    """Indicators, KPI facts, coverage: the slow queries' TTL (reporting.queries)."""
    return SLOW_TTL


def alerts_window(_server: Flask) -> int:
    """The wall's alerts: the alert table's read (alerts.store.wall_alerts), so a new alert
    reaches the wall within the evaluator's period plus this and one poll."""
    return WALL_TTL


def live_window(server: Flask) -> int:
    """Live feeds: the app's cache TTL, the window of live_totals and live_history."""
    return int(server.config.get("OPS_CACHE_TTL", 5))


def tasks_window(_server: Flask) -> int:
    """The tasks panel: its summaries' TTL (tasks.summary)."""
    return TASKS_TTL


def status_window(_server: Flask) -> int:
    """Cameras down and bridge points lost: the relay status cache's second."""
    return max(1, int(STATUS_TTL))


def live_row_window(server: Flask) -> int:
    """The live figures, alerts and cameras-down strip answered together: the shortest of the
    three windows, so none of them is shown later than it was alone."""
    return min(live_window(server), alerts_window(server), status_window(server))


@dataclass(frozen=True)
class Shared:
    """A callback whose answer depends only on its inputs (less `ignore`) and the data read in
    its window: every viewer asking in that window gets the same bytes."""

    window: Callable[[Flask], int]  # seconds, aligned to the clock as the queries' TTLs are
    ignore: frozenset[str] = frozenset({"n_intervals"})  # input properties the answer never reads
    by_role: bool = False  # the answer differs by role: one answer per principal kind and role
    # Shared only among these kinds of principal (None: all); the others are rendered each time.
    kinds: frozenset[str] | None = None


def _outputs(*outputs: str) -> str:
    """The callback_map key of a callback with several outputs."""
    return "...".join(outputs).join(("..", ".."))


# /savings' page: the KPI facts (kpi_facts, SLOW_TTL) drawn as cards, eight figures and tables
# in the viewer's language; 0.4 s of the server's work each time, the same for everyone.
SAVINGS_PAGE = _outputs(*[f"sav-{o}" for o in (
    "title.children", "subtitle.children", "stale.children", "cards.children",
    "by-system-title.children", "by-system.figure", "growth-title.children", "growth.figure",
    "adoption-title.children", "adoption.children", "est-title.children", "est-badge.children",
    "est-intro.children", "sources-title.children", "sources.children", "reset.children",
    "g-portal.children", "g-axis.children", "g-common.children")],
    *[f"sav-l-{a.key}.children" for a in ASSUMPTIONS])

# An indicator's page for one URL state (code, province, range, compared period) in the
# viewer's language: the series, the ranking, the map and the table from queries cached for
# SLOW_TTL; the page bridge points follow, so 57 of them ask for the same state at once.
INDICATOR_PAGE = _outputs(*[f"ind-{o}" for o in (
    "title.children", "meta.children", "stale.children", "series-title.children",
    "series-note.children", "series.figure", "compare-title.children", "compare-note.children",
    "compare.style", "rank.figure", "map.figure", "table-title.children", "table.children",
    "url.pathname", "url.search")])

# The allow-list: a callback is shared only when named here, by its callback_map key (its
# outputs). A callback that reads the principal (/displays' table, signed stream URLs such as
# the camera strip's snapshots) or a per-viewer state must never be listed, unless `kinds`
# names the principals for whom it does not. create_app refuses a key that is not a registered server callback.
SHARED: dict[str, Shared] = {
    "overview-tiles.children": Shared(slow_window),
    "overview-as-of.data": Shared(slow_window),
    _outputs("overview-savings.children", "overview-coverage.children",
             "overview-portal.children", "overview-ticker.data"): Shared(slow_window),
    _outputs("overview-live.children", "overview-alerts.children",
             "overview-camera-strip.children"): Shared(live_row_window),
    "tasks-panel.children": Shared(tasks_window),
    SAVINGS_PAGE: Shared(slow_window),
    INDICATOR_PAGE: Shared(slow_window),
    # The presenter button and banner read the person (is it me presenting?); for a display it
    # is always the same plain button, hidden: shared among displays only.
    _outputs("present-button.children", "present-button.className", "present-takeover.style",
             "present-status.children", "present-flag.data"): Shared(
        live_window, by_role=True, kinds=frozenset({"display"})),
}

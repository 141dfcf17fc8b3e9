"""Page layouts: pure functions returning components, registered as Dash pages here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dash

from layouts import (
    alerts,
    briefings,
    cameras,
    displays,
    indicators,
    overview,
    reporting,
    savings,
    shell,
    submit,
)
from layouts import tasks as tasks_page


@dataclass(frozen=True)
class Page:
    """One entry of the page registry: the navigation is built from this list."""

    module: str
    path: str
    layout: Callable[..., object]
    nav_key: str
    path_template: str | None = None
    in_nav: bool = True
    roles: tuple[str, ...] = ()  # who sees it in the navigation (empty: everyone)


PAGES: tuple[Page, ...] = (
    # The navigation follows this order, most used first (issue 17): overview, indicators, tasks,
    # alerts, savings, reporting, cameras, bridge points, briefings.
    Page("overview", "/", overview.layout, "nav.overview"),
    Page("indicators", "/indicators", indicators.layout, "nav.indicators"),
    Page("indicator", "/indicators/<code>", indicators.layout, "nav.indicators",
         path_template="/indicators/<code>", in_nav=False),
    Page("tasks", "/tasks", tasks_page.layout, "nav.tasks"),
    Page("task", "/tasks/<task_id>", tasks_page.task_layout, "nav.tasks",
         path_template="/tasks/<task_id>", in_nav=False),
    Page("alerts", "/alerts", alerts.layout, "nav.alerts"),
    Page("savings", "/savings", savings.layout, "nav.savings"),
    Page("reporting", "/reporting", reporting.layout, "nav.reporting"),
    Page("cameras", "/cameras", cameras.layout, "nav.cameras"),
    Page("displays", "/displays", displays.status_layout, "nav.displays"),
    Page("admin-displays", "/admin/displays", displays.admin_layout, "nav.displays", in_nav=False),
    Page("briefings", "/briefings", briefings.layout, "nav.briefings"),
    Page("submit", "/submit", submit.layout, "nav.submit", roles=("staff", "admin")),
)


def register_pages() -> None:
    """Register every page with Dash Pages (idempotent: the registry is global)."""
    for order, page in enumerate(PAGES):
        kwargs = {"path_template": page.path_template} if page.path_template else {"path": page.path}
        dash.register_page(f"pages.{page.module}", name=page.module, order=order,
                           layout=page.layout, **kwargs)


__all__ = ["PAGES", "Page", "register_pages", "shell"]

"""The wall panel "Nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao": a skeleton its callback fills.

Place `tasks_panel()` in any layout (the overview's wall grid, /tasks): it carries its own
once-a-minute tick, so it needs nothing else on the page. Clicking it drills to /tasks.
"""
from __future__ import annotations

from dash import dcc, html

TICK_MS = 60_000  # the counts move once a minute at most (summary.TTL)


def tasks_panel(className: str = "") -> html.Section:
    return html.Section(id="tasks-panel-box", className=f"tk-panel {className}".strip(),
                        children=[
        dcc.Interval(id="tasks-panel-tick", interval=TICK_MS),
        dcc.Link(id="tasks-panel", href="/tasks?status=open_overdue", className="tk-panel-link drill"),
    ])

"""Callbacks, one module per page; each exposes register(app), so every app gets its own set."""
from __future__ import annotations

import dash

from callbacks import (
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
from callbacks import tasks as tasks_page
from callbacks import tasks_panel as tasks_wall

# Dash's app-less @dash.callback hands its callbacks to the first app only; tests build many
# apps, so every module registers on the app it is given instead.
MODULES = (shell, indicators, savings, reporting, overview, cameras, displays, briefings, alerts,
           tasks_page, tasks_wall, submit)


def register(app: dash.Dash) -> None:
    for module in MODULES:
        module.register(app)

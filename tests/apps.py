"""Build apps for tests the way the entry points do: database prepared, background work only if asked."""
from __future__ import annotations

from typing import Any

from settings import Settings


def build_app(settings: Settings, *, background: bool = False) -> Any:
    """An app on `settings`' database, seeded as `python app.py` would seed it.

    background=True also starts what `python app.py` starts (feed simulator, relay, simulated
    cameras) as the settings enable them; tests that only render pages leave it off.
    """
    from app import create_app, prepare_database, start_background

    prepare_database(settings)
    app = create_app(settings)
    if background:
        start_background(app)
    return app

"""Where the briefing reads what is not in the database: camera states and bridge-point heartbeats."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sources:
    """cameras(): relay status rows (streams.client) or None when the relay did not answer;
    bridge(): displays.status rows or None when the live state could not be read."""

    cameras_enabled: bool = False
    cameras: Callable[[], list[dict[str, Any]] | None] | None = None
    bridge: Callable[[], list[Any] | None] | None = None


def _quiet(read: Callable[[], Any]) -> Callable[[], Any]:
    def call() -> Any:
        try:
            return read()
        except Exception as exc:  # noqa: BLE001 - a status the briefing cannot read says so
            log.warning("briefing: status unavailable: %s", exc.__class__.__name__)
            return None
    return call


def for_app(server: Any) -> Sources:
    """Inside the web app: the relay and heartbeats the screens read (call in its app context)."""
    from displays import status
    from streams import client

    database = server.extensions["ops_db"]
    live = server.extensions.get("ops_live")
    return Sources(
        cameras_enabled=_quiet(client.cameras_enabled)() or False,
        cameras=_quiet(client.relay_status),
        bridge=_quiet(lambda: status.current(database, live)) if live is not None else None)


def for_settings(database: Database, settings: Any) -> Sources:
    """From the CLI: the shared live state the settings name (Redis when configured); the relay
    is asked only through an app, so its cameras are reported as not read."""
    from displays import livestate, status

    live = livestate.for_settings(settings)
    return Sources(cameras_enabled=bool(getattr(settings, "cameras", False)), cameras=None,
                   bridge=_quiet(lambda: status.current(database, live)))

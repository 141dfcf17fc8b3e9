"""Status rows for when the relay cannot be reached: every camera of the camera file, OFFLINE, with why.

The camera wall's layout comes from the camera file, never from the relay's answer, so a relay
that is down shows as 32 cameras OFFLINE ("camera relay unavailable"), not as an empty grid,
and the same cameras turn LIVE when it answers again.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import BUNDLED_CAMERAS, CameraSet, ConfigError, load_cameras

RELAY_DOWN = "camera relay unavailable"


@lru_cache(maxsize=4)  # a few camera files per process at most; keyed by mtime, so edits are seen
def _cameras(path: str, _mtime: float) -> CameraSet:
    return load_cameras(path)


def camera_file(path: str | None) -> CameraSet | None:
    """The camera file's cameras (cached until the file changes); None if it cannot be read."""
    file = Path(path) if path else BUNDLED_CAMERAS
    try:
        return _cameras(str(file), file.stat().st_mtime)
    except (OSError, ConfigError):
        return None


def offline_rows(path: str | None, reason: str = RELAY_DOWN) -> list[dict[str, Any]] | None:
    """One OFFLINE row per camera of the file, shaped like CameraReader.status(); None without a file."""
    cameras = camera_file(path)
    if cameras is None:
        return None
    return [{"id": c.id, "name": c.name, "dam": c.dam, "river": c.river, "province": c.province,
             "capacity_mw": c.capacity_mw, "lat": c.lat, "lon": c.lon, "state": "OFFLINE", "fps": 0.0,
             "age_s": None, "last_frame_at": None, "reconnects": None, "viewers": 0,
             "last_error": reason, "relay_down": True}
            for c in cameras.cameras]

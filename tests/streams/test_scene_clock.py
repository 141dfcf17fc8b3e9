"""The simulated cameras' burned-in clock shows Viet Nam time, whatever the server's zone."""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from streams.scene import clock_text


def test_clock_is_viet_nam_time_not_utc_or_server_local() -> None:
    moment = datetime(2026, 11, 30, 10, 53, 4, tzinfo=UTC).timestamp()
    assert clock_text(moment) == "2026-11-30 17:53:04"  # the header says 17:53, so does the picture
    old = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "America/New_York"
        time.tzset()
        assert clock_text(moment) == "2026-11-30 17:53:04"
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()

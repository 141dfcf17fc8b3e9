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


def test_simulated_pictures_say_so_in_vietnamese() -> None:
    """The top-right mark is 'MÔ PHỎNG' (with its diacritics), not the English 'SIMULATED'."""
    import numpy as np

    from streams.lettering import draw_text
    from streams.scene import SIM_LABEL, SIM_LABEL_RIGHT, DamScene

    scene = DamScene("hoa-binh", "Hòa Bình")
    w = scene.width
    expected = np.zeros((44, w, 3), np.uint8)
    expected[:] = (20, 20, 20)
    draw_text(expected, SIM_LABEL, w - SIM_LABEL_RIGHT, 30, 20, (0, 200, 255))
    corner = slice(w - SIM_LABEL_RIGHT - 20, w)
    assert SIM_LABEL == "MÔ PHỎNG"
    assert np.array_equal(scene.background[:44, corner], expected[:, corner])

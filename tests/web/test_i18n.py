"""The one catalogue: each key in one area module, both languages written."""
from __future__ import annotations

from collections import Counter

from web import i18n
from web.i18n.catalogue import (
    alerts,
    briefings,
    cameras,
    common,
    dams,
    indicators,
    overview,
    pages,
    preliminary,
    reporting,
    submit,
    tasks,
)

AREAS = (common, overview, indicators, reporting, cameras, pages, briefings, alerts, tasks, dams,
         preliminary, submit)


def test_every_key_lives_in_one_area_and_has_both_languages() -> None:
    seen = Counter(key for area in AREAS for key in area.TEXTS)
    assert [k for k, n in seen.items() if n > 1] == []
    assert set(seen) == set(i18n.TEXTS)
    assert all(vi.strip() and en.strip() for vi, en in i18n.TEXTS.values())


def test_vietnamese_first_english_on_the_switch() -> None:
    assert i18n.t("nav.alerts", "vi") == "Cảnh báo" and i18n.t("nav.alerts", "en") == "Alerts"
    assert i18n.t("no.such.key", "en") == "no.such.key"  # a gap shows, never an error

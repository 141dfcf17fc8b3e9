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
    displays,
    indicators,
    overview,
    pages,
    preliminary,
    reporting,
    submit,
    tasks,
)

AREAS = (common, overview, indicators, reporting, cameras, pages, briefings, alerts, tasks, dams,
         preliminary, submit, displays)


def test_every_key_lives_in_one_area_and_has_both_languages() -> None:
    seen = Counter(key for area in AREAS for key in area.TEXTS)
    assert [k for k, n in seen.items() if n > 1] == []
    assert set(seen) == set(i18n.TEXTS)
    assert all(vi.strip() and en.strip() for vi, en in i18n.TEXTS.values())


def test_vietnamese_first_english_on_the_switch() -> None:
    assert i18n.t("nav.alerts", "vi") == "Cảnh báo" and i18n.t("nav.alerts", "en") == "Alerts"
    assert i18n.t("no.such.key", "en") == "no.such.key"  # a gap shows, never an error


def test_every_key_a_screen_asks_for_is_written() -> None:
    """Each t('<key>') in layouts/, callbacks/ and ui/ names a catalogue entry (a missing one
    would show its key on the screen), and each t(f'<prefix>{...}') a family that exists."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing = []
    for folder in ("layouts", "callbacks", "ui"):
        for path in sorted((root / folder).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id == "t" and node.args):
                    continue
                key = node.args[0]
                if isinstance(key, ast.Constant) and key.value not in i18n.TEXTS:
                    missing.append(f"{folder}/{path.name}:{node.lineno} {key.value}")
                elif isinstance(key, ast.JoinedStr) and isinstance(key.values[0], ast.Constant):
                    prefix = key.values[0].value
                    if not any(k.startswith(prefix) for k in i18n.TEXTS):
                        missing.append(f"{folder}/{path.name}:{node.lineno} {prefix}…")
    assert missing == []


def test_the_displays_screens_read_from_the_catalogue() -> None:
    from layouts import displays as layout

    assert not hasattr(layout, "TEXTS") and not hasattr(layout, "tx")  # no table of its own
    assert all(key.startswith("ds.") for key in displays.TEXTS)
    admin = str(layout.admin_layout().to_plotly_json())
    assert "Quản lý màn hình" in admin and "Tạo màn hình" in admin and "ds." not in admin
    rows = [{"place": "wall", "place_name": "Màn hình lớn của Trung tâm", "name": "wall",
             "mode": "playlist", "state": "never"},
            {"place": "BP05", "place_name": "Điểm cầu Bộ Tư pháp", "name": "Hue", "mode": "follow",
             "state": "lost", "lost_since": "2026-12-06T01:00:00Z"}]
    vi = str(layout.status_table(rows, "vi").to_plotly_json())
    assert "Điểm cầu" in vi and "Theo người trình chiếu" in vi and "Mất kết nối từ 08:00:00" in vi
    assert "wall · " not in vi and "Màn hình lớn của Trung tâm" in vi  # the wall by its name
    en = str(layout.status_table(rows, "en").to_plotly_json())
    assert "Follow presenter" in en and "Lost since 08:00:00" in en

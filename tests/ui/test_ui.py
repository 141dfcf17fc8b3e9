"""The palette agrees with the theme's CSS, one qualifier serves every page, and ui/ sits below the pages."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ui import palette
from ui.wording import indicator_name, qualifier

ROOT = Path(__file__).resolve().parents[2]


def test_palette_is_the_themes_css() -> None:
    css = (ROOT / "assets" / "00-theme.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", css))
    ours = {"bg": palette.BG, "line": palette.LINE, "text": palette.TEXT, "muted": palette.MUTED,
            "accent": palette.ACCENT, **palette.STATUS_COLOURS}
    assert {name: variables.get(name) for name in ours} == ours


def test_camera_states_use_the_status_colours() -> None:
    assert palette.CAMERA_STATE_COLOURS["LIVE"] == palette.status_colour("good")
    assert palette.CAMERA_STATE_COLOURS["OFFLINE"] == palette.status_colour("bad")
    assert palette.status_colour(None) == palette.status_colour("nonsense") == palette.STATUS_COLOURS["neutral"]


@pytest.mark.parametrize(("note", "vi", "en"), [
    ("more than", "hơn", "more than"), ("approx. figure quoted at the launch", "khoảng", "about"),
    ("nearly", "gần", "nearly"), ("Nearly", "gần", "nearly"), ("", "", ""), (None, "", ""),
    ("procedures at 4 levels; nearly", "", ""),  # only a note that starts with the word qualifies
])
def test_one_qualifier_one_wording(note: str | None, vi: str, en: str) -> None:
    fact = {"note": note}
    assert (qualifier(fact, "vi"), qualifier(fact, "en")) == (vi, en)
    assert qualifier(None, "vi") == ""


def test_every_page_uses_the_one_qualifier() -> None:
    from callbacks import overview, savings

    assert overview.qualifier is savings.qualifier is qualifier


def test_indicator_name_short_then_catalogue() -> None:
    item = {"code": "IIP", "name_vi": "Chỉ số sản xuất công nghiệp", "name_en": "Index of industrial production"}
    assert indicator_name(item, "vi") == "Sản xuất công nghiệp (IIP)"
    assert indicator_name(item, "en", short=False) == "Index of industrial production"
    assert indicator_name({"code": "X_UNKNOWN"}, "vi") == "X_UNKNOWN"


@pytest.mark.parametrize(("module", "forbidden"), [
    ("ui.palette", ("layouts", "callbacks", "pagestate")),
    ("ui.wording", ("layouts", "callbacks", "pagestate")),
    ("ui.figures", ("layouts", "callbacks", "pagestate")),
    ("pagestate.indicators", ("layouts", "callbacks")),
])
def test_nothing_below_the_pages_imports_them(module: str, forbidden: tuple[str, ...]) -> None:
    """Imported in a fresh interpreter: every module it pulls in, however indirectly."""
    code = (f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(forbidden)!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True)
    assert out.stdout.strip() == "[]"

"""Vietnamese-first texts of the screens (the one catalogue, web/i18n/catalogue/); formatting lives in
core.fmt."""
from __future__ import annotations

from core.fmt import (  # noqa: F401  (re-exported: the screens import them from here)
    DEFAULT_LANG,
    LANGS,
    day,
    norm,
    number,
    percent,
    period_label,
    signed,
    when,
)
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

# One entry per text on the screens: key -> (Vietnamese, English); each area in its own module.
TEXTS: dict[str, tuple[str, str]] = {}
for _area in (common, overview, indicators, reporting, cameras, pages, briefings, alerts, tasks, dams, preliminary,
              submit, displays):
    TEXTS.update(_area.TEXTS)


def t(key: str, lang: str | None) -> str:
    """The text for a key in a language (the key itself when missing, so gaps show)."""
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[0] if norm(lang) == "vi" else pair[1]

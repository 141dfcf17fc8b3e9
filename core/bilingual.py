"""Texts domain code stores or returns in both languages at once: 'Vietnamese / English'.

Reasons for refusing a submission are stored in the database and sent to agencies' programs,
which have no language switch: both halves travel together, Vietnamese first.
"""
from __future__ import annotations

from typing import Any


class Bilingual(str):
    """A text in both languages. It is the str 'vi / en' (stored, compared, serialised and
    matched as one string) and keeps each half (.vi, .en) for a screen that shows one."""

    vi: str
    en: str

    def __new__(cls, vi: str, en: str) -> Bilingual:
        text = super().__new__(cls, vi if vi == en else f"{vi} / {en}")
        text.vi, text.en = vi, en
        return text

    def __getnewargs__(self) -> tuple[Any, ...]:  # type: ignore[override]
        return (self.vi, self.en)  # pickles (the cache) rebuild it from its halves

    def prefixed(self, prefix: str) -> Bilingual:
        """The same text after a prefix common to both languages ('CSV: ...')."""
        return Bilingual(prefix + self.vi, prefix + self.en)

    def in_(self, lang: str | None) -> str:
        """One half: 'en' for English, Vietnamese otherwise."""
        return self.en if lang == "en" else self.vi


def of_error(exc: BaseException) -> Bilingual:
    """The bilingual message an exception was raised with (its text in both halves if it was
    raised with a plain string)."""
    first = exc.args[0] if exc.args else ""
    if isinstance(first, Bilingual):
        return first
    return Bilingual(str(first), str(first))

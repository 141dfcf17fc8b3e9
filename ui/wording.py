"""Words pages put around figures, the same on every page: indicator names and qualifiers."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from web.i18n import t

# A source's note -> the word before its figure ("more than 8,100"), in the source's own terms.
QUALIFIERS = (("more than", "q.more"), ("approx", "q.about"), ("nearly", "q.nearly"))


# The published sources are recorded in English (data/reference/kpi_facts.csv); on Vietnamese
# screens their English words read in Vietnamese. Longest phrases first; names of outlets and
# documents stay as written.
SOURCE_VI = (
    ("Chinhphu.vn interview with the VPCP Minister", "Chinhphu.vn phỏng vấn Bộ trưởng, Chủ nhiệm VPCP"),
    ("VietnamPlus / press coverage of the Centre launch", "VietnamPlus / báo chí đưa tin ra mắt Trung tâm"),
    ("press coverage of the Centre launch", "báo chí đưa tin ra mắt Trung tâm"),
    ("VGP news and Baochinhphu.vn", "Tin VGP và Baochinhphu.vn"),
    ("VGP news", "Tin VGP"),
    ("Chinhphu.vn interview", "Chinhphu.vn phỏng vấn"),
    ("provincial portal, mid-2019 report", "cổng thông tin tỉnh, báo cáo giữa năm 2019"),
    ("press, June 2020", "báo chí, 06/2020"),
    ("Decision ", "Quyết định "),
    ("(reported ", "(đưa tin "),
    ("(Dec 2020)", "(12/2020)"),
)


def source_text(source: str | None, lang: str | None) -> str:
    """A fact's source line in the screen's language ('Chinhphu.vn phỏng vấn (12/2020)')."""
    text = source or ""
    if lang == "en":
        return text
    for english, vietnamese in SOURCE_VI:
        text = text.replace(english, vietnamese)
    return text


def indicator_name(item: dict[str, Any], lang: str | None, short: bool = True) -> str:
    """Short wall name of an indicator (TEXTS 'short:<code>') or its catalogue name."""
    code = item.get("code", "")
    if short:
        text = t(f"short:{code}", lang)
        if text != f"short:{code}":
            return text
    return item.get("name_en" if lang == "en" else "name_vi") or code


def qualifier(fact: dict[str, Any] | None, lang: str | None) -> str:
    """'hơn' / 'khoảng' / 'gần' when the fact's note says 'more than' / 'approx.' / 'nearly'; else ''."""
    note = ((fact or {}).get("note") or "").lower()
    for prefix, key in QUALIFIERS:
        if note.startswith(prefix):
            return t(key, lang)
    return ""


def published_month(facts: Iterable[dict[str, Any] | None]) -> str:
    """'03/2021': the month of the newest dated fact among those shown together ('' if none).
    Old official figures say when they were published, so nobody reads them as today's."""
    dates = [f["as_of"] for f in facts if f and f.get("as_of")]
    if not dates:
        return ""
    newest = max(dates)
    return f"{newest[5:7]}/{newest[:4]}"


def published(facts: Iterable[dict[str, Any] | None], lang: str | None, key: str = "pub.published",
              start: bool = False) -> str:
    """'số liệu công bố 03/2021' / 'figures published 03/2021' ('' without dated facts); `key`
    another text with {month}; `start` capitalised, to open a sentence."""
    month = published_month(facts)
    text = t(key, lang).format(month=month) if month else ""
    return text[:1].upper() + text[1:] if start else text

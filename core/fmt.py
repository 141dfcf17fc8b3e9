"""Vietnamese-first number and date formatting (Babel): 1.234,5 and dd/mm/yyyy, or English.

The one formatter of the screens, the briefing PDF and the CLI; below every domain and page.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LANGS = ("vi", "en")
_VI_MARKS = str.maketrans({",": ".", ".": ","})  # 1,234.5 -> 1.234,5
DEFAULT_LANG = "vi"


def norm(lang: str | None) -> str:
    """A supported language code, Vietnamese when unknown."""
    return lang if lang in LANGS else DEFAULT_LANG


def number(value: float | None, lang: str | None, decimals: int = 0) -> str:
    """9.900 / 30,5 in Vietnamese; 9,900 / 30.5 in English."""
    if value is None:
        return "—"
    if type(value) is int and decimals <= 0:  # Babel's text, at a tenth of its cost (tables)
        text = f"{value:,}"
        return text.replace(",", ".") if norm(lang) == "vi" else text
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=fmt, locale=norm(lang))


def percent(value: float | None, lang: str | None, decimals: int = 1) -> str:
    """A percentage given in percent points (30.5 -> '30,5 %' in Vietnamese)."""
    if value is None:
        return "—"
    share = value / 100
    if isinstance(share, float) and math.isfinite(share) and abs(value) < 1e15 \
            and 0 <= decimals <= 6:  # Babel's steps, without its pattern machinery (tables)
        exact = Decimal(str(share)).scaleb(2)
        text = f"{abs(exact).quantize(Decimal(1).scaleb(-decimals)):,f}"
        if norm(lang) == "vi":
            text = text.translate(_VI_MARKS)
        return ("-" if exact.is_signed() else "") + text + "%"
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(share, format=fmt, locale=norm(lang))


def signed(value: float | None, lang: str | None, decimals: int = 1) -> str:
    """A change with its sign: +1,2 / −0,4."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + number(abs(value), lang, decimals)


def when(moment: datetime | str | None, lang: str | None) -> str:
    """Date and time as each language writes it (22/11/2026 10:05 in Vietnamese)."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return format_datetime(moment, "dd/MM/yyyy HH:mm" if norm(lang) == "vi" else "d MMM yyyy HH:mm",
                           locale=norm(lang))


def day(moment: date | str | None, lang: str | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = date.fromisoformat(moment[:10])
    if norm(lang) == "vi" and moment.year >= 1000:  # Babel's dd/MM/yyyy, without its parsing
        return f"{moment.day:02d}/{moment.month:02d}/{moment.year}"
    return format_date(moment, "dd/MM/yyyy" if norm(lang) == "vi" else "d MMM yyyy",
                       locale=norm(lang))


def period_label(label: str, lang: str | None) -> str:
    """2026-10 -> 'T10/2026' or 'Oct 2026'; 2026-Q3 -> 'Quý III/2026' or 'Q3 2026'."""
    lang = norm(lang)
    if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
        y, m = label.split("-")
        if lang == "vi":
            return f"T{int(m)}/{y}"
        return format_date(date(int(y), int(m), 1), "MMM yyyy", locale="en")
    if "-Q" in label:
        y, q = label.split("-Q")
        roman = ("I", "II", "III", "IV")[int(q) - 1]
        return f"Quý {roman}/{y}" if lang == "vi" else f"Q{q} {y}"
    if len(label) == 10:
        return day(label, lang)
    return label


def change_text(value: float | None, base: float | None, unit: str | None, lang: str | None,
                decimals: int = 1) -> str:
    """Change from a base: points for rates (units starting with %), per cent for levels."""
    if value is None or base is None:
        return "—"
    if (unit or "").startswith("%"):
        return signed(value - base, lang, decimals)
    if base == 0:
        return "—"
    return signed((value - base) / abs(base) * 100, lang, 1) + " %"

"""core.fmt's quick paths (whole numbers, Vietnamese dates) write exactly what Babel writes."""
from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date
from babel.numbers import format_decimal

from core import fmt


def test_whole_numbers_read_as_babel_writes_them() -> None:
    values = [0, 7, -7, 999, 1000, -1000, 10_448, 250_301, -1_234_567, 10**12 + 5]
    values += [3**k * s for k in range(40) for s in (1, -1)]
    for lang in ("vi", "en", None, "fr"):
        for value in values:
            expected = format_decimal(value, format="#,##0", locale=fmt.norm(lang))
            assert fmt.number(value, lang) == expected, (value, lang)
    assert fmt.number(10_448, "vi") == "10.448" and fmt.number(10_448, "en") == "10,448"
    assert fmt.number(2.0, "vi", 1) == "2,0" and fmt.number(None, "vi") == "—"


def test_dates_read_as_babel_writes_them() -> None:
    start = date(1999, 12, 25)
    for n in range(0, 12_000, 7):
        on = start + timedelta(days=n)
        assert fmt.day(on, "vi") == format_date(on, "dd/MM/yyyy", locale="vi")
        assert fmt.day(on.isoformat(), "en") == format_date(on, "d MMM yyyy", locale="en")
    assert fmt.day("2024-06-30T23:00:00", "vi") == "30/06/2024"


def test_percentages_read_as_babel_writes_them() -> None:
    import random

    from babel.numbers import format_percent

    rng = random.Random(19)
    values = [0.0, -0.0, 0.05, -0.05, 0.15, 0.25, 2.45, 2.55, 12.345, 99.95, 100.0, 1234.56,
              -3.75, 1e-9, 123456.789, 10, 0, -1]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-3, 7) for _ in range(3000)]
    values += [round(rng.uniform(0, 100), 2) for _ in range(2000)]  # many halfway cases
    for lang in ("vi", "en"):
        for decimals in (0, 1, 2):
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
            for value in values:
                expected = format_percent(value / 100, format=pattern, locale=lang)
                assert fmt.percent(value, lang, decimals) == expected, (value, lang, decimals)
    assert fmt.percent(2.76, "vi") == "2,8%" and fmt.percent(1234.5, "en") == "1,234.5%"
    assert fmt.percent(float("nan"), "vi") == format_percent(float("nan"), "#,##0.0%",
                                                             locale="vi")

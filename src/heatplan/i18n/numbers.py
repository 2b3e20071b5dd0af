"""Locale-aware numbers, shares and dates of public outputs (Babel, CLDR data).

Numbers are rounded like Python's own formatting (the float's exact binary value, ties to
even), so that ``format_number(x, 1, "de")`` is ``german(f"{x:,.1f}")`` for every ``x``:
:func:`heatplan.formats.german` and this module write the same German notation
(``tests/test_i18n.py`` checks it over many values).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent

__all__ = [
    "format_date",
    "format_number",
    "format_percent",
    "format_quantity",
    "locale_of",
    "number_pattern",
]

#: The languages public outputs are written in; German is the default (DESIGN.md, Language).
LANGUAGES = ("de", "en")


@lru_cache(maxsize=8)
def locale_of(language: str) -> Locale:
    """The Babel locale of ``language`` (``"de"`` or ``"en"``); another raises ValueError."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
    return Locale.parse(language)


def number_pattern(decimals: int) -> str:
    """The CLDR number pattern with thousands groups and ``decimals`` fraction digits.

    >>> number_pattern(0), number_pattern(2)
    ('#,##0', '#,##0.00')
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _exact(value: float | int | decimal.Decimal) -> decimal.Decimal:
    """The exact decimal value of a float: rounding then matches Python's ``format``."""
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(value)


def format_number(value: float | int | None, decimals: int = 0, language: str = "de") -> str:
    """``value`` with thousands groups and ``decimals`` fraction digits; ``""`` for missing.

    >>> format_number(1234567.891, 1), format_number(-1234.5, 0, "en")
    ('1.234.567,9', '-1,234')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _babel_decimal(
        _exact(value),
        format=number_pattern(decimals),
        locale=locale_of(language),
        decimal_quantization=True,
    )


def format_quantity(
    value: float | int | None, unit: str, decimals: int = 0, language: str = "de"
) -> str:
    """A number with its unit after a no-break space (SI Brochure, 9th ed.: a space between
    number and unit); ``""`` for missing.

    >>> format_quantity(12345.6, "MWh/a"), format_quantity(0.5, "kW", 1, "en")
    ('12.346\xa0MWh/a', '0.5\xa0kW')
    """
    number = format_number(value, decimals, language)
    return f"{number}\u00a0{unit}" if number and unit else number


def format_percent(share: float | None, decimals: int = 0, language: str = "de") -> str:
    """A share (0.123 is 12.3 %) in the locale's percent notation; ``""`` for missing.

    >>> format_percent(0.1234, 1), format_percent(0.1234, 1, "en")
    ('12,3\\xa0%', '12.3%')
    """
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    locale = locale_of(language)
    base = str(locale.percent_formats[None].pattern)
    pattern = base.replace("#,##0", number_pattern(decimals), 1)
    return _babel_percent(_exact(share), format=pattern, locale=locale)


def format_date(day: dt.date | None, language: str = "de") -> str:
    """A date in the locale's medium form (``01.03.2027``, ``Mar 1, 2027``); ``""`` if None.

    >>> format_date(dt.date(2027, 3, 1)), format_date(dt.date(2027, 3, 1), "en")
    ('01.03.2027', 'Mar 1, 2027')
    """
    if day is None:
        return ""
    return _babel_date(day, format="medium", locale=locale_of(language))

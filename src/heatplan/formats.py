"""German number and date formats: reading typed input cells (imports and the measures
workbook), and :func:`german` for numbers written into German text.

German files write ``3,5`` for 3.5, ``45.000`` for forty-five thousand and ``1.234,5`` for
1234.5, and dates as ``01.03.2027`` (dd.mm.yyyy). A text is read in a *convention*: the decimal
separator of the file (``","`` German, ``"."`` English), detected from its values or stated by
the caller. A text that reads two ways and whose convention is unknown is refused, never
guessed. Messages are German first, then English (``"deutsch / english"``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

#: A plain number after the separators are resolved (``-1234.5``, ``1e3``).
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: Digits grouped in threes by one separator: ``1.234``, ``45.000``, ``1.234.567``.
_GROUPED = {sep: re.compile(rf"^[+-]?\d{{1,3}}(\{sep}\d{{3}})+$") for sep in ".,"}
#: ``1.500`` or ``1,500``: a thousands group or a decimal fraction, the text alone cannot tell.
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")
_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

NUMBER_HINT = "z. B. 1234,5 oder 1.234,5 / e.g. 1234.5 or 1,234.5"
DATE_HINT = "TT.MM.JJJJ oder JJJJ-MM-TT / dd.mm.yyyy or yyyy-mm-dd"


class FormatProblem(ValueError):
    """A cell text that is not a number or date in the expected format (German / English)."""


def compact(text: object) -> str:
    """The text without blanks (also no-break and narrow no-break spaces, apostrophes)."""
    return re.sub(r"[\s\u00a0\u202f']", "", str(text))


def revealed_decimal(text: str) -> str | None:
    """The decimal separator one text reveals (``"."`` or ``","``), ``None`` when it reveals none.

    >>> revealed_decimal("1.234,5"), revealed_decimal("3,5"), revealed_decimal("1.234.567")
    (',', ',', ',')
    >>> revealed_decimal("45.000") is None, revealed_decimal("12") is None
    (True, True)
    """
    text = compact(text)
    if "." in text and "," in text:
        return "," if text.rfind(",") > text.rfind(".") else "."
    for sep, other in ((".", ","), (",", ".")):
        if sep in text:
            if text.count(sep) > 1:
                return other  # repeated: a thousands separator
            return None if _AMBIGUOUS.match(text) else sep
    return None


def detect_decimal(texts: Iterable[object]) -> str | None:
    """The decimal separator most texts reveal; ``None`` when none reveals one.

    >>> detect_decimal(["45.000", "3,5"]), detect_decimal(["45.000"]) is None
    (',', True)
    """
    votes: dict[str, int] = {}
    for text in texts:
        if isinstance(text, str):
            sep = revealed_decimal(text)
            if sep is not None:
                votes[sep] = votes.get(sep, 0) + 1
    return max(votes, key=lambda s: votes[s]) if votes else None


def is_ambiguous(text: object) -> bool:
    """True for ``1.500`` / ``1,500`` (one separator before three digits)."""
    return isinstance(text, str) and bool(_AMBIGUOUS.match(compact(text)))


def parse_decimal(text: object, decimal: str | None) -> float:
    """A number from a text in the convention ``decimal`` (``","`` German, ``"."`` English).

    Raises :class:`FormatProblem` for text that is no number, for a separator that contradicts
    the convention (``1,234.5`` in a German file), and for ``45.000`` when ``decimal`` is None.

    >>> parse_decimal("45.000", ","), parse_decimal("3,5", ","), parse_decimal("1.234,5", ",")
    (45000.0, 3.5, 1234.5)
    >>> parse_decimal("3.5", ","), parse_decimal("1,234.5", "."), parse_decimal("-7", None)
    (3.5, 1234.5, -7.0)
    """
    raw = compact(text)
    if decimal is None:
        if is_ambiguous(raw):
            raise FormatProblem(
                f"mehrdeutige Zahl {text!r}: Tausender- oder Dezimaltrennzeichen? / ambiguous "
                f"number {text!r}: thousands or decimal separator? Write 1500 or 1,5 / 1.5, or "
                f'state the file\'s decimal separator (mapping: decimal = ",")'
            )
        decimal = revealed_decimal(raw) or "."
    thousands = "." if decimal == "," else ","
    if thousands in raw and not _grouped(raw, thousands, decimal):
        if decimal == "," and raw.count(".") == 1 and "," not in raw and not is_ambiguous(raw):
            thousands, decimal = ",", "."  # '3.5' cannot be a German thousands group
        else:
            raise FormatProblem(
                f"keine Zahl im Format der Datei {text!r} (Dezimaltrennzeichen {decimal!r}) / "
                f"not a number in the file's format (decimal separator {decimal!r})"
            )
    plain = raw.replace(thousands, "").replace(decimal, ".")
    if raw.count(decimal) > 1 or not _PLAIN.match(plain):
        raise FormatProblem(f"keine Zahl {text!r} / not a number ({NUMBER_HINT})")
    return float(plain)


def _grouped(text: str, thousands: str, decimal: str) -> bool:
    whole, _, fraction = text.partition(decimal)
    return bool(_GROUPED[thousands].match(whole)) and thousands not in fraction


def parse_date(text: object) -> dt.date:
    """A date from ``dd.mm.yyyy`` (German) or ``yyyy-mm-dd`` (ISO 8601).

    >>> parse_date("01.03.2027"), parse_date("2027-03-01")
    (datetime.date(2027, 3, 1), datetime.date(2027, 3, 1))
    """
    raw = str(text).strip()
    match = _DATE_DE.match(raw)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and (iso := _DATE_ISO.match(raw)):
        parts = (iso.group(1), iso.group(2), iso.group(3))
    if parts is None:
        raise FormatProblem(f"kein Datum {text!r} / not a date ({DATE_HINT})")
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise FormatProblem(
            f"ungültiges Datum {text!r} (Tag oder Monat) / invalid date (day or month)"
        ) from None


#: English to German number punctuation: thousands '.' and decimal ','.
GERMAN_PUNCTUATION = str.maketrans(",.", ".,")


def german(text: str) -> str:
    """Numbers of ``text`` (written with Python's ``,`` and ``.``) in German notation.

    The one German notation: :func:`heatplan.i18n.format_number` (Babel, CLDR ``de``) writes
    the same for a number (``tests/test_i18n.py`` checks both over many values).

    >>> german(f"{12345.6:,.1f} kWh")
    '12.345,6 kWh'
    """
    return text.translate(GERMAN_PUNCTUATION)

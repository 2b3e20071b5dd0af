"""German number formatting and the table model the templates render.

A :class:`Table` is plain text cells (already formatted) plus which columns are numeric (right
aligned); the templates never format numbers themselves, so a figure in the report is exactly
the text :func:`number` gives for the stored value (the tests rely on that).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from heatplan.formats import german
from heatplan.reference import table as reference_table

__all__ = ["DASH", "LABELS_FILE", "Table", "label_de", "labels_de", "number", "percent", "table"]

#: Code -> German label of the report's vocabulary (one table; the shared vocabulary can
#: replace it by changing :func:`labels_de` only).
LABELS_FILE = "labels.csv"  # the one vocabulary (heatplan.i18n)

#: Shown for a missing or suppressed value.
DASH = "–"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, digits: int = 0) -> str:
    """``value`` in German notation (``1.234,5``); missing values and NaN as a dash.

    Examples
    --------
    >>> number(31756.98, 0), number(0.1234, 2), number(None)
    ('31.757', '0,12', '–')
    """
    if _missing(value):
        return DASH
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return german(f"{value:,.{digits}f}")


@cache
def labels_de(domain: str) -> dict[str, str]:
    """Every code of ``domain`` (e.g. ``potential_kind``) with its German label."""
    rows = reference_table(LABELS_FILE, as_text=True)
    rows = rows[rows["domain"] == domain]
    return dict(zip(rows["code"], rows["label_de"], strict=True))


def label_de(domain: str, code: Any) -> str:
    """The German label of ``code`` in ``domain``; an unknown code as it is, missing as a dash.

    Examples
    --------
    >>> label_de("potential_kind", "roof_pv"), label_de("word", None)
    ('Photovoltaik auf Dächern', '–')
    """
    if _missing(code):
        return DASH
    return labels_de(domain).get(str(code), str(code))


def percent(share: Any, digits: int = 0) -> str:
    """A share [-] as German percent text (``12,5 %``)."""
    if _missing(share):
        return DASH
    return f"{number(float(share) * 100.0, digits)} %"


def cell(value: Any, digits: int | None) -> str:
    """One table cell: numbers with ``digits`` decimals, text as it is, missing as a dash."""
    if _missing(value):
        return DASH
    if digits is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, digits)
    if isinstance(value, float):
        return number(value, 1)
    return str(value)


@dataclass
class Table:
    """Formatted cells of one report table."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    caption: str = ""
    note: str = ""
    #: one CSS class per row (e.g. the grade of a monitoring row), or none
    row_classes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[str]:
        """The cells of column ``name``."""
        at = self.columns.index(name)
        return [row[at] for row in self.rows]


def table(
    frame: pd.DataFrame,
    digits: Mapping[str, int | None] | int | None = 0,
    *,
    caption: str = "",
    note: str = "",
) -> Table:
    """Format ``frame`` (columns in order) as a :class:`Table`.

    ``digits``: decimals for every numeric column, or per column name (missing names: 0; None:
    shown as text).
    """
    columns = [str(c) for c in frame.columns]
    per_column = {c: (digits.get(c, 0) if isinstance(digits, Mapping) else digits) for c in columns}
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    rows = [
        [cell(value, per_column[c]) for c, value in zip(columns, record, strict=True)]
        for record in frame.itertuples(index=False, name=None)
    ]
    return Table(columns, rows, numeric, caption=caption, note=note)

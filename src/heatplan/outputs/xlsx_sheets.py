"""Small openpyxl helpers shared by the XLSX export sheets: tables with Excel number formats,
a frozen header and a filter, and the German (or English) texts of the sheets.

Excel number formats are locale-neutral codes (``#,##0.0`` is ``1.234,5`` in a German Excel
and ``1,234.5`` in an English one), so one workbook serves both; the number of decimals
follows the unit (:func:`number_format`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from heatplan.i18n import gettext_for

__all__ = [
    "DATE_FORMAT",
    "Translator",
    "cell_value",
    "number_format",
    "sheet_name",
    "titled",
    "translator",
    "write_table",
]

#: Excel limits a sheet name to 31 characters without ``[]:*?/\``.
_MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_COLUMN_WIDTH = 60
_MIN_COLUMN_WIDTH = 8
#: Excel shows this date code in the reader's own notation (01.03.2027 in a German Excel).
DATE_FORMAT = "DD.MM.YYYY"
PERCENT = "0.0%"
#: Display decimals per unit (heatplan choice: energy to the MWh, densities to one decimal).
_DECIMALS = {
    "MWh/a": 0,
    "kWh/a": 0,
    "t CO2e/a": 0,
    "t CO2e": 0,
    "EUR": 0,
    "EUR/MWh": 0,
    "kWh/(m·a)": 0,
    "MWh/(ha·a)": 1,
    "ha": 1,
    "m": 0,
    "m²": 0,
    "km": 1,
    "kW": 0,
    "Anzahl": 0,
    "number": 0,
    "Gebäude": 0,
    "buildings": 0,
    "": 0,
}
Translator = Callable[[str], str]


def translator(language: str) -> Translator:
    """``tr(text)``: a German text of the workbook in ``language`` (gettext catalogue)."""
    return partial(gettext_for, language)


def number_format(unit: str) -> str:
    """The Excel number format of a value in ``unit`` (``%``: a share 0..1 shown as percent).

    >>> number_format("MWh/a"), number_format("MWh/(ha·a)"), number_format("%")
    ('#,##0', '#,##0.0', '0.0%')
    """
    if unit == "%":
        return PERCENT
    decimals = _DECIMALS.get(unit, 1)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def cell_value(value: Any) -> Any:
    """A value openpyxl writes as is: None for missing, Python scalars and dates, else text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return cell_value(value.item())
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, str | int | float | bool | dt.date) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _width(name: str, values: pd.Series) -> int:
    longest = max([len(str(name)), *(len(str(v)) for v in values.head(200) if v is not None)])
    return min(max(longest + 2, _MIN_COLUMN_WIDTH), _MAX_COLUMN_WIDTH)


def write_table(
    sheet: Worksheet,
    frame: pd.DataFrame,
    *,
    row: int = 1,
    formats: Mapping[str, str] | None = None,
    row_formats: Sequence[str] | None = None,
    main: bool = False,
) -> int:
    """Write ``frame`` with a bold header from ``row``; returns the next free row (one gap).

    Numbers take the format of their column (``formats``), else of their row
    (``row_formats``, e.g. from a unit column), else ``#,##0.0``; dates ``DD.MM.YYYY``.
    ``main``: the sheet's main table, with the header row frozen and an autofilter.
    """
    formats = formats or {}
    for col, name in enumerate(frame.columns, start=1):
        header = sheet.cell(row=row, column=col, value=str(name))
        header.font = Font(bold=True)
        letter = get_column_letter(col)
        current = sheet.column_dimensions[letter].width or 0
        width = max(current, _width(str(name), frame[name].map(cell_value)))
        sheet.column_dimensions[letter].width = min(width, _MAX_COLUMN_WIDTH)
    for offset, values in enumerate(frame.itertuples(index=False), start=1):
        fallback = row_formats[offset - 1] if row_formats is not None else "#,##0.0"
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row + offset, column=col, value=cell_value(value))
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            elif _is_number(cell.value):
                cell.number_format = formats.get(str(frame.columns[col - 1]), fallback)
    if main and len(frame.columns):
        last = get_column_letter(len(frame.columns))
        sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
        sheet.auto_filter.ref = f"A{row}:{last}{row + max(len(frame), 1)}"
    return row + len(frame) + 2


def titled(book: Workbook, name: str, title: str) -> Worksheet:
    """A new sheet ``name`` with ``title`` in bold in A1."""
    sheet = book.create_sheet(name)
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    return sheet


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unused sheet name from ``text`` (Excel rules; ``~2``... on clashes)."""
    base = _BAD_SHEET_CHARS.sub("_", text).strip()[:_MAX_SHEET_NAME] or "Blatt"
    name, number = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"~{number}"
        name = base[: _MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    return name

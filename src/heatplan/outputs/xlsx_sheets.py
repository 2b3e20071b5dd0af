"""Small openpyxl helpers shared by the XLSX export sheets."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["cell_value", "sheet_name", "titled", "write_table"]

#: Excel limits a sheet name to 31 characters without ``[]:*?/\``.
_MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_COLUMN_WIDTH = 80


def cell_value(value: Any) -> Any:
    """A value openpyxl writes as is: None for missing, Python scalars, else text."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return cell_value(value.item())
    return value if isinstance(value, str | int | float | bool) else str(value)


def write_table(sheet: Worksheet, frame: pd.DataFrame, *, row: int = 1) -> int:
    """Write ``frame`` with a bold header from ``row``; returns the next free row (one gap)."""
    for col, name in enumerate(frame.columns, start=1):
        header = sheet.cell(row=row, column=col, value=str(name))
        header.font = Font(bold=True)
        width = max([len(str(name)), *(len(str(v)) for v in frame[name].head(200))])
        letter = header.column_letter
        current = sheet.column_dimensions[letter].width or 0
        sheet.column_dimensions[letter].width = min(max(current, width + 2), _MAX_COLUMN_WIDTH)
    for offset, values in enumerate(frame.itertuples(index=False), start=1):
        for col, value in enumerate(values, start=1):
            sheet.cell(row=row + offset, column=col, value=cell_value(value))
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

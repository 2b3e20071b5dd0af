"""The supply areas in the XLSX export: one overview sheet and one profile sheet per area.

The overview (``Gebiete``) lists every area with its type and likelihood per snapshot year,
the three suitability grades of the target year and the explanation. Each profile sheet
(``Steckbrief <area_id>``) shows the area's indicators, its types per year and the
explanation in German and English. Areas under the WPG § 10 minimum have their figures and
reason texts suppressed (:func:`heatplan.publish.public_areas`). The tables come from
:mod:`heatplan.outputs.tables`, which the report shares; this module lays them out in sheets.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from heatplan.outputs.tables import (
    area_grades,
    area_indicators,
    area_types,
    area_years,
    areas_table,
)
from heatplan.outputs.xlsx_sheets import sheet_name, titled, write_table
from heatplan.plan import columns as col
from heatplan.publish import public_areas

__all__ = ["add_area_sheets"]


def _heading(sheet: Worksheet, row: int, text: str) -> int:
    sheet.cell(row=row, column=1, value=text).font = Font(bold=True)
    return row + 1


def _text(sheet: Worksheet, row: int, heading: str, text: Any) -> int:
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return row
    row = _heading(sheet, row, heading)
    cell = sheet.cell(row=row, column=1, value=str(text))
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    sheet.row_dimensions[row].height = 15 * (1 + len(str(text)) // 90)
    return row + 2


def _profile(sheet: Worksheet, row: pd.Series, years: list[int]) -> None:
    target = years[-1]
    at = write_table(sheet, area_indicators(row), row=3)
    at = write_table(
        sheet, area_types(row, years), row=_heading(sheet, at, "Versorgungsart je Jahr")
    )
    at = _heading(sheet, at, f"Eignung im Zieljahr {target}")
    at = write_table(sheet, area_grades(row, target), row=at)
    at = _text(sheet, at, "Erläuterung", row.get("explanation"))
    _text(sheet, at, "Explanation (English)", row.get("explanation_en"))


def add_area_sheets(book: Workbook, areas: pd.DataFrame) -> list[str]:
    """Add ``Gebiete`` and one ``Steckbrief <area_id>`` per area; returns the new sheet names."""
    if col.AREA_ID not in areas.columns:
        raise ValueError(f"areas: column 'area_id' missing, got {list(areas.columns)}")
    public = pd.DataFrame(public_areas(areas)).drop(columns="geometry", errors="ignore")
    years = area_years(public)
    overview = titled(book, "Gebiete", "Voraussichtliche Wärmeversorgungsgebiete (Anlage 2 IV WPG)")
    write_table(overview, areas_table(public), row=3)
    names = ["Gebiete"]
    for _, row in public.iterrows():
        name = sheet_name(f"Steckbrief {row[col.AREA_ID]}", set(book.sheetnames))
        label = str(row.get("name") or "").strip()
        title = f"Steckbrief Gebiet {row[col.AREA_ID]}" + (
            f" – {label}" if label and label != str(row[col.AREA_ID]) else ""
        )
        _profile(titled(book, name, title), row, years)
        names.append(name)
    return names

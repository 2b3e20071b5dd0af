"""The supply areas in the XLSX export: one overview sheet and one profile sheet per area.

The overview (``Gebiete``) lists every area with its type and likelihood per snapshot year,
the three suitability grades of the target year and the explanation. Each profile sheet
(``Steckbrief <area_id>``) shows the area's indicators with their units, its types per year and
the explanation. Codes are shown by their labels (``data/labels.csv``), in German or English.
Areas under the WPG § 10 minimum have their figures and reason texts suppressed
(:func:`heatplan.publish.public_areas`). The indicator order is the one the report shows
(:data:`heatplan.outputs.tables.AREA_INDICATORS`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from heatplan.i18n import column_header, label, unit_of
from heatplan.outputs.tables import AREA_INDICATORS, SUITABILITY_DE, area_years, no_data
from heatplan.outputs.xlsx_sheets import (
    Translator,
    number_format,
    sheet_name,
    titled,
    translator,
    write_table,
)
from heatplan.plan import columns as col
from heatplan.publish import flags, public_areas

__all__ = ["OVERVIEW_COLUMNS", "add_area_sheets", "coded_value"]

OVERVIEW_COLUMNS = (
    col.AREA_ID,
    "name",
    "buildings",
    col.HEAT_DEMAND_MWH_PER_A,
    col.LINE_DENSITY_KWH_PER_M_A,
)
#: Area columns holding codes -> the vocabulary domain of their values.
CODED_COLUMNS = {
    "predominant_age_class": "age_class",
    "nearest_potential_kind": "potential_kind",
    "best_decentral": "decentral_option",
    "eignung_shortened": "boolean",
    "saving_potential_increased": "boolean",
}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def coded_value(domain: str, value: Any, language: str) -> Any:
    """The label of a coded cell; age classes other than ``unknown`` are shown as they are.

    >>> coded_value("boolean", "False", "de"), coded_value("age_class", "1958-1968", "de")
    ('Nein', '1958-1968')
    """
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    if domain == "boolean":
        return label("boolean", bool(flags(pd.Series([value])).iloc[0]), language)
    if domain == "age_class" and str(value) != "unknown":
        return value
    return label(domain, value, language)


def _grade(value: Any, language: str) -> Any:
    return None if _missing(value) else label("grade", value, language)


def _overview(areas: pd.DataFrame, years: list[int], language: str, tr: Translator) -> Any:
    target = years[-1]
    table = pd.DataFrame(
        {column_header(c, language): areas[c] for c in OVERVIEW_COLUMNS if c in areas.columns}
    )
    for year in years:
        table[tr("Versorgungsart") + f" {year}"] = [
            label("area_type", v, language) if not _missing(v) else None
            for v in areas[f"area_type_{year}"]
        ]
        if f"likelihood_{year}" in areas.columns:
            table[tr("Wahrscheinlichkeit") + f" {year}"] = [
                _grade(v, language) for v in areas[f"likelihood_{year}"]
            ]
    for column, kind in SUITABILITY_DE.items():
        if f"{column}_{target}" in areas.columns:
            table[tr("Eignung") + f" {tr(kind)} {target}"] = [
                _grade(v, language) for v in areas[f"{column}_{target}"]
            ]
    explanation = "explanation" if language == "de" else "explanation_en"
    if explanation in areas.columns:
        table[label("column", "explanation", language)] = areas[explanation]
    formats = {
        column_header(c, language): number_format(unit_of("column", c)) for c in OVERVIEW_COLUMNS
    }
    return table.reset_index(drop=True), formats


def _indicators(row: pd.Series, language: str, tr: Translator) -> tuple[pd.DataFrame, list]:
    rows, formats = [], []
    for column in AREA_INDICATORS:
        if column not in row.index:
            continue
        unit = unit_of("column", column)
        twin = f"{column}_{language}"  # a text written in each language (eignung_reason_en)
        value = row[twin] if language != "de" and twin in row.index else row[column]
        if column in CODED_COLUMNS:
            value = coded_value(CODED_COLUMNS[column], value, language)
        name = label("column", column, language)
        if no_data(column, value):  # no network layer: unknown, an empty cell, not 0 m
            note = tr("keine Daten im Projekt")
            name += f" ({note})"
        rows.append([name, value, unit])
        formats.append(number_format(unit))
    frame = pd.DataFrame(rows, columns=[tr("Kennzahl"), tr("Wert"), tr("Einheit")])
    return frame, formats


def _heading(sheet: Worksheet, row: int, text: str) -> int:
    sheet.cell(row=row, column=1, value=text).font = Font(bold=True)
    return row + 1


def _text(sheet: Worksheet, row: int, heading: str, text: Any) -> int:
    if _missing(text) or not str(text).strip():
        return row
    row = _heading(sheet, row, heading)
    cell = sheet.cell(row=row, column=1, value=str(text))
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    sheet.row_dimensions[row].height = 15 * (1 + len(str(text)) // 90)
    return row + 2


def _profile(sheet: Worksheet, row: pd.Series, years: list[int], language: str) -> None:
    tr = translator(language)
    target = years[-1]
    frame, formats = _indicators(row, language, tr)
    at = write_table(sheet, frame, row=3, row_formats=formats, main=True)
    types = pd.DataFrame(
        {
            tr("Jahr"): years,
            tr("Versorgungsart"): [
                label("area_type", row[f"area_type_{y}"], language) for y in years
            ],
            tr("Wahrscheinlichkeit"): [_grade(row.get(f"likelihood_{y}"), language) for y in years],
        }
    )
    at = write_table(sheet, types, row=_heading(sheet, at, tr("Versorgungsart je Jahr")),
                     formats={tr("Jahr"): "0"})  # fmt: skip
    at = _heading(sheet, at, tr("Eignung im Zieljahr {year}").format(year=target))
    grades = pd.DataFrame(
        [
            [tr(kind), _grade(row[f"{column}_{target}"], language)]
            for column, kind in SUITABILITY_DE.items()
            if f"{column}_{target}" in row.index
        ],
        columns=[tr("Versorgungsart"), tr("Eignungsstufe")],
    )
    at = write_table(sheet, grades, row=at)
    explanation = "explanation" if language == "de" else "explanation_en"
    _text(sheet, at, label("column", "explanation", language), row.get(explanation))


def add_area_sheets(book: Workbook, areas: pd.DataFrame, language: str = "de") -> list[str]:
    """Add ``Gebiete`` and one ``Steckbrief <area_id>`` per area; returns the new sheet names."""
    if col.AREA_ID not in areas.columns:
        raise ValueError(f"areas: column 'area_id' missing, got {list(areas.columns)}")
    tr = translator(language)
    public = pd.DataFrame(public_areas(areas)).drop(columns="geometry", errors="ignore")
    years = area_years(public)
    overview = titled(
        book, tr("Gebiete"), tr("Voraussichtliche Wärmeversorgungsgebiete (Anlage 2 IV WPG)")
    )
    table, formats = _overview(public, years, language, tr)
    write_table(overview, table, row=3, formats=formats, main=True)
    names = [overview.title]
    for _, row in public.iterrows():
        area = row[col.AREA_ID]
        name = sheet_name(tr("Steckbrief") + f" {area}", set(book.sheetnames))
        text = str(row.get("name") or "").strip()
        title = tr("Steckbrief Gebiet {area}").format(area=area) + (
            f" – {text}" if text and str(area) not in text else ""  # not "A01 – Gebiet A01"
        )
        _profile(titled(book, name, title), row, years, language)
        names.append(name)
    return names

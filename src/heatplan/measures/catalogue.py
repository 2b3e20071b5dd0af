"""The catalogue as an XLSX workbook, the way municipalities keep their measures today.

Sheets ``Maßnahmen``, ``Schritte`` and ``Fortschritt``: row 1 holds German headers (with units),
row 2 the English field keys (grey), data start in row 3. A workbook without the key row is read
by its German headers (or keys) in row 1, data from row 2. A ``Codes`` sheet lists the measure
types and statuses (read back by label or code). What this module writes, it reads back to the
same catalogue (tests check the round trip).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from heatplan.errors import InputFileError
from heatplan.measures.model import InvalidMeasure
from heatplan.measures.records import Catalogue
from heatplan.measures.schema import FIELDS, MEASURES, PROGRESS, STATUSES, STEPS, measure_types

SHEETS = {MEASURES: "Maßnahmen", STEPS: "Schritte", PROGRESS: "Fortschritt"}
CODES_SHEET = "Codes"
KEY_FONT = Font(italic=True, color="808080")


@dataclass
class SheetRows:
    """Data rows of a workbook: ``(excel row number, {field: value})`` per table."""

    rows: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)


# --- writing -----------------------------------------------------------------------------------
def _cell(dtype: str, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if dtype == "list":
        return ";".join(value)
    return value


def _sheet(book: Workbook, table: str, records: list[dict[str, Any]]) -> None:
    sheet = book.create_sheet(SHEETS[table])
    specs = FIELDS[table]
    sheet.append([spec.header for spec in specs])
    sheet.append([spec.name for spec in specs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = KEY_FONT
    for record in records:
        sheet.append([_cell(spec.dtype, record.get(spec.name)) for spec in specs])
    for column, spec in enumerate(specs, start=1):
        if spec.dtype == "date":
            for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
                cell.number_format = "YYYY-MM-DD"
        width = max(12, min(40, len(spec.header) + 2))
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
    sheet.freeze_panes = "B3"


def _codes(book: Workbook) -> None:
    sheet = book.create_sheet(CODES_SHEET)
    sheet.append(["Feld", "Code", "Bezeichnung"])
    for code, row in measure_types().iterrows():
        sheet.append(["measure_type", str(code), row["label_de"]])
    for code, label in STATUSES.items():
        sheet.append(["status", code, label])


def write_catalogue(catalogue: Catalogue, path: Path, *, public: bool = False) -> dict[str, int]:
    """Write the workbook; ``public`` leaves out non-public measures and staff names."""
    keep = [k for k in sorted(catalogue.measures) if not public or catalogue.measures[k].public]
    measures = [catalogue.measures[k].model_dump() for k in keep]
    steps = [s.model_dump() for k in keep for s in catalogue.steps_of(k)]
    entries = [p.model_dump() for p in sorted(catalogue.progress, key=lambda p: p.entry_id)]
    entries = [p for p in entries if p["measure_id"] in keep]
    if public:
        for record in measures + entries:
            record.pop("updated_by", None)
            record.pop("author", None)
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    _sheet(book, MEASURES, measures)
    _sheet(book, STEPS, steps)
    _sheet(book, PROGRESS, entries)
    _codes(book)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return {"measures": len(measures), "steps": len(steps), "progress": len(entries)}


# --- reading -----------------------------------------------------------------------------------
def _header_map(table: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for spec in FIELDS[table]:
        for label in (spec.name, spec.header, spec.header_de):
            names[label.casefold()] = spec.name
    return names


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _columns(sheet: Worksheet, table: str, problems: list[dict[str, Any]]) -> tuple[list, int]:
    """Field per column and the first data row (3 with the key row, else 2)."""
    keys = {spec.name for spec in FIELDS[table]}
    first = [_text(c) for c in next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())]
    second = [_text(c) for c in next(sheet.iter_rows(min_row=2, max_row=2, values_only=True), ())]
    if any(second) and all(v in keys for v in second if v):
        return [v or None for v in second], 3
    names = _header_map(table)
    columns: list[str | None] = []
    for number, header in enumerate(first, start=1):
        if header and header.casefold() not in names:
            problems.append(
                {
                    "sheet": sheet.title,
                    "row": 1,
                    "field": header,
                    "message": f"unbekannte Spalte / unknown column (column {number}); known: "
                    f"{', '.join(keys)}",
                }
            )
        columns.append(names.get(header.casefold()) if header else None)
    return columns, 2


def _rows(sheet: Worksheet, table: str, problems: list[dict[str, Any]]) -> list:
    columns, start = _columns(sheet, table, problems)
    rows = []
    for number, values in enumerate(sheet.iter_rows(min_row=start, values_only=True), start):
        data = {
            name: value
            for name, value in zip(columns, values, strict=False)
            if name is not None and value is not None and _text(value) != ""
        }
        if data:
            rows.append((number, data))
    required = "measure_id"
    if rows and required not in columns:
        problems.append(
            {"sheet": sheet.title, "row": 1, "field": required, "message": "column missing"}
        )
    return rows


def read_catalogue(path: Path) -> SheetRows:
    """The data rows of a catalogue workbook (values as in the cells; validated by merge)."""
    if not Path(path).is_file():
        raise InputFileError(path, "file not found")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for files that are not XLSX
        raise InputFileError(path, f"not a readable XLSX workbook ({exc})") from None
    if SHEETS[MEASURES] not in book.sheetnames:
        raise InputFileError(
            path, f"no sheet {SHEETS[MEASURES]!r} (sheets: {', '.join(book.sheetnames)})"
        )
    found = SheetRows()
    problems: list[dict[str, Any]] = []
    for table, title in SHEETS.items():
        if title in book.sheetnames:
            found.present.add(table)
            found.rows[table] = _rows(book[title], table, problems)
        else:
            found.rows[table] = []
    book.close()
    if problems:
        raise InvalidMeasure(problems, what=str(path))
    return found

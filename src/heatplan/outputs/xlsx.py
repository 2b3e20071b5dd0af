"""The Anlage-2 tables of the heat plan as one XLSX workbook (planners' Excel).

Sheets: ``Inhalt`` (contents and the privacy note), ``Bestand`` (final energy by carrier and
sector, GHG, renewable share, grid-bound heat, decentral generators by type and carrier — from
the ``totals`` table), ``Gebäude`` (buildings and heated area by use and age class),
``Potenziale`` (by carrier and kind), ``Zielszenario`` (the indicators per year of the
``scenario_indicators`` table), ``Gebiete`` (every supply area with type and likelihood per
year and the explanation) and one ``Steckbrief <area>`` per area
(:mod:`heatplan.outputs.xlsx_areas`).

Nothing is written per building. Every value over fewer buildings than WPG § 10 Abs. 2 allows
is suppressed, with secondary suppression against differencing
(:mod:`heatplan.publish`). The released tables of ``Bestand``, ``Gebäude`` and ``Potenziale``
are built in :mod:`heatplan.publish.tables`, which the report shares; this module writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from heatplan.outputs.xlsx_areas import add_area_sheets
from heatplan.outputs.xlsx_sheets import titled, write_table
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION, MIN_BUILDINGS_HEATER, drop_confidential
from heatplan.publish.inventory import DIMENSIONS
from heatplan.publish.tables import buildings_table, inventory_table, potentials_table

__all__ = ["XlsxExport", "scenario_table", "write_xlsx"]

NO_SCENARIO = (
    "Keine Ergebnisse des Zielszenarios: `heatplan scenario` ausführen (run heatplan scenario)"
)


@dataclass
class XlsxExport:
    """The written workbook and its sheets."""

    path: Path
    sheets: list[str] = field(default_factory=list)
    suppressed_values: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "sheets": self.sheets, "suppressed": self.suppressed_values}


# --- tables ----------------------------------------------------------------------------------
def scenario_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """The long ``scenario_indicators`` table with one column per year."""
    needed = [c for c in ("year", "indicator", "value") if c not in indicators.columns]
    if needed:
        raise ValueError(f"scenario_indicators: columns {needed} missing; run `heatplan scenario`")
    keys = [c for c in indicators.columns if c not in ("year", "value")]
    frame = indicators.assign(year=indicators["year"].astype(int))
    frame[keys] = frame[keys].astype(object).where(frame[keys].notna(), "")
    twice = frame.duplicated([*keys, "year"])
    if twice.any():
        first = frame[twice].iloc[0].to_dict()
        raise ValueError(f"scenario_indicators: more than one value for {first}")
    wide = frame.set_index([*keys, "year"])["value"].unstack("year")
    wide.columns = [str(c) for c in wide.columns]
    order = frame[keys].drop_duplicates()
    return order.merge(wide.reset_index(), on=keys, how="left")


# --- workbook --------------------------------------------------------------------------------
def _contents(book: Workbook, title: str, sheets: Sequence[str]) -> None:
    sheet = book["Inhalt"]
    sheet.cell(row=1, column=1, value=title or "Kommunaler Wärmeplan").font = Font(
        bold=True, size=14
    )
    sheet.cell(row=2, column=1, value="Tabellen nach Anlage 2 WPG (heatplan)")
    note = (
        "Datenschutz (§ 10 Abs. 2 WPG): Verbrauchswerte nur über mindestens "
        f"{MIN_BUILDINGS_CONSUMPTION} Gebäude, Angaben zu Wärmeerzeugern über mindestens "
        f"{MIN_BUILDINGS_HEATER}; kleinere Werte und die zur Rückrechnung nötigen sind unterdrückt."
    )
    sheet.cell(row=3, column=1, value=note)
    for row, name in enumerate(sheets, start=5):
        sheet.cell(row=row, column=1, value=name)
    sheet.column_dimensions["A"].width = 60


def write_xlsx(
    path: Path | str,
    *,
    areas: pd.DataFrame,
    totals: pd.DataFrame | None = None,
    inventory: pd.DataFrame | None = None,
    buildings: pd.DataFrame | None = None,
    potentials: pd.DataFrame | None = None,
    scenario_indicators: pd.DataFrame | None = None,
    title: str = "",
) -> XlsxExport:
    """Write the workbook (replaced if it exists).

    ``buildings`` is only aggregated (and used to count the buildings behind each inventory
    value); a missing table gives a sheet that says which step to run.
    """
    book = Workbook()
    assert book.active is not None
    book.active.title = "Inhalt"  # filled last, when every sheet is known
    suppressed = 0
    sheet = titled(book, "Bestand", "Bestandsanalyse (Anlage 2 I WPG)")
    if totals is None or totals.empty:
        sheet.cell(row=3, column=1, value="Keine Bilanz: `heatplan inventory` ausführen")
    else:
        table = inventory_table(totals, buildings, released=inventory)
        suppressed += int(table["Hinweis"].notna().sum())
        write_table(sheet, table.drop(columns=[*DIMENSIONS, "indicator"]), row=3)
    sheet = titled(book, "Gebäude", "Gebäudebestand nach Nutzung und Baualtersklasse")
    if buildings is not None and len(buildings):
        write_table(sheet, buildings_table(buildings), row=3)
    sheet = titled(book, "Potenziale", "Potenziale nach Energieträger (Anlage 2 II WPG)")
    if potentials is None or potentials.empty:
        sheet.cell(row=3, column=1, value="Keine Potenziale: `heatplan potentials` ausführen")
    else:
        public, _ = drop_confidential(pd.DataFrame(potentials))
        write_table(sheet, potentials_table(public), row=3)
    sheet = titled(
        book, "Zielszenario", "Zielszenario: Indikatoren je Stichjahr (Anlage 2 III WPG)"
    )
    if scenario_indicators is None or scenario_indicators.empty:
        sheet.cell(row=3, column=1, value=NO_SCENARIO)
    else:
        write_table(sheet, scenario_table(pd.DataFrame(scenario_indicators)), row=3)
    add_area_sheets(book, pd.DataFrame(areas))
    _contents(book, title, [s for s in book.sheetnames if s != "Inhalt"])
    path = Path(path)
    book.save(path)
    return XlsxExport(path, list(book.sheetnames), suppressed)

"""The Anlage-2 tables of the heat plan as one XLSX workbook (planners' Excel).

Sheets: ``Inhalt`` (contents and the privacy note), ``Bestand`` (final energy by carrier and
sector, GHG, renewable share, grid-bound heat, decentral generators by type and carrier — from
the ``totals`` table), ``Gebäude`` (buildings, heated area and heat demand by use and age
class), ``Potenziale`` (by carrier and kind), ``Zielszenario`` (the indicators per year of the
``scenario_indicators`` table), ``Gebiete`` (every supply area with type and likelihood per
year and the explanation) and one ``Steckbrief <area>`` per area
(:mod:`heatplan.outputs.xlsx_areas`).

Nothing is written per building. Every value over fewer buildings than WPG § 10 Abs. 2 allows
is suppressed, with secondary suppression against differencing
(:mod:`heatplan.publish`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from heatplan.areas.reference import UNKNOWN, carriers_table, heater_types_table, with_unknown
from heatplan.outputs.xlsx_areas import add_area_sheets
from heatplan.outputs.xlsx_sheets import titled, write_table
from heatplan.publish import (
    MIN_BUILDINGS_CONSUMPTION,
    MIN_BUILDINGS_HEATER,
    drop_confidential,
    flags,
    notices,
    smaller_part,
    suppression_mask,
)
from heatplan.publish.inventory import ALL, DIMENSIONS, released_inventory

__all__ = ["XlsxExport", "inventory_table", "potentials_table", "write_xlsx"]

INDICATORS_DE = {
    "final_energy": "Endenergieverbrauch Wärme",
    "co2e": "Treibhausgasemissionen (CO2e)",
    "renewable_share": "Anteil erneuerbarer Energien und unvermeidbarer Abwärme",
    "grid_bound_heat": "Leitungsgebundene Wärme",
    "decentral_generators": "Dezentrale Wärmeerzeuger",
    "buildings": "Gebäude",
    "buildings_without_demand": "Gebäude ohne bekannten Wärmebedarf",
    "heat_demand": "Wärmebedarf (bekannt)",
}
SECTORS_DE = {
    "households": "Private Haushalte",
    "commerce": "Gewerbe, Handel, Dienstleistungen",
    "industry": "Industrie",
    "public": "Öffentliche Einrichtungen",
    UNKNOWN: "unbekannt",
    ALL: "alle",
}
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
def inventory_table(
    totals: pd.DataFrame,
    buildings: pd.DataFrame | None,
    *,
    released: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The released municipal totals with German labels: one row per totals row, ``Wert`` NaN
    and ``Hinweis`` why where suppressed.

    ``released``: the table as the audited release has it (``inventory`` of
    :func:`heatplan.publish.layers.public_layers`); None: the table's own rules only
    (:func:`heatplan.publish.inventory.released_inventory`).
    """
    return _labelled(released if released is not None else released_inventory(totals, buildings))


def _labelled(out: pd.DataFrame) -> pd.DataFrame:
    carriers = carriers_table()["label_de"].to_dict() | {ALL: "alle"}
    heaters = heater_types_table()["label_de"].to_dict() | {ALL: "alle", UNKNOWN: "unbekannt"}
    return pd.DataFrame(
        {
            "Indikator": out["indicator"].map(INDICATORS_DE).fillna(out["indicator"]),
            "Energieträger": out["carrier"].map(carriers).fillna(out["carrier"]),
            "Sektor": out["sector"].map(SECTORS_DE).fillna(out["sector"]),
            "Erzeugertyp": out["heater_type"].map(heaters).fillna(out["heater_type"]),
            "Wert": out["value"],
            "Einheit": out["unit"],
            "Hinweis": out.get("note", pd.Series(index=out.index, dtype=object)),
            "indicator": out["indicator"],
            "carrier": out["carrier"],
            "sector": out["sector"],
            "heater_type": out["heater_type"],
        }
    )


def buildings_table(buildings: pd.DataFrame) -> pd.DataFrame:
    """Buildings and heated area [m²] by use and by age class (no consumption).

    Heat demand is left out on purpose: by use it would cut across the carrier x sector cells
    of the inventory and let suppressed cells be estimated by differencing.
    """
    parts = []
    for column, label in (("use", "Nutzung"), ("age_class", "Baualtersklasse")):
        if column not in buildings.columns:
            continue
        frame = buildings.assign(_key=with_unknown(buildings[column]))
        grouped = frame.groupby("_key")
        table = pd.DataFrame(
            {
                "Merkmal": label,
                "Wert": grouped.size().index,
                "Gebäude": grouped.size().to_numpy(),
                "Beheizte Fläche [m²]": _sum(grouped, "heated_area_m2"),
            }
        )
        mask = suppression_mask(table["Gebäude"], [pd.Series(label, index=table.index)])
        table.loc[mask.to_numpy(), "Beheizte Fläche [m²]"] = np.nan
        table["Hinweis"] = notices(mask)
        parts.append(table)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _sum(grouped: Any, column: str) -> np.ndarray:
    if column not in grouped.obj.columns:
        return np.full(grouped.ngroups, np.nan)
    return np.asarray(grouped[column].sum(min_count=1).to_numpy(float))


def potentials_table(potentials: pd.DataFrame) -> pd.DataFrame:
    """Potentials by carrier and kind; building-level kinds only over >= 5 buildings.

    ``Wärme`` and ``Strom`` [MWh/a] and ``Leistung`` [kW] count only potentials not excluded.
    """
    empty = pd.Series(None, index=potentials.index, dtype=object)
    frame = potentials.assign(
        _ok=~flags(potentials.get("excluded", empty)),
        _building=potentials.get("building_id", empty),
    )
    rows = []
    for (carrier, kind), group in frame.groupby(["carrier", "kind"], sort=True):
        ok = group[group["_ok"]]
        rows.append(
            {
                "Energieträger": carriers_table()["label_de"].get(carrier, carrier),
                "Art": kind,
                "Anzahl": len(group),
                "Gebäude": int(group["_building"].nunique()),
                "davon ausgeschlossen": int((~group["_ok"]).sum()),
                "Wärme [MWh/a]": _total(ok, "heat_mwh_per_a"),
                "Strom [MWh/a]": _total(ok, "power_mwh_per_a"),
                "Leistung [kW]": _total(ok, "capacity_kw"),
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    per_building = pd.Series("buildings", index=table.index).where(table["Gebäude"] > 0)
    counts = smaller_part(
        table["Gebäude"], table["davon ausgeschlossen"].where(table["Gebäude"] > 0, 0)
    )
    mask = suppression_mask(counts, [per_building])
    table.loc[mask.to_numpy(), ["Wärme [MWh/a]", "Strom [MWh/a]", "Leistung [kW]"]] = np.nan
    table["Hinweis"] = notices(mask)
    return table


def _total(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].sum()) if column in frame.columns else np.nan


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

"""The Anlage-2 tables of the heat plan as one XLSX workbook (planners' Excel).

Sheets: ``Inhalt`` (contents and the privacy note), ``Bestand`` (final energy by carrier and
sector, GHG, renewable share, grid-bound heat, decentral generators by type and carrier — from
the ``totals`` table), ``Gebäude`` (buildings and heated area by use and age class),
``Potenziale`` (by carrier and kind), ``Zielszenario`` (the indicators per year of the
``scenario_indicators`` table), ``Gebiete`` (every supply area with type and likelihood per
year and the explanation), one ``Steckbrief <area>`` per area
(:mod:`heatplan.outputs.xlsx_areas`) and ``Maßnahmen`` (the public measures,
:mod:`heatplan.outputs.xlsx_measures`).

The workbook is German (English with ``language="en"``): every code is shown by its label from
the vocabulary ``data/labels.csv`` and every header carries its unit; numbers carry Excel number
formats (energy in MWh/a throughout, shares as percent), the header row of each main table is
frozen and filtered.

Nothing is written per building. Every value over fewer buildings than WPG § 10 Abs. 2 allows
is suppressed, with secondary suppression against differencing
(:mod:`heatplan.publish`). The released tables of ``Bestand``, ``Gebäude`` and ``Potenziale``
are built in :mod:`heatplan.publish.tables`, which the report shares; this module writes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.hyperlink import Hyperlink

from heatplan.i18n import DEFAULT_LANGUAGE, label, value_label
from heatplan.outputs.atomic import replacing
from heatplan.outputs.xlsx_areas import add_area_sheets
from heatplan.outputs.xlsx_measures import add_measures_sheet
from heatplan.outputs.xlsx_sheets import Translator, number_format, titled, translator, write_table
from heatplan.plan import columns as col
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION, MIN_BUILDINGS_HEATER, drop_confidential
from heatplan.publish.tables import buildings_table, inventory_table, potentials_table

__all__ = ["XlsxExport", "scenario_table", "write_xlsx"]

KWH_PER_MWH = 1000.0
#: Stored unit -> (display unit code, factor): energy in MWh/a in every sheet.
UNIT_DISPLAY = {"kWh/a": ("MWh/a", 1 / KWH_PER_MWH), "1": ("%", 1.0), "-": ("%", 1.0)}
_SUPPRESSED = re.compile(r"weniger als (\d+) Gebäude")
_UNIT_IN_HEADER = re.compile(r"\[([^\]]+)\]$")


@dataclass
class XlsxExport:
    """The written workbook and its sheets."""

    path: Path
    sheets: list[str] = field(default_factory=list)
    suppressed_values: int = 0
    language: str = DEFAULT_LANGUAGE

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sheets": self.sheets,
            "suppressed": self.suppressed_values,
            "language": self.language,
        }


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


def display_unit(unit: Any, language: str) -> tuple[str, float]:
    """The unit a stored ``unit`` is shown in (its label) and the factor to it.

    >>> display_unit("kWh/a", "de"), display_unit("count", "de"), display_unit("1", "en")
    (('MWh/a', 0.001), ('Anzahl', 1.0), ('%', 1.0))
    """
    code, factor = UNIT_DISPLAY.get(str(unit), (str(unit), 1.0))
    try:
        return label("unit", code, language), factor
    except KeyError:
        return code, factor  # a unit symbol (MWh/a, t CO2e/a) reads the same in every language


def notice(text: Any, tr: Translator) -> Any:
    """The suppression notice of :mod:`heatplan.publish.rules` in the workbook's language."""
    if not isinstance(text, str) or not (match := _SUPPRESSED.search(text)):
        return text
    return tr("unterdrückt: weniger als {n} Gebäude (§ 10 Abs. 2 WPG)").format(n=match.group(1))


def _inventory(table: pd.DataFrame, language: str, tr: Translator) -> tuple[pd.DataFrame, list]:
    units = [display_unit(u, language) for u in table["Einheit"]]
    frame = pd.DataFrame(
        {
            tr("Indikator"): [label("indicator", c, language) for c in table["indicator"]],
            tr("Energieträger"): [label("carrier", c, language) for c in table[col.CARRIER]],
            tr("Sektor"): [label("sector", c, language) for c in table["sector"]],
            tr("Erzeugertyp"): [label("heater_type", c, language) for c in table["heater_type"]],
            tr("Wert"): pd.to_numeric(table["Wert"], errors="coerce").to_numpy(float)
            * [f for _, f in units],
            tr("Einheit"): [u for u, _ in units],
            tr("Hinweis"): [notice(n, tr) for n in table["Hinweis"]],
        }
    )
    return frame, [number_format("%" if u == "%" else u) for u, _ in units]


def _buildings(table: pd.DataFrame, language: str, tr: Translator) -> pd.DataFrame:
    use = table["Merkmal"].eq("Nutzung")
    values = [
        label("use" if by_use else "age_class", v, language) if by_use or v == "unknown" else v
        for v, by_use in zip(table["Wert"], use, strict=True)
    ]
    return pd.DataFrame(
        {
            tr("Merkmal"): [tr("Nutzung") if u else tr("Baualtersklasse") for u in use],
            tr("Wert"): values,
            tr("Gebäude"): table["Gebäude"],
            tr("Beheizte Fläche") + " [m²]": table["Beheizte Fläche [m²]"],
            tr("Hinweis"): [notice(n, tr) for n in table["Hinweis"]],
        }
    )


def _potentials(public: pd.DataFrame, language: str, tr: Translator) -> pd.DataFrame:
    table = potentials_table(public)
    if table.empty:
        return table
    # the rows of potentials_table: one per (carrier, kind), in this (sorted) order
    keys = public.groupby([col.CARRIER, "kind"], sort=True).size().index
    return pd.DataFrame(
        {
            tr("Energieträger"): [label("carrier", c, language) for c, _ in keys],
            tr("Art"): [label("potential_kind", k, language) for _, k in keys],
            tr("Anzahl"): table["Anzahl"].to_numpy(),
            tr("Gebäude"): table["Gebäude"].to_numpy(),
            tr("davon ausgeschlossen"): table["davon ausgeschlossen"].to_numpy(),
            tr("Wärme") + " [MWh/a]": table["Wärme [MWh/a]"].to_numpy(),
            tr("Strom") + " [MWh/a]": table["Strom [MWh/a]"].to_numpy(),
            tr("Leistung") + " [kW]": table["Leistung [kW]"].to_numpy(),
            tr("Hinweis"): [notice(n, tr) for n in table["Hinweis"]],
        }
    )


#: Key columns of the scenario table -> the vocabulary domains of their codes.
SCENARIO_KEYS = {
    "variant": ("variant",),
    "indicator": ("indicator",),
    "key": ("indicator_key", "carrier", "sector"),
    "sector": ("sector",),
    "carrier": ("carrier",),
}
SCENARIO_HEADERS = {
    "variant": "Variante",
    "indicator": "Indikator",
    "key": "Aufschlüsselung",
    "sector": "Sektor",
    "carrier": "Energieträger",
    "unit": "Einheit",
}


def _scenario(indicators: pd.DataFrame, language: str, tr: Translator) -> tuple[pd.DataFrame, list]:
    wide = scenario_table(indicators).drop(columns=["label_de"], errors="ignore")
    out = pd.DataFrame(index=wide.index)
    units = [display_unit(u, language)[0] for u in wide.get("unit", pd.Series("", wide.index))]
    for column in wide.columns:
        name = tr(SCENARIO_HEADERS[column]) if column in SCENARIO_HEADERS else column
        if column in SCENARIO_KEYS:
            out[name] = [value_label(SCENARIO_KEYS[column], v, language) for v in wide[column]]
        elif column == "unit":
            out[name] = units
        else:
            out[name] = wide[column]
    return out, [number_format(u) for u in units]


def _by_column(frame: pd.DataFrame, default_unit: str) -> dict[str, str]:
    """Number formats from the unit in each header (``Wärme [MWh/a]``), else ``default_unit``."""
    formats = {}
    for name in frame.columns:
        unit = _UNIT_IN_HEADER.search(str(name))
        formats[str(name)] = number_format(unit.group(1) if unit else default_unit)
    return formats


# --- workbook --------------------------------------------------------------------------------
def _contents(book: Workbook, title: str, sheets: Sequence[str], tr: Translator) -> None:
    sheet = book.worksheets[0]
    sheet.cell(row=1, column=1, value=title or tr("Kommunaler Wärmeplan")).font = Font(
        bold=True, size=14
    )
    sheet.cell(row=2, column=1, value=tr("Tabellen nach Anlage 2 WPG (heatplan)"))
    note = tr(
        "Datenschutz (§ 10 Abs. 2 WPG): Verbrauchswerte nur über mindestens {consumption} "
        "Gebäude, Angaben zu Wärmeerzeugern über mindestens {heater}; kleinere Werte und die zur "
        "Rückrechnung nötigen sind unterdrückt."
    ).format(consumption=MIN_BUILDINGS_CONSUMPTION, heater=MIN_BUILDINGS_HEATER)
    sheet.cell(row=3, column=1, value=note).alignment = Alignment(wrap_text=True)
    for row, name in enumerate(sheets, start=5):
        cell = sheet.cell(row=row, column=1, value=name)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1")  # in the book
        cell.style = "Hyperlink"
    sheet.column_dimensions["A"].width = 90


def _missing(sheet: Any, text: str) -> None:
    sheet.cell(row=3, column=1, value=text)


def write_xlsx(
    path: Path | str,
    *,
    areas: pd.DataFrame,
    totals: pd.DataFrame | None = None,
    inventory: pd.DataFrame | None = None,
    buildings: pd.DataFrame | None = None,
    potentials: pd.DataFrame | None = None,
    scenario_indicators: pd.DataFrame | None = None,
    measures: pd.DataFrame | None = None,
    title: str = "",
    language: str = DEFAULT_LANGUAGE,
) -> XlsxExport:
    """Write the workbook (replaced if it exists) in ``language`` (``"de"`` or ``"en"``).

    ``buildings`` is only aggregated (and used to count the buildings behind each inventory
    value); ``measures`` gives the measures sheet (public measures only); a missing table gives
    a sheet that says which step to run.
    """
    tr = translator(language)
    book = Workbook()
    assert book.active is not None
    book.active.title = tr("Inhalt")  # filled last, when every sheet is known
    suppressed = 0
    sheet = titled(book, tr("Bestand"), tr("Bestandsanalyse (Anlage 2 I WPG)"))
    if totals is None or totals.empty:
        _missing(sheet, tr("Keine Bilanz: `heatplan inventory` ausführen"))
    else:
        table = inventory_table(totals, buildings, released=inventory)
        suppressed += int(table["Hinweis"].notna().sum())
        frame, formats = _inventory(table, language, tr)
        write_table(sheet, frame, row=3, row_formats=formats, main=True)
    sheet = titled(book, tr("Gebäude"), tr("Gebäudebestand nach Nutzung und Baualtersklasse"))
    if buildings is not None and len(buildings):
        frame = _buildings(buildings_table(buildings), language, tr)
        write_table(sheet, frame, row=3, formats=_by_column(frame, "Anzahl"), main=True)
    sheet = titled(book, tr("Potenziale"), tr("Potenziale nach Energieträger (Anlage 2 II WPG)"))
    if potentials is None or potentials.empty:
        _missing(sheet, tr("Keine Potenziale: `heatplan potentials` ausführen"))
    else:
        public, _ = drop_confidential(pd.DataFrame(potentials))
        frame = _potentials(public, language, tr)
        write_table(sheet, frame, row=3, formats=_by_column(frame, "Anzahl"), main=True)
    sheet = titled(
        book, tr("Zielszenario"), tr("Zielszenario: Indikatoren je Stichjahr (Anlage 2 III WPG)")
    )
    if scenario_indicators is None or scenario_indicators.empty:
        _missing(
            sheet,
            tr("Keine Ergebnisse des Zielszenarios: `heatplan scenario` ausführen")
            + " (run heatplan scenario)",
        )
    else:
        frame, formats = _scenario(pd.DataFrame(scenario_indicators), language, tr)
        write_table(sheet, frame, row=3, row_formats=formats, main=True)
    add_area_sheets(book, pd.DataFrame(areas), language)
    add_measures_sheet(book, measures, language)
    _contents(book, title, book.sheetnames[1:], tr)
    path = Path(path)
    with replacing(path) as partial:  # whole or not at all: an older workbook stays
        book.save(partial)
    return XlsxExport(path, list(book.sheetnames), suppressed, language)

"""The ``Maßnahmen`` sheet of the XLSX export: the public measures of the implementation
strategy (WPG § 20, Anlage 2 VI) — steps aside, one row per measure with type, areas, start
and completion as Excel dates, cost in EUR, who pays and is responsible, status and the
expected effect.

Only measures marked ``public`` leave the project; staff names (``updated_by``) never do, as in
the public catalogue export (:func:`heatplan.measures.catalogue.write_catalogue`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from openpyxl import Workbook

from heatplan.i18n import column_header, label, unit_of
from heatplan.outputs.xlsx_sheets import number_format, titled, translator, write_table
from heatplan.publish import flags

__all__ = ["MEASURE_COLUMNS", "add_measures_sheet", "public_measures"]

#: Store columns of the sheet, in order, and the vocabulary domain of the coded ones.
MEASURE_COLUMNS = (
    "measure_id",
    "title",
    "measure_type",
    "area_ids",
    "start_date",
    "completion_date",
    "cost_eur",
    "cost_bearer",
    "financing",
    "responsible",
    "status",
    "effect_mwh_per_a",
    "effect_co2_t_per_a",
    "effect_buildings_connected",
    "effect_network_km",
)
CODED = {"measure_type": "measure_type", "status": "measure_status"}
DATES = ("start_date", "completion_date")


def public_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """The measures marked public, by number (all when there is no ``public`` column)."""
    public = measures[flags(measures["public"])] if "public" in measures.columns else measures
    return public.sort_values("measure_id") if "measure_id" in public.columns else public


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _cell(column: str, value: Any, language: str) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if column in CODED:
        return label(CODED[column], value, language)
    if column in DATES:
        return _date(value)
    if column == "area_ids":
        return ", ".join(a.strip() for a in str(value).split(";") if a.strip())
    return value


def measures_table(measures: pd.DataFrame, language: str) -> pd.DataFrame:
    """One row per public measure, headers with units, codes as labels, dates as dates."""
    public = public_measures(measures)
    present = [c for c in MEASURE_COLUMNS if c in public.columns]
    return pd.DataFrame(
        {column_header(c, language): [_cell(c, v, language) for v in public[c]] for c in present}
    )


def add_measures_sheet(book: Workbook, measures: pd.DataFrame | None, language: str) -> None:
    """Add ``Maßnahmen``: the public measures, or a note which command adds them."""
    tr = translator(language)
    sheet = titled(book, tr("Maßnahmen"), tr("Maßnahmen der Umsetzungsstrategie (§ 20 WPG)"))
    if measures is None or measures.empty:
        text = tr(
            "Keine Maßnahmen: mit `heatplan measures add` oder `heatplan measures import` erfassen"
        )
        sheet.cell(row=3, column=1, value=text)
        return
    formats = {
        column_header(c, language): number_format(unit_of("column", c))
        for c in MEASURE_COLUMNS
        if unit_of("column", c)
    }
    formats[column_header("effect_buildings_connected", language)] = number_format("Anzahl")
    write_table(sheet, measures_table(measures, language), row=3, formats=formats, main=True)

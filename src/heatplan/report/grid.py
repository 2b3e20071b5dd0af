"""Bestandsanalyse, Stromnetz (WPG Anlage 1; issue 18): the LV grid check per supply area.

Reads only the public ``grid_supply_areas`` (rounded, suppressed with their area:
:mod:`heatplan.publish.grid`) and ``grid_trafo_areas`` (hosting classes); the limits with
their sources come from ``grid_limits.csv``. Labels from the vocabulary (``labels.csv``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from heatplan.i18n.vocabulary import label
from heatplan.plan import columns as col
from heatplan.reference import table as reference_table
from heatplan.report.fmt import DASH, Table, number, percent

__all__ = ["area_line", "grid_section"]

LIMITS = "grid_limits.csv"
#: The supply-area columns of the report's table, with their decimals (None: percent of a share).
COLUMNS: dict[str, int | None] = {
    "hosting_share": None,
    "line_max_percent_plan": 0,
    "trafo_max_percent_plan": 0,
    "vm_min_pu_plan": 0,
    "reinforcement_eur": 0,
    "reinforcement_eur_per_mwh": 1,
}


def _header(column: str) -> str:
    units = {
        "hosting_share": "",
        "vm_min_pu_plan": " [% Un]",
        "reinforcement_eur": " [EUR]",
        "reinforcement_eur_per_mwh": " [EUR/MWh]",
    }
    return label("grid_column", column) + units.get(column, " [%]")


def _cell(column: str, value: Any) -> str:
    if value is None or pd.isna(value):
        return DASH
    if column == "hosting_share":
        return percent(value, 0)
    if column == "vm_min_pu_plan":
        return number(float(value) * 100.0, 0)
    return number(value, COLUMNS[column] or 0)


def _limits() -> Table:
    rows = reference_table(LIMITS, as_text=True)
    cells = []
    for record in rows.itertuples(index=False):
        value = float(str(record.value))
        shown = number(value * 100.0, 0) if str(record.unit) == "pu" else number(value, 0)
        unit = "% Un" if str(record.unit) == "pu" else str(record.unit)
        cells.append([label("grid_limit", record.parameter), shown, unit, str(record.source_de)])
    return Table(
        ["Grenze", "Wert", "Einheit", "Quelle"],
        cells,
        [False, True, False, False],
        caption="Grenzen der Netzprüfung und ihre Quellen",
    )


def _settings(frame: pd.DataFrame) -> str:
    first = frame.iloc[0]
    share = percent(first.get("hp_share"), 0)
    year = first.get("year")
    when = f"im Jahr {int(year)}" if year is not None and not pd.isna(year) else "im Zielbild"
    ev = percent(first.get("ev_share"), 0)
    controlled = (
        bool(first.get("controlled_14a")) if not pd.isna(first.get("controlled_14a")) else False
    )
    rule = (
        "mit netzorientierter Steuerung der Wärmepumpen nach § 14a EnWG"
        if controlled
        else "ohne Steuerung nach § 14a EnWG"
    )
    if controlled and str(first.get("control_14a", "")) == "shift":
        rule += " (zurückgehaltene Wärme in spätere Stunden verschoben)"
    text = (
        f"Geprüft {when} mit {share} der Gebäude mit Wärmepumpe und {ev} der Haushalte mit "
        f"Elektroauto, {rule}, über alle Stunden des Wetterjahres."
    )
    if str(first.get("grid_source", "")) == "estimate":
        text += (
            " Keine Netzdaten: das Niederspannungsnetz ist je Versorgungsgebiet aus den deutschen "
            "Referenznetzen geschätzt (Kerber 2011, Dickert et al. 2013; Regel in "
            "grid_reference_networks.csv), nicht das reale Netz. Die Referenznetze sind eher "
            "kräftig ausgebaut: die Schätzung kann den Verstärkungsbedarf unterschätzen."
        )
    return text


def grid_section(supply: pd.DataFrame | None, trafos: pd.DataFrame | None) -> dict[str, Any]:
    """The grid part of the Bestandsanalyse; ``{"empty": True}`` without a grid check."""
    if supply is None or supply.empty:
        return {"empty": True}
    columns = [c for c in COLUMNS if c in supply.columns]
    rows = [
        [str(row[col.AREA_ID]), *(_cell(c, row[c]) for c in columns)]
        for _, row in supply.sort_values(col.AREA_ID).iterrows()
    ]
    table = Table(
        [label("grid_column", col.AREA_ID), *(_header(c) for c in columns)],
        rows,
        [False, *([True] * len(columns))],
        caption="Niederspannungsnetz je Versorgungsgebiet",
        note=_settings(supply)
        + " Werte gerundet (Auslastung auf 10 %, Spannung auf 1 % Un, Kosten auf 1.000 EUR); "
        "Gebiete mit unterdrückten Kennzahlen ohne Werte (Datenschutz, § 10 Abs. 2 WPG).",
    )
    classes = None
    if trafos is not None and not trafos.empty and "hosting_class" in trafos.columns:
        counts = trafos["hosting_class"].dropna().astype(str).value_counts()
        counts = counts.sort_index(key=lambda k: k.str.extract(r"^(\d+)")[0].astype(float))
        classes = Table(
            ["Aufnahmefähigkeit (Klasse)", "Trafobereiche"],
            [[str(k), number(int(v), 0)] for k, v in counts.items()],
            [False, True],
            caption="Ortsnetztrafo-Bereiche nach Aufnahmefähigkeit für Wärmepumpen",
        )
    return {"empty": False, "table": table, "classes": classes, "limits": _limits()}


def area_line(supply: pd.DataFrame | None) -> dict[str, str]:
    """The grid line of each area's profile sheet, by area id (suppressed areas: none)."""
    if supply is None or supply.empty:
        return {}
    lines = {}
    for _, row in supply.iterrows():
        if pd.isna(row.get("hosting_share")) and pd.isna(row.get("reinforcement_eur")):
            continue
        lines[str(row[col.AREA_ID])] = (
            f"Aufnahmefähigkeit bis {_cell('hosting_share', row.get('hosting_share'))} der "
            f"Gebäude mit Wärmepumpe; höchste Kabelauslastung "
            f"{_cell('line_max_percent_plan', row.get('line_max_percent_plan'))} %, niedrigste "
            f"Spannung {_cell('vm_min_pu_plan', row.get('vm_min_pu_plan'))} % Un; "
            f"Verstärkungskosten {_cell('reinforcement_eur', row.get('reinforcement_eur'))} EUR "
            f"({_cell('reinforcement_eur_per_mwh', row.get('reinforcement_eur_per_mwh'))} "
            f"EUR/MWh Wärme)."
        )
    return lines

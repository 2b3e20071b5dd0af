"""Maßnahmensteckbriefe (WPG § 20 and Anlage 2 VI): one sheet per measure of the catalogue.

Each sheet: title, type and description, areas, start and completion, steps with dates, costs
with who pays and the financing, who is responsible, the expected effect (MWh/a, t CO2e/a,
connections, km), the status and the indicator by which the yearly report follows it
(:mod:`heatplan.report.monitoring`). Everything comes from the measures table as
:func:`heatplan.steps.measures.list_measures` returns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from heatplan.measures.schema import MEASURE_FIELDS, STATUSES, measure_types
from heatplan.report.fmt import DASH, Table, number

__all__ = ["EFFECTS", "indicator_text", "measure_sheets", "when"]

HEADERS = {f.name: f.header_de for f in MEASURE_FIELDS}
#: Expected-effect fields of a measure: (field, unit, decimals).
EFFECTS = (
    ("effect_mwh_per_a", "MWh/a", 0),
    ("effect_co2_t_per_a", "t CO2e/a", 0),
    ("effect_buildings_connected", "Gebäude", 0),
    ("effect_network_km", "km", 1),
)
#: Monitoring indicator of an expected effect (the progress entry field that reports it).
INDICATORS_DE = {
    "effect_mwh_per_a": "Wärme geliefert oder eingespart [MWh/a]",
    "effect_co2_t_per_a": "erreichte THG-Minderung [t CO2e/a]",
    "effect_buildings_connected": "angeschlossene Gebäude",
    "effect_network_km": "gebaute Trassenlänge [km]",
}
STEPS_INDICATOR = "Umsetzungsschritte termingerecht erledigt (Anzahl)"


def when(value: Any) -> str:
    """An ISO date (text or date) as ``TT.MM.JJJJ``; missing as a dash."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return DASH
    text = str(value)[:10]
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
    return text


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return DASH
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or DASH
    return str(value)


def _effect(measure: dict[str, Any]) -> str:
    parts = [
        f"{number(measure.get(name), digits)} {unit}"
        for name, unit, digits in EFFECTS
        if measure.get(name) not in (None, "") and not pd.isna(measure.get(name))
    ]
    return "; ".join(parts) or "keine Mengenangabe (Wirkung über die Umsetzungsschritte)"


def indicator_text(measure: dict[str, Any]) -> str:
    """The monitoring indicators of ``measure``: its quantified effects, else its steps."""
    named = [
        INDICATORS_DE[name]
        for name, _, _ in EFFECTS
        if measure.get(name) not in (None, "") and not pd.isna(measure.get(name))
    ]
    return "; ".join(named) if named else STEPS_INDICATOR


def _type(code: Any) -> str:
    labels = measure_types()["label_de"].to_dict()
    return str(labels.get(str(code), code or DASH))


def _facts(measure: dict[str, Any]) -> Table:
    latest = measure.get("latest_progress") or {}
    status = STATUSES.get(str(measure.get("status")), DASH)
    if latest.get("entry_date"):
        status += f" (letzte Meldung {when(latest.get('entry_date'))})"
    rows = [
        ("Maßnahmentyp", _type(measure.get("measure_type"))),
        (
            "Gebiete",
            _plain(measure.get("area_ids")) if measure.get("area_ids") else "ganze Gemeinde",
        ),
        (
            "Zeitraum",
            f"{when(measure.get('start_date'))} bis {when(measure.get('completion_date'))}",
        ),
        ("Investition [EUR]", number(measure.get("cost_eur"))),
        (HEADERS["cost_bearer"], _plain(measure.get("cost_bearer"))),
        ("Finanzierung und Förderung", _plain(measure.get("financing"))),
        (HEADERS["responsible"], _plain(measure.get("responsible"))),
        (HEADERS["partners"], _plain(measure.get("partners"))),
        ("Erwartete Wirkung", _effect(measure)),
        ("Status", status),
        ("Monitoring-Indikator", indicator_text(measure)),
    ]
    return Table(["Merkmal", "Angabe"], [list(r) for r in rows], [False, False])


def _steps(measure: dict[str, Any]) -> Table:
    rows = [
        [
            str(s.get("step_no")),
            _plain(s.get("title")),
            when(s.get("due_date")),
            when(s.get("done_date")),
        ]
        for s in measure.get("steps", [])
    ]
    return Table(
        ["Nr.", "Umsetzungsschritt", "Termin", "Erledigt am"],
        rows,
        [True, False, False, False],
    )


def measure_sheets(measures: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One Steckbrief per measure: id, title, description, facts and steps tables."""
    return [
        {
            "measure_id": str(m["measure_id"]),
            "title": f"Maßnahme {m['measure_id']}: {m['title']}",
            "description": _plain(m.get("description")) if m.get("description") else "",
            "facts": _facts(m),
            "steps": _steps(m),
        }
        for m in measures
    ]

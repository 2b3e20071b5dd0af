"""The supply-area tables that the XLSX workbook and the report share (WPG Anlage 2 IV).

:func:`areas_table` is the overview of every area; :func:`area_indicators`,
:func:`area_types` and :func:`area_grades` are the rows of one area's profile. The XLSX sheets
(:mod:`heatplan.outputs.xlsx_areas`) and the report section (:mod:`heatplan.report.areas`) both
build from them, so both show the same. They expect the areas as released
(:func:`heatplan.publish.public_areas`): suppression is not repeated here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from heatplan.classify.rules import GRADE_DE, TYPE_DE
from heatplan.plan import columns as col

__all__ = [
    "AREA_INDICATORS",
    "NO_DATA_COLUMNS",
    "NO_DATA_DE",
    "area_grades",
    "area_indicators",
    "area_types",
    "area_years",
    "areas_table",
    "no_data",
]

#: Area column -> (German label, unit) of the profile sheet, in display order.
AREA_INDICATORS: dict[str, tuple[str, str]] = {
    "buildings": ("Gebäude", "Anzahl"),
    col.HEAT_DEMAND_MWH_PER_A: ("Wärmebedarf", "MWh/a"),
    "area_ha": ("Fläche", "ha"),
    col.HEAT_DENSITY_MWH_PER_HA_A: ("Wärmedichte", "MWh/(ha·a)"),
    col.LINE_DENSITY_KWH_PER_M_A: ("Wärmeliniendichte", "kWh/(m·a)"),
    "street_length_m": ("Straßenlänge", "m"),
    "share_residential": ("Anteil Wohngebäude", "-"),
    "predominant_age_class": ("Überwiegende Baualtersklasse", ""),
    "share_large_consumers": ("Anteil Großverbraucher am Wärmebedarf", "-"),
    "share_gas": ("Anteil Gas am Wärmebedarf", "-"),
    "gas_network_m": ("Gasnetz im Gebiet", "m"),
    "heat_network_m": ("Wärmenetz im Gebiet", "m"),
    "nearest_potential_kind": ("Nächstes Wärmepotenzial", ""),
    "nearest_potential_m": ("Entfernung zum nächsten Wärmepotenzial", "m"),
    "network_lcoh_eur_per_mwh": ("Vollkosten Wärmenetz", "EUR/MWh"),
    "decentral_lcoh_eur_per_mwh": ("Vollkosten dezentrale Versorgung", "EUR/MWh"),
    "best_decentral": ("Günstigste dezentrale Option", ""),
    "network_better_probability": ("Wärmenetz günstiger in … der Kosten- und Preispfade", "-"),
    "network_probability_drivers": ("Am stärksten abhängig von", ""),
    "ghg_network_to_target_t": ("THG-Emissionen Wärmenetz bis Zieljahr", "t CO2e"),
    "ghg_decentral_to_target_t": ("THG-Emissionen dezentral bis Zieljahr", "t CO2e"),
    "eignung_shortened": ("Verkürzte Wärmeplanung (§ 14 WPG)", ""),
    "eignung_reason": ("Begründung der Eignungsprüfung", ""),
    "saving_potential_mwh_per_a": ("Energieeinsparpotenzial durch Sanierung", "MWh/a"),
    "saving_potential_share": ("Einsparpotenzial, Anteil am Wärmebedarf", "-"),
    "saving_potential_mwh_per_ha_a": ("Einsparpotenzial je Hektar", "MWh/(ha·a)"),
    "saving_potential_increased": ("Erhöhtes Energieeinsparpotenzial (§ 18 Abs. 5 WPG)", ""),
    "saving_reason": ("Begründung Energieeinsparpotenzial", ""),
}
#: Indicators that are missing only when the project has no data for them (no gas or heat
#: network layer: the length is unknown, not 0 m); their label then says so.
NO_DATA_COLUMNS = ("gas_network_m", "heat_network_m")
#: The note beside such an indicator, as the report's key figures write it.
NO_DATA_DE = "keine Daten im Projekt"
#: Suitability columns of the target year -> German label.
SUITABILITY_DE = {
    "eignung_waermenetz": "Wärmenetz",
    "eignung_wasserstoff": "Wasserstoffnetz",
    "eignung_dezentral": "Dezentrale Versorgung",
}
OVERVIEW = {
    col.AREA_ID: "Gebiet",
    "name": "Name",
    "buildings": "Gebäude",
    col.HEAT_DEMAND_MWH_PER_A: "Wärmebedarf [MWh/a]",
    col.LINE_DENSITY_KWH_PER_M_A: "Wärmeliniendichte [kWh/(m·a)]",
}


def area_years(areas: pd.DataFrame) -> list[int]:
    """Years with an ``area_type_<year>`` column, ascending (the last is the target year)."""
    years = []
    for column in areas.columns:
        head, _, tail = str(column).rpartition("_")
        if head == "area_type" and tail.isdigit():
            years.append(int(tail))
    if not years:
        raise ValueError("areas: no area_type_<year> columns; run `heatplan classify` first")
    return sorted(years)


def _label(labels: dict[str, str], value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return labels.get(str(value), value)


def areas_table(areas: pd.DataFrame) -> pd.DataFrame:
    """One row per area: indicators, type and likelihood per year, grades, explanation."""
    years = area_years(areas)
    target = years[-1]
    table = pd.DataFrame({label: areas[c] for c, label in OVERVIEW.items() if c in areas.columns})
    for year in years:
        table[f"Versorgungsart {year}"] = areas[f"area_type_{year}"].map(
            lambda v: _label(TYPE_DE, v)
        )
        if f"likelihood_{year}" in areas.columns:
            table[f"Wahrscheinlichkeit {year}"] = areas[f"likelihood_{year}"].map(
                lambda v: _label(GRADE_DE, v)
            )
    for column, label in SUITABILITY_DE.items():
        if f"{column}_{target}" in areas.columns:
            table[f"Eignung {label} {target}"] = areas[f"{column}_{target}"].map(
                lambda v: _label(GRADE_DE, v)
            )
    if "explanation" in areas.columns:
        table["Erläuterung"] = areas["explanation"]
    return table.reset_index(drop=True)


def no_data(column: str, value: Any) -> bool:
    """Whether ``value`` of ``column`` is missing because the project has no data for it."""
    return column in NO_DATA_COLUMNS and (value is None or bool(pd.isna(value)))


def area_indicators(row: pd.Series) -> pd.DataFrame:
    """The profile rows of one area: German label, value and unit of each indicator.

    An indicator of :data:`NO_DATA_COLUMNS` without a value is labelled
    ``"<label> (keine Daten im Projekt)"``: its value is unknown, not zero.
    """
    rows = [
        {
            "Kennzahl": f"{label} ({NO_DATA_DE})" if no_data(column, row[column]) else label,
            "Wert": row[column],
            "Einheit": unit,
        }
        for column, (label, unit) in AREA_INDICATORS.items()
        if column in row.index
    ]
    return pd.DataFrame(rows, columns=["Kennzahl", "Wert", "Einheit"])


def area_types(row: pd.Series, years: list[int]) -> pd.DataFrame:
    rows = [
        {
            "Jahr": year,
            "Versorgungsart": _label(TYPE_DE, row[f"area_type_{year}"]),
            "Wahrscheinlichkeit": _label(GRADE_DE, row.get(f"likelihood_{year}")),
        }
        for year in years
    ]
    return pd.DataFrame(rows)


def area_grades(row: pd.Series, target: int) -> pd.DataFrame:
    rows = [
        {"Versorgungsart": label, "Eignungsstufe": _label(GRADE_DE, row[f"{column}_{target}"])}
        for column, label in SUITABILITY_DE.items()
        if f"{column}_{target}" in row.index
    ]
    return pd.DataFrame(rows, columns=["Versorgungsart", "Eignungsstufe"])

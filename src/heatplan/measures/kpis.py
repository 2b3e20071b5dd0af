"""Implementation KPIs for the yearly report: computed from the store, reported, planned.

For a report year each KPI has up to four figures:

- ``computed``: what the project's data say now — heat-network km from the ``heat_networks``
  layer (imported existing networks), buildings supplied by district or waste heat and the GHG
  emissions of the stock from the inventory (``buildings``);
- ``reported``: the sum over measures of each measure's newest progress entry up to the end of
  the year;
- ``planned_by_measures``: the expected effects of the measures due by the end of the year
  (cancelled ones left out);
- ``pathway``: the target scenario (``scenario_indicators``) interpolated linearly between the
  base year (the inventory) and the snapshot years 2030/2035/2040/2045.

A figure whose input is missing is ``None`` and a note says which step makes it; nothing here
raises for a missing input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from heatplan.measures.records import Catalogue
from heatplan.measures.schema import PROGRESS_KPIS
from heatplan.plan import columns as col

NETWORK_CARRIERS = ("district_heat", "waste_heat")
LABELS_DE = {
    "network_km": ("Wärmenetz (Trassenlänge)", "km"),
    "buildings_connected": ("Gebäude am Wärmenetz", "Gebäude"),
    "heat_mwh_per_a": ("Wärme aus Maßnahmen", "MWh/a"),
    "co2_t_per_a": ("THG-Minderung aus Maßnahmen", "t CO2e/a"),
    "ghg_t_per_a": ("THG-Emissionen der Wärmeversorgung", "t CO2e/a"),
}
#: KPI -> (indicator, key) of the scenario table
PATHWAY = {
    "buildings_connected": ("heat_network_buildings", "buildings"),
    "ghg_t_per_a": ("ghg_emissions", "total"),
}


def _reported(catalogue: Catalogue, year_end: dt.date) -> dict[str, float | None]:
    """Per KPI: sum over measures of the newest reported value up to ``year_end``."""
    sums: dict[str, float | None] = dict.fromkeys(PROGRESS_KPIS)
    for measure_id in catalogue.measures:
        entries = [p for p in catalogue.progress_of(measure_id) if p.entry_date <= year_end]
        for kpi in PROGRESS_KPIS:
            values = [getattr(p, kpi) for p in entries if getattr(p, kpi) is not None]
            if values:
                sums[kpi] = (sums[kpi] or 0.0) + float(values[-1])
    return sums


def _planned(catalogue: Catalogue, year_end: dt.date) -> dict[str, float]:
    """Per KPI: expected effects of the measures to be completed by ``year_end``."""
    due = [
        m
        for m in catalogue.measures.values()
        if m.status != "cancelled" and m.completion_date and m.completion_date <= year_end
    ]
    return {
        kpi: float(sum(getattr(m, effect) or 0.0 for m in due))
        for kpi, effect in PROGRESS_KPIS.items()
    }


def _network_km(heat_networks: Any, notes: list[str]) -> float | None:
    if heat_networks is None or not hasattr(heat_networks, "geometry"):
        notes.append(
            "network_km: no existing heat network in the project "
            "(`heatplan import heat-network` brings it in); computed km is unknown"
        )
        return None
    return float(heat_networks.geometry.length.sum()) / 1000.0


def _designed_km(networks: pd.DataFrame | None) -> float | None:
    if networks is None or "trench_length_m" not in networks.columns:
        return None
    return float(pd.to_numeric(networks["trench_length_m"], errors="coerce").sum()) / 1000.0


def _from_buildings(buildings: pd.DataFrame | None, notes: list[str]) -> dict[str, float | None]:
    if buildings is None or col.CARRIER not in buildings.columns:
        notes.append("buildings_connected, ghg_t_per_a: run `heatplan inventory` first")
        return {"buildings_connected": None, "ghg_t_per_a": None}
    connected = float(buildings[col.CARRIER].isin(NETWORK_CARRIERS).sum())
    ghg = None
    if col.CO2_T_PER_A in buildings.columns:
        ghg = float(pd.to_numeric(buildings[col.CO2_T_PER_A], errors="coerce").sum())
    return {"buildings_connected": connected, "ghg_t_per_a": ghg}


def pathway_value(
    indicators: pd.DataFrame,
    *,
    variant: str,
    indicator: str,
    key: str,
    year: int,
    base: tuple[int, float] | None,
) -> float | None:
    """Scenario value for ``year``, linear between base year and snapshot years."""
    rows = indicators[
        (indicators["variant"] == variant)
        & (indicators["indicator"] == indicator)
        & (indicators["key"] == key)
    ]
    points = sorted(zip(rows["year"].astype(int), rows["value"].astype(float), strict=True))
    if base is not None and base[1] is not None and all(y != base[0] for y, _ in points):
        points = sorted([base, *points])
    if not points or year < points[0][0]:
        return None
    years, values = zip(*points, strict=True)
    return float(np.interp(year, years, values))


def _pathway(
    indicators: pd.DataFrame | None,
    variant: str | None,
    year: int,
    base_year: int,
    computed: dict[str, float | None],
    notes: list[str],
) -> tuple[str | None, dict[str, float | None]]:
    if indicators is None or indicators.empty:
        notes.append("pathway: run `heatplan scenario` first (no scenario_indicators)")
        return None, dict.fromkeys(PATHWAY)
    chosen = variant or str(indicators["variant"].iloc[0])
    if chosen not in set(indicators["variant"]):
        notes.append(f"pathway: no scenario variant {chosen!r}")
        return chosen, dict.fromkeys(PATHWAY)
    values = {}
    for kpi, (indicator, key) in PATHWAY.items():
        value = computed.get(kpi)
        base = (base_year, value) if value is not None else None
        values[kpi] = pathway_value(
            indicators, variant=chosen, indicator=indicator, key=key, year=year, base=base
        )
    return chosen, values


def kpi_report(
    year: int,
    *,
    catalogue: Catalogue,
    tables: dict[str, pd.DataFrame | None],
    base_year: int,
    variant: str | None = None,
) -> dict[str, Any]:
    """The KPIs of ``year`` (see the module docstring), with notes on what is missing."""
    notes: list[str] = []
    year_end = dt.date(year, 12, 31)
    computed: dict[str, float | None] = {
        "network_km": _network_km(tables.get("heat_networks"), notes),
        **_from_buildings(tables.get("buildings"), notes),
    }
    chosen, pathway = _pathway(
        tables.get("scenario_indicators"), variant, year, base_year, computed, notes
    )
    reported = _reported(catalogue, year_end)
    planned = _planned(catalogue, year_end)
    kpis = {}
    for kpi, (label, unit) in LABELS_DE.items():
        row: dict[str, Any] = {
            "label_de": label,
            "unit": unit,
            "computed": computed.get(kpi),
            "reported": reported.get(kpi),
            "planned_by_measures": planned.get(kpi),
            "pathway": pathway.get(kpi),
        }
        both = row["computed"] is not None and row["pathway"] is not None
        row["gap_to_pathway"] = row["computed"] - row["pathway"] if both else None
        kpis[kpi] = row
    kpis["network_km"]["designed"] = _designed_km(tables.get("networks"))
    return {"year": year, "variant": chosen, "base_year": base_year, "kpis": kpis, "notes": notes}

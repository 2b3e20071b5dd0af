"""Heat demand of buildings from metered consumption (VDI 3807-1 weather correction [1]_).

Which metered carriers count as heat
------------------------------------
All fuel and heat carriers of ``data/carriers.csv`` count (natural_gas, lpg, heating_oil,
hard_coal, lignite, biogas, wood, district_heat, waste_heat, solar_thermal, ambient_heat).
``electricity`` counts only for buildings listed in ``electric_heating_buildings`` (heat pump
or direct electric heating known from the heater register): household electricity meters
mostly measure appliances, not heat. ``unknown`` never counts.

References
----------
.. [1] VDI 3807 Blatt 1 (2013), key ``VDI3807``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from heatplan.demand.degree_days import climate_factor
from heatplan.plan import columns as col
from heatplan.reference import table

#: Number of most recent metering years averaged per building and carrier.
YEARS_AVERAGED = 3
_NOT_HEAT = ("electricity", "unknown")
#: Columns of :func:`measured_heat_demand`'s result.
MEASURED_COLUMNS = [
    "space_heating_kwh_per_a",
    "hot_water_kwh_per_a",
    col.HEAT_DEMAND_KWH_PER_A,
    col.FINAL_ENERGY_KWH_PER_A,
    col.CARRIER,
    "weather_corrected",
    "years_used",
]


def heating_carriers() -> list[str]:
    """Carriers whose metered final energy is counted as heating (see module notes)."""
    return [c for c in table("carriers.csv")[col.CARRIER] if c not in _NOT_HEAT]


def _heat_rows(consumption: pd.DataFrame, electric: set[str]) -> pd.DataFrame:
    rows = consumption[[col.BUILDING_ID, "year", col.CARRIER, "final_energy_kwh"]].copy()
    is_heat = rows[col.CARRIER].isin(heating_carriers()) | (
        rows[col.CARRIER].eq("electricity") & rows[col.BUILDING_ID].isin(electric)
    )
    rows = rows[is_heat]
    rows["year"] = pd.to_numeric(rows["year"], errors="coerce")
    # weather-normalised values (no year) are used only where no dated year exists
    dated = rows.groupby([col.BUILDING_ID, col.CARRIER])["year"].transform("count") > 0
    return rows[rows["year"].notna() | ~dated]


def _recent(rows: pd.DataFrame) -> pd.DataFrame:
    dated = rows.groupby([col.BUILDING_ID, col.CARRIER, "year"], as_index=False)[
        "final_energy_kwh"
    ].sum()
    undated = rows[rows["year"].isna()]  # normalised values: averaged, never summed
    per_year = pd.concat([dated, undated], ignore_index=True)
    per_year = per_year.sort_values("year", ascending=False, na_position="last")
    return per_year.groupby([col.BUILDING_ID, col.CARRIER]).head(YEARS_AVERAGED)


def _per_building(values: pd.Series | float, ids: pd.Series, name: str) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.reindex(ids.to_numpy()).to_numpy(float)
    if isinstance(values, int | float):
        return np.full(len(ids), float(values))
    raise TypeError(f"{name} must be a number or a Series indexed by building_id")


def _useful(
    recent: pd.DataFrame,
    efficiency: pd.Series | float,
    hdd_reference: float,
    hdd_by_year: dict[int, float],
    hot_water_share: pd.Series | float,
) -> pd.DataFrame:
    ids = recent[col.BUILDING_ID]
    useful = recent["final_energy_kwh"].to_numpy(float) * _per_building(
        efficiency, ids, "efficiency"
    )
    share = _per_building(hot_water_share, ids, "hot_water_share")
    hdd_year = (
        recent["year"]
        .map(lambda y: hdd_by_year.get(int(y), np.nan) if pd.notna(y) else np.nan)
        .to_numpy(float)
    )
    corrected = ~np.isnan(hdd_year)
    factor = np.where(
        corrected, climate_factor(hdd_reference, np.where(corrected, hdd_year, 1)), 1.0
    )
    out = recent.assign(
        hot_water_kwh_per_a=useful * share,
        space_heating_kwh_per_a=useful * (1 - share) * factor,
        corrected=corrected | recent["year"].isna(),
    )
    return out


def measured_heat_demand(
    consumption: pd.DataFrame,
    efficiency_by_building: pd.Series | float,
    hdd_reference: float,
    hdd_by_year: dict[int, float],
    hot_water_share: pd.Series | float,
    *,
    electric_heating_buildings: Iterable[str] = (),
) -> pd.DataFrame:
    """Useful heat demand per building from metered final energy.

    Parameters
    ----------
    consumption : DataFrame
        building_id, year (NaN = weather-normalised annual value), carrier, final_energy_kwh
        [kWh, net calorific value].
    efficiency_by_building : float or Series by building_id
        Useful heat per final energy of the heating system [-] (seasonal COP for heat pumps).
    hdd_reference : float
        Degree days G20/15 of the reference climate (TRY) [K·d].
    hdd_by_year : dict
        Degree days G20/15 of metering years [K·d]; years missing here stay uncorrected.
    hot_water_share : float or Series by building_id
        Share of hot water in useful heat [-], e.g. TABULA q_w_nd / (q_h_nd + q_w_nd).
    electric_heating_buildings : iterable of str
        Buildings whose 'electricity' rows are heating (heat pump, direct electric).

    Returns
    -------
    DataFrame indexed by building_id
        space_heating_kwh_per_a, hot_water_kwh_per_a, heat_demand_kwh_per_a,
        final_energy_kwh_per_a [kWh/a], carrier (largest final energy), weather_corrected
        (every used year corrected or normalised), years_used (most years of any carrier).
        Each carrier contributes the mean of its most recent 3 years; carriers are summed.
    """
    rows = _recent(_heat_rows(consumption, set(electric_heating_buildings)))
    useful = _useful(rows, efficiency_by_building, hdd_reference, hdd_by_year, hot_water_share)
    per_carrier = useful.groupby([col.BUILDING_ID, col.CARRIER]).agg(
        space_heating_kwh_per_a=("space_heating_kwh_per_a", "mean"),
        hot_water_kwh_per_a=("hot_water_kwh_per_a", "mean"),
        final_energy_kwh_per_a=("final_energy_kwh", "mean"),
        weather_corrected=("corrected", "all"),
        years_used=("final_energy_kwh", "count"),
    )
    return _combine(per_carrier)


def _combine(per_carrier: pd.DataFrame) -> pd.DataFrame:
    grouped = per_carrier.groupby(level=col.BUILDING_ID)
    out = grouped[
        ["space_heating_kwh_per_a", "hot_water_kwh_per_a", col.FINAL_ENERGY_KWH_PER_A]
    ].sum(min_count=1)
    out[col.HEAT_DEMAND_KWH_PER_A] = out["space_heating_kwh_per_a"] + out["hot_water_kwh_per_a"]
    main = per_carrier[col.FINAL_ENERGY_KWH_PER_A].groupby(level=col.BUILDING_ID).idxmax()
    out[col.CARRIER] = [key[1] for key in main]
    out["weather_corrected"] = grouped["weather_corrected"].all().astype(bool)
    out["years_used"] = grouped["years_used"].max().astype(int)
    return out[MEASURED_COLUMNS]

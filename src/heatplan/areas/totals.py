"""Municipal totals of the Bestandsanalyse (WPG Anlage 2), as one long table.

Inputs are the buildings columns described in :mod:`heatplan.areas.indicators`; the optional
``heater_type`` (main heater type, code of data/heater_types.csv) breaks the decentral generators
down by type. Totals are not masked; see WPG §10 Abs. 2 before publishing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatplan.areas.reference import (
    UNKNOWN,
    carriers_table,
    check_columns,
    checked_codes,
    with_unknown,
)
from heatplan.demand.carrier_prior import PRIOR_SOURCE, carrier_breakdown
from heatplan.plan import columns as col

__all__ = ["DIMENSIONS", "PRIOR_SUFFIX", "municipality_totals"]

#: Ending of the indicators estimated from Zensus carrier shares (internal, never public).
PRIOR_SUFFIX = "_zensus_prior"

#: Breakdown columns of the long table; ``'all'`` marks a total over that dimension.
DIMENSIONS = (col.CARRIER, "sector", "heater_type")
_COLUMNS = ["indicator", *DIMENSIONS, "value", "unit"]


def _long(values: pd.Series, indicator: str, unit: str) -> pd.DataFrame:
    """Long rows from a Series indexed by a subset of :data:`DIMENSIONS` (or a plain index)."""
    frame = values.rename("value").reset_index()
    for column in DIMENSIONS:
        if column not in frame:
            frame[column] = "all"
    frame["indicator"], frame["unit"] = indicator, unit
    return frame[_COLUMNS]


def _total(value: float, indicator: str, unit: str) -> pd.DataFrame:
    """One row with the total over every dimension."""
    return _long(pd.Series([float(value)]), indicator, unit)


def _normalised(buildings: pd.DataFrame) -> pd.DataFrame:
    """Carrier, heater type and sector with 'unknown' for missing values; unknown codes raise.

    A frame without ``heater_type`` is treated as having only unknown heater types.
    """
    heater_type = buildings.get("heater_type", pd.Series(UNKNOWN, index=buildings.index))
    return buildings.assign(
        generators=pd.to_numeric(buildings["generators"]),
        carrier=checked_codes(buildings[col.CARRIER], col.CARRIER),
        heater_type=checked_codes(heater_type, "heater_type"),
        sector=with_unknown(buildings["sector"]),
    )


def _generator_rows(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Decentral generators by carrier and heater type, by carrier, by type and in total."""
    heat_network = frame[col.CARRIER].map(carriers_table()["network"]).eq("heat")
    decentral = frame[~heat_network]
    counts = decentral.groupby([col.CARRIER, "heater_type"])["generators"].sum()
    name, unit = "decentral_generators", "count"
    return [
        _long(counts, name, unit),
        _long(counts.groupby(level=col.CARRIER).sum(), name, unit),
        _long(counts.groupby(level="heater_type").sum(), name, unit),
        _total(float(counts.sum()), name, unit),
    ]


def _energy_rows(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Final energy, CO2e, renewable share and grid-bound heat."""
    carriers = carriers_table()
    energy = frame.groupby([col.CARRIER, "sector"])[col.FINAL_ENERGY_KWH_PER_A].sum()
    by_carrier = energy.groupby(level=col.CARRIER).sum()
    co2 = frame.groupby(col.CARRIER)[col.CO2_T_PER_A].sum()
    total_kwh = float(by_carrier.sum())
    renewable = by_carrier[carriers.loc[by_carrier.index, "renewable"].to_numpy()].sum()
    heat_network = carriers.loc[by_carrier.index, "network"].eq("heat").to_numpy()
    return [
        _long(energy, "final_energy", "kWh/a"),
        _long(by_carrier, "final_energy", "kWh/a"),
        _long(energy.groupby(level="sector").sum(), "final_energy", "kWh/a"),
        _total(total_kwh, "final_energy", "kWh/a"),
        _long(co2, "co2e", "t/a"),
        _total(float(co2.sum()), "co2e", "t/a"),
        _total(renewable / total_kwh if total_kwh else np.nan, "renewable_share", "1"),
        _long(by_carrier[heat_network], "grid_bound_heat", "kWh/a"),
    ]


def _prior_rows(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """The part of the carrier breakdown that is the Zensus prior, by carrier (estimated)."""
    source = frame.get(col.CARRIER_SOURCE, pd.Series(UNKNOWN, index=frame.index))
    prior = frame[source.eq(PRIOR_SOURCE)]
    if prior.empty:
        return []
    by_carrier = prior.groupby(col.CARRIER)
    heat_network = carriers_table()["network"].eq("heat")
    decentral = prior[~prior[col.CARRIER].map(heat_network).fillna(False).astype(bool)]
    return [
        _long(by_carrier[col.FINAL_ENERGY_KWH_PER_A].sum(), f"final_energy{PRIOR_SUFFIX}", "kWh/a"),
        _long(by_carrier[col.CO2_T_PER_A].sum(), f"co2e{PRIOR_SUFFIX}", "t/a"),
        *_prior_generators(decentral.groupby([col.CARRIER, "heater_type"])["generators"].sum()),
    ]


def _prior_generators(counts: pd.Series) -> list[pd.DataFrame]:
    """Expected generators of the prior by carrier and heater type, by carrier, by type."""
    name, unit = f"decentral_generators{PRIOR_SUFFIX}", "count"
    return [
        _long(counts, name, unit),
        _long(counts.groupby(level=col.CARRIER).sum(), name, unit),
        _long(counts.groupby(level="heater_type").sum(), name, unit),
    ]


def municipality_totals(buildings: pd.DataFrame) -> pd.DataFrame:
    """Municipal totals of the Anlage 2 inventory, long format.

    Parameters
    ----------
    buildings : DataFrame
        ``final_energy_kwh_per_a`` [kWh/a], ``carrier``, ``sector``, ``co2_t_per_a`` [t/a],
        ``generators`` [count], ``heat_demand_kwh_per_a`` [kWh/a] and optionally
        ``heater_type`` (missing column: all unknown).

    Returns
    -------
    DataFrame
        Columns ``indicator``, ``carrier``, ``sector``, ``heater_type``, ``value``, ``unit``.
        ``'all'`` in a dimension column marks a total over that dimension. Indicators:
        ``final_energy`` (by carrier and sector, by carrier, by sector, total) [kWh/a],
        ``co2e`` (by carrier, total) [t/a], ``renewable_share`` [-] of final energy,
        ``grid_bound_heat`` (carriers with ``network == 'heat'``) [kWh/a],
        ``decentral_generators`` (carriers not delivered by a heat network; by carrier and heater
        type, by carrier, by heater type, total) [count], ``buildings`` and
        ``buildings_without_demand`` [count], ``heat_demand`` (known) [kWh/a].
        These count each building under its own carrier (measured or registered). Residential
        buildings without a carrier of their own are distributed over their Zensus cell's
        carrier shares (expected values, :mod:`heatplan.demand.carrier_prior`) in separate,
        estimated rows by carrier: ``final_energy_zensus_prior`` [kWh/a],
        ``co2e_zensus_prior`` [t/a] and ``decentral_generators_zensus_prior`` [count, also by
        heater type]; the
        carrier breakdown of the town is the sum of both. The estimated rows are never public
        (:mod:`heatplan.publish.inventory` leaves them out).

    Raises
    ------
    ValueError
        If a column is missing or a carrier or heater type is not a code of the reference data.
    """
    check_columns(buildings, [col.FINAL_ENERGY_KWH_PER_A, col.CARRIER, "sector", col.CO2_T_PER_A])
    check_columns(buildings, ["generators", col.HEAT_DEMAND_KWH_PER_A])
    frame = _normalised(buildings)
    breakdown = carrier_breakdown(buildings) if len(buildings) else frame
    demand = frame[col.HEAT_DEMAND_KWH_PER_A]
    rows = [
        *_energy_rows(frame),
        *_generator_rows(frame),
        *_prior_rows(breakdown),
        _total(len(frame), "buildings", "count"),
        _total(demand.isna().sum(), "buildings_without_demand", "count"),
        _total(demand.sum(), "heat_demand", "kWh/a"),
    ]
    rows = [part.astype({"value": float}) for part in rows if len(part)]
    return pd.concat(rows, ignore_index=True)

"""Aggregates for the inventory maps and tables of WPG Anlage 2 (Bestandsanalyse).

Buildings frames carry ``building_id``, ``heat_demand_kwh_per_a`` (NaN = unknown, counted
separately, never filled), ``final_energy_kwh_per_a``, ``carrier`` (code of data/carriers.csv or
``'unknown'``), ``co2_t_per_a``, ``generators``, ``heater_type`` (main heater, code of
data/heater_types.csv or ``'unknown'``; optional), ``use``, ``age_class``, ``sector`` and the
assignment keys ``block_id`` / ``segment_id`` / ``grid_id``. A building without a key (NaN) is
counted in no area; a key that is not in the area frame raises. The functions here do not mask
small groups; apply the aggregation rules of WPG §10 Abs. 2 (>= 5 buildings) before publishing.
Municipal totals (:func:`municipality_totals`) live in :mod:`heatplan.areas.totals`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.areas.reference import (
    UNKNOWN,
    carriers_table,
    check_columns,
    checked_codes,
    density_classes,
    line_density_guide_kwh_per_m_a,
    with_unknown,
)
from heatplan.areas.totals import municipality_totals
from heatplan.plan import columns as col

__all__ = [
    "block_indicators",
    "carriers_table",
    "grid_indicators",
    "heat_density_class",
    "municipality_totals",
    "segment_indicators",
]

_KWH_PER_MWH = 1000.0
_M2_PER_HA = 10_000.0


def heat_density_class(heat_density_mwh_per_ha_a: pd.Series) -> pd.Series:
    """KEA-BW heat density class of each value (data/heat_density_classes.csv).

    Parameters
    ----------
    heat_density_mwh_per_ha_a : pandas.Series
        Heat density [MWh/(ha·a)].

    Returns
    -------
    pandas.Series of str
        Class code; lower bounds inclusive; NaN stays NaN.

    Examples
    --------
    >>> heat_density_class(pd.Series([0.0, 70.0, 500.0, 2000.0])).tolist()
    ['no_network_potential', 'new_build_networks', 'conventional_networks', 'very_high']
    """
    classes = density_classes()
    edges = [
        *classes["min_mwh_per_ha_a"].astype(float),
        float(classes["max_mwh_per_ha_a"].iloc[-1]),
    ]
    labels = pd.cut(
        heat_density_mwh_per_ha_a, bins=edges, labels=list(classes["class"]), right=False
    )
    return labels.astype(object).where(labels.notna(), np.nan).rename("heat_density_class")


def _demand_sums(buildings: pd.DataFrame, key: str) -> pd.DataFrame:
    """Known heat demand, building count and count without demand per ``key``."""
    demand = buildings[col.HEAT_DEMAND_KWH_PER_A]
    grouped = pd.DataFrame(
        {key: buildings[key], col.HEAT_DEMAND_KWH_PER_A: demand, "unknown": demand.isna()}
    ).groupby(key)
    return pd.DataFrame(
        {
            col.HEAT_DEMAND_KWH_PER_A: grouped[col.HEAT_DEMAND_KWH_PER_A].sum(min_count=0),
            "buildings": grouped.size(),
            "buildings_without_demand": grouped["unknown"].sum(),
        }
    )


def _join(areas: gpd.GeoDataFrame, key: str, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Left-join ``table`` onto ``areas``; areas without buildings get zeros.

    Raises if a key of ``table`` is not an area: its buildings would silently drop out.
    """
    missing = pd.Index(table.index).difference(pd.Index(areas[key].unique()))
    if len(missing):
        raise ValueError(
            f"{len(missing)} {key} values of the buildings are not in the area frame "
            f"(e.g. {missing[0]!r}); assign buildings to these areas again"
        )
    out = areas.merge(table, left_on=key, right_index=True, how="left")
    counts = [col.HEAT_DEMAND_KWH_PER_A, "buildings", "buildings_without_demand"]
    present = [column for column in counts if column in out]
    out[present] = out[present].astype(float).fillna(0.0)
    for column in ("buildings", "buildings_without_demand"):
        if column in out:
            out[column] = out[column].astype("int64")
    return out


def _predominant(buildings: pd.DataFrame, key: str, column: str) -> pd.Series:
    """Most frequent value per area; 'unknown' if unknown is at least as frequent or none known.

    Ties among known values go to the alphabetically first value.
    """
    values = pd.DataFrame({key: buildings[key], column: with_unknown(buildings[column])})
    counts = values.groupby([key, column]).size().rename("n").reset_index()
    known = counts[counts[column] != UNKNOWN].sort_values(
        [key, "n", column], ascending=[True, False, True]
    )
    top = known.drop_duplicates(key).set_index(key)
    unknown_n = counts[counts[column] == UNKNOWN].set_index(key)["n"]
    top_n = top["n"].reindex(counts[key].unique(), fill_value=0)
    result = top[column].reindex(top_n.index)
    dominated = unknown_n.reindex(top_n.index, fill_value=0) >= top_n
    return result.where(~dominated & result.notna(), UNKNOWN).rename(f"predominant_{column}")


def _carrier_shares(buildings: pd.DataFrame, key: str) -> pd.DataFrame:
    """Share of each carrier in the final energy per area [-] (NaN where no final energy)."""
    energy = pd.DataFrame(
        {
            key: buildings[key],
            col.CARRIER: checked_codes(buildings[col.CARRIER], col.CARRIER),
            "e": buildings[col.FINAL_ENERGY_KWH_PER_A],
        }
    )
    table = energy.pivot_table(index=key, columns=col.CARRIER, values="e", aggfunc="sum").fillna(0)
    shares = table.div(table.sum(axis=1).replace(0, np.nan), axis=0)
    return shares.add_prefix("share_")


def _generator_counts(buildings: pd.DataFrame, key: str) -> pd.DataFrame:
    """Number of generators per area, in total and by carrier."""
    counts = pd.DataFrame(
        {
            key: buildings[key],
            col.CARRIER: checked_codes(buildings[col.CARRIER], col.CARRIER),
            "n": pd.to_numeric(buildings["generators"]).fillna(0),
        }
    )
    by_carrier = counts.pivot_table(index=key, columns=col.CARRIER, values="n", aggfunc="sum")
    by_carrier = by_carrier.fillna(0).astype("int64").add_prefix("generators_")
    by_carrier.insert(0, "generators", by_carrier.sum(axis=1))
    return by_carrier


def block_indicators(buildings: pd.DataFrame, blocks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Indicators per building block for the Anlage 2 inventory maps.

    Parameters
    ----------
    buildings : DataFrame
        Buildings with ``block_id`` and the columns listed in the module docstring.
    blocks : GeoDataFrame
        ``block_id``, ``area_ha`` [ha], geometry.

    Returns
    -------
    GeoDataFrame
        ``blocks`` plus ``heat_demand_kwh_per_a`` [kWh/a], ``heat_density_mwh_per_ha_a``
        [MWh/(ha·a)], ``heat_density_class``, ``buildings``, ``buildings_without_demand``,
        ``share_<carrier>`` [-] of final energy, ``generators`` and ``generators_<carrier>``,
        ``predominant_use`` and ``predominant_age_class``.

    Raises
    ------
    ValueError
        If a column is missing, a carrier is not a code of data/carriers.csv, or a ``block_id``
        of the buildings is not in ``blocks``.
    """
    needed = [col.BLOCK_ID, col.HEAT_DEMAND_KWH_PER_A, col.FINAL_ENERGY_KWH_PER_A, col.CARRIER]
    check_columns(buildings, [*needed, "generators", col.USE, "age_class"])
    parts = [
        _demand_sums(buildings, col.BLOCK_ID),
        _carrier_shares(buildings, col.BLOCK_ID),
        _generator_counts(buildings, col.BLOCK_ID),
        _predominant(buildings, col.BLOCK_ID, col.USE),
        _predominant(buildings, col.BLOCK_ID, "age_class"),
    ]
    out = _join(blocks, col.BLOCK_ID, pd.concat(parts, axis=1))
    generator_columns = [c for c in out.columns if c.startswith("generators")]
    out[generator_columns] = out[generator_columns].astype(float).fillna(0.0).astype("int64")
    for column in ("predominant_use", "predominant_age_class"):
        out[column] = out[column].fillna(UNKNOWN)
    out[col.HEAT_DENSITY_MWH_PER_HA_A] = (
        out[col.HEAT_DEMAND_KWH_PER_A] / _KWH_PER_MWH / out["area_ha"]
    )
    out["heat_density_class"] = heat_density_class(out[col.HEAT_DENSITY_MWH_PER_HA_A])
    return out


def segment_indicators(buildings: pd.DataFrame, segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Heat line density per street segment (WPG §3 Abs. 1 Nr. 16).

    Returns
    -------
    GeoDataFrame
        ``segments`` plus ``heat_demand_kwh_per_a`` [kWh/a], ``buildings``,
        ``buildings_without_demand``, ``line_density_kwh_per_m_a`` [kWh/(m·a)] and
        ``above_line_density_guide`` (>= 1,500 kWh/(m·a), data/line_density_guide.csv).
    """
    check_columns(buildings, [col.SEGMENT_ID, col.HEAT_DEMAND_KWH_PER_A])
    out = _join(segments, col.SEGMENT_ID, _demand_sums(buildings, col.SEGMENT_ID))
    out[col.LINE_DENSITY_KWH_PER_M_A] = out[col.HEAT_DEMAND_KWH_PER_A] / out["length_m"]
    guide = line_density_guide_kwh_per_m_a()
    out["above_line_density_guide"] = out[col.LINE_DENSITY_KWH_PER_M_A] >= guide
    return out


def grid_indicators(buildings: pd.DataFrame, cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Heat demand and heat density per grid cell.

    Returns
    -------
    GeoDataFrame
        ``cells`` plus ``heat_demand_kwh_per_a`` [kWh/a], ``buildings``,
        ``buildings_without_demand`` and ``heat_density_mwh_per_ha_a`` [MWh/(ha·a)] (cell area
        from the equal-area grid geometry).
    """
    check_columns(buildings, [col.GRID_ID, col.HEAT_DEMAND_KWH_PER_A])
    out = _join(cells, col.GRID_ID, _demand_sums(buildings, col.GRID_ID))
    area_ha = out.geometry.area / _M2_PER_HA
    out[col.HEAT_DENSITY_MWH_PER_HA_A] = out[col.HEAT_DEMAND_KWH_PER_A] / _KWH_PER_MWH / area_ha
    return out

"""Aggregates for the inventory maps and tables of WPG Anlage 2 (Bestandsanalyse).

Buildings frames carry ``building_id``, ``heat_demand_kwh_per_a`` (NaN = unknown, counted
separately, never filled), ``final_energy_kwh_per_a``, ``carrier`` (code of data/carriers.csv or
``'unknown'``), ``co2_t_per_a``, ``generators``, ``use``, ``age_class``, ``sector`` and the
assignment keys ``block_id`` / ``segment_id`` / ``grid_id``. The functions here do not mask small
groups; apply the aggregation rules of WPG §10 Abs. 2 (>= 5 buildings) before publishing.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = [
    "block_indicators",
    "carriers_table",
    "grid_indicators",
    "heat_density_class",
    "municipality_totals",
    "segment_indicators",
]

UNKNOWN = "unknown"
_KWH_PER_MWH = 1000.0


def _read_data(name: str) -> pd.DataFrame:
    """Read a reference table shipped in ``heatplan.data``."""
    with files("heatplan.data").joinpath(name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle)


@cache
def carriers_table() -> pd.DataFrame:
    """Energy carriers (data/carriers.csv), indexed by ``carrier``."""
    table = _read_data("carriers.csv").set_index("carrier")
    table["renewable"] = table["renewable"].astype(str).str.lower().eq("true")
    return table


@cache
def _density_classes() -> pd.DataFrame:
    return _read_data("heat_density_classes.csv")


@cache
def _line_density_guide_kwh_per_m_a() -> float:
    table = _read_data("line_density_guide.csv").set_index("indicator")
    return float(table.loc["line_density_guide", "value"])


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
    classes = _density_classes()
    edges = [
        *classes["min_mwh_per_ha_a"].astype(float),
        float(classes["max_mwh_per_ha_a"].iloc[-1]),
    ]
    labels = pd.cut(
        heat_density_mwh_per_ha_a, bins=edges, labels=list(classes["class"]), right=False
    )
    return labels.astype(object).where(labels.notna(), np.nan).rename("heat_density_class")


def _check_columns(buildings: pd.DataFrame, needed: list[str]) -> None:
    missing = [column for column in needed if column not in buildings.columns]
    if missing:
        raise ValueError(f"buildings lack the columns {missing}; add them or assign areas first")


def _demand_sums(buildings: pd.DataFrame, key: str) -> pd.DataFrame:
    """Known heat demand, building count and count without demand per ``key``."""
    demand = buildings["heat_demand_kwh_per_a"]
    grouped = pd.DataFrame(
        {key: buildings[key], "heat_demand_kwh_per_a": demand, "unknown": demand.isna()}
    ).groupby(key)
    return pd.DataFrame(
        {
            "heat_demand_kwh_per_a": grouped["heat_demand_kwh_per_a"].sum(min_count=0),
            "buildings": grouped.size(),
            "buildings_without_demand": grouped["unknown"].sum(),
        }
    )


def _join(areas: gpd.GeoDataFrame, key: str, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Left-join ``table`` onto ``areas``; areas without buildings get zeros."""
    out = areas.merge(table, left_on=key, right_index=True, how="left")
    counts = ["heat_demand_kwh_per_a", "buildings", "buildings_without_demand"]
    present = [column for column in counts if column in out]
    out[present] = out[present].fillna(0)
    for column in ("buildings", "buildings_without_demand"):
        if column in out:
            out[column] = out[column].astype("int64")
    return out


def _with_unknown(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), UNKNOWN).astype(str)


def _predominant(buildings: pd.DataFrame, key: str, column: str) -> pd.Series:
    """Most frequent value per area; 'unknown' if unknown is at least as frequent or none known.

    Ties among known values go to the alphabetically first value.
    """
    values = pd.DataFrame({key: buildings[key], column: _with_unknown(buildings[column])})
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
            "carrier": _with_unknown(buildings["carrier"]),
            "e": buildings["final_energy_kwh_per_a"],
        }
    )
    table = energy.pivot_table(index=key, columns="carrier", values="e", aggfunc="sum").fillna(0)
    shares = table.div(table.sum(axis=1).replace(0, np.nan), axis=0)
    return shares.add_prefix("share_")


def _generator_counts(buildings: pd.DataFrame, key: str) -> pd.DataFrame:
    """Number of generators per area, in total and by carrier."""
    counts = pd.DataFrame(
        {
            key: buildings[key],
            "carrier": _with_unknown(buildings["carrier"]),
            "n": buildings["generators"].fillna(0),
        }
    )
    by_carrier = counts.pivot_table(index=key, columns="carrier", values="n", aggfunc="sum")
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
    """
    needed = ["block_id", "heat_demand_kwh_per_a", "final_energy_kwh_per_a", "carrier"]
    _check_columns(buildings, [*needed, "generators", "use", "age_class"])
    parts = [
        _demand_sums(buildings, "block_id"),
        _carrier_shares(buildings, "block_id"),
        _generator_counts(buildings, "block_id"),
        _predominant(buildings, "block_id", "use"),
        _predominant(buildings, "block_id", "age_class"),
    ]
    out = _join(blocks, "block_id", pd.concat(parts, axis=1))
    generator_columns = [c for c in out.columns if c.startswith("generators")]
    out[generator_columns] = out[generator_columns].fillna(0).astype("int64")
    for column in ("predominant_use", "predominant_age_class"):
        out[column] = out[column].fillna(UNKNOWN)
    out["heat_density_mwh_per_ha_a"] = out["heat_demand_kwh_per_a"] / _KWH_PER_MWH / out["area_ha"]
    out["heat_density_class"] = heat_density_class(out["heat_density_mwh_per_ha_a"])
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
    _check_columns(buildings, ["segment_id", "heat_demand_kwh_per_a"])
    out = _join(segments, "segment_id", _demand_sums(buildings, "segment_id"))
    out["line_density_kwh_per_m_a"] = out["heat_demand_kwh_per_a"] / out["length_m"]
    guide = _line_density_guide_kwh_per_m_a()
    out["above_line_density_guide"] = out["line_density_kwh_per_m_a"] >= guide
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
    _check_columns(buildings, ["grid_id", "heat_demand_kwh_per_a"])
    out = _join(cells, "grid_id", _demand_sums(buildings, "grid_id"))
    area_ha = out.geometry.area / 10_000.0
    out["heat_density_mwh_per_ha_a"] = out["heat_demand_kwh_per_a"] / _KWH_PER_MWH / area_ha
    return out


def _long(values: pd.Series, indicator: str, unit: str) -> pd.DataFrame:
    """Long rows from a Series indexed by (carrier, sector) or a subset of them."""
    frame = values.rename("value").reset_index()
    for column in ("carrier", "sector"):
        if column not in frame:
            frame[column] = "all"
    frame["indicator"], frame["unit"] = indicator, unit
    return frame[["indicator", "carrier", "sector", "value", "unit"]]


def _normalised(buildings: pd.DataFrame) -> pd.DataFrame:
    """Carrier and sector with 'unknown' for missing values; unknown carrier codes raise."""
    frame = buildings.assign(
        carrier=_with_unknown(buildings["carrier"]), sector=_with_unknown(buildings["sector"])
    )
    unknown_codes = sorted(set(frame["carrier"]) - set(carriers_table().index))
    if unknown_codes:
        raise ValueError(f"carriers {unknown_codes} are not in data/carriers.csv; map them first")
    return frame


def municipality_totals(buildings: pd.DataFrame) -> pd.DataFrame:
    """Municipal totals of the Anlage 2 inventory, long format.

    Returns
    -------
    DataFrame
        Columns ``indicator``, ``carrier``, ``sector``, ``value``, ``unit``. ``'all'`` in
        ``carrier`` or ``sector`` marks a total over that dimension. Indicators:
        ``final_energy`` (by carrier and sector, by carrier, by sector, total) [kWh/a],
        ``co2e`` (by carrier, total) [t/a], ``renewable_share`` [-] of final energy,
        ``grid_bound_heat`` (carriers with ``network == 'heat'``) [kWh/a],
        ``decentral_generators`` (by carrier, carriers not delivered by a heat network) [count],
        ``buildings`` and ``buildings_without_demand`` [count], ``heat_demand`` (known) [kWh/a].
    """
    _check_columns(buildings, ["final_energy_kwh_per_a", "carrier", "sector", "co2_t_per_a"])
    _check_columns(buildings, ["generators", "heat_demand_kwh_per_a"])
    frame = _normalised(buildings)
    carriers = carriers_table()
    energy = frame.groupby(["carrier", "sector"])["final_energy_kwh_per_a"].sum()
    by_carrier = energy.groupby(level="carrier").sum()
    co2 = frame.groupby("carrier")["co2_t_per_a"].sum()
    total_kwh = float(by_carrier.sum())
    renewable = by_carrier[carriers.loc[by_carrier.index, "renewable"].to_numpy()].sum()
    heat_network = carriers.loc[by_carrier.index, "network"].eq("heat").to_numpy()
    generators = frame[~frame["carrier"].map(carriers["network"]).eq("heat")]
    rows = [
        _long(energy, "final_energy", "kWh/a"),
        _long(by_carrier, "final_energy", "kWh/a"),
        _long(energy.groupby(level="sector").sum(), "final_energy", "kWh/a"),
        _long(pd.Series([total_kwh]), "final_energy", "kWh/a"),
        _long(co2, "co2e", "t/a"),
        _long(pd.Series([float(co2.sum())]), "co2e", "t/a"),
        _long(pd.Series([renewable / total_kwh if total_kwh else np.nan]), "renewable_share", "1"),
        _long(by_carrier[heat_network], "grid_bound_heat", "kWh/a"),
        _long(generators.groupby("carrier")["generators"].sum(), "decentral_generators", "count"),
        _long(pd.Series([float(len(frame))]), "buildings", "count"),
        _long(
            pd.Series([float(frame["heat_demand_kwh_per_a"].isna().sum())]),
            "buildings_without_demand",
            "count",
        ),
        _long(pd.Series([float(frame["heat_demand_kwh_per_a"].sum())]), "heat_demand", "kWh/a"),
    ]
    return pd.concat(rows, ignore_index=True).astype({"value": float})

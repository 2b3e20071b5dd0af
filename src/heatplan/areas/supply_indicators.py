"""Indicators of supply areas: demand, densities, building and age mix, networks, potentials.

Inputs are frames, not the store: ``buildings`` with an ``area_id`` per building (assigned by
block or by representative point), the ``street_segments`` of the inventory, existing network
lines and the ``potentials`` layer. Demand is conserved: the areas' heat demand sums to the
buildings' (and so to the blocks') known demand. Aggregates are not masked (WPG §10 (2)).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.areas.indicators import heat_density_class
from heatplan.areas.reference import UNKNOWN, carriers_table, check_columns, with_unknown
from heatplan.plan import columns as col
from heatplan.reference import parameter

__all__ = [
    "NETWORK_POTENTIAL_KINDS",
    "area_indicators",
    "assign_by_point",
    "nearest_potentials",
    "network_lengths",
    "segment_areas",
]

PARAMETERS = "area_parameters.csv"
#: Potential kinds (heatplan.stages.potentials) a heat network can use; roof, ground and air
#: potentials serve single buildings and biomass residues have no site.
NETWORK_POTENTIAL_KINDS = ("sewage_plant_effluent", "sewer", "industrial_waste_heat")
_KWH_PER_MWH = 1000.0
_M2_PER_HA = 10_000.0


def assign_by_point(frame: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> tuple[pd.Series, int]:
    """``area_id`` of the area holding each row's representative point, and how many lay outside.

    Points outside every area go to the nearest one (smallest ``area_id`` on ties), as
    :func:`heatplan.areas.assign.assign_to_blocks` does for blocks; the count says how many.
    """
    if frame.empty:
        return pd.Series([], index=frame.index, name=col.AREA_ID, dtype=object), 0
    points = gpd.GeoDataFrame(
        {"_row": np.arange(len(frame))},
        geometry=frame.geometry.representative_point().to_numpy(),
        crs=frame.crs,
    )
    target = areas[[col.AREA_ID, "geometry"]].assign(area_id=areas[col.AREA_ID].astype(str))
    inside = gpd.sjoin(points, target, predicate="intersects")[["_row", col.AREA_ID]]
    missing = points[~points["_row"].isin(inside["_row"])]
    if len(missing):
        nearest = gpd.sjoin_nearest(missing, target)[["_row", col.AREA_ID]]
        inside = pd.concat([inside, nearest], ignore_index=True)
    first = inside.sort_values(["_row", col.AREA_ID]).drop_duplicates("_row").set_index("_row")
    values = first[col.AREA_ID].reindex(range(len(frame))).to_numpy()
    return pd.Series(values, index=frame.index, name=col.AREA_ID), len(missing)


def segment_areas(
    segments: gpd.GeoDataFrame, buildings: pd.DataFrame, areas: gpd.GeoDataFrame
) -> pd.Series:
    """Area of every street segment: where most of its buildings' demand lies.

    A segment serving buildings of several areas goes to the area with the largest demand on it
    (then most buildings, then smallest ``area_id``); a segment without buildings to the area
    nearest its midpoint.
    """
    served = pd.DataFrame(
        {
            col.SEGMENT_ID: buildings[col.SEGMENT_ID],
            col.AREA_ID: buildings[col.AREA_ID].astype(str),
            "demand": pd.to_numeric(buildings[col.HEAT_DEMAND_KWH_PER_A], errors="coerce"),
        }
    ).dropna(subset=[col.SEGMENT_ID])
    sums = served.groupby([col.SEGMENT_ID, col.AREA_ID]).agg(
        demand=("demand", "sum"), n=("demand", "size")
    )
    best = sums.reset_index().sort_values(
        [col.SEGMENT_ID, "demand", "n", col.AREA_ID], ascending=[True, False, False, True]
    )
    by_buildings = best.drop_duplicates(col.SEGMENT_ID).set_index(col.SEGMENT_ID)[col.AREA_ID]
    result = segments[col.SEGMENT_ID].map(by_buildings)
    empty = result.isna()
    if empty.any() and not areas.empty:
        middle = segments.loc[empty].geometry.interpolate(0.5, normalized=True)
        nearest, _ = assign_by_point(gpd.GeoDataFrame(geometry=middle, crs=segments.crs), areas)
        result.loc[empty] = nearest.to_numpy()
    return result.rename(col.AREA_ID)


def network_lengths(areas: gpd.GeoDataFrame, lines: gpd.GeoDataFrame | None) -> np.ndarray:
    """Length of network lines inside each area [m].

    0 where the layer has no line in the area (a known absence); NaN in every area when the
    project has no such layer (``lines`` is None): the length is unknown, not zero.
    """
    if lines is None:
        return np.full(len(areas), np.nan)
    out = np.zeros(len(areas))
    if lines.empty:
        return out
    shapes, pipes = areas.geometry.to_numpy(), lines.geometry.to_numpy()
    area_idx, line_idx = shapely.STRtree(pipes).query(shapes, predicate="intersects")
    lengths = shapely.length(shapely.intersection(shapes[area_idx], pipes[line_idx]))
    np.add.at(out, area_idx, lengths)
    return out


def nearest_potentials(
    areas: gpd.GeoDataFrame, potentials: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Distance [m] (0 inside) to and kind of the nearest usable network potential per area.

    Usable: a kind of :data:`NETWORK_POTENTIAL_KINDS`, not ``excluded``, with heat > 0.
    Without one: NaN and None.
    """
    distance = np.full(len(areas), np.nan)
    kinds = np.full(len(areas), None, dtype=object)
    if potentials is None or potentials.empty:
        return distance, kinds
    usable = potentials[potentials["kind"].isin(NETWORK_POTENTIAL_KINDS)]
    if "excluded" in usable:
        usable = usable[~usable["excluded"].fillna(False).astype(bool)]
    usable = usable[pd.to_numeric(usable["heat_mwh_per_a"], errors="coerce").fillna(0) > 0]
    if usable.empty:
        return distance, kinds
    tree = shapely.STRtree(usable.geometry.to_numpy())
    (area_idx, pot_idx), dist = tree.query_nearest(areas.geometry.to_numpy(), return_distance=True)
    first = pd.DataFrame({"a": area_idx, "p": pot_idx, "d": dist}).drop_duplicates("a")
    distance[first["a"]] = first["d"]
    kinds[first["a"]] = usable["kind"].to_numpy()[first["p"]]
    return distance, kinds


def _predominant(values: pd.Series, groups: pd.Series) -> pd.Series:
    """Most frequent known value per group; 'unknown' if unknown is at least as frequent."""
    frame = pd.DataFrame({"g": groups.to_numpy(), "v": with_unknown(values).to_numpy()})
    counts = frame.groupby(["g", "v"]).size().rename("n").reset_index()
    known = counts[counts["v"] != UNKNOWN].sort_values(
        ["g", "n", "v"], ascending=[True, False, True]
    )
    top = known.drop_duplicates("g").set_index("g")
    unknown = counts[counts["v"] == UNKNOWN].set_index("g")["n"]
    groups_all = pd.Index(counts["g"].unique())
    top_n = top["n"].reindex(groups_all, fill_value=0)
    result = top["v"].reindex(groups_all)
    dominated = unknown.reindex(groups_all, fill_value=0) >= top_n
    return result.where(~dominated & result.notna(), UNKNOWN)


def _demand_share(buildings: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """Share of the known heat demand of each area on buildings where ``mask`` holds [-]."""
    demand = pd.to_numeric(buildings[col.HEAT_DEMAND_KWH_PER_A], errors="coerce").fillna(0.0)
    frame = pd.DataFrame(
        {"g": buildings[col.AREA_ID], "all": demand, "part": demand.where(mask, 0)}
    )
    sums = frame.groupby("g")[["all", "part"]].sum()
    return sums["part"] / sums["all"].where(sums["all"] > 0)


def _building_table(buildings: pd.DataFrame) -> pd.DataFrame:
    """Counts, demand, use and age mix, large consumers and gas share per area."""
    demand = pd.to_numeric(buildings[col.HEAT_DEMAND_KWH_PER_A], errors="coerce")
    group = buildings[col.AREA_ID].astype(str)
    sector = with_unknown(_column(buildings, "sector"))
    known_sector = sector != UNKNOWN
    households = pd.DataFrame({"g": group, "h": sector.eq("households"), "k": known_sector})
    mix = households.groupby("g")[["h", "k"]].sum()
    large = demand.fillna(0) >= parameter(PARAMETERS, "large_consumer_mwh_per_a") * _KWH_PER_MWH
    on_gas = (
        with_unknown(_column(buildings, col.CARRIER)).map(carriers_table()["network"]).eq("gas")
    )
    table = pd.DataFrame(
        {
            "buildings": group.value_counts(),
            "buildings_without_demand": demand.isna().groupby(group).sum(),
            col.HEAT_DEMAND_MWH_PER_A: demand.groupby(group).sum(min_count=0) / _KWH_PER_MWH,
            "share_residential": mix["h"] / mix["k"].where(mix["k"] > 0),
            "predominant_use": _predominant(_column(buildings, col.USE), group),
            "predominant_age_class": _predominant(_column(buildings, "age_class"), group),
            "share_large_consumers": _demand_share(buildings, large),
            "share_gas": _demand_share(buildings, on_gas),
        }
    )
    table.index = table.index.astype(str)
    return table


def _column(buildings: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``buildings``, or all missing when it has none."""
    if name in buildings:
        return buildings[name]
    return pd.Series(np.nan, index=buildings.index, dtype=object)


def _segment_table(segments: gpd.GeoDataFrame, of_segment: pd.Series) -> pd.DataFrame:
    """Street length and line density (over segments that serve buildings) per area."""
    demand = pd.to_numeric(segments[col.HEAT_DEMAND_KWH_PER_A], errors="coerce").fillna(0.0)
    serving = pd.to_numeric(segments.get("buildings", demand > 0), errors="coerce").fillna(0) > 0
    frame = pd.DataFrame(
        {
            "g": of_segment.to_numpy(),
            "length": segments["length_m"].to_numpy(float),
            "served_length": segments["length_m"].where(serving, 0.0).to_numpy(float),
            "demand": demand.to_numpy(),
        }
    )
    sums = frame.groupby("g")[["length", "served_length", "demand"]].sum()
    return pd.DataFrame(
        {
            "street_length_m": sums["length"],
            col.LINE_DENSITY_KWH_PER_M_A: sums["demand"]
            / sums["served_length"].where(sums["served_length"] > 0),
        }
    )


def area_indicators(
    areas: gpd.GeoDataFrame,
    buildings: pd.DataFrame,
    *,
    segments: gpd.GeoDataFrame | None = None,
    gas_networks: gpd.GeoDataFrame | None = None,
    heat_networks: gpd.GeoDataFrame | None = None,
    potentials: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Indicators of every supply area.

    Parameters
    ----------
    areas : GeoDataFrame
        ``area_id`` and polygons (projected CRS [m]).
    buildings : DataFrame
        ``area_id``, ``heat_demand_kwh_per_a`` [kWh/a] (NaN = unknown); optional ``sector``,
        ``use``, ``age_class``, ``carrier`` and ``segment_id``.
    segments : GeoDataFrame, optional
        ``segment_id``, ``length_m`` [m], ``heat_demand_kwh_per_a`` [kWh/a], ``buildings``.
    gas_networks, heat_networks : GeoDataFrame, optional
        Existing network lines; without the layer the area's network length is unknown (NaN).
    potentials : GeoDataFrame, optional
        The ``potentials`` layer (``kind``, ``heat_mwh_per_a``, ``excluded``).

    Returns
    -------
    GeoDataFrame
        ``areas`` plus ``buildings``, ``buildings_without_demand``, ``heat_demand_mwh_per_a``
        [MWh/a], ``area_ha`` [ha], ``heat_density_mwh_per_ha_a`` [MWh/(ha·a)],
        ``heat_density_class``, ``line_density_kwh_per_m_a`` [kWh/(m·a): demand of the area's
        segments / length of those that serve buildings], ``street_length_m`` [m],
        ``share_residential`` [-] of buildings of known sector, ``predominant_use``,
        ``predominant_age_class``, ``share_large_consumers`` and ``share_gas`` [-] of demand,
        ``gas_network_m``, ``heat_network_m`` [m] (NaN without the network layer),
        ``nearest_potential_m`` [m] and
        ``nearest_potential_kind``.
    """
    check_columns(buildings, [col.AREA_ID, col.HEAT_DEMAND_KWH_PER_A])
    ids = areas[col.AREA_ID].astype(str)
    unknown = sorted(set(buildings[col.AREA_ID].dropna().astype(str)) - set(ids))
    if unknown:
        raise ValueError(f"buildings name areas {unknown[:3]} that are not in the areas frame")
    out = areas.copy()
    table = _building_table(buildings.dropna(subset=[col.AREA_ID])).reindex(ids.to_numpy())
    for column in ("buildings", "buildings_without_demand"):
        out[column] = table[column].fillna(0).astype("int64").to_numpy()
    out[col.HEAT_DEMAND_MWH_PER_A] = table[col.HEAT_DEMAND_MWH_PER_A].fillna(0.0).to_numpy()
    for column in ("share_residential", "share_large_consumers", "share_gas"):
        out[column] = table[column].astype(float).to_numpy()
    for column in ("predominant_use", "predominant_age_class"):
        out[column] = table[column].fillna(UNKNOWN).astype(str).to_numpy()
    out["area_ha"] = out.geometry.area / _M2_PER_HA
    out[col.HEAT_DENSITY_MWH_PER_HA_A] = out[col.HEAT_DEMAND_MWH_PER_A] / out["area_ha"]
    out["heat_density_class"] = heat_density_class(out[col.HEAT_DENSITY_MWH_PER_HA_A]).to_numpy()
    out = _with_segments(out, ids, buildings, segments)
    out["gas_network_m"] = network_lengths(out, gas_networks)
    out["heat_network_m"] = network_lengths(out, heat_networks)
    out["nearest_potential_m"], out["nearest_potential_kind"] = nearest_potentials(out, potentials)
    return out


def _with_segments(
    out: gpd.GeoDataFrame,
    ids: pd.Series,
    buildings: pd.DataFrame,
    segments: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    if segments is None or segments.empty or col.SEGMENT_ID not in buildings:
        out["street_length_m"] = 0.0
        out[col.LINE_DENSITY_KWH_PER_M_A] = np.nan
        return out
    of_segment = segment_areas(segments, buildings, out)
    table = _segment_table(segments, of_segment).reindex(ids.to_numpy())
    out["street_length_m"] = table["street_length_m"].fillna(0.0).to_numpy()
    out[col.LINE_DENSITY_KWH_PER_M_A] = table[col.LINE_DENSITY_KWH_PER_M_A].to_numpy()
    return out

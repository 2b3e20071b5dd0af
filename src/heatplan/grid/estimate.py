"""An estimated LV grid for a town without grid data: German reference grids per supply area.

Each supply area (buildings outside every area form one group of their own) gets the
reference grid of its settlement type (``grid_reference_networks.csv``: the Kerber 2011
Land-/Dorf-/Vorstadtnetz and the Dickert et al. 2013 feeders of apartment buildings that
pandapower ships, chosen by the area's mean dwellings per building and its buildings per
hectare). The grid is scaled to the area's buildings: as many copies (transformers) as the
buildings need when each copy takes at most its own number of house connections; the
buildings, ordered west to east, are split evenly over the copies and, inside a copy, spread
evenly over its house connections in the order of the reference grid's loads (feeder by
feeder, near to far), so a half-filled copy still reaches the end of its feeders.

The reference grids have no coordinates: a house connection takes its building's point, every
other bus the centre of the copy's buildings (a drawing only; cable lengths are the reference
grid's). Every result of a check on it is flagged ``grid_source = estimate``.

How good is it? On Schutterwald, whose real grid the demo carries, the estimate (every house
with a heat pump) needs 245,000 EUR of reinforcement against 1.22 million EUR on the real grid,
its lowest voltages are 0.93-0.98 pu against 0.82-0.92 pu: the reference grids have more
transformer power and shorter feeders per house than that town. Read an estimate as optimistic
(the report says so).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.areas.assign import assign_areas
from heatplan.errors import HeatplanError
from heatplan.grid.loads import households
from heatplan.grid.model import BUS_ID, LINE_ID, TRAFO_ID, LvGrid, from_pandapower
from heatplan.plan import columns as col
from heatplan.reference import table

REFERENCE = "grid_reference_networks.csv"
#: ``grid_source`` of a check on an imported grid and on an estimate.
IMPORTED, ESTIMATE = "imported", "estimate"
#: Area of a group of buildings outside every supply area: their convex hull buffered by [m].
OUTSIDE_BUFFER_M = 20.0
_DICKERT = ("feeders_range", "linetype", "customer", "case")


@dataclass(frozen=True)
class Estimate:
    """The estimated grid, each building's connection bus (``link``: building_id, bus_id,
    distance_m) and per supply area the rule's choice (``choice``: area_id, buildings,
    buildings_per_ha, dwellings_per_building, settlement_type, reference_network, copies)."""

    grid: LvGrid
    link: pd.DataFrame
    choice: pd.DataFrame


def reference_table() -> pd.DataFrame:
    """The rule rows of ``grid_reference_networks.csv`` in the order they are tried."""
    return table(REFERENCE, as_text=True)


def settlement_type(dwellings_per_building: float, buildings_per_ha: float) -> pd.Series:
    """The first rule row whose minimums the area reaches (the last row takes every area)."""
    rules = reference_table()
    for _, row in rules.iterrows():
        if dwellings_per_building >= float(row["dwellings_per_building_min"]) and (
            buildings_per_ha >= float(row["buildings_per_ha_min"])
        ):
            return row
    return rules.iloc[-1]


def reference_net(rule: pd.Series):
    """The pandapower reference net a rule row names."""
    import pandapower.networks as pn

    name = str(rule["network"])
    if not (name.startswith("create_kerber_") or name == "create_dickert_lv_network"):
        raise HeatplanError(f"{REFERENCE}: unknown reference network {name!r}")
    kwargs = {k: str(rule[k]) for k in _DICKERT if name == "create_dickert_lv_network"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(pn, name)(**kwargs)


def _groups(buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame | None) -> pd.Series:
    if areas is None or not len(areas):
        return pd.Series("", index=buildings.index)
    found = assign_areas(buildings[[col.BUILDING_ID, "geometry"]], areas)[col.AREA_ID]
    return pd.Series(found.fillna("").astype(str).to_numpy(), index=buildings.index)


def _area_ha(group: str, points: gpd.GeoSeries, areas: gpd.GeoDataFrame | None) -> float:
    if group and areas is not None:
        shape = areas.loc[areas[col.AREA_ID].astype(str) == group].geometry.union_all()
        return float(shape.area) / 1e4
    return float(points.union_all().convex_hull.buffer(OUTSIDE_BUFFER_M).area) / 1e4


def _copy(
    net, points: gpd.GeoSeries, ids: np.ndarray, *, crs: str, label: str, offset: int
) -> tuple[LvGrid, pd.DataFrame]:
    """One copy of ``net`` for the buildings at ``points`` (ids ``ids``); bus and line ids
    shifted by ``offset``."""
    load_bus = net.load.loc[net.load["in_service"], "bus"].to_numpy()
    slot = np.round(np.linspace(0, load_bus.size - 1, len(ids))).astype(int)
    centre = points.union_all().centroid
    at = gpd.GeoSeries([centre] * len(net.bus), index=net.bus.index, crs=crs)
    at.loc[load_bus[slot]] = points.to_numpy()
    grid = from_pandapower(net, crs=crs, points=at)
    shift = lambda frame, names: frame.assign(**{n: frame[n] + offset for n in names})  # noqa: E731
    names = (
        [label] if len(grid.trafos) == 1 else [f"{label}/{k + 1}" for k in range(len(grid.trafos))]
    )
    trafos = grid.trafos.assign(**{TRAFO_ID: names})
    grid = LvGrid(
        shift(grid.buses, [BUS_ID]),
        shift(grid.lines, [LINE_ID, "from_bus", "to_bus"]),
        shift(trafos, ["lv_bus"]),
        shift(grid.loads, [BUS_ID]),
    )
    link = pd.DataFrame({col.BUILDING_ID: ids, BUS_ID: load_bus[slot] + offset, "distance_m": 0.0})
    return grid, link


def estimate(buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame | None) -> Estimate:
    """The estimated LV grid of ``buildings`` per supply area of ``areas`` (module doc)."""
    if buildings.empty:
        raise HeatplanError("no buildings: the grid estimate needs them")
    crs = str(buildings.crs)
    group = _groups(buildings, areas)
    count = pd.Series(households(buildings), index=buildings.index)
    points = buildings.geometry.representative_point()
    grids, links, rows, offset = [], [], [], 0
    for name in sorted(group.unique()):
        member = group.index[group.eq(name)]
        at = points.loc[member]
        area_ha = _area_ha(name, at, areas)
        density = len(member) / area_ha if area_ha > 0 else math.inf
        rule = settlement_type(float(count.loc[member].mean()), density)
        net = reference_net(rule)
        per_copy = int(net.load["in_service"].sum())
        copies = math.ceil(len(member) / per_copy)
        order = at.x.sort_values(kind="stable").index
        for k, part in enumerate(np.array_split(order.to_numpy(), copies)):
            grid, link = _copy(
                net,
                at.loc[part],
                buildings.loc[part, col.BUILDING_ID].to_numpy(),
                crs=crs,
                label=f"{name or 'outside'} {rule['settlement_type']} {k + 1}",
                offset=offset,
            )
            offset = int(grid.buses[BUS_ID].max()) + 1
            grids.append(grid)
            links.append(link)
        rows.append(
            {
                col.AREA_ID: name,
                "buildings": len(member),
                "buildings_per_ha": density,
                "dwellings_per_building": float(count.loc[member].mean()),
                "settlement_type": str(rule["settlement_type"]),
                "reference_network": str(rule["network"]),
                "copies": copies,
            }
        )
    return Estimate(_concat(grids, crs), pd.concat(links, ignore_index=True), pd.DataFrame(rows))


def _concat(grids: list[LvGrid], crs: str) -> LvGrid:
    def join(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)

    return LvGrid(
        join([g.buses for g in grids]),
        join([g.lines for g in grids]),
        join([g.trafos for g in grids]),
        join([g.loads for g in grids]),
    )

"""Schutterwald's streets from its real low-voltage grid (pandapower ``lv_schutterwald``).

Kisse et al. (2020, Energies 13:4052) laid the town's low-voltage grid and gas network for the
same 1,506 houses along its streets. The LV grid (3,000 cable sections, 62 km) reaches every
street with houses, the gas mains only a third of them (10.5 km), so the LV cables are the
better street proxy. The derivation:

1. every cable section as a line from its ``geo`` (GeoJSON, WGS84 lon/lat, EPSG:4326),
   reprojected to the project CRS;
2. the house connections go: the 1,506 sections ending in a load bus (each load bus has exactly
   one cable, the last one to the house; all of type NAYY 4x50, 29.3 km);
3. of cables that run side by side in one street (several feeders, or a cable on each side of
   the road), only one stays: a section whose interior lies within ``lv_parallel_merge_m`` of
   another remaining section is dropped, shortest first (exact duplicates are the case at 0 m);
4. where dropping cut the cable graph apart, a short connector (at most twice that distance)
   links a bus the dropped section shared with kept ones to the nearest kept section of another
   part, so the streets stay one network;
5. a cable end that meets no other cable is linked to the nearest other one within twice that
   distance: neighbouring feeders end a few metres apart in a street that runs on (116 of 162
   such ends; the others are real dead ends).

The result is street centre lines up to a few metres off the true axis: good enough for line
density, the route and the house connections, not for surveying.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.reference import parameter

LV_CRS = "EPSG:4326"  # bus and line ``geo`` of pandapower's lv_schutterwald (lon/lat)
PARAMETERS = "demo_parameters.csv"
#: Interior sample points of a cable section (fractions of its length) for the parallel test.
SAMPLE_FRACTIONS = np.linspace(0.05, 0.95, 19)


def load_lv_net():
    """pandapower's low-voltage grid of Schutterwald (Kisse et al. 2020), shipped offline."""
    import pandapower.networks as pn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pn.lv_schutterwald()


def lv_cables(net, *, crs: str) -> gpd.GeoDataFrame:
    """Every LV cable section: line_id, from_bus, to_bus, std_type, service (ends in a load
    bus), geometry in ``crs`` drawn from the from-bus to the to-bus.

    191 street sections of the file end up to 12 m away from their buses; their end vertices
    are moved onto the bus positions, so sections that share a bus meet.
    """
    lines = net.line
    load_buses = set(net.load["bus"].to_numpy().tolist())
    drawn = gpd.GeoSeries([shapely.from_geojson(text) for text in lines["geo"]], crs=LV_CRS)
    buses = bus_points(net, crs=crs)
    geometry = _onto_buses(
        drawn.to_crs(crs).to_numpy(),
        buses.loc[lines["from_bus"]].to_numpy(),
        buses.loc[lines["to_bus"]].to_numpy(),
    )
    return gpd.GeoDataFrame(
        {
            "line_id": [f"L{i}" for i in lines.index],
            "from_bus": lines["from_bus"].to_numpy(),
            "to_bus": lines["to_bus"].to_numpy(),
            "std_type": lines["std_type"].astype(str).to_numpy(),
            "service": (
                lines["from_bus"].isin(load_buses) | lines["to_bus"].isin(load_buses)
            ).to_numpy(bool),
        },
        geometry=geometry,
        crs=crs,
    )


def _onto_buses(lines: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``lines`` oriented from ``start`` to ``end`` with their end vertices on those points."""
    first, last = shapely.get_point(lines, 0), shapely.get_point(lines, -1)
    flipped = shapely.distance(first, start) + shapely.distance(last, end) > shapely.distance(
        first, end
    ) + shapely.distance(last, start)
    lines = np.where(flipped, shapely.reverse(lines), lines)
    coords, index = shapely.get_coordinates(lines, return_index=True)
    count = np.bincount(index, minlength=lines.size)
    stop = np.cumsum(count) - 1
    coords[stop - count + 1] = shapely.get_coordinates(start)
    coords[stop] = shapely.get_coordinates(end)
    return np.asarray(shapely.linestrings(coords, indices=index), dtype=object)


def bus_points(net, *, crs: str) -> gpd.GeoSeries:
    """Bus positions in ``crs``, indexed by bus."""
    points = [shapely.from_geojson(text) for text in net.bus["geo"]]
    return gpd.GeoSeries(points, index=net.bus.index, crs=LV_CRS).to_crs(crs)


def parallel_sections(geometry: np.ndarray, merge_m: float) -> np.ndarray:
    """Mask of sections to drop: interior within ``merge_m`` of another kept one (shortest
    first, so of two side-by-side sections the longer stays)."""
    alive = np.ones(geometry.size, dtype=bool)
    tree = shapely.STRtree(geometry)
    for i in np.argsort(shapely.length(geometry), kind="stable"):
        near = tree.query(geometry[i], predicate="dwithin", distance=merge_m)
        near = near[alive[near] & (near != i)]
        if near.size == 0:
            continue
        samples = shapely.line_interpolate_point(geometry[i], SAMPLE_FRACTIONS, normalized=True)
        gap_m = np.min([shapely.distance(samples, geometry[j]) for j in near], axis=0)
        alive[i] = not bool(np.all(gap_m <= merge_m))
    return ~alive


def connectors(
    cables: gpd.GeoDataFrame, dropped: np.ndarray, buses: gpd.GeoSeries, reach_m: float
) -> np.ndarray:
    """Lines that rejoin what dropping sections cut apart: from a bus that a dropped section
    shared with kept ones to the nearest kept section (within ``reach_m``) of another part of
    the kept cable graph; one line per pair of parts joined."""
    kept = cables[~dropped].reset_index(drop=True)
    part = _Parts(kept)
    lost = set(cables.loc[dropped, "from_bus"]) | set(cables.loc[dropped, "to_bus"])
    geometry = kept.geometry.to_numpy()
    tree = shapely.STRtree(geometry)
    links = []
    for bus in sorted(lost & set(part.parent)):
        point = buses.loc[bus]
        near = tree.query(point, predicate="dwithin", distance=reach_m)
        near = near[[part.find(kept["from_bus"].iloc[j]) != part.find(bus) for j in near]]
        if near.size:
            best = int(near[np.argmin(shapely.distance(point, geometry[near]))])
            links.append(shapely.shortest_line(point, geometry[best]))
            part.join(bus, kept["from_bus"].iloc[best])
    return np.asarray(links, dtype=object)


def dead_end_links(geometry: np.ndarray, reach_m: float) -> np.ndarray:
    """Lines from each line end that touches no other line (within 1 m) to the nearest other
    line within ``reach_m``: the gaps between the cable ends of neighbouring feeders, which
    the street between them does not have."""
    ends = np.concatenate([shapely.get_point(geometry, 0), shapely.get_point(geometry, -1)])
    owner = np.tile(np.arange(geometry.size), 2)
    tree = shapely.STRtree(geometry)
    end, line = tree.query(ends, predicate="dwithin", distance=reach_m)
    other = owner[end] != line
    end, line = end[other], line[other]
    gap_m = shapely.distance(ends[end], geometry[line])
    touching = np.zeros(ends.size, dtype=bool)
    touching[end[gap_m <= 1.0]] = True
    open_end = ~touching[end]
    order = np.lexsort((gap_m[open_end], end[open_end]))
    first = np.unique(end[open_end][order], return_index=True)[1]
    chosen = np.flatnonzero(open_end)[order[first]]
    return np.asarray(
        shapely.shortest_line(ends[end[chosen]], geometry[line[chosen]]), dtype=object
    )


class _Parts:
    """Connected parts of the kept cable graph (buses joined by sections), union-find."""

    def __init__(self, kept: gpd.GeoDataFrame) -> None:
        self.parent = {bus: bus for bus in pd.concat([kept["from_bus"], kept["to_bus"]])}
        for a, b in zip(kept["from_bus"], kept["to_bus"], strict=True):
            self.join(a, b)

    def find(self, bus: int) -> int:
        root = bus
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[bus] != root:
            self.parent[bus], bus = root, self.parent[bus]
        return root

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def street_lines(net, *, crs: str) -> gpd.GeoDataFrame:
    """The street proxy: LV cables without house connections and side-by-side duplicates,
    plus the connectors that keep it one network.

    Columns ``street_id`` (the cable's ``L<index>``, ``C<n>`` for a connector), ``origin``
    ('lv_cable' | 'connector'), ``length_m`` and geometry in ``crs``.
    """
    merge_m = parameter(PARAMETERS, "lv_parallel_merge_m")
    cables = lv_cables(net, crs=crs)
    cables = cables[~cables["service"]].reset_index(drop=True)
    dropped = parallel_sections(cables.geometry.to_numpy(), merge_m)
    links = connectors(cables, dropped, bus_points(net, crs=crs), 2.0 * merge_m)
    links = np.concatenate(
        [
            links,
            dead_end_links(
                np.concatenate([cables.geometry.to_numpy()[~dropped], links]), 2.0 * merge_m
            ),
        ]
    )
    kept = cables.loc[~dropped, "line_id"].tolist()
    geometry = np.concatenate([cables.geometry.to_numpy()[~dropped], links])
    return gpd.GeoDataFrame(
        {
            "street_id": [*kept, *(f"C{i}" for i in range(links.size))],
            "origin": ["lv_cable"] * len(kept) + ["connector"] * links.size,
            "length_m": shapely.length(geometry),
        },
        geometry=geometry,
        crs=crs,
    )

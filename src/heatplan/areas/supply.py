"""Supply areas (voraussichtliche Wärmeversorgungsgebiete, WPG §18) merged from building blocks.

Blocks are the nodes of an adjacency graph: two blocks are neighbours when they lie within a
tolerance of each other (data/area_parameters.csv ``adjacency_tolerance_m``), unless the path from
one block through their contact zone to the other crosses a barrier line (rail, river, main road):
then the edge is cut and no area ever spans the barrier.

Neighbouring clusters are merged greedily by Ward's minimum-variance criterion restricted to the
graph (spatially constrained agglomerative clustering; Ward 1963, J. Am. Stat. Assoc. 58:236):
the cost of merging clusters *a* and *b* with areas w and mean features μ is
``w_a w_b / (w_a + w_b) * ||μ_a - μ_b||²``. The features of a block are its KEA-BW heat-density
class, its line density in guide values and whether heat and gas networks run in it, each with a
weight from the data table. Merging stops at ``target_count`` areas or when every further merge
would exceed ``max_area_ha``. Every block lands in exactly one area, every area is connected in
the graph, and the ids (A01, A02, ...) follow the descending heat demand.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.areas.indicators import heat_density_class
from heatplan.areas.reference import density_classes, line_density_guide_kwh_per_m_a
from heatplan.areas.segments import check_projected
from heatplan.plan import columns as col
from heatplan.reference import parameter, table

__all__ = [
    "agglomerate",
    "area_ids",
    "barrier_road_classes",
    "block_adjacency",
    "block_features",
    "block_line_density",
    "build_areas",
    "dissolve_areas",
]

PARAMETERS = "area_parameters.csv"
_M2_PER_HA = 10_000.0
#: Half-width of the contact zone of touching blocks: a thin strip whose interior point lies
#: in the middle of the shared border (a border line's own interior point may be its end) [m].
_CONTACT_M = 1e-3
#: Weight given to a block without area, so Ward's formula stays defined [ha].
_MIN_WEIGHT_HA = 1e-9


def _param(key: str) -> float:
    return parameter(PARAMETERS, key)


def barrier_road_classes() -> list[str]:
    """Road classes that are barriers (data/area_parameters.csv ``barrier_road_classes``)."""
    rows = table(PARAMETERS, as_text=True).set_index("parameter")
    return [c.strip() for c in str(rows.loc["barrier_road_classes", "value"]).split(";") if c]


# --- graph ---------------------------------------------------------------------------------
def block_adjacency(
    geometries: np.ndarray, *, tolerance_m: float, barriers: np.ndarray | None = None
) -> np.ndarray:
    """Pairs of neighbouring blocks that no barrier separates.

    Parameters
    ----------
    geometries : numpy.ndarray of Polygon
        Block polygons in a projected CRS [m].
    tolerance_m : float
        Blocks closer than this are neighbours [m].
    barriers : numpy.ndarray of LineString, optional
        Barrier lines; an edge is cut when the path from one block's representative point
        through the middle of the contact zone to the other's touches a barrier.

    Returns
    -------
    numpy.ndarray of int, shape (m, 2)
        Edges ``(i, j)`` with ``i < j`` (positions in ``geometries``), sorted.
    """
    if tolerance_m < 0:
        raise ValueError(f"tolerance_m must be >= 0, got {tolerance_m}")
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="dwithin", distance=tolerance_m)
    keep = left < right
    edges = np.unique(np.stack([left[keep], right[keep]], axis=1), axis=0).reshape(-1, 2)
    if barriers is None or len(barriers) == 0 or len(edges) == 0:
        return edges
    paths = _contact_paths(geometries, edges, tolerance_m)
    hit, _ = shapely.STRtree(barriers).query(paths, predicate="intersects")
    return edges[~np.isin(np.arange(len(edges)), hit)]


def _contact_paths(geometries: np.ndarray, edges: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Lines representative point -> middle of the contact zone -> representative point."""
    grown = shapely.buffer(geometries, max(tolerance_m / 2.0, _CONTACT_M))
    zones = shapely.intersection(grown[edges[:, 0]], grown[edges[:, 1]])
    middle = shapely.get_coordinates(shapely.point_on_surface(zones))
    points = shapely.get_coordinates(shapely.point_on_surface(geometries))
    coords = np.stack([points[edges[:, 0]], middle, points[edges[:, 1]]], axis=1)
    return shapely.linestrings(coords)


# --- features ------------------------------------------------------------------------------
def block_line_density(buildings: pd.DataFrame, segments: pd.DataFrame) -> pd.Series:
    """Demand-weighted line density of the street segments a block's buildings lie on.

    Parameters
    ----------
    buildings : DataFrame
        ``block_id``, ``segment_id`` and ``heat_demand_kwh_per_a`` [kWh/a].
    segments : DataFrame
        ``segment_id`` and ``line_density_kwh_per_m_a`` [kWh/(m·a)].

    Returns
    -------
    pandas.Series
        Line density per ``block_id`` [kWh/(m·a)]; blocks without known demand are absent.
    """
    density = segments.set_index(col.SEGMENT_ID)[col.LINE_DENSITY_KWH_PER_M_A]
    demand = pd.to_numeric(buildings[col.HEAT_DEMAND_KWH_PER_A], errors="coerce").fillna(0.0)
    seen = buildings[col.SEGMENT_ID].map(density)
    frame = pd.DataFrame(
        {col.BLOCK_ID: buildings[col.BLOCK_ID], "w": demand.where(seen.notna(), 0.0), "x": seen}
    )
    frame = frame.assign(wx=frame["w"] * frame["x"].fillna(0.0))
    sums = frame.groupby(col.BLOCK_ID)[["w", "wx"]].sum()
    return (
        (sums["wx"] / sums["w"].where(sums["w"] > 0)).dropna().rename(col.LINE_DENSITY_KWH_PER_M_A)
    )


def _network_flags(
    geometries: np.ndarray, lines: gpd.GeoDataFrame | None, tolerance_m: float
) -> np.ndarray:
    """1.0 where a network line runs within ``tolerance_m`` of the block, else 0.0."""
    flags = np.zeros(len(geometries))
    if lines is None or lines.empty:
        return flags
    found, _ = shapely.STRtree(lines.geometry.to_numpy()).query(
        geometries, predicate="dwithin", distance=tolerance_m
    )
    flags[np.unique(found)] = 1.0
    return flags


def block_features(
    blocks: gpd.GeoDataFrame,
    *,
    line_density_kwh_per_m_a: pd.Series | None = None,
    heat_networks: gpd.GeoDataFrame | None = None,
    gas_networks: gpd.GeoDataFrame | None = None,
    tolerance_m: float = 0.0,
) -> np.ndarray:
    """Weighted features of every block: density class, line density, heat and gas network.

    Returns
    -------
    numpy.ndarray, shape (n, 4)
        Rows in the order of ``blocks``; each column multiplied by its ``merge_weight_*`` so
        that squared Euclidean distances are the weighted dissimilarities.
    """
    demand_mwh = pd.to_numeric(blocks[col.HEAT_DEMAND_KWH_PER_A], errors="coerce").fillna(0) / 1e3
    density = demand_mwh / blocks["area_ha"].where(blocks["area_ha"] > 0)
    order = {code: i for i, code in enumerate(density_classes()["class"])}
    classes = heat_density_class(density.fillna(0.0)).map(order).to_numpy(float)
    if line_density_kwh_per_m_a is None:
        line = np.zeros(len(blocks))
    else:
        by_block = blocks[col.BLOCK_ID].map(line_density_kwh_per_m_a)
        line = by_block.fillna(0.0).to_numpy(float) / line_density_guide_kwh_per_m_a()
    geometries = blocks.geometry.to_numpy()
    columns = [
        classes * _param("merge_weight_heat_density_class"),
        line * _param("merge_weight_line_density"),
        _network_flags(geometries, heat_networks, tolerance_m)
        * _param("merge_weight_heat_network"),
        _network_flags(geometries, gas_networks, tolerance_m) * _param("merge_weight_gas_network"),
    ]
    return np.stack(columns, axis=1)


# --- agglomeration -------------------------------------------------------------------------
@dataclass
class _Clusters:
    """Union of blocks under Ward merging; a cluster is named by its smallest member."""

    mean: np.ndarray
    weight: np.ndarray
    version: np.ndarray
    alive: np.ndarray
    neighbours: list[set[int]]
    heap: list[tuple[float, float, int, int, int, int]] = field(default_factory=list)

    def cost(self, a: int, b: int) -> float:
        wa, wb = self.weight[a], self.weight[b]
        diff = self.mean[a] - self.mean[b]
        return float(wa * wb / (wa + wb) * diff @ diff)

    def push(self, a: int, b: int, max_weight: float) -> None:
        a, b = min(a, b), max(a, b)
        total = float(self.weight[a] + self.weight[b])
        if total <= max_weight:
            entry = (self.cost(a, b), total, a, b, int(self.version[a]), int(self.version[b]))
            heapq.heappush(self.heap, entry)

    def merge(self, a: int, b: int) -> None:
        """Fold ``b`` into ``a`` (a < b)."""
        wa, wb = self.weight[a], self.weight[b]
        self.mean[a] = (wa * self.mean[a] + wb * self.mean[b]) / (wa + wb)
        self.weight[a] = wa + wb
        self.alive[b] = False
        self.version[a] += 1
        for other in self.neighbours[b]:
            self.neighbours[other].discard(b)
            if other != a:
                self.neighbours[other].add(a)
                self.neighbours[a].add(other)
        self.neighbours[a].discard(b)
        self.neighbours[b] = set()


def agglomerate(
    edges: np.ndarray,
    features: np.ndarray,
    weights: np.ndarray,
    *,
    target_count: int | None = None,
    max_weight: float | None = None,
) -> np.ndarray:
    """Spatially constrained Ward clustering: merge graph neighbours with the least cost.

    Parameters
    ----------
    edges : numpy.ndarray of int, shape (m, 2)
        Neighbour pairs (positions into ``features``).
    features : numpy.ndarray, shape (n, k)
        Feature vector of every node (already weighted).
    weights : numpy.ndarray, shape (n,)
        Node weights (block area) [ha]; also the size that ``max_weight`` limits.
    target_count : int, optional
        Stop when this many clusters remain.
    max_weight : float, optional
        No cluster grows beyond this total weight [ha] (a single larger node stays alone).

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        Cluster of each node, named by its smallest member. Ties in cost go to the merge with
        the smaller combined weight, then to the smaller node positions (deterministic).
    """
    n = len(features)
    if target_count is not None and target_count < 1:
        raise ValueError(f"target_count must be at least 1, got {target_count}")
    cap = np.inf if max_weight is None else float(max_weight)
    clusters = _Clusters(
        mean=np.asarray(features, dtype=float).copy(),
        weight=np.maximum(np.asarray(weights, dtype=float), _MIN_WEIGHT_HA),
        version=np.zeros(n, dtype=np.int64),
        alive=np.ones(n, dtype=bool),
        neighbours=[set() for _ in range(n)],
    )
    for a, b in np.asarray(edges, dtype=np.int64).reshape(-1, 2):
        clusters.neighbours[a].add(int(b))
        clusters.neighbours[b].add(int(a))
    for a, b in np.asarray(edges, dtype=np.int64).reshape(-1, 2):
        clusters.push(int(a), int(b), cap)
    parent = np.arange(n)
    count, goal = n, 1 if target_count is None else target_count
    while clusters.heap and count > goal:
        _, _, a, b, va, vb = heapq.heappop(clusters.heap)
        stale = not (clusters.alive[a] and clusters.alive[b])
        if stale or va != clusters.version[a] or vb != clusters.version[b]:
            continue
        clusters.merge(a, b)
        parent[b] = a
        count -= 1
        for other in sorted(clusters.neighbours[a]):
            clusters.push(a, other, cap)
    return _roots(parent)


def _roots(parent: np.ndarray) -> np.ndarray:
    """Follow every node's parent chain to its cluster's name."""
    roots = parent.copy()
    while True:
        nxt = roots[roots]
        if np.array_equal(nxt, roots):
            return roots
        roots = nxt


# --- areas ---------------------------------------------------------------------------------
def area_ids(labels: np.ndarray, demand_kwh_per_a: np.ndarray) -> np.ndarray:
    """``A01``, ``A02``, ... per label, by descending summed demand (ties: first node first)."""
    frame = pd.DataFrame({"label": labels, "demand": np.nan_to_num(demand_kwh_per_a)})
    frame["position"] = np.arange(len(frame))
    ranked = frame.groupby("label").agg(demand=("demand", "sum"), first=("position", "min"))
    ranked = ranked.sort_values(["demand", "first"], ascending=[False, True])
    width = max(2, len(str(len(ranked))))
    names = {label: f"A{i + 1:0{width}d}" for i, label in enumerate(ranked.index)}
    return np.array([names[label] for label in labels], dtype=object)


def build_areas(
    blocks: gpd.GeoDataFrame,
    *,
    line_density_kwh_per_m_a: pd.Series | None = None,
    barriers: gpd.GeoDataFrame | None = None,
    heat_networks: gpd.GeoDataFrame | None = None,
    gas_networks: gpd.GeoDataFrame | None = None,
    target_count: int | None = None,
    max_area_ha: float | None = None,
    tolerance_m: float | None = None,
) -> pd.Series:
    """Merge blocks into contiguous supply areas.

    Parameters
    ----------
    blocks : GeoDataFrame
        ``block_id``, ``area_ha`` [ha], ``heat_demand_kwh_per_a`` [kWh/a] and polygons in a
        projected CRS [m].
    line_density_kwh_per_m_a : pandas.Series, optional
        Line density per ``block_id`` [kWh/(m·a)] (:func:`block_line_density`).
    barriers : GeoDataFrame, optional
        Lines no area may cross (rail, rivers, main roads).
    heat_networks, gas_networks : GeoDataFrame, optional
        Existing network lines.
    target_count : int, optional
        Number of areas to reach (more remain when barriers or gaps allow no further merge).
    max_area_ha : float, optional
        Largest area [ha]. Neither given: ``default_max_area_ha`` of data/area_parameters.csv.
    tolerance_m : float, optional
        Adjacency tolerance [m]; default ``adjacency_tolerance_m`` of the data table.

    Returns
    -------
    pandas.Series
        ``area_id`` per block, indexed like ``blocks``.
    """
    check_projected(blocks, "blocks")
    if blocks.empty:
        raise ValueError("no blocks to merge into supply areas")
    if blocks[col.BLOCK_ID].duplicated().any():
        raise ValueError("block_id values must be unique")
    if max_area_ha is not None and max_area_ha <= 0:
        raise ValueError(f"max_area_ha must be positive, got {max_area_ha}")
    tol = _param("adjacency_tolerance_m") if tolerance_m is None else float(tolerance_m)
    if target_count is None and max_area_ha is None:
        max_area_ha = _param("default_max_area_ha")
    lines = None if barriers is None or barriers.empty else barriers.geometry.to_numpy()
    geometries = blocks.geometry.to_numpy()
    edges = block_adjacency(geometries, tolerance_m=tol, barriers=lines)
    features = block_features(
        blocks,
        line_density_kwh_per_m_a=line_density_kwh_per_m_a,
        heat_networks=heat_networks,
        gas_networks=gas_networks,
        tolerance_m=tol,
    )
    labels = agglomerate(
        edges,
        features,
        blocks["area_ha"].to_numpy(float),
        target_count=target_count,
        max_weight=max_area_ha,
    )
    demand = pd.to_numeric(blocks[col.HEAT_DEMAND_KWH_PER_A], errors="coerce").to_numpy(float)
    return pd.Series(area_ids(labels, demand), index=blocks.index, name=col.AREA_ID)


def dissolve_areas(blocks: gpd.GeoDataFrame, area_of_block: pd.Series) -> gpd.GeoDataFrame:
    """One polygon per area: the union of its blocks, with ``block_ids`` (comma-separated).

    Rows are sorted by ``area_id``; ``source`` is ``'derived'``.
    """
    frame = gpd.GeoDataFrame(
        {col.AREA_ID: area_of_block.to_numpy(), col.BLOCK_ID: blocks[col.BLOCK_ID].astype(str)},
        geometry=blocks.geometry.to_numpy(),
        crs=blocks.crs,
    )
    groups = frame.groupby(col.AREA_ID, sort=True)
    shapes = groups.geometry.apply(lambda g: shapely.union_all(g.to_numpy()))
    ids = groups[col.BLOCK_ID].apply(",".join)
    return gpd.GeoDataFrame(
        {col.AREA_ID: shapes.index.astype(str), "block_ids": ids.to_numpy(), "source": "derived"},
        geometry=gpd.GeoSeries(shapes.to_numpy(), crs=blocks.crs),
    )

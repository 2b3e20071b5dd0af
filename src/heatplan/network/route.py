"""Route layout of a heat network: the street graph's Steiner tree from a source to buildings.

`layout_network` builds the street graph (`heatplan.network.graph`), attaches every building
and the heat source to its nearest street, weights existing heat lines down, and connects the
source with all reachable buildings by a short tree (`heatplan.network.steiner`). Pipes are
oriented from the source outward; each building hangs on its own house connection, the short
spur from its nearest street point (length = its distance to the street). Given the
buildings' annual heat, branches that do not carry their own trench are cut back
(:func:`prune_branches`). Buildings that cannot be connected are listed in ``unconnected`` with
the reason, never dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from heatplan.network.graph import Attachment, StreetGraph, attach_points, street_graph
from heatplan.network.steiner import steiner_tree
from heatplan.plan import columns as col
from heatplan.reference import parameter

__all__ = ["RouteResult", "layout_network", "prune_branches", "route_parameters"]

PARAMETERS = "network_route_parameters.csv"
#: Foot points of house connections closer than this to a street node or to each other share
#: the node [m]. A numerical tolerance, not the street snap tolerance: each house connection is
#: the perpendicular from its building to the nearest street point, so its length equals the
#: building's distance to the street (to well below 1e-6 m), as a house connection is laid.
FOOT_TOLERANCE_M = 1e-4


@dataclass
class RouteResult:
    """The routed network: pipes and nodes as a tree from the source (:mod:`heatplan.network.tree`).

    ``pipes``: pipe_id, from_node, to_node, length_m [m], kind ('main' | 'connection'),
    existing, geometry (from from_node to to_node). ``nodes``: node_id, kind ('source' |
    'junction' | 'building'), building_id, geometry. ``unconnected``: building_id, reason.
    ``trench_length_m``: total pipe length [m].
    """

    pipes: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    unconnected: pd.DataFrame
    trench_length_m: float


#: The last street graph built and what it was built from: a classification lays out one
#: network per area on the same streets, and building the town's graph again for each area
#: was a tenth of its time (issue 20). One entry: a project has one street network.
_LAST_GRAPH: list[tuple[bytes, StreetGraph]] = []


def _street_graph(
    streets: np.ndarray, existing: np.ndarray | None, snap_tolerance_m: float
) -> StreetGraph:
    """:func:`street_graph`, reused while the streets, existing lines and tolerance are the same
    (the graph is immutable: :func:`attach_points` returns a new one)."""
    digest = hashlib.sha256(repr(snap_tolerance_m).encode())
    for part in (streets, existing):
        digest.update(b"|" if part is None else b"".join(shapely.to_wkb(part, hex=False)))
        digest.update(b"#")
    key = digest.digest()
    if _LAST_GRAPH and _LAST_GRAPH[0][0] == key:
        return _LAST_GRAPH[0][1]
    graph = street_graph(streets, existing=existing, snap_tolerance_m=snap_tolerance_m)
    for array in (graph.node_xy, graph.edge_u, graph.edge_v, graph.edge_geometry):
        array.flags.writeable = False
    graph.edge_existing.flags.writeable = False
    _LAST_GRAPH[:] = [(key, graph)]
    return graph


def route_parameters() -> dict[str, float]:
    """Default ``snap_tolerance_m``, ``max_connection_m``, ``existing_line_weight_factor``."""
    keys = (
        "snap_tolerance_m",
        "max_connection_m",
        "existing_line_weight_factor",
        "min_branch_line_density_kwh_per_m_a",
    )
    return {key: parameter(PARAMETERS, key) for key in keys}


def layout_network(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    source_point: shapely.Point,
    *,
    existing: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float | None = None,
    max_connection_m: float | None = None,
    existing_line_weight_factor: float | None = None,
    heat_kwh_per_a: np.ndarray | pd.Series | None = None,
    min_branch_line_density_kwh_per_m_a: float | None = None,
) -> RouteResult:
    """Lay out a heat network along the streets from ``source_point`` to ``buildings``.

    Parameters
    ----------
    streets : GeoDataFrame
        Street centre lines (LineString / MultiLineString), projected CRS [m].
    buildings : GeoDataFrame
        ``building_id`` (unique) and Point or Polygon geometry [m].
    source_point : shapely.Point
        The heat source [m]; connected to its nearest street point.
    existing : GeoDataFrame, optional
        Existing heat-network lines [m], reused at ``existing_line_weight_factor`` x length.
    snap_tolerance_m : float, optional
        Gap closing and node merging distance [m]; default from
        ``data/network_route_parameters.csv`` (1 m).
    max_connection_m : float, optional
        Longest house connection (and source connection) [m]; default from the data (100 m).
    existing_line_weight_factor : float, optional
        Routing weight of an existing line per metre relative to a new one [-], in (0, 1];
        default from the data (0.1).
    heat_kwh_per_a : array-like, optional
        Annual heat of each building [kWh/a], in the order of ``buildings``. Given, branches
        below ``min_branch_line_density_kwh_per_m_a`` are cut back (:func:`prune_branches`).
    min_branch_line_density_kwh_per_m_a : float, optional
        Least heat per metre of trench a branch must carry [kWh/(m·a)]; default from the data
        (500); 0 keeps every branch.

    Returns
    -------
    RouteResult

    Raises
    ------
    ValueError
        On empty streets or buildings, missing or duplicate ``building_id``, a geographic or
        mismatched CRS, a source farther than ``max_connection_m`` from every street, or when
        the source reaches no building.
    """
    options = _options(snap_tolerance_m, max_connection_m, existing_line_weight_factor)
    _check_inputs(streets, buildings, source_point, existing)
    extra = None if existing is None else existing.geometry.to_numpy()
    graph = _street_graph(streets.geometry.to_numpy(), extra, options["snap_tolerance_m"])
    points = np.append(buildings.geometry.to_numpy(), source_point)
    graph, attached = attach_points(
        graph, points, max_distance_m=options["max_connection_m"], snap_tolerance_m=FOOT_TOLERANCE_M
    )
    source_node = int(attached.node[-1])
    if source_node < 0:
        raise ValueError(
            f"source_point: no street within max_connection_m={options['max_connection_m']:g} m "
            f"of {source_point.wkt}; add the feed line to `streets` or `existing`, or raise "
            "max_connection_m"
        )
    weights = graph.edge_length_m * np.where(
        graph.edge_existing, options["existing_line_weight_factor"], 1.0
    )
    building_node = attached.node[:-1]
    matrix, first = _edge_matrix(graph, weights)
    far = f"no street within {options['max_connection_m']:g} m"
    reachable, unconnected = _reachability(matrix, building_node, source_node, buildings, far)
    tree = steiner_tree(matrix, np.r_[building_node[reachable], source_node])
    tree_edges = _graph_edges(graph, first, tree.rows, tree.cols)
    if heat_kwh_per_a is not None:
        limit = min_branch_line_density_kwh_per_m_a
        if limit is None:
            limit = parameter(PARAMETERS, "min_branch_line_density_kwh_per_m_a")
        tree_edges, cut, used = prune_branches(
            graph,
            tree_edges,
            source_node,
            building_node=np.where(reachable, building_node, -1),
            connection_m=np.nan_to_num(attached.distance_m[:-1]),
            heat_kwh_per_a=np.asarray(heat_kwh_per_a, dtype=float),
            min_line_density_kwh_per_m_a=limit,
            share_of_whole=parameter(PARAMETERS, "branch_share_of_network_line_density"),
        )
        unconnected = pd.concat([unconnected, _cut_rows(buildings, cut, used)], ignore_index=True)
        reachable = reachable & ~cut
    return _result(graph, attached, tree_edges, reachable, source_point, buildings, unconnected)


def prune_branches(
    graph: StreetGraph,
    tree_edges: np.ndarray,
    source_node: int,
    *,
    building_node: np.ndarray,
    connection_m: np.ndarray,
    heat_kwh_per_a: np.ndarray,
    min_line_density_kwh_per_m_a: float,
    share_of_whole: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Cut back the branches of a tree that do not carry their own trench.

    A branch is a main and what remains beyond it (seen from the source); its line density is
    the annual heat of its buildings over its trench (mains and house connections)
    [kWh/(m·a)]. From the leaves towards the source, a branch below the limit goes with its
    buildings; the branch above is then judged without it. So a long spur to one remote house
    goes, and a transport line to a small group, while the dense streets before them stay. The
    limit is ``min_line_density_kwh_per_m_a`` or, where it is lower, ``share_of_whole`` times the
    whole tree's line density: a branch at less than half the network's mean pulls it down, one
    near the mean does not, so a network around the limit loses its outliers only, not half its
    streets. The mains that leave the source always stay.

    Parameters
    ----------
    graph : StreetGraph
    tree_edges : ndarray of int
        Graph edges of the tree.
    source_node : int
    building_node : ndarray of int
        Node of each building (-1: not in the tree).
    connection_m : ndarray of float
        House-connection length of each building [m].
    heat_kwh_per_a : ndarray of float
        Annual heat of each building [kWh/a] (NaN counts as 0).
    min_line_density_kwh_per_m_a : float
        Least line density of a branch [kWh/(m·a)]; 0 keeps every branch.
    share_of_whole : float
        Cap of the limit as a share of the whole tree's line density [-].

    Returns
    -------
    (tree_edges, cut, limit) : the remaining tree edges; mask of buildings cut off; the limit
    applied [kWh/(m·a)].
    """
    cut = np.zeros(building_node.size, dtype=bool)
    if min_line_density_kwh_per_m_a <= 0 or tree_edges.size == 0:
        return tree_edges, cut, 0.0
    mains = _oriented_mains(graph, tree_edges, source_node)
    attached = building_node >= 0
    nodes = building_node[attached]
    n = graph.n_nodes
    heat_sub = np.bincount(nodes, weights=np.nan_to_num(heat_kwh_per_a[attached]), minlength=n)
    length_sub = np.bincount(nodes, weights=connection_m[attached], minlength=n)
    edge_m = graph.edge_length_m[mains[:, 0]]
    whole_heat = heat_sub.sum()
    whole_m = length_sub.sum() + edge_m.sum()
    limit = min(min_line_density_kwh_per_m_a, share_of_whole * whole_heat / max(whole_m, 1e-9))
    dropped = _dropped(mains[::-1], edge_m[::-1], heat_sub, length_sub, limit, source_node)
    gone = _below(mains, dropped, n)
    cut = attached & gone[np.maximum(building_node, 0)]
    return mains[~gone[mains[:, 2]], 0], cut, float(limit)


def _dropped(
    mains: np.ndarray,
    edge_m: np.ndarray,
    heat_sub: np.ndarray,
    length_sub: np.ndarray,
    limit: float,
    source_node: int,
) -> list[int]:
    """Far nodes of the branches cut back, passing ``mains`` leaves first (the tree's
    breadth-first order reversed); ``heat_sub`` and ``length_sub`` start with each node's own
    houses and collect each kept branch.

    The pass is sequential (a branch is judged with what remains of its own branches), so it
    runs on Python floats, the same IEEE doubles as numpy's: a step per main costs a tenth of
    numpy's scalar indexing (2,583 mains of Schutterwald: 1.6 ms instead of 17 ms). Handling a
    whole depth at once in numpy was slower: street trees are deep (518 depths there).
    """
    heat, length = heat_sub.tolist(), length_sub.tolist()
    dropped = []
    for start, stop, main_m in zip(
        mains[:, 1].tolist(), mains[:, 2].tolist(), edge_m.tolist(), strict=True
    ):
        length[stop] += main_m
        if start != source_node and heat[stop] < limit * length[stop]:
            dropped.append(stop)
            continue
        heat[start] += heat[stop]
        length[start] += length[stop]
    return dropped


def _below(mains: np.ndarray, roots: list[int], n_nodes: int) -> np.ndarray:
    """Mask of nodes at or beyond ``roots`` in the oriented tree ``mains``."""
    inside = [False] * n_nodes
    for root in roots:
        inside[root] = True
    # breadth-first: a parent is marked before its children
    for start, stop in zip(mains[:, 1].tolist(), mains[:, 2].tolist(), strict=True):
        inside[stop] = inside[stop] or inside[start]
    return np.asarray(inside, dtype=bool)


def _cut_rows(buildings: gpd.GeoDataFrame, cut: np.ndarray, limit: float) -> pd.DataFrame:
    reason = f"branch line density below {limit:.0f} kWh/(m·a)"
    ids = buildings[col.BUILDING_ID].astype(str).to_numpy()[cut]
    return pd.DataFrame({col.BUILDING_ID: ids, "reason": reason})


def _options(snap: float | None, max_conn: float | None, factor: float | None) -> dict[str, float]:
    given = {
        "snap_tolerance_m": snap,
        "max_connection_m": max_conn,
        "existing_line_weight_factor": factor,
    }
    options = {k: float(v) if v is not None else route_parameters()[k] for k, v in given.items()}
    if not options["snap_tolerance_m"] >= 0:
        raise ValueError(f"snap_tolerance_m: must be >= 0, got {options['snap_tolerance_m']}")
    if not options["max_connection_m"] > options["snap_tolerance_m"]:
        raise ValueError(
            f"max_connection_m: must exceed snap_tolerance_m, got {options['max_connection_m']}"
        )
    if not 0 < options["existing_line_weight_factor"] <= 1:
        raise ValueError(
            "existing_line_weight_factor: must lie in (0, 1], got "
            f"{options['existing_line_weight_factor']}"
        )
    return options


def _check_inputs(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    source_point: shapely.Point,
    existing: gpd.GeoDataFrame | None,
) -> None:
    if len(streets) == 0 or streets.geometry.is_empty.all():
        raise ValueError("streets: no street lines given; the route needs a street network")
    if col.BUILDING_ID not in buildings.columns:
        raise ValueError(f"buildings: column 'building_id' missing, got {list(buildings.columns)}")
    if len(buildings) == 0:
        raise ValueError("buildings: no buildings given")
    ids = buildings[col.BUILDING_ID].astype(str)
    if ids.duplicated().any():
        raise ValueError(f"buildings: duplicate building_id {ids[ids.duplicated()].unique()[:5]}")
    if not isinstance(source_point, shapely.Point) or source_point.is_empty:
        raise ValueError(f"source_point: must be a non-empty shapely Point, got {source_point!r}")
    if streets.crs is not None and streets.crs.is_geographic:
        raise ValueError(
            f"streets: CRS {streets.crs.to_string()} is geographic; lengths need a projected "
            "CRS in metres (e.g. EPSG:25832)"
        )
    for field, frame in (("buildings", buildings), ("existing", existing)):
        if frame is not None and frame.crs is not None and frame.crs != streets.crs:
            raise ValueError(
                f"{field}: CRS {frame.crs.to_string()} differs from the streets' CRS "
                f"{streets.crs}; reproject first"
            )


def _edge_matrix(graph: StreetGraph, weights: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Symmetric weight matrix (lightest of parallel edges) and its edge per canonical key."""
    low = np.minimum(graph.edge_u, graph.edge_v)
    high = np.maximum(graph.edge_u, graph.edge_v)
    key = low * graph.n_nodes + high
    order = np.lexsort((weights, key))
    first = order[np.unique(key[order], return_index=True)[1]]
    n = graph.n_nodes
    matrix = sparse.csr_matrix(
        (
            np.r_[weights[first], weights[first]],
            (np.r_[low[first], high[first]], np.r_[high[first], low[first]]),
        ),
        shape=(n, n),
    )
    return matrix, first


def _reachability(
    matrix: sparse.csr_matrix,
    building_node: np.ndarray,
    source_node: int,
    buildings: gpd.GeoDataFrame,
    far_reason: str,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Mask of buildings in the source's street component, and the rest with their reason."""
    _, component = csgraph.connected_components(matrix, directed=False)
    attached = building_node >= 0
    reachable = attached & (component[np.maximum(building_node, 0)] == component[source_node])
    geometry = buildings.geometry.to_numpy()
    reason = np.select(
        [shapely.is_missing(geometry) | shapely.is_empty(geometry), ~attached],
        ["no geometry", far_reason],
        "street component not connected to the source",
    )
    unconnected = pd.DataFrame(
        {col.BUILDING_ID: buildings[col.BUILDING_ID].astype(str).to_numpy(), "reason": reason}
    )[~reachable].reset_index(drop=True)
    if not reachable.any():
        raise ValueError(
            f"buildings: the source reaches none of the {len(buildings)} buildings over the "
            f"streets (reasons: {unconnected['reason'].value_counts().to_dict()})"
        )
    return reachable, unconnected


def _graph_edges(
    graph: StreetGraph, first: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Graph edge index of each node pair ``rows[i] < cols[i]`` (edges ``first`` only)."""
    low = np.minimum(graph.edge_u[first], graph.edge_v[first])
    key = low * graph.n_nodes + np.maximum(graph.edge_u[first], graph.edge_v[first])
    order = np.argsort(key)
    return first[order[np.searchsorted(key[order], rows * graph.n_nodes + cols)]]


def _result(
    graph: StreetGraph,
    attached: Attachment,
    tree_edges: np.ndarray,
    reachable: np.ndarray,
    source_point: shapely.Point,
    buildings: gpd.GeoDataFrame,
    unconnected: pd.DataFrame,
) -> RouteResult:
    source_node = int(attached.node[-1])
    mains = _oriented_mains(graph, tree_edges, source_node)
    names = np.array([f"J{i}" for i in range(graph.n_nodes)], dtype=object)
    source_apart = attached.distance_m[-1] > 0
    names[source_node] = f"J{source_node}" if source_apart else "S"
    crs = buildings.crs
    feed = _source_feed(graph, source_node, source_point, names) if source_apart else None
    connections, building_nodes = _connections(graph, attached, reachable, buildings, names)
    frames = [f for f in (feed, _main_pipes(graph, mains, names), connections) if f is not None]
    pipes = pd.concat(frames, ignore_index=True)
    pipes.insert(0, "pipe_id", [f"P{i}" for i in range(len(pipes))])
    pipes = gpd.GeoDataFrame(pipes, geometry="geometry", crs=crs)
    ends = mains[:, 1:].ravel()
    used = np.unique(np.concatenate([ends, attached.node[:-1][reachable], [source_node]]))
    junctions = pd.DataFrame(
        {
            "node_id": names[used],
            "kind": np.where(names[used] == "S", "source", "junction"),
            col.BUILDING_ID: None,
            "geometry": shapely.points(graph.node_xy[used]),
        }
    )
    source = pd.DataFrame(
        {"node_id": ["S"], "kind": ["source"], col.BUILDING_ID: [None], "geometry": [source_point]}
    )
    parts = [source] if source_apart else []
    nodes = pd.concat([*parts, junctions, building_nodes], ignore_index=True)
    nodes = gpd.GeoDataFrame(nodes, geometry="geometry", crs=crs)
    return RouteResult(pipes, nodes, unconnected, float(pipes["length_m"].sum()))


def _oriented_mains(graph: StreetGraph, tree_edges: np.ndarray, source_node: int) -> np.ndarray:
    """(k, 3) array: edge index, from node, to node — in breadth-first order from the source."""
    if tree_edges.size == 0:
        return np.empty((0, 3), dtype=np.intp)
    u, v = graph.edge_u[tree_edges], graph.edge_v[tree_edges]
    n = graph.n_nodes
    tree = sparse.csr_matrix((np.ones(u.size), (u, v)), shape=(n, n))
    order, pred = csgraph.breadth_first_order(
        tree, source_node, directed=False, return_predecessors=True
    )
    forward = pred[v] == u
    start, stop = np.where(forward, u, v), np.where(forward, v, u)
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(order.size)
    sort = np.argsort(rank[stop], kind="stable")
    return np.column_stack([tree_edges, start, stop])[sort]


def _main_pipes(graph: StreetGraph, mains: np.ndarray, names: np.ndarray) -> pd.DataFrame:
    edge, start, _ = mains.T
    geometry = graph.edge_geometry[edge]
    reverse = graph.edge_u[edge] != start
    geometry = np.where(reverse, shapely.reverse(geometry), geometry)
    return pd.DataFrame(
        {
            "from_node": names[start],
            "to_node": names[mains[:, 2]],
            "length_m": shapely.length(geometry),
            "kind": "main",
            "existing": graph.edge_existing[edge],
            "geometry": geometry,
        }
    )


def _source_feed(
    graph: StreetGraph, source_node: int, source_point: shapely.Point, names: np.ndarray
) -> pd.DataFrame:
    line = shapely.LineString([source_point.coords[0], graph.node_xy[source_node]])
    return pd.DataFrame(
        {
            "from_node": ["S"],
            "to_node": [names[source_node]],
            "length_m": [line.length],
            "kind": ["main"],
            "existing": [False],
            "geometry": [line],
        }
    )


def _connections(
    graph: StreetGraph,
    attached: Attachment,
    reachable: np.ndarray,
    buildings: gpd.GeoDataFrame,
    names: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """House-connection pipes (junction -> building) and the building nodes."""
    rows = np.flatnonzero(reachable)
    junction = attached.node[rows]
    ids = buildings[col.BUILDING_ID].astype(str).to_numpy()[rows]
    node_ids = np.array([f"B{i}" for i in rows], dtype=object)
    own = attached.point_xy[rows]
    lines = shapely.linestrings(np.stack([graph.node_xy[junction], own], axis=1))
    pipes = pd.DataFrame(
        {
            "from_node": names[junction],
            "to_node": node_ids,
            "length_m": attached.distance_m[rows],
            "kind": "connection",
            "existing": False,
            "geometry": lines,
        }
    )
    nodes = pd.DataFrame(
        {
            "node_id": node_ids,
            "kind": "building",
            col.BUILDING_ID: ids,
            "geometry": shapely.points(own),
        }
    )
    return pipes, nodes

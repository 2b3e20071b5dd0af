"""Street lines to a street graph; points (buildings, heat source) attached to its edges.

The graph's nodes are street junctions and line ends; its edges are the street pieces between
them, each kept as a (possibly curved) LineString drawn from ``edge_u`` to ``edge_v``:

1. line ends that stop short of another line by at most the snap tolerance get a connector to
   it (a T-junction digitised with a gap);
2. all lines are noded together (``shapely.node``): split where they cross or touch, overlaps
   merged;
3. piece ends closer than the snap tolerance become one node (single linkage); the node keeps
   the position of its best-connected end and the pieces are moved onto it;
4. `attach_points` projects each point onto its nearest edge (STRtree) and splits that edge at
   the foot of the perpendicular: the house-connection junction.

Coordinates must be in a projected CRS in metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree
from shapely.ops import substring

__all__ = ["Attachment", "StreetGraph", "attach_points", "street_graph"]


@dataclass(frozen=True)
class StreetGraph:
    """Street pieces between junctions.

    ``node_xy`` (n, 2) [m]; per edge: ``edge_u``, ``edge_v`` (node indices), ``edge_geometry``
    (LineString drawn from u to v) and ``edge_existing`` (True on an existing heat line).
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_geometry: np.ndarray
    edge_existing: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_xy.shape[0])

    @property
    def edge_length_m(self) -> np.ndarray:
        """Length of each edge along its geometry [m]."""
        return np.asarray(shapely.length(self.edge_geometry), dtype=float)


@dataclass(frozen=True)
class Attachment:
    """Where each attached point meets the street graph.

    ``node``: junction node per point (-1 when no edge lies within the maximum distance or the
    geometry is empty); ``point_xy`` (n, 2) [m]: the point's end of its connection (NaN when
    not attached); ``distance_m``: its distance to the street [m] (NaN when not attached).
    """

    node: np.ndarray
    point_xy: np.ndarray
    distance_m: np.ndarray


def street_graph(
    streets: np.ndarray, *, existing: np.ndarray | None = None, snap_tolerance_m: float
) -> StreetGraph:
    """Build the street graph from line geometries.

    Parameters
    ----------
    streets : array of shapely geometries
        Street centre lines (LineString or MultiLineString) [m].
    existing : array of shapely geometries, optional
        Existing heat-network lines [m]; street pieces within ``snap_tolerance_m`` of one are
        flagged ``edge_existing``.
    snap_tolerance_m : float
        Gaps and node distances up to this are closed [m].

    Raises
    ------
    ValueError
        When a geometry is not a line, or no line is left.
    """
    lines = _lines(streets, "streets")
    extra = _lines(existing, "existing") if existing is not None else np.empty(0, dtype=object)
    if lines.size + extra.size == 0:
        raise ValueError("streets: no LineString geometry given; the route needs street lines")
    everything = np.concatenate([lines, extra])
    everything = np.concatenate([everything, _gap_connectors(everything, snap_tolerance_m)])
    pieces = shapely.get_parts(shapely.node(shapely.multilinestrings(everything)))
    pieces = _split_closed(pieces[shapely.length(pieces) > 0], snap_tolerance_m)
    start = shapely.get_coordinates(shapely.get_point(pieces, 0))
    end = shapely.get_coordinates(shapely.get_point(pieces, -1))
    node_xy, label = _merge_nodes(np.concatenate([start, end]), snap_tolerance_m)
    u, v = label[: pieces.size], label[pieces.size :]
    keep = u != v
    u, v, pieces = u[keep], v[keep], _move_ends(pieces[keep], node_xy[u[keep]], node_xy[v[keep]])
    return StreetGraph(node_xy, u, v, pieces, _near_any(pieces, extra, snap_tolerance_m))


def attach_points(
    graph: StreetGraph, geometries: np.ndarray, *, max_distance_m: float, snap_tolerance_m: float
) -> tuple[StreetGraph, Attachment]:
    """Connect points or polygons to their nearest street edge, splitting edges as needed.

    Parameters
    ----------
    graph : StreetGraph
    geometries : array of shapely geometries
        Points or polygons [m]; a polygon connects from its boundary point nearest the street
        (its representative point if it touches the street).
    max_distance_m : float
        Geometries farther from every edge stay unattached [m].
    snap_tolerance_m : float
        A foot point this close to an edge end or to another foot point on the same edge
        shares that node [m].

    Returns
    -------
    (StreetGraph, Attachment)
        The graph with split edges (old node indices unchanged) and the attachment per point.
    """
    n_points = len(geometries)
    node = np.full(n_points, -1, dtype=np.intp)
    point_xy = np.full((n_points, 2), np.nan)
    distance = np.full(n_points, np.nan)
    tree = shapely.STRtree(graph.edge_geometry)
    (which, edge), dist = tree.query_nearest(
        geometries, max_distance=max_distance_m, return_distance=True, all_matches=False
    )
    link = shapely.shortest_line(geometries[which], graph.edge_geometry[edge])
    own = shapely.get_coordinates(shapely.get_point(link, 0))
    foot = shapely.get_point(link, -1)
    touching = (dist == 0) & (shapely.get_type_id(geometries[which]) != 0)
    own[touching] = shapely.get_coordinates(shapely.point_on_surface(geometries[which[touching]]))
    position = shapely.line_locate_point(graph.edge_geometry[edge], foot)
    graph, node[which] = _split_edges(graph, edge, position, snap_tolerance_m)
    point_xy[which] = own
    distance[which] = np.hypot(*(own - graph.node_xy[node[which]]).T)
    return graph, Attachment(node, point_xy, distance)


def _lines(geometries: np.ndarray, field: str) -> np.ndarray:
    geoms = np.asarray(geometries, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    type_id = shapely.get_type_id(geoms)
    bad = ~np.isin(type_id, [1, 5])  # LineString, MultiLineString
    if bad.any():
        kinds = sorted({shapely.get_type_id(g) for g in geoms[bad]})
        names = [shapely.GeometryType(k).name for k in kinds]
        raise ValueError(f"{field}: geometries must be LineString or MultiLineString, got {names}")
    parts = shapely.get_parts(geoms)
    return parts[shapely.length(parts) > 0]


def _gap_connectors(lines: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Short lines from each line end to another line it misses by at most ``tolerance_m``."""
    if tolerance_m <= 0 or lines.size < 2:
        return np.empty(0, dtype=object)
    ends = np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    owner = np.tile(np.arange(lines.size), 2)
    point, line = shapely.STRtree(lines).query(ends, predicate="dwithin", distance=tolerance_m)
    other = owner[point] != line
    point, line = point[other], line[other]
    gap = shapely.distance(ends[point], lines[line])
    missing = np.ones(ends.size, dtype=bool)
    missing[point[gap == 0]] = False  # the end already touches another line
    pick = missing[point] & (gap > 0)
    order = np.lexsort((gap[pick], point[pick]))
    first = np.unique(point[pick][order], return_index=True)[1]
    chosen = np.flatnonzero(pick)[order[first]]
    return shapely.shortest_line(ends[point[chosen]], lines[line[chosen]])


def _split_closed(pieces: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Cut pieces whose ends (nearly) meet into two halves, so no long edge becomes a loop."""
    gap = shapely.distance(shapely.get_point(pieces, 0), shapely.get_point(pieces, -1))
    closed = (gap <= tolerance_m) & (shapely.length(pieces) > 2 * tolerance_m)
    halves = [
        substring(piece, a, b, normalized=True)
        for piece in pieces[closed]
        for a, b in ((0.0, 0.5), (0.5, 1.0))
    ]
    return np.concatenate([pieces[~closed], np.asarray(halves, dtype=object)])


def _merge_nodes(points: np.ndarray, tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Cluster points closer than ``tolerance_m``; return cluster positions and labels."""
    unique_xy, inverse, count = np.unique(points, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    pairs = cKDTree(unique_xy).query_pairs(tolerance_m, output_type="ndarray")
    n_unique = unique_xy.shape[0]
    adjacency = sparse.coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n_unique, n_unique)
    )
    _, cluster = csgraph.connected_components(adjacency, directed=False)
    order = np.lexsort((-count, cluster))  # best-connected point first in each cluster
    first = np.unique(cluster[order], return_index=True)[1]
    return unique_xy[order[first]], cluster[inverse].astype(np.intp)


def _move_ends(pieces: np.ndarray, start_xy: np.ndarray, end_xy: np.ndarray) -> np.ndarray:
    """Pieces with first and last vertex replaced by the given coordinates."""
    coords, index = shapely.get_coordinates(pieces, return_index=True)
    count = np.bincount(index, minlength=pieces.size)
    last = np.cumsum(count) - 1
    coords[last - count + 1] = start_xy
    coords[last] = end_xy
    return np.asarray(shapely.linestrings(coords, indices=index), dtype=object)


def _near_any(pieces: np.ndarray, lines: np.ndarray, tolerance_m: float) -> np.ndarray:
    """True for pieces whose midpoint lies within ``tolerance_m`` of one of ``lines``."""
    flag = np.zeros(pieces.size, dtype=bool)
    if lines.size:
        middle = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
        hits = shapely.STRtree(lines).query(middle, predicate="dwithin", distance=tolerance_m)
        flag[hits[0]] = True
    return flag


def _split_edges(
    graph: StreetGraph, edge: np.ndarray, position: np.ndarray, tolerance_m: float
) -> tuple[StreetGraph, np.ndarray]:
    """Split ``edge[i]`` at ``position[i]`` [m along it]; return the new graph and the nodes."""
    length = graph.edge_length_m[edge]
    node = np.where(position <= length / 2, graph.edge_u[edge], graph.edge_v[edge])
    inner = np.flatnonzero((position > tolerance_m) & (position < length - tolerance_m))
    order = inner[np.lexsort((position[inner], edge[inner]))]
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (edge[order][1:] != edge[order][:-1]) | (np.diff(position[order]) > tolerance_m)
    group = np.cumsum(new_group) - 1
    cut_edge, cut_at = edge[order][new_group], position[order][new_group]
    new_nodes = graph.n_nodes + np.arange(cut_edge.size)
    node[order] = new_nodes[group]
    if cut_edge.size == 0:
        return graph, node
    cut_xy = shapely.get_coordinates(
        shapely.line_interpolate_point(graph.edge_geometry[cut_edge], cut_at)
    )
    node_xy = np.concatenate([graph.node_xy, cut_xy])
    return _with_cuts(graph, node_xy, cut_edge, cut_at, new_nodes), node


def _with_cuts(
    graph: StreetGraph,
    node_xy: np.ndarray,
    cut_edge: np.ndarray,
    cut_at: np.ndarray,
    cut_node: np.ndarray,
) -> StreetGraph:
    """Replace every cut edge by its pieces between consecutive cuts (cuts sorted per edge)."""
    bounds = np.flatnonzero(np.r_[True, cut_edge[1:] != cut_edge[:-1], True])
    # the lengths of the cut edges, measured once (the property measures every edge of the town)
    cut_length = graph.edge_length_m[cut_edge].tolist()
    u, v, inner = [], [], []
    for lo, hi in pairwise(bounds):
        e = cut_edge[lo]
        stops = [0.0, *cut_at[lo:hi].tolist(), cut_length[lo]]
        ends = np.r_[graph.edge_u[e], cut_node[lo:hi], graph.edge_v[e]]
        inner += _inner_vertices(shapely.get_coordinates(graph.edge_geometry[e]).tolist(), stops)
        u.append(ends[:-1])
        v.append(ends[1:])
    new_u, new_v = np.concatenate(u), np.concatenate(v)
    pieces = _lines_between(node_xy[new_u], inner, node_xy[new_v])
    existing = np.repeat(graph.edge_existing[cut_edge[bounds[:-1]]], np.diff(bounds) + 1)
    keep = np.ones(graph.edge_u.size, dtype=bool)
    keep[cut_edge] = False
    return StreetGraph(
        node_xy,
        np.concatenate([graph.edge_u[keep], new_u]),
        np.concatenate([graph.edge_v[keep], new_v]),
        np.concatenate([graph.edge_geometry[keep], pieces]),
        np.concatenate([graph.edge_existing[keep], existing]),
    )


def _inner_vertices(coords: list[list[float]], stops: list[float]) -> list[list[list[float]]]:
    """The line's vertices strictly inside each piece between consecutive ``stops`` [m along it].

    The vertices ``shapely.ops.substring`` keeps, found with its own arithmetic (the distance
    along the line summed vertex by vertex in Python floats), without building a shapely
    geometry per piece: a town of 20,000 buildings cuts some 28,000 pieces (issue 20). The
    pieces' ends are the cut nodes (:func:`_lines_between`), as :func:`_move_ends` set them.
    """
    pieces = []
    for start, stop in pairwise(stops):
        kept, along = [], 0.0
        for p1, p2 in pairwise(coords):
            if start < along < stop:
                kept.append(p1[:2])
            elif along >= stop:
                break
            along += ((p2[0] - p1[0]) ** 2 + (p2[1] - p1[1]) ** 2) ** 0.5
        pieces.append(kept)
    return pieces


def _lines_between(
    start_xy: np.ndarray, inner: list[list[list[float]]], end_xy: np.ndarray
) -> np.ndarray:
    """LineStrings from ``start_xy[i]`` over the vertices ``inner[i]`` to ``end_xy[i]``."""
    count = np.fromiter((len(k) + 2 for k in inner), dtype=np.intp, count=len(inner))
    index = np.repeat(np.arange(count.size), count)
    coords = np.empty((int(count.sum()), 2))
    last = np.cumsum(count) - 1
    coords[last - count + 1] = start_xy
    coords[last] = end_xy
    middle = np.ones(coords.shape[0], dtype=bool)
    middle[last - count + 1] = middle[last] = False
    if middle.any():
        coords[middle] = [xy for kept in inner for xy in kept]
    return np.asarray(shapely.linestrings(coords, indices=index), dtype=object)

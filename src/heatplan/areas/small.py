"""Small supply areas merged into their best neighbour (WPG § 10 (2): aggregates of >= 5).

Ward merging (:mod:`heatplan.areas.supply`) can leave areas of one or two buildings: a corner
cut off by barriers, a block alone beside a large one that reached the size limit. Such an area
is no planning unit, and its figures could not be published (consumption only aggregated over
at least 5 buildings, WPG § 10 (2)). So every area with fewer than ``min_buildings_per_area``
buildings (data/area_parameters.csv) is merged into a neighbour, smallest first:

1. the neighbour on the same side of every barrier (an edge of the block graph that no barrier
   cuts) with the longest contact: the length of the small area's border within the adjacency
   tolerance of the neighbour (the shared border where blocks touch);
2. when every neighbour lies across a barrier and ``small_area_merge_across_barriers`` is 1: the
   one across the barrier with the longest contact. A handful of houses between a railway and a
   main road is no area of its own; whether a pipe crosses the barrier is still decided by the
   network layout of the merged area, which routes on the streets;
3. an area without any neighbour within the tolerance (blocks of outlying houses) goes to the
   nearest area within ``small_area_reach_m``, across a barrier only under the rule of 2;
4. an area with no other area within that reach (an isolated hamlet) stays as it is and is
   reported.

The merged areas may exceed the size limit of the Ward step (a small area weighs little). The
result maps every block to its area; ids are given afresh by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from heatplan.areas.supply import block_adjacency
from heatplan.reference import parameter

PARAMETERS = "area_parameters.csv"

__all__ = ["SmallAreaMerge", "merge_small_areas", "min_buildings_per_area"]


def min_buildings_per_area() -> int:
    """Fewest buildings a derived supply area holds (data/area_parameters.csv)."""
    return int(parameter(PARAMETERS, "min_buildings_per_area"))


@dataclass
class SmallAreaMerge:
    """Outcome: the area of every block and what was merged where.

    Attributes
    ----------
    area_of_block : pandas.Series  Area label per block (labels of the input; merged areas take
        the label of the area they went into).
    merged : list of dict  ``area``, ``into``, ``buildings``, ``across_barrier`` per merge.
    isolated : list of str  Small areas without a neighbour (kept).
    """

    area_of_block: pd.Series
    merged: list[dict[str, object]] = field(default_factory=list)
    isolated: list[str] = field(default_factory=list)


@dataclass
class _Graph:
    """Areas as nodes: shapes, building counts, neighbours and the barrier-free neighbours."""

    shapes: dict[str, object]
    counts: dict[str, int]
    near: dict[str, set[str]]
    free: dict[str, set[str]]
    barriers: np.ndarray | None = None

    def fold(self, small: str, into: str) -> None:
        self.shapes[into] = shapely.union(self.shapes[into], self.shapes.pop(small))
        self.counts[into] += self.counts.pop(small)
        for links in (self.near, self.free):
            for other in links.pop(small):
                links[other].discard(small)
                if other != into:
                    links[other].add(into)
                    links[into].add(other)
            links[into].discard(small)


def _graph(
    labels: np.ndarray,
    geometries: np.ndarray,
    counts: np.ndarray,
    *,
    tolerance_m: float,
    barriers: np.ndarray | None,
) -> _Graph:
    keys = [str(k) for k in dict.fromkeys(labels.tolist())]
    frame = pd.DataFrame({"label": labels.astype(str), "n": counts})
    shapes = {k: shapely.union_all(geometries[labels.astype(str) == k]) for k in keys}
    graph = _Graph(
        shapes=shapes,
        counts={str(k): int(v) for k, v in frame.groupby("label")["n"].sum().items()},
        near={k: set() for k in keys},
        free={k: set() for k in keys},
        barriers=barriers,
    )
    for links, cut in ((graph.near, None), (graph.free, barriers)):
        edges = block_adjacency(geometries, tolerance_m=tolerance_m, barriers=cut)
        for a, b in labels.astype(str)[edges]:
            if a != b:
                links[a].add(b)
                links[b].add(a)
    return graph


def _contact_m(graph: _Graph, small: str, other: str, tolerance_m: float) -> float:
    """Length of the small area's border within the tolerance of the other area [m]."""
    reach = shapely.buffer(graph.shapes[other], max(tolerance_m, 1e-3))
    return float(shapely.length(shapely.intersection(shapely.boundary(graph.shapes[small]), reach)))


def _nearest(graph: _Graph, small: str, reach_m: float, across: bool) -> tuple[str | None, bool]:
    """The nearest other area within ``reach_m`` (rule 3) and whether a barrier lies between."""
    others = [k for k in sorted(graph.shapes) if k != small]
    if not others:
        return None, False
    shapes = np.array([graph.shapes[k] for k in others], dtype=object)
    gap = shapely.distance(graph.shapes[small], shapes)
    for position in np.argsort(gap, kind="stable"):
        if gap[position] > reach_m:
            break
        link = shapely.shortest_line(graph.shapes[small], shapes[position])
        crossing = graph.barriers is not None and bool(
            shapely.intersects(link, graph.barriers).any()
        )
        if across or not crossing:
            return others[position], crossing
    return None, False


def _best(
    graph: _Graph, small: str, tolerance_m: float, across: bool, reach_m: float
) -> tuple[str | None, bool]:
    """The neighbour to merge into (None: none) and whether it lies across a barrier."""
    if not graph.near[small]:
        return _nearest(graph, small, reach_m, across)
    pool, crossing = sorted(graph.free[small]), False
    if not pool and across:
        pool, crossing = sorted(graph.near[small]), True
    if not pool:
        return None, False
    contact = {other: _contact_m(graph, small, other, tolerance_m) for other in pool}
    return max(pool, key=lambda other: (contact[other], graph.counts[other])), crossing


def merge_small_areas(
    area_of_block: pd.Series,
    geometries: np.ndarray,
    buildings_per_block: np.ndarray,
    *,
    tolerance_m: float,
    barriers: np.ndarray | None = None,
    min_buildings: int | None = None,
    across_barriers: bool | None = None,
    reach_m: float | None = None,
) -> SmallAreaMerge:
    """Merge every area with fewer than ``min_buildings`` buildings into its best neighbour.

    Parameters
    ----------
    area_of_block : pandas.Series
        Area label of every block (e.g. from :func:`heatplan.areas.supply.build_areas`).
    geometries : numpy.ndarray of Polygon
        Block polygons in the order of ``area_of_block``, projected CRS [m].
    buildings_per_block : numpy.ndarray of int
        Number of buildings in each block.
    tolerance_m : float
        Adjacency tolerance of the block graph [m].
    barriers : numpy.ndarray of geometry, optional
        Barrier lines and areas (as for :func:`heatplan.areas.supply.block_adjacency`).
    min_buildings : int, optional
        Default ``min_buildings_per_area`` of data/area_parameters.csv.
    across_barriers : bool, optional
        Merge across a barrier when no neighbour lies on the same side; default
        ``small_area_merge_across_barriers`` of the data table.
    reach_m : float, optional
        How far an area without neighbours looks for the nearest area [m]; default
        ``small_area_reach_m`` of the data table.

    Returns
    -------
    SmallAreaMerge
        Blocks' areas after merging, and the merges and isolated small areas for the report.
    """
    least = min_buildings_per_area() if min_buildings is None else int(min_buildings)
    if across_barriers is None:
        across_barriers = parameter(PARAMETERS, "small_area_merge_across_barriers") > 0
    reach = parameter(PARAMETERS, "small_area_reach_m") if reach_m is None else float(reach_m)
    labels = area_of_block.astype(str).to_numpy()
    counts = np.asarray(buildings_per_block, dtype=np.int64)
    graph = _graph(labels, geometries, counts, tolerance_m=tolerance_m, barriers=barriers)
    result = SmallAreaMerge(area_of_block=area_of_block.astype(str).copy())
    owner = {k: k for k in graph.shapes}
    while True:
        small = sorted(
            (n, k) for k, n in graph.counts.items() if n < least and k not in result.isolated
        )
        if not small:
            break
        count, area = small[0]
        into, crossing = _best(graph, area, tolerance_m, across_barriers, reach)
        if into is None:
            result.isolated.append(area)
            continue
        graph.fold(area, into)
        owner = {k: (into if v == area else v) for k, v in owner.items()}
        result.merged.append(
            {"area": area, "into": into, "buildings": count, "across_barrier": crossing}
        )
    result.area_of_block = pd.Series(
        [owner[k] for k in labels], index=area_of_block.index, name=area_of_block.name
    )
    return result

"""Building blocks (Baublöcke, WPG §3 Abs. 1 Nr. 1) derived from street lines and buildings.

Street data in real projects is rarely a clean planar graph: lines end short of the next street,
gas or street networks are nearly trees, private roads are missing. :func:`derive_blocks`
therefore

1. takes a settlement boundary (given, or the closed buffer of buildings and streets),
2. extends every dangling street end along its last direction until it meets another street or
   the boundary (at most ``max_extension_m``),
3. polygonises streets + extensions + boundary into cells, and
4. subdivides cells larger than ``max_block_area_ha`` by straight cuts through the median of the
   buildings along the cell's long axis, as long as every side keeps ``min_buildings`` buildings
   (the aggregation threshold of WPG §10 Abs. 2). These cuts are not streets: blocks made this way
   carry ``subdivided = True``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from heatplan.areas.segments import check_projected, noded_lines
from heatplan.plan import columns as col

__all__ = ["default_boundary", "derive_blocks", "representative_points"]

#: Offset of a ray's start from the dangling end, so it does not hit its own street [m].
_RAY_START_OFFSET_M = 1e-3
#: An extension ends this far beyond the street it meets: a computed hit point lies only within
#: rounding of that street, so an extension ending exactly there may miss it and leave the block
#: open; the overshoot is a dangle that polygonising ignores [m].
_EXTENSION_OVERSHOOT_M = 1e-3
#: Cells smaller than this that hold no building are numerical slivers and dropped [m²].
_SLIVER_AREA_M2 = 1.0
_M2_PER_HA = 10_000.0


def representative_points(buildings: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """One point per building inside its geometry (points stay, polygons: representative point)."""
    return buildings.geometry.representative_point()


def default_boundary(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    building_buffer_m: float = 30.0,
    street_buffer_m: float = 30.0,
    closing_m: float = 30.0,
) -> BaseGeometry:
    """Settlement boundary: union of buffered buildings and streets, closed morphologically.

    Parameters
    ----------
    streets, buildings : GeoDataFrame
        Inputs in the same projected CRS [m].
    building_buffer_m, street_buffer_m : float
        Buffer distances around buildings and streets [m].
    closing_m : float
        Gaps narrower than twice this distance are closed (buffer out, then in) [m].

    Returns
    -------
    shapely Polygon or MultiPolygon
    """
    parts = [
        shapely.union_all(buildings.geometry.buffer(building_buffer_m).to_numpy()),
        shapely.union_all(streets.geometry.buffer(street_buffer_m).to_numpy()),
    ]
    return shapely.union_all(parts).buffer(closing_m).buffer(-closing_m)


def _dangling_ends(pieces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """End points of degree 1 and the unit direction pointing out of the street there."""
    if len(pieces) == 0:
        return np.empty((0, 2)), np.empty((0, 2))
    coords = [np.asarray(line.coords) for line in pieces]
    ends = np.array([c[0] for c in coords] + [c[-1] for c in coords])
    inner = np.array([c[1] for c in coords] + [c[-2] for c in coords])
    _, inverse, counts = np.unique(
        np.round(ends, 6), axis=0, return_inverse=True, return_counts=True
    )
    dangling = counts[inverse.ravel()] == 1
    direction = ends[dangling] - inner[dangling]
    norm = np.linalg.norm(direction, axis=1)
    ok = norm > 0
    return ends[dangling][ok], direction[ok] / norm[ok, None]


def _extensions(pieces: np.ndarray, ring: BaseGeometry, max_extension_m: float) -> np.ndarray:
    """Extend dangling ends up to the first street or boundary they meet; misses are dropped."""
    ends, unit = _dangling_ends(pieces)
    if len(ends) == 0:
        return np.array([], dtype=object)
    starts = ends + unit * _RAY_START_OFFSET_M
    rays = shapely.linestrings(np.stack([starts, ends + unit * max_extension_m], axis=1))
    targets = np.concatenate([pieces, shapely.get_parts(ring)])
    ray_idx, target_idx = shapely.STRtree(targets).query(rays, predicate="intersects")
    hits = shapely.intersection(rays[ray_idx], targets[target_idx])
    dist_m = shapely.distance(shapely.points(starts[ray_idx]), hits)
    first_m = np.full(len(rays), np.inf)
    np.minimum.at(first_m, ray_idx, dist_m)
    hit = np.isfinite(first_m)
    reach_m = first_m[hit] + _RAY_START_OFFSET_M + _EXTENSION_OVERSHOOT_M
    reach = ends[hit] + unit[hit] * reach_m[:, None]
    return shapely.linestrings(np.stack([ends[hit], reach], axis=1))


def _cells(lines: np.ndarray, boundary: BaseGeometry) -> list[Polygon]:
    """Polygonise lines and boundary ring; keep the faces inside the boundary."""
    ring = boundary.boundary
    everything = gpd.GeoSeries(np.concatenate([lines, shapely.get_parts(ring)]))
    faces = shapely.get_parts(shapely.polygonize(noded_lines(everything)))
    inside = shapely.within(shapely.point_on_surface(faces), boundary)
    return list(faces[inside])


def _cut_position(projections: np.ndarray, min_buildings: int) -> float | None:
    """A cut between sorted projections that leaves ``min_buildings`` on each side, or None."""
    values = np.sort(projections)
    half = len(values) // 2
    order = sorted(
        range(min_buildings, len(values) - min_buildings + 1), key=lambda k: abs(k - half)
    )
    for k in order:
        if values[k] > values[k - 1]:
            return float(values[k - 1] + values[k]) / 2.0
    return None


def _split_once(cell: Polygon, points: np.ndarray, min_buildings: int) -> list[Polygon]:
    """Cut ``cell`` across its long axis through the median building; [cell] if impossible."""
    rect = np.asarray(shapely.minimum_rotated_rectangle(cell).exterior.coords)
    sides = np.diff(rect[:3], axis=0)
    axis = sides[np.argmax(np.linalg.norm(sides, axis=1))]
    axis = axis / np.linalg.norm(axis)
    position = _cut_position(points @ axis, min_buildings)
    if position is None:
        return [cell]
    normal = np.array([-axis[1], axis[0]])
    centre = rect[0] + axis * (position - rect[0] @ axis)
    span = 2.0 * float(np.linalg.norm(sides).sum())
    cut = LineString([centre - normal * span, centre + normal * span])
    pieces = shapely.get_parts(shapely.polygonize(noded_lines(gpd.GeoSeries([cell.boundary, cut]))))
    pieces = pieces[shapely.within(shapely.point_on_surface(pieces), cell)]
    return list(pieces) if len(pieces) > 1 else [cell]


def _subdivide(
    cell: Polygon, points: np.ndarray, max_area_m2: float, min_buildings: int
) -> list[tuple[Polygon, bool]]:
    """Recursively subdivide a cell; returns (polygon, was_subdivided) pairs."""
    if cell.area <= max_area_m2 or len(points) < 2 * min_buildings:
        return [(cell, False)]
    pieces = _split_once(cell, points, min_buildings)
    if len(pieces) == 1:
        return [(cell, False)]
    result: list[tuple[Polygon, bool]] = []
    for piece in pieces:
        inside = shapely.covers(piece, shapely.points(points)) if len(points) else []
        sub = _subdivide(piece, points[inside], max_area_m2, min_buildings)
        result.extend((poly, True) for poly, _ in sub)
    return result


def _as_boundary(boundary: object, crs: object) -> BaseGeometry:
    """Accept a shapely geometry or a GeoSeries/GeoDataFrame (reprojected to ``crs``)."""
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        return shapely.union_all(boundary.to_crs(crs).geometry.to_numpy())
    if isinstance(boundary, BaseGeometry):
        return boundary
    raise TypeError("boundary must be a shapely (Multi)Polygon, GeoSeries or GeoDataFrame")


def derive_blocks(
    streets: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    boundary: BaseGeometry | gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    max_extension_m: float = 250.0,
    max_block_area_ha: float = 3.0,
    min_buildings: int = 5,
) -> gpd.GeoDataFrame:
    """Derive building blocks bounded by streets (WPG §3 Abs. 1 Nr. 1).

    Parameters
    ----------
    streets : GeoDataFrame
        Street lines (may be open, with dangling ends) in a projected CRS [m].
    buildings : GeoDataFrame
        Buildings as points or footprint polygons, same CRS as ``streets``.
    boundary : shapely geometry, GeoSeries or GeoDataFrame, optional
        Planning area. Default: :func:`default_boundary`. Every building must lie inside.
    max_extension_m : float
        Longest extension of a dangling street end [m].
    max_block_area_ha : float
        Cells larger than this are subdivided if their buildings allow it [ha].
    min_buildings : int
        A subdivision cut leaves at least this many buildings on each side.

    Returns
    -------
    GeoDataFrame
        Columns ``block_id`` (int, 0..n-1), ``area_ha`` [ha], ``subdivided`` (bool: bounded
        partly by a synthetic cut, not a street) and ``geometry``; non-overlapping polygons that
        cover every building's representative point. Empty cells (no buildings) are kept.
    """
    check_projected(streets, "streets")
    check_projected(buildings, "buildings")
    if min_buildings < 1:
        raise ValueError(f"min_buildings must be at least 1, got {min_buildings}")
    if streets.crs != buildings.crs:
        raise ValueError(f"streets ({streets.crs}) and buildings ({buildings.crs}) differ in CRS")
    area = (
        default_boundary(streets, buildings)
        if boundary is None
        else _as_boundary(boundary, streets.crs)
    )
    points = representative_points(buildings)
    outside = ~points.within(area) & ~points.intersects(area.boundary)
    if outside.any():
        raise ValueError(
            f"{int(outside.sum())} buildings lie outside the boundary "
            f"(e.g. index {outside[outside].index[0]!r}); enlarge the boundary"
        )
    pieces = noded_lines(streets.geometry)
    lines = np.concatenate([pieces, _extensions(pieces, area.boundary, max_extension_m)])
    xy = shapely.get_coordinates(points.to_numpy())
    tree = shapely.STRtree(shapely.points(xy))  # one index: each cell queries its candidates
    blocks: list[tuple[Polygon, bool]] = []
    for cell in _cells(lines, area):
        inside = np.sort(tree.query(cell, predicate="covers"))
        if cell.area < _SLIVER_AREA_M2 and not len(inside):
            continue
        blocks.extend(_subdivide(cell, xy[inside], max_block_area_ha * _M2_PER_HA, min_buildings))
    geometries = [poly for poly, _ in blocks]
    return gpd.GeoDataFrame(
        {
            col.BLOCK_ID: np.arange(len(blocks), dtype="int64"),
            "area_ha": shapely.area(geometries) / _M2_PER_HA if blocks else np.array([]),
            "subdivided": np.array([flag for _, flag in blocks], dtype=bool),
        },
        geometry=gpd.GeoSeries(geometries, crs=streets.crs),
    )

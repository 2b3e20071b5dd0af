"""Geometry of planar 3D surfaces (LoD2 roof, wall and ground polygons): pure numpy, no I/O.

A ring is an (n, 3) array of vertices in a projected CRS [m] (x east, y north, z up); the first
vertex may or may not repeat at the end. Orientation (clockwise or not) never matters here: tilt
and azimuth are taken from the upward normal, areas are absolute.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _closed(ring: ArrayLike) -> np.ndarray:
    points = np.asarray(ring, dtype=float)
    if points.ndim != 2 or points.shape[1] != 3 or len(points) < 3:
        raise ValueError("a ring needs at least 3 vertices with x, y, z")
    if np.abs(points[0] - points[-1]).max() > 1e-9:
        points = np.vstack([points, points[:1]])
    return points


def newell_normal(ring: ArrayLike) -> np.ndarray:
    """Area vector of a planar ring [m²]: its length is the area, its direction the normal.

    Newell's method: n = ½ Σ p_i × p_(i+1); exact for planar polygons, convex or not.

    >>> newell_normal([[0, 0, 0], [4, 0, 0], [4, 3, 0], [0, 3, 0]]).tolist()
    [0.0, 0.0, 12.0]
    """
    points = _closed(ring)
    (x, y, z), (x1, y1, z1) = points[:-1].T, points[1:].T
    return 0.5 * np.array(
        [(y * z1 - z * y1).sum(), (z * x1 - x * z1).sum(), (x * y1 - y * x1).sum()]
    )


def surface_area_m2(rings: list[np.ndarray]) -> float:
    """True (sloped) area of a polygon with holes [m²]: exterior minus holes."""
    areas = [float(np.linalg.norm(newell_normal(r))) for r in rings]
    return max(areas[0] - sum(areas[1:]), 0.0)


def tilt_azimuth_deg(ring: ArrayLike) -> tuple[float, float]:
    """Tilt from horizontal [°] and azimuth of the downslope direction [°, 0 = north, 90 = east].

    The azimuth is the direction the surface faces (pvlib's ``surface_azimuth``); NaN for a
    horizontal surface.

    >>> tilt, azimuth = tilt_azimuth_deg([[0, 0, 5], [10, 0, 5], [10, 4, 8], [0, 4, 8]])
    >>> round(tilt, 2), round(azimuth, 1)  # rises 3 m over 4 m to the north: faces south
    (36.87, 180.0)
    """
    normal = newell_normal(ring)
    if normal[2] < 0:  # the upward normal
        normal = -normal
    length = float(np.linalg.norm(normal))
    if length == 0.0:
        return float("nan"), float("nan")
    tilt = float(np.degrees(np.arccos(np.clip(normal[2] / length, -1.0, 1.0))))
    horizontal = float(np.hypot(normal[0], normal[1]))
    if horizontal <= 1e-9 * length:
        return tilt, float("nan")
    return tilt, float(np.degrees(np.arctan2(normal[0], normal[1])) % 360.0)


def centroid(ring: ArrayLike) -> np.ndarray:
    """Area centroid of a planar ring [m] (fan triangles weighted by their signed area)."""
    points = _closed(ring)[:-1]
    normal = newell_normal(points)
    unit = normal / np.linalg.norm(normal)
    first, second, third = points[0], points[1:-1], points[2:]
    u, w = second - first, third - first
    crossed = np.stack(
        [
            u[:, 1] * w[:, 2] - u[:, 2] * w[:, 1],
            u[:, 2] * w[:, 0] - u[:, 0] * w[:, 2],
            u[:, 0] * w[:, 1] - u[:, 1] * w[:, 0],
        ],
        axis=1,
    )
    weights = 0.5 * crossed @ unit
    centres = (first + second + third) / 3.0
    return np.asarray((weights[:, None] * centres).sum(axis=0) / weights.sum())


def volume_under_m3(rings: list[np.ndarray], ground_z_m: float) -> float:
    """Volume between a planar roof polygon and the horizontal plane ``z = ground_z_m`` [m³].

    For a plane, z is affine in (x, y), so the volume is the projected (horizontal) area times
    the height of the area centroid above the ground. Holes are subtracted the same way.
    Summed over the roof surfaces of a building whose roofs do not overlap in plan, this is the
    gross volume V_e of the LoD2 solid.
    """
    volume = 0.0
    for index, ring in enumerate(rings):
        projected = abs(float(newell_normal(ring)[2]))
        if projected == 0.0:
            continue
        part = projected * (float(centroid(ring)[2]) - ground_z_m)
        volume += part if index == 0 else -part
    return max(volume, 0.0)

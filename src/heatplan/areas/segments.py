"""Street segments between two junctions (WPG §3 Abs. 1 Nr. 16).

The heat line density of the Wärmeplanungsgesetz is, by default, computed per *street segment
between two junctions*. :func:`street_segments` turns an arbitrary set of street lines (digitised
in any pieces, crossing without shared vertices) into exactly these segments.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from heatplan.plan import columns as col

__all__ = ["check_projected", "noded_lines", "street_segments"]

#: Pieces shorter than this after noding are numerical debris and dropped [m].
MIN_SEGMENT_LENGTH_M = 1e-9


def check_projected(frame: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> None:
    """Raise a clear error unless ``frame`` has a projected CRS in metres.

    Parameters
    ----------
    frame : GeoDataFrame or GeoSeries
        Geometries to check.
    name : str
        Name of the input used in the error message.
    """
    crs = frame.crs
    if crs is None:
        raise ValueError(f"{name} has no CRS; set one (e.g. EPSG:25832) before deriving areas")
    if not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
        raise ValueError(
            f"{name} uses {crs.to_string()}, which is not projected in metres; "
            "reproject it first, e.g. frame.to_crs('EPSG:25832')"
        )


def _line_parts(geometries: gpd.GeoSeries) -> np.ndarray:
    """Return all non-empty LineStrings contained in ``geometries`` (multi-parts exploded)."""
    parts = shapely.get_parts(geometries.dropna().to_numpy())
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING]
    return parts[~shapely.is_empty(parts)]


def noded_lines(geometries: gpd.GeoSeries) -> np.ndarray:
    """Split lines at every intersection, so lines only meet at their end points.

    Parameters
    ----------
    geometries : GeoSeries
        LineStrings or MultiLineStrings [m].

    Returns
    -------
    numpy.ndarray of LineString
        Fully noded pieces; collinear overlaps are kept once.
    """
    parts = _line_parts(geometries)
    if len(parts) == 0:
        return parts
    noded: BaseGeometry = shapely.node(shapely.MultiLineString(list(parts)))
    return np.asarray(shapely.get_parts(noded))


def _merge_degree_two(pieces: np.ndarray) -> np.ndarray:
    """Merge chains of pieces through nodes where exactly two pieces meet."""
    merged = shapely.line_merge(shapely.MultiLineString(list(pieces)))
    return np.asarray(shapely.get_parts(merged))


def street_segments(streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split streets into segments between two junctions (WPG §3 Abs. 1 Nr. 16).

    Lines are noded at every intersection; chains of pieces that meet at nodes of degree 2 (a
    street digitised in several pieces) are merged; zero-length pieces are dropped. A junction is
    therefore any point where three or more pieces meet; dead ends end a segment too.

    Parameters
    ----------
    streets : GeoDataFrame
        Street centre lines (LineString/MultiLineString) in a projected CRS [m].

    Returns
    -------
    GeoDataFrame
        Columns ``segment_id`` (int, 0..n-1, stable for the same input), ``length_m`` [m] and
        ``geometry`` (LineString), in the CRS of ``streets``. The total length equals the length
        of the input lines (overlapping duplicates counted once).

    Examples
    --------
    >>> from shapely import LineString
    >>> crossing = gpd.GeoDataFrame(geometry=[LineString([(0, 5), (10, 5)]),
    ...                                       LineString([(5, 0), (5, 10)])], crs="EPSG:25832")
    >>> street_segments(crossing)["length_m"].tolist()
    [5.0, 5.0, 5.0, 5.0]
    """
    check_projected(streets, "streets")
    pieces = noded_lines(streets.geometry)
    if len(pieces) == 0:
        return gpd.GeoDataFrame(
            {col.SEGMENT_ID: np.array([], dtype="int64"), "length_m": np.array([], dtype=float)},
            geometry=gpd.GeoSeries([], crs=streets.crs),
        )
    segments = _merge_degree_two(pieces)
    lengths_m = shapely.length(segments)
    keep = lengths_m > MIN_SEGMENT_LENGTH_M
    segments, lengths_m = segments[keep], lengths_m[keep]
    return gpd.GeoDataFrame(
        {col.SEGMENT_ID: np.arange(len(segments), dtype="int64"), "length_m": lengths_m},
        geometry=gpd.GeoSeries(segments, crs=streets.crs),
    )

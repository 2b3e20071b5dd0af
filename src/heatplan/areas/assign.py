"""Assign buildings to street segments and building blocks (one key per building)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from heatplan.areas.blocks import representative_points
from heatplan.areas.segments import check_projected
from heatplan.plan import columns as col

__all__ = ["assign_to_blocks", "assign_to_segments"]


def _check_pair(buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, key: str) -> None:
    """Raise a clear error for a missing key column or mismatched CRS."""
    check_projected(buildings, "buildings")
    if key not in areas.columns:
        raise ValueError(f"the area frame has no column {key!r}")
    if areas.crs != buildings.crs:
        raise ValueError(
            f"buildings ({buildings.crs}) and {key[:-3]}s ({areas.crs}) differ in CRS; "
            "reproject one of them"
        )
    if areas.empty and not buildings.empty:
        raise ValueError(f"no {key[:-3]}s to assign {len(buildings)} buildings to")


def _first_per_building(pairs: pd.DataFrame, key: str, index: pd.Index) -> pd.Series:
    """Keep one match per building: smallest distance, then smallest key (deterministic).

    Matches are aligned by position, so a buildings index with duplicate labels works too.
    """
    order = ["_building", "_distance_m", key] if "_distance_m" in pairs else ["_building", key]
    first = pairs.sort_values(order, kind="stable").drop_duplicates("_building")
    by_position = pd.Series(first[key].to_numpy(), index=first["_building"].to_numpy())
    values = by_position.reindex(range(len(index))).to_numpy()
    return pd.Series(values, index=index, name=key)


def _nearest(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, key: str) -> pd.DataFrame:
    """All nearest matches (ties included) with their distance [m]."""
    joined = gpd.sjoin_nearest(points, areas[[key, "geometry"]], distance_col="_distance_m")
    return pd.DataFrame(joined.drop(columns="geometry"))


def _points(buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Representative points with a positional ``_building`` column."""
    return gpd.GeoDataFrame(
        {"_building": range(len(buildings))},
        geometry=representative_points(buildings).to_numpy(),
        crs=buildings.crs,
    )


def assign_to_segments(buildings: gpd.GeoDataFrame, segments: gpd.GeoDataFrame) -> pd.Series:
    """Nearest street segment of every building.

    Parameters
    ----------
    buildings : GeoDataFrame
        Points or footprints (the representative point is used), projected CRS [m].
    segments : GeoDataFrame
        Output of :func:`heatplan.areas.street_segments` (``segment_id``), same CRS.

    Returns
    -------
    pandas.Series
        ``segment_id`` per building, indexed like ``buildings``. Equidistant segments are
        resolved to the smallest ``segment_id``.
    """
    _check_pair(buildings, segments, col.SEGMENT_ID)
    if buildings.empty:
        return pd.Series(
            [], index=buildings.index, name=col.SEGMENT_ID, dtype=segments[col.SEGMENT_ID].dtype
        )
    pairs = _nearest(_points(buildings), segments, col.SEGMENT_ID)
    return _first_per_building(pairs, col.SEGMENT_ID, buildings.index)


def assign_to_blocks(buildings: gpd.GeoDataFrame, blocks: gpd.GeoDataFrame) -> pd.Series:
    """Building block containing every building's representative point.

    A point on the border of several blocks goes to the smallest ``block_id``; a point outside
    all blocks goes to the nearest block (smallest ``block_id`` on ties).

    Parameters
    ----------
    buildings : GeoDataFrame
        Points or footprints, projected CRS [m].
    blocks : GeoDataFrame
        Output of :func:`heatplan.areas.derive_blocks` (``block_id``), same CRS.

    Returns
    -------
    pandas.Series
        ``block_id`` per building, indexed like ``buildings``.
    """
    _check_pair(buildings, blocks, col.BLOCK_ID)
    if buildings.empty:
        return pd.Series(
            [], index=buildings.index, name=col.BLOCK_ID, dtype=blocks[col.BLOCK_ID].dtype
        )
    points = _points(buildings)
    inside = gpd.sjoin(points, blocks[[col.BLOCK_ID, "geometry"]], predicate="intersects")
    pairs = pd.DataFrame(inside.drop(columns="geometry"))
    missing = points[~points["_building"].isin(pairs["_building"])]
    if not missing.empty:
        pairs = pd.concat([pairs, _nearest(missing, blocks, col.BLOCK_ID)], ignore_index=True)
        pairs = pairs.drop(columns="_distance_m")
    return _first_per_building(pairs, col.BLOCK_ID, buildings.index)


def assign_areas(buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``buildings`` with the ``area_id`` of the area their representative point lies in."""
    points = gpd.GeoDataFrame(
        buildings.drop(columns="geometry"),
        geometry=buildings.geometry.representative_point(),
        crs=buildings.crs,
    )
    joined = gpd.sjoin(points, areas[[col.AREA_ID, "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return buildings.assign(area_id=joined[col.AREA_ID].to_numpy())

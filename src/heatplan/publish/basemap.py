"""The map base a public output may draw: geometry (and street names) only.

Streets and building outlines are public cadastre or OpenStreetMap geometry; what makes the
building layer private is its attributes (demand, consumption, heaters, WPG § 10). The base
keeps the geometry and nothing else, without rows flagged ``confidential`` (WPG § 11 (4)).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from heatplan.publish.rules import drop_confidential

__all__ = ["BASE_NAME_COLUMN", "base_geometry"]

#: The one attribute a base layer may keep: the street name (a place name, no building data).
BASE_NAME_COLUMN = "name"


def base_geometry(frame: pd.DataFrame | None, *, names: bool = False) -> gpd.GeoDataFrame | None:
    """Geometry of ``frame`` without confidential rows; with ``names`` its ``name`` column too."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return None
    kept, _ = drop_confidential(frame)
    columns = {"geometry": kept.geometry.to_numpy()}
    if names and BASE_NAME_COLUMN in kept.columns:
        columns[BASE_NAME_COLUMN] = kept[BASE_NAME_COLUMN].astype("string").to_numpy()
    return gpd.GeoDataFrame(columns, geometry="geometry", crs=frame.crs)

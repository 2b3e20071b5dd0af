"""The measures layer of the public map: each public measure drawn over the areas it names.

A measure has no geometry of its own in the catalogue; its place on the map is the union of
its supply areas (``area_ids``), and a point inside that for its marker. Only public fields
go out: number, title, type, status and dates (the catalogue's public view, no staff names).
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

from heatplan.measures.schema import STATUSES
from heatplan.plan import columns as col
from heatplan.web.public_data import PublicData, area_ids_of

__all__ = ["PUBLIC_FIELDS", "measure_features"]

#: The fields of a measure the map shows.
PUBLIC_FIELDS = ("measure_id", "title", "measure_type", "status", "start_date", "completion_date")
#: Decimals of the coordinates sent [count] (5 decimals: about 1 m).
DECIMALS = 5
#: Simplification of the area outlines [degree] (about 5 m: invisible at street zoom).
SIMPLIFY_DEG = 5e-5


def _area_shapes(data: PublicData) -> gpd.GeoSeries:
    areas = data.areas
    if not isinstance(areas, gpd.GeoDataFrame) or areas.empty or areas.crs is None:
        return gpd.GeoSeries([], crs="EPSG:4326")
    shapes = areas.set_index(areas[col.AREA_ID].astype(str)).geometry.to_crs("EPSG:4326")
    return shapes.simplify(SIMPLIFY_DEG).set_precision(10.0**-DECIMALS)


def _properties(measure: dict[str, Any], areas: list[str]) -> dict[str, Any]:
    out = {key: measure.get(key) for key in PUBLIC_FIELDS}
    out["status_de"] = STATUSES.get(str(out["status"]), str(out["status"] or ""))
    out[col.AREA_ID] = ", ".join(areas)
    return {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in out.items()}


def measure_features(data: PublicData) -> dict[str, Any]:
    """GeoJSON (EPSG:4326): one feature per public measure with areas on the map."""
    shapes = _area_shapes(data)
    features = []
    for measure in data.measures:
        areas = [a for a in area_ids_of(measure) if a in shapes.index]
        if not areas:
            continue
        shape = shapes.loc[areas].union_all()
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(json.dumps(mapping(shape))),
                "properties": _properties(measure, areas),
            }
        )
    return {"type": "FeatureCollection", "features": features}

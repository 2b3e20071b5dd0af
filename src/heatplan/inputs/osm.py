"""OpenStreetMap buildings and streets from ``.osm`` / ``.osm.pbf`` files (GDAL's OSM driver).

GDAL exposes an OSM file as layers ``points``, ``lines``, ``multipolygons`` ...; tags without a
column of their own are in ``other_tags`` as an hstore text (``"k"=>"v","k2"=>"v2"``), parsed
here. Buildings are the ``multipolygons`` with ``building`` set (footprints) plus ``points`` with a
``building`` tag (point buildings); streets are ``lines`` whose ``highway`` is one of the road
classes asked for (by default roads that can carry a pipe: no footways, steps, paths, cycleways),
with ``road_class`` = the ``highway`` value; barriers are rail, rivers, canals, water areas and
motorways (:func:`read_osm_barriers`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import pandas as pd

from heatplan.errors import InputFileError
from heatplan.inputs.readers import read_vector
from heatplan.inputs.validate import load_reference, valid_uses
from heatplan.plan import columns as col

#: Tags read from ``other_tags`` into columns of their own (mapping.ALIASES renames them).
BUILDING_TAGS = (
    "building:levels",
    "height",
    "building:height",
    "start_date",
    "building:start_date",
    "building:use",
    "addr:street",
    "addr:housenumber",
    "addr:postcode",
    "addr:city",
)

#: OSM ``highway=*`` values and whether they are imported as streets, with sources.
ROAD_CLASSES_FILE = "osm_road_classes.csv"


def _default_road_classes() -> frozenset[str]:
    rows = load_reference(ROAD_CLASSES_FILE)
    return frozenset(rows.loc[rows["street"].astype(int) == 1, "highway"].astype(str))


#: Road classes imported as streets unless others are asked for (data/osm_road_classes.csv).
DEFAULT_ROAD_CLASSES = _default_road_classes()

#: OSM ``building=*`` values of buildings that are not heated (rejected with this reason).
UNHEATED_BUILDINGS = frozenset(
    {
        "roof",
        "garage",
        "garages",
        "carport",
        "shed",
        "hut",
        "cabin",
        "greenhouse",
        "cowshed",
        "stable",
        "barn",
        "farm_auxiliary",
        "parking",
        "ruins",
        "construction",
        "bunker",
        "container",
        "transformer_tower",
        "water_tower",
        "silo",
        "storage_tank",
        "tent",
    }
)

#: OSM ``building=*`` values that name a TABULA residential type (heatplan ``use`` codes).
OSM_RESIDENTIAL_USE = {
    "house": "sfh",
    "detached": "sfh",
    "semidetached_house": "sfh",
    "bungalow": "sfh",
    "farm": "sfh",
    "terrace": "th",
    "apartments": "mfh",
    "dormitory": "mfh",
    "residential": "residential",  # type not stated: split on import (inputs.vocabulary)
}

_HSTORE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def parse_hstore(text: object) -> dict[str, str]:
    """Parse GDAL's ``other_tags`` hstore text into a dict.

    >>> parse_hstore('"building:levels"=>"4","addr:street"=>"Forckenbeckstraße"')
    {'building:levels': '4', 'addr:street': 'Forckenbeckstraße'}
    >>> parse_hstore(None)
    {}
    """
    if not isinstance(text, str):
        return {}
    return {_unescape(k): _unescape(v) for k, v in _HSTORE_PAIR.findall(text)}


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


def _tag_columns(frame: gpd.GeoDataFrame, tags: Collection[str]) -> gpd.GeoDataFrame:
    parsed = frame["other_tags"].map(parse_hstore)
    out = frame.copy()
    for tag in tags:
        values = parsed.map(lambda d, t=tag: d.get(t))
        out[tag] = values if tag not in out.columns else out[tag].fillna(values)
    return out


def read_osm_buildings(path: Path) -> gpd.GeoDataFrame:
    """Building footprints and point buildings of an OSM file, in EPSG:4326.

    Columns: ``building_id`` (``osm-way-<id>``, ``osm-relation-<id>``, ``osm-node-<id>``),
    ``osm_building`` (the raw ``building=*`` value), ``name``, the :data:`BUILDING_TAGS`, and
    ``geometry``. ``use`` is set from :data:`OSM_RESIDENTIAL_USE`, else from ``building:use``
    or ``building`` when its value is a heatplan use code (``university``, ``school``,
    ``office`` ... of ``nonresidential_benchmarks.csv``); otherwise it stays ``unknown``.
    """
    polygons = read_vector(path, layer="multipolygons")
    polygons = polygons[polygons["building"].notna()].copy()
    polygons[col.BUILDING_ID] = _polygon_ids(polygons)
    polygons["osm_building"] = polygons["building"]
    points = _point_buildings(path)
    frame = pd.concat([polygons, points], ignore_index=True)
    frame = _tag_columns(
        gpd.GeoDataFrame(frame, geometry="geometry", crs=polygons.crs), BUILDING_TAGS
    )
    frame[col.USE] = _osm_use(frame)
    columns = [col.BUILDING_ID, "osm_building", col.USE, "name", *BUILDING_TAGS, "geometry"]
    return frame[columns].reset_index(drop=True)


def _osm_use(frame: pd.DataFrame) -> pd.Series:
    """Use code: residential ``building=*`` types, else a use code in ``building:use`` or
    ``building``, else ``unknown``."""
    codes = (valid_uses() - {"unknown"}) | {"residential"}

    def pick(building: object, tagged: object) -> str:
        for value in (OSM_RESIDENTIAL_USE.get(str(building)), tagged, building):
            if isinstance(value, str) and value in codes:
                return value
        return "unknown"

    pairs = zip(frame["osm_building"], frame["building:use"], strict=True)
    return pd.Series([pick(b, t) for b, t in pairs], index=frame.index, dtype=object)


def _polygon_ids(polygons: pd.DataFrame) -> pd.Series:
    way = "osm-way-" + polygons["osm_way_id"].astype("string")
    relation = "osm-relation-" + polygons["osm_id"].astype("string")
    return way.where(polygons["osm_way_id"].notna(), relation).astype(object)


def _point_buildings(path: Path) -> gpd.GeoDataFrame:
    points = read_vector(path, layer="points")
    building = points["other_tags"].map(lambda t: parse_hstore(t).get("building"))
    points = points[building.notna()].copy()
    points["osm_building"] = building[building.notna()]
    points[col.BUILDING_ID] = "osm-node-" + points["osm_id"].astype(str)
    return points


def read_osm_streets(
    path: Path, *, road_classes: Collection[str] = DEFAULT_ROAD_CLASSES
) -> gpd.GeoDataFrame:
    """Street centre lines (``highway`` in ``road_classes``) of an OSM file, in EPSG:4326.

    Columns: ``line_id`` (``osm-way-<id>``), ``name``, ``road_class`` (the ``highway`` value),
    ``geometry``.
    """
    lines = read_vector(path, layer="lines")
    lines = lines[lines["highway"].isin(set(road_classes))].copy()
    lines["line_id"] = "osm-way-" + lines["osm_id"].astype(str)
    lines["road_class"] = lines["highway"]
    return lines[["line_id", "name", "road_class", "geometry"]].reset_index(drop=True)


#: OSM tags of the lines and areas read as barriers (data/barrier_kinds.csv gives the reasons):
#: tag -> values -> barrier ``kind``. Tram lines run in the street space and are no barrier.
BARRIER_LINE_TAGS: dict[str, dict[str, str]] = {
    "railway": {"rail": "rail", "light_rail": "rail"},
    "waterway": {"river": "water", "canal": "water"},
    "highway": {"motorway": "road", "trunk": "road"},
}
#: Area features (``multipolygons``) read as water barriers: key -> values. ``natural=water``
#: counts only with one of :data:`BARRIER_WATER_TYPES` (a pond in a park is no barrier).
BARRIER_AREA_TAGS: dict[str, frozenset[str]] = {
    "natural": frozenset({"water"}),
    "waterway": frozenset({"riverbank"}),
}
#: ``water=*`` values of ``natural=water`` areas that are barriers (OSM wiki Key:water).
BARRIER_WATER_TYPES = frozenset({"river", "canal", "oxbow", "lake", "reservoir"})
#: ``tunnel=*`` values of lines that run below ground (no barrier at the surface).
TUNNELS = frozenset({"yes", "building_passage", "culvert"})


def read_osm_barriers(path: Path) -> gpd.GeoDataFrame:
    """Rail, rivers, canals, water areas and motorways of an OSM file, in EPSG:4326.

    Lines: ``railway`` rail / light_rail, ``waterway`` river / canal, ``highway`` motorway /
    trunk (:data:`BARRIER_LINE_TAGS`), without tunnels (:data:`TUNNELS`). Areas:
    ``waterway=riverbank`` and ``natural=water`` with ``water`` river / canal / oxbow / lake /
    reservoir (:data:`BARRIER_AREA_TAGS`; ponds and untagged water areas are left out). Columns:
    ``barrier_id`` (``osm-way-<id>``, ``osm-relation-<id>``), ``kind`` (rail | water | road),
    ``name``, ``osm_tag`` (``key=value``) and ``geometry``. A file without any such feature
    gives an empty frame.
    """
    lines = _tag_columns(_osm_layer(path, "lines"), ("railway", "waterway", "tunnel"))
    lines["osm_tag"] = _first_tag(lines, BARRIER_LINE_TAGS)
    lines = lines[lines["osm_tag"].notna() & ~lines["tunnel"].isin(TUNNELS)].copy()
    lines["barrier_id"] = "osm-way-" + lines["osm_id"].astype(str)
    kinds = {
        f"{k}={v}": kind for k, values in BARRIER_LINE_TAGS.items() for v, kind in values.items()
    }
    lines["kind"] = lines["osm_tag"].map(kinds)
    areas = {key: dict.fromkeys(values, "water") for key, values in BARRIER_AREA_TAGS.items()}
    polygons = _tag_columns(_osm_layer(path, "multipolygons"), ("waterway", "water"))
    polygons["osm_tag"] = _first_tag(polygons, areas)
    pond = polygons["osm_tag"].eq("natural=water") & ~polygons["water"].isin(BARRIER_WATER_TYPES)
    polygons.loc[pond, "osm_tag"] = None
    polygons = polygons[polygons["osm_tag"].notna()].copy()
    polygons["barrier_id"] = _polygon_ids(polygons)
    polygons["kind"] = "water"
    columns = ["barrier_id", "kind", "name", "osm_tag", "geometry"]
    frame = pd.concat([lines[columns], polygons[columns]], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=lines.crs)


def _osm_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    """A layer of an OSM file; an empty frame (EPSG:4326) when the file has no such feature."""
    try:
        return read_vector(path, layer=layer)
    except InputFileError as exc:
        if "no rows" not in str(exc):
            raise
    columns = ("osm_id", "osm_way_id", "name", "other_tags")
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in columns}, geometry=[], crs=4326)


def _first_tag(frame: pd.DataFrame, tags: dict[str, dict[str, str]]) -> pd.Series:
    """``key=value`` of the first tag in ``tags`` each feature carries, else None."""
    found = pd.Series(None, index=frame.index, dtype=object)
    for key, values in tags.items():
        if key in frame.columns:
            hit = found.isna() & frame[key].isin(list(values))
            found[hit] = key + "=" + frame.loc[hit, key].astype(str)
    return found

"""Geometry imports: street and network lines, pre-drawn blocks and areas, into project layers.

Lines go to ``streets``, ``heat_networks`` or ``gas_networks`` (:data:`LINE_LAYERS`), polygons to
``input_blocks`` or ``input_areas`` (:data:`POLYGON_LAYERS`), barriers (lines or polygons: rail,
rivers, water areas, motorways) to ``barriers`` (:func:`import_barriers`). The attributes of
``data/attributes.csv`` (tables ``lines``, ``input_blocks``, ``input_areas``) are recognised,
checked and typed; every other column of the file is kept as it is (a column named ``fid`` is
kept as ``source_fid``: a GeoPackage reserves that name). Each row gets an id (``line_id``,
``block_id``, ``area_id``: from the file, else ``<file stem>-<row>``), ``source_file`` and
``source_row``. Geometries are reprojected to the project CRS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

from heatplan.errors import InputFileError
from heatplan.inputs import validate as v
from heatplan.inputs.common import (
    LINE_LAYERS,
    LINEAR,
    POLYGON_LAYERS,
    POLYGONAL,
    ImportMode,
    ImportResult,
    as_dtype,
    commit_import,
    geo_checks,
    id_key,
    open_project,
    read_geo,
    row_ids,
    storable_columns,
    stored_for_mode,
    stored_rows,
    v_rows,
)
from heatplan.inputs.mapping import ColumnMapping, apply_mapping, load_mapping
from heatplan.inputs.osm import read_osm_barriers, read_osm_streets
from heatplan.inputs.readers import is_osm
from heatplan.plan import columns as col
from heatplan.project.config import ProjectConfig
from heatplan.project.store import Store

#: Columns a line id is taken from, first found wins.
LINE_ID_COLUMNS = ("line_id", "pipe_id", "id")
#: Schema table, id column and the file columns it is taken from, per polygon kind.
POLYGON_IDS = {
    "blocks": (col.BLOCK_ID, (col.BLOCK_ID, "id")),
    "areas": (col.AREA_ID, (col.AREA_ID, "id")),
}
#: Layer of barrier lines and areas, and the kinds of barrier (data/barrier_kinds.csv).
BARRIERS = "barriers"
BARRIER_KINDS = "barrier_kinds.csv"
#: Layer of an OSM file read when none is given.
OSM_LAYERS = {"lines": "lines", "polygons": "multipolygons"}


def import_lines(
    project_dir: Path,
    file: Path,
    *,
    kind: Literal["streets", "heat_network", "gas_network"],
    mapping: Path | None = None,
    layer: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    mode: ImportMode = "add",
) -> ImportResult:
    """Import street or network lines (LineString/MultiLineString) into their layer.

    Parameters
    ----------
    project_dir : Path
        Project directory (holds ``heatplan.toml``).
    file : Path
        GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet or OSM (``.osm``/``.pbf``; for
        ``streets`` the OSM highways of :data:`heatplan.inputs.osm.DEFAULT_ROAD_CLASSES`).
    kind : {"streets", "heat_network", "gas_network"}
        Target layer ``streets``, ``heat_networks`` or ``gas_networks``.
    mapping : Path, optional
        Column mapping file (TOML or JSON).
    layer : str, optional
        Layer of a multi-layer file.
    crs : str, optional
        CRS of a file that declares none (e.g. ``EPSG:25832``).
    repair : bool
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.
    mode : {"add", "replace", "update"}
        ``add`` rejects stored ids; ``replace`` replaces the layer; ``update`` by id.

    Returns
    -------
    ImportResult
        Rows imported and rejected. Known attributes: ``name``, ``road_class``,
        ``diameter_mm`` [mm], ``medium``, ``construction_year`` [a].
    """
    target = _target(LINE_LAYERS, kind)
    file, (config, store), cmap = Path(file), open_project(project_dir), load_mapping(mapping)
    targets = list(v.attributes("lines")["name"])
    if is_osm(file) and kind == "streets" and layer is None:
        raw = v.resolve_crs(read_osm_streets(file), file, crs)
        frame = gpd.GeoDataFrame(apply_mapping(raw, cmap, targets), geometry="geometry")
    else:
        frame = read_shapes(file, layer=layer, crs=crs, cmap=cmap, targets=targets, osm="lines")
    frame["line_id"] = row_ids(frame, first_column(frame, LINE_ID_COLUMNS), file)
    return import_shapes(
        store,
        config,
        frame,
        file=file,
        target=target,
        schema="lines",
        id_column="line_id",
        types=LINEAR,
        project_dir=Path(project_dir),
        repair=repair,
        mode=mode,
        decimal=cmap.decimal,
    )


def import_polygons(
    project_dir: Path,
    file: Path,
    *,
    kind: Literal["blocks", "areas"],
    mapping: Path | None = None,
    layer: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    mode: ImportMode = "add",
) -> ImportResult:
    """Import pre-drawn blocks or areas (Polygon/MultiPolygon) into their layer.

    Parameters
    ----------
    project_dir : Path
        Project directory (holds ``heatplan.toml``).
    file : Path
        GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet or OSM (``multipolygons``).
    kind : {"blocks", "areas"}
        Target layer ``input_blocks`` (with ``block_id``) or ``input_areas`` (with ``area_id``
        and ``name`` where given).
    mapping : Path, optional
        Column mapping file (TOML or JSON).
    layer : str, optional
        Layer of a multi-layer file.
    crs : str, optional
        CRS of a file that declares none (e.g. ``EPSG:25832``).
    repair : bool
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.
    mode : {"add", "replace", "update"}
        ``add`` rejects stored ids; ``replace`` replaces the layer; ``update`` by id.

    Returns
    -------
    ImportResult
        Rows imported and rejected.
    """
    target = _target(POLYGON_LAYERS, kind)
    id_column, id_sources = POLYGON_IDS[kind]
    file, (config, store), cmap = Path(file), open_project(project_dir), load_mapping(mapping)
    targets = list(v.attributes(target)["name"])
    frame = read_shapes(file, layer=layer, crs=crs, cmap=cmap, targets=targets, osm="polygons")
    frame[id_column] = row_ids(frame, first_column(frame, id_sources), file)
    return import_shapes(
        store,
        config,
        frame,
        file=file,
        target=target,
        schema=target,
        id_column=id_column,
        types=POLYGONAL,
        project_dir=Path(project_dir),
        repair=repair,
        mode=mode,
        decimal=cmap.decimal,
    )


def import_barriers(
    project_dir: Path,
    file: Path,
    *,
    mapping: Path | None = None,
    layer: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    mode: ImportMode = "add",
) -> ImportResult:
    """Import barriers no supply area crosses (rail, rivers, canals, motorways) into ``barriers``.

    Parameters
    ----------
    project_dir : Path
        Project directory (holds ``heatplan.toml``).
    file : Path
        Lines or polygons: GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet, or OSM
        (``.osm``/``.pbf``: rail, rivers, canals, water areas, motorways and trunk roads, see
        :func:`heatplan.inputs.osm.read_osm_barriers`).
    mapping : Path, optional
        Column mapping file (TOML or JSON); e.g. ``[columns] Art = "kind"`` and
        ``[values.kind] Bahn = "rail"``.
    layer : str, optional
        Layer of a multi-layer file (an OSM layer given here is read as it is).
    crs : str, optional
        CRS of a file that declares none (e.g. ``EPSG:25832``).
    repair : bool
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.
    mode : {"add", "replace", "update"}
        ``add`` rejects stored ids; ``replace`` replaces the layer; ``update`` by id.

    Returns
    -------
    ImportResult
        Rows imported and rejected. ``barrier_id`` from the file's ``barrier_id`` or ``id``
        column, else ``<file stem>-<row>``; ``kind`` one of ``data/barrier_kinds.csv`` (rail,
        water, road, other; empty: other) — another value rejects the row (field ``kind``).
    """
    file, (config, store), cmap = Path(file), open_project(project_dir), load_mapping(mapping)
    targets = list(v.attributes(BARRIERS)["name"])
    if is_osm(file) and layer is None:
        raw = read_osm_barriers(file)
        if raw.empty:
            raise InputFileError(
                file,
                "no barrier in this OpenStreetMap file (railway=rail/light_rail, "
                "waterway=river/canal, water areas, highway=motorway/trunk): nothing to import",
            )
        raw = v.resolve_crs(raw, file, crs)
        frame = gpd.GeoDataFrame(apply_mapping(raw, cmap, targets), geometry="geometry")
    else:
        frame = read_shapes(file, layer=layer, crs=crs, cmap=cmap, targets=targets, osm="lines")
    frame["barrier_id"] = row_ids(frame, first_column(frame, ("barrier_id", "id")), file)
    if "kind" not in frame.columns:
        frame["kind"] = None
    return import_shapes(
        store,
        config,
        frame,
        file=file,
        target=BARRIERS,
        schema=BARRIERS,
        id_column="barrier_id",
        types=(*LINEAR, *POLYGONAL),
        codes={"kind": barrier_kinds()},
        fill={"kind": "other"},
        project_dir=Path(project_dir),
        repair=repair,
        mode=mode,
        decimal=cmap.decimal,
    )


def barrier_kinds() -> set[str]:
    """The barrier kinds of ``data/barrier_kinds.csv`` (rail, water, road, other)."""
    return set(v.load_reference(BARRIER_KINDS)["kind"])


def _target(layers: dict[str, str], kind: str) -> str:
    if kind not in layers:
        raise ValueError(f"kind must be one of {', '.join(layers)}, not {kind!r}")
    return layers[kind]


def read_shapes(
    file: Path,
    *,
    layer: str | None,
    crs: str | None,
    cmap: ColumnMapping,
    targets: list[str],
    osm: str,
) -> gpd.GeoDataFrame:
    """A vector file as :func:`read_geo` reads it; OSM without ``layer``: the ``osm`` layer."""
    if layer is None and is_osm(file):
        layer = OSM_LAYERS[osm]
    return read_geo(file, layer=layer, crs=crs, mapping=cmap, targets=targets)


def first_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that is a column of ``frame``; ``None`` when none is."""
    return next((name for name in names if name in frame.columns), None)


def import_shapes(
    store: Store,
    config: ProjectConfig,
    frame: gpd.GeoDataFrame,
    *,
    file: Path,
    target: str,
    schema: str,
    id_column: str,
    types: tuple[str, ...],
    codes: dict[str, set[str]] | None = None,
    fill: dict[str, str] | None = None,
    project_dir: Path | None = None,
    repair: bool = False,
    mode: ImportMode = "add",
    decimal: str | None = None,
) -> ImportResult:
    """Check geometry, ids and known attributes; commit the valid rows and the rejections.

    ``codes`` are coded columns with their valid values (others reject the row), ``fill``
    the value an empty coded cell takes; ``project_dir`` holds the report of a failed import,
    ``repair`` and ``mode`` as for :func:`import_lines`; ``decimal`` the mapping's decimal
    separator of text numbers (``","``) where they do not reveal it.
    """
    stored = stored_rows(store, target, [id_column])[id_column]
    checks = geo_checks(
        frame,
        file=file,
        id_column=id_column,
        stored=stored_for_mode(stored, mode),
        types=types,
        repair=repair,
        project_crs=config.project.crs,
    )
    v.check_numbers(checks, schema, decimal=decimal)
    v.check_years(checks, (col.CONSTRUCTION_YEAR,))
    for name, valid_codes in (codes or {}).items():
        v.check_codes(checks, name, valid_codes)
    valid, rejections = checks.result()
    valid = valid.copy()
    for name, value in (fill or {}).items():
        empty = valid[name].isna() | valid[name].astype(str).str.strip().eq("")
        valid.loc[empty, name] = value
    out = _shapes_frame(
        gpd.GeoDataFrame(valid, geometry="geometry"), schema=schema, id_column=id_column, file=file
    )
    return commit_import(
        store,
        target=target,
        file=file,
        frame=out,
        rejections=rejections,
        mode=mode,
        key=id_key(id_column),
        report_dir=project_dir,
    )


def _shapes_frame(
    valid: gpd.GeoDataFrame, *, schema: str, id_column: str, file: Path
) -> gpd.GeoDataFrame:
    """The file's columns with known attributes typed, the id first, source columns added."""
    attributes = v.attributes(schema)
    out = pd.DataFrame(valid.drop(columns="geometry"))
    for name, dtype in zip(attributes["name"], attributes["dtype"], strict=True):
        if name in out.columns:
            out[name] = as_dtype(out[name], dtype)
    out = storable_columns(out.drop(columns=["source_file", "source_row"], errors="ignore"))
    out = out[[id_column, *(c for c in out.columns if c != id_column)]]
    out["source_file"] = file.name
    out["source_row"] = v_rows(valid)
    return gpd.GeoDataFrame(out, geometry=valid.geometry, crs=valid.crs)

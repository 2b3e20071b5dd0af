"""The import step: buildings, consumption, heaters, lines and polygons into the project store.

Each import is one store transaction: the imported rows are appended to their layer or table and
the rejected rows to ``import_rejections`` (``file``, ``row``, ``field``, ``value``, ``reason``,
``target``, ``run_id``, ``imported_utc``) together; an import that fails half-way leaves
``plan.gpkg`` unchanged. ``row`` is the 1-based data row (feature) of the source file — in a
spreadsheet the header is row 1, so data row 1 is spreadsheet row 2.

Ids are unique per layer. Every import takes a ``mode`` (``common.ImportMode``):
``add`` (default) appends and rejects rows whose id is already stored, so importing the same
file twice imports nothing the second time; ``replace`` makes the file's rows the layer's only
rows (a re-import of the layer); ``update`` overwrites the stored rows with the file's ids and
appends the new ids. Consumption rows have no id of their own: there the key is (building_id
or address, year, carrier). Every rejection row carries the ``run_id`` of its import, and each
import that changed the store has a row in ``import_runs``.

An import in which no row is valid fails (``ImportResult.usable`` is False; the CLI exits 1)
and leaves the store untouched, byte for byte: its rejections go to a CSV in the project folder
(``import-rejections/<file stem>-<run id>.csv``, ``ImportResult.report``) instead.

When an append would lose data (a column the stored layer lacks, text where it holds numbers, a
geometry type it was not made for), the layer is rewritten with the new rows added, in the same
transaction.

This module holds :func:`import_buildings` and re-exports the others: consumption and heaters
live in :mod:`heatplan.inputs.tables`, lines, polygons and barriers in
:mod:`heatplan.inputs.geometry`, the shared steps in :mod:`heatplan.inputs.common`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.inputs import validate as v
from heatplan.inputs.addresses import ADDRESS_PARTS, address_key, address_keys, normalise_address
from heatplan.inputs.common import (
    LINE_LAYERS,
    LINEAR,
    POLYGON_LAYERS,
    POLYGONAL,
    REJECTIONS_TABLE,
    ImportMode,
    ImportResult,
    commit_import,
    decimal_option,
    geo_checks,
    id_key,
    open_project,
    read_geo,
    row_ids,
    schema_frame,
    stored_for_mode,
    stored_rows,
    v_rows,
)
from heatplan.inputs.geometry import import_barriers, import_lines, import_polygons
from heatplan.inputs.mapping import apply_mapping, load_mapping, unused_columns
from heatplan.inputs.osm import UNHEATED_BUILDINGS, read_osm_buildings
from heatplan.inputs.readers import is_osm
from heatplan.inputs.tables import import_consumption, import_heaters
from heatplan.inputs.vocabulary import typed_residential
from heatplan.plan import columns as col

__all__ = [
    "ADDRESS_PARTS",
    "LINEAR",
    "LINE_LAYERS",
    "POLYGONAL",
    "POLYGON_LAYERS",
    "REJECTIONS_TABLE",
    "ImportResult",
    "address_key",
    "address_keys",
    "buildings_frame",
    "import_barriers",
    "import_buildings",
    "import_consumption",
    "import_heaters",
    "import_lines",
    "import_polygons",
    "normalise_address",
    "v_rows",
]


# --- buildings -------------------------------------------------------------------------------
def import_buildings(
    project_dir: Path,
    file: Path,
    *,
    mapping: Path | None = None,
    layer: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    mode: ImportMode = "add",
    decimal: str | None = None,
) -> ImportResult:
    """Import building footprints or points (any vector format, or OSM) into ``buildings``.

    ``building_id`` comes from a mapped id column, else ``<file stem>-<row>`` (OSM:
    ``osm-way-<id>``). ``footprint_area_m2`` is the polygon area in the project CRS (empty for
    points); ``age_class`` is kept where the file gives a TABULA label (``1958-1968``), else
    ``unknown``; the inventory derives it from ``construction_year`` where that is known.
    Invalid geometries are rejected unless ``repair`` (then repaired with shapely.make_valid).
    ``mode``: ``add``, ``replace`` or ``update`` by ``building_id`` (see the module docstring).
    ``decimal``: the decimal separator of text numbers (``","``) where they do not reveal it;
    wins over the mapping's ``decimal``.
    """
    file, config, store, cmap = Path(file), *open_project(project_dir), load_mapping(mapping)
    schema = v.attributes("buildings")
    targets = [*schema["name"], "osm_building"]
    if is_osm(file):
        raw = v.resolve_crs(read_osm_buildings(file), file, crs)
        frame = gpd.GeoDataFrame(apply_mapping(raw, cmap, targets), geometry="geometry")
    else:
        frame = read_geo(file, layer=layer, crs=crs, mapping=cmap, targets=targets)
    stored = stored_rows(store, "buildings", [col.BUILDING_ID])[col.BUILDING_ID]
    buildings, rejections = buildings_frame(
        frame,
        file=file,
        crs=config.project.crs,
        stored_ids=stored_for_mode(stored, mode),
        repair=repair,
        decimal=decimal_option(file, decimal or cmap.decimal),
    )
    result = commit_import(
        store,
        target="buildings",
        file=file,
        frame=buildings,
        rejections=rejections,
        mode=mode,
        key=id_key(col.BUILDING_ID),
        report_dir=Path(project_dir),
    )
    return replace(result, ignored_columns=unused_columns(frame, targets))


def buildings_frame(
    frame: gpd.GeoDataFrame,
    *,
    file: Path,
    crs: str,
    stored_ids: pd.Series | None = None,
    repair: bool = False,
    decimal: str | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The ``buildings`` frame of a plan from features in memory, and the rejected rows.

    ``frame`` has the attribute names of ``attributes.csv`` (table ``buildings``) and a
    geometry; ``file`` names its source in ``source_file`` and in the rejections (it is not
    read); ``crs`` is the plan's CRS; ids in ``stored_ids`` are rejected as duplicates. No
    store, no file: a runner over a state's building data calls this per partition.
    """
    frame = frame.copy()
    frame[col.BUILDING_ID] = row_ids(frame, col.BUILDING_ID, file)
    checks = geo_checks(
        frame,
        file=file,
        id_column=col.BUILDING_ID,
        stored=stored_ids if stored_ids is not None else pd.Series([], dtype=object),
        types=(*POLYGONAL, "Point", "MultiPoint"),
        repair=repair,
        project_crs=crs,
    )
    _check_building_values(checks, decimal)
    valid, rejections = checks.result()
    return _buildings_frame(gpd.GeoDataFrame(valid, geometry="geometry"), file=file), rejections


def _check_building_values(checks: v.RowChecks, decimal: str | None) -> None:
    if "osm_building" in checks.frame.columns:
        checks.reject(
            checks.frame["osm_building"].isin(UNHEATED_BUILDINGS),
            "osm_building",
            "unbeheizter Gebäudetyp (OSM building=*) / unheated building type (OSM building=*)",
        )
    v.check_numbers(checks, "buildings", decimal=decimal)
    v.check_years(checks, (col.CONSTRUCTION_YEAR,))
    v.check_positive(checks, "floors")
    checks.frame = typed_residential(checks.frame)
    v.check_codes(checks, col.USE, v.valid_uses())
    if "age_class" in checks.frame.columns:
        given = checks.frame["age_class"]
        checks.frame["age_class"] = given.where(
            given.isna(), given.astype(str).str.replace(" ", "")
        )
        v.check_codes(checks, "age_class", set(v.load_reference("age_classes.csv")["age_class"]))


def _buildings_frame(valid: gpd.GeoDataFrame, *, file: Path) -> gpd.GeoDataFrame:
    out = schema_frame(valid, "buildings", file=file)
    out[col.USE] = out[col.USE].fillna("unknown")
    out["age_class"] = out["age_class"].fillna("unknown")  # the inventory prefers the year
    polygonal = valid.geometry.geom_type.isin(POLYGONAL)
    out["footprint_area_m2"] = valid.geometry.area.where(polygonal, np.nan)
    given = out[col.HEATED_AREA_M2].notna()
    out["heated_area_source"] = out["heated_area_source"].where(
        ~given | out["heated_area_source"].notna(), "given"
    )
    out["address"] = address_keys(out)
    return gpd.GeoDataFrame(out, geometry=valid.geometry, crs=valid.crs)

"""The import step: buildings, consumption, heaters, lines and polygons into the project store.

Each import is one store transaction: the imported rows are appended to their layer or table and
the rejected rows to ``import_rejections`` (``file``, ``row``, ``field``, ``value``, ``reason``,
``target``, ``imported_utc``) together; an import that fails half-way leaves ``plan.gpkg``
unchanged. ``row`` is the 1-based data row (feature) of the source file — in a spreadsheet the
header is row 1, so data row 1 is spreadsheet row 2.

Ids are unique per layer: rows whose id is already stored are rejected, so importing the same
file twice imports nothing the second time and reports every row as a duplicate. An import in
which every row is rejected still writes its rejections and reports ``imported=0``
(``ImportResult.usable`` is False; the CLI turns that into a non-zero exit).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.errors import InputFileError
from heatplan.io import validate as v
from heatplan.io.mapping import ColumnMapping, apply_mapping, load_mapping
from heatplan.io.osm import DEFAULT_ROAD_CLASSES, UNHEATED_BUILDINGS
from heatplan.io.osm import read_osm_buildings, read_osm_streets
from heatplan.io.readers import is_osm, read_table, read_vector
from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import GeoPackageStore, open_store

REJECTIONS_TABLE = "import_rejections"
LINE_LAYERS = {"streets": "streets", "heat_network": "heat_networks", "gas_network": "gas_networks"}
POLYGON_LAYERS = {"blocks": "input_blocks", "areas": "input_areas"}
ADDRESS_PARTS = ("street", "house_number", "postcode")
POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class ImportResult:
    """Outcome of one import: counts, the target layer, and where the rejections went."""

    imported: int
    rejected: int
    layer: str
    file: str
    rejections_table: str = REJECTIONS_TABLE

    @property
    def usable(self) -> bool:
        """False when nothing was imported (every row rejected)."""
        return self.imported > 0


# --- shared steps ----------------------------------------------------------------------------
def _open(project_dir: Path) -> tuple[ProjectConfig, GeoPackageStore]:
    config = load_config(Path(project_dir))
    store = open_store(config.store_url(Path(project_dir)))
    store.read("heatplan_meta")  # raises ProjectError when the store is missing
    return config, store


def _stored(store: GeoPackageStore, name: str, columns: list[str]) -> pd.DataFrame:
    if not store.has(name):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame(store.read(name, columns=columns))[columns]


def _commit(store: GeoPackageStore, *, target: str, file: Path, frame: pd.DataFrame,
            rejections: pd.DataFrame) -> ImportResult:
    with store.transaction(step=f"import {target}") as writer:
        if not frame.empty:
            writer.write(target, frame, mode="append")
        if not rejections.empty:
            stamped = rejections.assign(target=target, imported_utc=_now())
            writer.write(REJECTIONS_TABLE, stamped, mode="append")
    return ImportResult(imported=len(frame), rejected=int(rejections["row"].nunique()),
                        layer=target, file=str(file))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _rows(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(np.arange(1, len(frame) + 1), index=frame.index)


def _ids(frame: pd.DataFrame, column: str, file: Path) -> pd.Series:
    """Ids from ``column`` where given, else ``<file stem>-<row>``."""
    generated = file.stem + "-" + _rows(frame).astype(str)
    if column not in frame.columns:
        return generated
    given = frame[column].map(lambda x: None if pd.isna(x) or str(x).strip() == ""
                              else str(x).strip())
    return given.fillna(generated)


def _read_geo(file: Path, *, layer: str | None, crs: str | None, mapping: ColumnMapping,
              targets: Collection[str]) -> gpd.GeoDataFrame:
    frame = read_vector(file, layer=layer)
    frame = v.resolve_crs(frame, file, crs)
    v.check_coordinates(frame, file)
    return gpd.GeoDataFrame(apply_mapping(frame, mapping, targets), geometry="geometry")


def _geo_checks(frame: gpd.GeoDataFrame, *, file: Path, id_column: str, stored: pd.Series,
                types: tuple[str, ...], repair: bool, project_crs: str) -> v.RowChecks:
    checks = v.RowChecks(frame, file=file.name, rows=_rows(frame))
    v.check_geometry(checks, types, repair=repair)
    checks.frame = gpd.GeoDataFrame(checks.frame, geometry="geometry").to_crs(project_crs)
    outside = v.outside_crs(checks.frame.geometry, checks.frame.crs)
    checks.reject(outside, "geometry", f"coordinates outside the plausible range of the project "
                  f"CRS {project_crs} (check the file's CRS)")
    v.check_duplicates(checks, id_column, stored)
    return checks


# --- buildings -------------------------------------------------------------------------------
def import_buildings(project_dir: Path, file: Path, *, mapping: Path | None = None,
                     layer: str | None = None, crs: str | None = None,
                     repair: bool = False) -> ImportResult:
    """Import building footprints or points (any vector format, or OSM) into ``buildings``.

    ``building_id`` comes from a mapped id column, else ``<file stem>-<row>`` (OSM:
    ``osm-way-<id>``). ``footprint_area_m2`` is the polygon area in the project CRS (empty for
    points); ``age_class`` stays ``unknown`` (set by the inventory from ``construction_year``).
    Invalid geometries are rejected unless ``repair`` (then repaired with shapely.make_valid).
    """
    file, config, store, cmap = Path(file), *_open(project_dir), load_mapping(mapping)
    schema = v.attributes("buildings")
    targets = [*schema["name"], "osm_building"]
    if is_osm(file):
        raw = v.resolve_crs(read_osm_buildings(file), file, crs)
        frame = gpd.GeoDataFrame(apply_mapping(raw, cmap, targets), geometry="geometry")
    else:
        frame = _read_geo(file, layer=layer, crs=crs, mapping=cmap, targets=targets)
    frame["building_id"] = _ids(frame, "building_id", file)
    stored = _stored(store, "buildings", ["building_id"])["building_id"]
    checks = _geo_checks(frame, file=file, id_column="building_id", stored=stored,
                         types=(*POLYGONAL, "Point", "MultiPoint"), repair=repair,
                         project_crs=config.project.crs)
    _check_building_values(checks)
    valid, rejections = checks.result()
    buildings = _buildings_frame(gpd.GeoDataFrame(valid, geometry="geometry"), file=file)
    return _commit(store, target="buildings", file=file, frame=buildings, rejections=rejections)


def _check_building_values(checks: v.RowChecks) -> None:
    if "osm_building" in checks.frame.columns:
        checks.reject(checks.frame["osm_building"].isin(UNHEATED_BUILDINGS), "osm_building",
                      "unheated building type (OSM building=*)")
    v.check_numbers(checks, "buildings")
    v.check_years(checks, ("construction_year",))
    v.check_positive(checks, "floors")
    v.check_codes(checks, "use", v.valid_uses())


def _buildings_frame(valid: gpd.GeoDataFrame, *, file: Path) -> gpd.GeoDataFrame:
    out = _schema_frame(valid, "buildings", file=file)
    out["use"] = out["use"].fillna("unknown")
    out["age_class"] = "unknown"
    polygonal = valid.geometry.geom_type.isin(POLYGONAL)
    out["footprint_area_m2"] = valid.geometry.area.where(polygonal, np.nan)
    given = out["heated_area_m2"].notna()
    out["heated_area_source"] = out["heated_area_source"].where(~given | out[
        "heated_area_source"].notna(), "given")
    out["address"] = address_keys(out)
    return gpd.GeoDataFrame(out, geometry=valid.geometry, crs=valid.crs)


def _schema_frame(valid: pd.DataFrame, table: str, *, file: Path | None = None) -> pd.DataFrame:
    """Columns of ``table`` in schema order and dtype; absent attributes are empty."""
    out = pd.DataFrame(index=valid.index)
    schema = v.attributes(table)
    for name, dtype in zip(schema["name"], schema["dtype"], strict=True):
        column = valid[name] if name in valid.columns else pd.Series(None, index=valid.index)
        out[name] = _as_dtype(column, dtype)
    if file is not None:
        out["source_file"] = file.name
        out["source_row"] = v_rows(valid)
    return out


def v_rows(valid: pd.DataFrame) -> pd.Series:
    """Source rows of valid rows (their 1-based position in the file = index + 1)."""
    return pd.Series(valid.index.to_numpy() + 1, index=valid.index, dtype="int64")


def _as_dtype(column: pd.Series, dtype: str) -> pd.Series:
    # ints are stored as float64 (REAL) so that appends with and without gaps share one type
    if dtype in ("int", "float"):
        return pd.to_numeric(column, errors="coerce").astype("float64")
    if dtype == "bool":
        return column.astype("boolean")
    return column.map(lambda x: None if pd.isna(x) else str(x)).astype(object)


_STRASSE = re.compile(r"(str\.|strasse)(?=\s|$)")


def address_key(street: object, house_number: object, postcode: object) -> str | None:
    """Normalised address ``'street house_number, postcode'`` used to match tables to buildings.

    >>> address_key("Forckenbeck Str.", "6 A", 52074.0)
    'forckenbeck straße 6a, 52074'
    """
    if pd.isna(street) or pd.isna(house_number):
        return None
    name = _STRASSE.sub("straße", " ".join(str(street).lower().split()))
    number = str(house_number).lower().replace(" ", "")
    code = "" if pd.isna(postcode) else str(postcode).split(".")[0].strip()
    return f"{name} {number}, {code}" if code else f"{name} {number}"


def normalise_address(text: object) -> str | None:
    """Normalise a free-text address key the way :func:`address_key` builds one."""
    if pd.isna(text) or not str(text).strip():
        return None
    text = _STRASSE.sub("straße", " ".join(str(text).lower().split()))
    return re.sub(r"(\d)\s+([a-z])\b", r"\1\2", text)


def address_keys(frame: pd.DataFrame) -> pd.Series:
    """Address keys of a frame: from street/house_number/postcode, else its ``address``."""
    parts = frame.reindex(columns=list(ADDRESS_PARTS))
    built = pd.Series([address_key(*row) for row in parts.itertuples(index=False)],
                      index=frame.index, dtype=object)
    given = frame["address"].map(normalise_address) if "address" in frame.columns else built
    return built.where(built.notna(), given)

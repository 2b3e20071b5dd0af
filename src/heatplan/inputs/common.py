"""Steps shared by every import: open the project, check rows, and commit one transaction.

Used by :mod:`heatplan.inputs.imports` (buildings), :mod:`heatplan.inputs.tables` (consumption,
heaters) and :mod:`heatplan.inputs.geometry` (lines, polygons). See the module docstring of
:mod:`heatplan.inputs.imports` for the rules every import follows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from heatplan.errors import InputFileError
from heatplan.inputs import validate as v
from heatplan.inputs.mapping import ColumnMapping, apply_mapping
from heatplan.inputs.readers import read_vector
from heatplan.inputs.result import REJECTIONS_TABLE, ImportResult, rejection_records
from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import Store, Writer, open_store, utc_now

#: One row per import that changed the store: run id, layer, file, mode, counts, time.
IMPORT_RUNS_TABLE = "import_runs"
#: Folder of the project where a failed import writes its rejection report (a CSV).
REPORT_DIR = "import-rejections"
#: How an import treats the stored layer: ``add`` appends (stored ids are duplicates),
#: ``replace`` swaps the whole layer for the file's rows, ``update`` replaces the rows with the
#: file's ids (consumption: building, year and carrier) and appends the others.
ImportMode = Literal["add", "replace", "update"]
IMPORT_MODES: tuple[str, ...] = get_args(ImportMode)
#: A row's key in ``update``: the id, or for consumption (building, year, carrier).
RowKey = Callable[[pd.DataFrame], pd.Series]
LINE_LAYERS = {"streets": "streets", "heat_network": "heat_networks", "gas_network": "gas_networks"}
POLYGON_LAYERS = {"blocks": "input_blocks", "areas": "input_areas"}
POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")
#: Column names a GeoPackage layer reserves (its primary key): renamed ``source_<name>``.
RESERVED_COLUMNS = ("fid",)


# --- project and stored rows -----------------------------------------------------------------
def open_project(project_dir: Path) -> tuple[ProjectConfig, Store]:
    """The project's configuration and store; ``ProjectError`` when the store is missing."""
    config = load_config(Path(project_dir))
    store = open_store(config.store_url(Path(project_dir)))
    store.read("heatplan_meta")  # raises ProjectError when the store is missing
    return config, store


def stored_rows(store: Store, name: str, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the stored layer ``name``; empty when the layer does not exist yet."""
    if not store.has(name):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame(store.read(name, columns=columns))[columns]


def check_mode(mode: str) -> None:
    """``ValueError`` for a mode that is not one of :data:`IMPORT_MODES`."""
    if mode not in IMPORT_MODES:
        raise ValueError(f"mode must be one of {', '.join(IMPORT_MODES)}, not {mode!r}")


def stored_for_mode(stored: pd.Series, mode: str) -> pd.Series:
    """The stored ids a new row must not repeat: all in ``add``, none in ``replace``/``update``."""
    check_mode(mode)
    return stored if mode == "add" else stored.iloc[:0]


def id_key(column: str) -> RowKey:
    """The ``update`` key of a layer with an id column: the id as text."""
    return lambda frame: frame[column].map(text_or_none)


def new_run_id() -> str:
    """A run id: UTC time to the second and 6 random hex digits (``20270301T101500Z-3f9a1c``)."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


# --- commit ----------------------------------------------------------------------------------
def commit_import(
    store: Store,
    *,
    target: str,
    file: Path,
    frame: pd.DataFrame,
    rejections: pd.DataFrame,
    mode: ImportMode = "add",
    key: RowKey | None = None,
    report_dir: Path | None = None,
) -> ImportResult:
    """Write ``frame`` to ``target`` by ``mode`` and ``rejections`` to the rejections table,
    atomically; every rejection row and the ``import_runs`` row carry the run id.

    ``add`` appends; ``replace`` makes the file's rows the layer's only rows; ``update`` drops
    the stored rows whose ``key`` a new row has and appends the new rows. An import with no
    valid row fails and leaves the store untouched, byte for byte: its rejections go to
    ``<report_dir>/import-rejections/<file stem>-<run id>.csv`` (``report_dir``: the project
    folder; default the input file's folder). The rejections table is created (empty) by the
    first successful import even when nothing is rejected, so that a project always shows where
    rejections go.
    """
    check_mode(mode)
    if mode == "update" and key is None:
        raise ValueError("mode 'update' needs the key of a row")
    run_id = new_run_id()
    stamped = stamp_rejections(rejections, target=target, run_id=run_id)
    rejected = int(rejections["row"].nunique())
    shown = rejection_records(rejections)
    if frame.empty:
        report = write_report(stamped, file=file, run_id=run_id, folder=report_dir)
        return ImportResult(
            imported=0,
            rejected=rejected,
            layer=target,
            file=str(file),
            run_id=run_id,
            mode=mode,
            report=None if report is None else str(report),
            first_rejections=shown,
        )
    with store.transaction(step=f"import {target}") as writer:
        replaced = _write_layer(writer, target, frame, mode=mode, key=key)
        record_run(
            writer,
            stamped,
            target=target,
            run_id=run_id,
            file=file,
            mode=mode,
            imported=len(frame),
            replaced=replaced,
        )
    return ImportResult(
        imported=len(frame),
        rejected=rejected,
        layer=target,
        file=str(file),
        run_id=run_id,
        mode=mode,
        replaced=replaced if mode == "replace" else 0,
        updated=replaced if mode == "update" else 0,
        first_rejections=shown,
    )


def stamp_rejections(rejections: pd.DataFrame, *, target: str, run_id: str) -> pd.DataFrame:
    """Rejection rows with their ``target``, ``run_id`` and ``imported_utc``."""
    stamped = rejections.assign(target=target, run_id=run_id, imported_utc=utc_now())
    return stamped.astype({"row": "int64"})


def record_run(
    writer: Writer,
    stamped: pd.DataFrame,
    *,
    target: str,
    run_id: str,
    file: Path,
    mode: str,
    imported: int,
    replaced: int = 0,
) -> None:
    """Inside an import's transaction: its stamped rejections (the table is created even when
    there are none) and its row in ``import_runs``."""
    if not stamped.empty or not writer.has(REJECTIONS_TABLE):
        _write_rows(writer, REJECTIONS_TABLE, stamped)
    run = {
        "run_id": run_id,
        "target": target,
        "file": str(file),
        "mode": mode,
        "imported": imported,
        "rejected": int(stamped["row"].nunique()),
        "replaced": replaced,
        "imported_utc": utc_now(),
    }
    _write_rows(writer, IMPORT_RUNS_TABLE, pd.DataFrame([run]))


def write_report(
    stamped: pd.DataFrame, *, file: Path, run_id: str, folder: Path | None
) -> Path | None:
    """The rejections of a failed import as a CSV in ``<folder>/import-rejections/`` (default
    folder: the input file's), UTF-8 with BOM so that Excel reads the umlauts; ``None`` when
    there are none."""
    if stamped.empty:
        return None
    base = Path(folder) if folder is not None else Path(file).parent
    path = base / REPORT_DIR / f"{Path(file).stem}-{run_id}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _write_layer(
    writer: Writer, target: str, frame: pd.DataFrame, *, mode: str, key: RowKey | None
) -> int:
    """Write the imported rows by ``mode``; the number of stored rows removed or overwritten."""
    if mode == "add" or not writer.has(target):
        _write_rows(writer, target, frame)
        return 0
    stored = writer.read(target)
    if mode == "replace":
        writer.write(target, frame, mode="replace")
        return len(stored)
    assert key is not None  # checked by commit_import
    known = key(stored).isin(set(key(frame).dropna())).to_numpy()
    kept = stored.loc[~known].reset_index(drop=True)
    writer.write(target, merge_frames(kept, frame.reset_index(drop=True)), mode="replace")
    return int(known.sum())


def _write_rows(writer: Writer, target: str, frame: pd.DataFrame) -> None:
    """Append; rewrite the layer with the rows added when an append would lose data.

    GDAL appends silently turn text into 0 in a numeric field, refuse new columns, and write
    non-conformant GeoPackages for a geometry type the layer was not made for.
    """
    path = getattr(writer, "path", None)  # GeoPackage: GDAL tells whether an append fits
    if writer.has(target) and (path is None or not _appendable(path, target, frame)):
        writer.write(target, merge_frames(writer.read(target), frame), mode="replace")
    else:
        writer.write(target, frame, mode="append")


def _appendable(path: Path, target: str, frame: pd.DataFrame) -> bool:
    info = pyogrio.read_info(path, layer=target)
    stored = {str(f).lower(): str(d) for f, d in zip(info["fields"], info["dtypes"], strict=True)}
    columns = [c for c in frame.columns if c != "geometry"]
    fits = all(_type_fits(stored.get(str(c).lower()), frame[c]) for c in columns)
    if isinstance(frame, gpd.GeoDataFrame):
        fits = fits and _geometry_fits(info["geometry_type"], frame.geometry)
    return fits


def _type_fits(stored: str | None, column: pd.Series) -> bool:
    if column.isna().all():
        return stored is not None
    if stored is None:
        return False
    kind = _kind(column.dtype)
    return _kind(stored) == kind or (_kind(stored) == "float" and kind == "int")


def _kind(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "text"


def _geometry_fits(layer_type: str | None, geometry: gpd.GeoSeries) -> bool:
    base = (layer_type or "Unknown").split(" ")[0]
    return base in ("Unknown", "Geometry") or set(geometry.geom_type.dropna()) <= {base}


def merge_frames(stored: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Stored rows followed by new rows, every column of both kept.

    Columns are matched ignoring case (as in a GeoPackage). A column that one side lacks is
    empty there; a column whose types differ (e.g. numbers stored, text in the new file)
    becomes text on both sides.
    """
    names = {str(c).lower(): c for c in stored.columns}
    new = new.rename(
        columns={c: names[str(c).lower()] for c in new.columns if str(c).lower() in names}
    )
    columns = [*stored.columns, *(c for c in new.columns if c not in stored.columns)]
    data = {
        name: _join_column(_column(stored, name), _column(new, name))
        for name in columns
        if name != "geometry"
    }
    if not isinstance(new, gpd.GeoDataFrame):
        return pd.DataFrame(data)
    geometry = np.concatenate([stored.geometry.to_numpy(), new.geometry.to_numpy()])
    return gpd.GeoDataFrame(data, geometry=geometry, crs=new.crs)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].reset_index(drop=True)
    return pd.Series([None] * len(frame), dtype=object)


def _join_column(first: pd.Series, second: pd.Series) -> pd.Series:
    wide_first, wide_second = _widen(first), _widen(second)
    if wide_first.isna().all():
        wide_first = wide_first.astype(wide_second.dtype)
    elif wide_second.isna().all():
        wide_second = wide_second.astype(wide_first.dtype)
    elif wide_first.dtype != wide_second.dtype:
        wide_first, wide_second = _as_text(first), _as_text(second)
    return pd.concat([wide_first, wide_second], ignore_index=True)


def _widen(column: pd.Series) -> pd.Series:
    """Integers and booleans as float64 (so that gaps and appends share one type)."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_integer_dtype(column):
        return column.astype("float64")
    return column


def _as_text(column: pd.Series) -> pd.Series:
    return column.map(text_or_none).astype(object)


def _is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA; False for any other value (also lists)."""
    missing: Any = pd.isna(value)
    return bool(missing) if isinstance(missing, bool | np.bool_) else False


def storable_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A file's own columns made storable in a GeoPackage layer.

    Reserved names (``fid``) become ``source_fid``; names equal but for case (SQLite column
    names are case-insensitive) get a suffix ``_2``, ``_3`` ...; list or dict cells become
    JSON text.
    """
    out = frame.rename(columns=_storable_names(list(frame.columns)))
    for name in out.columns:
        if name != "geometry" and out[name].dtype == object:
            out[name] = out[name].map(_scalar)
    return out


def _storable_names(names: list[str]) -> dict[str, str]:
    renames: dict[str, str] = {}
    seen: set[str] = set()
    for name in names:
        new = f"source_{name}" if str(name).lower() in RESERVED_COLUMNS else str(name)
        stem, count = new, 1
        while new.lower() in seen:
            count += 1
            new = f"{stem}_{count}"
        seen.add(new.lower())
        if new != name:
            renames[name] = new
    return renames


def _scalar(value: object) -> object:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple | dict | set):
        return json.dumps(list(value) if isinstance(value, set | tuple) else value, default=str)
    return value


def decimal_option(file: Path, decimal: str | None) -> str | None:
    """The file's decimal separator as stated (``--decimal`` or the mapping's ``decimal``):
    ``","`` (German), ``"."`` or ``None`` (detected from the file's numbers); else an error."""
    if decimal not in (None, ",", "."):
        raise InputFileError(
            file,
            f"Dezimaltrennzeichen {decimal!r}: ',' oder '.' angeben / decimal separator "
            f"{decimal!r}: use ',' or '.'",
        )
    return decimal


# --- rows and ids ----------------------------------------------------------------------------
def row_numbers(frame: pd.DataFrame) -> pd.Series:
    """1-based row numbers of the file's rows (as reported in the rejections)."""
    return pd.Series(np.arange(1, len(frame) + 1), index=frame.index)


def row_ids(frame: pd.DataFrame, column: str | None, file: Path) -> pd.Series:
    """Ids from ``column`` where given, else ``<file stem>-<row>``."""
    generated = file.stem + "-" + row_numbers(frame).astype(str)
    if column is None or column not in frame.columns:
        return generated
    given = frame[column].map(text_or_none)
    return given.fillna(generated)


def text_or_none(value: object) -> str | None:
    """Stripped text of a cell; ``None`` when empty (whole floats lose their ``.0``)."""
    if _is_missing(value) or str(value).strip() == "":
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


# --- geometry --------------------------------------------------------------------------------
def read_geo(
    file: Path,
    *,
    layer: str | None,
    crs: str | None,
    mapping: ColumnMapping,
    targets: Collection[str],
) -> gpd.GeoDataFrame:
    """A vector file read, its CRS resolved and checked, and its columns mapped to ``targets``."""
    frame = read_vector(file, layer=layer)
    frame = v.resolve_crs(frame, file, crs)
    v.check_coordinates(frame, file)
    return gpd.GeoDataFrame(apply_mapping(frame, mapping, targets), geometry="geometry")


def geo_checks(
    frame: gpd.GeoDataFrame,
    *,
    file: Path,
    id_column: str,
    stored: pd.Series,
    types: tuple[str, ...],
    repair: bool,
    project_crs: str,
) -> v.RowChecks:
    """Row checks of geometry, project CRS range and duplicate ids against ``stored``."""
    checks = v.RowChecks(frame, file=file.name, rows=row_numbers(frame))
    v.check_geometry(checks, types, repair=repair)
    projected = gpd.GeoDataFrame(checks.frame, geometry="geometry").to_crs(project_crs)
    checks.frame = projected
    outside = v.outside_crs(projected.geometry, projected.crs)
    checks.reject(
        outside,
        "geometry",
        f"Koordinaten außerhalb des Bereichs des Projekt-KBS {project_crs} (KBS der Datei "
        f"prüfen) / coordinates outside the plausible range of the project CRS {project_crs} "
        "(check the file's CRS)",
    )
    v.check_duplicates(checks, id_column, stored)
    return checks


# --- schema ----------------------------------------------------------------------------------
def schema_frame(valid: pd.DataFrame, table: str, *, file: Path | None = None) -> pd.DataFrame:
    """Columns of ``table`` in schema order and dtype; absent attributes are empty."""
    out = pd.DataFrame(index=valid.index)
    schema = v.attributes(table)
    for name, dtype in zip(schema["name"], schema["dtype"], strict=True):
        column = valid[name] if name in valid.columns else pd.Series(None, index=valid.index)
        out[name] = as_dtype(column, dtype)
    if file is not None:
        out["source_file"] = file.name
        out["source_row"] = v_rows(valid)
    return out


def v_rows(valid: pd.DataFrame) -> pd.Series:
    """Source rows of valid rows (their 1-based position in the file = index + 1)."""
    return pd.Series(valid.index.to_numpy() + 1, index=valid.index, dtype="int64")


def as_dtype(column: pd.Series, dtype: str) -> pd.Series:
    """``column`` as stored for a schema ``dtype`` (int, float, bool, text)."""
    # ints are stored as float64 (REAL) so that appends with and without gaps share one type
    if dtype in ("int", "float"):
        return pd.to_numeric(column, errors="coerce").astype("float64")
    if dtype == "bool":
        return column.astype("boolean")
    return column.map(lambda x: None if pd.isna(x) else str(x)).astype(object)

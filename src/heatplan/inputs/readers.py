"""Read input files: vector data into GeoDataFrames, tables into DataFrames.

Every file that cannot be used at all raises :class:`~heatplan.errors.InputFileError` with the
reason (not found, unknown format, corrupt, no rows, no geometry column). Whether a file without
a CRS may be used is decided by the import (``--crs``), not here: the frame keeps ``crs=None``.

GDAL notices that pyogrio turns into ``RuntimeWarning`` while reading (for example a Shapefile
whose ``.dbf`` codepage is guessed) are not errors of the user's data: they are caught for the
read only and passed on to the ``heatplan.inputs`` logger, so they are visible but do not stop the
import. Other warnings are re-issued unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError, FeatureError, FieldError, GeometryError

from heatplan.errors import InputFileError

LOG = logging.getLogger(__name__)

VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
OSM_SUFFIXES = (".osm", ".pbf")
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx")
_SEPARATORS = ";,\t|"


def is_osm(path: Path) -> bool:
    """True for OpenStreetMap XML (``.osm``) and PBF (``.osm.pbf``) files."""
    return Path(path).suffix.lower() in OSM_SUFFIXES


@contextlib.contextmanager
def gdal_notices_logged(path: Path) -> Iterator[None]:
    """Log pyogrio's RuntimeWarnings (GDAL notices) for ``path``; re-issue everything else."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        if issubclass(item.category, RuntimeWarning) and "pyogrio" in item.filename:
            LOG.info("%s: GDAL notice: %s", path, item.message)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet or OSM layer.

    ``layer`` selects a layer of a multi-layer file (GeoPackage; OSM: ``points``, ``lines``,
    ``multipolygons``). The result keeps the file's CRS, ``None`` when the file declares none.
    """
    path = _existing(path)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(path)
    elif suffix in VECTOR_SUFFIXES or suffix in OSM_SUFFIXES:
        frame = _read_ogr(path, layer)
    else:
        raise InputFileError(
            path,
            f"unknown format {suffix!r}; use one of "
            f"{', '.join(VECTOR_SUFFIXES + PARQUET_SUFFIXES + OSM_SUFFIXES)}",
        )
    return _require_rows(path, frame)


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "Datei nicht gefunden / file not found")
    return path


def _read_ogr(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    try:
        with gdal_notices_logged(path):
            frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    except DataLayerError as exc:
        raise InputFileError(path, f"Problem mit der Ebene / layer problem: {exc}") from exc
    except DataSourceError as exc:
        raise InputFileError(
            path, f"Datei beschädigt oder unlesbar / corrupt or unreadable file: {exc}"
        ) from exc
    except (FeatureError, FieldError, GeometryError) as exc:
        raise InputFileError(
            path, f"Objekte nicht lesbar / features cannot be read: {exc}"
        ) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputFileError(
            path,
            "keine Geometriespalte (eine Tabelle? als CSV/XLSX importieren) / no geometry column "
            "(is this a table? use it as CSV/XLSX)",
        )
    return frame


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    try:
        return gpd.read_parquet(path)
    except pa.ArrowInvalid as exc:  # a ValueError subclass: test it first
        raise InputFileError(path, f"corrupt or unreadable Parquet file: {exc}") from exc
    except ValueError as exc:  # no 'geo' metadata: a plain Parquet table
        raise InputFileError(path, f"no geometry column: {exc}") from exc


def _require_rows(path: Path, frame: pd.DataFrame) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputFileError(path, "no geometry column")
    if frame.empty:
        raise InputFileError(
            path, "keine Zeilen (Objekte) in der Datei / no rows (features) in the file"
        )
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return frame


def read_table(path: Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV (separator sniffed; UTF-8, UTF-8 with BOM or cp1252) or XLSX sheet.

    CSV cells are kept as text: numbers (with decimal point or German decimal comma) are parsed
    by validation, so that a cell that is not a number is reported, not silently made empty.
    """
    path = _existing(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        frame = _read_csv(path)
    elif suffix == ".xlsx":
        frame = _read_xlsx(path, sheet)
    else:
        raise InputFileError(
            path,
            f"unbekanntes Tabellenformat {suffix!r}; .csv oder .xlsx / unknown table format "
            f"{suffix!r}; use .csv or .xlsx",
        )
    frame = frame.dropna(how="all")
    if frame.empty:
        raise InputFileError(path, "keine Zeilen in der Tabelle / no rows in the table")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True)


def decode_text(path: Path) -> str:
    """Decode as UTF-8 (BOM removed); fall back to cp1252 (German Excel exports)."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict")


def sniff_separator(text: str) -> str:
    """The field separator of a CSV text (``;`` ``,`` tab or ``|``)."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(_SEPARATORS, key=header.count)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        text = decode_text(path)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path,
            f"keine Textdatei (weder UTF-8 noch cp1252) / not a text file (neither UTF-8 nor "
            f"cp1252): {exc}",
        ) from exc
    if not text.strip():
        raise InputFileError(
            path, "keine Zeilen in der Tabelle (Datei leer) / no rows in the table (file is empty)"
        )
    try:
        return pd.read_csv(io.StringIO(text), sep=sniff_separator(text), dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(path, f"CSV beschädigt / corrupt CSV: {exc}") from exc


def _read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        return pd.read_excel(
            path, sheet_name=0 if sheet is None else sheet, engine="openpyxl", dtype=object
        )
    except ValueError as exc:  # unknown sheet name
        raise InputFileError(path, f"sheet problem: {exc}") from exc
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for bad files
        raise InputFileError(path, f"corrupt or unreadable XLSX file: {exc}") from exc

"""(Geo)DataFrames to and from PostgreSQL/PostGIS tables, typed like the GeoPackage store.

Rows go in with ``COPY`` (psycopg 3, row by row: an empty string stays an empty string, unlike
CSV ``COPY``), geometries as EWKB with the CRS's EPSG code as SRID, and every table gets an
integer primary key ``fid`` (1, 2, ...) that keeps the row order. Reading turns the column types
back into the dtypes pyogrio gives for a GeoPackage: ``int64`` (``float64`` when a value is
missing), ``float64``, ``bool`` (``object`` when a value is missing), ``object`` for text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geoalchemy2 import Geometry
from sqlalchemy import Connection, text
from sqlalchemy.types import Boolean, Float, Integer, TypeEngine

from heatplan.errors import ProjectError
from heatplan.project.store_base import WriteMode

FID = "fid"
#: Tables of PostGIS and alembic that are not project tables.
_SYSTEM_TABLES = ("spatial_ref_sys", "alembic_version")
_FLOAT_TYPES = ("double precision", "real", "numeric")
_INT_TYPES = ("bigint", "integer", "smallint")
_MAX_NAME = 63  # PostgreSQL identifiers: longer names would be cut


def _quoted(schema: str, name: str) -> str:
    return '"{}"."{}"'.format(schema.replace('"', '""'), name.replace('"', '""'))


def tables(conn: Connection, schema: str) -> list[str]:
    """Project tables of ``schema``, by name."""
    rows = conn.execute(
        text(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = :schema "
            "AND NOT (tablename = ANY(:system)) ORDER BY tablename"
        ),
        {"schema": schema, "system": list(_SYSTEM_TABLES)},
    )
    return [str(row[0]) for row in rows]


def count(conn: Connection, schema: str, name: str) -> int:
    _require(conn, schema, name)
    return int(conn.execute(text(f"SELECT count(*) FROM {_quoted(schema, name)}")).scalar_one())


def _require(conn: Connection, schema: str, name: str) -> None:
    if name not in tables(conn, schema):
        raise ProjectError(f"layer or table {name!r} not found (run the step that makes it)")


# --- writing -----------------------------------------------------------------------------
def write(
    conn: Connection, schema: str, name: str, frame: pd.DataFrame, *, mode: WriteMode
) -> None:
    """Write a GeoDataFrame as a layer or a DataFrame as a table (``frame`` already storable)."""
    if FID in frame.columns:
        raise ProjectError(f"{name}: column name {FID!r} is reserved for the row number")
    too_long = [str(c) for c in [name, *frame.columns] if len(str(c).encode()) > _MAX_NAME]
    if too_long:
        raise ProjectError(f"{name}: names longer than {_MAX_NAME} bytes: {too_long}")
    exists = name in tables(conn, schema)
    append = mode == "append" and exists
    start = 1
    if append:
        last = conn.execute(text(f'SELECT max("{FID}") FROM {_quoted(schema, name)}'))
        start = int(last.scalar_one() or 0) + 1
    data = pd.DataFrame(frame, copy=True)
    data.insert(0, FID, np.arange(start, start + len(frame), dtype="int64"))
    dtype: dict[str, Any] = {}
    if isinstance(frame, gpd.GeoDataFrame):
        geom = frame.geometry.name
        srid = _srid(frame)
        if append:
            _check_srid(conn, schema, name, srid)
        dtype[geom] = Geometry(geometry_type=_geometry_type(frame.geometry), srid=srid)
        data[geom] = shapely.to_wkb(
            shapely.set_srid(frame.geometry.to_numpy(), srid), hex=True, include_srid=True
        )
    if not append and exists:
        conn.execute(text(f"DROP TABLE {_quoted(schema, name)}"))
    data.to_sql(
        name,
        conn,
        schema=schema,
        if_exists="append",
        index=False,
        dtype=dtype,  # type: ignore[arg-type]  # pandas-stubs omit SQLAlchemy column types
        method=_copy,
    )
    if not append:
        conn.execute(text(f'ALTER TABLE {_quoted(schema, name)} ADD PRIMARY KEY ("{FID}")'))


def _copy(table: Any, conn: Connection, keys: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """pandas ``to_sql`` method: COPY the rows (binary-safe values, ``None`` is NULL)."""
    target = _quoted(str(table.schema), str(table.name))
    columns = ", ".join('"{}"'.format(k.replace('"', '""')) for k in keys)
    written = 0
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor, cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _srid(frame: gpd.GeoDataFrame) -> int:
    if frame.crs is None:
        return 0
    epsg = frame.crs.to_epsg()
    if epsg is None:
        raise ProjectError(f"CRS {frame.crs.name!r} has no EPSG code; reproject the layer")
    return int(epsg)


def _check_srid(conn: Connection, schema: str, name: str, srid: int) -> None:
    stored = _geometry_columns(conn, schema, name)
    if stored and next(iter(stored.values())) != srid:
        raise ProjectError(
            f"{name}: cannot append rows in EPSG:{srid} to a layer in "
            f"EPSG:{next(iter(stored.values()))}"
        )


def _geometry_type(geometry: gpd.GeoSeries) -> str:
    kinds = geometry.geom_type.dropna().unique()
    kind = str(kinds[0]).upper() if len(kinds) == 1 else "GEOMETRY"
    if kind == "LINEARRING":
        kind = "GEOMETRY"
    return kind + ("Z" if bool(geometry.has_z.any()) else "")


def python_type(sql_type: TypeEngine[Any]) -> Callable[[Any], Any]:
    """The Python conversion of a value for a fixed-table column type."""
    if isinstance(sql_type, Boolean):
        return bool
    if isinstance(sql_type, Integer):
        return int
    if isinstance(sql_type, Float):
        return float
    return str


# --- reading -----------------------------------------------------------------------------
def read(
    conn: Connection, schema: str, name: str, columns: list[str] | None = None
) -> pd.DataFrame:
    """Read a layer (GeoDataFrame with CRS) or a table (DataFrame) in the stored row order."""
    _require(conn, schema, name)
    types = _column_types(conn, schema, name)
    geometries = _geometry_columns(conn, schema, name)
    attributes = [c for c in types if c != FID and c not in geometries]
    if columns is not None:
        missing = [c for c in columns if c not in attributes]
        if missing:
            raise ProjectError(f"{name}: no column(s) {', '.join(missing)}")
        attributes = [c for c in attributes if c in columns]
    selected = [*attributes, *geometries]
    select = ", ".join('"{}"'.format(c.replace('"', '""')) for c in selected) or "NULL AS _none"
    order = f'"{FID}"' if FID in types else _primary_key(conn, schema, name)
    sql = f"SELECT {select} FROM {_quoted(schema, name)}" + (f" ORDER BY {order}" if order else "")
    if geometries:
        geom, srid = next(iter(geometries.items()))
        layer = gpd.read_postgis(
            text(sql), conn, geom_col=geom, crs=f"EPSG:{srid}" if srid else None
        )
        if geom != "geometry":
            layer = layer.rename_geometry("geometry")
        frame: pd.DataFrame = layer
    else:
        frame = pd.read_sql_query(text(sql), conn)
        frame = frame[attributes]
    for column in attributes:
        frame[column] = _as_stored(frame[column], types[column])
    return frame


def _as_stored(column: pd.Series, sql_type: str) -> pd.Series:
    """The dtype pyogrio gives a GeoPackage column of this type."""
    if sql_type in _FLOAT_TYPES:
        return column.astype("float64")
    if sql_type in _INT_TYPES:
        return column.astype("float64" if column.isna().any() else "int64")
    if sql_type == "boolean" and not column.isna().any():
        return column.astype("bool")
    return column


def _column_types(conn: Connection, schema: str, name: str) -> dict[str, str]:
    rows = conn.execute(
        text(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_catalog.pg_attribute "
            "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum"
        ),
        {"table": _quoted(schema, name)},
    )
    return {str(row[0]): str(row[1]) for row in rows}


def _geometry_columns(conn: Connection, schema: str, name: str) -> dict[str, int]:
    rows = conn.execute(
        text(
            "SELECT f_geometry_column, srid FROM geometry_columns "
            "WHERE f_table_schema = :schema AND f_table_name = :name"
        ),
        {"schema": schema, "name": name},
    )
    return {str(row[0]): int(row[1]) for row in rows}


def _primary_key(conn: Connection, schema: str, name: str) -> str:
    rows = conn.execute(
        text(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = CAST(:table AS regclass) AND i.indisprimary "
            "ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)"
        ),
        {"table": _quoted(schema, name)},
    )
    return ", ".join('"{}"'.format(str(row[0]).replace('"', '""')) for row in rows)

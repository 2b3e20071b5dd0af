"""Read-only looks into a project GeoPackage with the standard library's ``sqlite3``.

``heatplan info`` needs only the layer names, their row counts, the ``runs`` log and the
``heatplan_meta`` table; reading them through pyogrio would import GeoPandas and pandas (about a
second of start-up) for a few dozen rows. A GeoPackage is an SQLite database whose layers and
tables are registered in ``gpkg_contents`` (OGC 12-128r18, GeoPackage 1.3.1, §1.1.3.1), so
these reads need no GDAL. The file is opened read-only (``mode=ro``): every write still goes
through pyogrio (see :mod:`heatplan.project.store`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from heatplan.errors import ProjectError

#: ``gpkg_contents.data_type`` of the layers heatplan writes: vector layers, then plain tables
#: (GDAL lists them in this order: spatial tables first, each group in registration order).
DATA_TYPES = ("features", "attributes")


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    if not path.is_file():
        raise ProjectError(f"{path}: project store not found")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            yield db
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a readable GeoPackage: {exc}") from exc


def layer_names(path: Path) -> list[str]:
    """Layers and tables of the GeoPackage, in the order ``pyogrio.list_layers`` gives them."""
    with _read_only(path) as db:
        return _layer_names(db)


def _layer_names(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT table_name, data_type FROM gpkg_contents WHERE data_type IN (?, ?) ORDER BY rowid",
        DATA_TYPES,
    ).fetchall()
    return [str(name) for kind in DATA_TYPES for name, data_type in rows if data_type == kind]


def layer_rows(path: Path) -> dict[str, int]:
    """Rows of every layer and table, by name (the order of :func:`layer_names`)."""
    with _read_only(path) as db:
        return {
            name: int(db.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0])
            for name in _layer_names(db)
        }


def table_records(path: Path, table: str) -> list[dict[str, object]]:
    """The rows of a plain table as records (without GDAL's ``fid``); ``[]`` when absent."""
    with _read_only(path) as db:
        if table not in _layer_names(db):
            return []
        cursor = db.execute(f"SELECT * FROM {_quoted(table)} ORDER BY fid")
        columns = [str(c[0]) for c in cursor.description]
        return [
            {c: v for c, v in zip(columns, row, strict=True) if c != "fid"}
            for row in cursor.fetchall()
        ]


def table_row(
    path: Path, table: str, key: str, value: str, columns: list[str]
) -> dict[str, object] | None:
    """``columns`` of the first row of ``table`` whose ``key`` equals ``value``; None if none."""
    with _read_only(path) as db:
        if table not in _layer_names(db):
            return None
        names = ", ".join(_quoted(c) for c in columns)
        sql = f"SELECT {names} FROM {_quoted(table)} WHERE {_quoted(key)} = ? ORDER BY fid LIMIT 1"
        try:
            row = db.execute(sql, (value,)).fetchone()
        except sqlite3.OperationalError:  # a table of another layout: no such row
            return None
        return None if row is None else dict(zip(columns, row, strict=True))


def _quoted(name: str) -> str:
    """An SQL identifier in double quotes (names come from ``gpkg_contents``, not the user)."""
    return '"' + name.replace('"', '""') + '"'

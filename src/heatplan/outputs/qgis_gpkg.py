"""The QGIS content of the public GeoPackage: styles, a project, German column titles.

Written with sqlite3 after GDAL has written the layers (never both at once, see
ENGINEERING-NOTES): ``layer_styles`` (QGIS's table of stored styles, one default QML per
layer), ``qgis_projects`` (QGIS's GeoPackage project storage), ``gpkg_data_columns`` (the
GeoPackage schema extension: German title and description per column) and
``gpkg_contents.description`` (German description per layer).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from heatplan.outputs.qgis_layers import (
    LAYER_INFO,
    area_years,
    column_info,
    layer_style,
    likelihood_style,
)
from heatplan.outputs.qgis_project import (
    ProjectLayer,
    project_metadata,
    project_qgs,
    project_qgz,
)
from heatplan.outputs.qgis_style import LayerStyle, style_qml

__all__ = ["PROJECT_NAME", "QgisContent", "write_qgis_content"]

#: Name of the project stored in the file (QGIS: Projekt > Öffnen von > GeoPackage).
PROJECT_NAME = "Wärmeplan"
LAYER_STYLES_SQL = """CREATE TABLE IF NOT EXISTS layer_styles (
 id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, f_table_catalog TEXT(256),
 f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
 styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT,
 owner TEXT(30), ui TEXT(30),
 update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""
PROJECTS_SQL = (
    "CREATE TABLE IF NOT EXISTS qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)"
)
DATA_COLUMNS_SQL = """CREATE TABLE IF NOT EXISTS gpkg_data_columns (
 table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT,
 mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
 CONSTRAINT gdc_tn UNIQUE (table_name, name))"""
CONSTRAINTS_SQL = """CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
 constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC,
 min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
 CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))"""
SCHEMA_EXTENSION = "http://www.geopackage.org/spec121/#extension_schema"


@dataclass
class QgisContent:
    """What :func:`write_qgis_content` added: styled layers, the project's layers in order."""

    styles: dict[str, list[str]] = field(default_factory=dict)
    project_layers: list[str] = field(default_factory=list)
    titled_columns: int = 0


@dataclass(frozen=True)
class _Table:
    name: str
    geometry_column: str
    geometry_type: str
    crs: str
    columns: list[str]


def _tables(con: sqlite3.Connection) -> dict[str, _Table]:
    """The file's layers and tables (gpkg_contents) with geometry type, CRS and columns."""
    rows = con.execute(
        "SELECT c.table_name, g.column_name, g.geometry_type_name, s.organization, "
        "s.organization_coordsys_id FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g "
        "ON g.table_name = c.table_name LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id"
    ).fetchall()
    out = {}
    for name, geom, kind, org, code in rows:
        columns = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
        crs = f"{org}:{code}" if org and code else ""
        out[name] = _Table(name, geom or "", kind or "", crs, [c for c in columns if c != geom])
    return out


def _styles(table: _Table) -> list[tuple[str, LayerStyle]]:
    """(style name, style) of a layer, the default first; the areas get one per year and the
    likelihood of the target year as further styles."""
    default = layer_style(table.name, table.columns)
    if default is None:
        return []
    styles = [(default.title, default)]
    years = area_years(table.columns)
    if table.name == "areas" and years:
        for year in years[:-1]:
            style = layer_style(table.name, table.columns, year)
            assert style is not None
            styles.append((style.title, style))
        likelihood = likelihood_style(table.columns, years[-1])
        styles.append((likelihood.title, likelihood))
    return styles


def _write_styles(
    con: sqlite3.Connection, tables: Mapping[str, _Table], now: str
) -> dict[str, list[str]]:
    con.execute(LAYER_STYLES_SQL)
    _register(con, "layer_styles", "QGIS-Layerstile (QML) der Layer dieser Datei", now)
    written: dict[str, list[str]] = {}
    for table in tables.values():
        for i, (name, style) in enumerate(_styles(table) if table.geometry_column else []):
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', ?, ?, 'heatplan', '', ?)",
                (table.name, table.geometry_column, name,
                 style_qml(style), int(i == 0), style.title, now),
            )  # fmt: skip
            written.setdefault(table.name, []).append(name)
    return written


def _register(con: sqlite3.Connection, name: str, description: str, now: str) -> None:
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change) VALUES (?, 'attributes', ?, ?, ?)",
        (name, name, description, now),
    )


def _write_columns(con: sqlite3.Connection, tables: Mapping[str, _Table]) -> int:
    con.execute(DATA_COLUMNS_SQL)
    con.execute(CONSTRAINTS_SQL)
    for name in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        con.execute(
            "INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, "
            "definition, scope) VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
            (name, SCHEMA_EXTENSION),
        )
    count = 0
    for table in tables.values():
        if table.name == "layer_styles":
            continue
        seen: set[str] = set()
        for column in table.columns:
            info = column_info(table.name, column)
            if info is None:
                continue
            title = info.title if info.title not in seen else f"{info.title} ({column})"
            seen.add(title)
            con.execute(
                "INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title, "
                "description) VALUES (?, ?, ?, ?, ?)",
                (table.name, column, title, title, info.description),
            )
            count += 1
    return count


def _describe(con: sqlite3.Connection, tables: Mapping[str, _Table]) -> None:
    for name in tables:
        if name in LAYER_INFO:
            title, description = LAYER_INFO[name]
            con.execute(
                "UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                (f"{title}: {description}", name),
            )


def _families(frame: pd.DataFrame | None) -> list[str]:
    """The geometry families of a layer of mixed geometry (Point, LineString, Polygon)."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return []
    kinds = frame.geom_type.dropna().str.removeprefix("Multi")
    return sorted(set(kinds), key=["Point", "LineString", "Polygon"].index)


def _project_layers(
    tables: Mapping[str, _Table], frames: Mapping[str, pd.DataFrame]
) -> list[ProjectLayer]:
    """The layers top first: potentials and networks over the areas of the target year (on);
    earlier years, the likelihood and the inventory layers below them (off)."""
    layers: list[ProjectLayer] = []
    shown = {"areas", "potentials", "network_pipes", "heat_networks", "gas_networks"}
    for name in LAYER_INFO:
        table = tables.get(name)
        if table is None or not table.geometry_column:
            continue
        if table.geometry_type == "GEOMETRY":
            layers += _mixed_layers(table, _families(frames.get(name)), name in shown)
            continue
        for i, (style_name, style) in enumerate(_styles(table)):
            group = "Voraussichtliche Wärmeversorgungsgebiete" if name == "areas" else ""
            layers.append(
                ProjectLayer(
                    layer_id=f"heatplan_{name}_{i}",  # QGIS keeps ids over 10 characters
                    table=name,
                    name=style_name if name == "areas" else LAYER_INFO[name][0],
                    geometry_type=table.geometry_type,
                    crs=table.crs,
                    style=style,
                    visible=name in shown and i == 0,
                    group=group,
                )
            )
    return layers


def _mixed_layers(table: _Table, families: list[str], shown: bool) -> list[ProjectLayer]:
    """One map layer per geometry family of a layer of mixed geometry (sites as points,
    sewers as lines)."""
    names = {"Point": "Punkte", "LineString": "Linien", "Polygon": "Flächen"}
    out = []
    for family in families:
        style = layer_style(table.name, table.columns, family=family)
        assert style is not None
        out.append(
            ProjectLayer(
                layer_id=f"heatplan_{table.name}_{family.lower()}",
                table=table.name,
                name=f"{LAYER_INFO[table.name][0]} ({names[family]})",
                geometry_type=table.geometry_type,
                crs=table.crs,
                style=style,
                visible=shown,
                family=family,
            )
        )
    return out


def _bounds(frames: Mapping[str, pd.DataFrame], crs: str) -> tuple[float, float, float, float]:
    shapes = [
        f.to_crs(crs).total_bounds
        for f in frames.values()
        if isinstance(f, gpd.GeoDataFrame) and len(f) and f.crs is not None
    ]
    if not shapes:
        return (0.0, 0.0, 1.0, 1.0)
    xmin, ymin = min(b[0] for b in shapes), min(b[1] for b in shapes)
    xmax, ymax = max(b[2] for b in shapes), max(b[3] for b in shapes)
    return (float(xmin), float(ymin), float(xmax), float(ymax))


def _project_crs(tables: Mapping[str, _Table]) -> str:
    """The plan's CRS: that of the areas, else of the first layer with one."""
    first = next((t.crs for t in tables.values() if t.crs), "EPSG:25832")
    areas = tables.get("areas")
    return areas.crs if areas is not None and areas.crs else first


def write_qgis_content(
    path: Path,
    frames: Mapping[str, pd.DataFrame],
    *,
    file_name: str,
    title: str,
    created: dt.datetime | None = None,
) -> QgisContent:
    """Add styles, the project and German column titles to the GeoPackage ``path``.

    ``frames``: the layers written (for the start view); ``file_name``: the name the file
    will have (the project's layers point to ``./<file_name>``).
    """
    created = created or dt.datetime.now(dt.UTC).replace(microsecond=0)
    now = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    report = QgisContent()
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        tables = _tables(con)
        report.styles = _write_styles(con, tables, now)
        report.titled_columns = _write_columns(con, tables)
        _describe(con, tables)
        layers = _project_layers(tables, frames)
        crs = _project_crs(tables)
        qgs = project_qgs(
            layers, file_name=file_name, title=title, crs=crs, bounds=_bounds(frames, crs),
            abstract=LAYER_INFO["areas"][1], created=created,
        )  # fmt: skip
        con.execute(PROJECTS_SQL)
        con.execute(
            "INSERT OR REPLACE INTO qgis_projects (name, metadata, content) VALUES (?, ?, ?)",
            (PROJECT_NAME, project_metadata(created), project_qgz(qgs, PROJECT_NAME).hex()),
        )
        report.project_layers = [layer.name for layer in layers]
    return report

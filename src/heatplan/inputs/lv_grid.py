"""``heatplan import lv-grid``: a town's low-voltage grid from a pandapower JSON file or from
GIS layers (GeoPackage, Shapefile, ...) with a mapping.

The net's LV buses, cables (without those behind open switches), transformers and loads
become the layers ``lv_buses``, ``lv_lines``, ``lv_trafos``, ``lv_loads``
(:mod:`heatplan.grid.model`), in the project CRS; a new import replaces them.

GIS layers (:mod:`heatplan.grid.gis`): cables, transformers and house-connection points, in
one GeoPackage (layers ``lines``, ``trafos``, ``connections`` or those the mapping names) or in
separate files (``--trafos``, ``--connections``). The mapping (TOML or JSON) renames each
layer's columns to the attributes of :mod:`heatplan.grid.gis`, like the mapping of the other
vector imports::

    decimal = ","                       # the files' decimal separator where text holds numbers
    [lines]
    layer = "kabel"
    columns = { Kabeltyp = "std_type", Laenge_m = "length_m", Kabel_Nr = "line_id" }
    [trafos]
    layer = "stationen"
    columns = { Station = "trafo_id", Leistung_kVA = "sn_kva" }
    [connections]
    layer = "hausanschluesse"
    columns = { Gebaeude_ID = "building_id" }
"""

from __future__ import annotations

import json
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pyogrio

from heatplan.errors import HeatplanError, InputFileError
from heatplan.grid import gis
from heatplan.grid.model import LvGrid, from_pandapower
from heatplan.inputs import validate as v
from heatplan.inputs.common import open_project
from heatplan.inputs.readers import read_vector

#: The GIS elements, their default layer names and attributes.
ELEMENTS = {
    "lines": gis.LINE_FIELDS,
    "trafos": gis.TRAFO_FIELDS,
    "connections": gis.CONNECTION_FIELDS,
}


def read_pandapower_json(file: Path):
    """The pandapower net of ``file``; a clear error when it is not one."""
    import pandapower as pp

    if not Path(file).is_file():
        raise HeatplanError(f"{file}: file not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = pp.from_json(str(file))
    except Exception as exc:  # pandapower raises many kinds for a file that is no net
        raise HeatplanError(f"{file}: not a pandapower JSON net ({exc})") from None
    if "geo" not in net.bus.columns or net.bus["geo"].isna().any():
        raise HeatplanError(
            f"{file}: every bus needs coordinates (pandapower column bus.geo, GeoJSON)"
        )
    if net.trafo.empty:
        raise HeatplanError(f"{file}: the net has no transformer feeding the LV grid")
    return net


def read_grid_mapping(path: Path | None) -> dict[str, Any]:
    """The grid mapping (module doc): per element ``layer`` and ``columns``, and ``decimal``."""
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "mapping file not found")
    text = path.read_text(encoding="utf-8-sig")
    try:
        doc = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(path, f"mapping file is not valid: {exc}") from None
    if not isinstance(doc, dict):
        raise InputFileError(path, "the mapping must be a table (TOML) or an object (JSON)")
    for key, value in doc.items():
        if key == "decimal":
            if value not in (",", "."):
                raise InputFileError(path, 'decimal must be "," (German) or "."')
            continue
        if key not in ELEMENTS:
            raise InputFileError(
                path, f"unknown section [{key}]; use {', '.join(ELEMENTS)} and decimal"
            )
        columns = value.get("columns", {}) if isinstance(value, dict) else None
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and v_ in ELEMENTS[key] for k, v_ in columns.items()
        ):
            raise InputFileError(
                path,
                f"[{key}] columns must map file columns to {', '.join(ELEMENTS[key])}",
            )
    return doc


def _layer(
    file: Path, element: str, mapping: dict[str, Any], *, crs: str | None, project_crs: str,
    separate: bool,
) -> gis.Layer:  # fmt: skip
    """One element's features, columns renamed by the mapping, in the project CRS."""
    section = mapping.get(element, {})
    layer = section.get("layer")
    if layer is None and not separate and file.suffix.lower() == ".gpkg":
        layer = element
        if element not in [str(row[0]) for row in pyogrio.list_layers(file)]:
            if element == "connections":
                raise _NoLayer
            raise InputFileError(
                file, f"no layer {element!r}; name the layer in the mapping ([{element}] layer)"
            )
    frame = v.resolve_crs(read_vector(file, layer=layer), file, crs).to_crs(project_crs)
    columns = section.get("columns", {})
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise InputFileError(
            file,
            f"the mapping names column {missing[0]!r}, not in layer {layer or file.stem!r} "
            f"(columns: {', '.join(str(c) for c in frame.columns if c != 'geometry')})",
        )
    source = f"{file.name}, layer {layer}" if layer else file.name
    return gis.Layer(frame.rename(columns=columns), source, mapping.get("decimal"))


class _NoLayer(Exception):
    """A GeoPackage without a connection-point layer (connection points are optional)."""


def read_gis_grid(
    file: Path,
    *,
    mapping: Path | None,
    trafos: Path | None,
    connections: Path | None,
    crs: str | None,
    project_crs: str,
) -> LvGrid:
    """The LV grid of GIS layers (module doc)."""
    doc = read_grid_mapping(mapping)
    if trafos is None and Path(file).suffix.lower() != ".gpkg":
        raise InputFileError(
            file, "give the transformers' file (--trafos FILE) or one GeoPackage with every layer"
        )
    read = lambda f, element, separate: _layer(  # noqa: E731
        Path(f), element, doc, crs=crs, project_crs=project_crs, separate=separate
    )
    lines = read(file, "lines", False)
    stations = read(trafos or file, "trafos", trafos is not None)
    points = None
    try:
        points = read(connections or file, "connections", connections is not None)
    except _NoLayer:
        points = None
    return gis.from_layers(lines, stations, points, crs=project_crs)


def import_lv_grid(
    project_dir: Path,
    file: Path,
    *,
    mapping: Path | None = None,
    trafos: Path | None = None,
    connections: Path | None = None,
    crs: str | None = None,
) -> dict[str, int | str]:
    """Store the LV grid of a pandapower JSON file or of GIS layers in the project; counts
    per layer."""
    config, store = open_project(project_dir)
    file = Path(file)
    if file.suffix.lower() == ".json" and mapping is None and trafos is None:
        grid: LvGrid = from_pandapower(read_pandapower_json(file), crs=config.project.crs)
    else:
        grid = read_gis_grid(
            file, mapping=mapping, trafos=trafos, connections=connections, crs=crs,
            project_crs=config.project.crs,
        )  # fmt: skip
    with store.transaction(step="import lv-grid") as writer:
        for name, frame in grid.frames().items():
            writer.write(name, frame, mode="replace")
    counts = {name: len(frame) for name, frame in grid.frames().items()}
    # like every import's summary: rows taken (the buses) and rejected (none: a net is whole)
    return {"file": str(file), "imported": counts["lv_buses"], "rejected": 0, **counts}

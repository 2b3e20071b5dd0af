"""Registers of the Potenzialanalyse (WPG Anlage 1): sewage plants, sewers from DN 800,
industrial waste heat, and exclusion zones — vector files into their own project layers.

Same rules as every import (:mod:`heatplan.inputs.geometry`): known attributes of
``data/attributes.csv`` are checked and typed, bad rows go to ``import_rejections``, the
import is one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from heatplan.inputs import validate as v
from heatplan.inputs.common import (
    LINEAR,
    POLYGONAL,
    ImportMode,
    ImportResult,
    open_project,
    row_ids,
)
from heatplan.inputs.geometry import first_column, import_shapes, read_shapes
from heatplan.inputs.mapping import load_mapping

RegisterKind = Literal["sewage_plants", "sewers", "waste_heat", "exclusion_zones"]
POINTS = ("Point", "MultiPoint")
#: Per kind: id column and the geometry types it takes.
REGISTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sewage_plants": ("plant_id", (*POINTS, *POLYGONAL)),
    "sewers": ("line_id", LINEAR),
    "waste_heat": ("source_id", (*POINTS, *POLYGONAL)),
    "exclusion_zones": ("zone_id", POLYGONAL),
}


def import_register(
    project_dir: Path,
    file: Path,
    *,
    kind: RegisterKind,
    mapping: Path | None = None,
    layer: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    mode: ImportMode = "add",
) -> ImportResult:
    """Import a register of ``kind`` into the layer of the same name.

    Parameters
    ----------
    project_dir : Path
        Project directory (holds ``heatplan.toml``).
    file : Path
        GeoPackage, GeoJSON, Shapefile, FlatGeobuf or GeoParquet.
    kind : {"sewage_plants", "sewers", "waste_heat", "exclusion_zones"}
        What the file holds (see ``data/attributes.csv`` for the attributes of each).
    mapping, layer, crs, repair, mode
        As for every vector import (:func:`heatplan.inputs.geometry.import_lines`).
    """
    if kind not in REGISTERS:
        raise ValueError(f"kind must be one of {', '.join(REGISTERS)}, not {kind!r}")
    id_column, types = REGISTERS[kind]
    file, (config, store), cmap = Path(file), open_project(project_dir), load_mapping(mapping)
    targets = list(v.attributes(kind)["name"])
    frame = read_shapes(file, layer=layer, crs=crs, cmap=cmap, targets=targets, osm="polygons")
    frame[id_column] = row_ids(frame, first_column(frame, (id_column, "id")), file)
    return import_shapes(
        store,
        config,
        frame,
        file=file,
        target=kind,
        schema=kind,
        id_column=id_column,
        types=types,
        project_dir=Path(project_dir),
        repair=repair,
        mode=mode,
        decimal=cmap.decimal,
    )

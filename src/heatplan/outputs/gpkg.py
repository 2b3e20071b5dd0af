"""The public layers of the heat plan as one GeoPackage (opens in QGIS).

Which layers and rows may leave the project is decided in :mod:`heatplan.publish.layers`
(WPG §§ 10-12); this module only writes them, then adds what QGIS reads: a style per layer, a
stored project and German column titles (:mod:`heatplan.outputs.qgis_gpkg`). The file is
written to a temporary copy and moved into place (:mod:`heatplan.outputs.atomic`), so a failed
export leaves no half-written file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from heatplan.outputs.atomic import replacing
from heatplan.outputs.qgis_gpkg import PROJECT_NAME, write_qgis_content
from heatplan.publish.layers import PUBLIC_LAYERS, STRUCTURAL, Withheld, pipe_status, public_layers

__all__ = ["PUBLIC_LAYERS", "STRUCTURAL", "GpkgExport", "write_gpkg"]

_GPKG_OPTIONS = {"VERSION": "1.2"}  # GeoPackage 1.4 output upsets older GDAL/QGIS readers


@dataclass
class GpkgExport:
    """What was written: rows per layer, rows suppressed or left out, layers not exported."""

    path: Path
    layers: dict[str, int] = field(default_factory=dict)
    suppressed_rows: dict[str, int] = field(default_factory=dict)
    confidential_rows: dict[str, int] = field(default_factory=dict)
    not_exported: list[str] = field(default_factory=list)
    empty_layers: list[str] = field(default_factory=list)
    styles: dict[str, list[str]] = field(default_factory=dict)
    qgis_project: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "path": str(self.path)}


def _writable(frame: pd.DataFrame) -> pd.DataFrame:
    """Flag columns (bool with gaps) as 1.0/0.0/NaN; GeoPackage has no nullable bool."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object:
            values = column.dropna()
            if len(values) and values.map(lambda v: isinstance(v, bool | np.bool_)).all():
                out[name] = column.map(lambda v: float(v) if pd.notna(v) else np.nan)
    return out


def write_gpkg(
    frames: Mapping[str, pd.DataFrame],
    path: Path | str,
    *,
    release: tuple[dict[str, pd.DataFrame], Withheld] | None = None,
    title: str = "Kommunale Wärmeplanung",
) -> GpkgExport:
    """Write the public layers of ``frames`` (name -> layer or table) to one GeoPackage.

    ``release``: the public layers already made from ``frames`` (:func:`public_layers`).
    The file carries a QGIS style per layer, a QGIS project (``title``) and German column
    titles (:mod:`heatplan.outputs.qgis_gpkg`). A layer without rows is not written (its
    geometry type would be unknown); :attr:`GpkgExport.empty_layers` names it.
    """
    layers, withheld = release if release is not None else public_layers(frames)
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise ValueError(f"GeoPackage export: {path} must end in .gpkg")
    report = GpkgExport(
        path,
        suppressed_rows=withheld.suppressed_rows,
        confidential_rows=withheld.confidential_rows,
        not_exported=withheld.not_exported,
    )
    layers = _with_pipe_status(layers)
    with replacing(path) as partial:
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame) and frame.empty:
                report.empty_layers.append(name)
                continue
            _write_layer(partial, name, _writable(frame))
            report.layers[name] = len(frame)
        if not report.layers:
            raise ValueError(f"GeoPackage export: no layer with rows to write to {path}")
        written = {name: layers[name] for name in report.layers}
        qgis = write_qgis_content(partial, written, file_name=path.name, title=title)
        report.styles, report.qgis_project = qgis.styles, PROJECT_NAME
    return report


def _with_pipe_status(layers: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The network pipes with ``status`` (existing / planned / examined) for their style."""
    pipes = layers.get("network_pipes")
    if not isinstance(pipes, gpd.GeoDataFrame) or pipes.empty or "existing" not in pipes:
        return layers
    return {**layers, "network_pipes": pipes.assign(status=pipe_status(pipes, layers.get("areas")))}


def _write_layer(path: Path, name: str, frame: pd.DataFrame) -> None:
    kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG"}
    if not path.exists():
        kwargs["dataset_options"] = _GPKG_OPTIONS
    pyogrio.write_dataframe(frame, path, **kwargs)

"""The public layers of the heat plan as one GeoPackage (opens in QGIS).

Which layers and rows may leave the project is decided in :mod:`heatplan.publish.layers`
(WPG §§ 10-12); this module only writes them. The file is written to a temporary copy and moved
into place, so a failed export leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from heatplan.publish.layers import PUBLIC_LAYERS, STRUCTURAL, Withheld, public_layers

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
) -> GpkgExport:
    """Write the public layers of ``frames`` (name -> layer or table) to one GeoPackage.

    ``release``: the public layers already made from ``frames`` (:func:`public_layers`).
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
    partial = path.with_name(f".{path.stem}.partial.gpkg")
    partial.unlink(missing_ok=True)
    try:
        for name, frame in layers.items():
            _write_layer(partial, name, _writable(frame))
            report.layers[name] = len(frame)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return report


def _write_layer(path: Path, name: str, frame: pd.DataFrame) -> None:
    kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG"}
    if not path.exists():
        kwargs["dataset_options"] = _GPKG_OPTIONS
    if isinstance(frame, gpd.GeoDataFrame):
        kwargs["geometry_type"] = "Unknown" if frame.empty else None
    pyogrio.write_dataframe(frame, path, **kwargs)

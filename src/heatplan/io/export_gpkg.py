"""The public layers of the heat plan as one GeoPackage (opens in QGIS).

Only the layers of :data:`PUBLIC_LAYERS` leave the project, after the WPG §§ 10-12 rules of
:mod:`heatplan.io.export_privacy`:

- ``areas``: the supply areas; figures and reason texts of areas under the minimum suppressed;
- ``blocks``, ``street_segments``, ``grid_100m``: the inventory aggregates; rows over fewer
  than 5 buildings (and those needed against differencing with their area or the municipal
  total) keep only geometry, id, size and building count;
- ``potentials``: the potentials of sites (sewage plants, waste heat, sewers, biomass) without
  any building id; the building-level potentials (roofs, heat pumps — the air heat pump
  potential *is* the building's heat demand) only summed per block in ``potentials_by_block``;
- ``networks`` (table) and ``network_pipes`` (main pipes only: house connections and the
  downstream load of each pipe are building-level);
- ``heat_networks``, ``gas_networks``: the existing networks.

Never exported: ``buildings``, ``building_options``, ``decentral_options`` and every other
building-level layer; rows flagged ``confidential``. The file is written to a temporary copy
and moved into place, so a failed export leaves no half-written file.
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

from heatplan.io.export_privacy import (
    BUILDING_LEVEL_LAYERS,
    area_suppression,
    drop_confidential,
    flags,
    public_areas,
    smaller_part,
    suppress,
    suppression_mask,
)

__all__ = ["PUBLIC_LAYERS", "GpkgExport", "public_layers", "write_gpkg"]

PUBLIC_LAYERS = (
    "areas",
    "blocks",
    "street_segments",
    "grid_100m",
    "potentials",
    "potentials_by_block",
    "networks",
    "network_pipes",
    "heat_networks",
    "gas_networks",
)
#: Columns of the inventory aggregates that say nothing about consumption or heaters.
STRUCTURAL = {
    "blocks": ("block_id", "area_ha", "buildings", "buildings_without_demand", "predominant_use",
               "predominant_age_class"),
    "street_segments": ("segment_id", "length_m", "buildings", "buildings_without_demand"),
    "grid_100m": ("grid_id", "area_ha", "buildings", "buildings_without_demand"),
}  # fmt: skip
PIPE_COLUMNS = ("network_id", "pipe_id", "kind", "length_m", "dn", "diameter_mm",
                "insulation_series", "existing", "geometry")  # fmt: skip
NETWORK_STRUCTURAL = ("network_id", "selection", "source", "buildings_selected",
                      "buildings_connected", "buildings_unconnected")  # fmt: skip
_GPKG_OPTIONS = {"VERSION": "1.2"}  # ENGINEERING-NOTES: 1.4 upsets older GDAL/QGIS readers


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


def _town(frame: pd.DataFrame) -> pd.Series:
    return pd.Series("town", index=frame.index, dtype=object)


def _area_of_block(blocks: pd.DataFrame, areas: pd.DataFrame | None) -> pd.Series:
    """Area id of each block from ``areas.block_ids`` (comma-separated); NaN outside areas."""
    if areas is None or "block_ids" not in areas.columns:
        return pd.Series(np.nan, index=blocks.index, dtype=object)
    pairs = areas[["area_id", "block_ids"]].dropna()
    owner = {
        block.strip(): str(area)
        for area, ids in pairs.itertuples(index=False)
        for block in str(ids).split(",")
        if block.strip()
    }
    return blocks["block_id"].astype(str).map(owner)


def _aggregate(name: str, frame: pd.DataFrame, groups: list[pd.Series]) -> tuple[pd.DataFrame, int]:
    if "buildings" not in frame.columns:
        raise ValueError(f"{name}: column 'buildings' missing; cannot apply WPG § 10 aggregation")
    mask = suppression_mask(frame["buildings"], groups)
    return suppress(frame, mask, keep=STRUCTURAL[name]), int(mask.sum())


def _block_potentials(
    rows: pd.DataFrame, blocks: gpd.GeoDataFrame | None, crs: Any
) -> tuple[gpd.GeoDataFrame, int]:
    """Building-level potentials summed per block and kind; under 5 buildings suppressed."""
    frame = rows.assign(_ok=~flags(rows.get("excluded", pd.Series(False, index=rows.index))))
    frame["block_id"] = None
    if blocks is not None and len(blocks) and isinstance(rows, gpd.GeoDataFrame):
        points = gpd.GeoDataFrame(geometry=rows.geometry.representative_point(), crs=rows.crs)
        joined = gpd.sjoin(points, blocks[["block_id", "geometry"]], predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        frame.loc[joined.index, "block_id"] = joined["block_id"].astype(str)
    frame["block_id"] = frame["block_id"].fillna("ohne Baublock")
    for column in ("heat_mwh_per_a", "power_mwh_per_a", "capacity_kw"):
        values = pd.to_numeric(frame.get(column, np.nan), errors="coerce")
        frame[column] = np.where(frame["_ok"], values, 0.0)
    grouped = frame.groupby(["block_id", "kind", "carrier"], sort=True)
    table = grouped.agg(
        buildings=("building_id", "nunique"),
        excluded=("_ok", lambda ok: int((~ok).sum())),
        heat_mwh_per_a=("heat_mwh_per_a", "sum"),
        power_mwh_per_a=("power_mwh_per_a", "sum"),
        capacity_kw=("capacity_kw", "sum"),
    ).reset_index()
    counts = smaller_part(table["buildings"], table["excluded"])
    mask = suppression_mask(counts, [table["kind"] + "|" + table["carrier"]])
    keep = ("block_id", "kind", "carrier", "buildings")
    table = suppress(table, mask, keep=keep)
    shapes: dict[str, Any] = {}
    if blocks is not None:
        shapes = dict(zip(blocks["block_id"].astype(str), blocks.geometry, strict=True))
    geometry = [shapes.get(block) for block in table["block_id"]]
    return gpd.GeoDataFrame(table, geometry=geometry, crs=crs), int(mask.sum())


def _potentials(
    potentials: pd.DataFrame, blocks: gpd.GeoDataFrame | None
) -> tuple[dict[str, pd.DataFrame], int]:
    ids = potentials.get("building_id", pd.Series(None, index=potentials.index, dtype=object))
    per_building = ids.notna() & ids.astype(str).str.strip().ne("")
    sites = potentials[~per_building.to_numpy()].drop(columns="building_id", errors="ignore")
    if not per_building.any():
        return {"potentials": sites}, 0
    crs = getattr(potentials, "crs", None)
    by_block, hidden = _block_potentials(potentials[per_building.to_numpy()], blocks, crs)
    return {"potentials": sites, "potentials_by_block": by_block}, hidden


def _networks(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Network key figures without the JSON detail (violations name single buildings)."""
    text = [
        c
        for c in table.columns
        if not pd.api.types.is_numeric_dtype(table[c]) and c not in NETWORK_STRUCTURAL
    ]
    table = table.drop(columns=text)
    if "buildings_connected" not in table.columns:
        raise ValueError("networks: column 'buildings_connected' missing (WPG § 10 aggregation)")
    mask = suppression_mask(table["buildings_connected"])
    return suppress(table, mask, keep=NETWORK_STRUCTURAL), int(mask.sum())


def _pipes(pipes: pd.DataFrame) -> pd.DataFrame:
    main = pipes[pipes["kind"].astype(str) != "connection"] if "kind" in pipes.columns else pipes
    return main[[c for c in PIPE_COLUMNS if c in main.columns]]


def public_layers(frames: Mapping[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], GpkgExport]:
    """The public version of each layer of ``frames`` and what was held back (path unset)."""
    report = GpkgExport(Path())
    frames = dict(frames)
    for name in list(frames):
        frames[name], report.confidential_rows[name] = drop_confidential(frames[name])
    report.not_exported = sorted(n for n in frames if n not in PUBLIC_LAYERS)
    report.confidential_rows = {k: v for k, v in report.confidential_rows.items() if v}
    out: dict[str, pd.DataFrame] = {}
    hidden: dict[str, int] = {}
    areas = frames.get("areas")
    if areas is not None:
        out["areas"], hidden["areas"] = public_areas(areas), int(area_suppression(areas).sum())
    if "blocks" in frames:
        blocks = frames["blocks"]
        groups = [_area_of_block(blocks, areas), _town(blocks)]
        out["blocks"], hidden["blocks"] = _aggregate("blocks", blocks, groups)
    for name in ("street_segments", "grid_100m"):
        if name in frames:
            out[name], hidden[name] = _aggregate(name, frames[name], [_town(frames[name])])
    if "potentials" in frames:
        blocks_frame = frames.get("blocks")
        parts, hidden["potentials_by_block"] = _potentials(frames["potentials"], blocks_frame)
        out.update(parts)
    if "networks" in frames:
        out["networks"], hidden["networks"] = _networks(frames["networks"])
    if "network_pipes" in frames:
        out["network_pipes"] = _pipes(frames["network_pipes"])
    for name in ("heat_networks", "gas_networks"):
        if name in frames:
            out[name] = frames[name]
    assert not BUILDING_LEVEL_LAYERS & set(out)
    report.suppressed_rows = {k: v for k, v in hidden.items() if v}
    return out, report


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


def write_gpkg(frames: Mapping[str, pd.DataFrame], path: Path | str) -> GpkgExport:
    """Write the public layers of ``frames`` (name -> layer or table) to one GeoPackage."""
    layers, report = public_layers(frames)
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise ValueError(f"GeoPackage export: {path} must end in .gpkg")
    report.path = path
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

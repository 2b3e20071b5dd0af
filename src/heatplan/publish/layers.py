"""The public version of the project's layers (WPG §§ 10-12): what exports, the report and the
web map may show.

Only the layers of :data:`PUBLIC_LAYERS` leave the project:

- ``areas``: the supply areas; figures and reason texts of areas under the minimum suppressed;
- ``blocks``, ``street_segments``, ``grid_100m``: the inventory aggregates; rows over fewer
  than 5 buildings (and those needed against differencing with their area or the municipal
  total) keep only geometry, id, size and building count;
- ``potentials``: the potentials of sites (sewage plants, waste heat, sewers, biomass) without
  any building id; the building-level potentials (roofs, heat pumps — the air heat pump
  potential *is* the building's heat demand) only summed per block in ``potentials_by_block``;
- ``networks`` (table) and ``network_pipes`` (main pipes only: house connections and the
  downstream load of each pipe are building-level);
- ``grid_trafo_areas``, ``grid_supply_areas``: the LV grid check as coarse classes and rounded
  figures (:mod:`heatplan.publish.grid`: why not through the audit);
- ``heat_networks``, ``gas_networks``: the existing networks' mains only (:func:`network_mains`):
  a register's house connections tell which building heats with gas or district heat (heater
  data, § 10), so only the parts of the lines that run along the streets are public.

Never public: ``buildings``, ``building_options``, ``decentral_options`` and every other
building-level layer; rows flagged ``confidential``.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geopandas.array import GeometryDtype

from heatplan import __version__
from heatplan.plan import columns as col
from heatplan.publish import grid
from heatplan.publish.block_cells import block_energy_cells, block_heater_cells, unit_keys
from heatplan.publish.inventory import released_inventory
from heatplan.publish.release import PROTECTION_SHARE, ReleaseAudit, audit_release
from heatplan.publish.rules import (
    BUILDING_LEVEL_LAYERS,
    MIN_BUILDINGS_CONSUMPTION,
    area_suppression,
    drop_confidential,
    flags,
    public_areas,
    smaller_part,
    suppress,
    suppression_mask,
)

__all__ = [
    "PUBLIC_LAYERS",
    "RELEASE_INPUTS",
    "STRUCTURAL",
    "Withheld",
    "network_mains",
    "pipe_status",
    "public_layers",
    "release_key",
]

#: What :func:`public_layers` reads to decide the release: the public layers and the tables
#: that say which buildings stand behind each released figure.
RELEASE_INPUTS = (
    "areas",
    "blocks",
    "street_segments",
    "grid_100m",
    "potentials",
    "totals",
    "networks",
    "network_pipes",
    "network_nodes",
    "heat_networks",
    "gas_networks",
    "streets",
    "buildings",
    "grid_trafo_areas",
    "grid_supply_areas",
)
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
    "block_energy",
    "block_heaters",
    "inventory",
    "grid_trafo_areas",
    "grid_supply_areas",
)
#: Columns of the inventory aggregates that say nothing about consumption or heaters.
STRUCTURAL = {
    "blocks": (col.BLOCK_ID, "area_ha", "buildings", "buildings_without_demand", "predominant_use",
               "predominant_age_class"),
    "street_segments": (col.SEGMENT_ID, "length_m", "buildings", "buildings_without_demand"),
    "grid_100m": (col.GRID_ID, "area_ha", "buildings", "buildings_without_demand"),
}  # fmt: skip
PIPE_COLUMNS = ("network_id", "pipe_id", "kind", "length_m", "dn", "diameter_mm",
                "insulation_series", "existing", "geometry")  # fmt: skip
#: A network line within this distance of a street centre line runs in the street [m] (heatplan
#: choice: half the cross-section of a residential street with sidewalks, 12-16 m, RASt 06);
#: pieces no longer than twice that are the street ends of house connections and are dropped.
MAINS_STREET_TOLERANCE_M = 8.0
#: Share of a line's length that must lie along streets for it to count as a main [-]
#: (heatplan choice: mains follow the street; a house connection leaves it).
MAINS_STREET_SHARE = 0.9
#: An open line end this close to a building is a house connection's end [m] (heatplan
#: choice: a connection ends at the wall, a footprint's edge or its address point).
HOUSE_END_TOLERANCE_M = 2.0
#: Columns of an existing network line that may be public (no owner, no connection data).
MAINS_COLUMNS = ("medium", "diameter_mm", col.CONSTRUCTION_YEAR, "geometry")
#: What the per-block carrier and heater cells are counted from.
BLOCK_CELL_COLUMNS = (col.BLOCK_ID, col.CARRIER, col.FINAL_ENERGY_KWH_PER_A)
NETWORK_STRUCTURAL = ("network_id", "selection", "source", "buildings_selected",
                      "buildings_connected", "buildings_unconnected")  # fmt: skip


#: Version of the release rules: raise it with any change outside this package that changes
#: what a release holds (a stored release of another version is audited again). Changes of
#: the package's own source change :func:`rules_digest` and so the key by themselves.
RELEASE_RULES_VERSION = 1
#: Reference tables (``heatplan/data``) the release reads: which carriers are networks, the
#: German labels of the grid classes.
RULES_DATA = ("carriers.csv", "labels.csv")
#: Releases remembered by content (a few: the exports and the report of one plan revision).
RELEASES_KEPT = 4
_RELEASES: dict[str, tuple[dict[str, pd.DataFrame], Withheld]] = {}


def content_key(frames: Mapping[str, pd.DataFrame], *extra: object) -> str | None:
    """A digest of the frames' names, columns, types and values (None if a cell is unhashable)."""
    digest = hashlib.blake2b(repr(extra).encode(), digest_size=20)
    try:
        for name in sorted(frames):
            frame = frames[name]
            digest.update(f"{name}|{list(frame.columns)}|{list(frame.dtypes.astype(str))}".encode())
            shapes = [c for c in frame.columns if isinstance(frame[c].dtype, GeometryDtype)]
            plain = pd.DataFrame(frame.drop(columns=shapes))
            digest.update(pd.util.hash_pandas_object(plain, index=True).to_numpy().tobytes())
            for column in shapes:
                wkb = gpd.GeoSeries(frame[column]).to_wkb()
                digest.update(b"".join(g or b"" for g in wkb))
    except TypeError:
        return None
    return digest.hexdigest()


@functools.cache
def rules_digest() -> str:
    """A digest of the release rules: this package's source, the reference tables it reads
    (:data:`RULES_DATA`), :data:`RELEASE_RULES_VERSION` and heatplan's version."""
    digest = hashlib.blake2b(f"{__version__}|{RELEASE_RULES_VERSION}".encode(), digest_size=20)
    data = Path(__file__).parents[1] / "data"
    for path in [*sorted(Path(__file__).parent.glob("*.py")), *(data / n for n in RULES_DATA)]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def release_key(
    frames: Mapping[str, pd.DataFrame], protection_share: float = PROTECTION_SHARE
) -> str | None:
    """The key of the release :func:`public_layers` makes of ``frames``' release inputs.

    A digest (:func:`content_key`) of the :data:`RELEASE_INPUTS` among ``frames``, the
    protection share and :func:`rules_digest`: any change of an input, of the share or of the
    rules gives another key. None when a cell cannot be hashed.
    """
    inputs = {name: frames[name] for name in RELEASE_INPUTS if name in frames}
    return content_key(inputs, protection_share, rules_digest())


@dataclass
class Withheld:
    """What :func:`public_layers` held back: rows suppressed or confidential, layers left out."""

    suppressed_rows: dict[str, int] = field(default_factory=dict)
    confidential_rows: dict[str, int] = field(default_factory=dict)
    not_exported: list[str] = field(default_factory=list)
    audit: ReleaseAudit = field(default_factory=ReleaseAudit)


def _town(frame: pd.DataFrame) -> pd.Series:
    return pd.Series("town", index=frame.index, dtype=object)


def _area_of_block(blocks: pd.DataFrame, areas: pd.DataFrame | None) -> pd.Series:
    """Area id of each block from ``areas.block_ids`` (comma-separated); NaN outside areas."""
    if areas is None or "block_ids" not in areas.columns:
        return pd.Series(np.nan, index=blocks.index, dtype=object)
    pairs = areas[[col.AREA_ID, "block_ids"]].dropna()
    owner = {
        block.strip(): str(area)
        for area, ids in pairs.itertuples(index=False)
        for block in str(ids).split(",")
        if block.strip()
    }
    return blocks[col.BLOCK_ID].astype(str).map(owner)


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
    frame[col.BLOCK_ID] = None
    if blocks is not None and len(blocks) and isinstance(rows, gpd.GeoDataFrame):
        points = gpd.GeoDataFrame(geometry=rows.geometry.representative_point(), crs=rows.crs)
        joined = gpd.sjoin(points, blocks[[col.BLOCK_ID, "geometry"]], predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        frame.loc[joined.index, col.BLOCK_ID] = joined[col.BLOCK_ID].astype(str)
    frame[col.BLOCK_ID] = frame[col.BLOCK_ID].fillna("ohne Baublock")
    for column in ("heat_mwh_per_a", "power_mwh_per_a", "capacity_kw"):
        values = pd.to_numeric(frame.get(column, np.nan), errors="coerce")
        frame[column] = np.where(frame["_ok"], values, 0.0)
    grouped = frame.groupby([col.BLOCK_ID, "kind", col.CARRIER], sort=True)
    table = grouped.agg(
        buildings=(col.BUILDING_ID, "nunique"),
        excluded=("_ok", lambda ok: int((~ok).sum())),
        heat_mwh_per_a=("heat_mwh_per_a", "sum"),
        power_mwh_per_a=("power_mwh_per_a", "sum"),
        capacity_kw=("capacity_kw", "sum"),
    ).reset_index()
    counts = smaller_part(table["buildings"], table["excluded"])
    mask = suppression_mask(counts, [table["kind"] + "|" + table[col.CARRIER]])
    keep = (col.BLOCK_ID, "kind", col.CARRIER, "buildings")
    table = suppress(table, mask, keep=keep)
    shapes: dict[str, Any] = {}
    if blocks is not None:
        shapes = dict(zip(blocks[col.BLOCK_ID].astype(str), blocks.geometry, strict=True))
    geometry = [shapes.get(block) for block in table[col.BLOCK_ID]]
    return gpd.GeoDataFrame(table, geometry=geometry, crs=crs), int(mask.sum())


#: Columns of the potentials that only a building's roof rows fill (stages/potentials.py):
#: never part of the public sites.
ROOF_ONLY_COLUMNS = ("roof_basis", "pv_existing_kw", "pv_free_kwp")


def _potentials(
    potentials: pd.DataFrame, blocks: gpd.GeoDataFrame | None
) -> tuple[dict[str, pd.DataFrame], int]:
    ids = potentials.get(col.BUILDING_ID, pd.Series(None, index=potentials.index, dtype=object))
    per_building = ids.notna() & ids.astype(str).str.strip().ne("")
    building_only = [col.BUILDING_ID, *ROOF_ONLY_COLUMNS]
    sites = potentials[~per_building.to_numpy()].drop(columns=building_only, errors="ignore")
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
    """The mains of planned networks: no house connection, no pipe serving < 5 buildings.

    A pipe's diameter follows the load it carries: a spur to one or a few buildings gives their
    load band away, so only pipes with at least :data:`MIN_BUILDINGS_CONSUMPTION` buildings
    downstream are public.
    """
    main = pipes[pipes["kind"].astype(str) != "connection"] if "kind" in pipes.columns else pipes
    if "downstream_buildings" in main.columns:
        downstream = pd.to_numeric(main["downstream_buildings"], errors="coerce").fillna(0)
        main = main[downstream >= MIN_BUILDINGS_CONSUMPTION]
    return main[[c for c in PIPE_COLUMNS if c in main.columns]]


def public_layers(
    frames: Mapping[str, pd.DataFrame], *, protection_share: float = PROTECTION_SHARE
) -> tuple[dict[str, pd.DataFrame], Withheld]:
    """The public version of each layer of ``frames`` (name -> layer) and what was held back.

    Each layer follows its own rules; then the whole set is audited as one release
    (:func:`heatplan.publish.release.audit_release`) with the buildings of ``frames`` — pass
    every layer of the project (:data:`RELEASE_INPUTS`) so that every output gets the same
    release. The result is remembered for the same content (the demo's exports and report
    share one audit); callers get copies.
    """
    key = content_key(frames, protection_share)
    if key is None or key not in _RELEASES:
        made = _public_layers(frames, protection_share)
        if key is None:
            return made
        _RELEASES[key] = made
        while len(_RELEASES) > RELEASES_KEPT:
            _RELEASES.pop(next(iter(_RELEASES)))
    layers, withheld = _RELEASES[key]
    return {n: f.copy() for n, f in layers.items()}, copy.deepcopy(withheld)


def _public_layers(
    frames: Mapping[str, pd.DataFrame], protection_share: float
) -> tuple[dict[str, pd.DataFrame], Withheld]:
    report = Withheld()
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
    _grid(frames, areas, out, hidden)
    if "blocks" in frames:
        blocks = frames["blocks"]
        groups = [_area_of_block(blocks, areas), _town(blocks)]
        out["blocks"], hidden["blocks"] = _aggregate("blocks", blocks, groups)
    for name in ("street_segments", "grid_100m"):
        if name in frames:
            out[name], hidden[name] = _aggregate(name, frames[name], [_town(frames[name])])
    if "blocks" in out and _has(frames.get("buildings"), BLOCK_CELL_COLUMNS):
        hidden_blocks = set(
            unit_keys(out["blocks"][col.BLOCK_ID])[out["blocks"][col.HEAT_DEMAND_KWH_PER_A].isna()]
        )
        out["block_energy"] = block_energy_cells(frames["buildings"], hidden_blocks)
        out["block_heaters"] = block_heater_cells(frames["buildings"], hidden_blocks)
    if _has(frames.get("totals"), ("indicator", col.CARRIER, "sector", "heater_type", "value")):
        out["inventory"] = released_inventory(frames["totals"], frames.get("buildings"))
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
            out[name] = network_mains(
                frames[name], frames.get("streets"), name, buildings=frames.get("buildings")
            )
    out, report.audit = audit_release(out, frames, protection_share=protection_share)
    assert not BUILDING_LEVEL_LAYERS & set(out)
    report.suppressed_rows = {k: v for k, v in hidden.items() if v}
    return out, report


def _grid(
    frames: Mapping[str, pd.DataFrame],
    areas: pd.DataFrame | None,
    out: dict[str, pd.DataFrame],
    hidden: dict[str, int],
) -> None:
    """The LV grid check as coarse public classes (:mod:`heatplan.publish.grid`)."""
    if "grid_trafo_areas" in frames:
        out["grid_trafo_areas"], hidden["grid_trafo_areas"] = grid.public_trafo_areas(
            frames["grid_trafo_areas"]
        )
    if "grid_supply_areas" in frames:
        hidden_ids: set[str] = set()
        if areas is not None:
            hidden_ids = set(areas.loc[area_suppression(areas), col.AREA_ID].astype(str))
        out["grid_supply_areas"], hidden["grid_supply_areas"] = grid.public_supply_areas(
            frames["grid_supply_areas"], hidden_ids
        )


def _has(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> bool:
    return frame is not None and set(columns) <= set(frame.columns)


def pipe_status(pipes: gpd.GeoDataFrame, areas: pd.DataFrame | None) -> pd.Series:
    """'existing', 'planned' or 'examined' per pipe.

    A new pipe is 'planned' only where it lies (by its midpoint) in an area that is a heat-
    network area in at least one of the plan's years; in an area that stays decentral or under
    review in every year it is the option the comparison examined, not a plan ('examined').
    """
    existing = pipes["existing"].map(lambda v: bool(v) if pd.notna(v) else False)
    status = existing.map({True: "existing", False: "planned"})
    types = [c for c in getattr(areas, "columns", []) if str(c).startswith("area_type_")]
    if not isinstance(areas, gpd.GeoDataFrame) or not types or pipes.crs != areas.crs:
        return status
    network_area = (
        areas[types].apply(lambda kind: kind.astype(str).str.startswith("waermenetz")).any(axis=1)
    )
    middle = gpd.GeoDataFrame(
        geometry=pipes.geometry.interpolate(0.5, normalized=True), crs=pipes.crs
    )
    joined = middle.sjoin(areas[["geometry"]].assign(_network=network_area), how="left")
    in_network = joined.groupby(level=0)["_network"].max().reindex(pipes.index)
    examined = ~existing & in_network.eq(False)
    return status.mask(examined.to_numpy(), "examined")


def network_mains(
    lines: pd.DataFrame,
    streets: pd.DataFrame | None,
    network: str = "network",
    *,
    buildings: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The mains of an existing network: its lines that run along the streets.

    A line is a main when at least :data:`MAINS_STREET_SHARE` of it lies within
    :data:`MAINS_STREET_TOLERANCE_M` of a street, it is not marked ``kind = connection``, it
    is not a dead-end stub of at most twice the tolerance (the street end of a house
    connection), and no open end of it meets a building (within
    :data:`HOUSE_END_TOLERANCE_M` of one of ``buildings``: a house connection, however long and
    however close to a street it runs). Without streets nothing can be told apart: no rows.
    Each row carries ``network`` (the layer name) for the map's legend.
    """
    columns = [c for c in MAINS_COLUMNS if c in lines.columns]
    empty = gpd.GeoDataFrame({"network": []}, geometry=[], crs=getattr(lines, "crs", None))
    usable = isinstance(lines, gpd.GeoDataFrame) and not lines.empty
    if not usable or not isinstance(streets, gpd.GeoDataFrame) or streets.empty:
        return empty
    lines = lines[lines.geom_type.isin(["LineString", "MultiLineString"])]
    if "kind" in lines.columns:
        lines = lines[lines["kind"].astype(str) != "connection"]
    corridor = streets.to_crs(lines.crs).geometry.buffer(MAINS_STREET_TOLERANCE_M).union_all()
    length = lines.geometry.length
    share = lines.geometry.intersection(corridor).length / length.where(length > 0)
    keep = (share >= MAINS_STREET_SHARE) & ~(
        _dead_end(lines) & (length <= 2 * MAINS_STREET_TOLERANCE_M)
    )
    keep &= ~_ends_at_a_building(lines, buildings)
    mains = gpd.GeoDataFrame(lines.loc[keep, columns], geometry="geometry", crs=lines.crs)
    return mains.assign(network=network).reset_index(drop=True)


def _ends_at_a_building(lines: gpd.GeoDataFrame, buildings: pd.DataFrame | None) -> pd.Series:
    """Lines with an open end (shared by no other line) at a building [bool]."""
    if not isinstance(buildings, gpd.GeoDataFrame) or buildings.empty:
        return pd.Series(False, index=lines.index)
    ends = lines.geometry.boundary.explode(index_parts=False)
    keys = ends.x.round(2).astype(str) + "," + ends.y.round(2).astype(str)
    open_end = ends[keys.map(keys.value_counts()) == 1]
    houses = buildings.to_crs(lines.crs).geometry
    houses = houses[houses.notna() & ~houses.is_empty]
    if open_end.empty or houses.empty:
        return pd.Series(False, index=lines.index)
    tree = shapely.STRtree(houses.to_numpy())
    near, _ = tree.query(open_end.to_numpy(), predicate="dwithin", distance=HOUSE_END_TOLERANCE_M)
    at_house = pd.Series(False, index=open_end.index)
    at_house.iloc[np.unique(near)] = True
    return at_house.groupby(level=0).any().reindex(lines.index, fill_value=False)


def _dead_end(lines: gpd.GeoDataFrame) -> pd.Series:
    """Lines with an end that no other line shares (1 cm grid) [bool]."""
    boundaries = lines.geometry.boundary.explode(index_parts=False)
    keys = boundaries.x.round(2).astype(str) + "," + boundaries.y.round(2).astype(str)
    degree = keys.map(keys.value_counts())
    return (degree == 1).groupby(level=0).any().reindex(lines.index, fill_value=True)

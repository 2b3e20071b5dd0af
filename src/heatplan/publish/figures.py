"""The released figures of the public edition and the buildings behind each (for the audit).

A figure is a cell of a public layer or table: a row's columns that carry one protected sum.
:class:`Family` holds the figures of one kind of protected value with the items they add up:

- ``heat_demand``: one item per building, its heat demand [kWh/a];
- ``final_energy``, ``heaters``, ``connections``: one item per building *and* category (heater
  type and carrier). A building's category is heater data (WPG § 10): the intruder knows where
  the buildings are, not which of them heats with oil — so a figure "oil heaters in block 7"
  adds up the oil items of every building of the block, most of them zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from heatplan.areas.reference import carriers_table
from heatplan.plan import columns as col
from heatplan.publish.block_cells import OTHER, SEP, category_of, unit_keys
from heatplan.publish.inventory import ALL, normalised
from heatplan.publish.rules import MIN_BUILDINGS_CONSUMPTION, MIN_BUILDINGS_HEATER, flags

__all__ = ["WHOLE_ROW", "BuildingIndex", "Cell", "Family", "families"]

WHOLE_ROW = ("*",)
#: Columns that carry the heat demand of a row, per layer (blanked together).
DEMAND_COLUMNS = {
    "blocks": (col.HEAT_DEMAND_KWH_PER_A, col.HEAT_DENSITY_MWH_PER_HA_A, "heat_density_class"),
    "street_segments": (
        col.HEAT_DEMAND_KWH_PER_A,
        col.LINE_DENSITY_KWH_PER_M_A,
        "above_line_density_guide",
    ),
    "grid_100m": (col.HEAT_DEMAND_KWH_PER_A, col.HEAT_DENSITY_MWH_PER_HA_A),
    "potentials_by_block": ("heat_mwh_per_a", "power_mwh_per_a", "capacity_kw"),
}
KEYS = {"blocks": col.BLOCK_ID, "street_segments": col.SEGMENT_ID, "grid_100m": col.GRID_ID}
#: Potential kinds whose per-building heat equals the building's heat demand.
DEMAND_POTENTIALS = ("air_heat_pump",)


@dataclass(frozen=True)
class Cell:
    """One released figure: a row's columns in a layer, and whether it may be suppressed."""

    layer: str
    row: Any
    columns: tuple[str, ...]
    suppressible: bool = True


@dataclass
class Family:
    name: str
    minimum: int
    values: np.ndarray
    owners: np.ndarray
    cells: list[Cell] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)  # item positions per cell
    suppressed: set[int] = field(default_factory=set)
    #: small atoms (their item positions as bytes) an interval audit found protected: fewer
    #: figures only widen their intervals, so later rounds skip them
    protected: set[bytes] = field(default_factory=set)
    #: small atoms the last exact audit of the family found in no small group of the row space
    #: (:attr:`heatplan.publish.audit.AuditResult.quiet`): the next round searches no triple of
    #: them alone
    quiet: list[bytes] = field(default_factory=list)
    #: atoms of the last exact audit below the minimum (:attr:`heatplan.publish.audit.
    #: AuditResult.low`): the next round's new atoms are the others
    low: list[bytes] = field(default_factory=list)

    def add(self, cell: Cell, items: np.ndarray) -> None:
        if len(items):
            self.cells.append(cell)
            self.rows.append(np.asarray(items, dtype=np.int64))

    def matrix(self, active: list[int]) -> sparse.csr_matrix:
        cols = np.concatenate([self.rows[i] for i in active]) if active else np.zeros(0, int)
        rows = np.repeat(np.arange(len(active)), [len(self.rows[i]) for i in active])
        data = np.ones(len(cols))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(active), len(self.values)))


class BuildingIndex:
    """Positions of the buildings by block, segment, 100 m cell and id."""

    def __init__(self, buildings: pd.DataFrame) -> None:
        self.count = len(buildings)
        self.frame = buildings.reset_index(drop=True)
        self.ids = _keys(self.frame.get(col.BUILDING_ID, pd.Series(self.frame.index)))
        self._groups: dict[str, dict[str, np.ndarray]] = {}

    def by(self, column: str) -> dict[str, np.ndarray]:
        if column not in self._groups:
            if column not in self.frame.columns:
                self._groups[column] = {}
            else:
                keys = _keys(self.frame[column])
                indices = pd.Series(keys).groupby(keys).indices
                self._groups[column] = {str(k): np.asarray(v) for k, v in indices.items()}
        return self._groups[column]

    def positions_of_ids(self, ids: pd.Series) -> np.ndarray:
        wanted = set(_keys(ids))
        return np.flatnonzero(np.isin(self.ids, list(wanted)))


def _keys(values: pd.Series) -> np.ndarray:
    """Ids as text: 8, 8.0 and "8" are one key; missing ids are "" (in no group)."""
    return unit_keys(values).to_numpy(str)


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    values = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).clip(lower=0.0)
    return np.asarray(values.to_numpy(float))


def _demand_family(
    layers: Mapping[str, pd.DataFrame], frames: Mapping[str, pd.DataFrame], index: BuildingIndex
) -> Family:
    family = Family(
        "heat_demand",
        MIN_BUILDINGS_CONSUMPTION,
        _values(index.frame, col.HEAT_DEMAND_KWH_PER_A),
        index.ids,
    )
    for layer, key in KEYS.items():
        _register_rows(family, layers.get(layer), layer, key, col.HEAT_DEMAND_KWH_PER_A, index)
    _register_areas(family, layers.get("areas"), index)
    _register_potentials(family, layers.get("potentials_by_block"), frames, index)
    _register_networks(family, layers.get("networks"), frames, index)
    if _total(frames.get("totals"), "heat_demand") is not None:
        family.add(Cell("totals", "heat_demand", (), suppressible=False), np.arange(index.count))
    return family


def _register_rows(
    family: Family,
    frame: pd.DataFrame | None,
    layer: str,
    key: str,
    value: str,
    index: BuildingIndex,
) -> None:
    if frame is None or key not in frame.columns or value not in frame.columns:
        return
    groups = index.by(key)
    shown = frame[value].notna().to_numpy()
    for row, block, ok in zip(frame.index, _keys(frame[key]), shown, strict=True):
        if ok and block in groups:
            family.add(Cell(layer, row, DEMAND_COLUMNS[layer]), groups[block])


def _register_areas(family: Family, areas: pd.DataFrame | None, index: BuildingIndex) -> None:
    if areas is None or "block_ids" not in areas.columns:
        return
    demand = areas.get(col.HEAT_DEMAND_MWH_PER_A, pd.Series(np.nan, index=areas.index))
    groups = index.by(col.BLOCK_ID)
    for row, ids, shown in zip(areas.index, areas["block_ids"], demand.notna(), strict=True):
        blocks = [b.strip() for b in str(ids).split(",") if b.strip()] if pd.notna(ids) else []
        parts = [groups[b] for b in blocks if b in groups]
        if shown and parts:
            family.add(Cell("areas", row, WHOLE_ROW), np.concatenate(parts))


def _register_potentials(
    family: Family,
    by_block: pd.DataFrame | None,
    frames: Mapping[str, pd.DataFrame],
    index: BuildingIndex,
) -> None:
    potentials = frames.get("potentials")
    if by_block is None or potentials is None or col.BUILDING_ID not in potentials.columns:
        return
    excluded = flags(potentials.get("excluded", pd.Series(False, index=potentials.index)))
    block_of = pd.Series(_keys(index.frame.get(col.BLOCK_ID, pd.Series(dtype=object))))
    block_of = block_of.where(block_of != "", "ohne Baublock")
    for kind in DEMAND_POTENTIALS:
        rows = potentials[(potentials["kind"] == kind) & ~excluded.to_numpy()]
        with_potential = index.positions_of_ids(rows[col.BUILDING_ID])
        blocks = block_of.to_numpy()[with_potential]
        table = by_block[(by_block["kind"] == kind) & by_block["heat_mwh_per_a"].notna()]
        for row, block in zip(table.index, _keys(table[col.BLOCK_ID]), strict=True):
            family.add(Cell("potentials_by_block", row, DEMAND_COLUMNS["potentials_by_block"]),
                       with_potential[blocks == block])  # fmt: skip
        # the municipal sum of the potentials table (XLSX, report, XWärmeplan), where its own
        # rule publishes it: included and excluded buildings both none or at least the minimum
        every = potentials[potentials["kind"] == kind][col.BUILDING_ID].nunique()
        parts = (len(with_potential), every - len(with_potential))
        if all(n == 0 or n >= family.minimum for n in parts) and len(with_potential):
            cell = Cell("potentials_table", kind, (), suppressible=False)
            family.add(cell, with_potential)


def _register_networks(
    family: Family,
    networks: pd.DataFrame | None,
    frames: Mapping[str, pd.DataFrame],
    index: BuildingIndex,
) -> None:
    nodes = frames.get("network_nodes")
    if networks is None or nodes is None or col.BUILDING_ID not in nodes.columns:
        return
    columns = tuple(
        c for c in networks.columns
        if pd.api.types.is_numeric_dtype(networks[c]) and not c.startswith("buildings")
    )  # fmt: skip
    delivered = networks.get("heat_delivered_mwh_per_a", pd.Series(np.nan, index=networks.index))
    for row, network, shown in zip(
        networks.index, networks["network_id"], delivered.notna(), strict=True
    ):
        if not shown:
            continue
        connected = nodes[(nodes["network_id"].astype(str) == str(network))][col.BUILDING_ID]
        family.add(Cell("networks", row, columns), index.positions_of_ids(connected.dropna()))


def _total(totals: pd.DataFrame | None, indicator: str, carrier: str = "all") -> float | None:
    if totals is None or not {"indicator", col.CARRIER, "value"} <= set(totals.columns):
        return None
    match = totals[(totals["indicator"] == indicator) & (totals[col.CARRIER] == carrier)]
    return float(match["value"].iloc[0]) if len(match) else None


class Categories:
    """Items per building and category (heater type|carrier): positions and values."""

    def __init__(self, index: BuildingIndex) -> None:
        self.index = index
        frame = index.frame
        if col.CARRIER not in frame.columns:
            frame = frame.assign(carrier=None)
        combo = category_of(frame, "heaters").to_numpy(str)
        self.names = sorted(set(combo))
        self.of_building = np.searchsorted(self.names, combo)
        self.sector = normalised(frame)["sector"].to_numpy(str)
        self.carrier = np.array([n.split(SEP, 1)[1] for n in self.names])
        self.heater = np.array([n.split(SEP, 1)[0] for n in self.names])

    @property
    def size(self) -> int:
        return self.index.count * len(self.names)

    def values(self, per_building: np.ndarray) -> np.ndarray:
        out = np.zeros(self.size)
        out[self.of_building * self.index.count + np.arange(self.index.count)] = per_building
        return out

    def owners(self) -> np.ndarray:
        return np.tile(self.index.ids, len(self.names))

    def items(self, buildings: np.ndarray, combos: np.ndarray) -> np.ndarray:
        """Item positions of ``buildings`` x ``combos`` (category positions)."""
        n = self.index.count
        return (np.asarray(combos)[:, None] * n + np.asarray(buildings)[None, :]).ravel()

    def combos(self, carrier: str = ALL, heater: str = ALL) -> np.ndarray:
        keep = np.ones(len(self.names), dtype=bool)
        if carrier != ALL:
            keep &= self.carrier == carrier
        if heater != ALL:
            keep &= self.heater == heater
        return np.flatnonzero(keep)


def families(
    layers: Mapping[str, pd.DataFrame], frames: Mapping[str, pd.DataFrame], index: BuildingIndex
) -> list[Family]:
    """Every family of released figures of ``layers`` (with figures)."""
    found = [_demand_family(layers, frames, index)]
    if col.CARRIER in index.frame.columns:
        categories = Categories(index)
        inventory = layers.get("inventory")
        found += [
            _heater_family(layers, categories, inventory),
            _energy_family(layers, categories, inventory),
            _connections_family(layers, categories),
        ]
    return [f for f in found if f.cells]


def _inventory_cells(
    family: Family, inventory: pd.DataFrame | None, indicator: str, categories: Categories,
    buildings: np.ndarray,
) -> None:  # fmt: skip
    """The released municipal cells of ``indicator`` (fixed: the audit protects around them)."""
    if inventory is None or "value" not in inventory.columns:
        return
    rows = inventory[(inventory["indicator"] == indicator) & inventory["value"].notna()]
    for label, row in zip(rows.index, rows.itertuples(index=False), strict=True):
        members = buildings
        if row.sector != ALL:
            members = members[categories.sector[members] == row.sector]
        combos = categories.combos(str(row.carrier), str(row.heater_type))
        grand = row.carrier == ALL and row.sector == ALL and row.heater_type == ALL
        cell = Cell("inventory", label, ("value",), suppressible=not grand)
        family.add(cell, categories.items(members, combos))


def _decentral(categories: Categories) -> np.ndarray:
    """Buildings not supplied by a heat network (the inventory counts their generators)."""
    network = carriers_table()["network"]
    carrier = categories.carrier[categories.of_building]
    on_heat = pd.Series(carrier).map(network).eq("heat").to_numpy()
    return np.flatnonzero(~on_heat)


def _heater_family(
    layers: Mapping[str, pd.DataFrame], categories: Categories, inventory: pd.DataFrame | None
) -> Family:
    index = categories.index
    family = Family(
        "heaters",
        MIN_BUILDINGS_HEATER,
        categories.values(_values(index.frame, "generators")),
        categories.owners(),
    )
    every = np.arange(len(categories.names))
    blocks = layers.get("blocks")
    groups = index.by(col.BLOCK_ID)
    if blocks is not None and col.BLOCK_ID in blocks.columns:
        for row, block in zip(blocks.index, _keys(blocks[col.BLOCK_ID]), strict=True):
            members = groups.get(block)
            if members is None:
                continue
            if "generators" in blocks.columns and pd.notna(blocks.at[row, "generators"]):
                family.add(Cell("blocks", row, ("generators",)), categories.items(members, every))
            for carrier in sorted(set(categories.carrier)):
                column = f"generators_{carrier}"
                if column in blocks.columns and pd.notna(blocks.at[row, column]):
                    items = categories.items(members, categories.combos(carrier=carrier))
                    family.add(Cell("blocks", row, (column, f"share_{carrier}")), items)
    _cell_table(family, layers.get("block_heaters"), "block_heaters", categories)
    _inventory_cells(family, inventory, "decentral_generators", categories, _decentral(categories))
    return family


def _energy_family(
    layers: Mapping[str, pd.DataFrame], categories: Categories, inventory: pd.DataFrame | None
) -> Family:
    index = categories.index
    family = Family(
        "final_energy",
        MIN_BUILDINGS_CONSUMPTION,
        categories.values(_values(index.frame, col.FINAL_ENERGY_KWH_PER_A)),
        categories.owners(),
    )
    _cell_table(family, layers.get("block_energy"), "block_energy", categories)
    _inventory_cells(family, inventory, "final_energy", categories, np.arange(index.count))
    return family


def _connections_family(layers: Mapping[str, pd.DataFrame], categories: Categories) -> Family:
    """Gas connections per block (WP_GasNetzBaublock): buildings heated from the gas network."""
    index = categories.index
    family = Family(
        "connections", MIN_BUILDINGS_HEATER, categories.values(np.ones(index.count)),
        categories.owners(),
    )  # fmt: skip
    table = layers.get("block_energy")
    if table is None or "buildings" not in table.columns:
        return family
    groups = index.by(col.BLOCK_ID)
    for row in table.index[table["buildings"].notna() & (table["category"] != OTHER)]:
        members = groups.get(_keys(table.loc[[row], col.BLOCK_ID])[0])
        if members is not None:
            combos = categories.combos(carrier=str(table.at[row, "category"]))
            cell = Cell("block_energy", row, ("buildings",))
            family.add(cell, categories.items(members, combos))
    return family


def _cell_table(
    family: Family, table: pd.DataFrame | None, layer: str, categories: Categories
) -> None:
    """The published cells of a block x category table, and each shown block's total."""
    if table is None or not len(table):
        return
    groups = categories.index.by(col.BLOCK_ID)
    every = np.arange(len(categories.names))
    blocks = _keys(table[col.BLOCK_ID])
    for row, block, category in zip(table.index, blocks, table["category"], strict=True):
        members = groups.get(block)
        if members is None or category == OTHER:
            continue
        if layer == "block_energy":
            combos = categories.combos(carrier=str(category))
        else:
            combos = np.flatnonzero(np.array(categories.names) == str(category))
        family.add(Cell(layer, row, ("value",)), categories.items(members, combos))
    for block in sorted(set(blocks)):  # the cells of a block add up to its published total
        if block in groups:  # suppressed: the block's cells are left out altogether
            cell = Cell(layer, f"total:{block}", ())
            family.add(cell, categories.items(groups[block], every))

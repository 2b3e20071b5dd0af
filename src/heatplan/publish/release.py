"""The public edition as one release of figures, audited as a whole before anything leaves.

Each public layer follows its own rules first (:mod:`heatplan.publish.layers`: rows over fewer
than 5 buildings suppressed, secondary suppression within a layer). Together, though, the
layers overlap: a block and a 100 m cell, a block and a street segment, the air heat-pump
potential of a block (it *is* the block's heat demand without the excluded buildings), the
heat a planned network delivers, the municipal totals. :func:`audit_release` registers every
released figure with the buildings behind it, audits the whole set with
:func:`heatplan.publish.audit.audit_sums` — exact differencing of any combination and the LP
protection interval — and suppresses further figures until nothing discloses fewer than 5
buildings (heater figures: 3). It reports what it checked and how many figures it suppressed
(counts, never values).

Two families of protected values are audited:

- ``heat_demand``: each building's heat demand [kWh/a] — blocks, street segments, 100 m cells,
  supply areas, air heat-pump potentials per block, planned networks, the municipal total;
- ``heaters``: each building's heaters by carrier [count] — per block by carrier and in total,
  the municipal totals by carrier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from heatplan.publish.audit import Disclosure, audit_sums
from heatplan.publish.rules import (
    MIN_BUILDINGS_CONSUMPTION,
    MIN_BUILDINGS_HEATER,
    flags,
    suppress_area_rows,
)

__all__ = ["PROTECTION_SHARE", "ReleaseAudit", "audit_release"]

#: Share of a protected sum its feasible interval must reach below and above [-]: p = 10 % of
#: the p%-rule as used in the worked examples of Hundepool et al. (2012), Statistical
#: Disclosure Control, Wiley, § 4.2.2; a project sets ``[publish] protection_share``.
PROTECTION_SHARE = 0.10
#: The order in which figures are given up to protect a group (first: least needed by the
#: plan; the municipal totals of WPG Anlage 2 are never given up).
SUPPRESSION_ORDER = (
    "grid_100m",
    "street_segments",
    "potentials_by_block",
    "networks",
    "blocks",
    "areas",
)
#: Columns that carry the heat demand of a row, per layer (blanked together).
DEMAND_COLUMNS = {
    "blocks": ("heat_demand_kwh_per_a", "heat_density_mwh_per_ha_a", "heat_density_class"),
    "street_segments": (
        "heat_demand_kwh_per_a",
        "line_density_kwh_per_m_a",
        "above_line_density_guide",
    ),
    "grid_100m": ("heat_demand_kwh_per_a", "heat_density_mwh_per_ha_a"),
    "potentials_by_block": ("heat_mwh_per_a", "power_mwh_per_a", "capacity_kw"),
}
KEYS = {"blocks": "block_id", "street_segments": "segment_id", "grid_100m": "grid_id"}
#: Potential kinds whose per-building heat equals the building's heat demand.
DEMAND_POTENTIALS = ("air_heat_pump",)
#: Most rounds of audit and suppression (each round suppresses at least one figure).
MAX_ROUNDS = 200
WHOLE_ROW = ("*",)


@dataclass(frozen=True)
class _Cell:
    """One released figure: a row's columns in a layer, and whether it may be suppressed."""

    layer: str
    row: Any
    columns: tuple[str, ...]
    suppressible: bool = True


@dataclass
class _Family:
    name: str
    minimum: int
    values: np.ndarray
    owners: np.ndarray
    cells: list[_Cell] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)  # item positions per cell
    suppressed: set[int] = field(default_factory=set)

    def add(self, cell: _Cell, items: np.ndarray) -> None:
        if len(items):
            self.cells.append(cell)
            self.rows.append(np.asarray(items, dtype=np.int64))

    def matrix(self, active: list[int]) -> sparse.csr_matrix:
        cols = np.concatenate([self.rows[i] for i in active]) if active else np.zeros(0, int)
        rows = np.repeat(np.arange(len(active)), [len(self.rows[i]) for i in active])
        data = np.ones(len(cols))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(active), len(self.values)))


@dataclass
class ReleaseAudit:
    """What the audit of the public edition checked and what it suppressed (counts only)."""

    status: str = "passed"
    minimum_buildings: int = MIN_BUILDINGS_CONSUMPTION
    minimum_heater_buildings: int = MIN_BUILDINGS_HEATER
    protection_share: float = PROTECTION_SHARE
    rounds: int = 0
    figures_checked: dict[str, int] = field(default_factory=dict)
    atoms: dict[str, int] = field(default_factory=dict)
    lp_solves: int = 0
    disclosures_found: dict[str, int] = field(default_factory=dict)
    suppressed_figures: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def note_de(self) -> str:
        """One German sentence for the plan's notes (counts, never values)."""
        if self.status != "passed":
            return f"Offenlegungsprüfung nicht durchgeführt: {self.status}."
        checked = sum(self.figures_checked.values())
        hidden = sum(self.suppressed_figures.values())
        share = f"{self.protection_share * 100:.0f}".replace(".", ",")
        return (
            f"Offenlegungsprüfung aller veröffentlichten Werte zusammen: {checked} Summen "
            f"geprüft (Differenzen, Linearkombinationen und Schutzintervall ± {share} % per "
            f"linearer Optimierung); {hidden} weitere Werte unterdrückt, damit kein Wert über "
            f"weniger als {self.minimum_buildings} Gebäude (Heizungsdaten: "
            f"{self.minimum_heater_buildings}) erschlossen werden kann (§ 10 Abs. 2 WPG)."
        )


def audit_release(
    layers: dict[str, pd.DataFrame],
    frames: Mapping[str, pd.DataFrame],
    *,
    protection_share: float = PROTECTION_SHARE,
) -> tuple[dict[str, pd.DataFrame], ReleaseAudit]:
    """Audit the public ``layers`` together and suppress until no small group is disclosed.

    Parameters
    ----------
    layers : dict
        The public layers (after each layer's own rules), name -> frame.
    frames : mapping
        The project's frames the layers were made from; ``buildings`` (with ``block_id``,
        ``segment_id``, ``grid_id``, ``heat_demand_kwh_per_a``, ``carrier``, ``generators``),
        and where present ``potentials``, ``network_nodes`` and ``totals`` say which
        buildings stand behind each figure.
    protection_share : float
        Protection interval as a share of each protected sum [-].

    Returns
    -------
    (layers, ReleaseAudit)
        The layers with the further suppressions, and the audit's account.
    """
    report = ReleaseAudit(protection_share=protection_share)
    buildings = frames.get("buildings")
    if buildings is None or not len(buildings):
        report.status = "no buildings in the project: nothing building-level to protect"
        return layers, report
    index = _BuildingIndex(buildings)
    families = [_demand_family(layers, frames, index), _heater_family(layers, frames, index)]
    families = [f for f in families if f.cells]
    for family in families:
        report.figures_checked[family.name] = len(family.cells)
    for report.rounds in range(1, MAX_ROUNDS + 1):
        if not any([_round(f, report, protection_share) for f in families]):
            break
    else:
        raise RuntimeError("disclosure audit did not converge; please report this project")
    return _apply(layers, families, report), report


def _round(family: _Family, report: ReleaseAudit, share: float) -> bool:
    """One audit of ``family``; suppress a figure per disclosure. True if anything changed."""
    active = [i for i in range(len(family.cells)) if i not in family.suppressed]
    matrix = family.matrix(active)
    args = (matrix, family.values, family.owners)
    found = audit_sums(*args, minimum=family.minimum, protection_share=share, intervals=False)
    if not found.disclosures:
        found = audit_sums(*args, minimum=family.minimum, protection_share=share)
        report.lp_solves += found.lp_solves
    report.atoms[family.name] = found.atoms
    changed = False
    for disclosure in found.disclosures:
        key = f"{family.name}:{disclosure.kind}"
        report.disclosures_found[key] = report.disclosures_found.get(key, 0) + 1
        changed |= _suppress_one(family, disclosure, active)
    return changed


def _suppress_one(family: _Family, disclosure: Disclosure, active: list[int]) -> bool:
    """Suppress the least needed released figure that takes part in ``disclosure``."""
    candidates = [active[f] for f in disclosure.figures if family.cells[active[f]].suppressible]
    if not candidates:  # only unsuppressible totals take part: give up a figure holding it
        holders = [
            i for i in active
            if family.cells[i].suppressible and np.isin(family.rows[i], disclosure.items).any()
        ]  # fmt: skip
        candidates = holders
    if not candidates:  # the municipal totals alone give the group away: they cannot be public
        candidates = [f for f in (active[i] for i in disclosure.figures)]
    order = {name: rank for rank, name in enumerate(SUPPRESSION_ORDER)}
    best = min(
        candidates, key=lambda i: (order.get(family.cells[i].layer, 99), len(family.rows[i]))
    )
    if best in family.suppressed:
        return False
    family.suppressed.add(best)
    return True


def _apply(
    layers: dict[str, pd.DataFrame], families: list[_Family], report: ReleaseAudit
) -> dict[str, pd.DataFrame]:
    out = dict(layers)
    for family in families:
        for i in sorted(family.suppressed):
            cell = family.cells[i]
            if cell.layer in out:  # the municipal totals are blanked by the inventory tables
                out[cell.layer] = _blank(out[cell.layer], cell)
            report.suppressed_figures[cell.layer] = report.suppressed_figures.get(cell.layer, 0) + 1
    return out


def _blank(frame: pd.DataFrame, cell: _Cell) -> pd.DataFrame:
    if cell.columns == WHOLE_ROW:
        return suppress_area_rows(frame, [cell.row])
    frame = frame.copy()
    for column in cell.columns:
        if column not in frame.columns:
            continue
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        if numeric and not pd.api.types.is_bool_dtype(frame[column]):
            frame[column] = frame[column].astype(float)
            frame.loc[cell.row, column] = np.nan
        else:
            frame[column] = frame[column].astype(object)
            frame.loc[cell.row, column] = None
    return frame


class _BuildingIndex:
    """Positions of the buildings by block, segment, 100 m cell and id."""

    def __init__(self, buildings: pd.DataFrame) -> None:
        self.count = len(buildings)
        self.frame = buildings.reset_index(drop=True)
        self.ids = _keys(self.frame.get("building_id", pd.Series(self.frame.index)))
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
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.notna() & (numbers == numbers.round())
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    text = text.where(~whole, numbers.round().astype("Int64").astype(str))
    return text.to_numpy(str)


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    values = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).clip(lower=0.0)
    return np.asarray(values.to_numpy(float))


def _demand_family(
    layers: Mapping[str, pd.DataFrame], frames: Mapping[str, pd.DataFrame], index: _BuildingIndex
) -> _Family:
    family = _Family(
        "heat_demand",
        MIN_BUILDINGS_CONSUMPTION,
        _values(index.frame, "heat_demand_kwh_per_a"),
        index.ids,
    )
    for layer, key in KEYS.items():
        _register_rows(family, layers.get(layer), layer, key, "heat_demand_kwh_per_a", index)
    _register_areas(family, layers.get("areas"), index)
    _register_potentials(family, layers.get("potentials_by_block"), frames, index)
    _register_networks(family, layers.get("networks"), frames, index)
    if _total(frames.get("totals"), "heat_demand") is not None:
        family.add(_Cell("totals", "heat_demand", (), suppressible=False), np.arange(index.count))
    return family


def _register_rows(
    family: _Family,
    frame: pd.DataFrame | None,
    layer: str,
    key: str,
    value: str,
    index: _BuildingIndex,
) -> None:
    if frame is None or key not in frame.columns or value not in frame.columns:
        return
    groups = index.by(key)
    shown = frame[value].notna().to_numpy()
    for row, block, ok in zip(frame.index, _keys(frame[key]), shown, strict=True):
        if ok and block in groups:
            family.add(_Cell(layer, row, DEMAND_COLUMNS[layer]), groups[block])


def _register_areas(family: _Family, areas: pd.DataFrame | None, index: _BuildingIndex) -> None:
    if areas is None or "block_ids" not in areas.columns:
        return
    demand = areas.get("heat_demand_mwh_per_a", pd.Series(np.nan, index=areas.index))
    groups = index.by("block_id")
    for row, ids, shown in zip(areas.index, areas["block_ids"], demand.notna(), strict=True):
        blocks = [b.strip() for b in str(ids).split(",") if b.strip()] if pd.notna(ids) else []
        parts = [groups[b] for b in blocks if b in groups]
        if shown and parts:
            family.add(_Cell("areas", row, WHOLE_ROW), np.concatenate(parts))


def _register_potentials(
    family: _Family,
    by_block: pd.DataFrame | None,
    frames: Mapping[str, pd.DataFrame],
    index: _BuildingIndex,
) -> None:
    potentials = frames.get("potentials")
    if by_block is None or potentials is None or "building_id" not in potentials.columns:
        return
    excluded = flags(potentials.get("excluded", pd.Series(False, index=potentials.index)))
    block_of = pd.Series(_keys(index.frame.get("block_id", pd.Series(dtype=object))))
    block_of = block_of.where(block_of != "", "ohne Baublock")
    for kind in DEMAND_POTENTIALS:
        rows = potentials[(potentials["kind"] == kind) & ~excluded.to_numpy()]
        with_potential = index.positions_of_ids(rows["building_id"])
        blocks = block_of.to_numpy()[with_potential]
        table = by_block[(by_block["kind"] == kind) & by_block["heat_mwh_per_a"].notna()]
        for row, block in zip(table.index, _keys(table["block_id"]), strict=True):
            family.add(_Cell("potentials_by_block", row, DEMAND_COLUMNS["potentials_by_block"]),
                       with_potential[blocks == block])  # fmt: skip


def _register_networks(
    family: _Family,
    networks: pd.DataFrame | None,
    frames: Mapping[str, pd.DataFrame],
    index: _BuildingIndex,
) -> None:
    nodes = frames.get("network_nodes")
    if networks is None or nodes is None or "building_id" not in nodes.columns:
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
        connected = nodes[(nodes["network_id"].astype(str) == str(network))]["building_id"]
        family.add(_Cell("networks", row, columns), index.positions_of_ids(connected.dropna()))


def _total(totals: pd.DataFrame | None, indicator: str, carrier: str = "all") -> float | None:
    if totals is None or not {"indicator", "carrier", "value"} <= set(totals.columns):
        return None
    match = totals[(totals["indicator"] == indicator) & (totals["carrier"] == carrier)]
    return float(match["value"].iloc[0]) if len(match) else None


def _heater_family(
    layers: Mapping[str, pd.DataFrame], frames: Mapping[str, pd.DataFrame], index: _BuildingIndex
) -> _Family:
    """Heaters by carrier: one item per building and carrier, its heaters of that carrier."""
    carrier = index.frame.get("carrier", pd.Series("", index=index.frame.index)).astype(str)
    carriers = sorted(c for c in carrier.unique() if c and c != "nan")
    count = _values(index.frame, "generators")
    n = index.count
    values = np.concatenate([np.where(carrier.to_numpy() == c, count, 0.0) for c in carriers])
    family = _Family("heaters", MIN_BUILDINGS_HEATER, values, np.tile(index.ids, len(carriers)))
    if not carriers:
        return family
    blocks = layers.get("blocks")
    groups = index.by("block_id")
    column_of = {c: carriers.index(c) for c in carriers}
    if blocks is not None and "block_id" in blocks.columns:
        for row, block in zip(blocks.index, _keys(blocks["block_id"]), strict=True):
            members = groups.get(block)
            if members is None:
                continue
            if pd.notna(blocks.at[row, "generators"]) if "generators" in blocks else False:
                every = np.concatenate([members + k * n for k in range(len(carriers))])
                family.add(_Cell("blocks", row, ("generators",)), every)
            for name, k in column_of.items():
                column = f"generators_{name}"
                if column in blocks.columns and pd.notna(blocks.at[row, column]):
                    family.add(_Cell("blocks", row, (column, f"share_{name}")), members + k * n)
    totals = frames.get("totals")
    for name, k in column_of.items():
        items = np.arange(n) + k * n
        heated = len(np.unique(family.owners[items][family.values[items] > 0]))
        # a municipal count of 1-2 heaters is itself suppressed in the inventory tables
        if _total(totals, "decentral_generators", name) is not None and heated >= family.minimum:
            cell = _Cell("totals", f"decentral_generators:{name}", (), suppressible=False)
            family.add(cell, items)
    return family

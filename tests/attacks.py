"""An intruder's tools against the public edition, written apart from heatplan.publish.

The intruder knows where the buildings are (public maps) and so which buildings stand behind
each published figure, but no building's value. From the released figures alone it tries to
recover the value of fewer than 5 buildings (heaters: 3):

- differences of two nested figures (a block minus a 100 m cell or a street segment inside it);
- a figure minus disjoint published figures inside it (an area minus its published blocks minus
  the air heat-pump potential of a block the blocks layer hides);
- any linear combination (is the group's indicator in the row space of the figures?);
- linear programs: the smallest and largest value of a group compatible with every figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

KWH_PER_MWH = 1000.0


@dataclass(frozen=True)
class Sum:
    """One published figure: its name, the buildings behind it, its value."""

    name: str
    members: frozenset[str]
    value: float


def _ids(values: Iterable[object]) -> list[str]:
    out = []
    for v in values:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(str(v))
    return out


def demand_sums(layers: dict[str, pd.DataFrame], frames: dict[str, pd.DataFrame]) -> list[Sum]:
    """The published heat-demand figures and their buildings (from public geometry)."""
    b = frames["buildings"]
    ids = np.array(_ids(b["building_id"]))
    sums: list[Sum] = []
    for layer, key in (("blocks", "block_id"), ("street_segments", "segment_id"),
                       ("grid_100m", "grid_id")):  # fmt: skip
        frame = layers.get(layer)
        if frame is None:
            continue
        of = np.array(_ids(b[key]))
        for k, v in zip(_ids(frame[key]), frame["heat_demand_kwh_per_a"], strict=True):
            if pd.notna(v):
                sums.append(Sum(f"{layer}:{k}", frozenset(ids[of == k]), float(v)))
    block_of = np.array(_ids(b["block_id"]))
    areas = layers.get("areas")
    if areas is not None:
        for _, row in areas.iterrows():
            if pd.notna(row.get("heat_demand_mwh_per_a")):
                blocks = [s.strip() for s in str(row["block_ids"]).split(",")]
                members = frozenset(ids[np.isin(block_of, blocks)])
                value = float(row["heat_demand_mwh_per_a"]) * KWH_PER_MWH
                sums.append(Sum(f"areas:{row['area_id']}", members, value))
    sums.extend(_potential_sums(layers, frames, ids, block_of))
    return [s for s in sums if s.members]


def _potential_sums(
    layers: dict[str, pd.DataFrame],
    frames: dict[str, pd.DataFrame],
    ids: np.ndarray,
    block_of: np.ndarray,
) -> list[Sum]:
    table = layers.get("potentials_by_block")
    potentials = frames.get("potentials")
    if table is None or potentials is None:
        return []
    excluded = potentials["excluded"].astype(str).str.lower().isin(["true", "1", "1.0"])
    air = potentials[(potentials["kind"] == "air_heat_pump") & ~excluded.to_numpy()]
    with_air = np.isin(ids, _ids(air["building_id"]))
    out = []
    rows = table[(table["kind"] == "air_heat_pump") & table["heat_mwh_per_a"].notna()]
    for block, value in zip(_ids(rows["block_id"]), rows["heat_mwh_per_a"], strict=True):
        members = frozenset(ids[with_air & (block_of == block)])
        out.append(Sum(f"potentials_by_block:{block}", members, float(value) * KWH_PER_MWH))
    return out


def differences(sums: list[Sum], minimum: int) -> list[tuple[str, str, int]]:
    """Pairs of nested figures whose difference covers 1 .. minimum-1 buildings."""
    found = []
    for outer in sums:
        for inner in sums:
            if inner.members < outer.members:
                n = len(outer.members - inner.members)
                if 0 < n < minimum:
                    found.append((outer.name, inner.name, n))
    return found


def peeled(sums: list[Sum], minimum: int) -> list[tuple[str, list[str], int]]:
    """A figure minus disjoint figures inside it (largest first) leaving 1 .. minimum-1."""
    found = []
    for outer in sums:
        inside = sorted(
            (s for s in sums if s.members < outer.members), key=lambda s: -len(s.members)
        )
        taken: set[str] = set()
        used = []
        for part in inside:
            if not taken & part.members:
                taken |= part.members
                used.append(part.name)
        n = len(outer.members - taken)
        if used and 0 < n < minimum:
            found.append((outer.name, used, n))
    return found


def _matrix(sums: list[Sum]) -> tuple[np.ndarray, list[str]]:
    buildings = sorted(set().union(*(s.members for s in sums))) if sums else []
    column = {b: j for j, b in enumerate(buildings)}
    matrix = np.zeros((len(sums), len(buildings)))
    for i, s in enumerate(sums):
        matrix[i, [column[b] for b in s.members]] = 1.0
    return matrix, buildings


def single_buildings_in_row_space(sums: list[Sum]) -> list[str]:
    """Buildings whose own value is a linear combination of the published figures."""
    matrix, buildings = _matrix(sums)
    if not len(buildings):
        return []
    _, s, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((s > 1e-9 * s.max()).sum())
    rows = vt[:rank]  # orthonormal basis of the row space
    inside = (rows**2).sum(axis=0)  # squared length of each unit vector's projection
    return [b for b, x in zip(buildings, inside, strict=True) if x > 1 - 1e-9]


def lp_intervals(sums: list[Sum], buildings: list[str]) -> dict[str, tuple[float, float]]:
    """The least and greatest value of each given building compatible with the figures."""
    matrix, columns = _matrix(sums)
    rhs = np.array([s.value for s in sums])
    out = {}
    for b in buildings:
        if b not in columns:
            continue
        cost = np.zeros(len(columns))
        cost[columns.index(b)] = 1.0
        low = linprog(cost, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
        high = linprog(-cost, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
        out[b] = (float(low.fun), float(-high.fun))
    return out


# --- heater and final-energy figures: one unknown per building and category --------------------


def _combo(buildings: pd.DataFrame) -> pd.Series:
    heater = buildings.get("heater_type", pd.Series("unknown", index=buildings.index))
    return heater.fillna("unknown").astype(str) + "|" + buildings["carrier"].astype(str)


def category_sums(
    layers: dict[str, pd.DataFrame], frames: dict[str, pd.DataFrame], family: str
) -> tuple[list[Sum], dict[str, float]]:
    """Published heater (``heaters``) or final-energy (``energy``) figures over (building,
    category) unknowns, and the true value of every unknown."""
    b = frames["buildings"]
    ids = np.array(_ids(b["building_id"]))
    combos = sorted(set(_combo(b)))
    own = dict(zip(ids, _combo(b), strict=True))
    column = "generators" if family == "heaters" else "final_energy_kwh_per_a"
    value = dict(zip(ids, pd.to_numeric(b[column]).fillna(0), strict=True))
    truth = {f"{i}@{c}": (value[i] if own[i] == c else 0.0) for i in ids for c in combos}
    block_of = np.array(_ids(b["block_id"]))

    def items(members: np.ndarray, keep: list[str]) -> frozenset[str]:
        return frozenset(f"{i}@{c}" for i in members for c in keep)

    sums = []
    blocks = layers["blocks"]
    for _, row in blocks.iterrows():
        inside = ids[block_of == _ids([row["block_id"]])[0]]
        if family == "heaters":
            for col in [c for c in blocks.columns if c.startswith("generators")]:
                if pd.notna(row[col]):
                    carrier = col.removeprefix("generators").removeprefix("_")
                    keep = [c for c in combos if not carrier or c.endswith("|" + carrier)]
                    sums.append(Sum(f"blocks:{row['block_id']}:{col}", items(inside, keep),
                                    float(row[col])))  # fmt: skip
    table = layers.get("block_heaters" if family == "heaters" else "block_energy")
    for block, rows in table.groupby("block_id") if table is not None else []:
        inside = ids[block_of == _ids([block])[0]]
        sums.append(Sum(f"cells:{block}:total", items(inside, combos), float(rows["value"].sum())))
        for category, v in zip(rows["category"], rows["value"], strict=True):
            if category == "other":
                continue
            keep = [category] if family == "heaters" else [c for c in combos if
                                                           c.endswith("|" + category)]  # fmt: skip
            sums.append(Sum(f"cells:{block}:{category}", items(inside, keep), float(v)))
    return [s for s in sums if s.members], truth


def small_category_groups(
    sums: list[Sum], truth: dict[str, float], minimum: int
) -> list[tuple[str, str, int]]:
    """Nested figures whose difference holds 1 .. minimum-1 buildings with a non-zero value."""
    found = []
    for outer in sums:
        for inner in sums:
            if inner.members < outer.members:
                rest = outer.members - inner.members
                owners = {item.split("@")[0] for item in rest if truth[item] > 0}
                if 0 < len(owners) < minimum:
                    found.append((outer.name, inner.name, len(owners)))
    return found

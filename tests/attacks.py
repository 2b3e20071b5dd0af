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

"""Reinforcement cost at a heat-pump share: the transformer exchanged for the next size that
carries the peak, a parallel cable beside every overloaded one (``grid_costs.csv``), and for a
voltage still below the band after these two, parallel cable along the feeder to the worst
customer (:func:`voltage_cables`) at the same cost per metre, until the band holds.

Why parallel cable for the voltage: it is the reinforcement the cost table sources, and halving
a feeder's impedance to its far end halves its voltage drop; a longitudinal voltage regulator
can be cheaper on a long feeder, but its unit cost could not be sourced offline. A voltage
problem the path cables do not solve within ``voltage_fix_max_steps`` is reported, not costed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatplan.grid import flow, hosting
from heatplan.grid.flow import Extremes, Network
from heatplan.grid.loads import PARAMETERS
from heatplan.grid.model import LvGrid
from heatplan.reference import parameter, table

COSTS = "grid_costs.csv"


def cost_table() -> pd.DataFrame:
    """Rows of ``grid_costs.csv``: item, size, value, unit, price_year, source."""
    return table(COSTS)


def transformer_cost_eur(peak_kva: np.ndarray, rated_kva: np.ndarray) -> np.ndarray:
    """Cost of carrying ``peak_kva`` where ``rated_kva`` stands [EUR]: 0 if it fits, else the
    exchange for the smallest listed size that carries it, beyond the largest size that one
    plus new substations for the rest (each up to its listed size)."""
    costs = cost_table()
    exchange = costs[costs["item"] == "transformer_exchange"].sort_values("size")
    station = costs[costs["item"] == "new_substation"].iloc[0]
    sizes, prices = exchange["size"].to_numpy(float), exchange["value"].to_numpy(float)
    peak, rated = np.asarray(peak_kva, float), np.asarray(rated_kva, float)
    pick = np.minimum(np.searchsorted(sizes, peak, side="left"), sizes.size - 1)
    rest = np.maximum(peak - sizes[-1], 0.0)
    stations = np.ceil(rest / float(station["size"]))
    cost = prices[pick] + stations * float(station["value"])
    return np.where(peak <= rated, 0.0, cost)


def cable_cost_eur(loading_percent: np.ndarray, length_m: np.ndarray, limit_percent: float):
    """Parallel cables so that each carries at most ``limit_percent``: count and cost [EUR]."""
    per_m = float(cost_table().query("item == 'parallel_cable'")["value"].iloc[0])
    extra = np.maximum(np.ceil(np.asarray(loading_percent) / limit_percent) - 1.0, 0.0)
    return extra, extra * np.asarray(length_m, float) * per_m


def element_costs(
    network: Network, ext: Extremes, lines: pd.DataFrame, trafos: pd.DataFrame, limits
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cost per line and per transformer [EUR], and the extra parallel cables per line."""
    rated_kva = trafos["sn_mva"].to_numpy(float) * 1e3
    peak_kva = rated_kva * ext.trafo_max_percent / limits.trafo_max_percent
    trafo_eur = transformer_cost_eur(peak_kva, rated_kva)
    extra, line_eur = cable_cost_eur(
        ext.line_max_percent, lines["length_km"].to_numpy(float) * 1e3, limits.line_max_percent
    )
    return line_eur, trafo_eur, extra


def reinforced(lines: pd.DataFrame, trafos: pd.DataFrame, extra: np.ndarray, ext, limits):
    """Lines with their extra parallel cables and transformers at the size that carries the
    peak (for a second flow that shows what voltage problems remain)."""
    lines = lines.assign(parallel=lines["parallel"].to_numpy() * (1 + extra))
    rated_mva = trafos["sn_mva"].to_numpy(float)
    peak = rated_mva * ext.trafo_max_percent / limits.trafo_max_percent
    return lines, trafos.assign(sn_mva=np.maximum(rated_mva, peak))


def cable_eur_per_m() -> float:
    """Cost of a parallel LV cable per metre of route [EUR/m] (``grid_costs.csv``)."""
    return float(cost_table().query("item == 'parallel_cable'")["value"].iloc[0])


def voltage_cables(
    grid: LvGrid,
    connection: hosting.Connection,
    total_kw: np.ndarray,
    hours: np.ndarray,
    limits,  # hosting.Limits
) -> tuple[np.ndarray, np.ndarray]:
    """Parallel cables for a voltage below the band in a (reinforced) grid: in each step, per
    transformer area whose lowest customer voltage lies below ``limits.voltage_min_pu``, one
    more parallel cable on every cable from the transformer to that worst customer; the flow
    (``hours`` of ``total_kw``) is run again, up to ``voltage_fix_max_steps`` steps.

    Returns the extra parallel cables per line and the lowest voltage per bus [pu] after them
    (inf at buses without buildings).
    """
    network = flow.build(grid)
    parent, parent_line = hosting._tree(network)
    served = np.asarray(connection.bus_map.sum(axis=1)).ravel() > 0
    extra = np.zeros(len(grid.lines))
    source = np.full(network.bus_ids.size, limits.busbar_pu)
    steps = int(parameter(PARAMETERS, "voltage_fix_max_steps"))
    base_parallel = grid.lines["parallel"].to_numpy(float)
    for step in range(steps + 1):
        lines = grid.lines.assign(parallel=base_parallel * (1 + extra))
        stronger = (
            network if step == 0 else flow.build(LvGrid(grid.buses, lines, grid.trafos, grid.loads))
        )
        ext = hosting.run(stronger, connection, total_kw, source_pu=source, hours=hours)
        vm = np.where(served, ext.vm_min_pu, np.inf)
        low = vm < limits.voltage_min_pu
        if not low.any() or step == steps:
            return extra, vm
        for area in np.unique(network.area_of_bus[low]):
            worst = int(np.argmin(np.where(network.area_of_bus == area, vm, np.inf)))
            bus = worst
            while parent_line[bus] >= 0:
                extra[parent_line[bus]] += 1
                bus = parent[bus]
    return extra, vm

"""Hourly dispatch (and optional sizing) of a heat-network portfolio as one linear program.

The constraint matrix is built with numpy index arithmetic as a scipy.sparse CSC matrix and
handed to HiGHS in one call (``Highs.passModel`` with a ``HighsLp``), which keeps an 8760-hour
year well below a second (heatplan's performance target; ``benchmarks/bench_dispatch.py``
compares it with the same model in oemof-solph).

Variables (one per hour unless said otherwise), in column order:

- heat of every generator q_g,t [kW] (heat pumps, power-to-heat, boilers, CHP);
- per store: charge c_s,t [kW], discharge d_s,t [kW], level l_s,t [kWh] at the end of hour t;
- one capacity variable per unit with ``capacity_kw``/``capacity_kwh`` None [kW or kWh].

Constraints:

- heat balance: sum_g q_g,t - sum_s c_s,t + sum_s d_s,t = demand_t;
- store balance: l_s,t = (1 - loss) l_s,t-1 + eta_c c_s,t - d_s,t / eta_d, cyclic
  (l_s,-1 = l_s,T-1);
- q_g,t <= capacity (a bound, or a row q - P <= 0 when sized); for a heat pump also
  q_t (1 - 1/COP_t) <= source limit_t, i.e. the bound q_t <= source_t / (1 - 1/COP_t);
- l_s,t <= capacity, c_s,t <= charge_kw, d_s,t <= discharge_kw.

Objective [EUR over the period]: sum of variable costs (:mod:`heatplan.dispatch.costs`) plus the
annualised cost of the sized capacities pro rata to the modelled hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from heatplan.dispatch.costs import (
    heat_upper_kw,
    period_share,
    renewable_unit,
    variable_cost_eur_per_mwh,
)
from heatplan.dispatch.infeasible import InfeasibleDispatchError, check_capacity, explain
from heatplan.dispatch.model import Portfolio
from heatplan.dispatch.results import DispatchResult, HeatPumpRule, summarise

INF = highspy.kHighsInf


@dataclass(frozen=True)
class Layout:
    """Column positions of the variables of ``portfolio`` in the LP."""

    hours: int
    n_units: int
    n_stores: int
    sized_units: tuple[int, ...]
    sized_stores: tuple[int, ...]

    @classmethod
    def of(cls, portfolio: Portfolio) -> Layout:
        units = portfolio.units
        return cls(
            hours=portfolio.hours,
            n_units=len(units),
            n_stores=len(portfolio.storages),
            sized_units=tuple(i for i, u in enumerate(units) if u.capacity_kw is None),
            sized_stores=tuple(
                i for i, s in enumerate(portfolio.storages) if s.capacity_kwh is None
            ),
        )

    def heat(self, unit: int) -> np.ndarray:
        return unit * self.hours + np.arange(self.hours)

    def store(self, store: int, part: int) -> np.ndarray:
        """Columns of store ``store``: part 0 charge, 1 discharge, 2 level."""
        start = (self.n_units + 3 * store + part) * self.hours
        return start + np.arange(self.hours)

    @property
    def first_capacity(self) -> int:
        return (self.n_units + 3 * self.n_stores) * self.hours

    @property
    def n_cols(self) -> int:
        return self.first_capacity + len(self.sized_units) + len(self.sized_stores)


class _Rows:
    """Collects constraint rows as COO triplets with their bounds."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.count = 0

    def block(self, n: int, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Open ``n`` new rows with bounds; returns their row numbers."""
        rows = self.count + np.arange(n)
        self.count += n
        self.lower.append(np.broadcast_to(lower, n).astype(float))
        self.upper.append(np.broadcast_to(upper, n).astype(float))
        return rows

    def add(self, rows: np.ndarray, cols: np.ndarray | int, vals: np.ndarray | float) -> None:
        self.rows.append(rows)
        self.cols.append(np.broadcast_to(cols, rows.shape))
        self.vals.append(np.broadcast_to(np.asarray(vals, float), rows.shape))

    def matrix(self, n_cols: int) -> sp.csc_matrix:
        coo = sp.coo_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.count, n_cols),
        )
        return coo.tocsc()


def _balance(rows: _Rows, portfolio: Portfolio, layout: Layout) -> None:
    demand = portfolio.demand()
    balance = rows.block(layout.hours, demand, demand)
    for unit in range(layout.n_units):
        rows.add(balance, layout.heat(unit), 1.0)
    for store in range(layout.n_stores):
        rows.add(balance, layout.store(store, 0), -1.0)
        rows.add(balance, layout.store(store, 1), 1.0)


def _storage_balance(rows: _Rows, portfolio: Portfolio, layout: Layout) -> None:
    for number, store in enumerate(portfolio.storages):
        level = layout.store(number, 2)
        block = rows.block(layout.hours, np.zeros(1), np.zeros(1))
        rows.add(block, level, 1.0)
        rows.add(block, np.roll(level, 1), -(1.0 - store.loss_per_h))
        rows.add(block, layout.store(number, 0), -store.efficiency_charge)
        rows.add(block, layout.store(number, 1), 1.0 / store.efficiency_discharge)


def _capacity_rows(rows: _Rows, layout: Layout) -> None:
    column = layout.first_capacity
    for unit in layout.sized_units:
        block = rows.block(layout.hours, np.full(1, -INF), np.zeros(1))
        rows.add(block, layout.heat(unit), 1.0)
        rows.add(block, column, -1.0)
        column += 1
    for store in layout.sized_stores:
        block = rows.block(layout.hours, np.full(1, -INF), np.zeros(1))
        rows.add(block, layout.store(store, 2), 1.0)
        rows.add(block, column, -1.0)
        column += 1


def _renewable_row(rows: _Rows, portfolio: Portfolio, layout: Layout) -> None:
    """sum(renewable heat) >= share x sum(all heat) (WPG §§ 29-31 as a constraint).

    Heat pumps count in full, fired units by their carrier (the default rule of the results).
    """
    share = portfolio.min_renewable_share
    if share <= 0.0:
        return
    row = rows.block(1, np.zeros(1), np.full(1, INF))
    for number, unit in enumerate(portfolio.units):
        weight = (1.0 if renewable_unit(unit) else 0.0) - share
        rows.add(np.repeat(row, layout.hours), layout.heat(number), weight)


def _columns(portfolio: Portfolio, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Objective coefficients [EUR per kW or kWh of the column] and upper bounds."""
    cost = np.zeros(layout.n_cols)
    upper = np.full(layout.n_cols, INF)
    for number, unit in enumerate(portfolio.units):
        cost[layout.heat(number)] = variable_cost_eur_per_mwh(unit, portfolio) / 1000.0
        upper[layout.heat(number)] = np.where(
            np.isfinite(bound := heat_upper_kw(unit, layout.hours)), bound, INF
        )
    for number, store in enumerate(portfolio.storages):
        upper[layout.store(number, 0)] = store.charge_kw
        upper[layout.store(number, 1)] = store.discharge_kw
        if store.capacity_kwh is not None:
            upper[layout.store(number, 2)] = store.capacity_kwh
    share = period_share(layout.hours)
    column = layout.first_capacity
    for sized in layout.sized_units:
        cost[column] = portfolio.units[sized].annualised_cost_eur_per_kw_a * share
        column += 1
    for sized in layout.sized_stores:
        cost[column] = portfolio.storages[sized].annualised_cost_eur_per_kwh_a * share
        column += 1
    return cost, upper


def build_lp(portfolio: Portfolio) -> tuple[highspy.HighsLp, Layout]:
    """The HiGHS LP of ``portfolio`` and the layout of its columns."""
    layout = Layout.of(portfolio)
    rows = _Rows()
    _balance(rows, portfolio, layout)
    _storage_balance(rows, portfolio, layout)
    _capacity_rows(rows, layout)
    _renewable_row(rows, portfolio, layout)
    matrix = rows.matrix(layout.n_cols)
    cost, upper = _columns(portfolio, layout)
    lp = highspy.HighsLp()
    lp.num_col_ = layout.n_cols
    lp.num_row_ = rows.count
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(layout.n_cols)
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(rows.lower)
    lp.row_upper_ = np.concatenate(rows.upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    return lp, layout


def _run(lp: highspy.HighsLp, sizing: bool) -> tuple[highspy.Highs, highspy.HighsModelStatus]:
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    if not sizing:
        # Measured on the 8760-h benchmark case (heat pump, power-to-heat, boiler, store):
        # presolve removes almost nothing from a pure dispatch LP; without it the dual simplex
        # takes 0.35 s instead of 0.56 s. With capacity variables presolve pays off.
        solver.setOptionValue("presolve", "off")
    solver.passModel(lp)
    solver.run()
    return solver, solver.getModelStatus()


def solve(
    portfolio: Portfolio,
    *,
    heat_pump_rule: HeatPumpRule = "full",
    green_electricity_share: float = 0.0,
) -> DispatchResult:
    """Least-cost dispatch (and sizing of units without capacity) of ``portfolio``.

    Parameters
    ----------
    portfolio : Portfolio
        Demand, units and prices.
    heat_pump_rule : {'full', 'source_only', 'source_plus_green'}
        How heat-pump heat counts towards the renewable/waste-heat share (see
        :mod:`heatplan.dispatch.results`).
    green_electricity_share : float
        Share of renewable electricity [-] for power-to-heat (and the heat pumps' electricity
        under ``'source_plus_green'``).

    Returns
    -------
    DispatchResult
        Hourly dispatch, capacities, annual energy, cost, LCOH, CO2e and WPG share.

    Raises
    ------
    InfeasibleDispatchError
        Demand exceeds what the units and stores can deliver; the message names the first hour,
        its demand, the available capacity per unit and the shortfall.
    """
    check_capacity(portfolio)
    lp, layout = build_lp(portfolio)
    solver, status = _run(lp, sizing=bool(layout.sized_units or layout.sized_stores))
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        raise explain(portfolio, lp)
    if status == highspy.HighsModelStatus.kUnbounded:
        raise ValueError(
            "the dispatch problem is unbounded: check for negative costs of a unit "
            "without capacity (e.g. a CHP whose power revenue exceeds its fuel cost)"
        )
    if status != highspy.HighsModelStatus.kOptimal:
        raise InfeasibleDispatchError(f"HiGHS stopped without an optimum: {status.name}")
    values = np.asarray(solver.getSolution().col_value)
    objective = float(solver.getInfo().objective_function_value)
    return summarise(
        portfolio,
        _unpack(values, portfolio, layout),
        objective_eur=objective,
        heat_pump_rule=heat_pump_rule,
        green_electricity_share=green_electricity_share,
    )


def _unpack(values: np.ndarray, portfolio: Portfolio, layout: Layout) -> dict[str, np.ndarray]:
    """Solution columns by name: unit heat, '<store>_charge_kw', ..., '<name>_capacity'."""
    out: dict[str, np.ndarray] = {}
    for number, unit in enumerate(portfolio.units):
        out[unit.name] = values[layout.heat(number)]
    for number, store in enumerate(portfolio.storages):
        for part, suffix in enumerate(("charge_kw", "discharge_kw", "level_kwh")):
            out[f"{store.name}_{suffix}"] = values[layout.store(number, part)]
    column = layout.first_capacity
    for sized in layout.sized_units:
        out[f"{portfolio.units[sized].name}_capacity"] = values[column : column + 1]
        column += 1
    for sized in layout.sized_stores:
        out[f"{portfolio.storages[sized].name}_capacity"] = values[column : column + 1]
        column += 1
    return out

"""Sizing and dispatch of PV and a battery at a site as one linear program (HiGHS via highspy).

Over ``T`` steps of ``dt_h`` hours (a year: 35,040 quarter hours) the program chooses

* sizes: PV ``pv_kwp`` [kWp] (up to the roof), battery energy ``battery_kwh`` [kWh] and power
  ``battery_kw`` [kW] (at most ``max_c_rate_per_h`` x energy), the annual peak import ``peak_kw``;
* in every step: grid import and export, PV used (the rest of the PV yield is curtailed),
  battery charge and discharge [kW] and state of charge [kWh] (cyclic over the horizon);

subject to the power balance ``import - export + pv_used - charge + discharge = load`` in every
step, ``export <= pv_used`` (only PV is fed in and paid EEG feed-in), ``import <= peak``, and the
state of charge ``soc[t] = soc[t-1] + eta_c dt charge[t] - dt / eta_d discharge[t]``,
``soc <= battery_kwh`` and ``charge + discharge <= battery_kw``.

It minimises the annual cost: annualised investment and operation of PV and battery + energy
price x import + demand charge x peak - feed-in x export. Horizons shorter than a year are
scaled to a year (energy terms x 8,760 h / horizon).

No binary variable keeps the battery from charging and discharging in the same step: with losses
and a non-negative import price that only wastes energy, so an optimum never needs it, except when
PV must be thrown away anyway (then it ties with curtailment). :class:`Dispatch` counts such steps
(``simultaneous_steps``) so a result shows whether it happened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from heatplan.site.tariffs import Costs, GridTariff

HOURS_PER_YEAR = 8760.0
#: Power below this [kW] counts as zero when steps with charge and discharge are counted.
SIMULTANEOUS_TOL_KW = 1e-4
#: The scalar variables before the step variables.
SCALARS = ("pv_kwp", "battery_kwh", "battery_kw", "peak_kw")
#: The step variables, in column order.
SERIES = ("import_kw", "export_kw", "pv_used_kw", "charge_kw", "discharge_kw", "soc_kwh")


@dataclass(frozen=True)
class Dispatch:
    """The optimum: sizes, step series [kW or kWh], annual cost and how the solver got there."""

    sizes: dict[str, float]
    series: dict[str, np.ndarray]
    annual_cost_eur_per_a: float
    status: str
    solve_time_s: float
    mip_gap: float
    simultaneous_steps: int


def _col(name: str, steps: int) -> int:
    """First column of variable ``name``."""
    if name in SCALARS:
        return SCALARS.index(name)
    return len(SCALARS) + SERIES.index(name) * steps


def _block(row0: int, steps: int, name: str, coef: float | np.ndarray) -> sparse.coo_matrix:
    """Coefficient ``coef`` of step variable ``name`` in rows ``row0 .. row0 + steps - 1``."""
    values = np.broadcast_to(np.asarray(coef, float), (steps,))
    rows = np.arange(row0, row0 + steps)
    cols = _col(name, steps) + np.arange(steps)
    return sparse.coo_matrix((values, (rows, cols)))


def _scalar(row0: int, steps: int, name: str, coef: float | np.ndarray) -> sparse.coo_matrix:
    """Coefficient ``coef`` of scalar ``name`` in rows ``row0 .. row0 + steps - 1``."""
    values = np.broadcast_to(np.asarray(coef, float), (steps,))
    rows = np.arange(row0, row0 + steps)
    return sparse.coo_matrix((values, (rows, np.full(steps, _col(name, steps)))))


def _soc_shift(row0: int, steps: int) -> sparse.coo_matrix:
    """-soc[t-1] in row t (cyclic: the first step follows the last)."""
    rows = np.arange(row0, row0 + steps)
    cols = _col("soc_kwh", steps) + np.roll(np.arange(steps), 1)
    return sparse.coo_matrix((-np.ones(steps), (rows, cols)))


def _matrix(
    steps: int, pv_kw_per_kwp: np.ndarray, costs: Costs, dt_h: float
) -> tuple[sparse.csc_matrix, np.ndarray, np.ndarray]:
    """Constraint matrix and row bounds (row blocks of ``steps`` rows each, then one row)."""
    n = len(SCALARS) + len(SERIES) * steps
    t = steps
    parts = [
        # 0 balance: import - export + pv_used - charge + discharge = load
        _block(0, t, "import_kw", 1.0),
        _block(0, t, "export_kw", -1.0),
        _block(0, t, "pv_used_kw", 1.0),
        _block(0, t, "charge_kw", -1.0),
        _block(0, t, "discharge_kw", 1.0),
        # 1 pv_used - yield x pv_kwp <= 0
        _block(t, t, "pv_used_kw", 1.0),
        _scalar(t, t, "pv_kwp", -pv_kw_per_kwp),
        # 2 soc - soc[t-1] - eta_c dt charge + dt / eta_d discharge = 0
        _block(2 * t, t, "soc_kwh", 1.0),
        _soc_shift(2 * t, t),
        _block(2 * t, t, "charge_kw", -costs.charge_efficiency * dt_h),
        _block(2 * t, t, "discharge_kw", dt_h / costs.discharge_efficiency),
        # 3 soc - battery_kwh <= 0
        _block(3 * t, t, "soc_kwh", 1.0),
        _scalar(3 * t, t, "battery_kwh", -1.0),
        # 4 charge + discharge - battery_kw <= 0 (one row: both at once is never needed, above)
        _block(4 * t, t, "charge_kw", 1.0),
        _block(4 * t, t, "discharge_kw", 1.0),
        _scalar(4 * t, t, "battery_kw", -1.0),
        # 5 import - peak <= 0; 6 export - pv_used <= 0
        _block(5 * t, t, "import_kw", 1.0),
        _scalar(5 * t, t, "peak_kw", -1.0),
        _block(6 * t, t, "export_kw", 1.0),
        _block(6 * t, t, "pv_used_kw", -1.0),
    ]
    # 7 battery_kw - c_rate x battery_kwh <= 0
    c_rate = sparse.coo_matrix(
        (
            [1.0, -costs.max_c_rate_per_h],
            ([7 * t, 7 * t], [_col("battery_kw", t), _col("battery_kwh", t)]),
        )
    )
    rows = 7 * t + 1
    matrix = sum(
        (sparse.coo_matrix((p.data, (p.row, p.col)), shape=(rows, n)) for p in [*parts, c_rate]),
        start=sparse.coo_matrix((rows, n)),
    )
    lower = np.full(rows, -highspy.kHighsInf)
    upper = np.zeros(rows)
    lower[:t], lower[2 * t : 3 * t] = 0.0, 0.0  # equalities (balance rhs set by the caller)
    return sparse.csc_matrix(matrix), lower, upper


def _objective(steps: int, tariff: GridTariff, costs: Costs, dt_h: float) -> np.ndarray:
    scale = HOURS_PER_YEAR / (steps * dt_h)  # step energy -> per year
    cost = np.zeros(len(SCALARS) + len(SERIES) * steps)
    cost[_col("pv_kwp", steps)] = costs.pv_eur_per_kwp_a
    cost[_col("battery_kwh", steps)] = costs.battery_eur_per_kwh_a
    cost[_col("battery_kw", steps)] = costs.battery_eur_per_kw_a
    cost[_col("peak_kw", steps)] = tariff.demand_eur_per_kw_a
    first = _col("import_kw", steps)
    cost[first : first + steps] = tariff.import_eur_per_kwh * dt_h * scale
    first = _col("export_kw", steps)
    cost[first : first + steps] = -tariff.feed_in_eur_per_kwh * dt_h * scale
    return cost


def optimize(
    load_kw: np.ndarray,
    pv_kw_per_kwp: np.ndarray,
    tariff: GridTariff,
    costs: Costs,
    *,
    max_pv_kwp: float,
    battery_allowed: bool,
    dt_h: float = 0.25,
    threads: int = 1,
    solver: str = "simplex",
) -> Dispatch:
    """The cost-optimal PV and battery sizes and their dispatch for one grid tariff.

    ``load_kw`` and ``pv_kw_per_kwp`` (AC yield of 1 kWp [kW]) are step means of equal length.
    ``solver`` is HiGHS's option ('simplex', the fastest here, 'ipm' or 'choose');
    ``threads`` its thread count. Raises ValueError on bad input and RuntimeError if HiGHS finds
    no optimum.
    """
    load = np.asarray(load_kw, float)
    pv = np.asarray(pv_kw_per_kwp, float)
    if load.ndim != 1 or pv.shape != load.shape:
        raise ValueError(f"load ({load.shape}) and PV yield ({pv.shape}) must be equal 1-d series")
    if not (np.isfinite(load).all() and (load >= 0).all() and (pv >= 0).all()):
        raise ValueError("load and PV yield must be finite and non-negative")
    steps = load.size
    matrix, lower, upper = _matrix(steps, pv, costs, dt_h)
    lower[:steps], upper[:steps] = load, load
    col_upper = np.full(matrix.shape[1], highspy.kHighsInf)
    col_upper[_col("pv_kwp", steps)] = max_pv_kwp
    if not battery_allowed:
        col_upper[_col("battery_kwh", steps)] = col_upper[_col("battery_kw", steps)] = 0.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = _objective(steps, tariff, costs, dt_h)
    lp.col_lower_ = np.zeros(matrix.shape[1])
    lp.col_upper_ = col_upper
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", threads)
    highs.setOptionValue("solver", solver)
    highs.passModel(lp)
    start = time.perf_counter()
    highs.run()
    elapsed = time.perf_counter() - start
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"site LP: HiGHS status {highs.modelStatusToString(status)}")
    x = np.asarray(highs.getSolution().col_value)
    series = {
        name: x[_col(name, steps) : _col(name, steps) + steps].clip(min=0.0) for name in SERIES
    }
    both = (series["charge_kw"] > SIMULTANEOUS_TOL_KW) & (
        series["discharge_kw"] > SIMULTANEOUS_TOL_KW
    )
    return Dispatch(
        sizes={name: max(0.0, float(x[_col(name, steps)])) for name in SCALARS},
        series=series,
        annual_cost_eur_per_a=float(highs.getInfo().objective_function_value),
        status=highs.modelStatusToString(status),
        solve_time_s=elapsed,
        mip_gap=0.0,  # a pure LP solved to an optimal basis: no integrality gap
        simultaneous_steps=int(both.sum()),
    )

"""Sizing and dispatch of a site's PV, battery, heat, cold and EV charging as one linear program.

Over ``T`` steps of ``dt_h`` hours (a year: 35,040 quarter hours) the program chooses

* sizes: PV ``pv_kwp`` [kWp] (up to the roof), battery energy ``battery_kwh`` [kWh] and power
  ``battery_kw`` [kW] (at most ``max_c_rate_per_h`` x energy), the annual peak import ``peak_kw``;
  with a :class:`HeatCold` also heat pump ``heat_pump_kw`` (heat), thermal store ``store_kwh``,
  gas boiler ``boiler_kw``, heat-network connection ``network_kw`` and chiller ``chiller_kw``;
* in every step: grid import and export, PV used (the rest of the PV yield is curtailed),
  battery charge and discharge [kW] and state of charge [kWh] (cyclic over the horizon); heat
  pump electricity, boiler heat, network heat, store charge/discharge/content, chiller
  electricity; with :class:`Charging` the power of every charging session in every step it is
  plugged in.

Electricity balance in every step::

    import - export + pv_used - charge + discharge - heat_pump_el - chiller_el - ev = load

with ``export <= pv_used`` (only PV is fed in and paid EEG feed-in), ``import <= peak``, the
state of charge ``soc[t] = soc[t-1] + eta_c dt charge[t] - dt / eta_d discharge[t]``,
``soc <= battery_kwh`` and ``charge + discharge <= battery_kw``. Heat balance::

    cop[t] heat_pump_el + boiler + network - store_in + store_out = heat_load

with ``store[t] = (1 - loss dt) store[t-1] + dt (store_in - store_out)``; cold:
``eer[t] chiller_el = cold_load``. A session delivers its energy between arrival and departure
at no more than its charger's power.

It minimises the annual cost: annualised investment and operation of every size + energy price x
import + demand charge x peak - feed-in x export + fuel of the boiler + heat bought from the
network - the § 14a EnWG reduction on the heat pump's and the chargers' electricity. Horizons
shorter than a year are scaled to a year (energy terms x 8,760 h / horizon).

The constraint matrix is built vectorised (COO triplets of whole row blocks, one CSC matrix) and
passed to HiGHS in one ``passModel``. No binary variable keeps the battery from charging and
discharging in the same step: with losses and a non-negative import price that only wastes
energy, so an optimum never needs it, except when PV must be thrown away anyway (then it ties with
curtailment). :class:`Dispatch` counts such steps (``simultaneous_steps``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
from scipy import sparse

from heatplan.site.tariffs import Costs, GridTariff

HOURS_PER_YEAR = 8760.0
#: Power below this [kW] counts as zero when steps with charge and discharge are counted.
SIMULTANEOUS_TOL_KW = 1e-4
#: HiGHS options per ``solver`` choice. Measured with HiGHS 1.15.1, one thread, on a shared
#: 2-core machine (PV + battery + peak, BDEW G1, 8 weeks = 5,376 steps): dual simplex with
#: steepest edge 5.8 s, with devex 2.2-5.9 s (the default; on the full year 38.9 s against 43-68 s
#: with steepest edge, identical objective), primal simplex 3.3 s (106 s on the full year), IPX
#: without crossover 12 s (the full year did not finish in 300 s: the size columns are dense),
#: PDLP 88 s (1.2e-7 off). The time is the dual simplex's, which grows about with the square of
#: the steps; the matrix build is 0.1-0.4 s.
SOLVER_OPTIONS: dict[str, dict[str, str | int | float | bool]] = {
    "simplex": {"solver": "simplex", "simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 1},
    "simplex-steepest": {"solver": "simplex", "simplex_strategy": 1},
    "primal": {"solver": "simplex", "simplex_strategy": 4},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    "ipm-no-crossover": {"solver": "ipm", "run_crossover": "off"},
    "choose": {"solver": "choose"},
}


@dataclass(frozen=True)
class HeatCold:
    """Heat and cold loads of a site and the options to meet them (series per step).

    ``heat_pump_cop`` and ``chiller_eer`` are per step [-]; prices net of VAT [EUR/kWh]; costs
    per size annualised [EUR/kW/a, EUR/kWh/a]. ``network_eur_per_kwh`` None: no heat network.
    """

    heat_kw: np.ndarray
    cold_kw: np.ndarray
    heat_pump_cop: np.ndarray
    chiller_eer: np.ndarray
    heat_pump_eur_per_kw_a: float
    store_eur_per_kwh_a: float
    store_loss_per_h: float
    boiler_efficiency: float
    boiler_eur_per_kw_a: float
    fuel_eur_per_kwh: float
    chiller_eur_per_kw_a: float
    network_eur_per_kwh: float | None = None
    network_eur_per_kw_a: float = 0.0
    heat_pump_allowed: bool = True
    store_allowed: bool = True
    boiler_allowed: bool = True
    #: The store row as ``content <= keep content[t-1] + dt (in - out)`` (heat may spill): the
    #: lossless relaxation of the sizing stage of :mod:`heatplan.site.twostage`.
    store_may_spill: bool = False
    #: Per step, the factor on the § 14a EnWG reduction of the heat pump's kWh (None: 1) and
    #: the electricity balance as ``supply >= demand``: with the highest COP of a coarse step in
    #: the heat rows, the sizing stage of :mod:`heatplan.site.twostage` stays a relaxation when
    #: the COP varies within its steps (the factor is the step's highest over its lowest COP).
    heat_pump_reduction_factor: np.ndarray | None = None
    electricity_may_spill: bool = False


@dataclass(frozen=True)
class Charging:
    """Charging sessions: first step plugged in, first step gone, energy and charger power.

    A session needs ``energy_kwh`` by ``end`` (exclusive step index) at most ``power_kw``.
    ``controllable`` marks chargers under a § 14a EnWG module (their kWh get the reduction).
    """

    start: np.ndarray
    end: np.ndarray
    energy_kwh: np.ndarray
    power_kw: np.ndarray
    controllable: bool = True
    #: Share of each (session, step) column's step the car is plugged in [-], session after
    #: session (None: whole steps); a coarse step holding part of a session gets its share.
    plugged_share: np.ndarray | None = None


@dataclass(frozen=True)
class Dispatch:
    """The optimum: sizes, step series [kW or kWh], annual cost and how the solver got there."""

    sizes: dict[str, float]
    series: dict[str, np.ndarray]
    annual_cost_eur_per_a: float
    status: str
    solve_time_s: float
    build_time_s: float
    mip_gap: float
    simultaneous_steps: int
    iterations: int = 0
    solver: str = "simplex"
    columns: int = 0
    rows: int = 0
    cost_terms_eur_per_a: dict[str, float] = field(default_factory=dict)


class _Lp:
    """Columns (named blocks) and rows (COO triplets) of an LP, assembled once."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.blocks: dict[str, tuple[int, int]] = {}
        self.cost: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.n = 0
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.m = 0

    def add(
        self, name: str, size: int, cost: float | np.ndarray, upper: float | np.ndarray
    ) -> None:
        """A block of ``size`` columns >= 0 with ``cost`` and ``upper`` bound each."""
        self.blocks[name] = (self.n, size)
        self.cost.append(np.broadcast_to(np.asarray(cost, float), (size,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, float), (size,)).copy())
        self.n += size

    def col(self, name: str, index: np.ndarray | None = None) -> np.ndarray:
        """Column numbers of block ``name`` (all, or at ``index``); a scalar repeats."""
        first, size = self.blocks[name]
        if index is None:
            return first + np.arange(size)
        return first + (np.zeros_like(index) if size == 1 else index)

    def rows_of(
        self,
        terms: list[tuple[np.ndarray, np.ndarray, float | np.ndarray]],
        count: int,
        lower: float | np.ndarray,
        upper: float | np.ndarray,
    ) -> int:
        """``count`` rows ``lower <= sum coef x <= upper``; a term is (row in block, column,
        coefficient). Returns the first row."""
        first = self.m
        for row, col, coef in terms:
            self.rows.append(first + np.asarray(row))
            self.cols.append(np.asarray(col))
            self.vals.append(np.broadcast_to(np.asarray(coef, float), np.shape(row)).copy())
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (count,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (count,)).copy())
        self.m += count
        return first

    def step_rows(
        self,
        terms: list[tuple[str, float | np.ndarray] | tuple[str, float | np.ndarray, int]],
        lower: float | np.ndarray,
        upper: float | np.ndarray,
    ) -> int:
        """One row per step: ``sum coef[t] x name[t - k]`` (a scalar ``name`` in every row; a
        term ``(name, coef, k)`` takes the value ``k`` steps earlier, cyclic)."""
        t = np.arange(self.steps)
        full = []
        for term in terms:
            name, coef = term[0], term[1]
            index = np.roll(t, term[2]) if len(term) == 3 else t
            full.append((t, self.col(name, index), coef))
        return self.rows_of(full, self.steps, lower, upper)

    def highs_lp(self) -> highspy.HighsLp:
        """The assembled model (column-wise matrix)."""
        matrix = sparse.csc_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.m, self.n),
        )
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, self.m
        lp.col_cost_ = np.concatenate(self.cost)
        lp.col_lower_ = np.zeros(self.n)
        lp.col_upper_ = np.concatenate(self.upper)
        lp.row_lower_ = np.concatenate(self.row_lower)
        lp.row_upper_ = np.concatenate(self.row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        return lp


INF = highspy.kHighsInf
#: A term of a step row: (variable, coefficient) or (variable, coefficient, steps earlier).
Term = tuple[str, float | np.ndarray] | tuple[str, float | np.ndarray, int]


def _electricity(
    lp: _Lp,
    pv: np.ndarray,
    tariff: GridTariff,
    costs: Costs,
    *,
    max_pv_kwp: float,
    battery_allowed: bool,
    dt_h: float,
    energy_h: float,
    peak_mask: np.ndarray | None = None,
) -> list[Term]:
    """PV, battery, grid import/export and peak (over the steps of ``peak_mask``, default all);
    returns the supply side of the balance."""
    battery_max = INF if battery_allowed else 0.0
    steps = lp.steps
    lp.add("pv_kwp", 1, costs.pv_eur_per_kwp_a, max_pv_kwp)
    lp.add("battery_kwh", 1, costs.battery_eur_per_kwh_a, battery_max)
    lp.add("battery_kw", 1, costs.battery_eur_per_kw_a, battery_max)
    lp.add("peak_kw", 1, tariff.demand_eur_per_kw_a, INF)
    lp.add("import_kw", steps, tariff.import_eur_per_kwh * energy_h, INF)
    lp.add("export_kw", steps, -tariff.feed_in_eur_per_kwh * energy_h, INF)
    lp.add("pv_used_kw", steps, 0.0, INF)
    lp.add("charge_kw", steps, 0.0, battery_max)
    lp.add("discharge_kw", steps, 0.0, battery_max)
    lp.add("soc_kwh", steps, 0.0, battery_max)
    lp.step_rows([("pv_used_kw", 1.0), ("pv_kwp", -pv)], -INF, 0.0)
    lp.step_rows(
        [
            ("soc_kwh", 1.0),
            ("soc_kwh", -1.0, 1),
            ("charge_kw", -costs.charge_efficiency * dt_h),
            ("discharge_kw", dt_h / costs.discharge_efficiency),
        ],
        0.0,
        0.0,
    )
    lp.step_rows([("soc_kwh", 1.0), ("battery_kwh", -1.0)], -INF, 0.0)
    lp.step_rows([("charge_kw", 1.0), ("discharge_kw", 1.0), ("battery_kw", -1.0)], -INF, 0.0)
    peak_upper = 0.0 if peak_mask is None else np.where(peak_mask, 0.0, INF)
    lp.step_rows([("import_kw", 1.0), ("peak_kw", -1.0)], -INF, peak_upper)
    lp.step_rows([("export_kw", 1.0), ("pv_used_kw", -1.0)], -INF, 0.0)
    zero = np.zeros(1, int)
    lp.rows_of(
        [
            (zero, lp.col("battery_kw"), 1.0),
            (zero, lp.col("battery_kwh"), -costs.max_c_rate_per_h),
        ],
        1,
        -INF,
        0.0,
    )
    return [
        ("import_kw", 1.0),
        ("export_kw", -1.0),
        ("pv_used_kw", 1.0),
        ("charge_kw", -1.0),
        ("discharge_kw", 1.0),
    ]


def _heat_cold(
    lp: _Lp, heat: HeatCold, *, dt_h: float, energy_h: float, reduction_eur_per_kwh: float
) -> list[Term]:
    """Heat pump, store, boiler, network and chiller; returns their electricity terms."""
    steps = lp.steps
    hp_max = INF if heat.heat_pump_allowed else 0.0
    store_max = INF if heat.store_allowed else 0.0
    boiler_max = INF if heat.boiler_allowed else 0.0
    network_max = 0.0 if heat.network_eur_per_kwh is None else INF
    network_price = heat.network_eur_per_kwh or 0.0
    lp.add("heat_pump_kw", 1, heat.heat_pump_eur_per_kw_a, hp_max)
    lp.add("store_kwh", 1, heat.store_eur_per_kwh_a, store_max)
    lp.add("boiler_kw", 1, heat.boiler_eur_per_kw_a, boiler_max)
    lp.add("network_kw", 1, heat.network_eur_per_kw_a, network_max)
    lp.add("chiller_kw", 1, heat.chiller_eur_per_kw_a, INF)
    factor = 1.0 if heat.heat_pump_reduction_factor is None else heat.heat_pump_reduction_factor
    lp.add("heat_pump_el_kw", steps, -reduction_eur_per_kwh * energy_h * factor, hp_max)
    lp.add("boiler_heat_kw", steps, heat.fuel_eur_per_kwh / heat.boiler_efficiency * energy_h, INF)
    lp.add("network_heat_kw", steps, network_price * energy_h, network_max)
    lp.add("store_in_kw", steps, 0.0, store_max)
    lp.add("store_out_kw", steps, 0.0, store_max)
    lp.add("store_content_kwh", steps, 0.0, store_max)
    lp.add("chiller_el_kw", steps, 0.0, INF)
    lp.step_rows(
        [
            ("heat_pump_el_kw", heat.heat_pump_cop),
            ("boiler_heat_kw", 1.0),
            ("network_heat_kw", 1.0),
            ("store_in_kw", -1.0),
            ("store_out_kw", 1.0),
        ],
        heat.heat_kw,
        heat.heat_kw,
    )
    lp.step_rows([("heat_pump_el_kw", heat.heat_pump_cop), ("heat_pump_kw", -1.0)], -INF, 0.0)
    lp.step_rows([("boiler_heat_kw", 1.0), ("boiler_kw", -1.0)], -INF, 0.0)
    lp.step_rows([("network_heat_kw", 1.0), ("network_kw", -1.0)], -INF, 0.0)
    lp.step_rows(
        [
            ("store_content_kwh", 1.0),
            ("store_content_kwh", -(1.0 - heat.store_loss_per_h * dt_h), 1),
            ("store_in_kw", -dt_h),
            ("store_out_kw", dt_h),
        ],
        -INF if heat.store_may_spill else 0.0,
        0.0,
    )
    lp.step_rows([("store_content_kwh", 1.0), ("store_kwh", -1.0)], -INF, 0.0)
    lp.step_rows([("chiller_el_kw", heat.chiller_eer)], heat.cold_kw, heat.cold_kw)
    lp.step_rows([("chiller_el_kw", heat.chiller_eer), ("chiller_kw", -1.0)], -INF, 0.0)
    return [("heat_pump_el_kw", -1.0), ("chiller_el_kw", -1.0)]


def merged_sessions(ev: Charging) -> Charging:
    """Sessions with the same plug-in steps and the same hours at full power (energy / power)
    as one session of their summed energy and power: exact for the LP (an optimum of the sum
    splits in proportion to the powers), and a van fleet's nights become one column per step."""
    if ev.plugged_share is not None or ev.start.size == 0:
        return ev
    full_h = ev.energy_kwh / ev.power_kw
    keys = np.stack([ev.start.astype(float), ev.end.astype(float), full_h])
    _, first, group = np.unique(keys, axis=1, return_index=True, return_inverse=True)
    group = np.asarray(group).ravel()
    return replace(
        ev,
        start=ev.start[first],
        end=ev.end[first],
        energy_kwh=np.bincount(group, weights=ev.energy_kwh),
        power_kw=np.bincount(group, weights=ev.power_kw),
    )


def _charging(
    lp: _Lp, ev: Charging, *, dt_h: float, energy_h: float, reduction_eur_per_kwh: float
) -> tuple[np.ndarray, np.ndarray]:
    """One column per session and plugged-in step; returns (balance row, column) of each."""
    length = (ev.end - ev.start).astype(int)
    session = np.repeat(np.arange(length.size), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    step = (np.repeat(ev.start, length) + offset) % lp.steps
    cost = -reduction_eur_per_kwh * energy_h if ev.controllable else 0.0
    upper = np.repeat(ev.power_kw, length)
    if ev.plugged_share is not None:
        upper = upper * ev.plugged_share
    lp.add("ev_kw", int(length.sum()), cost, upper)
    columns = lp.col("ev_kw")
    lp.rows_of([(session, columns, dt_h)], length.size, ev.energy_kwh, ev.energy_kwh)
    return step, columns


@dataclass(frozen=True)
class SiteProblem:
    """What one site LP is about (the arguments its stages share).

    ``load_kw`` and ``pv_kw_per_kwp`` (AC yield of 1 kWp [kW]) are step means of equal length
    ``dt_h`` apart; ``heat`` adds heat and cold, ``charging`` the EV sessions; ``peak_mask``
    marks the steps whose import sets the charged peak (§ 19 (2) StromNEV high-load windows:
    :mod:`heatplan.site.atypical`; None: every step).
    """

    load_kw: np.ndarray
    pv_kw_per_kwp: np.ndarray
    tariff: GridTariff
    costs: Costs
    max_pv_kwp: float
    battery_allowed: bool
    heat: HeatCold | None = None
    charging: Charging | None = None
    dt_h: float = 0.25
    peak_mask: np.ndarray | None = None


def optimize(
    problem: SiteProblem,
    *,
    threads: int = 1,
    solver: str = "simplex",
    size_bounds: dict[str, tuple[float, float]] | None = None,
    peak_floor: tuple[np.ndarray, np.ndarray] | None = None,
) -> Dispatch:
    """The cost-optimal sizes and their dispatch of ``problem``.

    ``solver`` is a key of :data:`SOLVER_OPTIONS`; ``threads`` HiGHS's thread count.
    ``size_bounds`` replaces the (lower, upper) bounds of named size columns (``pv_kwp``,
    ``battery_kwh``, ...; equal bounds fix a size: the dispatch stage of
    :mod:`heatplan.site.twostage`). ``peak_floor`` (PV yield per kWp [kW], demand [kW]) adds rows
    ``peak + yield pv_kwp + battery_kw >= demand`` (valid cuts of the sizing stage:
    :func:`heatplan.site.twostage.peak_floor`). Raises ValueError on bad input and RuntimeError
    if HiGHS finds no optimum. (HiGHS's ``objective_bound`` would stop the second grid-fee case
    early, but only without presolve, which costs more than it saves.)
    """
    load = np.asarray(problem.load_kw, float)
    pv = np.asarray(problem.pv_kw_per_kwp, float)
    if load.ndim != 1 or pv.shape != load.shape:
        raise ValueError(f"load ({load.shape}) and PV yield ({pv.shape}) must be equal 1-d series")
    if not (np.isfinite(load).all() and (load >= 0).all() and (pv >= 0).all()):
        raise ValueError("load and PV yield must be finite and non-negative")
    tariff, heat, charging, dt_h = problem.tariff, problem.heat, problem.charging, problem.dt_h
    if solver not in SOLVER_OPTIONS:
        raise ValueError(f"solver {solver!r}: choose {', '.join(SOLVER_OPTIONS)}")
    start = time.perf_counter()
    steps = load.size
    energy_h = HOURS_PER_YEAR / steps  # step mean power [kW] -> energy per year [kWh/a]
    lp = _Lp(steps)
    balance = _electricity(
        lp, pv, tariff, problem.costs, max_pv_kwp=problem.max_pv_kwp,
        battery_allowed=problem.battery_allowed, dt_h=dt_h, energy_h=energy_h,
        peak_mask=problem.peak_mask,
    )  # fmt: skip
    reduction = tariff.controllable_reduction_eur_per_kwh
    if heat is not None:
        balance += _heat_cold(
            lp, heat, dt_h=dt_h, energy_h=energy_h, reduction_eur_per_kwh=reduction
        )
    if peak_floor is not None:
        _peak_floor_rows(lp, *peak_floor)
    spill = heat is not None and heat.electricity_may_spill
    first = lp.step_rows(balance, load, INF if spill else load)
    if charging is not None and charging.start.size:
        step, columns = _charging(
            lp,
            merged_sessions(charging),
            dt_h=dt_h,
            energy_h=energy_h,
            reduction_eur_per_kwh=reduction,
        )
        lp.rows.append(first + step)
        lp.cols.append(columns)
        lp.vals.append(-np.ones(step.size))
    model = lp.highs_lp()
    if size_bounds:
        _bound_sizes(lp, model, size_bounds)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", threads)
    for key, value in SOLVER_OPTIONS[solver].items():
        highs.setOptionValue(key, value)
    highs.passModel(model)
    built = time.perf_counter()
    highs.run()
    elapsed = time.perf_counter() - built
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"site LP: HiGHS status {highs.modelStatusToString(status)}")
    x = np.asarray(highs.getSolution().col_value)
    info = highs.getInfo()
    return _dispatch(lp, x, model, status=highs.modelStatusToString(status), info=info,
                     times=(built - start, elapsed), solver=solver, balance_row=first)  # fmt: skip


def _peak_floor_rows(lp: _Lp, yield_kw_per_kwp: np.ndarray, demand_kw: np.ndarray) -> None:
    """Rows ``peak + yield pv_kwp + battery_kw >= demand``, one per entry."""
    row = np.arange(demand_kw.size)
    lp.rows_of(
        [
            (row, lp.col("peak_kw", row), 1.0),
            (row, lp.col("pv_kwp", row), yield_kw_per_kwp),
            (row, lp.col("battery_kw", row), 1.0),
        ],
        demand_kw.size,
        demand_kw,
        INF,
    )


def _bound_sizes(lp: _Lp, model: highspy.HighsLp, bounds: dict[str, tuple[float, float]]) -> None:
    """Set the bounds of size columns (within the model's own upper bound)."""
    lower, upper = np.asarray(model.col_lower_), np.asarray(model.col_upper_)
    for name, (low, high) in bounds.items():
        if name not in lp.blocks or lp.blocks[name][1] != 1:
            raise ValueError(f"size_bounds: {name!r} is not a size column of this model")
        column = lp.col(name)[0]
        cap = upper[column]
        lower[column], upper[column] = min(low, cap), min(high, cap)
    model.col_lower_, model.col_upper_ = lower, upper


def _dispatch(
    lp: _Lp,
    x: np.ndarray,
    model: highspy.HighsLp,
    *,
    status: str,
    info: highspy.HighsInfo,
    times: tuple[float, float],
    solver: str,
    balance_row: int,
) -> Dispatch:
    sizes = {n: max(0.0, float(x[lp.col(n)[0]])) for n, (_, size) in lp.blocks.items() if size == 1}
    series = {
        n: x[lp.col(n)].clip(min=0.0)
        for n, (_, size) in lp.blocks.items()
        if size == lp.steps and n != "ev_kw"
    }
    if "ev_kw" in lp.blocks:
        rows = lp.rows[-1] - balance_row
        series["ev_kw"] = np.bincount(rows, weights=x[lp.col("ev_kw")], minlength=lp.steps)
    both = (series["charge_kw"] > SIMULTANEOUS_TOL_KW) & (
        series["discharge_kw"] > SIMULTANEOUS_TOL_KW
    )
    cost = np.asarray(model.col_cost_) * x
    terms = {n: float(cost[lp.col(n)].sum()) for n in lp.blocks}
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) and info.mip_gap < INF else 0.0
    return Dispatch(
        sizes=sizes,
        series=series,
        annual_cost_eur_per_a=float(info.objective_function_value),
        status=status,
        solve_time_s=times[1],
        build_time_s=times[0],
        mip_gap=gap,  # a pure LP solved to an optimal basis: no integrality gap
        simultaneous_steps=int(both.sum()),
        iterations=int(info.simplex_iteration_count + info.ipm_iteration_count),
        solver=solver,
        columns=lp.n,
        rows=lp.m,
        cost_terms_eur_per_a=terms,
    )

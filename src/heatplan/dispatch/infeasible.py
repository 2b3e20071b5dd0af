"""Clear messages for dispatch problems that have no solution.

Before solving, :func:`check_capacity` compares the demand of every hour with what the units can
deliver in that hour (capacity, heat pumps limited by their source) plus the stores' discharge
power. If HiGHS still finds the problem infeasible (the stores would have to deliver more energy
than they can take in), :func:`explain` solves the same LP with a penalised "unserved heat"
variable per hour and names the hours where heat is missing. Either way the user reads the hour,
the demand, the available capacity per unit and the shortfall, never a solver log.
"""

from __future__ import annotations

import highspy
import numpy as np

from heatplan.dispatch.costs import heat_upper_kw, source_limited_heat_kw
from heatplan.dispatch.model import Boiler, Chp, HeatPump, Portfolio, PowerToHeat, Unit, hour_label
from heatplan.errors import HeatplanError

#: Penalty of one kWh of unserved heat in the diagnostic LP [EUR/kWh]: far above any real cost,
#: so heat is only left unserved where no unit or store can deliver it.
UNSERVED_PENALTY_EUR_PER_KWH = 1.0e4


class InfeasibleDispatchError(HeatplanError, ValueError):
    """The demand cannot be met; the message names the first hour and the shortfall."""

    def __init__(self, message: str, *, hour: str | None = None, shortfall_kw: float = 0.0):
        super().__init__(message)
        self.hour = hour
        self.shortfall_kw = shortfall_kw


def _kw(value: float) -> str:
    return f"{value:,.0f} kW"


_KIND = {HeatPump: "heat pump", PowerToHeat: "power-to-heat", Boiler: "boiler", Chp: "CHP"}


def _describe_unit(unit: Unit, hour: int, hours: int) -> str:
    kind = _KIND[type(unit)]
    size = "sized by the model" if unit.capacity_kw is None else _kw(unit.capacity_kw)
    text = f"{kind} {unit.name} {size}"
    if isinstance(unit, HeatPump) and unit.source_limit_kw is not None:
        limit = float(source_limited_heat_kw(unit, hours)[hour])
        if unit.capacity_kw is None or limit < unit.capacity_kw:
            text += f" limited by source to {_kw(limit)}"
    return text


def available_kw(portfolio: Portfolio) -> np.ndarray:
    """Heat the units and stores can deliver in each hour at most [kW] (inf if unbounded)."""
    hours = portfolio.hours
    total = np.zeros(hours)
    for unit in portfolio.units:
        total = total + heat_upper_kw(unit, hours)
    for store in portfolio.storages:
        total = total + store.discharge_kw
    return total


def _message(portfolio: Portfolio, hour: int, available: float, shortfall: np.ndarray) -> str:
    hours = portfolio.hours
    parts = [_describe_unit(unit, hour, hours) for unit in portfolio.units]
    parts += [f"store {s.name} discharge {_kw(s.discharge_kw)}" for s in portfolio.storages]
    demand = float(portfolio.demand()[hour])
    short = np.flatnonzero(shortfall > 1e-6)
    worst = int(np.argmax(shortfall))
    return (
        f"{hour_label(portfolio.index, hour)}: demand {_kw(demand)} exceeds available capacity "
        f"{_kw(available)} ({', '.join(parts)}); shortfall {_kw(demand - available)}. "
        f"{len(short)} hour(s) short in total, the largest shortfall is "
        f"{_kw(float(shortfall[worst]))} at {hour_label(portfolio.index, worst)}. "
        "Add capacity (a peak boiler, a larger heat pump) or leave a unit's capacity to be sized."
    )


def check_capacity(portfolio: Portfolio) -> None:
    """Raise :class:`InfeasibleDispatchError` if some hour's demand exceeds all capacity."""
    available = available_kw(portfolio)
    shortfall = np.clip(portfolio.demand() - available, 0.0, None)
    if not np.any(shortfall > 1e-6):
        return
    hour = int(np.flatnonzero(shortfall > 1e-6)[0])
    raise InfeasibleDispatchError(
        _message(portfolio, hour, float(available[hour]), shortfall),
        hour=hour_label(portfolio.index, hour),
        shortfall_kw=float(shortfall[hour]),
    )


def _with_unserved(lp: highspy.HighsLp, hours: int) -> highspy.HighsLp:
    """``lp`` plus one column per hour of unserved heat in the balance rows 0..hours-1."""
    matrix = lp.a_matrix_
    start = np.asarray(matrix.start_)
    lp.a_matrix_.start_ = np.concatenate([start, start[-1] + np.arange(1, hours + 1)])
    lp.a_matrix_.index_ = np.concatenate([np.asarray(matrix.index_), np.arange(hours)])
    lp.a_matrix_.value_ = np.concatenate([np.asarray(matrix.value_), np.ones(hours)])
    lp.col_cost_ = np.concatenate([lp.col_cost_, np.full(hours, UNSERVED_PENALTY_EUR_PER_KWH)])
    lp.col_lower_ = np.concatenate([lp.col_lower_, np.zeros(hours)])
    lp.col_upper_ = np.concatenate([lp.col_upper_, np.full(hours, highspy.kHighsInf)])
    lp.num_col_ = lp.num_col_ + hours
    return lp


def explain(portfolio: Portfolio, lp: highspy.HighsLp) -> InfeasibleDispatchError:
    """The error to raise when HiGHS finds ``lp`` (the LP of ``portfolio``) infeasible: the
    hours of unserved heat, from the same LP with a penalised slack per hour."""
    hours = portfolio.hours
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.passModel(_with_unserved(lp, hours))
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return InfeasibleDispatchError(
            "the dispatch problem is infeasible and the diagnosis found no cause "
            f"(HiGHS: {solver.getModelStatus().name}); check the storage parameters"
        )
    unserved = np.asarray(solver.getSolution().col_value)[-hours:]
    short = np.flatnonzero(unserved > 1e-6)
    if short.size == 0:
        return InfeasibleDispatchError("HiGHS reported the problem infeasible; no hour is short")
    hour = int(short[0])
    demand = float(portfolio.demand()[hour])
    available = demand - float(unserved[hour])
    message = _message(portfolio, hour, available, unserved)
    message += (
        f" The stores cannot carry enough heat into these hours: {unserved.sum() / 1000:,.1f} MWh "
        "unserved over the period."
    )
    return InfeasibleDispatchError(
        message, hour=hour_label(portfolio.index, hour), shortfall_kw=float(unserved[hour])
    )

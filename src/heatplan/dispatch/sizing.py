"""Fast capacity sizing: size on k-hour means, then dispatch every hour with those sizes.

A sizing LP over 8760 hours couples every hour to the capacity columns and takes HiGHS tens of
seconds; on 3-hour means it takes about a second. Every quantity of the coarse problem is per
step as if a step were one hour, so energy costs and the capacity costs (charged pro rata,
``hours / 8760``) shrink by the same factor k and the optimum sizes are unchanged — except the
store, whose content per step is k times smaller: its cost per kWh is scaled by k, its size
back by k. The hourly dispatch then runs with the sizes fixed; a peak boiler (the last boiler)
grows by whatever the hourly peak needs beyond the k-hour mean.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from heatplan.dispatch.costs import heat_upper_kw, renewable_unit
from heatplan.dispatch.infeasible import InfeasibleDispatchError
from heatplan.dispatch.lp import solve
from heatplan.dispatch.model import Portfolio, Storage
from heatplan.dispatch.results import DispatchResult

DEFAULT_STEP_H = 3


def _mean(values: Any, hours: int, step: int) -> Any:
    """Block means of an hourly series (scalars pass through)."""
    array = np.asarray(values, float)
    if array.ndim == 0 or array.size == 1:
        return values
    usable = hours - hours % step
    return array[:usable].reshape(-1, step).mean(axis=1)


def _coarse_unit(unit: Any, hours: int, step: int) -> Any:
    changes = {}
    for name in ("cop", "source_limit_kw", "power_price_eur_per_mwh"):
        if hasattr(unit, name) and getattr(unit, name) is not None:
            changes[name] = _mean(getattr(unit, name), hours, step)
    return dataclasses.replace(unit, **changes)


def _coarse_store(store: Storage, step: int) -> Storage:
    return dataclasses.replace(
        store,
        loss_per_h=1.0 - (1.0 - store.loss_per_h) ** step,
        annualised_cost_eur_per_kwh_a=store.annualised_cost_eur_per_kwh_a * step,
    )


def coarse_portfolio(portfolio: Portfolio, step: int) -> Portfolio:
    """``portfolio`` on ``step``-hour means (see the module docstring)."""
    hours = portfolio.hours
    prices = portfolio.prices
    coarse_prices = dataclasses.replace(
        prices,
        electricity_eur_per_mwh=_mean(prices.electricity_eur_per_mwh, hours, step),
        fuel_eur_per_mwh={k: _mean(v, hours, step) for k, v in prices.fuel_eur_per_mwh.items()},
    )
    return dataclasses.replace(
        portfolio,
        demand_kw=_mean(portfolio.demand(), hours, step),
        prices=coarse_prices,
        heat_pumps=tuple(_coarse_unit(u, hours, step) for u in portfolio.heat_pumps),
        power_to_heat=tuple(_coarse_unit(u, hours, step) for u in portfolio.power_to_heat),
        boilers=tuple(_coarse_unit(u, hours, step) for u in portfolio.boilers),
        chps=tuple(_coarse_unit(u, hours, step) for u in portfolio.chps),
        storages=tuple(_coarse_store(s, step) for s in portfolio.storages),
    )


def _fixed(portfolio: Portfolio, sizes: dict[str, float], step: int) -> Portfolio:
    def unit(u: Any) -> Any:
        return u if u.capacity_kw is not None else dataclasses.replace(u, capacity_kw=sizes[u.name])

    def store(s: Storage) -> Storage:
        if s.capacity_kwh is not None:
            return s
        return dataclasses.replace(s, capacity_kwh=sizes[s.name] * step)

    fixed = dataclasses.replace(
        portfolio,
        heat_pumps=tuple(map(unit, portfolio.heat_pumps)),
        power_to_heat=tuple(map(unit, portfolio.power_to_heat)),
        boilers=tuple(map(unit, portfolio.boilers)),
        chps=tuple(map(unit, portfolio.chps)),
        storages=tuple(map(store, portfolio.storages)),
    )
    return _with_peak_reserve(fixed, portfolio, step)


def _with_peak_reserve(fixed: Portfolio, original: Portfolio, step: int) -> Portfolio:
    """Leave the last sized boiler (the peak boiler) to the hourly problem, at least as large
    as the k-hour problem made it: it covers what the k-hour means hid (demand peaks, source
    dips). One sized unit keeps the hourly LP fast."""
    sized = [b for b in original.boilers if b.capacity_kw is None]
    if not sized:
        return fixed
    name = sized[-1].name
    boilers = tuple(
        dataclasses.replace(b, capacity_kw=None) if b.name == name else b for b in fixed.boilers
    )
    return dataclasses.replace(fixed, boilers=boilers)


def size_and_dispatch(
    portfolio: Portfolio, *, step_h: int = DEFAULT_STEP_H, **options: Any
) -> tuple[DispatchResult, dict[str, float]]:
    """Sizes from the ``step_h``-hour problem; the hourly dispatch with those sizes.

    Returns the hourly result and the sizes [kW; stores kWh] found on the coarse problem. The
    result charges the annualised cost of the final sizes (a fixed unit keeps its cost per kW).
    """
    try:
        if step_h <= 1:
            result = solve(portfolio, **options)
            return result, dict(result.capacity)
        coarse = solve(coarse_portfolio(portfolio, step_h), **options)
        fixed = _fixed(portfolio, dict(coarse.capacity), step_h)
        try:
            return solve(fixed, **options), dict(coarse.capacity)
        except InfeasibleDispatchError:
            # hourly source dips can cost renewable heat the k-hour means promised: let the
            # hourly problem re-size the heat pumps too
            return solve(_resize_heat_pumps(fixed, portfolio), **options), dict(coarse.capacity)
    except InfeasibleDispatchError as error:
        raise _share_error(portfolio) or error from error


def _resize_heat_pumps(fixed: Portfolio, original: Portfolio) -> Portfolio:
    sized = {u.name for u in original.heat_pumps if u.capacity_kw is None}
    pumps = tuple(
        dataclasses.replace(u, capacity_kw=None) if u.name in sized else u for u in fixed.heat_pumps
    )
    return dataclasses.replace(fixed, heat_pumps=pumps)


def renewable_bound(portfolio: Portfolio) -> float:
    """Upper bound of the renewable share: hour by hour, what heat pumps and renewable fuels
    could deliver (capacity, source limit) up to the demand, over the demand [-] (no store)."""
    demand = portfolio.demand()
    hours = portfolio.hours
    possible = np.zeros(hours)
    for unit in portfolio.units:
        if renewable_unit(unit):
            possible += np.minimum(heat_upper_kw(unit, hours), demand)
    return float(np.minimum(possible, demand).sum() / demand.sum()) if demand.sum() > 0 else 1.0


def _share_error(portfolio: Portfolio) -> InfeasibleDispatchError | None:
    """A clear message when the renewable-share constraint, not capacity, makes it infeasible."""
    share = portfolio.min_renewable_share
    if share <= 0:
        return None
    bound = renewable_bound(portfolio)
    if bound >= share:
        return None
    return InfeasibleDispatchError(
        f"the renewable share of {share:.0%} cannot be met: heat pumps and renewable fuels can "
        f"cover at most {bound:.1%} of the {portfolio.demand().sum() / 1000:,.0f} MWh hour by "
        "hour (their sizes and source limits); add a renewable source, enlarge the source, or "
        "lower the share (WPG §§ 29-31 set 30 % from 2030, 65 % for new networks)"
    )

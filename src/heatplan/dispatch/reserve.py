"""Supply security designed in: a reserve boiler so the plant covers its peak with any unit out.

The n-1 rule (``network_reserve.csv``): the installed heat capacities of the generating units
minus the largest must cover the peak load; a store does not count (it may be empty when a
unit fails). The sizing LP buys no spare capacity, so after sizing the portfolio gets the least
reserve that meets the rule,

    reserve = max(0, peak + largest - sum of the capacities)  [kW],

built as boilers no larger than the largest unit (a larger reserve boiler would itself become
the largest unit and leave the rule unmet): one block when the reserve is at most the largest
unit, else ``ceil(reserve / largest)`` equal blocks. E.g. one 2 MW heat pump (and a store) for
a 3 MW peak: 3 MW of reserve as two 1.5 MW boilers; units of 2 MW and 1 MW for a 2.5 MW peak:
one 1.5 MW boiler.

The reserve stands by: the sized units already serve every hour at least cost, so its heat in
the dispatch is 0 and it costs its capacity (annuity and fixed O&M per kW); its capacity is
fixed at the reserve size, so a later dispatch with the sizes held (price scenarios, Monte Carlo)
may run it where it is cheapest.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from heatplan.dispatch.model import Boiler, Portfolio
from heatplan.dispatch.results import DispatchResult, HeatPumpRule, summarise

#: Name (or name prefix, ``reserve_boiler_1`` ...) of the reserve boilers in a portfolio.
RESERVE_NAME = "reserve_boiler"


def n1_reserve_kw(capacities_kw: Sequence[float], peak_kw: float) -> float:
    """Least reserve capacity [kW] so that (sum - largest) of the units covers ``peak_kw``.

    ``capacities_kw`` are the generating units' heat capacities (no stores); the reserve is
    assumed in blocks no larger than the largest unit (:func:`reserve_blocks_kw`).
    """
    units = [float(kw) for kw in capacities_kw if kw > 0]
    largest = max(units, default=0.0)
    return max(0.0, float(peak_kw) + largest - sum(units))


def reserve_blocks_kw(reserve_kw: float, largest_kw: float) -> list[float]:
    """The reserve as equal boilers [kW], each no larger than the largest unit ``largest_kw``.

    The total is rounded up to whole kW (a boiler is bought in whole kW; the rounding keeps the
    rule met despite floating-point sums).
    """
    if reserve_kw <= 0:
        return []
    if largest_kw <= 0:
        raise ValueError("no generating unit has capacity: the n-1 reserve is undefined")
    total_kw = float(math.ceil(reserve_kw))
    count = max(1, math.ceil(total_kw / largest_kw))
    return [total_kw / count] * count


def unit_capacities_kw(portfolio: Portfolio, result: DispatchResult) -> dict[str, float]:
    """Installed heat capacity of every generating unit of the dispatch [kW] (no stores)."""
    return {unit.name: float(result.capacity[unit.name]) for unit in portfolio.units}


def n1_coverage(portfolio: Portfolio, result: DispatchResult) -> float:
    """Share of the peak load the plant covers with its largest unit out [-] (n-1 rule).

    Installed heat capacities of the units (storage not counted) minus the largest, over the
    hourly peak load; NaN without capacity or load.
    """
    capacities = [kw for kw in unit_capacities_kw(portfolio, result).values() if kw > 0]
    peak_kw = float(np.max(portfolio.demand()))
    if not capacities or peak_kw <= 0:
        return math.nan
    return (sum(capacities) - max(capacities)) / peak_kw


def reserve_units(portfolio: Portfolio) -> list[Boiler]:
    """The reserve boilers of ``portfolio`` (named ``reserve_boiler``, ``reserve_boiler_<n>``)."""
    return [b for b in portfolio.boilers if b.name.startswith(RESERVE_NAME)]


def reserve_kw(portfolio: Portfolio) -> float:
    """Total reserve capacity of ``portfolio`` [kW] (0 without a reserve)."""
    return float(sum(b.capacity_kw or 0.0 for b in reserve_units(portfolio)))


def reserve_cost_eur_per_a(portfolio: Portfolio) -> float:
    """Annuity plus fixed O&M of the reserve boilers [EUR/a] (part of the capacity cost)."""
    return float(
        sum(
            (b.capacity_kw or 0.0) * b.annualised_cost_eur_per_kw_a
            for b in reserve_units(portfolio)
        )
    )


def _named(template: Boiler, blocks: list[float]) -> list[Boiler]:
    names = (
        [RESERVE_NAME]
        if len(blocks) == 1
        else [f"{RESERVE_NAME}_{i + 1}" for i in range(len(blocks))]
    )
    return [
        dataclasses.replace(template, name=name, capacity_kw=kw)
        for name, kw in zip(names, blocks, strict=True)
    ]


def _solution(portfolio: Portfolio, result: DispatchResult) -> dict[str, np.ndarray]:
    """The solution columns of ``result`` as :func:`summarise` reads them."""
    solution = {
        str(name): result.dispatch[name].to_numpy(float)
        for name in result.dispatch.columns
        if name != "demand_kw"
    }
    for unit in portfolio.units:
        if unit.capacity_kw is None:
            solution[f"{unit.name}_capacity"] = np.array([result.capacity[unit.name]])
    for store in portfolio.storages:
        if store.capacity_kwh is None:
            solution[f"{store.name}_capacity"] = np.array([result.capacity[store.name]])
    return solution


def add_n1_reserve(
    portfolio: Portfolio,
    result: DispatchResult,
    template: Boiler,
    *,
    heat_pump_rule: HeatPumpRule = "full",
    green_electricity_share: float = 0.0,
) -> tuple[Portfolio, DispatchResult]:
    """``portfolio`` with the n-1 reserve (boilers like ``template``) and its dispatch result.

    The reserve boilers stand by (heat 0); the result is ``result`` plus their capacity and its
    cost (:func:`reserve_cost_eur_per_a`), recomputed by the same :func:`summarise`; the LP
    objective stays that of the sizing (the reserve is a constant outside the LP). A plant
    that already meets the rule is returned unchanged. ``heat_pump_rule`` and
    ``green_electricity_share`` must be those ``result`` was solved with.
    """
    capacities = unit_capacities_kw(portfolio, result)
    needed = n1_reserve_kw(list(capacities.values()), float(np.max(portfolio.demand())))
    blocks = reserve_blocks_kw(needed, max(capacities.values(), default=0.0))
    if not blocks:
        return portfolio, result
    reserve = _named(template, blocks)
    secured = dataclasses.replace(portfolio, boilers=(*portfolio.boilers, *reserve))
    solution = _solution(portfolio, result)
    solution.update({boiler.name: np.zeros(portfolio.hours) for boiler in reserve})
    return secured, summarise(
        secured,
        solution,
        objective_eur=result.objective_eur,
        heat_pump_rule=heat_pump_rule,
        green_electricity_share=green_electricity_share,
    )

"""Property tests of the site LP (issue 19 "Done when"), over loads and prices drawn by
hypothesis on one day of quarter hours (scaled to a year by the LP): the roof limit holds, the
battery never charges and discharges at once, allowing a battery never raises the demand charge,
a zero-cost option is taken to its limit, and a dearer import never raises the import (LP
sensitivity: for costs c + t d the optimal d x falls as t rises)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from heatplan.site.optimize import Dispatch, SiteProblem, optimize
from heatplan.site.tariffs import GridTariff, site_costs

DAY = 96
DT_H = 0.25
#: Solver tolerance of sums of a few terms [kW or EUR/a relative].
TOL = 1e-6
#: A clear-sky-like PV shape: 0 at night, 0.7 kW/kWp at noon.
HOURS = np.arange(DAY) * DT_H
PV = np.clip(np.sin((HOURS - 6.0) / 12.0 * np.pi), 0.0, None) ** 2 * 0.7

loads = st.lists(st.floats(5.0, 200.0), min_size=24, max_size=24).map(
    lambda hourly: np.repeat(np.asarray(hourly), 4)
)
prices = st.floats(0.05, 0.40)
demand = st.floats(0.0, 250.0)
feed_in = st.floats(0.0, 0.10)


def _run(load: np.ndarray, tariff: GridTariff, **kw: object) -> Dispatch:
    options: dict[str, object] = {"max_pv_kwp": 50.0, "battery_allowed": True, **kw}
    costs = options.pop("costs", site_costs())
    return optimize(SiteProblem(load, PV, tariff, costs, **options))  # type: ignore[arg-type]


@settings(max_examples=12, deadline=None)
@given(load=loads, price=prices, charge=demand, feed=feed_in, roof=st.floats(0.0, 80.0))
def test_pv_within_roof_and_no_simultaneous_charge_and_discharge(
    load: np.ndarray, price: float, charge: float, feed: float, roof: float
) -> None:
    result = _run(load, GridTariff("p", price, charge, min(feed, price)), max_pv_kwp=roof)
    assert result.sizes["pv_kwp"] <= roof + TOL
    assert result.simultaneous_steps == 0


@settings(max_examples=12, deadline=None)
@given(load=loads, price=prices, charge=demand)
def test_allowing_a_battery_never_raises_the_demand_charge_or_the_cost(
    load: np.ndarray, price: float, charge: float
) -> None:
    tariff = GridTariff("p", price, charge, 0.0)
    without = _run(load, tariff, battery_allowed=False)
    with_battery = _run(load, tariff)
    assert with_battery.annual_cost_eur_per_a <= without.annual_cost_eur_per_a * (1 + TOL)
    cheap_battery = dataclasses.replace(site_costs(), battery_eur_per_kwh_a=1.0)
    shaved = _run(load, tariff, costs=cheap_battery)
    # with one peak hour, shaving x kW needs x kWh (1C) at 1 EUR/kWh/a plus the recharging
    # losses 0.108 x kWh a day at <= 0.40 EUR/kWh (x 365): < 17 EUR/kW/a, so a demand charge
    # above 20 EUR/kW/a always pays for some shaving
    top = np.sort(load[::4])
    if charge > 20.0 and top[-1] > top[-2] * 1.01:
        assert shaved.sizes["peak_kw"] < without.sizes["peak_kw"] - TOL
    assert shaved.sizes["peak_kw"] <= without.sizes["peak_kw"] + TOL


@settings(max_examples=12, deadline=None)
@given(load=loads, price=prices, feed=st.floats(0.01, 0.10), roof=st.floats(1.0, 400.0))
def test_a_free_pv_plant_is_built_to_the_roof(
    load: np.ndarray, price: float, feed: float, roof: float
) -> None:
    free = dataclasses.replace(site_costs(), pv_eur_per_kwp_a=0.0)
    result = _run(load, GridTariff("p", price, 0.0, min(feed, price)), max_pv_kwp=roof, costs=free)
    assert abs(result.sizes["pv_kwp"] - roof) <= TOL * max(roof, 1.0)


@settings(max_examples=12, deadline=None)
@given(load=loads, low=prices, rise=st.floats(0.01, 0.3), charge=demand)
def test_a_dearer_import_never_raises_the_import(
    load: np.ndarray, low: float, rise: float, charge: float
) -> None:
    cheap = _run(load, GridTariff("p", low, charge, 0.0))
    dear = _run(load, GridTariff("p", low + rise, charge, 0.0))
    energy = [r.series["import_kw"].sum() * DT_H for r in (cheap, dear)]
    assert energy[1] <= energy[0] + 1e-6 * max(energy[0], 1.0)

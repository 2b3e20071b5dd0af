"""Supply security designed in: the n-1 reserve boiler, its size and its place in the cost."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from heatplan.dispatch import Boiler, HeatPump, Portfolio, Prices, Storage, solve
from heatplan.dispatch.portfolio import annual_capacity_cost
from heatplan.dispatch.reserve import (
    add_n1_reserve,
    n1_coverage,
    n1_reserve_kw,
    reserve_blocks_kw,
    reserve_cost_eur_per_a,
    reserve_kw,
)
from heatplan.network.economics import network_cost
from heatplan.network.generation import generation
from heatplan.plan import Plan
from heatplan.project.config import Municipality, NetworkSettings, ProjectConfig
from heatplan.reference import catalogue, parameter, table

#: A reserve boiler as the tests price it: 5 EUR/(kW·a) of annuity and fixed O&M.
RESERVE = Boiler(
    "reserve_boiler",
    "natural_gas",
    efficiency=1.0,
    capacity_kw=None,
    annualised_cost_eur_per_kw_a=5.0,
)
PRICES = Prices(electricity_eur_per_mwh=100.0, fuel_eur_per_mwh={"natural_gas": 50.0})


def _hours(demand_kw: list[float]) -> pd.Series:
    index = pd.date_range("2025-01-13", periods=len(demand_kw), freq="h")
    return pd.Series(demand_kw, index=index, name="demand_kw")


def _dispatched(portfolio: Portfolio) -> tuple[Portfolio, object]:
    result = solve(portfolio)
    return add_n1_reserve(portfolio, result, RESERVE)


def test_one_heat_pump_and_a_store_need_the_whole_peak_in_two_boilers() -> None:
    # 2 MW heat pump + store for a 3 MW peak: with the pump out nothing is left, so the reserve
    # must carry 3 MW; a single 3 MW boiler would be the largest unit itself (2 MW left), so it
    # comes as two boilers of 1.5 MW: 2 + 1.5 + 1.5 - 2 = 3 MW
    assert n1_reserve_kw([2000.0], 3000.0) == 3000.0
    assert reserve_blocks_kw(3000.0, 2000.0) == [1500.0, 1500.0]
    demand = _hours([1000.0] * 8 + [3000.0] + [1000.0] * 3)
    portfolio = Portfolio(
        demand_kw=demand,
        prices=PRICES,
        heat_pumps=[HeatPump("hp", cop=3.0, capacity_kw=2000.0, source="air")],
        storages=[Storage("tank", capacity_kwh=2000.0, charge_kw=1000.0, discharge_kw=1000.0)],
    )
    before = solve(portfolio)
    assert n1_coverage(portfolio, before) == 0.0
    secured, result = add_n1_reserve(portfolio, before, RESERVE)
    assert [(b.name, b.capacity_kw) for b in secured.boilers] == [
        ("reserve_boiler_1", 1500.0),
        ("reserve_boiler_2", 1500.0),
    ]
    assert reserve_kw(secured) == 3000.0
    assert n1_coverage(secured, result) == 1.0
    # it stands by: no heat, the dispatch and its energy cost unchanged, 3 MW x 5 EUR/(kW·a) more
    assert result.heat_mwh_per_a["reserve_boiler_1"] == 0.0
    assert result.variable_cost_eur_per_a == pytest.approx(before.variable_cost_eur_per_a)
    assert result.renewable_share == pytest.approx(before.renewable_share)
    assert result.capacity_cost_eur_per_a - before.capacity_cost_eur_per_a == pytest.approx(
        15_000.0
    )
    assert reserve_cost_eur_per_a(secured) == 15_000.0


def test_two_units_for_a_smaller_peak_need_one_boiler_of_the_gap() -> None:
    # 2 MW + 1 MW for a 2.5 MW peak: with the 2 MW unit out 1 MW is left, 1.5 MW short; a
    # 1.5 MW boiler is no larger than the 2 MW unit: 2 + 1 + 1.5 - 2 = 2.5 MW
    assert n1_reserve_kw([2000.0, 1000.0], 2500.0) == 1500.0
    assert reserve_blocks_kw(1500.0, 2000.0) == [1500.0]
    portfolio = Portfolio(
        demand_kw=_hours([800.0, 2500.0, 1200.0]),
        prices=PRICES,
        heat_pumps=[HeatPump("hp", cop=3.0, capacity_kw=2000.0, source="air")],
        boilers=[Boiler("gas", "natural_gas", efficiency=0.95, capacity_kw=1000.0)],
    )
    secured, result = _dispatched(portfolio)
    assert [(b.name, b.capacity_kw) for b in secured.boilers][1:] == [("reserve_boiler", 1500.0)]
    assert n1_coverage(secured, result) == 1.0
    assert result.capacity["reserve_boiler"] == 1500.0


def test_a_plant_that_is_already_n1_secure_gets_no_reserve() -> None:
    assert n1_reserve_kw([2000.0, 2000.0], 1500.0) == 0.0
    assert reserve_blocks_kw(0.0, 2000.0) == []
    portfolio = Portfolio(
        demand_kw=_hours([800.0, 1500.0]),
        prices=PRICES,
        boilers=[
            Boiler("gas_1", "natural_gas", efficiency=0.95, capacity_kw=2000.0),
            Boiler("gas_2", "natural_gas", efficiency=0.95, capacity_kw=2000.0),
        ],
    )
    before = solve(portfolio)
    secured, result = add_n1_reserve(portfolio, before, RESERVE)
    assert secured is portfolio and result is before
    assert n1_coverage(secured, result) == pytest.approx(2000.0 / 1500.0)


def test_the_rule_and_its_technology_are_sourced_data() -> None:
    rows = table("network_reserve.csv", as_text=True).set_index("parameter")
    assert rows.loc["n1_reserve", "value"] == "1"
    assert rows.loc["reserve_technology", "value"] == "gas_boiler_central"
    assert "common practice" in rows.loc["n1_reserve", "source"]
    assert "heatplan assumption" in rows.loc["n1_reserve", "source"]


def _config(*, n1_reserve: bool) -> ProjectConfig:
    return ProjectConfig(
        municipality=Municipality(name="Test"), network=NetworkSettings(n1_reserve=n1_reserve)
    )


def _winter_fortnight() -> tuple[pd.Series, pd.Series]:
    """Two winter weeks: air temperature [°C] and the buildings' load [kW]."""
    index = pd.date_range("2025-01-13", periods=14 * 24, freq="h")
    hour = np.arange(len(index))
    temperature = pd.Series(-2.0 + 5.0 * np.sin(2 * np.pi * hour / 24.0 - 2.0), index=index)
    load = pd.Series(100.0 * (18.0 - temperature.to_numpy()) + 200.0, index=index)
    return temperature, load


def _per_kw_gas_boiler_eur_per_a() -> float:
    """Annuity and fixed O&M of 1 kW of central gas boiler [EUR/(kW·a)], VDI 2067-1 by hand.

    Lifetime 25 a > observation period 20 a: no replacement; the residual value is the linearly
    depreciated 5/25 of the investment, discounted over 20 a. Fixed O&M without price change:
    its annuity is the first-year cost.
    """
    values = catalogue.technology("gas_boiler_central", 2025)
    rate = parameter("economic_parameters.csv", "interest_rate")
    period = parameter("economic_parameters.csv", "observation_period_a")
    life = float(values["lifetime_a"])
    assert life > period
    q = 1.0 + rate
    annuity = q**period * rate / (q**period - 1.0)
    invest = float(values["specific_investment"])
    residual = invest * (life - period) / life / q**period
    return (invest - residual) * annuity + float(values["fixed_om_pct_per_a"]) / 100.0 * invest


def test_the_network_lcoh_rises_by_the_reserve_cost_per_mwh_delivered() -> None:
    temperature, load = _winter_fortnight()
    plain = generation(_config(n1_reserve=False), load, 10.0, temperature, year=2025)
    secure = generation(_config(n1_reserve=True), load, 10.0, temperature, year=2025)
    assert plain.reserve_kw == 0.0 and plain.n1_coverage < 1.0
    # the reserve by hand from the plant without it: peak + largest unit - all units, whole kW
    sizes = [plain.result.capacity[u.name] for u in plain.portfolio.units]
    sizes = [kw for kw in sizes if kw > 0]
    peak = float(plain.demand_kw.max())
    expected_kw = math.ceil(peak + max(sizes) - sum(sizes))
    assert secure.reserve_kw == pytest.approx(expected_kw, rel=1e-9)
    assert secure.n1_coverage >= 1.0
    reserve_eur_per_a = expected_kw * _per_kw_gas_boiler_eur_per_a()
    assert secure.reserve_cost_eur_per_a == pytest.approx(reserve_eur_per_a, rel=1e-9)
    summary = {
        "investment_pipes_eur": 2.0e6,
        "investment_substations_eur": 3.0e5,
        "pump_energy_mwh_per_a": 20.0,
        "heat_delivered_mwh_per_a": 9000.0,
    }
    config = _config(n1_reserve=True)
    before = network_cost(
        config,
        summary,
        plain.result.total_cost_eur_per_a,
        year=2025,
        generation=plain.funding_figures(1.0),
    )
    after = network_cost(
        config,
        summary,
        secure.result.total_cost_eur_per_a,
        year=2025,
        generation=secure.funding_figures(1.0),
    )
    rise = after.lcoh_eur_per_mwh - before.lcoh_eur_per_mwh
    assert rise > 0
    assert rise == pytest.approx(reserve_eur_per_a / 9000.0, rel=1e-6)
    assert after.lcoh_generation_eur_per_mwh - before.lcoh_generation_eur_per_mwh == (
        pytest.approx(rise, rel=1e-9)
    )


def test_every_laid_out_network_of_the_demo_is_n1_secure(demo_plan: Plan) -> None:
    areas = demo_plan.areas
    laid = areas[pd.to_numeric(areas["network_trench_length_m"]).notna()]
    assert len(laid) > 0
    coverage = pd.to_numeric(laid["network_n1_coverage"])
    assert (coverage >= 1.0).all(), coverage.tolist()
    assert (
        laid["explanation"]
        .str.contains("Versorgungssicherheit (n-1): 100 % der Spitzenlast", regex=False)
        .all()
    )


def test_the_designed_demo_network_carries_its_reserve_in_its_cost(
    demo_built: tuple[object, dict],
) -> None:
    network = demo_built[1]["steps"]["network"]
    plant = network["generation"]
    assert plant["reserve_kw"] > 0 and plant["n1_coverage"] >= 1.0
    reserve = {k: v for k, v in plant["capacity_kw"].items() if k.startswith("reserve_boiler")}
    assert sum(reserve.values()) == pytest.approx(plant["reserve_kw"])
    assert all(plant["heat_mwh_per_a"][name] == 0.0 for name in reserve)
    # the same cost reaches the network's full cost: generation cost = the dispatch's total,
    # less the BEW operating funding (Modul 4) where the plant earns it
    per_kw = annual_capacity_cost("gas_boiler_central", year=plant["year"])
    assert plant["reserve_cost_eur_per_a"] == pytest.approx(plant["reserve_kw"] * per_kw)
    operating = sum(
        m["eur_per_a"] for m in network["funding"]["modules"] if m["module"].startswith("module_4")
    )
    assert network["generation_cost_eur_per_a"] == pytest.approx(
        plant["total_cost_eur_per_a"] - operating, rel=1e-12
    )

"""Hourly dispatch LP: hand-solvable cases, oemof-solph as independent model, price studies.

The tiny cases are solved by hand in the comments (merit order: the cheapest unit runs first;
a store is worth using when the cost of the heat it shifts, divided by its round-trip
efficiency, is below the cost it replaces). The 168-h case is built a second time in
oemof-solph 0.6.5 (Pyomo + HiGHS) and must give the same objective.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from heatplan.dispatch import (
    Boiler,
    Chp,
    HeatPump,
    InfeasibleDispatchError,
    Portfolio,
    PowerToHeat,
    Prices,
    Storage,
    solve,
    wpg_checks,
)
from heatplan.dispatch.costs import heat_upper_kw
from heatplan.dispatch.prices import (
    Economics,
    ReferenceBoiler,
    Volatility,
    apply_scenario,
    monte_carlo_lcoh,
    reference_lcoh_eur_per_mwh,
    scenario_comparison,
    scenario_levels,
    volatility_from_history,
)
from heatplan.tech.economics import lcoh_eur_per_mwh

#: Exact hand solutions: LP optimum up to solver tolerance [EUR].
ABS_TOL_EUR = 1e-6
#: oemof-solph vs heatplan objective, relative (heatplan's performance target: within 0.1 %).
REL_TOL_OBJECTIVE = 1e-3

GAS = {"natural_gas": 45.0}


def _hours(n: int, start: str = "2025-01-14 06:00") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="h")


def _three_hours(source_limit_kw: object = None) -> Portfolio:
    """HP 150 kW at COP 4 and 100 EUR/MWh electricity (25 EUR/MWh_th); gas 45/0.9 = 50."""
    return Portfolio(
        demand_kw=pd.Series([100.0, 300.0, 200.0], index=_hours(3)),
        prices=Prices(electricity_eur_per_mwh=100.0, fuel_eur_per_mwh=GAS),
        heat_pumps=[HeatPump("hp", cop=4.0, capacity_kw=150.0, source_limit_kw=source_limit_kw)],
        boilers=[Boiler("gas", "natural_gas", efficiency=0.9, capacity_kw=500.0)],
    )


def test_cheap_heat_pump_limited_by_capacity_boiler_covers_the_rest() -> None:
    # HP: 100 + 150 + 150 = 400 kWh x 0.025 EUR/kWh = 10 EUR; gas 0 + 150 + 50 = 200 x 0.05 = 10.
    result = solve(_three_hours())
    assert result.objective_eur == pytest.approx(20.0, abs=ABS_TOL_EUR)
    np.testing.assert_allclose(result.dispatch["hp"], [100.0, 150.0, 150.0], atol=1e-9)
    np.testing.assert_allclose(result.dispatch["gas"], [0.0, 150.0, 50.0], atol=1e-9)
    # 400 kWh in 3 h scaled to a year: 400 x 8760 / 3 kWh; full-load hours per 150 kW.
    assert result.heat_mwh_per_a["hp"] == pytest.approx(0.4 * 8760 / 3)
    assert result.full_load_hours["hp"] == pytest.approx(400 / 150 * 8760 / 3)
    assert result.lcoh_eur_per_mwh == pytest.approx(20.0 / 0.6)


def test_source_limit_caps_heat_pump_output() -> None:
    # Hour 2: 90 kW from the source at COP 4 gives 90 / (1 - 1/4) = 120 kW of heat.
    # HP 100 + 150 + 120 = 370 kWh x 0.025 = 9.25; gas 0 + 150 + 80 = 230 x 0.05 = 11.5.
    result = solve(_three_hours(source_limit_kw=[300.0, 300.0, 90.0]))
    assert result.objective_eur == pytest.approx(20.75, abs=ABS_TOL_EUR)
    hp = result.dispatch["hp"].to_numpy()
    assert hp[2] * (1 - 1 / 4) == pytest.approx(90.0)


def test_renewable_share_rules() -> None:
    full = solve(_three_hours())
    assert full.renewable_share == pytest.approx(400 / 600)
    source = solve(_three_hours(), heat_pump_rule="source_only")
    assert source.renewable_share == pytest.approx(400 * 0.75 / 600)
    green = solve(_three_hours(), heat_pump_rule="source_plus_green", green_electricity_share=0.4)
    assert green.renewable_share == pytest.approx(400 * (0.75 + 0.25 * 0.4) / 600)


def test_storage_shifts_cheap_power_to_the_expensive_hour_with_losses() -> None:
    # Hour 0: electricity 20 EUR/MWh (power-to-heat, eta 1); hour 1: electricity 200, gas 100.
    # Store: eta_c = eta_d = 0.9, loss 10 %/h, charge and discharge <= 100 kW, cyclic level.
    # 1 kWh charged in hour 0 gives 0.9 x 0.9 x 0.9 = 0.729 kWh in hour 1 (27.4 EUR/MWh < 100),
    # so the store charges its full 100 kW: discharge 72.9 kW, gas 27.1 kW.
    # Cost: PtH (50 + 100) kWh x 0.02 = 3.00 EUR; gas 27.1 kWh x 0.1 = 2.71 EUR.
    portfolio = Portfolio(
        demand_kw=pd.Series([50.0, 100.0], index=_hours(2)),
        prices=Prices(electricity_eur_per_mwh=[20.0, 200.0], fuel_eur_per_mwh={"natural_gas": 100}),
        power_to_heat=[PowerToHeat("pth", capacity_kw=200.0, efficiency=1.0)],
        boilers=[Boiler("gas", "natural_gas", efficiency=1.0, capacity_kw=200.0)],
        storages=[
            Storage(
                "tank",
                1000.0,
                charge_kw=100.0,
                discharge_kw=100.0,
                loss_per_h=0.1,
                efficiency_charge=0.9,
                efficiency_discharge=0.9,
            )
        ],
    )
    result = solve(portfolio)
    assert result.objective_eur == pytest.approx(5.71, abs=ABS_TOL_EUR)
    assert result.dispatch["tank_discharge_kw"].iloc[1] == pytest.approx(72.9)
    assert result.dispatch["gas"].iloc[1] == pytest.approx(27.1)


def test_sizing_follows_the_load_duration_curve() -> None:
    # Demand 400/300/200/100 kW over 4 h. HP (sized) 25 EUR/MWh vs gas 50 EUR/MWh saves
    # 0.025 EUR per kWh. Capacity cost 131.4 EUR/(kW a) x 4/8760 = 0.06 EUR/kW over the period:
    # a band of HP capacity pays if it runs n h with 0.025 n > 0.06, i.e. n >= 3 h: the bands
    # 0-100 kW (4 h) and 100-200 kW (3 h) do, 200-300 kW (2 h) does not -> 200 kW.
    # Cost: HP 700 kWh x 0.025 = 17.5; gas 300 kWh x 0.05 = 15; capacity 200 x 0.06 = 12.
    portfolio = Portfolio(
        demand_kw=[400.0, 300.0, 200.0, 100.0],
        prices=Prices(electricity_eur_per_mwh=100.0, fuel_eur_per_mwh=GAS),
        heat_pumps=[HeatPump("hp", cop=4.0, capacity_kw=None, annualised_cost_eur_per_kw_a=131.4)],
        boilers=[Boiler("gas", "natural_gas", efficiency=0.9, capacity_kw=500.0)],
    )
    result = solve(portfolio)
    assert result.capacity["hp"] == pytest.approx(200.0, abs=1e-6)
    assert result.objective_eur == pytest.approx(44.5, abs=ABS_TOL_EUR)


def test_infeasible_demand_names_the_hour_and_the_shortfall() -> None:
    portfolio = Portfolio(
        demand_kw=pd.Series([100.0, 200.0, 300.0], index=_hours(3)),
        prices=Prices(electricity_eur_per_mwh=100.0, fuel_eur_per_mwh=GAS),
        heat_pumps=[HeatPump("hp", cop=4.0, capacity_kw=200.0, source_limit_kw=120.0)],
        boilers=[Boiler("gas", "natural_gas", efficiency=0.9, capacity_kw=100.0)],
    )
    with pytest.raises(InfeasibleDispatchError) as error:
        solve(portfolio)
    message = str(error.value)
    assert message.startswith("hour 2025-01-14 08:00: demand 300 kW exceeds available capacity")
    assert "heat pump hp 200 kW limited by source to 160 kW" in message
    assert "shortfall 40 kW" in message
    assert error.value.shortfall_kw == pytest.approx(40.0)
    assert isinstance(error.value, ValueError)


def test_infeasible_because_the_store_runs_empty_names_the_hour() -> None:
    # Hour 1 needs 100 kW: boiler 50 kW + store discharge 100 kW passes the hourly check, but
    # the store can only take 10 kW in hour 0, so 40 kW stay unserved in hour 1.
    portfolio = Portfolio(
        demand_kw=pd.Series([0.0, 100.0], index=_hours(2)),
        prices=Prices(electricity_eur_per_mwh=100.0, fuel_eur_per_mwh=GAS),
        boilers=[Boiler("gas", "natural_gas", efficiency=0.9, capacity_kw=50.0)],
        storages=[Storage("tank", 500.0, charge_kw=10.0, discharge_kw=100.0)],
    )
    with pytest.raises(InfeasibleDispatchError, match="hour 2025-01-14 07:00") as error:
        solve(portfolio)
    assert error.value.shortfall_kw == pytest.approx(40.0)
    assert "stores cannot carry enough heat" in str(error.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"demand_kw": [10.0, -1.0, 5.0]}, "demand_kw must be >= 0"),
        ({"heat_pumps": [HeatPump("hp", cop=0.8, capacity_kw=1.0)]}, "hp.cop must be >= 1"),
        ({"heat_pumps": [HeatPump("hp", cop=[3.0, 3.0], capacity_kw=1.0)]}, "hp.cop has 2 values"),
        ({"prices": Prices(electricity_eur_per_mwh=[1.0] * 4)}, "has 4 values"),
    ],
)
def test_bad_input_raises_a_named_value_error(change: dict, message: str) -> None:
    base = {
        "demand_kw": [10.0, 20.0, 5.0],
        "prices": Prices(electricity_eur_per_mwh=50.0, fuel_eur_per_mwh=GAS),
        "boilers": [Boiler("gas", "natural_gas", efficiency=0.9, capacity_kw=100.0)],
    }
    with pytest.raises(ValueError, match=message):
        Portfolio(**{**base, **change})


def test_efficiency_above_its_bound_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"gas.efficiency must be in \(0, 1.11\]"):
        Boiler("gas", "natural_gas", efficiency=1.2, capacity_kw=1.0)
    with pytest.raises(ValueError, match=r"pth\.efficiency"):
        PowerToHeat("pth", capacity_kw=1.0, efficiency=1.05)
    with pytest.raises(ValueError, match=r"tank\.efficiency_charge"):
        Storage("tank", 1.0, charge_kw=1.0, discharge_kw=1.0, efficiency_charge=1.1)


def test_wpg_checks_against_the_targets_of_29_to_31() -> None:
    assert [c.passed for c in wpg_checks(0.25, 2030, new_network=False)] == [False]
    assert [c.min_share for c in wpg_checks(0.85, 2040, new_network=False)] == [0.30, 0.80]
    assert all(c.passed for c in wpg_checks(0.85, 2040, new_network=False))
    assert not wpg_checks(0.60, 2026, new_network=True)[0].passed
    assert [c.passed for c in wpg_checks(0.99, 2045, new_network=False)] == [True, True, False]


# --- oemof-solph as an independent model -----------------------------------------------------


def _week() -> Portfolio:
    """168 h: wastewater HP (hourly COP and source), PtH, gas boiler, biogas CHP, store."""
    rng = np.random.default_rng(3)
    hours = 168
    daily = np.sin(2 * np.pi * (np.arange(hours) % 24 - 6) / 24.0)
    return Portfolio(
        demand_kw=pd.Series(9_000 + 2_500 * daily + rng.normal(0, 300, hours), index=_hours(168)),
        prices=Prices(
            electricity_eur_per_mwh=95 + 40 * daily + rng.normal(0, 15, hours),
            fuel_eur_per_mwh={"natural_gas": 45.0, "biogas": 70.0},
            co2_eur_per_t=55.0,
        ),
        heat_pumps=[
            HeatPump(
                "hp",
                cop=3.0 + rng.normal(0, 0.1, hours),
                capacity_kw=5_000.0,
                source_limit_kw=3_000 + 500 * daily,
                variable_om_eur_per_mwh=2.0,
            )
        ],
        power_to_heat=[PowerToHeat("pth", capacity_kw=2_000.0, efficiency=0.99)],
        boilers=[Boiler("gas", "natural_gas", efficiency=0.95, capacity_kw=12_000.0)],
        chps=[
            Chp(
                "chp",
                "biogas",
                efficiency_electric=0.40,
                efficiency_thermal=0.45,
                capacity_kw=1_500.0,
                power_price_eur_per_mwh=110 + 40 * daily,
            )
        ],
        storages=[
            Storage(
                "tank",
                40_000.0,
                charge_kw=4_000.0,
                discharge_kw=4_000.0,
                loss_per_h=0.002,
                efficiency_charge=0.98,
                efficiency_discharge=0.98,
            )
        ],
    )


def _oemof_objective(portfolio: Portfolio) -> float:
    from oemof import solph

    prices = portfolio.prices
    co2_gas = prices.co2_eur_per_t * 0.20196  # t CO2/MWh natural gas (IPCC 2006 Vol. 2 Tab. 2.2)
    es = solph.EnergySystem(timeindex=pd.DatetimeIndex(portfolio.index), infer_last_interval=True)
    el, gas, bio, heat, sold = (
        solph.Bus(n) for n in ("b_el", "b_gas", "b_bio", "b_heat", "b_sold")
    )
    es.add(el, gas, bio, heat, sold)
    es.add(
        solph.components.Source(
            "grid",
            outputs={
                el: solph.Flow(variable_costs=np.asarray(prices.electricity_eur_per_mwh) / 1000)
            },
        )
    )
    es.add(
        solph.components.Source(
            "gas_in", outputs={gas: solph.Flow(variable_costs=(45.0 + co2_gas) / 1000)}
        )
    )
    es.add(solph.components.Source("bio_in", outputs={bio: solph.Flow(variable_costs=0.070)}))
    hp = portfolio.heat_pumps[0]
    es.add(
        solph.components.Converter(
            "hp",
            inputs={el: solph.Flow()},
            outputs={
                heat: solph.Flow(
                    nominal_capacity=5_000.0,
                    maximum=heat_upper_kw(hp, 168) / 5_000.0,
                    variable_costs=0.002,
                )
            },
            conversion_factors={el: 1.0, heat: np.asarray(hp.cop)},
        )
    )
    es.add(
        solph.components.Converter(
            "pth",
            inputs={el: solph.Flow()},
            outputs={heat: solph.Flow(nominal_capacity=2_000.0)},
            conversion_factors={heat: 0.99},
        )
    )
    es.add(
        solph.components.Converter(
            "gas",
            inputs={gas: solph.Flow()},
            outputs={heat: solph.Flow(nominal_capacity=12_000.0)},
            conversion_factors={heat: 0.95},
        )
    )
    chp = portfolio.chps[0]
    es.add(
        solph.components.Converter(
            "chp",
            inputs={bio: solph.Flow()},
            outputs={heat: solph.Flow(nominal_capacity=1_500.0), sold: solph.Flow()},
            conversion_factors={heat: 0.45, sold: 0.40},
        )
    )
    es.add(
        solph.components.Sink(
            "sale",
            inputs={
                sold: solph.Flow(variable_costs=-np.asarray(chp.power_price_eur_per_mwh) / 1000)
            },
        )
    )
    es.add(
        solph.components.GenericStorage(
            label="tank",
            nominal_capacity=40_000.0,
            loss_rate=0.002,
            balanced=True,
            initial_storage_level=None,
            inflow_conversion_factor=0.98,
            outflow_conversion_factor=0.98,
            inputs={heat: solph.Flow(nominal_capacity=4_000.0)},
            outputs={heat: solph.Flow(nominal_capacity=4_000.0)},
        )
    )
    es.add(
        solph.components.Sink(
            "demand", inputs={heat: solph.Flow(fix=portfolio.demand(), nominal_capacity=1.0)}
        )
    )
    model = solph.Model(es)
    model.solve(solver="highs")
    return float(model.objective())


@pytest.mark.slow
def test_same_objective_as_oemof_solph_on_a_week() -> None:
    pytest.importorskip("oemof.solph")
    portfolio = _week()
    ours = solve(portfolio)
    assert ours.objective_eur == pytest.approx(_oemof_objective(portfolio), rel=REL_TOL_OBJECTIVE)
    assert ours.dispatch["hp"].max() > 0 and ours.dispatch["chp"].sum() > 0


# --- prices -----------------------------------------------------------------------------------


def test_scenario_converts_gas_from_gross_to_net_calorific_value() -> None:
    # THE Cal-26 27.0 EUR/MWh_Hs x Hs/Hi 1.11 (carriers.csv) = 29.97 EUR/MWh_Hi.
    assert scenario_levels("futures_2025_12")["natural_gas"] == pytest.approx(27.0 * 1.11)
    base = Prices(electricity_eur_per_mwh=[50.0, 150.0], fuel_eur_per_mwh=GAS)
    moved = apply_scenario(base, "futures_2025_12")
    np.testing.assert_allclose(moved.electricity_eur_per_mwh, [42.875, 128.625])
    assert moved.co2_eur_per_t == pytest.approx(85.5)
    with pytest.raises(ValueError, match="unknown price scenario"):
        scenario_levels("nope")


def test_monte_carlo_is_reproducible_with_a_seed() -> None:
    portfolio = _three_hours()
    result = solve(portfolio)
    first = monte_carlo_lcoh(portfolio, result, samples=200, seed=42)
    again = monte_carlo_lcoh(portfolio, result, samples=200, seed=42)
    other = monte_carlo_lcoh(portfolio, result, samples=200, seed=43)
    pd.testing.assert_frame_equal(first.samples, again.samples)
    assert not first.samples.equals(other.samples)
    assert list(first.percentiles.index) == ["p5", "p50", "p95"]


def test_monte_carlo_without_volatility_gives_the_vdi_2067_lcoh() -> None:
    # With sigma = 0 every path is the base price: the network LCOH is the dispatch LCOH and
    # the reference boiler's is heatplan.tech.economics.lcoh_eur_per_mwh (VDI 2067-1).
    portfolio, econ = _three_hours(), Economics(interest_rate=0.03, observation_period_a=20)
    result = solve(portfolio)
    boiler = ReferenceBoiler(
        investment_eur_per_kw=300.0, fixed_om_share_per_a=0.02, lifetime_a=20, efficiency=0.95
    )
    still = Volatility(("electricity", "natural_gas"), np.zeros(2), np.eye(2))
    mc = monte_carlo_lcoh(
        portfolio, result, samples=5, seed=1, volatility=still, boiler=boiler, economics=econ
    )
    np.testing.assert_allclose(mc.samples["lcoh_eur_per_mwh"], result.lcoh_eur_per_mwh)
    expected = lcoh_eur_per_mwh(
        investment_eur=300.0 * 300.0,
        lifetime_a=20,
        interest_rate=0.03,
        observation_period_a=20,
        fixed_om_share_per_a=0.02,
        energy_cost_eur_per_a=result.demand_mwh_per_a / 0.95 * 45.0,
        price_change_rate=0.0,
        heat_mwh_per_a=result.demand_mwh_per_a,
    )
    np.testing.assert_allclose(mc.samples["reference_lcoh_eur_per_mwh"], expected, rtol=1e-12)
    assert reference_lcoh_eur_per_mwh(
        portfolio, result, boiler=boiler, economics=econ
    ) == pytest.approx(expected)


def test_volatility_from_the_destatis_history() -> None:
    vol = volatility_from_history()
    assert vol.carriers == ("electricity", "natural_gas")
    # Gas moved far more than electricity in 2020-2024 (e.g. +51.8 % in one half-year).
    assert vol.sigma_per_a[1] > vol.sigma_per_a[0] > 0
    assert 0 < vol.correlation[0, 1] <= 1


def test_storage_sizing_and_unused_unit() -> None:
    # A sized store with zero cost in the storage case is used at least as much as the fixed one.
    portfolio = Portfolio(
        demand_kw=[50.0, 100.0],
        prices=Prices(electricity_eur_per_mwh=[20.0, 200.0], fuel_eur_per_mwh={"natural_gas": 100}),
        power_to_heat=[PowerToHeat("pth", capacity_kw=200.0, efficiency=1.0)],
        boilers=[Boiler("gas", "natural_gas", efficiency=1.0, capacity_kw=200.0)],
        storages=[
            Storage(
                "tank",
                None,
                charge_kw=100.0,
                discharge_kw=100.0,
                annualised_cost_eur_per_kwh_a=8760 / 2 * 0.001,
            )
        ],
    )
    result = solve(portfolio)
    # Lossless store: 100 kWh shifted saves (0.1 - 0.02) x 100 = 8 EUR and costs 0.1 EUR.
    assert result.capacity["tank"] == pytest.approx(100.0)
    assert result.objective_eur == pytest.approx(150 * 0.02 + 100 * 0.001)
    unused = dataclasses.replace(portfolio, power_to_heat=[])
    assert solve(unused).dispatch["gas"].sum() == pytest.approx(150.0)


def test_scenario_comparison_redispatches_each_scenario() -> None:
    portfolio = _three_hours()
    table = scenario_comparison(portfolio, ["destatis_2020_h1", "destatis_2022_h2"])
    # The crisis prices of 2nd half 2022 make both the network and the gas boiler dearer.
    assert (
        table.loc["destatis_2022_h2", "lcoh_eur_per_mwh"]
        > table.loc["destatis_2020_h1", "lcoh_eur_per_mwh"]
    )
    spread = table["lcoh_eur_per_mwh"] - table["reference_lcoh_eur_per_mwh"]
    np.testing.assert_allclose(table["spread_eur_per_mwh"], spread)

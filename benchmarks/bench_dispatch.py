"""Benchmark: 8760-h dispatch in heatplan (numpy-built matrix, highspy) vs oemof-solph (Pyomo).

The same model in both: a wastewater heat pump with hourly COP and hourly source limit,
power-to-heat, a gas boiler and a hot-water store (losses, charge/discharge efficiencies, cyclic
level), electricity bought at an hourly price. Prints both wall times (build + solve + results),
their ratio, both objectives and their relative difference. heatplan's performance target:
ratio >= 15, objectives within 0.1 %.

python benchmarks/bench_dispatch.py [--hours 8760] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd

from heatplan.dispatch import Boiler, HeatPump, Portfolio, PowerToHeat, Prices, Storage, solve

TARGET_RATIO = 15.0
REL_TOL_OBJECTIVE = 1e-3


def synthetic_case(hours: int = 8760, seed: int = 7) -> Portfolio:
    """A 20 MW network: seasonal + daily demand, wastewater HP, PtH, gas boiler, store."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2025-01-01", periods=hours, freq="h")
    day = np.arange(hours) / 24.0
    season = np.cos(2 * np.pi * (day - 15) / 365.0)
    daily = np.sin(2 * np.pi * (np.arange(hours) % 24 - 6) / 24.0)
    demand = 9_000 + 7_000 * season + 1_500 * daily + rng.normal(0, 400, hours)
    cop = 3.2 - 0.5 * season + rng.normal(0, 0.05, hours)
    source = 9_000 + 1_500 * daily - 1_000 * season
    electricity = 90 + 35 * daily - 20 * season + rng.normal(0, 15, hours)
    return Portfolio(
        demand_kw=pd.Series(np.clip(demand, 500, None), index=index),
        prices=Prices(electricity_eur_per_mwh=electricity, fuel_eur_per_mwh={"natural_gas": 45.0}),
        heat_pumps=[
            HeatPump(
                "hp",
                cop=cop,
                capacity_kw=12_000.0,
                source_limit_kw=source,
                variable_om_eur_per_mwh=2.0,
            )
        ],
        power_to_heat=[PowerToHeat("pth", capacity_kw=4_000.0, efficiency=0.99)],
        boilers=[Boiler("gas", "natural_gas", efficiency=0.95, capacity_kw=25_000.0)],
        storages=[
            Storage(
                "tank",
                capacity_kwh=200_000.0,
                charge_kw=10_000.0,
                discharge_kw=10_000.0,
                loss_per_h=0.001,
                efficiency_charge=0.98,
                efficiency_discharge=0.98,
            )
        ],
    )


def oemof_objective(portfolio: Portfolio) -> float:
    """Build, solve and read the same model in oemof-solph; returns the objective [EUR]."""
    from oemof import solph

    from heatplan.dispatch.costs import heat_upper_kw

    index = pd.DatetimeIndex(portfolio.index)
    es = solph.EnergySystem(timeindex=index, infer_last_interval=True)
    b_el, b_gas, b_heat = solph.Bus("b_el"), solph.Bus("b_gas"), solph.Bus("b_heat")
    prices = portfolio.prices
    es.add(b_el, b_gas, b_heat)
    es.add(
        solph.components.Source(
            "grid",
            outputs={
                b_el: solph.Flow(variable_costs=np.asarray(prices.electricity_eur_per_mwh) / 1000.0)
            },
        )
    )
    es.add(
        solph.components.Source(
            "gas_supply",
            outputs={
                b_gas: solph.Flow(
                    variable_costs=float(prices.fuel_eur_per_mwh["natural_gas"]) / 1000.0
                )
            },
        )
    )
    hp = portfolio.heat_pumps[0]
    hp_cap = float(hp.capacity_kw or 0.0)
    es.add(
        solph.components.Converter(
            "hp",
            inputs={b_el: solph.Flow()},
            outputs={
                b_heat: solph.Flow(
                    nominal_capacity=hp_cap,
                    maximum=heat_upper_kw(hp, portfolio.hours) / hp_cap,
                    variable_costs=hp.variable_om_eur_per_mwh / 1000.0,
                )
            },
            conversion_factors={b_el: 1.0, b_heat: np.asarray(hp.cop)},
        )
    )
    pth = portfolio.power_to_heat[0]
    es.add(
        solph.components.Converter(
            "pth",
            inputs={b_el: solph.Flow()},
            outputs={b_heat: solph.Flow(nominal_capacity=pth.capacity_kw)},
            conversion_factors={b_heat: pth.efficiency},
        )
    )
    gas = portfolio.boilers[0]
    es.add(
        solph.components.Converter(
            "gas",
            inputs={b_gas: solph.Flow()},
            outputs={b_heat: solph.Flow(nominal_capacity=gas.capacity_kw)},
            conversion_factors={b_heat: gas.efficiency},
        )
    )
    for store in portfolio.storages:
        es.add(
            solph.components.GenericStorage(
                label=store.name,
                nominal_capacity=store.capacity_kwh,
                inputs={b_heat: solph.Flow(nominal_capacity=store.charge_kw)},
                outputs={b_heat: solph.Flow(nominal_capacity=store.discharge_kw)},
                loss_rate=store.loss_per_h,
                initial_storage_level=None,
                balanced=True,
                inflow_conversion_factor=store.efficiency_charge,
                outflow_conversion_factor=store.efficiency_discharge,
            )
        )
    es.add(
        solph.components.Sink(
            "demand", inputs={b_heat: solph.Flow(fix=portfolio.demand(), nominal_capacity=1.0)}
        )
    )
    model = solph.Model(es)
    model.solve(solver="highs")
    solph.processing.results(model)
    return float(model.objective())


def _time(function, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times, value = [], 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (median)")
    args = parser.parse_args()
    portfolio = synthetic_case(args.hours)
    ours_s, ours = _time(lambda: solve(portfolio).objective_eur, args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer_s, peer = _time(lambda: oemof_objective(portfolio), args.repeat)
    ratio = peer_s / ours_s
    rel = abs(ours - peer) / abs(peer)
    print(f"hours: {args.hours}")
    print(f"oemof-solph (Pyomo, HiGHS): {peer_s:8.3f} s   objective {peer:,.2f} EUR")
    print(f"heatplan (numpy + highspy): {ours_s:8.3f} s   objective {ours:,.2f} EUR")
    print(
        f"speed-up: {ratio:.1f}x (target >= {TARGET_RATIO:g}x)  "
        f"{'OK' if ratio >= TARGET_RATIO else 'BELOW TARGET'}"
    )
    print(
        f"objective relative difference: {rel:.2e} (target <= {REL_TOL_OBJECTIVE:g})  "
        f"{'OK' if rel <= REL_TOL_OBJECTIVE else 'ABOVE TOLERANCE'}"
    )


if __name__ == "__main__":
    main()

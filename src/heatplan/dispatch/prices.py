"""Price stability: price scenarios and a Monte Carlo over price paths, network vs gas boiler.

Scenarios (``price_scenarios.csv``) give annual mean prices per carrier with their basis
(end-user or wholesale), price year and source. :func:`apply_scenario` turns a scenario into
:class:`~heatplan.dispatch.model.Prices`: the hourly electricity series keeps its shape and is
scaled to the scenario's mean; gas prices quoted per MWh of gross calorific value (Hs) are
converted to the net value (Hi) of the efficiencies with ``hs_hi_ratio`` (``carriers.csv``).

The Monte Carlo draws correlated yearly price factors, log-normal and multiplicative:
x_y = persistence x_(y-1) + e_y, e_y ~ N(0, D R D), factor_y = exp(x_y - Var(x_y) / 2), so the
expected factor stays 1 (the scenario is the mean path). ``persistence`` = 1 is the geometric
random walk of real-options analysis (Dixit & Pindyck 1994, ch. 3); smaller values let shocks
fade. Volatilities D and correlation R come from the half-year changes of the Destatis
non-household prices 2019-2024 (``price_history.csv``), annualised with sqrt(2): a period with
the 2021-2022 crisis, so the spread is on the wide side. The dispatch is held fixed at the base
optimum (re-optimising per path would lower the network's cost a little); its energy bought
and sold, priced along each path and discounted, gives the network's LCOH; a reference gas
boiler supplying the same heat gives the comparison (VDI 2067-1 annuities from
:mod:`heatplan.tech.economics`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from heatplan.dispatch.costs import priced_co2_t_per_mwh
from heatplan.dispatch.lp import solve
from heatplan.dispatch.model import Portfolio, Prices, hourly
from heatplan.dispatch.results import DispatchResult
from heatplan.plan import columns as col
from heatplan.reference import carriers, parameter, table
from heatplan.reference.catalogue import technology
from heatplan.tech.economics import annual_cost_eur_per_a, annuity_factor

SCENARIO_FILE = "price_scenarios.csv"
HISTORY_FILE = "price_history.csv"
ECONOMICS_FILE = "economic_parameters.csv"
PERCENTILES = (5, 50, 95)


def scenarios() -> pd.DataFrame:
    """The price scenarios: scenario, carrier, year, value, unit, basis, price year, source."""
    return table(SCENARIO_FILE)


def _to_model_unit(carrier: str, value: float, unit: str) -> float:
    """Scenario value in the unit of :class:`Prices` (fuels per MWh Hi, CO2 per t)."""
    if unit.endswith("_Hs"):
        return value * float(carriers()["hs_hi_ratio"].astype(float)[carrier])
    return value


def scenario_levels(scenario: str, year: int | None = None) -> dict[str, float]:
    """Annual mean price per carrier of ``scenario`` [EUR/MWh Hi; 'co2' in EUR/t].

    Several years of a carrier are interpolated linearly at ``year`` (held flat outside them);
    ``year`` None takes the first year.
    """
    frame = scenarios()
    rows = frame[frame["scenario"] == scenario]
    if rows.empty:
        known = ", ".join(frame["scenario"].unique())
        raise ValueError(f"unknown price scenario {scenario!r}; {SCENARIO_FILE} has: {known}")
    levels = {}
    for carrier, group in rows.groupby(col.CARRIER):
        group = group.sort_values("year")
        years, values = group["year"].to_numpy(float), group["value"].to_numpy(float)
        at = years[0] if year is None else float(year)
        value = float(np.interp(at, years, values))
        levels[str(carrier)] = _to_model_unit(str(carrier), value, str(group["unit"].iloc[0]))
    return levels


def apply_scenario(prices: Prices, scenario: str, *, year: int | None = None) -> Prices:
    """``prices`` with the levels of ``scenario``; carriers it does not name stay as they were."""
    levels = scenario_levels(scenario, year)
    electricity: Any = prices.electricity_eur_per_mwh
    if "electricity" in levels:
        series = np.asarray(electricity, float)
        mean = float(series.mean())
        if mean <= 0:
            raise ValueError("the base electricity price series must have a mean > 0 to rescale")
        electricity = series * (levels["electricity"] / mean)
    fuels = dict(prices.fuel_eur_per_mwh)
    fuels.update({c: v for c, v in levels.items() if c not in ("electricity", "co2")})
    co2 = levels.get("co2", prices.co2_eur_per_t)
    return Prices(electricity_eur_per_mwh=electricity, fuel_eur_per_mwh=fuels, co2_eur_per_t=co2)


@dataclasses.dataclass(frozen=True)
class ReferenceBoiler:
    """The counterfactual: gas boilers in the buildings supplying the network's heat.

    Investment [EUR/kW], fixed O&M share [1/a], lifetime [a], efficiency on Hi [-].
    """

    investment_eur_per_kw: float
    fixed_om_share_per_a: float
    lifetime_a: float
    efficiency: float
    carrier: str = "natural_gas"
    price_surcharge_eur_per_mwh: float = 0.0

    @classmethod
    def from_catalogue(
        cls,
        name: str = "gas_condensing_boiler_building",
        year: float = 2025,
        *,
        price_surcharge_eur_per_mwh: float = 0.0,
    ) -> ReferenceBoiler:
        """Parameters of ``name`` in the technology catalogue (EUR of its price year).

        ``price_surcharge_eur_per_mwh`` is what a building pays on top of the plant's fuel
        price (network fees, taxes, VAT) [EUR/MWh]; it does not follow the price paths.
        """
        values = technology(name, year)
        return cls(
            investment_eur_per_kw=float(values["specific_investment"]),
            fixed_om_share_per_a=float(values["fixed_om_share_per_a"]),
            lifetime_a=float(values["lifetime_a"]),
            efficiency=float(values["efficiency"]),
            price_surcharge_eur_per_mwh=price_surcharge_eur_per_mwh,
        )


class Economics(NamedTuple):
    """Interest rate [1/a] and observation period [a] (``economic_parameters.csv`` defaults)."""

    interest_rate: float
    observation_period_a: float

    @classmethod
    def default(cls) -> Economics:
        return cls(
            parameter(ECONOMICS_FILE, "interest_rate"),
            parameter(ECONOMICS_FILE, "observation_period_a"),
        )


def _mean_price(prices: Prices, carrier: str, hours: int) -> float:
    if carrier not in prices.fuel_eur_per_mwh:
        raise ValueError(f"the prices have no {carrier!r} price for the reference boiler")
    return float(hourly(carrier, prices.fuel_eur_per_mwh[carrier], hours).mean())


def _reference_parts(
    portfolio: Portfolio, result: DispatchResult, boiler: ReferenceBoiler, econ: Economics
) -> tuple[float, float]:
    """Capital + O&M annuity and fuel surcharges [EUR/a]; first-year fuel cost incl. CO2 [EUR/a].

    The surcharge (fees and taxes a building pays on top of the plant price) is in the first,
    fixed part: only the fuel price follows the price paths of the Monte Carlo.
    """
    peak_kw = float(portfolio.demand().max())
    fixed = annual_cost_eur_per_a(
        investment_eur=boiler.investment_eur_per_kw * peak_kw,
        lifetime_a=boiler.lifetime_a,
        interest_rate=econ.interest_rate,
        observation_period_a=econ.observation_period_a,
        fixed_om_share_per_a=boiler.fixed_om_share_per_a,
        energy_cost_eur_per_a=0.0,
        price_change_rate=0.0,
    )
    price = _mean_price(portfolio.prices, boiler.carrier, portfolio.hours)
    price += portfolio.prices.co2_eur_per_t * priced_co2_t_per_mwh(boiler.carrier)
    fuel_mwh = result.demand_mwh_per_a / boiler.efficiency
    return float(fixed) + fuel_mwh * boiler.price_surcharge_eur_per_mwh, fuel_mwh * price


def reference_lcoh_eur_per_mwh(
    portfolio: Portfolio,
    result: DispatchResult,
    *,
    boiler: ReferenceBoiler | None = None,
    economics: Economics | None = None,
) -> float:
    """LCOH of the reference gas boilers at constant prices [EUR/MWh] (VDI 2067-1)."""
    boiler = boiler or ReferenceBoiler.from_catalogue()
    fixed, fuel = _reference_parts(portfolio, result, boiler, economics or Economics.default())
    return (fixed + fuel) / result.demand_mwh_per_a


def scenario_comparison(
    portfolio: Portfolio,
    names: Sequence[str] | None = None,
    *,
    year: int | None = None,
    boiler: ReferenceBoiler | None = None,
    economics: Economics | None = None,
) -> pd.DataFrame:
    """Re-dispatch ``portfolio`` under each price scenario; LCOH of network and gas boiler.

    Returns one row per scenario: ``lcoh_eur_per_mwh``, ``reference_lcoh_eur_per_mwh``,
    ``spread_eur_per_mwh`` (network minus reference) and ``renewable_share``.
    """
    rows = []
    for name in names or list(scenarios()["scenario"].unique()):
        case = dataclasses.replace(
            portfolio, prices=apply_scenario(portfolio.prices, name, year=year)
        )
        result = solve(case)
        reference = reference_lcoh_eur_per_mwh(case, result, boiler=boiler, economics=economics)
        rows.append(
            {
                "scenario": name,
                "lcoh_eur_per_mwh": result.lcoh_eur_per_mwh,
                "reference_lcoh_eur_per_mwh": reference,
                "spread_eur_per_mwh": result.lcoh_eur_per_mwh - reference,
                "renewable_share": result.renewable_share,
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


class Volatility(NamedTuple):
    """Yearly log-price volatility per carrier [1/sqrt(a)] and their correlation [-]."""

    carriers: tuple[str, ...]
    sigma_per_a: np.ndarray
    correlation: np.ndarray


def volatility_from_history() -> Volatility:
    """Volatility and correlation of the half-year price changes in ``price_history.csv``.

    sigma = std(ln(1 + change)) x sqrt(2); the correlation uses the half-years both carriers have.
    """
    frame = table(HISTORY_FILE)
    frame["log_change"] = np.log1p(frame["change"].astype(float))
    wide = frame.pivot_table(index="period_from", columns=col.CARRIER, values="log_change")
    names = tuple(sorted(wide.columns))
    sigma = np.array([wide[c].dropna().std(ddof=1) * np.sqrt(2.0) for c in names])
    correlation = wide[list(names)].dropna().corr().to_numpy()
    return Volatility(names, sigma, correlation)


def price_factor_paths(
    volatility: Volatility, *, years: int, samples: int, seed: int, persistence: float = 1.0
) -> np.ndarray:
    """Multiplicative price factors, shape (samples, years, carriers), mean 1 in every year."""
    if not 0.0 <= persistence <= 1.0:
        raise ValueError(f"persistence must be in 0..1; got {persistence!r}")
    rng = np.random.default_rng(seed)
    cov = np.outer(volatility.sigma_per_a, volatility.sigma_per_a) * volatility.correlation
    shocks = rng.multivariate_normal(np.zeros(len(volatility.carriers)), cov, (samples, years))
    state = np.zeros((samples, len(volatility.carriers)))
    variance = np.zeros(len(volatility.carriers))
    factors = np.empty_like(shocks)
    for year in range(years):
        state = persistence * state + shocks[:, year]
        variance = persistence**2 * variance + volatility.sigma_per_a**2
        factors[:, year] = np.exp(state - variance / 2.0)
    return factors


class MonteCarloResult(NamedTuple):
    """Samples of the LCOH [EUR/MWh] and their percentiles; P(network cheaper) [-]."""

    samples: pd.DataFrame
    percentiles: pd.DataFrame
    probability_network_cheaper: float


def _levelised(annual_cost: np.ndarray, econ: Economics) -> np.ndarray:
    """Annuity of the present value of yearly costs (last axis = years 1..T) [EUR/a]."""
    years = np.arange(1, annual_cost.shape[-1] + 1)
    discount = (1.0 + econ.interest_rate) ** -years
    factor = float(annuity_factor(interest_rate=econ.interest_rate, period_a=len(years)))
    return (annual_cost @ discount) * factor


def monte_carlo_lcoh(
    portfolio: Portfolio,
    result: DispatchResult,
    *,
    samples: int = 1000,
    seed: int = 0,
    persistence: float = 1.0,
    volatility: Volatility | None = None,
    boiler: ReferenceBoiler | None = None,
    economics: Economics | None = None,
) -> MonteCarloResult:
    """Spread of the network's LCOH against the reference gas boiler over random price paths."""
    econ = economics or Economics.default()
    vol = volatility or volatility_from_history()
    years = round(econ.observation_period_a)
    paths = price_factor_paths(
        vol, years=years, samples=samples, seed=seed, persistence=persistence
    )
    factor = {c: paths[:, :, i] for i, c in enumerate(vol.carriers)}
    ones = np.ones((samples, years))
    cost = (result.electricity_cost_eur_per_a - result.power_revenue_eur_per_a) * factor.get(
        "electricity", ones
    )
    for carrier, fuel in result.fuel_cost_eur_per_a.items():
        cost = cost + fuel * factor.get(carrier, ones)
    cost = cost + result.co2_cost_eur_per_a + result.variable_om_eur_per_a
    network = (result.capacity_cost_eur_per_a + _levelised(cost, econ)) / result.demand_mwh_per_a
    boiler = boiler or ReferenceBoiler.from_catalogue()
    fixed, fuel = _reference_parts(portfolio, result, boiler, econ)
    reference = fixed + _levelised(fuel * factor.get(boiler.carrier, ones), econ)
    reference = reference / result.demand_mwh_per_a
    frame = pd.DataFrame(
        {
            "lcoh_eur_per_mwh": network,
            "reference_lcoh_eur_per_mwh": reference,
            "spread_eur_per_mwh": network - reference,
        }
    )
    quantiles = frame.quantile([p / 100.0 for p in PERCENTILES])
    quantiles.index = pd.Index([f"p{p}" for p in PERCENTILES], name="percentile")
    return MonteCarloResult(frame, quantiles, float((network < reference).mean()))

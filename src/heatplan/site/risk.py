"""Price risk of a site concept: the study's yearly energy flows re-priced over price paths.

The sizes and the dispatch stay as the study found them; only the prices move. The paths are
those of the project's Monte Carlo (:mod:`heatplan.classify.uncertainty`, from
:func:`heatplan.dispatch.prices.price_factor_paths`): correlated log-normal yearly factors of the
electricity and the natural-gas price with the volatility of the Destatis non-household prices
2019-2024, mean 1 in every year, levelised over the observation period with the interest rate
(VDI 2067-1, ``economic_parameters.csv``), so each path gives a mean annual cost comparable with
the study's annualised one.

What follows a path [EUR/a]:

* grid import: kWh x the whole price per kWh (energy, grid energy price, tax and levies; the
  Destatis prices the volatility comes from are such all-in prices) x the electricity factor;
* gas: kWh x the gas price (incl. the BEHG CO2 price it contains) x the gas factor;
* network heat: kWh x the heat price x (1 + w_el (f_el - 1) + w_gas (f_gas - 1)), the weights of
  the price change clause (AVBFernwärmeV § 24 Abs. 4, ``price_risk_parameters.csv``).

Fixed: the demand charge, the EEG feed-in tariff (fixed for 20 years, EEG 2023 § 25), the § 14a
EnWG reduction on controllable devices (a share of the grid fee), capital and operation.
Re-pricing a fixed dispatch is an approximation: a concept re-optimised on each path would do at
least as well, so the "after" spread is a little pessimistic.

Examples
--------
>>> f = PriceFactors(electricity=np.array([0.5, 1.5]), natural_gas=np.array([1.0, 1.0]))
>>> before = EnergyCosts(100.0, electricity_eur_per_a=60.0)
>>> after = EnergyCosts(80.0, electricity_eur_per_a=20.0)
>>> cost_paths(before, f).tolist(), cost_paths(after, f).tolist()
([70.0, 130.0], [70.0, 90.0])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from heatplan.classify.uncertainty import parameters as mc_parameters
from heatplan.dispatch.prices import Economics, price_factor_paths, volatility_from_history
from heatplan.reference import parameter
from heatplan.site.inputs import Site

RISK_FILE = "price_risk_parameters.csv"
#: Said wherever a spread is shown (the CLI in English; the report has its German label).
NOTE = (
    "the study's fixed sizes and dispatch re-priced on each price path "
    "(no re-optimisation per path: an approximation)"
)


@dataclass(frozen=True)
class PriceFactors:
    """Levelised price factors of each path [-] (mean 1 over many paths)."""

    electricity: np.ndarray
    natural_gas: np.ndarray

    @property
    def samples(self) -> int:
        return len(self.electricity)

    def network_heat(self) -> np.ndarray:
        """Factor of a network's heat price along its price change clause [-]."""
        w_el = parameter(RISK_FILE, "network_heat_electricity_weight")
        w_gas = parameter(RISK_FILE, "network_heat_gas_weight")
        return np.asarray(1.0 + w_el * (self.electricity - 1.0) + w_gas * (self.natural_gas - 1.0))


def _levelised(paths: np.ndarray, interest_rate: float) -> np.ndarray:
    """Present-value mean of yearly factors, shape (samples, years) -> (samples,)."""
    weights = (1.0 + interest_rate) ** -np.arange(1, paths.shape[1] + 1)
    return np.asarray(paths @ weights / weights.sum())


def price_factors(*, samples: int | None = None, seed: int = 0) -> PriceFactors:
    """The Monte Carlo's price paths (``uncertainty_parameters.csv``: number, persistence),
    levelised over the observation period; reproducible for a ``seed``."""
    p = mc_parameters()
    economics = Economics.default()
    volatility = volatility_from_history()
    paths = price_factor_paths(
        volatility,
        years=round(economics.observation_period_a),
        samples=int(samples if samples is not None else p["samples"]),
        seed=seed + 1,
        persistence=p["price_persistence"],
    )
    factors = {
        carrier: _levelised(paths[:, :, i], economics.interest_rate)
        for i, carrier in enumerate(volatility.carriers)
    }
    return PriceFactors(factors["electricity"], factors["natural_gas"])


@dataclass(frozen=True)
class EnergyCosts:
    """A concept's annual cost and the parts of it that follow the prices [EUR/a]."""

    annual_cost_eur_per_a: float
    electricity_eur_per_a: float = 0.0
    gas_eur_per_a: float = 0.0
    network_heat_eur_per_a: float = 0.0


def cost_paths(costs: EnergyCosts, factors: PriceFactors) -> np.ndarray:
    """The annual cost on every path [EUR/a]: the parts that follow a price scaled by it."""
    return np.asarray(
        costs.annual_cost_eur_per_a
        + costs.electricity_eur_per_a * (factors.electricity - 1.0)
        + costs.gas_eur_per_a * (factors.natural_gas - 1.0)
        + costs.network_heat_eur_per_a * (factors.network_heat() - 1.0)
    )


@dataclass(frozen=True)
class Spread:
    """Low percentile, median and high percentile of a sample [its unit]."""

    p10: float
    median: float
    p90: float

    @classmethod
    def of(cls, values: np.ndarray) -> Spread:
        low, high = parameter(RISK_FILE, "percentile_low"), parameter(RISK_FILE, "percentile_high")
        p10, median, p90 = np.percentile(values, [low, 50.0, high])
        return cls(float(p10), float(median), float(p90))


@dataclass(frozen=True)
class PriceRisk:
    """Spread of the annual cost before and after and of the savings; P(the concept saves)."""

    samples: int
    before_eur_per_a: Spread
    after_eur_per_a: Spread
    savings_eur_per_a: Spread
    probability_saving: float
    note: str = NOTE

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the result."""
        return asdict(self)


def price_risk(before: EnergyCosts, after: EnergyCosts, factors: PriceFactors) -> PriceRisk:
    """Spread of the annual cost before and after over ``factors``' paths."""
    cost_before, cost_after = cost_paths(before, factors), cost_paths(after, factors)
    savings = cost_before - cost_after
    return PriceRisk(
        samples=factors.samples,
        before_eur_per_a=Spread.of(cost_before),
        after_eur_per_a=Spread.of(cost_after),
        savings_eur_per_a=Spread.of(savings),
        probability_saving=float(np.mean(savings > 0.0)),
    )


def site_energy_costs(site: Site, result: dict[str, Any]) -> tuple[EnergyCosts, EnergyCosts]:
    """The price-following parts of a site study's annual cost before and after [EUR/a].

    ``site`` is the study's :class:`~heatplan.site.inputs.Site`, ``result`` its result.
    """
    from heatplan.site.tariffs import gas_price_eur_per_kwh, grid_tariff

    module_2 = site.ev is not None and site.ev.enwg_14a_module_2
    prices = {
        when: grid_tariff(
            result[f"grid_fee_case_{when}"], site.feed_in_case, enwg_14a_module_2=module_2
        ).import_eur_per_kwh
        for when in ("before", "after")
    }
    gas = gas_price_eur_per_kwh()
    network = site.heat.network_eur_per_kwh if site.heat is not None else None
    network_kwh = float(result.get("network_heat_kwh_per_a", 0.0))
    costs = {
        when: EnergyCosts(
            annual_cost_eur_per_a=float(result[f"annual_cost_{when}_eur_per_a"]),
            electricity_eur_per_a=float(result[f"import_{when}_kwh_per_a"]) * prices[when],
            gas_eur_per_a=float(result.get(f"gas_{when}_kwh_per_a", 0.0)) * gas,
            network_heat_eur_per_a=(
                network_kwh * network if when == "after" and network is not None else 0.0
            ),
        )
        for when in ("before", "after")
    }
    return costs["before"], costs["after"]


def site_price_risk(
    site: Site, result: dict[str, Any], factors: PriceFactors | None = None
) -> dict[str, Any]:
    """The price-risk field of a site study's result (see :class:`PriceRisk`)."""
    before, after = site_energy_costs(site, result)
    return price_risk(before, after, factors or price_factors()).as_dict()

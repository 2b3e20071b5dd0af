"""How likely a heat network is the cheaper supply of an area: a Monte Carlo over the uncertain
inputs of the full-cost comparison, vectorised over paths and areas.

Each area's two full costs are split into the parts an uncertainty acts on [EUR/MWh]: the
network's distribution (pipes, substations: capital and upkeep) and its generation, the
decentral option's capital with upkeep and its energy. Per path the parts are scaled by
- the investment of the network (AACE Class 4 accuracy, triangular) and of the buildings'
  systems (Moritz et al. 2024 cost levels, triangular),
- the share of the demand that connects (uniform between a low share and the planned one; the
  distribution's cost per MWh grows as fewer connect),
- the electricity price, levelised over the observation period from a correlated yearly
  log-normal path (volatility of the Destatis prices, :mod:`heatplan.dispatch.prices`): heat
  pumps drive both the network's generation and the decentral options.
The probability is the share of paths in which the network's weighted § 18 score is positive;
grades are bands of it (``data/uncertainty_parameters.csv``, IPCC likelihood language).

Examples
--------
>>> parts = CostParts(network_distribution=60.0, network_generation=100.0,
...                   decentral_capital=120.0, decentral_energy=140.0)
>>> factors = sample_factors(samples=2000, seed=1, period_a=20, interest_rate=0.03)
>>> network, decentral = lcoh_samples(parts, factors)
>>> 0.9 < float((network < decentral).mean()) <= 1.0
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from heatplan.dispatch.prices import price_factor_paths, volatility_from_history
from heatplan.reference import table

PARAMETERS = "uncertainty_parameters.csv"


@cache
def parameters() -> dict[str, float]:
    """The Monte Carlo's parameters by name (``uncertainty_parameters.csv``)."""
    frame = table(PARAMETERS)
    return {str(k): float(v) for k, v in zip(frame["parameter"], frame["value"], strict=True)}


@dataclass(frozen=True)
class CostParts:
    """An area's full costs split by what an uncertainty acts on [EUR/MWh of heat delivered]."""

    network_distribution: float
    network_generation: float
    decentral_capital: float
    decentral_energy: float

    @property
    def network(self) -> float:
        return self.network_distribution + self.network_generation

    @property
    def decentral(self) -> float:
        return self.decentral_capital + self.decentral_energy


@dataclass(frozen=True)
class Factors:
    """Multiplicative factors of one Monte Carlo, one value per path."""

    network_capex: np.ndarray
    decentral_capex: np.ndarray
    connection_share: np.ndarray
    electricity: np.ndarray

    @property
    def samples(self) -> int:
        return len(self.network_capex)

    def fixed(self, name: str) -> Factors:
        """The same paths with factor ``name`` held at its planned value (1)."""
        return replace(self, **{name: np.ones(self.samples)})


#: German names of the uncertain inputs, for the reasons.
INPUTS_DE = {
    "network_capex": "Investition Wärmenetz",
    "decentral_capex": "Investition dezentrale Anlagen",
    "connection_share": "Anschlussquote",
    "electricity": "Strompreis",
}


def _levelised(paths: np.ndarray, interest_rate: float) -> np.ndarray:
    """Present-value mean of yearly factors, shape (samples, years) -> (samples,)."""
    weights = (1.0 + interest_rate) ** -np.arange(1, paths.shape[1] + 1)
    return np.asarray(paths @ weights / weights.sum())


def sample_factors(
    *, samples: int | None = None, seed: int = 0, period_a: float, interest_rate: float
) -> Factors:
    """Draw the factors of ``samples`` paths (default: the parameter ``samples``), reproducibly."""
    p = parameters()
    count = int(samples if samples is not None else p["samples"])
    rng = np.random.default_rng(seed)
    volatility = volatility_from_history()
    paths = price_factor_paths(
        volatility,
        years=round(period_a),
        samples=count,
        seed=seed + 1,
        persistence=p["price_persistence"],
    )
    electricity = volatility.carriers.index("electricity")
    return Factors(
        network_capex=rng.triangular(p["network_capex_low"], 1.0, p["network_capex_high"], count),
        decentral_capex=rng.triangular(
            p["decentral_capex_low"], 1.0, p["decentral_capex_high"], count
        ),
        connection_share=rng.uniform(p["connection_share_low"], 1.0, count),
        electricity=_levelised(paths[:, :, electricity], interest_rate),
    )


def lcoh_samples(parts: CostParts, factors: Factors) -> tuple[np.ndarray, np.ndarray]:
    """The network's and the decentral full cost [EUR/MWh] on every path."""
    network = (
        parts.network_distribution * factors.network_capex / factors.connection_share
        + parts.network_generation * factors.electricity
    )
    decentral = (
        parts.decentral_capital * factors.decentral_capex
        + parts.decentral_energy * factors.electricity
    )
    return network, decentral


def cost_advantage_samples(parts: CostParts, factors: Factors) -> np.ndarray:
    """Relative full-cost advantage of the network on every path [-] (as the rules define it)."""
    network, decentral = lcoh_samples(parts, factors)
    return (decentral - network) / decentral


def probability_grade(probability: float) -> int:
    """Index into the four WPG § 19 grades (0 very likely … 3 very unlikely); Prüfgebiet: -1."""
    p = parameters()
    if probability >= p["probability_very_likely"]:
        return 0
    if probability >= p["probability_likely"]:
        return 1
    if probability > p["probability_unlikely"]:
        return -1
    if probability > p["probability_very_unlikely"]:
        return 2
    return 3


def probability_network_better(
    parts: CostParts,
    factors: Factors,
    *,
    other_criteria: float,
    weight_cost: float,
) -> float:
    """Share of paths in which the network's weighted § 18 score is positive [-].

    ``other_criteria`` is the weighted sum of the criteria the paths do not change (GHG, supply
    security); the cost criterion is the relative full-cost advantage on each path.
    """
    scores = weight_cost * cost_advantage_samples(parts, factors) + other_criteria
    return float(np.mean(scores > 0.0))


def drivers(
    parts: CostParts,
    factors: Factors,
    *,
    other_criteria: float,
    weight_cost: float,
) -> list[tuple[str, float]]:
    """The inputs the probability depends on most: how far it moves when each one is held at
    its planned value [percentage points / 100], largest first.

    Where holding an input moves the probability of none (all paths on one side, e.g. 100 %),
    the inputs are ranked by how much of the spread of the cost advantage each one makes (its
    standard deviation over the paths less that with the input held), so an area decided in
    every path still names what its margin depends on most.
    """
    base = probability_network_better(
        parts, factors, other_criteria=other_criteria, weight_cost=weight_cost
    )
    spread = float(np.std(cost_advantage_samples(parts, factors)))
    moves = []
    for name in INPUTS_DE:
        held = factors.fixed(name)
        move = abs(base - probability_network_better(
            parts, held, other_criteria=other_criteria, weight_cost=weight_cost
        ))  # fmt: skip
        narrowing = spread - float(np.std(cost_advantage_samples(parts, held)))
        moves.append((name, move, narrowing))
    ranked = sorted(moves, key=lambda item: (-item[1], -item[2]))
    return [(name, move if move > 0 else max(narrowing, 0.0)) for name, move, narrowing in ranked]

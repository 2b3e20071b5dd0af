"""Price risk of a quarter's heat options and of the warm rent of the rent-controlled flats.

Each heat option's energy cost is re-priced over the price paths of the project's Monte Carlo
(:mod:`heatplan.site.risk`, the same paths as a site study): the gas of today's boilers with the
gas factor, the heat pump's grid electricity with the electricity factor (its own PV is valued at
the fixed EEG feed-in tariff it forgoes), the network heat along the price change clause. Sizes,
capital and operation stay fixed; no re-optimisation per path. The tenants pay the energy as
heating costs, so the warm rent per m² and month moves by the energy cost's change over the
living area.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from heatplan.quarter.inputs import Quarter
from heatplan.quarter.rent import per_m2_month
from heatplan.quarter.tariffs import energy_price
from heatplan.site.risk import EnergyCosts, PriceFactors, Spread, cost_paths, price_factors

NOTE = (
    "energy of each heat option re-priced over the price paths with fixed sizes (no "
    "re-optimisation per path: an approximation); warm rent moves by the change of the "
    "heating costs"
)
#: The option the others are compared with.
TODAY = "gas_today"


def option_energy_costs(quarter: Quarter, summary: dict[str, Any]) -> dict[str, EnergyCosts]:
    """Each heat option's annual cost and its price-following energy parts [EUR/a]."""
    gas_price = quarter.heat.gas_price_eur_per_kwh or energy_price(
        "natural_gas_multifamily_eur_per_mwh"
    )
    electricity = energy_price("electricity_heat_pump_eur_per_mwh")
    network = (quarter.heat.network_price_eur_per_mwh or 0.0) / 1000.0
    costs = {}
    for name, o in summary["heat"]["options"].items():
        final = float(o["final_energy_kwh_per_a"])
        parts = {
            "gas_today": {"gas_eur_per_a": final * gas_price},
            "heat_pump": {
                "electricity_eur_per_a": (final - float(o["pv_used_kwh_per_a"])) * electricity
            },
            "heat_network": {"network_heat_eur_per_a": final * network},
        }.get(name, {})
        costs[name] = EnergyCosts(float(o["annual_cost_eur_per_a"]), **parts)
    return costs


def _spread(values: np.ndarray) -> dict[str, float]:
    s = Spread.of(values)
    return {"p10": s.p10, "median": s.median, "p90": s.p90}


def quarter_price_risk(
    quarter: Quarter, summary: dict[str, Any], factors: PriceFactors | None = None
) -> dict[str, Any]:
    """Per heat option: the spread of the annual cost and of the rent-controlled flats' warm rent
    [EUR/(m² month)], and the share of paths in which it is cheaper than today's gas."""
    factors = factors or price_factors()
    area = float(summary["living_area_m2"])
    rents = summary["rent_controlled"]["concepts"]
    costs = option_energy_costs(quarter, summary)
    paths = {name: cost_paths(c, factors) for name, c in costs.items()}
    options: dict[str, Any] = {}
    for name, cost in paths.items():
        change = cost - costs[name].annual_cost_eur_per_a
        warm = rents[name]["warm_rent_eur_per_m2_month"] + per_m2_month(1.0, area) * change
        entry: dict[str, Any] = {
            "annual_cost_eur_per_a": _spread(cost),
            "warm_rent_eur_per_m2_month": _spread(warm),
        }
        if name != TODAY and TODAY in paths:
            today = paths[TODAY] - costs[TODAY].annual_cost_eur_per_a
            warm_today = (
                rents[TODAY]["warm_rent_eur_per_m2_month"] + per_m2_month(1.0, area) * today
            )
            entry["probability_cheaper_than_today"] = float(np.mean(cost < paths[TODAY]))
            entry["probability_warm_rent_below_today"] = float(np.mean(warm < warm_today))
        options[name] = entry
    return {"samples": factors.samples, "options": options, "note": NOTE}

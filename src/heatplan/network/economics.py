"""Full cost of a designed network per MWh delivered, and the comparison per building.

Network (pipes, substations, pumping; VDI 2067-1 annuities) plus generation (the dispatch's
annual cost) over the heat delivered to the buildings; against it, each building's decentral
options (:mod:`heatplan.options.decentral`). With ``[economics] with_funding`` the BEW is
credited by its own rules (:mod:`heatplan.network.funding`): the Modul 2 grant on the pipes and
substations only when the network's renewable and waste-heat share reaches 75 %, and then the
Modul 4 operating funding of its heat pumps and solar thermal in the generation cost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.network import selection as inputs
from heatplan.network.costs import network_om_share_per_a, pipe_lifetime_a
from heatplan.network.funding import (
    BewFunding,
    GenerationFigures,
    bew_funding,
    cap_at_funding_gap,
    funding_gap_eur_per_a,
    module_2_check,
    module_2_grant_share,
    no_funding,
)
from heatplan.options.decentral import Economics, decentral_costs, seasonal_factors
from heatplan.options.tariffs import vat_rate
from heatplan.plan import columns as col
from heatplan.project.config import ProjectConfig
from heatplan.reference import parameter
from heatplan.tech.economics import (
    annualised_investment_eur_per_a,
    annuity_factor,
    price_dynamic_factor,
)

GENERATION = "network_generation.csv"
PRICES = "energy_prices.csv"


@dataclass
class NetworkCost:
    """Annual costs [EUR/a] and the levelised cost of heat delivered [EUR/MWh], after the BEW
    modules credited (``funding``: which, how much and why not)."""

    funding_share: float
    network_cost_eur_per_a: float
    generation_cost_eur_per_a: float
    lcoh_distribution_eur_per_mwh: float
    lcoh_generation_eur_per_mwh: float
    lcoh_eur_per_mwh: float
    funding: BewFunding
    heat_delivered_mwh_per_a: float

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["funding"] = self.funding.to_dict(self.heat_delivered_mwh_per_a)
        del out["heat_delivered_mwh_per_a"]
        return out


def economics_of(config: ProjectConfig, year: int | None = None) -> Economics:
    money = config.economics
    return Economics.defaults(
        year=year or config.project.price_year,
        cost_source=money.decentral_costs,
        co2_price_path=money.co2_price_path,
        perspective=money.perspective,
        heat_pump_tariff=money.heat_pump_tariff,
        interest_rate=money.interest_rate,
        observation_period_a=money.observation_period_a,
        price_change_rate=money.energy_price_change_rate,
    )


def _annuity(investment: float, lifetime: float, econ: Economics, grant: float) -> float:
    return float(
        annualised_investment_eur_per_a(
            investment_eur=investment,
            lifetime_a=lifetime,
            interest_rate=econ.interest_rate,
            observation_period_a=econ.observation_period_a,
            funding_share=grant,
        )
    )


def _pipe_upkeep(investment_eur: float, econ: Economics) -> float:
    """Repair and maintenance of the pipes as a VDI 2067 annuity [EUR/a] (on the unfunded cost)."""
    first_year = network_om_share_per_a() * investment_eur
    factor = annuity_factor(interest_rate=econ.interest_rate, period_a=econ.observation_period_a)
    dynamic = price_dynamic_factor(
        interest_rate=econ.interest_rate,
        price_change_rate=0.0,
        period_a=econ.observation_period_a,
    )
    return float(first_year * np.asarray(factor) * np.asarray(dynamic))


def _distribution_eur_per_a(summary: dict[str, float], econ: Economics, grant: float) -> float:
    """Pipes, substations (after a grant of ``grant`` x investment), pumping and upkeep [EUR/a]."""
    pipes = _annuity(summary["investment_pipes_eur"], pipe_lifetime_a(), econ, grant)
    stations = _annuity(
        summary["investment_substations_eur"],
        parameter(GENERATION, "substation_lifetime_a"),
        econ,
        grant,
    )
    pumping = summary["pump_energy_mwh_per_a"] * parameter(
        PRICES, "electricity_network_plant_eur_per_mwh"
    )
    return pipes + stations + pumping + _pipe_upkeep(summary["investment_pipes_eur"], econ)


def _funding(
    config: ProjectConfig,
    summary: dict[str, float],
    generation: GenerationFigures,
    econ: Economics,
) -> BewFunding:
    """The BEW modules for this network (none when funding is switched off)."""
    if not config.economics.with_funding:
        return no_funding()
    grant = module_2_grant_share(module_2_check(generation.renewable_waste_heat_share).credited)
    saved = _distribution_eur_per_a(summary, econ, 0.0) - _distribution_eur_per_a(
        summary, econ, grant
    )
    return bew_funding(
        generation,
        eligible_investment_grant_eur_per_a=saved,
        interest_rate=econ.interest_rate,
        observation_period_a=econ.observation_period_a,
    )


def network_cost(
    config: ProjectConfig,
    summary: dict[str, float],
    generation_cost_eur_per_a: float,
    *,
    year: int | None,
    generation: GenerationFigures,
    revenue_eur_per_mwh: float | None = None,
) -> NetworkCost:
    """Distribution + generation cost per MWh delivered (EUR of the catalogue price years).

    ``generation`` (renewable and waste-heat share, heat-pump and solar heat of the dispatch)
    decides the BEW modules: the Modul 2 grant lowers the distribution cost, the Modul 4
    operating funding the generation cost. With ``revenue_eur_per_mwh`` (what the heat can
    earn: the customers' alternative net of VAT [EUR/MWh]) the funding is capped at the funding
    gap (:func:`heatplan.network.funding.cap_at_funding_gap`).
    """
    econ = economics_of(config, year)
    bew = _funding(config, summary, generation, econ)
    delivered = summary["heat_delivered_mwh_per_a"]
    if revenue_eur_per_mwh is not None and np.isfinite(revenue_eur_per_mwh):
        unfunded = _distribution_eur_per_a(summary, econ, 0.0) + generation_cost_eur_per_a
        gap = funding_gap_eur_per_a(
            unfunded_cost_eur_per_a=unfunded,
            delivered_mwh_per_a=delivered,
            revenue_eur_per_mwh=revenue_eur_per_mwh,
        )
        bew, _ = cap_at_funding_gap(bew, gap_eur_per_a=gap, revenue_eur_per_mwh=revenue_eur_per_mwh)
    network = _distribution_eur_per_a(summary, econ, bew.investment_grant_share)
    generated = generation_cost_eur_per_a - bew.operating_credit_eur_per_a
    return NetworkCost(
        funding_share=bew.investment_grant_share,
        network_cost_eur_per_a=network,
        generation_cost_eur_per_a=generated,
        lcoh_distribution_eur_per_mwh=network / delivered,
        lcoh_generation_eur_per_mwh=generated / delivered,
        lcoh_eur_per_mwh=(network + generated) / delivered,
        funding=bew,
        heat_delivered_mwh_per_a=delivered,
    )


def decentral_frame(
    config: ProjectConfig,
    selected: gpd.GeoDataFrame,
    weather: inputs.Weather,
    decentral: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per selected building: decentral LCOH by option [EUR/MWh] and the cheapest, as the
    project's perspective sees them, indexed by building id."""
    peak, hourly = inputs.loads(config, selected, weather)
    temperature = weather[0]
    frame = selected.set_index(col.BUILDING_ID)[[col.HEAT_DEMAND_KWH_PER_A, col.CONSTRUCTION_YEAR]]
    frame = frame.assign(peak_load_kw=peak)
    if decentral is not None:
        frame = frame.join(decentral.set_index(col.BUILDING_ID)[["ground_ok", "air_ok"]])
    return decentral_costs(
        frame,
        spf=seasonal_factors(temperature.set_axis(hourly.index), hourly),
        economics=economics_of(config).seen_as(config.economics.perspective),
        with_funding=config.economics.with_funding,
    )


def alternative_revenue_eur_per_mwh(costs: pd.DataFrame, heat_kwh_per_a: pd.Series) -> float:
    """What the network's heat can earn [EUR/MWh, net of VAT]: the demand-weighted full cost of
    the buildings' cheapest decentral option (their alternative, gross) less VAT (NaN: none)."""
    best = costs["best_decentral_lcoh_eur_per_mwh"]
    weight = heat_kwh_per_a.reindex(best.index).fillna(0.0)
    usable = best.notna() & (weight > 0)
    if not usable.any():
        return float("nan")
    gross = float(np.average(best[usable], weights=weight[usable]))
    return gross / (1.0 + vat_rate())


def building_options(
    costs: pd.DataFrame, cost: NetworkCost, connected_peak_kw: pd.Series, perspective: str
) -> pd.DataFrame:
    """Per selected building: decentral LCOH by option (``costs`` of :func:`decentral_frame`)
    against the network's heat price as ``perspective`` sees it (the owner's incl. VAT)."""
    price = cost.lcoh_eur_per_mwh * (1.0 + vat_rate() if perspective == "owner" else 1.0)
    costs = costs.copy()
    costs["connected"] = costs.index.isin(connected_peak_kw.index)
    costs["network_lcoh_eur_per_mwh"] = price
    best = costs["best_decentral_lcoh_eur_per_mwh"]
    costs["cheaper"] = (best > price).map({True: "network", False: "decentral"})
    return costs.reset_index()

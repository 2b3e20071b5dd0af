"""The figures each area's classification rests on, computed from the plan.

Per area: a network laid out on its streets (route and pipe sizes, :func:`lay_out`) costed with
the town's generation cost per MWh (one dispatch for the summed load of all candidate areas),
against the demand-weighted full cost of each building's cheapest decentral option; existing
heat networks in and near the area; cumulative GHG of both routes to the target year.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.classify import uncertainty
from heatplan.classify.rules import (
    AreaFigures,
    criteria,
    network_possible,
    weight,
    weighted,
)
from heatplan.dispatch import reserve
from heatplan.errors import HeatplanError
from heatplan.formats import german
from heatplan.network import selection as inputs
from heatplan.network.generation import required_share
from heatplan.network.layout import Layout, lay_out
from heatplan.options.decentral import PERSPECTIVES, compared_options, decentral_costs
from heatplan.options.tariffs import VolumePath, vat_rate
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.reference import carriers
from heatplan.reference.emissions import DEFAULT_GRID_PATH, grid_factor_g_per_kwh

POTENTIAL_LABELS = {
    "sewage_plant_effluent": "Abwasserwärme (Kläranlage)",
    "sewer": "Abwasserwärme (Kanal)",
    "industrial_waste_heat": "industrielle Abwärme",
}


@dataclass
class AreaInputs:
    """One area's buildings, geometry and what is known about it."""

    area_id: str
    geometry: Any
    buildings: gpd.GeoDataFrame
    shortened: bool
    shortened_reason: str
    line_density_kwh_per_m_a: float
    #: ``shortened_reason`` in English (``eignung_reason_en``).
    shortened_reason_en: str = ""


#: One area's decentral figures: demand-weighted LCOH [EUR/MWh], the most frequent best
#: option, its demand-weighted efficiency or SPF [-] and the energy part of the LCOH [EUR/MWh].
Decentral = tuple[float, str, float, float]


def decentral_building_costs(
    config: Any, area: AreaInputs, weather: inputs.Weather, spf: pd.DataFrame, economics: Any
) -> pd.DataFrame | None:
    """Full cost [EUR/MWh] of every decentral option for each building of ``area`` with a heat
    demand (:func:`heatplan.options.decentral.decentral_costs`, indexed by building id, with
    its ``heat_demand_kwh_per_a``); None for an area without demand."""
    known = area.buildings[area.buildings[col.HEAT_DEMAND_KWH_PER_A].fillna(0) > 0]
    if known.empty:
        return None
    peak, _ = inputs.loads(config, known, weather)
    frame = known.set_index(col.BUILDING_ID)[[col.HEAT_DEMAND_KWH_PER_A, col.CONSTRUCTION_YEAR]]
    for flag in ("ground_ok", "air_ok"):
        if flag in known.columns:
            frame[flag] = known.set_index(col.BUILDING_ID)[flag]
    costs = decentral_costs(
        frame.assign(peak_load_kw=peak), spf=spf, economics=economics, candidates=candidates()
    )
    return costs.assign(**{col.HEAT_DEMAND_KWH_PER_A: frame[col.HEAT_DEMAND_KWH_PER_A]})


def town_decentral_costs(
    config: Any,
    areas: list[AreaInputs],
    weather: inputs.Weather,
    spf: pd.DataFrame,
    economics: Any,
) -> list[pd.DataFrame | None]:
    """:func:`decentral_building_costs` of each area in ``areas``, computed for the whole town
    at once and split by area (the same figures: each building's costs are its own).

    One call instead of one per area and perspective: the tariff, price path and catalogue
    look-ups of an option are made once for the town (issue 20).
    """
    known = [a.buildings[a.buildings[col.HEAT_DEMAND_KWH_PER_A].fillna(0) > 0] for a in areas]
    sizes = [len(k) for k in known]
    if not sum(sizes):
        return [None] * len(areas)
    town = AreaInputs(
        area_id="",
        geometry=None,
        buildings=pd.concat([k for k in known if len(k)], ignore_index=True),
        shortened=False,
        shortened_reason="",
        line_density_kwh_per_m_a=0.0,
    )
    costs = decentral_building_costs(config, town, weather, spf, economics)
    assert costs is not None
    ends = np.cumsum(sizes)
    return [
        None if size == 0 else costs.iloc[end - size : end]
        for size, end in zip(sizes, ends, strict=True)
    ]


def decentral_summary(costs: pd.DataFrame | None) -> Decentral:
    """Demand-weighted LCOH of the buildings' cheapest usable decentral options [EUR/MWh], the
    most frequent of those options, its demand-weighted efficiency or SPF [-], and the
    demand-weighted energy cost of those options per MWh of heat [EUR/MWh]."""
    if costs is None:
        return math.nan, "", math.nan, math.nan
    weight = costs[col.HEAT_DEMAND_KWH_PER_A]
    usable = costs["best_decentral_lcoh_eur_per_mwh"].notna()
    lcoh = float(
        np.average(costs.loc[usable, "best_decentral_lcoh_eur_per_mwh"], weights=weight[usable])
    )
    option = str(costs.loc[usable, "best_decentral"].mode().iloc[0])
    efficiency = float(
        np.average(costs.loc[usable, f"efficiency_{option}"], weights=weight[usable])
    )
    energy = float(
        np.average(costs.loc[usable, "best_decentral_energy_eur_per_mwh"], weights=weight[usable])
    )
    return lcoh, option, efficiency, energy


def decentral_figures(
    config: Any, area: AreaInputs, weather: inputs.Weather, spf: pd.DataFrame, economics: Any
) -> Decentral:
    """:func:`decentral_summary` of :func:`decentral_building_costs`."""
    return decentral_summary(decentral_building_costs(config, area, weather, spf, economics))


def candidates() -> tuple[str, ...]:
    """The decentral options an area is compared with (``classification_parameters.csv``)."""
    return compared_options()


def ghg_decentral_t(
    heat_mwh_per_a: float,
    option: str,
    efficiency: float,
    years: range,
    *,
    path: str = DEFAULT_GRID_PATH,
) -> float:
    """Cumulative GHG [t CO2e incl. upstream] of ``heat_mwh_per_a`` with ``option`` over ``years``;
    heat pumps with the grid factor of each year on grid path ``path``."""
    if not heat_mwh_per_a or math.isnan(efficiency):
        return math.nan
    final_mwh = heat_mwh_per_a / efficiency
    if option in ("air_hp", "ground_hp"):
        factors = np.asarray(grid_factor_g_per_kwh(np.asarray(list(years), float), path=path))
    else:
        carrier = "wood" if option == "biomass" else "natural_gas"
        factor = pd.to_numeric(carriers()["co2_g_per_kwh"]).loc[carrier]
        factors = np.full(len(years), float(factor))
    return float(final_mwh * factors.sum() / 1000.0)


def network_layout(
    config: Any, plan: Plan, area: AreaInputs, weather: inputs.Weather
) -> Layout | None:
    """The area's network laid out from its default source; None when it cannot be routed."""
    known = area.buildings[area.buildings[col.HEAT_DEMAND_KWH_PER_A].fillna(0) > 0]
    if area.shortened or known.empty:
        return None
    source, _ = inputs.default_source(plan, known)
    try:
        return lay_out(config, plan, known, source, weather)
    except HeatplanError:
        return None


def heat_network_lengths(geometry: Any, networks: gpd.GeoDataFrame | None) -> tuple[float, float]:
    """Existing heat-network length inside the area [m] and distance to the nearest [m]."""
    if networks is None or networks.empty:
        return 0.0, math.inf
    inside = float(networks.geometry.intersection(geometry).length.sum())
    return inside, float(networks.geometry.distance(geometry).min())


def nearby_potential(geometry: Any, potentials: gpd.GeoDataFrame | None, reach_m: float) -> str:
    """The nearest wastewater or waste-heat potential within reach, in words."""
    if potentials is None or potentials.empty:
        return ""
    chosen = potentials[potentials["kind"].isin(list(POTENTIAL_LABELS))]
    if chosen.empty:
        return ""
    distance = chosen.geometry.distance(geometry)
    nearest = distance.idxmin()
    if distance[nearest] > reach_m:
        return ""
    label = POTENTIAL_LABELS[str(chosen.loc[nearest, "kind"])]
    return f"{label} {german(f'{distance[nearest] / 1000:.1f}')} km entfernt"


def figures(
    area: AreaInputs,
    *,
    network_lcoh: float,
    network_ghg_t: float,
    decentral: Decentral,
    heat_networks: tuple[float, float],
    potential: str,
    years: range,
    n1_coverage: float = math.nan,
    grid_path: str = DEFAULT_GRID_PATH,
) -> AreaFigures:
    demand = area.buildings[col.HEAT_DEMAND_KWH_PER_A]
    heat_mwh = float(demand.fillna(0).sum()) / 1000.0
    lcoh, option, efficiency, _ = decentral
    return AreaFigures(
        area_id=area.area_id,
        shortened=area.shortened,
        shortened_reason=area.shortened_reason,
        shortened_reason_en=area.shortened_reason_en,
        network_lcoh_eur_per_mwh=network_lcoh,
        decentral_lcoh_eur_per_mwh=lcoh,
        best_decentral=option,
        line_density_kwh_per_m_a=area.line_density_kwh_per_m_a,
        heat_network_in_area_m=heat_networks[0],
        distance_to_heat_network_m=heat_networks[1],
        unknown_demand_share=float(demand.isna().mean()) if len(demand) else 0.0,
        ghg_network_t=network_ghg_t,
        ghg_decentral_t=ghg_decentral_t(heat_mwh, option, efficiency, years, path=grid_path),
        nearby_potential=potential,
        buildings_with_demand=int(demand.fillna(0).gt(0).sum()),
        network_n1_coverage=n1_coverage,
    )


def n1_coverage(generation: Any) -> float:
    """Share of the peak load the plant covers with its largest unit out [-] (N-1 rule).

    Installed heat capacities of the dispatched units, the n-1 reserve included (storage is not
    counted: it may be empty when the unit fails) minus the largest, over the hourly peak load
    (:func:`heatplan.dispatch.reserve.n1_coverage`); NaN without a plant.
    """
    if generation is None:
        return math.nan
    return float(reserve.n1_coverage(generation.portfolio, generation.result))


def network_ghg_t(
    result: Any, generated_mwh_per_a: float, years: range, *, path: str = DEFAULT_GRID_PATH
) -> float:
    """Cumulative GHG [t CO2e incl. upstream] of a network's heat over ``years`` on the WPG path.

    The plant's dispatch fixes today's mix; each later year replaces fossil heat by heat-pump
    heat as far as WPG §§ 29-31 require (30 % 2030, 80 % 2040, 100 % 2045; new networks 65 %),
    the heat pumps at the dispatch's mean COP with the grid factor of that year on grid path
    ``path``.
    """
    if result is None or result.demand_mwh_per_a <= 0:
        return math.nan
    base_share = result.renewable_share
    pump_heat = float(result.heat_mwh_per_a.get("heat_pump", 0.0))
    cop = pump_heat / result.electricity_mwh_per_a if result.electricity_mwh_per_a > 0 else 3.0
    gas_heat = (1.0 - base_share) * result.demand_mwh_per_a
    gas_t_per_mwh_heat = (
        result.fuel_mwh_per_a.get("natural_gas", 0.0)
        * float(pd.to_numeric(carriers()["co2_g_per_kwh"]).loc["natural_gas"])
        / 1000.0
        / gas_heat
        if gas_heat > 0
        else 0.0
    )
    total = 0.0
    for year in years:
        share = max(base_share, required_share(year), required_share(year, new_network=False))
        grid_t_per_mwh = float(grid_factor_g_per_kwh(float(year), path=path)) / 1000.0
        per_mwh = (1.0 - share) * gas_t_per_mwh_heat + share / cop * grid_t_per_mwh
        total += generated_mwh_per_a * per_mwh
    return total


def cost_parts(cost: Any, decentral: Decentral) -> uncertainty.CostParts | None:
    """The area's full costs split for the Monte Carlo; None without a network or an option.

    ``cost`` and ``decentral`` are of the perspective that decides. The decentral energy part is
    the demand-weighted energy cost of the buildings' best options per MWh of heat (levelised
    prices, heat pumps on their § 14a tariff); the rest of its full cost is capital and upkeep.
    """
    lcoh, option, _, energy = decentral
    if cost is None or not option or math.isnan(lcoh) or math.isnan(energy):
        return None
    return uncertainty.CostParts(
        network_distribution=cost.lcoh_distribution_eur_per_mwh,
        network_generation=cost.lcoh_generation_eur_per_mwh,
        decentral_capital=lcoh - energy,
        decentral_energy=energy,
    )


def with_probability(
    figures: AreaFigures,
    parts: uncertainty.CostParts | None,
    factors: uncertainty.Factors,
    params: Mapping[str, float] | None = None,
) -> AreaFigures:
    """``figures`` with the share of paths in which the network scores better (when costed)."""
    if parts is None or not network_possible(figures, params):
        return figures
    others = {k: v for k, v in criteria(figures, params).items() if k != "cost"}
    fixed = weighted(others, params)
    cost_weight = weight("weight_cost", params)
    chance = uncertainty.probability_network_better(
        parts, factors, other_criteria=fixed, weight_cost=cost_weight
    )
    moves = uncertainty.drivers(parts, factors, other_criteria=fixed, weight_cost=cost_weight)
    named = tuple(name for name, move in moves[:3] if move > 0)
    return replace(figures, network_better_probability=chance, paths=factors.samples, drivers=named)


def in_perspective(cost: Any, perspective: str) -> Any:
    """A network's cost as ``perspective`` sees it: the owner pays the heat price incl. VAT
    (UStG § 12 (1)); the economic cost is the utility's, without VAT (``cost`` is computed with
    the funding the perspective counts)."""
    if cost is None or perspective == "economic":
        return cost
    gross = 1.0 + vat_rate()
    return replace(
        cost,
        network_cost_eur_per_a=cost.network_cost_eur_per_a * gross,
        generation_cost_eur_per_a=cost.generation_cost_eur_per_a * gross,
        lcoh_distribution_eur_per_mwh=cost.lcoh_distribution_eur_per_mwh * gross,
        lcoh_generation_eur_per_mwh=cost.lcoh_generation_eur_per_mwh * gross,
        lcoh_eur_per_mwh=cost.lcoh_eur_per_mwh * gross,
    )


def perspective_columns(
    network: Mapping[str, Any], decentral: Mapping[str, Decentral], chosen: str
) -> dict[str, object]:
    """Network and decentral full cost [EUR/MWh] of every perspective, and the one that decides."""
    columns = {
        "owner": (col.NETWORK_LCOH_OWNER_EUR_PER_MWH, col.DECENTRAL_LCOH_OWNER_EUR_PER_MWH),
        "economic": (
            col.NETWORK_LCOH_ECONOMIC_EUR_PER_MWH,
            col.DECENTRAL_LCOH_ECONOMIC_EUR_PER_MWH,
        ),
    }
    out: dict[str, object] = {col.COST_PERSPECTIVE: chosen}
    for name in PERSPECTIVES:
        cost = network.get(name)
        network_column, decentral_column = columns[name]
        out[network_column] = math.nan if cost is None else cost.lcoh_eur_per_mwh
        out[decentral_column] = decentral[name][0]
    return out


def gas_volume_path(plan: Plan, start_year: int) -> VolumePath | None:
    """Share of buildings still on the gas network per year from the plan's scenario (base
    variant), relative to today's share of gas-heated buildings; None without a scenario."""
    indicators = plan.get("scenario_indicators")
    if indicators is None or indicators.empty:
        return None
    rows = indicators[
        (indicators["indicator"] == "gas_network_buildings")
        & (indicators["key"] == "share:buildings")
    ]
    if rows.empty:
        return None
    rows = rows[
        rows["variant"] == ("base" if "base" in set(rows["variant"]) else rows["variant"].iloc[0])
    ]
    today = _gas_share_today(plan)
    if not today:
        return None
    points = [(float(start_year), 1.0)] + [
        (float(y), float(v) / today)
        for y, v in zip(rows["year"], rows["value"], strict=True)
        if float(y) > start_year
    ]
    return tuple(sorted(points))


def _gas_share_today(plan: Plan) -> float:
    buildings = plan.get("buildings")
    if buildings is None or col.CARRIER not in buildings.columns or buildings.empty:
        return 0.0
    return float(buildings[col.CARRIER].astype(str).eq("natural_gas").mean())

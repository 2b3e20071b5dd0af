"""Costs of a target-scenario pathway: energy bills, renovation, heaters, connections, networks.

Every figure is a sum over the years of the pathway (base year to target year), real and
undiscounted; money is in EUR of the price year of its source (:func:`price_years`, stated in
the result as ``price_years``):

- ``energy_cost_eur``: final energy of every year x household price of its carrier
  (district heat at the consumer price ``price_district_heat_eur_per_mwh``).
- ``renovation_investment_eur``: renovated heated area x ``renovation_cost_eur_per_m2``; the
  heated area is estimated where the inventory has none (:mod:`heatplan.scenario.heated_area`).
- ``heater_investment_eur``: every heater change of the pathway (first and second change per
  building) x the investment of the new heater, sized to the building's heat demand of that
  year over ``heater_full_load_hours_h_per_a``: the German installed cost
  (:mod:`heatplan.options.installed_cost`, EUR of 2023) for air and ground heat pumps and gas
  condensing boilers — the same cost the § 18 comparison of the areas charges —, else the
  catalogue investment (``technology_catalogue.csv``) at the install year. Renewable heaters
  renewed like for like are not changes of the pathway and not counted; a direct-electric
  heater renewed like for like is costed as a new boiler (the catalogue has no electric heater).
- ``connection_investment_eur``: the house substation of every building that connects to a heat
  network (``house_substation_kww``), sized the same way.
- ``network_investment_eur``: pipes of the networks the pathway builds (areas of type
  Ausbau/Neubau that connect buildings), spread over the years their buildings are reached. The
  trench length and pipe investment come from the classification (``network_trench_length_m``,
  ``network_investment_pipes_eur`` of the ``areas`` layer) where stored; otherwise the length is
  the area's street length (heat demand / line density) at the trench cost of a typical pipe
  (``network_fallback_inner_diameter_mm``, :func:`heatplan.network.costs.trench_cost_eur_per_m`).
- ``*_annuity_eur``: the same investments as VDI 2067-1 annuities (interest rate and lifetime of
  each investment) counted for the years each one serves up to the target year.

``total_cost_eur`` = energy + renovation + heater + connection investment, and
``total_annualised_cost_eur`` = energy + the annuities of these three. The network pipes are not
in the totals: their capital is recovered through the district-heat price that the energy cost
already counts (adding them would count it twice); ``investment_eur`` is the investment need of
the plan including the pipes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from heatplan.network import costs as network_costs
from heatplan.options import installed_cost, price_paths, tariffs
from heatplan.options.decentral import OPTIONS
from heatplan.plan import columns as col
from heatplan.reference import catalogue, parameter, table
from heatplan.scenario.settings import HOUSEHOLD_PRICES
from heatplan.scenario.supply import SYSTEMS
from heatplan.tech.economics import annuity_factor

if TYPE_CHECKING:
    from heatplan.scenario.pathway import Pathway

PARAMETERS = "scenario_parameters.csv"
#: carrier -> row of energy_prices.csv (household prices)
ECONOMICS = "economic_parameters.csv"
BUILT = ("waermenetz_ausbau", "waermenetz_neubau")


def price_years(settings: Any) -> str:
    """The price years of the cost parts, from the data files (e.g. 'energy 2025, ...')."""
    prices = table("energy_prices.csv").set_index("parameter")["price_year"]
    used = [prices[key] for key in HOUSEHOLD_PRICES.values()]
    technologies = [_technology(s, settings) for s in SYSTEMS]
    rows = catalogue.catalogue()
    from_catalogue = [t for t in technologies if t and _installed_option(t) is None]
    heaters = rows[
        rows["technology"].isin(from_catalogue) & (rows["parameter"] == "specific_investment")
    ]
    installed = [
        installed_cost.installed_cost(option, 10.0).price_year
        for option in {_installed_option(t) for t in technologies if t} - {None}
        if option is not None
    ]
    parts = {
        "energy": used,
        "renovation": [parameter(PARAMETERS, "renovation_cost_price_year")],
        "heaters": list(heaters["price_year"]) + installed,
        "network": [network_costs.pipe_price_year()],
    }
    return ", ".join(
        f"{name} {'/'.join(str(int(y)) for y in sorted(set(pd.Series(years).dropna())))}"
        for name, years in parts.items()
    )


def _technology(system: str, settings: Any) -> str | None:
    """Catalogue technology of a new system of :data:`heatplan.scenario.supply.SYSTEMS`."""
    return {
        "like_for_like": settings.new_boiler_technology,
        "hydrogen_ready": settings.new_boiler_technology,
        "heat_pump_air": OPTIONS["air_hp"][0],
        "heat_pump_ground": OPTIONS["ground_hp"][0],
        "biomass": settings.biomass_boiler_technology,
        "district_heat": network_costs.SUBSTATION_TECHNOLOGY,
    }.get(system)


def _in_catalogue(technology: str, years: np.ndarray) -> np.ndarray:
    known = catalogue.years(technology)
    return np.clip(years, min(known), max(known))


def _annuity_eur(
    investment: np.ndarray,
    lifetime_a: np.ndarray | float,
    served_a: np.ndarray,
    interest_rate: float,
) -> np.ndarray:
    """Annuity x years served within the pathway (at most one lifetime) [EUR]."""
    factor = np.asarray(annuity_factor(interest_rate=interest_rate, period_a=lifetime_a))
    return investment * factor * np.minimum(served_a, lifetime_a)


def heater_events(result: Pathway) -> pd.DataFrame:
    """Every heater change: building, year [a], new system and heat demand that year [kWh/a]."""
    details = result.buildings.reset_index(drop=True)
    parts = []
    for n in (1, 2):
        year = details[f"year_{n}"].to_numpy(float)
        chosen = np.isfinite(year)
        parts.append(
            pd.DataFrame(
                {
                    col.BUILDING_ID: details.loc[chosen, col.BUILDING_ID].to_numpy(),
                    "year": year[chosen].astype(int),
                    "system": details.loc[chosen, f"system_{n}"].to_numpy(),
                }
            )
        )
    events = pd.concat(parts, ignore_index=True)
    heat = result.heat_kwh
    rows = heat.index.get_indexer(pd.Index(events[col.BUILDING_ID]))
    cols = heat.columns.get_indexer(pd.Index(events["year"]))
    events["heat_kwh_per_a"] = heat.to_numpy()[rows, cols]
    return events


def _installed_option(technology: str) -> str | None:
    """The option with a German installed cost that ``technology`` is, if any."""
    by_technology = {OPTIONS[option][0]: option for option in installed_cost.OPTIONS}
    return by_technology.get(technology)


def _priced(technology: str, capacity_kw: np.ndarray, year: int) -> tuple[np.ndarray, float]:
    """Investment [EUR] of each capacity [kW] (peak load) and the lifetime [a] (NaN: none):
    the German installed cost where there is one, else the catalogue's."""
    at = float(_in_catalogue(technology, np.array([year]))[0])
    option = _installed_option(technology)
    if option is not None:
        invest, _upkeep = installed_cost.installed_investment_eur(option, capacity_kw)
    else:
        invest = catalogue.investment_eur(technology, capacity_kw, year=at)
    lifetime = float(catalogue.technology(technology, at).get("lifetime_a", np.nan))
    return np.asarray(invest, dtype=float), lifetime


def heater_costs(result: Pathway, *, interest_rate: float) -> dict[str, float]:
    """Investment and annuity of new heaters and house substations [EUR]."""
    events = heater_events(result)
    hours = parameter(PARAMETERS, "heater_full_load_hours_h_per_a")
    target = result.settings.target_year
    out = {f"{k}_{m}": 0.0 for k in ("heater", "connection") for m in ("investment", "annuity")}
    for (system, install), group in events.groupby(["system", "year"]):
        year = int(str(install))
        technology = _technology(str(system), result.settings)
        if technology is None:
            continue
        kind = "connection" if system == "district_heat" else "heater"
        invest, life = _priced(technology, group["heat_kwh_per_a"].to_numpy(float) / hours, year)
        if np.isnan(life):  # the house substation: lifetime_a_substation of the settings
            lives = result.settings.lifetime_a
            life = lives.get("substation" if kind == "connection" else "default", lives["default"])
        served = np.full(len(invest), target - float(year) + 1.0)
        out[f"{kind}_investment"] += float(invest.sum())
        out[f"{kind}_annuity"] += float(_annuity_eur(invest, life, served, interest_rate).sum())
    return out


def area_pipe_investment_eur(areas: pd.DataFrame) -> pd.Series:
    """Pipe investment of a network covering each area [EUR of the pipe price year]."""
    frame = areas.set_index(areas[col.AREA_ID].astype(str))
    demand = _numbers(frame, col.HEAT_DEMAND_MWH_PER_A) * 1000.0
    density = _numbers(frame, col.LINE_DENSITY_KWH_PER_M_A)
    length = (demand / density.where(density > 0)).fillna(0.0)
    per_m = network_costs.trench_cost_eur_per_m(
        parameter(PARAMETERS, "network_fallback_inner_diameter_mm"), "road"
    )
    estimate = length * float(per_m)
    return _numbers(frame, "network_investment_pipes_eur").fillna(estimate)


def _numbers(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").astype(float)


def network_costs_eur(
    result: Pathway, areas: pd.DataFrame | None, *, interest_rate: float
) -> dict[str, float]:
    """Investment and annuity of the pipes of the networks built in the pathway [EUR]."""
    if areas is None or areas.empty:
        return {"network_investment": np.nan, "network_annuity": np.nan}
    target = f"area_type_{result.settings.target_year}"
    kinds = areas.set_index(areas[col.AREA_ID].astype(str)).get(target)
    pipes = area_pipe_investment_eur(areas)
    details = result.buildings
    reach = details["reach_year"].to_numpy(float)
    area = details[col.AREA_ID].astype(str)
    built = area.map(kinds).isin(BUILT).to_numpy() if kinds is not None else np.zeros(len(area))
    size = area.map(area.value_counts()).to_numpy(float)
    share = pipes.reindex(area).fillna(0.0).to_numpy() / size
    reached = built & np.isfinite(reach) & (reach <= result.settings.target_year)
    invest = np.where(reached, share, 0.0)
    life = network_costs.pipe_lifetime_a()
    served = np.where(reached, result.settings.target_year - reach + 1.0, 0.0)
    return {
        "network_investment": float(invest.sum()),
        "network_annuity": float(_annuity_eur(invest, life, served, interest_rate).sum()),
    }


def _energy_cost_eur(result: Pathway) -> float:
    """Final energy of every year x the household price of its carrier in that year [EUR].

    Fuel prices follow the settings' CO2 price path (:mod:`heatplan.options.price_paths`) and
    gas pays a network fee that grows as the pathway's own gas volume falls
    (:func:`heatplan.options.tariffs.gas_fee_surcharge_eur_per_mwh`); without a path, today's
    prices hold in every year.
    """
    settings = result.settings
    prices = settings.prices_eur_per_mwh
    yearly = result.energy.groupby(["year", col.CARRIER])[col.FINAL_ENERGY_KWH_PER_A].sum()
    volume = gas_volume_path(yearly)
    total = 0.0
    for key, rows in (yearly / 1000.0).groupby(level=col.CARRIER):
        carrier = str(key)
        if carrier not in prices:
            continue
        years = rows.index.get_level_values("year").to_numpy(float)
        price = np.full(len(years), float(prices[carrier]))
        if settings.co2_price_path is not None:
            price = price + price_paths.co2_surcharge_eur_per_mwh(
                carrier, years, settings.co2_price_path, base_year=settings.base_year
            )
            if carrier == "natural_gas" and volume:
                price = price + tariffs.gas_fee_surcharge_eur_per_mwh(years, volume)
        total += float(np.sum(rows.to_numpy(float) * price))
    return total


def gas_volume_path(yearly_kwh: pd.Series) -> tariffs.VolumePath:
    """Natural gas of each year as a share of the first year's (the fee's volume path) [-];
    empty without gas. ``yearly_kwh``: final energy indexed by (year, carrier)."""
    if col.CARRIER not in (yearly_kwh.index.names or []):
        return ()
    carriers = yearly_kwh.index.get_level_values(col.CARRIER)
    gas = yearly_kwh[carriers == "natural_gas"].groupby(level="year").sum().sort_index()
    if gas.empty or gas.iloc[0] <= 0:
        return ()
    return tuple((float(str(y)), float(v / gas.iloc[0])) for y, v in gas.items())


def pathway_costs(
    result: Pathway, areas: pd.DataFrame | None = None, *, interest_rate: float | None = None
) -> dict[str, Any]:
    """All cost figures of a pathway (see the module docstring) [EUR, real, undiscounted]."""
    rate = parameter(ECONOMICS, "interest_rate") if interest_rate is None else interest_rate
    settings = result.settings
    energy = result.energy.groupby(col.CARRIER)[col.FINAL_ENERGY_KWH_PER_A].sum() / 1000.0
    unpriced = sorted(
        c for c in energy.index if c not in settings.prices_eur_per_mwh and energy[c] > 0
    )
    energy_cost = _energy_cost_eur(result)
    area = result.stock["renovated_area_m2"].to_numpy(float)
    renovation = area * settings.renovation_cost_eur_per_m2
    served = settings.target_year - result.stock["year"].to_numpy(float) + 1.0
    life = np.full(len(area), parameter(PARAMETERS, "renovation_lifetime_a"))
    heaters = heater_costs(result, interest_rate=rate)
    network = network_costs_eur(result, areas, interest_rate=rate)
    out: dict[str, Any] = {
        "energy_cost_eur": energy_cost,
        "renovation_investment_eur": float(renovation.sum()),
        "heater_investment_eur": heaters["heater_investment"],
        "connection_investment_eur": heaters["connection_investment"],
        "network_investment_eur": network["network_investment"],
        "renovation_annuity_eur": float(_annuity_eur(renovation, life, served, rate).sum()),
        "heater_annuity_eur": heaters["heater_annuity"],
        "connection_annuity_eur": heaters["connection_annuity"],
        "network_annuity_eur": network["network_annuity"],
    }
    own = ("renovation", "heater", "connection")
    out["investment_eur"] = sum(
        out[f"{k}_investment_eur"]
        for k in (*own, "network")
        if not np.isnan(out[f"{k}_investment_eur"])
    )
    out["total_cost_eur"] = energy_cost + sum(out[f"{k}_investment_eur"] for k in own)
    out["total_annualised_cost_eur"] = energy_cost + sum(out[f"{k}_annuity_eur"] for k in own)
    out["cumulative_co2_t"] = float(result.energy[col.CO2_T_PER_A].sum())
    out["unpriced_carriers"] = unpriced
    out["price_years"] = price_years(settings)
    return out

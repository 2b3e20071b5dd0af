"""A default generation portfolio for a heat network, priced from the technology catalogue.

A large heat pump (on treated effluent when an hourly effluent series is given, else on ambient
air), an electrode boiler (power-to-heat), a gas peak boiler and a hot-water tank; the linear
program sizes all four. Capacity costs are VDI 2067 annuities of the catalogue investment plus
fixed O&M per kW (or kWh); energy prices are the plant prices of ``energy_prices.csv``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from heatplan.dispatch.model import (
    Boiler,
    Chp,
    HeatPump,
    Portfolio,
    PowerToHeat,
    Prices,
    Storage,
)
from heatplan.dispatch.prices import ReferenceBoiler, scenario_levels
from heatplan.reference import catalogue, parameter, table
from heatplan.reference.emissions import DEFAULT_GRID_PATH
from heatplan.reference.heatpump import heat_pump_parameters
from heatplan.tech.economics import annual_cost_eur_per_a
from heatplan.tech.heatpump import cop_lorenz

PRICES = "energy_prices.csv"
GENERATION = "network_generation.csv"
ECONOMICS = "economic_parameters.csv"
RESERVE = "network_reserve.csv"
#: Price at which a CHP sells its power: the wholesale base-load futures of price_scenarios.csv.
POWER_SALE_SCENARIO = "futures_2025_12"
HEAT_PUMP_TECH = {"air": "large_hp_air", "wastewater": "large_hp_water"}


def catalogue_year(technology: str, year: float) -> float:
    """``year`` within the catalogue years of ``technology``: later years keep the last known
    values (held flat, stated in the plan's assumptions; nothing is extrapolated)."""
    known = catalogue.years(technology)
    return float(min(max(year, known[0]), known[-1]))


def annual_capacity_cost(
    technology: str,
    *,
    year: float,
    interest_rate: float | None = None,
    observation_period_a: float | None = None,
) -> float:
    """Annuity of one unit of capacity (kW or kWh) incl. fixed O&M [EUR/(unit·a)]."""
    year = catalogue_year(technology, year)
    tech = catalogue.technology(technology, year)
    rate = parameter(ECONOMICS, "interest_rate") if interest_rate is None else interest_rate
    period = (
        parameter(ECONOMICS, "observation_period_a")
        if observation_period_a is None
        else observation_period_a
    )
    return float(
        annual_cost_eur_per_a(
            investment_eur=float(catalogue.size_investment_eur(technology, 1.0, year=year)),
            lifetime_a=float(tech["lifetime_a"]),
            interest_rate=rate,
            observation_period_a=period,
            fixed_om_share_per_a=float(tech.get("fixed_om_share_per_a", 0.0)),
            energy_cost_eur_per_a=0.0,
            price_change_rate=0.0,
        )
    )


def air_cop(temp_air_c: pd.Series, *, supply_temp_c: float, return_temp_c: float) -> np.ndarray:
    """Hourly COP of a large air-source heat pump (Lorenz, air cooled by a few K) [-]."""
    cooling = parameter(GENERATION, "air_source_cooling_k")
    air = temp_air_c.to_numpy(float)
    efficiency = heat_pump_parameters().lorenz_efficiency_default
    cop = cop_lorenz(return_temp_c, supply_temp_c, air, air - cooling, efficiency=efficiency)
    return np.maximum(np.asarray(cop, float), 1.0)


def plant_prices(year: float = 2025) -> Prices:
    """Plant prices (electricity medium voltage, gas and wood chips) [EUR/MWh]."""
    return Prices(
        electricity_eur_per_mwh=parameter(PRICES, "electricity_network_plant_eur_per_mwh"),
        fuel_eur_per_mwh={
            "natural_gas": parameter(PRICES, "natural_gas_network_plant_eur_per_mwh"),
            "wood": parameter(PRICES, "wood_chips_network_plant_eur_per_mwh"),
        },
    )


def building_gas_boiler(year: float = 2025) -> ReferenceBoiler:
    """The counterfactual gas condensing boiler in each building, at household gas prices.

    The household price (BDEW) exceeds the plant price by network fees, levies and VAT; that
    difference is the boiler's surcharge on whatever plant gas price a scenario or price path
    sets (``energy_prices.csv``; price years 2025 and 2024).
    """
    surcharge = parameter(PRICES, "natural_gas_household_eur_per_mwh") - parameter(
        PRICES, "natural_gas_network_plant_eur_per_mwh"
    )
    name = "gas_condensing_boiler_building"
    return ReferenceBoiler.from_catalogue(
        name, catalogue_year(name, year), price_surcharge_eur_per_mwh=surcharge
    )


def _variable_om(technology: str, year: float) -> float:
    values = catalogue.technology(technology, catalogue_year(technology, year))
    return float(values.get("variable_om_eur_per_mwh", 0.0))


def _boiler(name: str, carrier: str, technology: str, year: float, money: dict) -> Boiler:
    values = catalogue.technology(technology, catalogue_year(technology, year))
    return Boiler(
        name=name,
        carrier=carrier,
        efficiency=float(values["efficiency"]),
        capacity_kw=None,
        annualised_cost_eur_per_kw_a=annual_capacity_cost(technology, year=year, **money),
        variable_om_eur_per_mwh=_variable_om(technology, year),
    )


def n1_reserve_default() -> bool:
    """Whether a network gets the n-1 reserve unless the project says (``network_reserve.csv``)."""
    return parameter(RESERVE, "n1_reserve") > 0


def reserve_boiler(
    *,
    year: float,
    interest_rate: float | None = None,
    observation_period_a: float | None = None,
) -> Boiler:
    """The reserve boiler of ``network_reserve.csv`` priced from the catalogue (capacity unset:
    :func:`heatplan.dispatch.reserve.add_n1_reserve` fixes it at the reserve)."""
    rows = table(RESERVE, as_text=True).set_index("parameter")["value"]
    money = {"interest_rate": interest_rate, "observation_period_a": observation_period_a}
    return _boiler(
        "reserve_boiler", str(rows["reserve_carrier"]), str(rows["reserve_technology"]), year, money
    )


def _biogas_chp(year: float, money: dict) -> Chp:
    """Biogas engine CHP sized by its heat; the catalogue prices it per kW_e."""
    technology = "biogas_chp"
    values = catalogue.technology(technology, catalogue_year(technology, year))
    power_per_heat = float(values["efficiency_electric"] / values["efficiency_thermal"])
    per_kw_e = annual_capacity_cost(technology, year=year, **money)
    return Chp(
        name="biogas_chp",
        carrier="biogas",
        efficiency_electric=float(values["efficiency_electric"]),
        efficiency_thermal=float(values["efficiency_thermal"]),
        capacity_kw=None,
        power_price_eur_per_mwh=scenario_levels(POWER_SALE_SCENARIO)["electricity"],
        annualised_cost_eur_per_kw_a=per_kw_e * power_per_heat,
        variable_om_eur_per_mwh=_variable_om(technology, year),
    )


def network_portfolio(
    demand_kw: pd.Series,
    *,
    cop: np.ndarray,
    source: str = "air",
    source_limit_kw: np.ndarray | None = None,
    year: int = 2025,
    prices: Prices | None = None,
    interest_rate: float | None = None,
    observation_period_a: float | None = None,
    biomass: bool = False,
    biogas_price_eur_per_mwh: float | None = None,
    grid_emission_path: str = DEFAULT_GRID_PATH,
) -> Portfolio:
    """Heat pump, electrode boiler, gas peak boiler and tank, sized by the LP; on request also
    a wood-chip boiler and a biogas CHP (burning biogas at ``biogas_price_eur_per_mwh``).
    Its electricity counts with the grid factor of ``year`` on ``grid_emission_path``.

    The gas boiler stays last: it is the peak boiler :mod:`heatplan.dispatch.sizing` re-sizes.
    """
    money = {"interest_rate": interest_rate, "observation_period_a": observation_period_a}
    wood = (
        (_boiler("biomass_boiler", "wood", "biomass_boiler_central", year, money),)
        if biomass
        else ()
    )
    chps = () if biogas_price_eur_per_mwh is None else (_biogas_chp(year, money),)
    prices = prices or plant_prices(year)
    if biogas_price_eur_per_mwh is not None:
        fuels = {**prices.fuel_eur_per_mwh, "biogas": float(biogas_price_eur_per_mwh)}
        prices = dataclasses.replace(prices, fuel_eur_per_mwh=fuels)
    hp_tech = HEAT_PUMP_TECH.get(source, "large_hp_air")
    peak = float(np.max(demand_kw.to_numpy(float)))
    store_rate = peak * parameter(GENERATION, "default_heat_pump_share_of_peak")
    daily_loss = parameter(GENERATION, "storage_loss_share_per_day")
    return Portfolio(
        demand_kw=demand_kw,
        prices=prices,
        chps=chps,
        year=year,
        grid_emission_path=grid_emission_path,
        heat_pumps=(
            HeatPump(
                name="heat_pump",
                cop=cop,
                capacity_kw=None,
                source_limit_kw=source_limit_kw,
                source=source,
                annualised_cost_eur_per_kw_a=annual_capacity_cost(hp_tech, year=year, **money),
                variable_om_eur_per_mwh=_variable_om(hp_tech, year),
            ),
        ),
        power_to_heat=(
            PowerToHeat(
                name="electrode_boiler",
                capacity_kw=None,
                efficiency=float(
                    catalogue.technology(
                        "electrode_boiler", catalogue_year("electrode_boiler", year)
                    )["efficiency"]
                ),
                annualised_cost_eur_per_kw_a=annual_capacity_cost(
                    "electrode_boiler", year=year, **money
                ),
                variable_om_eur_per_mwh=_variable_om("electrode_boiler", year),
            ),
        ),
        boilers=(*wood, _boiler("gas_boiler", "natural_gas", "gas_boiler_central", year, money)),
        storages=(
            Storage(
                name="tank",
                capacity_kwh=None,
                charge_kw=store_rate,
                discharge_kw=store_rate,
                loss_per_h=1.0 - (1.0 - daily_loss) ** (1.0 / 24.0),
                annualised_cost_eur_per_kwh_a=annual_capacity_cost(
                    "tank_storage", year=year, **money
                ),
            ),
        ),
    )

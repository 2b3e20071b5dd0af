"""A default generation portfolio for a heat network, priced from the technology catalogue.

A large heat pump (on treated effluent when an hourly effluent series is given, else on ambient
air), an electrode boiler (power-to-heat), a gas peak boiler and a hot-water tank; the linear
program sizes all four. Capacity costs are VDI 2067 annuities of the catalogue investment plus
fixed O&M per kW (or kWh); energy prices are the plant prices of ``energy_prices.csv``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

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
from heatplan.dispatch.results import DispatchResult
from heatplan.dispatch.sizing import size_and_dispatch
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
    edition: str = catalogue.DEFAULT_EDITION,
    size_kw: float | None = None,
) -> float:
    """Annuity of one unit of capacity (kW or kWh) incl. fixed O&M [EUR/(unit·a)].

    In a catalogue ``edition`` with its own cost curve for ``technology`` the investment per kW
    is the curve's secant at ``size_kw`` (:func:`heatplan.reference.catalogue.
    edition_investment_per_kw`); lifetime and O&M stay the default catalogue's.
    """
    year = catalogue_year(technology, year)
    tech = catalogue.technology(technology, year)
    per_unit = float(catalogue.size_investment_eur(technology, 1.0, year=year))
    if size_kw is not None:
        per_unit = (
            catalogue.edition_investment_per_kw(technology, edition, size_kw, year=year) or per_unit
        )
    rate = parameter(ECONOMICS, "interest_rate") if interest_rate is None else interest_rate
    period = (
        parameter(ECONOMICS, "observation_period_a")
        if observation_period_a is None
        else observation_period_a
    )
    return float(
        annual_cost_eur_per_a(
            investment_eur=per_unit,
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


def _boiler(
    name: str, carrier: str, technology: str, year: float, money: dict, **edition: Any
) -> Boiler:
    values = catalogue.technology(technology, catalogue_year(technology, year))
    return Boiler(
        name=name,
        carrier=carrier,
        efficiency=float(values["efficiency"]),
        capacity_kw=None,
        annualised_cost_eur_per_kw_a=annual_capacity_cost(
            technology, year=year, **money, **edition
        ),
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
    edition: str = catalogue.DEFAULT_EDITION,
    size_kw: float | None = None,
) -> Boiler:
    """The reserve boiler of ``network_reserve.csv`` priced from the catalogue (capacity unset:
    :func:`heatplan.dispatch.reserve.add_n1_reserve` fixes it at the reserve; ``size_kw``, the
    largest unit it stands in for, prices it on an edition's cost curve)."""
    rows = table(RESERVE, as_text=True).set_index("parameter")["value"]
    money: dict[str, Any] = {
        "interest_rate": interest_rate,
        "observation_period_a": observation_period_a,
    }
    return _boiler(
        "reserve_boiler",
        str(rows["reserve_carrier"]),
        str(rows["reserve_technology"]),
        year,
        money,
        edition=edition,
        size_kw=size_kw,
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
    catalogue_edition: str = catalogue.DEFAULT_EDITION,
) -> Portfolio:
    """Heat pump, electrode boiler, gas peak boiler and tank, sized by the LP; on request also
    a wood-chip boiler and a biogas CHP (burning biogas at ``biogas_price_eur_per_mwh``).
    Its electricity counts with the grid factor of ``year`` on ``grid_emission_path``.

    Investments come from ``catalogue_edition``; where it has a cost curve, the unit is priced
    at the curve's secant for the edition's reference share of the peak (:func:`reprice` then
    prices it at the size the dispatch chose).

    The gas boiler stays last: it is the peak boiler :mod:`heatplan.dispatch.sizing` re-sizes.
    """
    money: dict[str, Any] = {
        "interest_rate": interest_rate,
        "observation_period_a": observation_period_a,
    }
    peak = float(np.max(demand_kw.to_numpy(float)))

    def edition(technology: str) -> dict[str, Any]:
        curve = catalogue.edition_curve(technology, catalogue_edition)
        size = None if curve is None else peak * curve[1]
        return {"edition": catalogue_edition, "size_kw": size}

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
                annualised_cost_eur_per_kw_a=annual_capacity_cost(
                    hp_tech, year=year, **money, **edition(hp_tech)
                ),
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
        boilers=(
            *wood,
            _boiler(
                "gas_boiler",
                "natural_gas",
                "gas_boiler_central",
                year,
                money,
                **edition("gas_boiler_central"),
            ),
        ),
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


#: The catalogue entries of the default portfolio's units an edition may price differently.
UNIT_TECHNOLOGY = {"gas_boiler": "gas_boiler_central", **{v: v for v in HEAT_PUMP_TECH.values()}}


def reprice(
    portfolio: Portfolio,
    capacity_kw: Mapping[str, float],
    *,
    edition: str,
    year: float,
    interest_rate: float | None = None,
    observation_period_a: float | None = None,
) -> Portfolio | None:
    """``portfolio`` with each unit an ``edition`` prices on a cost curve priced at the size
    the dispatch chose (``capacity_kw`` by unit name); None when no unit's price changes (the
    default edition, or no unit with a curve and a size).

    A cost curve a·P^b with b < 1 makes a larger unit cheaper per kW; a linear program cannot
    hold that, so the first pass prices each unit at a reference size and this second pass at
    its own size (one step of the fixed point, stated in the edition's note).
    """
    if edition == catalogue.DEFAULT_EDITION:
        return None
    money: dict[str, Any] = {
        "interest_rate": interest_rate,
        "observation_period_a": observation_period_a,
    }
    changed = False

    def priced(unit: Any, technology: str) -> Any:
        nonlocal changed
        size = float(capacity_kw.get(unit.name, 0.0))
        if catalogue.edition_curve(technology, edition) is None or size <= 0:
            return unit
        changed = True
        cost = annual_capacity_cost(technology, year=year, edition=edition, size_kw=size, **money)
        return dataclasses.replace(unit, annualised_cost_eur_per_kw_a=cost)

    pumps = tuple(
        priced(p, HEAT_PUMP_TECH.get(p.source, "large_hp_air")) for p in portfolio.heat_pumps
    )
    boilers = tuple(
        priced(b, UNIT_TECHNOLOGY[b.name]) if b.name in UNIT_TECHNOLOGY else b
        for b in portfolio.boilers
    )
    if not changed:
        return None
    return dataclasses.replace(portfolio, heat_pumps=pumps, boilers=boilers)


def size_in_edition(
    portfolio: Portfolio,
    *,
    edition: str,
    year: float,
    interest_rate: float | None = None,
    observation_period_a: float | None = None,
) -> tuple[Portfolio, DispatchResult]:
    """Size and dispatch ``portfolio``; in an edition with cost curves once more with each unit
    priced at the size the first pass chose (:func:`reprice`). Returns the portfolio the result
    belongs to and the result."""
    result, _ = size_and_dispatch(portfolio)
    again = reprice(
        portfolio,
        result.capacity,
        edition=edition,
        year=year,
        interest_rate=interest_rate,
        observation_period_a=observation_period_a,
    )
    if again is None:
        return portfolio, result
    result, _ = size_and_dispatch(again)
    return again, result

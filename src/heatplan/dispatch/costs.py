"""Hourly limits, energy flows and variable costs of each unit per kWh of heat it delivers.

Shared by the LP (:mod:`heatplan.dispatch.lp`), the pre-solve capacity check
(:mod:`heatplan.dispatch.infeasible`) and the results (:mod:`heatplan.dispatch.results`), so the
three always agree on what a unit can do and what it costs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from heatplan.dispatch.model import Boiler, Chp, HeatPump, Portfolio, PowerToHeat, Unit, hourly
from heatplan.plan import columns as col
from heatplan.reference import table

CO2_PRICE_FILE = "co2_price_factors.csv"


def priced_co2_t_per_mwh(carrier: str) -> float:
    """Combustion CO2 that a CO2 price applies to [t/MWh fuel, Hi] (``co2_price_factors.csv``)."""
    frame = table(CO2_PRICE_FILE).set_index(col.CARRIER)
    if carrier not in frame.index:
        raise ValueError(
            f"carrier {carrier!r} has no priced CO2 factor; {CO2_PRICE_FILE} has "
            f"{', '.join(frame.index)}"
        )
    return float(frame["co2_t_per_mwh"].astype(float)[carrier])


def source_limited_heat_kw(pump: HeatPump, hours: int) -> np.ndarray:
    """Most heat [kW] the source allows: source / (1 - 1/COP); unlimited without a limit."""
    if pump.source_limit_kw is None:
        return np.full(hours, np.inf)
    cop = hourly(f"{pump.name}.cop", pump.cop, hours)
    limit = hourly(f"{pump.name}.source_limit_kw", pump.source_limit_kw, hours)
    share = 1.0 - 1.0 / cop
    with np.errstate(divide="ignore"):
        return np.where(share > 0, limit / np.where(share > 0, share, 1.0), np.inf)


def heat_upper_kw(unit: Unit, hours: int) -> np.ndarray:
    """Hourly upper bound of the heat of ``unit`` [kW]: capacity (inf if sized) and source."""
    capacity = np.inf if unit.capacity_kw is None else float(unit.capacity_kw)
    upper = np.full(hours, capacity)
    if isinstance(unit, HeatPump):
        upper = np.minimum(upper, source_limited_heat_kw(unit, hours))
    return upper


class Flows(NamedTuple):
    """Energy per kWh of heat of one unit, per hour [kWh/kWh_th]."""

    electricity_in: np.ndarray
    fuel_in: np.ndarray
    electricity_out: np.ndarray


def flows_per_heat(unit: Unit, hours: int) -> Flows:
    """Electricity bought, fuel burnt and electricity sold per kWh of heat, hour by hour."""
    zero = np.zeros(hours)
    if isinstance(unit, HeatPump):
        return Flows(1.0 / hourly(f"{unit.name}.cop", unit.cop, hours), zero, zero)
    if isinstance(unit, PowerToHeat):
        return Flows(np.full(hours, 1.0 / unit.efficiency), zero, zero)
    if isinstance(unit, Boiler):
        return Flows(zero, np.full(hours, 1.0 / unit.efficiency), zero)
    ratio = unit.efficiency_electric / unit.efficiency_thermal
    return Flows(zero, np.full(hours, 1.0 / unit.efficiency_thermal), np.full(hours, ratio))


def fuel_cost_eur_per_mwh(portfolio: Portfolio, carrier: str) -> np.ndarray:
    """Fuel price plus the CO2 price on its fossil CO2 [EUR/MWh fuel], hourly."""
    prices = portfolio.prices
    price = hourly(f"fuel price {carrier}", prices.fuel_eur_per_mwh[carrier], portfolio.hours)
    if prices.co2_eur_per_t == 0.0:
        return price
    return price + prices.co2_eur_per_t * priced_co2_t_per_mwh(carrier)


def variable_cost_eur_per_mwh(unit: Unit, portfolio: Portfolio) -> np.ndarray:
    """Cost of one MWh of heat from ``unit`` in each hour [EUR/MWh_th].

    Energy bought (electricity, fuel incl. CO2 price) minus electricity sold, plus variable O&M.
    """
    hours = portfolio.hours
    flow = flows_per_heat(unit, hours)
    electricity = hourly(
        "prices.electricity_eur_per_mwh", portfolio.prices.electricity_eur_per_mwh, hours
    )
    cost = flow.electricity_in * electricity + unit.variable_om_eur_per_mwh
    if isinstance(unit, Boiler | Chp):
        cost = cost + flow.fuel_in * fuel_cost_eur_per_mwh(portfolio, unit.carrier)
    if isinstance(unit, Chp):
        sold = hourly(f"{unit.name}.power_price_eur_per_mwh", unit.power_price_eur_per_mwh, hours)
        cost = cost - flow.electricity_out * sold
    return cost


def period_share(hours: int) -> float:
    """Share of a year the modelled period covers: annual capacity costs are taken pro rata."""
    return hours / 8760.0


def renewable_unit(unit: Unit) -> bool:
    """Whether all heat of ``unit`` counts as renewable or waste heat (heat pumps; bio fuels)."""
    if isinstance(unit, HeatPump):
        return True
    if isinstance(unit, PowerToHeat):
        return False
    return bool(
        str(table("carriers.csv").set_index(col.CARRIER).loc[unit.carrier, "renewable"]).lower()
        == "true"
    )

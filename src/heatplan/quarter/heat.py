"""Heat for a quarter, hour by hour over the TRY year: central air heat pump with buffer (and its
use of the PV left after the tenants) vs a heat-network connection vs today's gas boilers.

The hourly heat demand follows the BDEW/SigLinDe standard load profile of an apartment block; its
hot-water part (TABULA, hot_water.csv) is spread evenly. Annual costs follow VDI 2067-1
(:func:`heatplan.tech.economics.annual_cost_eur_per_a`) over the project's observation period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from heatplan.reference._files import cached_table
from heatplan.reference.catalogue import size_investment_eur, technology
from heatplan.reference.heatpump import heat_pump_parameters, heating_curve, staffell_coefficients
from heatplan.tech.economics import annual_cost_eur_per_a
from heatplan.tech.heatpump_building import cop_building, cop_staffell

#: The calendar year of the DWD TRY 2010 hours (its weekdays and holidays).
TRY_YEAR = 2010


@dataclass(frozen=True)
class HeatOption:
    """One way to heat the quarter over a year."""

    name: str
    capacity_kw: float  # heat output (heat pump, boiler) or connection (substations) [kW]
    storage_kwh: float  # buffer [kWh_th]
    investment_eur: float
    annual_cost_eur_per_a: float  # VDI 2067-1 annuity: capital + operation + energy
    tenant_cost_eur_per_a: float  # what tenants pay as heating and hot-water costs (operation)
    levy_base_eur: float  # costs a modernisation levy may be based on (after funding)
    final_energy_kwh_per_a: float
    pv_used_kwh_per_a: float
    seasonal_performance_factor: float | None
    pv_used_kw: np.ndarray | None = None  # (hours,) PV the option uses each hour [kW]


def _economics() -> tuple[float, float]:
    values = cached_table("economic_parameters.csv").set_index("parameter")["value"].astype(float)
    return float(values["interest_rate"]), float(values["observation_period_a"])


def hourly_heat_kw(
    temp_air_c: np.ndarray, annual_kwh: float, hot_water_kwh: float, age_class: str
) -> tuple[np.ndarray, np.ndarray]:
    """Space-heating and hot-water demand of each hour of the TRY year [kW].

    The total follows the BDEW/SigLinDe gas standard load profile of an apartment block
    (``MFH``, building class of ``age_class``; :mod:`heatplan.demand.profiles`, demandlib's
    coefficients, national holidays of the TRY's year 2010); the hot-water part is spread evenly
    and capped at each hour's total, the rest is space heating.
    """
    from heatplan.demand.profiles import german_holidays, hourly_profiles, profile_class

    index = pd.date_range(f"{TRY_YEAR}-01-01", periods=temp_air_c.size, freq="h")
    total = hourly_profiles(
        pd.Series([annual_kwh]),
        pd.Series([profile_class("ab", age_class)]),
        pd.Series(temp_air_c, index=index),
        year=TRY_YEAR,
        holidays=german_holidays(TRY_YEAR),
    )[0].to_numpy(float)
    water = np.minimum(min(hot_water_kwh, annual_kwh) / temp_air_c.size, total)
    return total - water, water


def hot_water_kwh_per_m2_a() -> float:
    """Hot-water need of an apartment block (hot_water.csv, IWU TABULA DE) [kWh/(m² a)]."""
    return float(cached_table("hot_water.csv").set_index("use")["hot_water_kwh_per_m2_a"]["ab"])


def hourly_cop(
    temp_air_c: pd.Series, building_state: str, hot_water_temp_c: float
) -> tuple[np.ndarray, np.ndarray]:
    """COP for space heating (heating curve of ``building_state``) and for hot water at
    ``hot_water_temp_c`` of a central air heat pump, each hour (Staffell et al. 2012)."""
    from heatplan.options.decentral import design_temperature_c

    params = heat_pump_parameters()
    air = staffell_coefficients("air")
    space = cop_building(
        temp_air_c,
        heating_curve=heating_curve(building_state),
        coefficients=air,
        temp_outdoor_design_c=design_temperature_c(temp_air_c),
        temp_room_c=params.temp_room_c,
        temp_heating_limit_c=params.temp_heating_limit_c,
    )
    temps = temp_air_c.to_numpy(float)
    water = cop_staffell(np.full(temps.size, hot_water_temp_c), temps, coefficients=air)
    return np.asarray(space, dtype=float), np.asarray(water, dtype=float)


def run_heat_pump(
    heat_kw: np.ndarray,
    cop: np.ndarray,
    pv_surplus_kw: np.ndarray,
    *,
    capacity_kw: float,
    buffer_kwh: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Hourly grid and PV electricity [kW] of a heat pump with a loss-free buffer.

    Each hour the buffer serves the demand first; the heat pump covers the rest, drawing PV
    surplus before grid power; PV left over then charges the buffer (up to the heat pump's spare
    capacity and the buffer's room). Without PV surplus the buffer stays empty.
    """
    grid = np.zeros(heat_kw.size)
    pv = np.zeros(heat_kw.size)
    stored = 0.0
    for t in range(heat_kw.size):
        from_buffer = min(stored, heat_kw[t])
        stored -= from_buffer
        need = heat_kw[t] - from_buffer
        electricity = need / cop[t]
        pv[t] = min(electricity, pv_surplus_kw[t])
        grid[t] = electricity - pv[t]
        spare_pv = pv_surplus_kw[t] - pv[t]
        extra = min(spare_pv * cop[t], max(capacity_kw - need, 0.0), buffer_kwh - stored)
        if extra > 0:
            stored += extra
            pv[t] += extra / cop[t]
    return grid, pv


def heat_pump_option(
    space_kw: np.ndarray,
    water_kw: np.ndarray,
    cop_space: np.ndarray,
    cop_water: np.ndarray,
    pv_surplus_kw: np.ndarray,
    *,
    electricity_eur_per_kwh: float,
    pv_value_eur_per_kwh: float,
    funding_share: float,
    buffer_h: float,
    design_margin: float,
) -> HeatOption:
    """Central air heat pump sized to the peak hour with a buffer of ``buffer_h`` full-load hours.

    Investment: KWW Technikkatalog cost curve (``large_hp_air_kww``) and the DEA tank store
    (``tank_storage``); lifetime, fixed and variable O&M of the DEA air heat pump
    (``large_hp_air``; the variable O&M counted with the energy costs). The PV it uses is
    valued at the feed-in tariff it forgoes (``pv_value_eur_per_kwh``).
    """
    heat = space_kw + water_kw
    capacity = float(heat.max()) * design_margin
    buffer_kwh = capacity * buffer_h
    cop = np.divide(
        heat, space_kw / cop_space + water_kw / cop_water, out=cop_space.copy(), where=heat > 0
    )
    grid, pv = run_heat_pump(heat, cop, pv_surplus_kw, capacity_kw=capacity, buffer_kwh=buffer_kwh)
    hp, tank = technology("large_hp_air"), technology("tank_storage")
    hp_invest = float(size_investment_eur("large_hp_air_kww", capacity))
    tank_invest = float(size_investment_eur("tank_storage", buffer_kwh))
    rate, period = _economics()
    variable_om = float(heat.sum()) / 1000.0 * float(hp["variable_om_eur_per_mwh"])
    energy = (
        float(grid.sum()) * electricity_eur_per_kwh
        + float(pv.sum()) * pv_value_eur_per_kwh
        + variable_om
    )
    annual = float(
        annual_cost_eur_per_a(
            investment_eur=hp_invest,
            lifetime_a=hp["lifetime_a"],
            interest_rate=rate,
            observation_period_a=period,
            fixed_om_share_per_a=hp["fixed_om_share_per_a"],
            energy_cost_eur_per_a=energy,
            price_change_rate=0.0,
            funding_share=funding_share,
        )
    ) + float(
        annual_cost_eur_per_a(
            investment_eur=tank_invest,
            lifetime_a=tank["lifetime_a"],
            interest_rate=rate,
            observation_period_a=period,
            fixed_om_share_per_a=tank["fixed_om_share_per_a"],
            energy_cost_eur_per_a=0.0,
            price_change_rate=0.0,
            funding_share=funding_share,
        )
    )
    om = hp_invest * hp["fixed_om_share_per_a"] + tank_invest * tank["fixed_om_share_per_a"]
    invest = hp_invest + tank_invest
    electricity = float((grid + pv).sum())
    return HeatOption(
        name="heat_pump",
        capacity_kw=capacity,
        storage_kwh=buffer_kwh,
        investment_eur=invest,
        annual_cost_eur_per_a=annual,
        tenant_cost_eur_per_a=energy + om,
        levy_base_eur=invest * (1.0 - funding_share),
        final_energy_kwh_per_a=electricity,
        pv_used_kwh_per_a=float(pv.sum()),
        seasonal_performance_factor=float(heat.sum()) / electricity if electricity > 0 else None,
        pv_used_kw=pv,
    )


def network_option(
    heat_kw: np.ndarray, peak_kw_by_building: list[float], price_eur_per_kwh: float
) -> HeatOption:
    """Connection to a heat network at its heat price: one substation per building
    (``house_substation_kww``), lifetime and O&M of quarter_costs.csv."""
    from heatplan.quarter.tariffs import cost

    invest = float(
        sum(size_investment_eur("house_substation_kww", kw) for kw in peak_kw_by_building)
    )
    rate, period = _economics()
    energy = float(heat_kw.sum()) * price_eur_per_kwh
    om_share = cost("substation_om_share_per_a")
    annual = float(
        annual_cost_eur_per_a(
            investment_eur=invest,
            lifetime_a=cost("substation_lifetime_a"),
            interest_rate=rate,
            observation_period_a=period,
            fixed_om_share_per_a=om_share,
            energy_cost_eur_per_a=energy,
            price_change_rate=0.0,
        )
    )
    return HeatOption(
        name="heat_network",
        capacity_kw=float(sum(peak_kw_by_building)),
        storage_kwh=0.0,
        investment_eur=invest,
        annual_cost_eur_per_a=annual,
        tenant_cost_eur_per_a=energy + invest * om_share,
        levy_base_eur=0.0,
        final_energy_kwh_per_a=float(heat_kw.sum()),
        pv_used_kwh_per_a=0.0,
        seasonal_performance_factor=None,
    )


def gas_option(heat_kw: np.ndarray, gas_eur_per_kwh: float) -> HeatOption:
    """Today's gas condensing boilers (``gas_condensing_boiler_building``), sized to the peak
    hour; the annuity includes their replacement (VDI 2067-1), the tenants pay gas and O&M.

    The boiler efficiency is on the net calorific value (Hi); gas is billed per kWh of the gross
    calorific value (Hs, DVGW G 685), so the gas bought is heat / efficiency x Hs/Hi
    (``hs_hi_ratio`` of carriers.csv).
    """
    boiler = technology("gas_condensing_boiler_building")
    capacity = float(heat_kw.max())
    invest = float(size_investment_eur("gas_condensing_boiler_building", capacity))
    hs_hi = float(cached_table("carriers.csv").set_index("carrier")["hs_hi_ratio"]["natural_gas"])
    gas_kwh = float(heat_kw.sum()) / float(boiler["efficiency"]) * hs_hi
    rate, period = _economics()
    energy = gas_kwh * gas_eur_per_kwh
    annual = float(
        annual_cost_eur_per_a(
            investment_eur=invest,
            lifetime_a=boiler["lifetime_a"],
            interest_rate=rate,
            observation_period_a=period,
            fixed_om_share_per_a=boiler["fixed_om_share_per_a"],
            energy_cost_eur_per_a=energy,
            price_change_rate=0.0,
        )
    )
    return HeatOption(
        name="gas_today",
        capacity_kw=capacity,
        storage_kwh=0.0,
        investment_eur=invest,
        annual_cost_eur_per_a=annual,
        tenant_cost_eur_per_a=energy + invest * float(boiler["fixed_om_share_per_a"]),
        levy_base_eur=0.0,
        final_energy_kwh_per_a=gas_kwh,
        pv_used_kwh_per_a=0.0,
        seasonal_performance_factor=None,
    )

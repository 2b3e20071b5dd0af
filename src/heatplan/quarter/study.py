"""A quarter study: tenant power per quarter hour, the heat options over the TRY year and the warm
rent of the rent-controlled flats.

:func:`study` returns a :class:`QuarterStudy`: ``apartments`` is the internal per-apartment table
(personal meter data: never published) and ``summary`` the public result, quarter totals and
distributions over at least five apartments only (:mod:`heatplan.quarter.privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from heatplan.quarter.heat import (
    HeatOption,
    gas_option,
    heat_pump_option,
    hot_water_kwh_per_m2_a,
    hourly_cop,
    hourly_heat_kw,
    network_option,
)
from heatplan.quarter.inputs import STEPS_PER_H, Quarter, steps_of_year
from heatplan.quarter.power import (
    BuildingPower,
    building_power,
    mieterstrom_price_share,
    participants_mask,
    pv_annual_cost_eur_per_a,
    pv_kw_per_kwp,
)
from heatplan.quarter.privacy import distribution, group_total, publishable
from heatplan.quarter.rent import WarmRent, levy_eur_per_m2_month, per_m2_month
from heatplan.quarter.risk import quarter_price_risk
from heatplan.quarter.tariffs import (
    cost,
    energy_price,
    feed_in_eur_per_kwh,
    mieterstrom_premium_eur_per_kwh,
    rent_rules,
    tariffs,
)

#: The rules applied, for the reader of the result.
RULES = (
    "Mieterstrom price at most 90 % of the basic-supply tariff, base and energy price "
    "(EnWG § 42a Abs. 4); EEG Mieterstromzuschlag on PV used by tenants (EEG 2023 § 21 Abs. 3, "
    "§ 48a); feed-in tariff on the rest (EEG 2023 § 48 Abs. 2)",
    "Shared building supply: PV shared by the key of the contract (EnWG § 42b), residual from "
    "the tenant's supplier at the basic-supply tariff",
    "Heat pump levy: 10 % a year of the investment after funding less 15 % maintenance share, "
    "at most 0.50 EUR/(m² month) (BGB § 559e Abs. 1-3); funding contracts of rent-controlled "
    "flats may allow less (not modelled)",
    "Heat network: heat price passed on as heating cost (BGB § 556c), no levy",
    "Heat pump: PV power it uses is charged at the EEG feed-in tariff it forgoes; the rest at "
    "the heat-pump electricity price (energy_prices.csv)",
    "Gas: billed per kWh of the gross calorific value Hs (DVGW G 685); boiler efficiency on Hi",
    "Heating costs spread over the living area (consumption-based billing, HeizkostenV, not "
    "modelled)",
)


@dataclass(frozen=True)
class QuarterStudy:
    """A study's internal per-apartment table and its public summary."""

    apartments: pd.DataFrame  # internal only: one row per apartment
    summary: dict[str, Any]  # public: totals and distributions over >= 5 apartments


def rent_controlled_mask(apartments: int, share: float) -> np.ndarray:
    """round(share x apartments) rent-controlled apartments spread evenly over the building."""
    count = round(share * apartments)
    mask = np.zeros(apartments, dtype=bool)
    if count:
        mask[np.round(np.linspace(0, apartments - 1, count)).astype(int)] = True
    return mask


def hourly_of_year(quarter_hours: np.ndarray) -> np.ndarray:
    """Quarter-hour series of a year as 8,760 hourly means (a leap year loses 29 February)."""
    hourly = quarter_hours.reshape(-1, STEPS_PER_H).mean(axis=1)
    if hourly.size == 8784:
        hourly = np.concatenate([hourly[: 59 * 24], hourly[60 * 24 :]])
    return hourly


def _power(quarter: Quarter) -> tuple[list[BuildingPower], list[np.ndarray], float]:
    tp = quarter.tenant_power
    rates = tariffs(
        basic_energy_eur_per_kwh=tp.basic_energy_eur_per_kwh,
        basic_base_eur_per_a=tp.basic_base_eur_per_a,
        shared_pv_price_eur_per_kwh=tp.shared_pv_price_eur_per_kwh,
    )
    share = mieterstrom_price_share(tp.mieterstrom_price_share, rates)
    steps = steps_of_year(quarter.year)
    per_kwp = pv_kw_per_kwp(
        quarter.lat,
        quarter.lon,
        quarter.weather_region,
        quarter.pv_tilt_deg,
        quarter.pv_azimuth_deg,
        steps,
    )
    results, controlled = [], []
    for b in quarter.buildings:
        area = np.full(b.apartments, b.living_area_m2 / b.apartments)
        results.append(
            building_power(
                per_kwp * b.pv_kwp,
                b.load_kw,
                area,
                participants=participants_mask(b.apartments, tp.participation_share),
                key=tp.shared_key,
                tariffs=rates,
                price_share=share,
                feed_in_eur_per_kwh=feed_in_eur_per_kwh(b.pv_kwp),
                premium_eur_per_kwh=mieterstrom_premium_eur_per_kwh(b.pv_kwp),
            )
        )
        controlled.append(rent_controlled_mask(b.apartments, b.rent_controlled_share))
    return results, controlled, share


def apartment_table(
    quarter: Quarter, power: list[BuildingPower], controlled: list[np.ndarray]
) -> pd.DataFrame:
    """The internal per-apartment table (personal data: not for publication)."""
    frames = []
    for b, p, rc in zip(quarter.buildings, power, controlled, strict=True):
        frames.append(
            pd.DataFrame(
                {
                    "building": b.name,
                    "apartment": np.arange(1, b.apartments + 1),
                    "living_area_m2": b.living_area_m2 / b.apartments,
                    "rent_controlled": rc,
                    "participant": p.participants,
                    "electricity_kwh_per_a": p.load_kwh,
                    "mieterstrom_self_kwh_per_a": p.mieterstrom_self_kwh,
                    "shared_self_kwh_per_a": p.shared_self_kwh,
                    "bill_before_eur_per_a": p.bill_before_eur,
                    "bill_mieterstrom_eur_per_a": p.bill_mieterstrom_eur,
                    "bill_shared_eur_per_a": p.bill_shared_eur,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _concept_summary(
    quarter: Quarter, table: pd.DataFrame, power: list[BuildingPower], concept: str
) -> dict[str, Any]:
    self_col, bill_col = {
        "mieterstrom": ("mieterstrom_self_kwh_per_a", "bill_mieterstrom_eur_per_a"),
        "shared": ("shared_self_kwh_per_a", "bill_shared_eur_per_a"),
    }[concept]
    inside = table[table["participant"]]
    pv_kwh = sum(p.pv_kwh for p in power)
    used = float(inside[self_col].sum())
    load = float(inside["electricity_kwh_per_a"].sum())
    saving = (inside["bill_before_eur_per_a"] - inside[bill_col]).to_numpy()
    population = len(table)
    enough = publishable(len(inside), population)
    pv_cost = sum(pv_annual_cost_eur_per_a(b.pv_kwp)[1] for b in quarter.buildings)
    per_participant = cost(
        "mieterstrom_operation_eur_per_participant_a"
        if concept == "mieterstrom"
        else "shared_operation_eur_per_participant_a"
    )
    operation = per_participant * len(table[table["participant"]])
    revenue = sum(
        p.mieterstrom_revenue_eur if concept == "mieterstrom" else p.shared_revenue_eur
        for p in power
    )
    return {
        "participants": len(inside),
        "tenant_pv_kwh_per_a": group_total(inside[self_col].to_numpy(), population=population),
        "feed_in_kwh_per_a": pv_kwh - used if enough else None,
        "self_consumption": used / pv_kwh if pv_kwh > 0 and enough else None,
        "self_sufficiency": used / load if load > 0 and enough else None,
        "operator_revenue_eur_per_a": revenue if enough else None,
        "operator_cost_eur_per_a": pv_cost + operation if enough else None,
        "operator_net_eur_per_a": revenue - pv_cost - operation if enough else None,
        "tenant_saving_eur_per_a": group_total(saving, population=population),
        "saving_per_participant_eur_per_a": distribution(saving, population=population),
    }


def _heat(quarter: Quarter, power: list[BuildingPower]) -> tuple[dict[str, HeatOption], float]:
    from heatplan.potentials.solar import try_weather
    from heatplan.reference.weather import region_for_point

    weather = try_weather(quarter.weather_region or region_for_point(quarter.lon, quarter.lat))
    temp = weather["temp_air_c"]
    space = np.zeros(len(temp))
    water = np.zeros(len(temp))
    peaks = []
    for b in quarter.buildings:
        hot_water = hot_water_kwh_per_m2_a() * b.living_area_m2
        s, w = hourly_heat_kw(temp.to_numpy(float), b.heat_demand_kwh_per_a, hot_water, b.age_class)
        space += s
        water += w
        peaks.append(float((s + w).max()))
    heat = space + water
    cop_space, cop_water = hourly_cop(temp, quarter.heat.building_state, cost("hot_water_temp_c"))
    surplus = sum(p.surplus_kw for p in power)
    surplus_hourly = (
        hourly_of_year(np.asarray(surplus)) if quarter.heat.pv_self_use else np.zeros(len(temp))
    )
    feed_in = feed_in_eur_per_kwh(max(b.pv_kwp for b in quarter.buildings))
    gas_price = quarter.heat.gas_price_eur_per_kwh or energy_price(
        "natural_gas_multifamily_eur_per_mwh"
    )
    options = {
        "gas_today": gas_option(heat, gas_price),
        "heat_pump": heat_pump_option(
            space,
            water,
            cop_space,
            cop_water,
            surplus_hourly,
            electricity_eur_per_kwh=energy_price("electricity_heat_pump_eur_per_mwh"),
            pv_value_eur_per_kwh=feed_in,
            funding_share=quarter.heat.funding_share,
            buffer_h=cost("buffer_h"),
            design_margin=cost("heat_pump_design_margin"),
        ),
    }
    if quarter.heat.network_price_eur_per_mwh is not None:
        options["heat_network"] = network_option(
            heat, peaks, quarter.heat.network_price_eur_per_mwh / 1000.0
        )
    return options, float(heat.sum())


def _option_summary(option: HeatOption) -> dict[str, Any]:
    return {
        "capacity_kw": option.capacity_kw,
        "storage_kwh": option.storage_kwh,
        "investment_eur": option.investment_eur,
        "annual_cost_eur_per_a": option.annual_cost_eur_per_a,
        "tenant_heating_cost_eur_per_a": option.tenant_cost_eur_per_a,
        "final_energy_kwh_per_a": option.final_energy_kwh_per_a,
        "pv_used_kwh_per_a": option.pv_used_kwh_per_a,
        "seasonal_performance_factor": option.seasonal_performance_factor,
    }


def _rents(quarter: Quarter, options: dict[str, HeatOption], table: pd.DataFrame) -> dict[str, Any]:
    area = sum(b.living_area_m2 for b in quarter.buildings)
    rules = rent_rules()
    cold = quarter.cold_rent_eur_per_m2_month
    concepts: dict[str, Any] = {}
    for name, option in options.items():
        heating = per_m2_month(option.tenant_cost_eur_per_a, area)
        if name == "gas_today" and quarter.heating_cost_today_eur_per_m2_month is not None:
            heating = quarter.heating_cost_today_eur_per_m2_month
        rent = WarmRent(cold, levy_eur_per_m2_month(option.levy_base_eur, area, rules), heating)
        concepts[name] = {
            "cold_rent_eur_per_m2_month": rent.cold_rent,
            "levy_eur_per_m2_month": rent.levy,
            "heating_eur_per_m2_month": rent.heating,
            "warm_rent_eur_per_m2_month": rent.warm_rent,
        }
    rc = table[table["rent_controlled"]]
    months = 12.0 * rc["living_area_m2"]
    savings = {
        concept: distribution(
            ((rc["bill_before_eur_per_a"] - rc[column]) / months).to_numpy(),
            population=len(table),
        )
        for concept, column in (
            ("mieterstrom", "bill_mieterstrom_eur_per_a"),
            ("shared_supply", "bill_shared_eur_per_a"),
        )
    }
    return {
        "apartments": len(rc),
        "concepts": concepts,
        "electricity_saving_eur_per_m2_month": savings,
    }


def _with_heat_pump(power: list[BuildingPower], heat_pump: HeatOption) -> float | None:
    """Share of the PV used in the quarter by the tenants (Mieterstrom) and the heat pump."""
    pv_kwh = sum(p.pv_kwh for p in power)
    tenants = sum(float(p.mieterstrom_self_kwh.sum()) for p in power)
    inside = sum(int(p.participants.sum()) for p in power)
    if pv_kwh <= 0 or not publishable(inside, sum(p.participants.size for p in power)):
        return None
    return (tenants + heat_pump.pv_used_kwh_per_a) / pv_kwh


def pv_left_for_cars_kw(power: list[BuildingPower], heat_pump: HeatOption) -> np.ndarray:
    """PV left after the tenants (Mieterstrom) and the central heat pump per quarter hour [kW].

    The heat pump takes its hourly PV from each hour's quarter hours in proportion to their
    surplus (never below zero); a leap year's 29 February keeps its whole surplus (the heat
    pump runs on the 8,760 TRY hours)."""
    surplus = np.asarray(sum(p.surplus_kw for p in power), dtype=float).clip(min=0.0)
    if heat_pump.pv_used_kw is None:
        return surplus
    used = np.asarray(heat_pump.pv_used_kw, dtype=float)
    by_hour = surplus.reshape(-1, STEPS_PER_H)
    if by_hour.shape[0] == 8784:
        used = np.concatenate([used[: 59 * 24], np.zeros(24), used[59 * 24 :]])
    mean = by_hour.mean(axis=1)
    keep = 1.0 - np.divide(used, mean, out=np.zeros_like(mean), where=mean > 0)
    return (by_hour * np.clip(keep, 0.0, 1.0)[:, None]).ravel()


def _tariff_summary(quarter: Quarter) -> dict[str, Any]:
    """The tariff values the study used, with where their sources are."""
    tp = quarter.tenant_power
    rates = tariffs(
        basic_energy_eur_per_kwh=tp.basic_energy_eur_per_kwh,
        basic_base_eur_per_a=tp.basic_base_eur_per_a,
        shared_pv_price_eur_per_kwh=tp.shared_pv_price_eur_per_kwh,
    )
    sizes = sorted({b.pv_kwp for b in quarter.buildings})
    return {
        "basic_energy_eur_per_kwh": rates.basic_energy_eur_per_kwh,
        "basic_base_eur_per_a": rates.basic_base_eur_per_a,
        "mieterstrom_price_cap_share": rates.mieterstrom_cap_share,
        "shared_pv_price_eur_per_kwh": rates.shared_pv_price_eur_per_kwh,
        "residual_purchase_eur_per_kwh": rates.residual_purchase_eur_per_kwh,
        "feed_in_eur_per_kwh_by_kwp": {f"{k:g}": feed_in_eur_per_kwh(k) for k in sizes},
        "mieterstrom_premium_eur_per_kwh_by_kwp": {
            f"{k:g}": mieterstrom_premium_eur_per_kwh(k) for k in sizes
        },
        "sources": "src/heatplan/data/quarter_tariffs.csv, quarter_costs.csv, "
        "quarter_rent_rules.csv, energy_prices.csv, technology_catalogue.csv (source column)",
    }


def study(quarter: Quarter) -> QuarterStudy:
    """Tenant power, heat options and warm rents of ``quarter``."""
    power, controlled, share = _power(quarter)
    pv_costs = [pv_annual_cost_eur_per_a(b.pv_kwp) for b in quarter.buildings]
    pv_invest, pv_annual = sum(c[0] for c in pv_costs), sum(c[1] for c in pv_costs)
    table = apartment_table(quarter, power, controlled)
    options, heat_kwh = _heat(quarter, power)
    summary: dict[str, Any] = {
        "quarter": quarter.name,
        "buildings": len(quarter.buildings),
        "apartments": len(table),
        "living_area_m2": float(sum(b.living_area_m2 for b in quarter.buildings)),
        "tenant_power": {
            "pv_kwp": float(sum(b.pv_kwp for b in quarter.buildings)),
            "pv_kwh_per_a": float(sum(p.pv_kwh for p in power)),
            "electricity_kwh_per_a": group_total(table["electricity_kwh_per_a"].to_numpy()),
            "electricity_per_apartment_kwh_per_a": distribution(
                table["electricity_kwh_per_a"].to_numpy()
            ),
            "mieterstrom_price_share_of_basic_tariff": share,
            "shared_key": quarter.tenant_power.shared_key,
            "pv_investment_eur": pv_invest,
            "pv_annual_cost_eur_per_a": pv_annual,
            "mieterstrom": _concept_summary(quarter, table, power, "mieterstrom"),
            "shared_supply": _concept_summary(quarter, table, power, "shared"),
        },
        "heat": {
            "demand_kwh_per_a": heat_kwh,
            "network_price_eur_per_mwh": quarter.heat.network_price_eur_per_mwh,
            "network_price_basis": quarter.heat.network_price_basis,
            "options": {name: _option_summary(option) for name, option in options.items()},
        },
        "pv_self_consumption_with_heat_pump": _with_heat_pump(power, options["heat_pump"]),
        "rent_controlled": _rents(quarter, options, table),
        "tariffs": _tariff_summary(quarter),
        "rules": list(RULES),
    }
    if quarter.car_park is not None:
        from heatplan.quarter.car_park import summary as car_park_summary

        pv_left = pv_left_for_cars_kw(power, options["heat_pump"])
        summary["car_park"] = car_park_summary(quarter.car_park, pv_left)
    summary["price_risk"] = quarter_price_risk(quarter, summary)
    return QuarterStudy(apartments=table, summary=summary)

"""A site study: PV yield from the TRY weather, both grid-fee cases solved, before/after figures.

The grid fee has two energy/demand price pairs (StromNEV § 17 (2)); which applies depends on the
utilisation hours, i.e. on the peak the optimisation chooses. The two pairs of site_tariffs.csv
cost the same at 2,500 h, so the bill is the cheaper of the two pairs: solving the LP once per
pair and keeping the cheaper optimum is exact (min over pairs of min over plans).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from heatplan.potentials.solar import (
    effective_irradiance,
    plane_of_array,
    pv_ac_w_per_kwp,
    try_weather,
)
from heatplan.reference import parameter_group
from heatplan.reference.emissions import grid_factor_g_per_kwh
from heatplan.site.inputs import STEPS_PER_H, Site
from heatplan.site.optimize import Dispatch, optimize
from heatplan.site.tariffs import GRID_CASES, Costs, GridTariff, grid_tariff, site_costs

DT_H = 1.0 / STEPS_PER_H


def _albedo() -> float:
    """Ground reflectance of solar_parameters.csv (the value potentials.solar uses)."""
    return parameter_group("solar_parameters.csv", "sky")["albedo"]


def pv_kw_per_kwp(site: Site, steps: int) -> np.ndarray:
    """AC yield of 1 kWp at the site [kW] per quarter hour: the hourly TRY yield held for its
    four quarter hours (a leap year repeats 28 February)."""
    import pvlib

    from heatplan.reference.weather import region_for_point

    region = site.weather_region or region_for_point(site.lon, site.lat)
    weather = try_weather(region)
    position = pvlib.solarposition.get_solarposition(
        weather.index, site.lat, site.lon, temperature=weather["temp_air_c"]
    )
    poa = plane_of_array(
        weather,
        position,
        surface_tilt=site.pv_tilt_deg,
        surface_azimuth=site.pv_azimuth_deg,
        albedo=_albedo(),
    )
    effective = effective_irradiance(
        poa, position, surface_tilt=site.pv_tilt_deg, surface_azimuth=site.pv_azimuth_deg
    )
    hourly = pv_ac_w_per_kwp(effective, poa["poa_global"], weather, mounting="roof").to_numpy()
    hourly = np.nan_to_num(hourly, nan=0.0).clip(min=0.0) / 1000.0
    if steps == 366 * 96:  # leap year: 29 February repeats 28 February
        day = 58 * 24
        hourly = np.concatenate([hourly[: day + 24], hourly[day : day + 24], hourly[day + 24 :]])
    return np.repeat(hourly, STEPS_PER_H)[:steps]


def grid_bill_eur_per_a(import_kw: np.ndarray, tariff: GridTariff, dt_h: float = DT_H) -> float:
    """Energy and demand charge of an import series over a year [EUR/a]."""
    return float(
        import_kw.sum() * dt_h * tariff.import_eur_per_kwh
        + import_kw.max() * tariff.demand_eur_per_kw_a
    )


def _best(dispatches: list[Dispatch]) -> Dispatch:
    return min(dispatches, key=lambda d: d.annual_cost_eur_per_a)


def _investment_eur(sizes: dict[str, float], costs: Costs) -> float:
    return (
        sizes["pv_kwp"] * costs.pv_eur_per_kwp
        + sizes["battery_kwh"] * costs.battery_eur_per_kwh
        + sizes["battery_kw"] * costs.battery_eur_per_kw
    )


def _shares(load_kw: np.ndarray, pv_yield_kw: np.ndarray, d: Dispatch) -> dict[str, float | None]:
    on_site_kwh = float((d.series["pv_used_kw"] - d.series["export_kw"]).sum() * DT_H)
    pv_kwh = float(pv_yield_kw.sum() * d.sizes["pv_kwp"] * DT_H)
    return {
        "pv_yield_kwh_per_a": pv_kwh,
        "pv_on_site_kwh_per_a": on_site_kwh,
        "export_kwh_per_a": float(d.series["export_kw"].sum() * DT_H),
        "curtailed_kwh_per_a": pv_kwh - float(d.series["pv_used_kw"].sum() * DT_H),
        "self_sufficiency": on_site_kwh / float(load_kw.sum() * DT_H),
        "self_consumption": on_site_kwh / pv_kwh if pv_kwh > 0 else None,
    }


def _payback_a(
    investment: float, savings: float, sizes: dict[str, float], costs: Costs
) -> float | None:
    """Investment / yearly cash saving (the saving before capital cost) [a]; None if none."""
    capital = (
        sizes["pv_kwp"] * costs.pv_eur_per_kwp * costs.pv_annuity_per_a
        + (
            sizes["battery_kwh"] * costs.battery_eur_per_kwh
            + sizes["battery_kw"] * costs.battery_eur_per_kw
        )
        * costs.battery_annuity_per_a
    )
    cash = savings + capital
    return investment / cash if cash > 0 and investment > 0 else None


def study(site: Site, *, costs: Costs | None = None, threads: int = 1) -> dict[str, Any]:
    """Sizes, investment, annual cost before/after, savings, payback, shares, peaks and CO2."""
    costs = site_costs() if costs is None else costs
    load = site.load_kw
    if load.size not in (365 * 96, 366 * 96):
        raise ValueError(f"a site study needs one year of quarter hours, got {load.size} steps")
    pv = pv_kw_per_kwp(site, load.size)
    tariffs = [grid_tariff(case, site.feed_in_case) for case in GRID_CASES]
    before = min(tariffs, key=lambda t: grid_bill_eur_per_a(load, t))
    runs = [
        optimize(
            load,
            pv,
            t,
            costs,
            max_pv_kwp=site.max_pv_kwp,
            battery_allowed=site.battery_allowed,
            dt_h=DT_H,
            threads=threads,
        )
        for t in tariffs
    ]
    best = _best(runs)
    tariff = tariffs[runs.index(best)]
    cost_before = grid_bill_eur_per_a(load, before)
    investment = _investment_eur(best.sizes, costs)
    savings = cost_before - best.annual_cost_eur_per_a
    annualised = (
        best.sizes["pv_kwp"] * costs.pv_eur_per_kwp_a
        + best.sizes["battery_kwh"] * costs.battery_eur_per_kwh_a
        + best.sizes["battery_kw"] * costs.battery_eur_per_kw_a
    )
    factor_kg_per_kwh = float(grid_factor_g_per_kwh(site.year)) / 1000.0
    energy_before, energy_after = load.sum() * DT_H, best.series["import_kw"].sum() * DT_H
    return {
        "site": site.name,
        "year": site.year,
        "sizes": {k: round(v, 3) for k, v in best.sizes.items() if k != "peak_kw"},
        "investment_eur": investment,
        "annualised_investment_eur_per_a": annualised,
        "annual_cost_before_eur_per_a": cost_before,
        "annual_cost_after_eur_per_a": best.annual_cost_eur_per_a,
        "savings_eur_per_a": savings,
        "simple_payback_a": _payback_a(investment, savings, best.sizes, costs),
        "grid_fee_case_before": before.case,
        "grid_fee_case_after": tariff.case,
        "peak_before_kw": float(load.max()),
        "peak_after_kw": float(best.series["import_kw"].max()),
        "utilisation_hours_before_h_per_a": float(energy_before / load.max()),
        "utilisation_hours_after_h_per_a": float(
            energy_after / max(best.series["import_kw"].max(), 1e-9)
        ),
        "import_before_kwh_per_a": float(energy_before),
        "import_after_kwh_per_a": float(energy_after),
        **_shares(load, pv, best),
        "co2_before_t_per_a": float(energy_before * factor_kg_per_kwh / 1000.0),
        "co2_after_t_per_a": float(energy_after * factor_kg_per_kwh / 1000.0),
        "grid_factor_g_per_kwh": factor_kg_per_kwh * 1000.0,
        "solver": {
            "status": [r.status for r in runs],
            "method": best.solver,
            "build_time_s": [round(r.build_time_s, 2) for r in runs],
            "solve_time_s": [round(r.solve_time_s, 2) for r in runs],
            "iterations": [r.iterations for r in runs],
            "mip_gap": best.mip_gap,
            "simultaneous_charge_discharge_steps": best.simultaneous_steps,
            "steps": int(load.size),
        },
    }

"""A site study: PV yield from the TRY weather, both grid-fee cases solved, before/after figures.

The grid fee has two energy/demand price pairs (StromNEV § 17 (2)); which applies depends on the
utilisation hours, i.e. on the peak the optimisation chooses. The two pairs of site_tariffs.csv
cost the same at 2,500 h, so the bill is the cheaper of the two pairs: solving the LP once per
pair and keeping the cheaper optimum is exact (min over pairs of min over plans).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from heatplan.potentials.solar import (
    effective_irradiance,
    plane_of_array,
    pv_ac_w_per_kwp,
    try_weather,
)
from heatplan.reference import parameter_group
from heatplan.reference.emissions import carrier_factor_g_per_kwh, grid_factor_g_per_kwh
from heatplan.site.inputs import STEPS_PER_H, Site
from heatplan.site.optimize import Charging, Dispatch, HeatCold, SiteProblem, optimize
from heatplan.site.risk import site_price_risk
from heatplan.site.tariffs import (
    GRID_CASES,
    Costs,
    GridTariff,
    HeatCosts,
    gas_price_eur_per_kwh,
    grid_tariff,
    heat_costs,
    site_costs,
)
from heatplan.site.twostage import TwoStage, cheapest_case

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


def _investment_eur(sizes: dict[str, float], costs: Costs, heat: HeatCosts) -> float:
    units = {
        "pv_kwp": costs.pv_eur_per_kwp,
        "battery_kwh": costs.battery_eur_per_kwh,
        "battery_kw": costs.battery_eur_per_kw,
        "heat_pump_kw": heat.heat_pump_eur_per_kw,
        "store_kwh": heat.store_eur_per_kwh,
        "boiler_kw": heat.boiler_eur_per_kw,
        "network_kw": heat.network_eur_per_kw,
        "chiller_kw": heat.chiller_eur_per_kw,
    }
    return float(sum(sizes.get(name, 0.0) * unit for name, unit in units.items()))


def _shares(load_kw: np.ndarray, pv_yield_kw: np.ndarray, d: Dispatch) -> dict[str, float | None]:
    """Self-sufficiency: PV used on site over all electricity used on site (incl. heat pump,
    chiller and chargers); self-consumption: PV used on site over the PV yield."""
    on_site_kwh = float((d.series["pv_used_kw"] - d.series["export_kw"]).sum() * DT_H)
    pv_kwh = float(pv_yield_kw.sum() * d.sizes["pv_kwp"] * DT_H)
    used_kwh = float(load_kw.sum() * DT_H) + sum(
        float(d.series[name].sum() * DT_H)
        for name in ("heat_pump_el_kw", "chiller_el_kw", "ev_kw")
        if name in d.series
    )
    return {
        "pv_yield_kwh_per_a": pv_kwh,
        "pv_on_site_kwh_per_a": on_site_kwh,
        "export_kwh_per_a": float(d.series["export_kw"].sum() * DT_H),
        "curtailed_kwh_per_a": pv_kwh - float(d.series["pv_used_kw"].sum() * DT_H),
        "self_sufficiency": on_site_kwh / used_kwh if used_kwh > 0 else None,
        "self_consumption": on_site_kwh / pv_kwh if pv_kwh > 0 else None,
    }


def _quarter_hours(hourly: np.ndarray, steps: int) -> np.ndarray:
    from heatplan.site.loads import _quarter_hours as hold

    return hold(hourly, steps)


def heat_cold_model(site: Site, heat: HeatCosts) -> HeatCold | None:
    """The LP's heat and cold options of ``site`` (COP and EER from the TRY air per step)."""
    from heatplan.site.loads import chiller_eer, heat_pump_cop

    if site.heat is None or site.air_c is None:
        return None
    h, steps = site.heat, site.load_kw.size
    cop = _quarter_hours(np.asarray(heat_pump_cop(site.air_c, h.supply_c, h.return_c, heat)), steps)
    eer = chiller_eer(site.air_c, heat.cold_supply_c, heat.cold_return_c, heat)
    return HeatCold(
        heat_kw=h.heat_kw,
        cold_kw=h.cold_kw,
        heat_pump_cop=cop,
        chiller_eer=_quarter_hours(np.asarray(eer), steps),
        heat_pump_eur_per_kw_a=heat.heat_pump_eur_per_kw_a,
        store_eur_per_kwh_a=heat.store_eur_per_kwh_a,
        store_loss_per_h=heat.store_loss_per_h,
        boiler_efficiency=heat.boiler_efficiency,
        boiler_eur_per_kw_a=heat.boiler_eur_per_kw_a,
        fuel_eur_per_kwh=gas_price_eur_per_kwh(),
        chiller_eur_per_kw_a=heat.chiller_eur_per_kw_a,
        network_eur_per_kwh=h.network_eur_per_kwh,
        network_eur_per_kw_a=heat.network_eur_per_kw_a,
        heat_pump_allowed=h.heat_pump_allowed,
        store_allowed=h.store_allowed,
        boiler_allowed=h.boiler_allowed,
    )


def charging_model(site: Site) -> Charging | None:
    """The LP's charging sessions of ``site``."""
    if site.ev is None:
        return None
    ev = site.ev
    return Charging(ev.start, ev.end, ev.energy_kwh, ev.power_kw)


def uncontrolled_charging_kw(ev: Charging, steps: int) -> np.ndarray:
    """Charging power per step when every car charges at full power from arrival [kW]."""
    full_steps = ev.energy_kwh / (ev.power_kw * DT_H)
    load = np.zeros(steps)
    for start, need, power in zip(ev.start, full_steps, ev.power_kw, strict=True):
        whole = int(need)
        index = (start + np.arange(whole + 1)) % steps
        load[index[:whole]] += power
        load[index[whole]] += power * (need - whole)
    return load


def _before(
    site: Site, model: HeatCold | None, ev: Charging | None, tariffs: list[GridTariff]
) -> tuple[np.ndarray, GridTariff, float, float, float]:
    """Today's supply: grid for the load, the chiller and uncontrolled charging, gas boiler for
    heat. Returns (import [kW], tariff, grid bill, heat and cold cost [EUR/a], gas [kWh/a])."""
    steps = site.load_kw.size
    imports = site.load_kw.copy()
    heat_cost, gas_kwh = 0.0, 0.0
    if model is not None:
        imports += model.cold_kw / model.chiller_eer
        gas_kwh = float(model.heat_kw.sum() * DT_H / model.boiler_efficiency)
        heat_cost = (
            gas_kwh * model.fuel_eur_per_kwh
            + model.heat_kw.max() * model.boiler_eur_per_kw_a
            + model.cold_kw.max() * model.chiller_eur_per_kw_a
        )
    if ev is not None:
        imports += uncontrolled_charging_kw(ev, steps)
    before = min(tariffs, key=lambda t: grid_bill_eur_per_a(imports, t))
    return imports, before, grid_bill_eur_per_a(imports, before), heat_cost, gas_kwh


def _annualised(d: Dispatch) -> float:
    size_terms = ("pv_kwp", "battery_kwh", "battery_kw", "heat_pump_kw", "store_kwh", "boiler_kw")
    return float(
        sum(d.cost_terms_eur_per_a.get(n, 0.0) for n in (*size_terms, "network_kw", "chiller_kw"))
    )


def _method_figures(stage: TwoStage, sizings: list[Dispatch]) -> dict[str, Any]:
    """Bounds, gap (or difference) and stage times of a two-stage study (sized per grid-fee
    case, dispatched for the case of the lower sizing optimum)."""
    return {
        "coarse_step_h": stage.coarse_steps * DT_H,
        "upper_bound_eur_per_a": stage.upper_eur_per_a,
        "sizing_objective_eur_per_a": stage.lower_eur_per_a,
        "sizing_is_lower_bound": stage.is_lower_bound,
        "gap" if stage.is_lower_bound else "difference": stage.gap,
        "sizing_solve_time_s": [round(s.solve_time_s, 2) for s in sizings],
        "grid_fee_pairs_sized": len(sizings),  # the others pruned by a coarser bound
        "dispatch_solve_time_s": round(stage.dispatch.solve_time_s, 2),
    }


def study(
    site: Site,
    *,
    costs: Costs | None = None,
    threads: int = 1,
    solver: str = "simplex",
    exact: bool = False,
    keep_series: bool = False,
) -> dict[str, Any]:
    """:func:`_study`; with ``site.atypical`` (§ 19 (2) StromNEV) first the plan with the demand
    charge on the peak in the high-load windows, kept if it meets the thresholds, else the plan
    of the published fee (:mod:`heatplan.site.atypical`)."""
    options: dict[str, Any] = {
        "costs": costs, "threads": threads, "solver": solver, "exact": exact,
        "keep_series": keep_series,
    }  # fmt: skip
    if site.atypical is None:
        result = _study(site, **options)
        result["price_risk"] = site_price_risk(site, result)
        return result
    from heatplan.site.atypical import check, read_windows, thresholds, window_mask

    option = site.atypical
    mask = window_mask(site.year, site.load_kw.size, read_windows(option.windows_path))
    result = _study(site, **options, peak_mask=mask)
    found = check(
        result.pop("_import_kw"), mask, result.pop("_tariff"), thresholds(option.voltage_level)
    )
    if found.met:
        floor = found.fee_floor_eur_per_a  # the 20 % floor of § 19 (2) StromNEV, if it binds
        result["annual_cost_after_eur_per_a"] += floor
        result["savings_eur_per_a"] -= floor
    else:
        result = _study(site, **options)
    result["atypical_grid_use"] = {
        "voltage_level": option.voltage_level,
        "windows": str(option.windows_path or "data/site_high_load_windows.csv"),
        **asdict(found),
        "note": "checked on the plan optimised for the window peak; "
        + ("kept" if found.met else "not met: the plan of the published fee is shown"),
    }
    result["price_risk"] = site_price_risk(site, result)
    return result


def _study(
    site: Site,
    *,
    costs: Costs | None = None,
    threads: int = 1,
    solver: str = "simplex",
    exact: bool = False,
    peak_mask: np.ndarray | None = None,
    keep_series: bool = False,
) -> dict[str, Any]:
    """Sizes, investment, annual cost before/after, savings, payback, shares, peaks and CO2.

    By default two-stage (:mod:`heatplan.site.twostage`): sizes on 4-hour means for each grid-fee
    case, then the quarter-hour dispatch with the sizes of the case with the lower sizing optimum;
    its gap to the lower of the sizing optima in ``solver`` (hourly sizing if the gap exceeds 1 %:
    :func:`heatplan.site.twostage.cheapest_case`). ``exact``
    solves the single quarter-hour LP per grid-fee case (minutes to hours for a full year).
    ``keep_series`` adds the quarter-hour series under ``series`` (for charts; not JSON)."""
    costs = site_costs() if costs is None else costs
    heat = heat_costs()
    load = site.load_kw
    if load.size not in (365 * 96, 366 * 96):
        raise ValueError(f"a site study needs one year of quarter hours, got {load.size} steps")
    pv = pv_kw_per_kwp(site, load.size)
    module_2 = site.ev is not None and site.ev.enwg_14a_module_2
    tariffs = [
        grid_tariff(case, site.feed_in_case, enwg_14a_module_2=module_2) for case in GRID_CASES
    ]
    model, ev = heat_cold_model(site, heat), charging_model(site)
    imports_before, before, bill_before, heat_before, gas_before_kwh = _before(
        site, model, ev, tariffs
    )
    problems = [
        SiteProblem(
            load, pv, t, costs, max_pv_kwp=site.max_pv_kwp, battery_allowed=site.battery_allowed,
            heat=model, charging=ev, dt_h=DT_H, peak_mask=peak_mask,
        )
        for t in tariffs
    ]  # fmt: skip
    if exact:
        runs = [optimize(p, threads=threads, solver=solver) for p in problems]
        solved = tariffs
    else:
        stage, sizings, cheapest = cheapest_case(problems, threads=threads, solver=solver)
        runs, solved = [stage.dispatch], [tariffs[cheapest]]
    best = _best(runs)
    tariff = solved[runs.index(best)]
    cost_before = bill_before + heat_before
    investment_before = (
        0.0
        if model is None
        else model.heat_kw.max() * heat.boiler_eur_per_kw
        + model.cold_kw.max() * heat.chiller_eur_per_kw
    )
    capital_before = (
        0.0
        if model is None
        else model.heat_kw.max() * model.boiler_eur_per_kw_a
        + model.cold_kw.max() * model.chiller_eur_per_kw_a
    )
    investment = _investment_eur(best.sizes, costs, heat)
    savings = cost_before - best.annual_cost_eur_per_a
    annualised = _annualised(best)
    cash = (cost_before - capital_before) - (best.annual_cost_eur_per_a - annualised)
    extra = investment - investment_before
    imports_after = best.series["import_kw"]
    grid_g = float(grid_factor_g_per_kwh(site.year))
    gas_g = carrier_factor_g_per_kwh("natural_gas")
    gas_after_kwh = (
        float(best.series["boiler_heat_kw"].sum() * DT_H / model.boiler_efficiency)
        if model is not None
        else 0.0
    )
    energy_before, energy_after = imports_before.sum() * DT_H, imports_after.sum() * DT_H
    sizes = {k: round(v, 3) for k, v in best.sizes.items() if k != "peak_kw"}
    result = {
        "site": site.name,
        "year": site.year,
        "sizes": sizes,
        "investment_eur": investment,
        "annualised_investment_eur_per_a": annualised,
        "annual_cost_before_eur_per_a": cost_before,
        "annual_cost_after_eur_per_a": best.annual_cost_eur_per_a,
        "savings_eur_per_a": savings,
        "simple_payback_a": extra / cash if cash > 0 and extra > 0 else None,
        "grid_fee_case_before": before.case,
        "grid_fee_case_after": tariff.case,
        "peak_before_kw": float(imports_before.max()),
        "peak_after_kw": float(imports_after.max()),
        "peak_reduction_kw": float(imports_before.max() - imports_after.max()),
        "utilisation_hours_before_h_per_a": float(energy_before / imports_before.max()),
        "utilisation_hours_after_h_per_a": float(energy_after / max(imports_after.max(), 1e-9)),
        "import_before_kwh_per_a": float(energy_before),
        "import_after_kwh_per_a": float(energy_after),
        **_shares(load, pv, best),
        **_heat_figures(best, model, gas_before_kwh, gas_after_kwh),
        "network_price_basis": None if site.heat is None else site.heat.network_source,
        "co2_before_t_per_a": float((energy_before * grid_g + gas_before_kwh * gas_g) / 1e6),
        "co2_after_t_per_a": float((energy_after * grid_g + gas_after_kwh * gas_g) / 1e6),
        "co2_note": "grid electricity (UBA path of the year) and natural gas (GEG 2024 Anlage 9);"
        " network heat is not counted (its factor is the network's)",
        "grid_factor_g_per_kwh": grid_g,
        "solver": {
            "status": [r.status for r in runs],
            "grid_fee_cases": [t.case for t in solved],
            "method": best.solver,
            "stages": "exact" if exact else "two-stage",
            **({} if exact else _method_figures(stage, sizings)),
            "build_time_s": [round(r.build_time_s, 2) for r in runs],
            "solve_time_s": [round(r.solve_time_s, 2) for r in runs],
            "iterations": [r.iterations for r in runs],
            "mip_gap": best.mip_gap,
            "simultaneous_charge_discharge_steps": best.simultaneous_steps,
            "steps": int(load.size),
            "columns_rows": [best.columns, best.rows],
        },
        **({} if peak_mask is None else {"_import_kw": imports_after, "_tariff": tariff}),
    }
    if keep_series:
        series = {"load_kw": load, "pv_yield_kw": pv * best.sizes["pv_kwp"], **best.series}
        result["series"] = {
            "import_before_kw": imports_before,
            **series,
            **_heat_series(best, model),
        }
    return result


def _heat_series(d: Dispatch, model: HeatCold | None) -> dict[str, np.ndarray]:
    """Heat load and heat-pump heat per step [kW] for the report's charts (none without heat)."""
    if model is None:
        return {}
    return {
        "heat_load_kw": model.heat_kw,
        "heat_pump_heat_kw": d.series["heat_pump_el_kw"] * model.heat_pump_cop,
    }


def _heat_figures(
    d: Dispatch, model: HeatCold | None, gas_before_kwh: float, gas_after_kwh: float
) -> dict[str, float]:
    if model is None:
        return {}
    s = d.series
    return {
        "heat_kwh_per_a": float(model.heat_kw.sum() * DT_H),
        "cold_kwh_per_a": float(model.cold_kw.sum() * DT_H),
        "heat_pump_heat_kwh_per_a": float(
            (s["heat_pump_el_kw"] * model.heat_pump_cop).sum() * DT_H
        ),
        "heat_pump_seasonal_cop": float(
            (s["heat_pump_el_kw"] * model.heat_pump_cop).sum()
            / max(s["heat_pump_el_kw"].sum(), 1e-9)
        ),
        "boiler_heat_kwh_per_a": float(s["boiler_heat_kw"].sum() * DT_H),
        "network_heat_kwh_per_a": float(s["network_heat_kw"].sum() * DT_H),
        "chiller_el_kwh_per_a": float(s["chiller_el_kw"].sum() * DT_H),
        "gas_before_kwh_per_a": gas_before_kwh,
        "gas_after_kwh_per_a": gas_after_kwh,
    }

"""Charging the residents' electric cars in the quarter's car park: charging at full power on
arrival against smart charging that uses the PV left after the tenants and the heat pump and
keeps the car park's annual peak low.

The car park is one grid customer with power metering (from 100,000 kWh a year, MsbG § 55
Abs. 1) that pays the business tariff of ``site_tariffs.csv``: energy price, levies, and the
grid fee's energy and demand price pair below or from 2,500 utilisation hours (StromNEV § 17
Abs. 2); its wall boxes may be controllable under § 14a EnWG (module 2). Every car plugs in
each evening and leaves the next morning; the arrivals are spread evenly over hourly cohorts
between ``arrive`` and ``arrive_latest``. The PV the car park takes would otherwise be fed in:
it is valued at the feed-in tariff it forgoes.

Smart charging is the company-site LP of :mod:`heatplan.site.optimize` with the car park's
sessions, no battery and the quarter's PV left over as a fixed yield; the sessions of a cohort
are one column per step (:func:`heatplan.site.optimize.merged_sessions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from heatplan.quarter.inputs import STEPS_PER_H
from heatplan.quarter.tariffs import cost

DT_H = 1.0 / STEPS_PER_H
#: VAT on the residents' charging price (UStG § 12 Abs. 1).
VAT = 0.19


@dataclass(frozen=True)
class CarPark:
    """The car park's electric cars, charge points and their daily pattern."""

    cars: int
    charger_kw: float  # per charge point (one per car)
    kwh_per_car_day: float  # drawn from the grid, charging losses included
    arrive_h: float  # first cohort plugs in [h of the day]
    arrive_latest_h: float  # last cohort plugs in
    depart_h: float  # all leave the next morning [h of the day]
    enwg_14a_module_2: bool


@dataclass(frozen=True)
class ChargingResult:
    """One way of charging over the year (net of VAT)."""

    name: str
    energy_kwh_per_a: float
    pv_kwh_per_a: float
    grid_kwh_per_a: float
    peak_kw: float
    grid_fee_case: str
    bill_eur_per_a: float  # energy, levies, grid fee, less the PV's forgone feed-in
    charging_kw: np.ndarray  # (steps,) internal


def default_kwh_per_car_day() -> float:
    """Grid energy per car and day from the mean annual mileage and consumption [kWh/d]."""
    battery_kwh = cost("ev_km_per_car_a") * cost("ev_battery_kwh_per_km") / 365.0
    from heatplan.site.tariffs import heat_costs

    return battery_kwh / heat_costs().ev_charging_efficiency


def sessions(
    car_park: CarPark, steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Start step, end step (exclusive, may pass the year's end: wraps to its start), grid
    energy [kWh] and power [kW] of each cohort's nightly session, day after day."""
    days = steps // (24 * STEPS_PER_H)
    cohorts = round(car_park.arrive_latest_h - car_park.arrive_h) + 1
    cars = np.full(cohorts, car_park.cars / cohorts)
    offsets = np.linspace(car_park.arrive_h, car_park.arrive_latest_h, cohorts)
    day = np.repeat(np.arange(days), cohorts)
    start = day * 24 * STEPS_PER_H + np.tile(np.round(offsets * STEPS_PER_H).astype(int), days)
    end = (day + 1) * 24 * STEPS_PER_H + round(car_park.depart_h * STEPS_PER_H)
    share = np.tile(cars, days)
    return start, end, share * car_park.kwh_per_car_day, share * car_park.charger_kw


def _bill(
    charging_kw: np.ndarray, pv_left_kw: np.ndarray, tariff: Any, module_2: bool
) -> tuple[float, float, float]:
    """(bill [EUR/a], PV used [kWh/a], peak import [kW]) of a charging series."""
    from heatplan.site.study import grid_bill_eur_per_a

    pv_kw = np.minimum(charging_kw, pv_left_kw)
    import_kw = charging_kw - pv_kw
    reduction = tariff.controllable_reduction_eur_per_kwh if module_2 else 0.0
    bill = (
        grid_bill_eur_per_a(import_kw, tariff, DT_H)
        - float(import_kw.sum()) * DT_H * reduction
        + float(pv_kw.sum()) * DT_H * tariff.feed_in_eur_per_kwh
    )
    return bill, float(pv_kw.sum()) * DT_H, float(import_kw.max())


def uncontrolled(car_park: CarPark, pv_left_kw: np.ndarray) -> ChargingResult:
    """Every car charges at full power from arrival until its energy is in."""
    from heatplan.site.optimize import Charging
    from heatplan.site.study import uncontrolled_charging_kw
    from heatplan.site.tariffs import GRID_CASES, grid_tariff

    steps = pv_left_kw.size
    start, end, energy, power = sessions(car_park, steps)
    load = uncontrolled_charging_kw(Charging(start, end, energy, power), steps)
    options = []
    for case in GRID_CASES:
        tariff = grid_tariff(case, enwg_14a_module_2=car_park.enwg_14a_module_2)
        bill, pv_kwh, peak = _bill(load, pv_left_kw, tariff, car_park.enwg_14a_module_2)
        options.append((bill, pv_kwh, peak, case))
    bill, pv_kwh, peak, case = min(options)
    total = float(load.sum()) * DT_H
    return ChargingResult("uncontrolled", total, pv_kwh, total - pv_kwh, peak, case, bill, load)


def smart(car_park: CarPark, pv_left_kw: np.ndarray) -> ChargingResult:
    """Charging planned over each night: PV first, then the cheapest quarter hours against the
    grid fee's demand price (the site LP, cheaper of the two grid-fee cases)."""
    from heatplan.site.optimize import Charging, SiteProblem, optimize
    from heatplan.site.tariffs import GRID_CASES, grid_tariff, site_costs

    steps = pv_left_kw.size
    start, end, energy, power = sessions(car_park, steps)
    ev = Charging(start, end, energy, power, controllable=car_park.enwg_14a_module_2)
    options = []
    for case in GRID_CASES:
        tariff = grid_tariff(case, enwg_14a_module_2=car_park.enwg_14a_module_2)
        problem = SiteProblem(
            np.zeros(steps),
            pv_left_kw,
            tariff,
            site_costs(),
            max_pv_kwp=1.0,
            battery_allowed=False,
            charging=ev,
            dt_h=DT_H,
        )
        d = optimize(problem, size_bounds={"pv_kwp": (1.0, 1.0)})
        # as :func:`_bill` counts: the quarter's PV is there already (drop the one "kWp" the LP
        # pays for), the PV the cars take costs the feed-in it forgoes instead of the LP's
        # feed-in revenue of the rest, and § 14a reduces only the grid kWh (the LP: every kWh)
        pv_kwh = float(d.series["pv_used_kw"].sum() - d.series["export_kw"].sum()) * DT_H
        reduction = tariff.controllable_reduction_eur_per_kwh if ev.controllable else 0.0
        bill = (
            d.annual_cost_eur_per_a
            - d.cost_terms_eur_per_a["pv_kwp"]
            + float(d.series["pv_used_kw"].sum()) * DT_H * tariff.feed_in_eur_per_kwh
            + pv_kwh * reduction
        )
        options.append((bill, pv_kwh, float(d.sizes["peak_kw"]), case, d.series["ev_kw"]))
    bill, pv_kwh, peak, case, load = min(options, key=lambda o: o[0])
    total = float(load.sum()) * DT_H
    return ChargingResult("smart", total, pv_kwh, total - pv_kwh, peak, case, bill, load)


def charge_point_cost_eur_per_a(car_park: CarPark) -> tuple[float, float]:
    """(investment [EUR], annual capital and operating cost [EUR/a]) of the charge points."""
    from heatplan.site.tariffs import interest_rate
    from heatplan.tech.economics import annuity_factor

    invest = car_park.cars * cost("charge_point_eur")
    life_a = cost("charge_point_lifetime_a")
    annuity = float(annuity_factor(interest_rate=interest_rate(), period_a=life_a))
    annual = invest * (annuity + cost("charge_point_om_share_per_a"))
    return invest, annual


def summary(car_park: CarPark, pv_left_kw: np.ndarray) -> dict[str, Any] | None:
    """The car park's public figures; None for fewer than five cars (a car park total of fewer
    households would be close to one household's charging)."""
    from heatplan.quarter.privacy import MIN_APARTMENTS

    if car_park.cars < MIN_APARTMENTS:
        return None
    invest, capital = charge_point_cost_eur_per_a(car_park)
    ways = {r.name: r for r in (uncontrolled(car_park, pv_left_kw), smart(car_park, pv_left_kw))}

    def figures(r: ChargingResult) -> dict[str, Any]:
        per_kwh = (r.bill_eur_per_a + capital) / r.energy_kwh_per_a
        return {
            "energy_kwh_per_a": r.energy_kwh_per_a,
            "pv_kwh_per_a": r.pv_kwh_per_a,
            "pv_share": r.pv_kwh_per_a / r.energy_kwh_per_a,
            "grid_kwh_per_a": r.grid_kwh_per_a,
            "peak_kw": r.peak_kw,
            "grid_fee_case": r.grid_fee_case,
            "electricity_cost_eur_per_a": r.bill_eur_per_a,
            "cost_eur_per_kwh_incl_vat": per_kwh * (1.0 + VAT),
        }

    return {
        "cars": car_park.cars,
        "charger_kw": car_park.charger_kw,
        "kwh_per_car_day": car_park.kwh_per_car_day,
        "charge_points_investment_eur": invest,
        "charge_points_annual_cost_eur_per_a": capital,
        "enwg_14a_module_2": car_park.enwg_14a_module_2,
        "uncontrolled": figures(ways["uncontrolled"]),
        "smart": figures(ways["smart"]),
        "peak_reduction_kw": ways["uncontrolled"].peak_kw - ways["smart"].peak_kw,
        "saving_eur_per_a": ways["uncontrolled"].bill_eur_per_a - ways["smart"].bill_eur_per_a,
        "basis": "cost price of the car park's operator (net of VAT; per kWh also incl. VAT), "
        "site_tariffs.csv business tariff, quarter_costs.csv charge points",
    }

"""Results of a dispatch: annual energy, full-load hours, costs, LCOH, CO2e and the WPG share.

Annual values (``*_per_a``) are the sums over the modelled hours scaled to 8760 h, so a
representative week gives yearly orders of magnitude and a full year gives the sums themselves.

Renewable / waste-heat share (WPG §§ 29-31 count "Wärme aus erneuerbaren Energien, aus
unvermeidbarer Abwärme oder einer Kombination hieraus" in the annual net heat generation):

- boilers and CHP count if their carrier is renewable in ``carriers.csv`` (biogas, wood);
- power-to-heat counts with ``green_electricity_share`` (electricity from renewable sources);
- heat pumps on environmental heat (wastewater, river, ground, air) or waste heat count by
  ``heat_pump_rule``: ``'full'`` (default) counts all their heat, ``'source_only'`` only the
  heat taken from the source, heat x (1 - 1/COP), ``'source_plus_green'`` the source heat plus
  the electricity share x ``green_electricity_share``.

The default ``'full'`` follows how the building rule GEG § 71c treats an electric heat pump (it
meets the 65 % renewable requirement alone). We could not check the wording of WPG § 3 (1) on heat
pump electricity offline, so the planner can choose the stricter rules. The share is taken on
the heat generated (storage losses are part of the net generation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from heatplan.dispatch.costs import (
    flows_per_heat,
    fuel_cost_eur_per_mwh,
    period_share,
)
from heatplan.dispatch.model import Boiler, Chp, HeatPump, Portfolio, PowerToHeat, Unit, hourly
from heatplan.reference import carriers, table
from heatplan.reference.emissions import carrier_factor_g_per_kwh, grid_factor_g_per_kwh

HeatPumpRule = Literal["full", "source_only", "source_plus_green"]
TARGETS_FILE = "wpg_network_targets.csv"
BIOMASS_CARRIERS = ("wood", "biogas")


@dataclass(frozen=True)
class DispatchResult:
    """Outcome of :func:`heatplan.dispatch.lp.solve`; money in EUR, energy in MWh per year."""

    dispatch: pd.DataFrame
    capacity: dict[str, float]
    heat_mwh_per_a: pd.Series
    full_load_hours: pd.Series
    demand_mwh_per_a: float
    electricity_mwh_per_a: float
    electricity_sold_mwh_per_a: float
    fuel_mwh_per_a: dict[str, float]
    electricity_cost_eur_per_a: float
    fuel_cost_eur_per_a: dict[str, float]
    co2_cost_eur_per_a: float
    power_revenue_eur_per_a: float
    variable_om_eur_per_a: float
    capacity_cost_eur_per_a: float
    objective_eur: float
    co2_t_per_a: float
    renewable_share: float
    biomass_share: float

    @property
    def variable_cost_eur_per_a(self) -> float:
        """Energy bought (incl. CO2 price) minus power sold plus variable O&M [EUR/a]."""
        fuel = sum(self.fuel_cost_eur_per_a.values())
        return (
            self.electricity_cost_eur_per_a
            + fuel
            + self.co2_cost_eur_per_a
            - self.power_revenue_eur_per_a
            + self.variable_om_eur_per_a
        )

    @property
    def total_cost_eur_per_a(self) -> float:
        """Variable cost plus the annualised cost of every capacity [EUR/a]."""
        return self.variable_cost_eur_per_a + self.capacity_cost_eur_per_a

    @property
    def lcoh_eur_per_mwh(self) -> float:
        """Levelised cost of the heat delivered to the network [EUR/MWh]."""
        if self.demand_mwh_per_a <= 0:
            raise ValueError("no heat delivered: the LCOH is undefined")
        return self.total_cost_eur_per_a / self.demand_mwh_per_a


def _scale(portfolio: Portfolio) -> float:
    """kWh over the period -> MWh per year."""
    return 1.0 / 1000.0 / period_share(portfolio.hours)


def _capacities(portfolio: Portfolio, solution: dict[str, np.ndarray]) -> dict[str, float]:
    out: dict[str, float] = {}
    for unit in portfolio.units:
        given = unit.capacity_kw
        out[unit.name] = float(solution[f"{unit.name}_capacity"][0]) if given is None else given
    for store in portfolio.storages:
        given = store.capacity_kwh
        out[store.name] = float(solution[f"{store.name}_capacity"][0]) if given is None else given
    return out


def _dispatch_frame(portfolio: Portfolio, solution: dict[str, np.ndarray]) -> pd.DataFrame:
    columns = {"demand_kw": portfolio.demand()}
    columns.update({k: v for k, v in solution.items() if not k.endswith("_capacity")})
    return pd.DataFrame(columns, index=portfolio.index)


def _renewable_fraction(unit: Unit, hours: int, rule: HeatPumpRule, green: float) -> np.ndarray:
    """Share of each hour's heat of ``unit`` that counts as renewable or waste heat [-]."""
    if isinstance(unit, HeatPump):
        source = 1.0 - 1.0 / hourly(f"{unit.name}.cop", unit.cop, hours)
        if rule == "full":
            return np.ones(hours)
        if rule == "source_only":
            return source
        return source + (1.0 - source) * green
    if isinstance(unit, PowerToHeat):
        return np.full(hours, green)
    renewable = bool(carriers().loc[unit.carrier, "renewable"])
    return np.full(hours, 1.0 if renewable else 0.0)


def _electricity_factor(portfolio: Portfolio) -> float:
    if portfolio.year is None:
        return carrier_factor_g_per_kwh("electricity")
    return float(grid_factor_g_per_kwh(portfolio.year, path=portfolio.grid_emission_path))


class _Energy(NamedTuple):
    electricity_in: float
    electricity_out: float
    fuel: dict[str, float]
    co2_t: float


def _energy(portfolio: Portfolio, heat: dict[str, np.ndarray]) -> _Energy:
    """Annual electricity, fuel per carrier [MWh/a] and CO2e [t/a] (GEG factors)."""
    scale, hours = _scale(portfolio), portfolio.hours
    electricity_in = electricity_out = co2_kg = 0.0
    fuel: dict[str, float] = {}
    for unit in portfolio.units:
        flow = flows_per_heat(unit, hours)
        electricity_in += float(flow.electricity_in @ heat[unit.name]) * scale
        electricity_out += float(flow.electricity_out @ heat[unit.name]) * scale
        if isinstance(unit, Boiler | Chp):
            burnt = float(flow.fuel_in @ heat[unit.name]) * scale
            fuel[unit.carrier] = fuel.get(unit.carrier, 0.0) + burnt
            co2_kg += burnt * carrier_factor_g_per_kwh(unit.carrier)
    co2_kg += electricity_in * _electricity_factor(portfolio)
    return _Energy(electricity_in, electricity_out, fuel, co2_kg / 1000.0)


class _Money(NamedTuple):
    electricity: float
    fuel: dict[str, float]
    co2: float
    revenue: float
    om: float


def _money(portfolio: Portfolio, heat: dict[str, np.ndarray]) -> _Money:
    """Annual cost components [EUR/a] of the dispatch."""
    scale, hours, prices = _scale(portfolio), portfolio.hours, portfolio.prices
    electricity_price = hourly("electricity", prices.electricity_eur_per_mwh, hours)
    money = _Money(0.0, {}, 0.0, 0.0, 0.0)
    for unit in portfolio.units:
        q, flow = heat[unit.name], flows_per_heat(unit, hours)
        electricity = float((flow.electricity_in * electricity_price) @ q) * scale
        fuel = co2 = revenue = 0.0
        if isinstance(unit, Boiler | Chp):
            price = hourly(unit.carrier, prices.fuel_eur_per_mwh[unit.carrier], hours)
            fuel = float((flow.fuel_in * price) @ q) * scale
            co2 = float((flow.fuel_in * fuel_cost_eur_per_mwh(portfolio, unit.carrier)) @ q)
            co2 = co2 * scale - fuel
            money.fuel[unit.carrier] = money.fuel.get(unit.carrier, 0.0) + fuel
        if isinstance(unit, Chp):
            sold = hourly(unit.name, unit.power_price_eur_per_mwh, hours)
            revenue = float((flow.electricity_out * sold) @ q) * scale
        om = unit.variable_om_eur_per_mwh * float(q.sum()) * scale
        money = money._replace(
            electricity=money.electricity + electricity,
            co2=money.co2 + co2,
            revenue=money.revenue + revenue,
            om=money.om + om,
        )
    return money


def _capacity_cost(portfolio: Portfolio, capacity: dict[str, float]) -> float:
    cost = sum(u.annualised_cost_eur_per_kw_a * capacity[u.name] for u in portfolio.units)
    cost += sum(s.annualised_cost_eur_per_kwh_a * capacity[s.name] for s in portfolio.storages)
    return float(cost)


def summarise(
    portfolio: Portfolio,
    solution: dict[str, np.ndarray],
    *,
    objective_eur: float,
    heat_pump_rule: HeatPumpRule = "full",
    green_electricity_share: float = 0.0,
) -> DispatchResult:
    """Build the :class:`DispatchResult` from the LP solution columns (see ``lp._unpack``)."""
    if heat_pump_rule not in ("full", "source_only", "source_plus_green"):
        raise ValueError(
            f"heat_pump_rule must be 'full', 'source_only' or 'source_plus_green'; "
            f"got {heat_pump_rule!r}"
        )
    if not 0.0 <= green_electricity_share <= 1.0:
        raise ValueError(f"green_electricity_share must be in 0..1; got {green_electricity_share}")
    heat = {u.name: np.clip(solution[u.name], 0.0, None) for u in portfolio.units}
    capacity = _capacities(portfolio, solution)
    scale, hours = _scale(portfolio), portfolio.hours
    heat_mwh = pd.Series({name: float(q.sum()) * scale for name, q in heat.items()}, dtype=float)
    unit_kw = pd.Series({u.name: capacity[u.name] for u in portfolio.units}, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        full_load = (heat_mwh * 1000.0 / unit_kw).where(unit_kw > 0, 0.0)
    renewable = sum(
        float(_renewable_fraction(u, hours, heat_pump_rule, green_electricity_share) @ heat[u.name])
        for u in portfolio.units
    )
    biomass = sum(
        float(heat[u.name].sum())
        for u in portfolio.units
        if isinstance(u, Boiler | Chp) and u.carrier in BIOMASS_CARRIERS
    )
    generated = float(sum(q.sum() for q in heat.values()))
    energy, money = _energy(portfolio, heat), _money(portfolio, heat)
    return DispatchResult(
        dispatch=_dispatch_frame(portfolio, solution),
        capacity=capacity,
        heat_mwh_per_a=heat_mwh,
        full_load_hours=full_load,
        demand_mwh_per_a=float(portfolio.demand().sum()) * scale,
        electricity_mwh_per_a=energy.electricity_in,
        electricity_sold_mwh_per_a=energy.electricity_out,
        fuel_mwh_per_a=energy.fuel,
        electricity_cost_eur_per_a=money.electricity,
        fuel_cost_eur_per_a=money.fuel,
        co2_cost_eur_per_a=money.co2,
        power_revenue_eur_per_a=money.revenue,
        variable_om_eur_per_a=money.om,
        capacity_cost_eur_per_a=_capacity_cost(portfolio, capacity),
        objective_eur=objective_eur,
        co2_t_per_a=energy.co2_t,
        renewable_share=renewable / generated if generated > 0 else 0.0,
        biomass_share=biomass / generated if generated > 0 else 0.0,
    )


class WpgCheck(NamedTuple):
    """One WPG target for a heat network and whether the share meets it."""

    rule: str
    paragraph: str
    min_share: float
    share: float
    passed: bool


def wpg_checks(renewable_share: float, year: int, new_network: bool) -> list[WpgCheck]:
    """The WPG §§ 29-31 targets in force in ``year`` and whether ``renewable_share`` meets them.

    Parameters
    ----------
    renewable_share : float
        Share of renewable energy and unavoidable waste heat in the annual net heat generation [-].
    year : int
        Year of operation.
    new_network : bool
        True for a network built from 2024 on (§ 30: >= 65 % from the start).

    Examples
    --------
    >>> [c.passed for c in wpg_checks(0.5, 2035, new_network=False)]
    [True]
    """
    if not 0.0 <= renewable_share <= 1.0 + 1e-9:
        raise ValueError(f"renewable_share must be in 0..1; got {renewable_share!r}")
    targets = table(TARGETS_FILE)
    kind = "new" if new_network else "existing"
    rows = targets[(targets["network"] == kind) & (targets["from_year"] <= year)]
    shares = rows["min_share"].astype(float).tolist()
    return [
        WpgCheck(
            str(rule),
            str(paragraph),
            need,
            float(renewable_share),
            bool(renewable_share + 1e-9 >= need),
        )
        for rule, paragraph, need in zip(rows["rule"], rows["paragraph"], shares, strict=True)
    ]

"""Generation studies for a network's hourly load: heat source, sizing, prices, spread.

The stage behind ``heatplan dispatch DIR --network ID``: it takes the hourly load a network
design left in the plan (frame ``network_load``) and sizes and dispatches a portfolio around a
large heat pump on ambient air or on sewage-plant effluent (hourly flow and temperature
synthesised from the plant's figures, the source limit and COP hour by hour), with optional
fixed sizes (e.g. ANIKA: 20 MW heat pump, 4 MW power-to-heat), and the n-1 reserve boiler of
:mod:`heatplan.dispatch.reserve` (``[network] n1_reserve``) reported with its cost and the
plant's n-1 coverage. Price scenarios and a Monte Carlo over price paths give the spread of the
network's cost of heat against gas boilers in the buildings (the ANIKA promise of stable prices).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heatplan.demand.climate import climate
from heatplan.dispatch import reserve
from heatplan.dispatch.infeasible import InfeasibleDispatchError
from heatplan.dispatch.model import Portfolio
from heatplan.dispatch.portfolio import (
    air_cop,
    building_gas_boiler,
    n1_reserve_default,
    network_portfolio,
    reserve_boiler,
    size_in_edition,
)
from heatplan.dispatch.prices import (
    monte_carlo_lcoh,
    reference_lcoh_eur_per_mwh,
    scenario_comparison,
)
from heatplan.dispatch.results import DispatchResult, wpg_checks
from heatplan.errors import HeatplanError
from heatplan.network.design import design_parameters
from heatplan.network.generation import required_share
from heatplan.plan import Plan
from heatplan.potentials.surface_water import river_heat_potential
from heatplan.potentials.wastewater import (
    PLANT_COLUMNS,
    effluent_heat_pump,
    synthesise_flow_m3_per_h,
    synthesise_temp_c,
)
from heatplan.reference.catalogue import DEFAULT_EDITION

RIVER_COLUMNS = ("timestamp", "flow_m3_per_s", "temp_c")
SOURCES = ("air", "wastewater", "river")


@dataclass
class Source:
    """The heat pump's source: ``air``, ``wastewater`` or ``river``.

    Wastewater: a measured plant series (``series``: columns flow_m3_per_h, temp_c) or the
    plant's mean flow and minimum temperature (synthesised hour by hour). River: a measured
    series (columns flow_m3_per_s, temp_c) with the limits of ``surface_water``. A series must
    have one value per hour of the year; it is laid on the profile year by position.
    ``series_name`` names where the series came from (a file) in messages.
    """

    kind: str = "air"
    flow_m3_per_day: float | None = None
    temp_min_c: float | None = None
    max_cooling_k: float = 5.0
    series: pd.DataFrame | None = None
    series_name: str = "the series"

    def hourly(
        self, temp_air_c: pd.Series, *, supply_temp_c: float, return_temp_c: float
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """COP [-] and source limit [kW, None: unlimited] for every hour."""
        temps = {"supply_temp_c": supply_temp_c, "return_temp_c": return_temp_c}
        if self.kind not in SOURCES:
            raise HeatplanError(f"--source {self.kind!r}: choose one of {', '.join(SOURCES)}")
        if self.kind == "air":
            return air_cop(temp_air_c, **temps), None
        if self.kind == "river":
            frame = self._river(len(temp_air_c), **temps)
        else:
            frame = self._effluent(temp_air_c, **temps)
        cop = frame["cop"].to_numpy(float)
        usable = np.isfinite(cop) & (cop >= 1.0)
        limit = np.where(usable, frame["source_heat_kw"].to_numpy(float), 0.0)
        return np.where(usable, cop, 1.0), limit

    def _measured(self, columns: tuple[str, str, str], hours: int) -> pd.DataFrame:
        if self.series is None:
            raise HeatplanError(f"a {self.kind} source needs --series FILE ({','.join(columns)})")
        missing = [c for c in columns[1:] if c not in self.series.columns]
        if missing:
            raise HeatplanError(f"{self.series_name}: no column(s) {', '.join(missing)}")
        frame = self.series
        if len(frame) != hours:
            raise HeatplanError(
                f"{self.series_name}: {len(frame):,} rows; the dispatch needs one value per hour "
                f"of the year ({hours:,})"
            )
        return frame

    def _river(self, hours: int, **temps: float) -> pd.DataFrame:
        river = self._measured(RIVER_COLUMNS, hours)
        return river_heat_potential(
            river["flow_m3_per_s"], river["temp_c"], max_cooling_k=self.max_cooling_k, **temps
        )

    def _effluent(self, temp_air_c: pd.Series, **temps: float) -> pd.DataFrame:
        if self.series is not None:
            plant = self._measured(PLANT_COLUMNS, len(temp_air_c))
            flow, temp = plant["flow_m3_per_h"], plant["temp_c"]
        elif self.flow_m3_per_day is None:
            raise HeatplanError(
                "a wastewater source needs --flow-m3-per-day (plant effluent) or --series FILE"
            )
        else:
            year = int(temp_air_c.index[0].year)
            flow = synthesise_flow_m3_per_h(flow_m3_per_day=self.flow_m3_per_day, year=year)
            temp = synthesise_temp_c(temp_min_c=self.temp_min_c, year=year)
        return effluent_heat_pump(flow, temp, max_cooling_k=self.max_cooling_k, **temps)


@dataclass
class Study:
    """A dispatch with its portfolio, WPG checks and price spread."""

    portfolio: Portfolio
    result: DispatchResult
    scenarios: pd.DataFrame | None = None
    monte_carlo: Any = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        out: dict[str, Any] = {
            "lcoh_eur_per_mwh": result.lcoh_eur_per_mwh,
            "reference_gas_boiler_lcoh_eur_per_mwh": reference_lcoh_eur_per_mwh(
                self.portfolio, result, boiler=building_gas_boiler(self.portfolio.year or 2025)
            ),
            "co2_t_per_a": result.co2_t_per_a,
            "renewable_share": result.renewable_share,
            "demand_mwh_per_a": result.demand_mwh_per_a,
            "electricity_mwh_per_a": result.electricity_mwh_per_a,
            "generators": {
                name: {
                    "capacity_kw": float(result.capacity[name]),
                    "heat_mwh_per_a": float(result.heat_mwh_per_a[name]),
                    "full_load_hours": float(result.full_load_hours[name]),
                }
                for name in result.heat_mwh_per_a.index
            },
            "storage_kwh": {
                s.name: float(result.capacity[s.name]) for s in self.portfolio.storages
            },
            "reserve_kw": reserve.reserve_kw(self.portfolio),
            "reserve_cost_eur_per_a": reserve.reserve_cost_eur_per_a(self.portfolio),
            "n1_coverage": reserve.n1_coverage(self.portfolio, result),
            "wpg": [
                c._asdict()
                for c in wpg_checks(result.renewable_share, self.portfolio.year or 2025, True)
            ],
            "notes": self.notes,
        }
        if self.scenarios is not None:
            out["scenarios"] = self.scenarios.reset_index().to_dict(orient="records")
        if self.monte_carlo is not None:
            out["monte_carlo"] = {
                "percentiles": self.monte_carlo.percentiles.to_dict(),
                "probability_network_cheaper": self.monte_carlo.probability_network_cheaper,
            }
        return out


def _fixed_sizes(portfolio: Portfolio, sizes: dict[str, float]) -> Portfolio:
    def unit(u: Any) -> Any:
        return dataclasses.replace(u, capacity_kw=sizes[u.name]) if u.name in sizes else u

    return dataclasses.replace(
        portfolio,
        heat_pumps=tuple(map(unit, portfolio.heat_pumps)),
        power_to_heat=tuple(map(unit, portfolio.power_to_heat)),
    )


def dispatch_study(
    demand_kw: pd.Series,
    temp_air_c: pd.Series,
    *,
    source: Source,
    supply_temp_c: float,
    return_temp_c: float,
    year: int = 2025,
    min_renewable_share: float | None = None,
    sizes: dict[str, float] | None = None,
    scenarios: bool = False,
    samples: int = 0,
    biomass: bool = False,
    biogas_price_eur_per_mwh: float | None = None,
    n1_reserve: bool | None = None,
    catalogue_edition: str = DEFAULT_EDITION,
) -> Study:
    """Size and dispatch the default portfolio on ``source`` for an hourly load [kW].

    ``n1_reserve`` adds the reserve boiler that covers the peak with the largest unit out
    (:mod:`heatplan.dispatch.reserve`; None: the default of ``network_reserve.csv``).
    """
    cop, limit = source.hourly(
        temp_air_c.set_axis(demand_kw.index),
        supply_temp_c=supply_temp_c,
        return_temp_c=return_temp_c,
    )
    portfolio = network_portfolio(
        demand_kw,
        cop=cop,
        source=source.kind,
        source_limit_kw=limit,
        year=year,
        biomass=biomass,
        biogas_price_eur_per_mwh=biogas_price_eur_per_mwh,
        catalogue_edition=catalogue_edition,
    )
    share = required_share(year) if min_renewable_share is None else min_renewable_share
    portfolio = _fixed_sizes(dataclasses.replace(portfolio, min_renewable_share=share), sizes or {})
    try:
        portfolio, result = size_in_edition(portfolio, edition=catalogue_edition, year=year)
    except InfeasibleDispatchError as exc:
        raise HeatplanError(f"dispatch: {exc}") from exc
    secure = n1_reserve_default() if n1_reserve is None else n1_reserve
    if secure:
        largest_kw = max(result.capacity.values(), default=0.0)
        boiler = reserve_boiler(year=year, edition=catalogue_edition, size_kw=largest_kw or None)
        portfolio, result = reserve.add_n1_reserve(portfolio, result, boiler)
    study = Study(portfolio, result)
    if scenarios:
        study.scenarios = _scenarios(portfolio, result, year)
    if samples:
        study.monte_carlo = monte_carlo_lcoh(
            portfolio, result, samples=samples, seed=0, boiler=building_gas_boiler(year)
        )
    return study


def _scenarios(portfolio: Portfolio, result: DispatchResult, year: int) -> pd.DataFrame:
    """Each price scenario with the sizes of the base case held fixed (hourly dispatch only)."""
    fixed = _fixed_sizes(portfolio, dict(result.capacity))
    fixed = dataclasses.replace(
        fixed,
        boilers=tuple(
            dataclasses.replace(b, capacity_kw=float(result.capacity[b.name]))
            for b in fixed.boilers
        ),
        storages=tuple(
            dataclasses.replace(s, capacity_kwh=float(result.capacity[s.name]))
            for s in fixed.storages
        ),
    )
    return scenario_comparison(fixed, year=year, boiler=building_gas_boiler(year))


#: The frames a dispatch study reads.
NEEDS = ("network_load", "buildings")


def run(
    plan: Plan,
    network_id: str,
    *,
    source: Source,
    year: int | None = None,
    progress: Any = None,
    **options: Any,
) -> tuple[Plan, Study]:
    """Dispatch study on the hourly load of ``plan``'s designed network ``network_id``.

    ``options`` are those of :func:`dispatch_study`; the plan is returned unchanged.
    """
    config = plan.settings
    if not plan.has("network_load"):
        raise HeatplanError("no network in the project: run `heatplan network design` first")
    load = plan.frame("network_load")
    rows = load[load["network_id"].astype(str) == network_id]
    if rows.empty:
        known = ", ".join(sorted(load["network_id"].astype(str).unique()))
        raise HeatplanError(f"no network {network_id!r}; the project has: {known}")
    demand = pd.Series(
        rows["demand_kw"].to_numpy(float), index=pd.DatetimeIndex(rows["time"]), name="demand_kw"
    )
    temperature, _ = climate(config, plan.buildings)
    design = design_parameters(
        supply_temp_c=config.network.supply_temp_c, return_temp_c=config.network.return_temp_c
    )
    study = dispatch_study(
        demand,
        temperature,
        source=source,
        supply_temp_c=design.supply_temp_c,
        return_temp_c=design.return_temp_c,
        year=year or config.project.price_year,
        n1_reserve=config.network.n1_reserve,
        catalogue_edition=config.economics.plant_catalogue,
        **options,
    )
    return plan, study

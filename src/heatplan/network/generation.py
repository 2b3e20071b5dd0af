"""Generation for a designed network: hourly dispatch of a sized default portfolio.

The plant must cover the buildings' hourly load plus the pipe losses. The portfolio (large
heat pump, electrode boiler, gas peak boiler, tank; :mod:`heatplan.dispatch.portfolio`) is sized
by the linear program with the WPG renewable share of a new network as a constraint
(§ 30: 65 %; § 31: 100 % from 2045). Then, unless ``[network] n1_reserve = false``, a reserve
boiler makes the plant cover its peak with the largest unit out (n-1,
:mod:`heatplan.dispatch.reserve`); its annuity and fixed O&M are part of the generation cost.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from heatplan.dispatch import reserve
from heatplan.dispatch.infeasible import InfeasibleDispatchError
from heatplan.dispatch.model import Portfolio, hourly
from heatplan.dispatch.portfolio import (
    air_cop,
    n1_reserve_default,
    network_portfolio,
    reserve_boiler,
    size_in_edition,
)
from heatplan.dispatch.results import DispatchResult, wpg_checks
from heatplan.errors import HeatplanError
from heatplan.network.design import design_parameters
from heatplan.network.funding import GenerationFigures, new_network_min_share
from heatplan.parallel import SecondCore
from heatplan.project.config import ProjectConfig
from heatplan.reference import table

TARGETS = "wpg_network_targets.csv"


log = logging.getLogger(__name__)


@dataclass
class Generation:
    """The plant's hourly load, its dispatch, and the renewable share it had to meet.

    ``portfolio`` includes the n-1 reserve boilers when the project has them; ``result`` charges
    their cost.
    """

    demand_kw: pd.Series
    portfolio: Portfolio
    result: DispatchResult
    min_renewable_share: float
    year: int

    @property
    def reserve_kw(self) -> float:
        """Capacity of the n-1 reserve boilers [kW] (0: none)."""
        return reserve.reserve_kw(self.portfolio)

    @property
    def reserve_cost_eur_per_a(self) -> float:
        """Annuity and fixed O&M of the reserve [EUR/a], included in the generation cost."""
        return reserve.reserve_cost_eur_per_a(self.portfolio)

    @property
    def n1_coverage(self) -> float:
        """Share of the peak load covered with the largest unit out [-] (n-1)."""
        return reserve.n1_coverage(self.portfolio, self.result)

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "year": self.year,
            "min_renewable_share": self.min_renewable_share,
            "lcoh_eur_per_mwh": result.lcoh_eur_per_mwh,
            "co2_t_per_a": result.co2_t_per_a,
            "renewable_share": result.renewable_share,
            "capacity_kw": {u.name: float(result.capacity[u.name]) for u in self.portfolio.units},
            "storage_kwh": {
                s.name: float(result.capacity[s.name]) for s in self.portfolio.storages
            },
            "heat_mwh_per_a": {k: float(v) for k, v in result.heat_mwh_per_a.items()},
            "full_load_hours": {k: float(v) for k, v in result.full_load_hours.items()},
            "electricity_mwh_per_a": result.electricity_mwh_per_a,
            "total_cost_eur_per_a": result.total_cost_eur_per_a,
            "reserve_kw": self.reserve_kw,
            "reserve_cost_eur_per_a": self.reserve_cost_eur_per_a,
            "n1_coverage": self.n1_coverage,
            "wpg": [
                check._asdict() for check in wpg_checks(result.renewable_share, self.year, True)
            ],
        }

    def funding_figures(self, scale: float = 1.0) -> GenerationFigures:
        """What the BEW rules need: the renewable and waste-heat share, and the heat pumps'
        heat [MWh/a] x ``scale``, seasonal performance (heat / electricity over the dispatch)
        and electricity price weighted by their electricity [EUR/MWh]. The default portfolio
        buys grid power and has no solar thermal unit."""
        flows = self._heat_pump_flows()
        heat_kwh, electricity_kwh, paid = flows[1], flows[2], flows[3]
        return GenerationFigures(
            renewable_waste_heat_share=self.result.renewable_share,
            heat_pump_heat_mwh_per_a=flows[0] * scale,
            heat_pump_scop=heat_kwh / electricity_kwh if electricity_kwh > 0 else 0.0,
            electricity_eur_per_mwh=paid / electricity_kwh if electricity_kwh > 0 else 0.0,
            grid_electricity=True,
        )

    def _heat_pump_flows(self) -> tuple[float, float, float, float]:
        """Heat pumps' heat [MWh/a]; over the dispatched hours their heat and electricity [kWh]
        and the electricity price x electricity [EUR/MWh x kWh]."""
        hours = self.portfolio.hours
        price = hourly("electricity", self.portfolio.prices.electricity_eur_per_mwh, hours)
        heat_mwh = heat_kwh = electricity_kwh = paid = 0.0
        for pump in self.portfolio.heat_pumps:
            q = np.clip(self.result.dispatch[pump.name].to_numpy(float), 0.0, None)
            power = q / hourly(f"{pump.name}.cop", pump.cop, hours)
            heat_mwh += float(self.result.heat_mwh_per_a.get(pump.name, 0.0))
            heat_kwh += float(q.sum())
            electricity_kwh += float(power.sum())
            paid += float(power @ price)
        return heat_mwh, heat_kwh, electricity_kwh, paid


#: The plants of the last few loads asked for, by content (:func:`_plants_key`). The demo
#: decides § 18 twice: before the grid check, which needs the scenario's heat-pump share, and
#: with it; the grid enters only the decentral side, so the second decision asks for the same
#: town plant, whose two 8,760-h sizings and dispatches are most of a classification's time.
_PLANTS: OrderedDict[str, list[Generation]] = OrderedDict()
_PLANTS_KEPT = 4


def generation_options(
    config: ProjectConfig,
    load_kw: pd.Series,
    heat_loss_mwh_per_a: float,
    temperature: pd.Series,
    *,
    year: int | None = None,
    second_core: SecondCore | None = None,
) -> list[Generation]:
    """The plants a utility would compare: sized to the WPG share and, where funding counts
    and the BEW asks more of a new network (Modul 2: 75 % renewable heat and waste heat),
    sized to the BEW's share too. The caller keeps the one with the lower full cost.

    The same inputs (settings, load, losses, temperature, year) give the plants computed
    before in this process, as copies (a caller may change its own). With ``second_core``
    the plant at the BEW share is sized there while this process sizes the other (the same
    plants: the same function on the same inputs).
    """
    key = _plants_key(config, load_kw, heat_loss_mwh_per_a, temperature, year)
    if key not in _PLANTS:
        _PLANTS[key] = _generation_options(
            config, load_kw, heat_loss_mwh_per_a, temperature, year=year, second_core=second_core
        )
        while len(_PLANTS) > _PLANTS_KEPT:
            _PLANTS.popitem(last=False)
    return copy.deepcopy(_PLANTS[key])


def _plants_key(
    config: ProjectConfig,
    load_kw: pd.Series,
    heat_loss_mwh_per_a: float,
    temperature: pd.Series,
    year: int | None,
) -> str:
    """A digest of everything :func:`_generation_options` reads besides the reference data."""
    digest = hashlib.sha256(config.model_dump_json().encode())
    for series in (load_kw, temperature):
        digest.update(pd.util.hash_pandas_object(series, index=True).to_numpy().tobytes())
        digest.update(str((series.name, series.dtype, series.index.dtype)).encode())
    digest.update(repr((float(heat_loss_mwh_per_a), year)).encode())
    return digest.hexdigest()


def _generation_options(
    config: ProjectConfig,
    load_kw: pd.Series,
    heat_loss_mwh_per_a: float,
    temperature: pd.Series,
    *,
    year: int | None = None,
    second_core: SecondCore | None = None,
) -> list[Generation]:
    bew = new_network_min_share()
    if not two_plants(config, year=year):
        return [generation(config, load_kw, heat_loss_mwh_per_a, temperature, year=year)]
    part = (second_core or SecondCore.none()).submit(
        generation, config, load_kw, heat_loss_mwh_per_a, temperature, year=year,
        min_renewable_share=bew,
    )  # fmt: skip
    plants = [generation(config, load_kw, heat_loss_mwh_per_a, temperature, year=year)]
    try:
        plants.append(part.result())
    except HeatplanError as exc:
        log.info("no plant at the BEW share %.0f %%: %s", bew * 100, exc)
    return plants


def two_plants(config: ProjectConfig, *, year: int | None = None) -> bool:
    """Whether :func:`generation_options` sizes a second plant, at the BEW share: where
    funding counts and the BEW asks more than the WPG share that :func:`generation` takes."""
    wpg = required_share(year or config.project.price_year)
    return bool(config.economics.with_funding and new_network_min_share() > wpg + 1e-9)


@cache
def required_share(year: int, *, new_network: bool = True) -> float:
    """The WPG §§ 29-31 renewable share in force for a network in ``year`` [-].

    § 29 applies to every network, § 30 (65 %) to new ones in addition: a new network in 2040
    needs 80 %.
    """
    targets = table(TARGETS)
    kinds = ("new", "existing") if new_network else ("existing",)
    rows = targets[targets["network"].isin(kinds) & (targets["from_year"] <= year)]
    return float(rows["min_share"].max()) if len(rows) else 0.0


def n1_reserve_on(config: ProjectConfig) -> bool:
    """Whether the project's networks get the n-1 reserve (``[network] n1_reserve``, else the
    default of ``network_reserve.csv``)."""
    setting = config.network.n1_reserve
    return n1_reserve_default() if setting is None else setting


def generation(
    config: ProjectConfig,
    load_kw: pd.Series,
    heat_loss_mwh_per_a: float,
    temperature: pd.Series,
    *,
    year: int | None = None,
    min_renewable_share: float | None = None,
) -> Generation:
    """Size and dispatch the default portfolio for the network's load plus losses; add the
    n-1 reserve (:func:`n1_reserve_on`).

    The renewable share is at least the WPG's for ``year``; ``min_renewable_share`` may ask
    for more (e.g. the BEW's 75 % for new networks).
    """
    year = year or config.project.price_year
    design = design_parameters(
        supply_temp_c=config.network.supply_temp_c, return_temp_c=config.network.return_temp_c
    )
    loss_kw = heat_loss_mwh_per_a * 1000.0 / len(load_kw)
    demand = (load_kw + loss_kw).rename("demand_kw")
    cop = air_cop(
        temperature, supply_temp_c=design.supply_temp_c, return_temp_c=design.return_temp_c
    )
    share = max(required_share(year), min_renewable_share or 0.0)
    interest_rate = config.economics.interest_rate
    period_a = config.economics.observation_period_a
    edition = config.economics.plant_catalogue
    portfolio = network_portfolio(
        demand,
        cop=cop,
        year=year,
        interest_rate=interest_rate,
        observation_period_a=period_a,
        grid_emission_path=config.emissions.grid_path,
        catalogue_edition=edition,
    )
    portfolio = Portfolio(**{**portfolio.__dict__, "min_renewable_share": share})
    try:
        portfolio, result = size_in_edition(
            portfolio,
            edition=edition,
            year=year,
            interest_rate=interest_rate,
            observation_period_a=period_a,
        )
    except InfeasibleDispatchError as exc:
        raise HeatplanError(f"generation dispatch: {exc}") from exc
    if n1_reserve_on(config):
        largest_kw = max(result.capacity.values(), default=0.0)
        portfolio, result = reserve.add_n1_reserve(
            portfolio,
            result,
            reserve_boiler(
                year=year,
                interest_rate=interest_rate,
                observation_period_a=period_a,
                edition=edition,
                size_kw=largest_kw or None,
            ),
        )
    return Generation(demand, portfolio, result, share, year)

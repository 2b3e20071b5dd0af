"""Hourly dispatch and sizing of a heat-network generation portfolio (linear program, HiGHS).

>>> from heatplan.dispatch import Boiler, Portfolio, Prices, solve
>>> portfolio = Portfolio(demand_kw=[100.0, 200.0], prices=Prices(electricity_eur_per_mwh=0.0,
...     fuel_eur_per_mwh={"natural_gas": 45.0}),
...     boilers=[Boiler("gas", "natural_gas", efficiency=0.9, capacity_kw=300.0)])
>>> round(solve(portfolio).objective_eur, 6)
15.0
"""

from heatplan.dispatch.infeasible import InfeasibleDispatchError
from heatplan.dispatch.lp import build_lp, solve
from heatplan.dispatch.model import (
    Boiler,
    Chp,
    HeatPump,
    Portfolio,
    PowerToHeat,
    Prices,
    Storage,
)
from heatplan.dispatch.results import DispatchResult, WpgCheck, wpg_checks

__all__ = [
    "Boiler",
    "Chp",
    "DispatchResult",
    "HeatPump",
    "InfeasibleDispatchError",
    "Portfolio",
    "PowerToHeat",
    "Prices",
    "Storage",
    "WpgCheck",
    "build_lp",
    "solve",
    "wpg_checks",
]

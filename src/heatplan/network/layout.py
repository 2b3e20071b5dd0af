"""A network laid out on the plan's streets: the route from a heat source to the buildings
(Steiner tree on the street graph) and the pipe sizes with simultaneity, before any hydraulic
check or generation. The classification lays one out per area; ``network design`` verifies and
costs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.network import selection as inputs
from heatplan.network.route import RouteResult, layout_network
from heatplan.network.sizing import network_summary, size_network
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.project.config import ProjectConfig
from heatplan.tech.pipes import part_load_pump_energy_kwh

#: The frames whose lines a network route may follow. Streets only: a gas network holds its
#: service lines too (in Schutterwald 91 of 101 km), which run across private plots to each
#: house; routing along them laid 64 m of trench per building. The house connection is the
#: route's own short spur from the nearest street point (:mod:`heatplan.network.route`).
ROUTE_LAYERS = ("streets",)


@dataclass
class Layout:
    """A routed and sized network (no hydraulic check, no generation yet)."""

    route: RouteResult
    connected: gpd.GeoDataFrame
    peak: pd.Series
    hourly: pd.Series
    sized: gpd.GeoDataFrame
    summary: dict[str, float]


def lay_out(
    config: ProjectConfig,
    plan: Plan,
    buildings: gpd.GeoDataFrame,
    source: Any,
    weather: inputs.Weather,
) -> Layout:
    """Route from ``source`` to ``buildings`` and size the pipes; key figures in ``summary``."""
    route = _route(plan, buildings, source)
    connected = buildings[buildings[col.BUILDING_ID].isin(route.nodes[col.BUILDING_ID].dropna())]
    peak, hourly = inputs.loads(config, connected, weather)
    annual = connected.set_index(col.BUILDING_ID)[col.HEAT_DEMAND_KWH_PER_A].astype(float)
    settings = config.network
    try:
        sized = size_network(
            route.pipes,
            route.nodes,
            peak,
            annual,
            supply_temp_c=settings.supply_temp_c,
            return_temp_c=settings.return_temp_c,
            surface=settings.surface,
        )
    except ValueError as exc:
        raise HeatplanError(f"pipe sizing: {exc}") from exc
    summary = network_summary(sized)
    summary["pump_energy_mwh_per_a"] = _pump_energy_mwh(summary, hourly)
    return Layout(route, connected, peak, hourly, sized, summary)


def _route_lines(plan: Plan) -> gpd.GeoDataFrame:
    """The street lines the route follows (:data:`ROUTE_LAYERS`)."""
    parts = [plan.frame(name)[["geometry"]] for name in ROUTE_LAYERS if plan.has(name)]
    if not parts:
        raise HeatplanError(
            "the project has no streets: `heatplan import streets` first (a gas network is no "
            "street network: its service lines cross private plots)"
        )
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def _route(plan: Plan, buildings: gpd.GeoDataFrame, source: Any) -> RouteResult:
    existing = plan.get("heat_networks")
    try:
        return layout_network(
            _route_lines(plan),
            buildings[[col.BUILDING_ID, "geometry"]],
            source,
            existing=existing,
            heat_kwh_per_a=buildings[col.HEAT_DEMAND_KWH_PER_A].to_numpy(dtype=float),
        )
    except ValueError as exc:
        raise HeatplanError(f"route layout: {exc}") from exc


def _pump_energy_mwh(summary: dict[str, float], hourly_kw: pd.Series) -> float:
    """Pump energy over the year at part load (affinity laws) instead of design x hours [MWh]."""
    share = hourly_kw.to_numpy(float) / max(float(hourly_kw.max()), 1e-9)
    return part_load_pump_energy_kwh(summary["pump_power_kw"], share) / 1000.0

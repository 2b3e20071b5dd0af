"""Phased expansion: cost of heat in each year of a connection-rate ramp.

The route and the pipes are built for the final connection rate; buildings connect over the
years, largest demand first (anchor customers). For every ramp year the generation is sized and
dispatched again for the buildings connected by then plus the full pipe losses, and the network
cost is spread over the heat then delivered — so a planner sees how the cost of heat falls as
the connection rate rises.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from heatplan.network import selection as inputs
from heatplan.network.economics import network_cost
from heatplan.network.generation import generation
from heatplan.plan import columns as col
from heatplan.project.config import ProjectConfig


def ramp_years(
    config: ProjectConfig,
    connected: gpd.GeoDataFrame,
    weather: inputs.Weather,
    summary: dict[str, float],
) -> list[dict[str, Any]]:
    """Per ramp year: share, buildings, heat delivered [MWh/a], renewable share, LCOH."""
    rows = []
    order = connected.sort_values(col.HEAT_DEMAND_KWH_PER_A, ascending=False, kind="stable")
    for year, share in config.network.connection_ramp.items():
        count = max(1, round(share * len(order)))
        subset = order.head(count)
        _, hourly = inputs.loads(config, subset, weather)
        plant = generation(config, hourly, summary["heat_loss_mwh_per_a"], weather[0], year=year)
        delivered = float(subset[col.HEAT_DEMAND_KWH_PER_A].sum()) / 1000.0
        cost = network_cost(
            config,
            {**summary, "heat_delivered_mwh_per_a": delivered},
            plant.result.total_cost_eur_per_a,
            year=year,
            generation=plant.funding_figures(),
        )
        rows.append(
            {
                "year": int(year),
                "connection_share": float(share),
                "buildings": int(count),
                "heat_delivered_mwh_per_a": delivered,
                "renewable_share": plant.result.renewable_share,
                "min_renewable_share": plant.min_renewable_share,
                col.CO2_T_PER_A: plant.result.co2_t_per_a,
                "lcoh_eur_per_mwh": cost.lcoh_eur_per_mwh,
                "funding_share": cost.funding_share,
            }
        )
    return rows

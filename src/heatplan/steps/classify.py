"""``heatplan classify``: WPG area types and likelihoods per snapshot year for every area.

Reads the ``areas`` layer (from ``heatplan areas``), evaluates each area (network laid out on its
streets and costed with the town's generation, against the buildings' decentral options;
:mod:`heatplan.classify.evaluate`), applies the rules of :mod:`heatplan.classify.rules` and
writes the classification columns back into ``areas`` in one transaction.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.classify import evaluate as ev
from heatplan.classify.rules import classify
from heatplan.errors import ProjectError
from heatplan.options.decentral import seasonal_factors
from heatplan.project.config import load_config
from heatplan.project.store import Store, open_store
from heatplan.reference import parameter
from heatplan.steps import network_inputs as inputs
from heatplan.steps.common import assign_areas, inventory_buildings
from heatplan.steps.network_costs import economics_of, network_cost
from heatplan.steps.network_generation import Generation, generation
from heatplan.steps.stages import stage_reporter

log = logging.getLogger(__name__)
AREAS = "area_parameters.csv"


def _layer(store: Store, name: str) -> gpd.GeoDataFrame | None:
    return store.read(name) if store.has(name) else None


def _areas(store: Store) -> gpd.GeoDataFrame:
    if not store.has("areas"):
        raise ProjectError("no supply areas: run `heatplan areas` first")
    return store.read("areas")


def _area_inputs(areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> list[ev.AreaInputs]:
    groups = dict(tuple(buildings.groupby("area_id")))
    rows = []
    for row in areas.itertuples(index=False):
        shortened = bool(getattr(row, "eignung_shortened", False))
        density = float(getattr(row, "line_density_kwh_per_m_a", 0.0) or 0.0)
        rows.append(
            ev.AreaInputs(
                area_id=str(row.area_id),
                geometry=row.geometry,
                buildings=groups.get(row.area_id, buildings.iloc[0:0]),
                shortened=shortened,
                shortened_reason=str(getattr(row, "eignung_reason", "") or ""),
                line_density_kwh_per_m_a=density,
            )
        )
    return rows


def _town_generation(
    config: Any, layouts: dict[str, Any], weather: inputs.Weather
) -> Generation | None:
    """One dispatch for the summed load (plus losses) of every area that could get a network."""
    laid = [layout for layout in layouts.values() if layout is not None]
    if not laid:
        return None
    hourly = sum((layout.hourly for layout in laid), start=laid[0].hourly * 0.0)
    losses = sum(layout.summary["heat_loss_mwh_per_a"] for layout in laid)
    return generation(config, hourly, losses, weather[0])


def run_classify(project_dir: Path, *, progress: Any = None) -> dict[str, Any]:
    """Classify every area and store the result in the ``areas`` layer."""
    say = stage_reporter(log, progress)
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    areas = _areas(store)
    buildings = assign_areas(inventory_buildings(store, purpose="classify needs the demand"), areas)
    options = _layer(store, "decentral_options")
    if options is not None:
        buildings = buildings.merge(options[["building_id", "ground_ok", "air_ok"]], how="left")
    weather = inputs.weather(config, buildings)
    area_list = _area_inputs(areas, buildings)
    say(f"networks laid out in {len(area_list)} areas")
    layouts = {a.area_id: ev.network_layout(config, store, a, weather) for a in area_list}
    say("town generation dispatch (HiGHS)")
    plant = _town_generation(config, layouts, weather)
    rows = _classify_all(config, store, area_list, layouts, plant, weather)
    classified = areas.drop(
        columns=[c for c in rows.columns if c in areas.columns and c != "area_id"]
    )
    classified = classified.merge(rows, on="area_id", how="left")
    with store.transaction(step="classify") as writer:
        writer.write("areas", classified)
    return _summary(classified, config)


def _classify_all(
    config: Any,
    store: Store,
    area_list: list[ev.AreaInputs],
    layouts: dict[str, Any],
    plant: Generation | None,
    weather: inputs.Weather,
) -> pd.DataFrame:
    years = [*config.project.snapshot_years, config.project.target_year]
    span = range(config.project.price_year, config.project.target_year + 1)
    _, town_hourly = inputs.loads(config, pd.concat([a.buildings for a in area_list]), weather)
    spf = seasonal_factors(weather[0].set_axis(town_hourly.index), town_hourly)
    economics = economics_of(config)
    heat_networks = _layer(store, "heat_networks")
    potentials = _layer(store, "potentials")
    coverage = ev.n1_coverage(plant)
    rows = []
    for area in area_list:
        network_lcoh, network_ghg = _network_figures(config, layouts[area.area_id], plant, span)
        figures = ev.figures(
            area,
            network_lcoh=network_lcoh,
            network_ghg_t=network_ghg,
            decentral=ev.decentral_figures(config, area, weather, spf, economics),
            heat_networks=ev.heat_network_lengths(area.geometry, heat_networks),
            potential=ev.nearby_potential(
                area.geometry, potentials, parameter(AREAS, "eignung_potential_reach_m")
            ),
            years=span,
            n1_coverage=coverage,
        )
        rows.append(
            {
                "area_id": area.area_id,
                **classify(figures, years, config.classify),
                **_layout_figures(layouts[area.area_id]),
            }
        )
    return pd.DataFrame(rows)


def _layout_figures(layout: Any) -> dict[str, float]:
    """Trench length [m] and pipe investment [EUR] of the area's laid-out network (NaN: none)."""
    summary = layout.summary if layout is not None else {}
    return {
        "network_trench_length_m": float(summary.get("trench_length_m", math.nan)),
        "network_investment_pipes_eur": float(summary.get("investment_pipes_eur", math.nan)),
    }


def _network_figures(
    config: Any, layout: Any, plant: Generation | None, span: range
) -> tuple[float, float]:
    """Network LCOH [EUR/MWh] and cumulative GHG to the target year [t] of one area."""
    if layout is None or plant is None:
        return math.nan, math.nan
    summary = layout.summary
    generated = summary["heat_delivered_mwh_per_a"] + summary["heat_loss_mwh_per_a"]
    per_mwh = plant.result.total_cost_eur_per_a / plant.result.demand_mwh_per_a
    cost = network_cost(config, summary, per_mwh * generated, year=None)
    return cost.lcoh_eur_per_mwh, ev.network_ghg_t(plant.result, generated, span)


def _summary(classified: gpd.GeoDataFrame, config: Any) -> dict[str, Any]:
    target = config.project.target_year
    column = f"area_type_{target}"
    return {
        "areas": len(classified),
        "target_year": target,
        "area_types": classified[column].value_counts().to_dict(),
        "likelihoods": classified[f"likelihood_{target}"].value_counts().to_dict(),
        "areas_detail": [
            {
                "area_id": row.area_id,
                "area_type": getattr(row, column),
                "likelihood": getattr(row, f"likelihood_{target}"),
                "explanation": row.explanation,
            }
            for row in classified.itertuples(index=False)
        ],
        "buildings_without_area": 0,
        "mean_network_lcoh_eur_per_mwh": float(np.nanmean(classified["network_lcoh_eur_per_mwh"]))
        if classified["network_lcoh_eur_per_mwh"].notna().any()
        else None,
    }

"""The inventory stage (Bestandsanalyse, WPG §15): building demand, carriers, emissions and the
Anlage-2 aggregates per block, street segment, 100 m grid cell and for the whole municipality.

Takes the plan's ``buildings`` (+ optional ``consumption``, ``heaters``, ``plants``,
``streets``, ``input_blocks``, ``weather_years``) and gives it ``buildings``, ``blocks``,
``street_segments``, ``grid_100m`` and ``totals``. The CHP units of the Marktstammdatenregister
(``plants``) count as existing heat generators of the buildings the chimney sweep's register
lists no heater for (:func:`with_register_chp`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.areas.assign import assign_to_blocks, assign_to_segments
from heatplan.areas.blocks import derive_blocks
from heatplan.areas.grid import grid_100m
from heatplan.areas.indicators import (
    block_indicators,
    grid_indicators,
    municipality_totals,
    segment_indicators,
)
from heatplan.areas.segments import street_segments
from heatplan.demand.buildings import building_demand, match_rows
from heatplan.demand.carrier_prior import PRIOR_SOURCE, carrier_breakdown
from heatplan.demand.climate import reference_weather
from heatplan.errors import ProjectError
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.progress import stage_reporter

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
#: The frames the inventory reads (the rest of a plan is not needed).
NEEDS = (
    "buildings",
    "consumption",
    "heaters",
    "plants",
    "streets",
    "input_blocks",
    "weather_years",
)
#: ``blocks_source`` when the project has neither streets nor blocks: blocks and street
#: segments stay empty, buildings, grid and totals are still computed.
NO_BLOCKS = "none: import streets (`heatplan import streets`) or blocks (`heatplan import blocks`)"


@dataclass
class InventoryResult:
    """What the inventory computed (the CLI prints it; ``--json`` dumps it)."""

    buildings: int
    buildings_by_method: dict[str, int]
    heat_demand_kwh_per_a: float
    final_energy_kwh_per_a: dict[str, float]
    co2_t_per_a: float
    buildings_without_carrier: int
    blocks: int
    blocks_source: str
    street_segments: int
    street_length_km: float
    grid_cells: int
    weather_region: int
    unmatched_rows: dict[str, int] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)
    #: Buildings by where their carrier came from (measured, register, zensus_2022_grid, unknown).
    buildings_by_carrier_source: dict[str, int] = field(default_factory=dict)
    #: Final energy of buildings without a carrier of their own, by carrier, estimated from
    #: their Zensus cells' carrier shares (in addition to ``final_energy_kwh_per_a``).
    final_energy_zensus_prior_kwh_per_a: dict[str, float] = field(default_factory=dict)
    store: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run(plan: Plan, *, progress: Progress | None = None) -> tuple[Plan, InventoryResult]:
    """The inventory of ``plan``: a new plan with demand and aggregates, and its summary."""
    say = stage_reporter(log, progress)
    config = plan.settings
    buildings = _read_buildings(plan)
    say("weather")
    weather = reference_weather(plan.get("weather_years"), config, buildings)
    say("building demand")
    demand = building_demand(
        buildings,
        consumption=plan.get("consumption"),
        heaters=with_register_chp(plan.get("heaters"), plan.get("plants"), buildings),
        weather=weather,
        missing_floors=config.project.missing_floors,
    )
    buildings = demand.buildings
    say("blocks and street segments")
    blocks, blocks_source, segments = _geometry(plan, buildings)
    buildings[col.BLOCK_ID] = _assigned(assign_to_blocks, buildings, blocks)
    buildings[col.SEGMENT_ID] = _assigned(assign_to_segments, buildings, segments)
    say("100 m grid")
    buildings[col.GRID_ID], cells = grid_100m(buildings)
    say("aggregates")
    outputs = {
        "buildings": buildings,
        "blocks": block_indicators(buildings, blocks),
        "street_segments": segment_indicators(buildings, segments),
        "grid_100m": grid_indicators(buildings, cells),
        "totals": municipality_totals(buildings),
    }
    result = _result(buildings, outputs, blocks_source, weather.region)
    result.unmatched_rows = demand.unmatched
    return plan.with_frames(**outputs), result


def with_register_chp(
    heaters: pd.DataFrame | None, plants: pd.DataFrame | None, buildings: pd.DataFrame
) -> pd.DataFrame | None:
    """``heaters`` and the MaStR CHP units in operation of buildings the heaters do not list.

    A unit of ``kind`` chp with a thermal output (``thermal_capacity_kw`` > 0) matched to a
    building (``heatplan import mastr``) becomes a heater row: ``heater_type`` chp, its fuel's
    ``carrier``, ``capacity_kw`` = Thermische Nutzleistung [kW], ``install_year`` = the year of
    commissioning, ``heater_source`` mastr. A building with any heater of the chimney sweep's
    register keeps those alone (the register lists CHP units as heaters too: no double count).
    """
    if plants is None or plants.empty or col.BUILDING_ID not in plants.columns:
        return heaters
    empty = pd.Series(np.nan, index=plants.index)
    thermal = pd.to_numeric(plants.get("thermal_capacity_kw", empty), errors="coerce")
    running = plants.get("in_operation", pd.Series(False, index=plants.index))
    chp = plants[
        plants["kind"].eq("chp")
        & running.fillna(False).astype(bool)
        & plants[col.BUILDING_ID].notna()
        & thermal.gt(0)
    ]
    listed: set[str] = set()
    if heaters is not None and len(heaters):
        keys = buildings.reindex(columns=[col.BUILDING_ID, col.HEATED_AREA_M2, "address"])
        listed = set(match_rows(heaters, keys).dropna().astype(str))
    chp = chp[~chp[col.BUILDING_ID].astype(str).isin(listed)]
    if chp.empty:
        return heaters
    rows = pd.DataFrame(
        {
            "heater_id": chp["plant_id"].astype(str),
            col.BUILDING_ID: chp[col.BUILDING_ID].astype(str),
            "heater_type": "chp",
            col.CARRIER: chp.get(col.CARRIER),
            "capacity_kw": thermal[chp.index],
            "install_year": pd.to_numeric(
                chp.get("commissioning_year", empty[chp.index]), errors="coerce"
            ),
            "heater_source": "mastr",
        }
    )
    if heaters is None or heaters.empty:
        return rows.reset_index(drop=True)
    return pd.concat([pd.DataFrame(heaters), rows], ignore_index=True)


def _assigned(
    assign: Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame], pd.Series],
    buildings: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
) -> pd.Series:
    """Key of each building's block or segment; empty (counted in none) when there are none."""
    if units.empty:
        return pd.Series(None, index=buildings.index, dtype=object)
    return assign(buildings, units)


def _empty(crs: object, key: str, measure: str) -> gpd.GeoDataFrame:
    columns = {key: pd.Series([], dtype=object), measure: pd.Series([], dtype=float)}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=crs))


def _read_buildings(plan: Plan) -> gpd.GeoDataFrame:
    if not plan.has("buildings"):
        raise ProjectError("no buildings in the project: run `heatplan import buildings` first")
    buildings = plan.buildings.copy()
    if buildings.empty:
        raise ProjectError("the buildings layer is empty: import buildings first")
    return buildings


def _geometry(
    plan: Plan, buildings: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, str, gpd.GeoDataFrame]:
    streets = plan.layer("streets")
    segments = (
        street_segments(streets)
        if streets is not None and len(streets)
        else _empty(buildings.crs, col.SEGMENT_ID, "length_m")
    )
    given = plan.layer("input_blocks")
    if given is not None and len(given):
        blocks = given[["geometry"]].copy()
        blocks[col.BLOCK_ID] = (
            given.get(col.BLOCK_ID, pd.Series(range(len(given)))).astype(str).values
        )
        blocks["area_ha"] = blocks.area / 1e4
        return blocks, "imported", segments
    if streets is None or not len(streets):
        return _empty(buildings.crs, col.BLOCK_ID, "area_ha"), NO_BLOCKS, segments
    return derive_blocks(streets, buildings), "derived from streets", segments


def _result(
    buildings: gpd.GeoDataFrame,
    outputs: dict[str, pd.DataFrame],
    blocks_source: str,
    region: int,
) -> InventoryResult:
    final = buildings.groupby(col.CARRIER)[col.FINAL_ENERGY_KWH_PER_A].sum(min_count=1).dropna()
    breakdown = carrier_breakdown(buildings)
    prior = breakdown[breakdown[col.CARRIER_SOURCE].eq(PRIOR_SOURCE)]
    prior_final = prior.groupby(col.CARRIER)[col.FINAL_ENERGY_KWH_PER_A].sum(min_count=1)
    segments = outputs["street_segments"]
    return InventoryResult(
        buildings=len(buildings),
        buildings_by_method={
            k: int(v) for k, v in buildings["demand_method"].value_counts().items()
        },
        heat_demand_kwh_per_a=float(np.nansum(buildings[col.HEAT_DEMAND_KWH_PER_A])),
        final_energy_kwh_per_a={str(k): float(v) for k, v in final.items()},
        co2_t_per_a=float(np.nansum(buildings[col.CO2_T_PER_A])),
        buildings_without_carrier=int(buildings[col.CARRIER].eq("unknown").sum()),
        blocks=len(outputs["blocks"]),
        blocks_source=blocks_source,
        street_segments=len(segments),
        street_length_km=float(segments["length_m"].sum() / 1000) if len(segments) else 0.0,
        grid_cells=len(outputs["grid_100m"]),
        weather_region=region,
        layers=list(outputs),
        buildings_by_carrier_source={
            str(k): int(v) for k, v in buildings[col.CARRIER_SOURCE].value_counts().items()
        },
        final_energy_zensus_prior_kwh_per_a={
            str(k): float(v) for k, v in prior_final.dropna().items()
        },
    )

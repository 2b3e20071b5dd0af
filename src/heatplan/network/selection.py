"""What a network design starts from: the buildings to connect, their loads, the heat source.

The buildings come from a supply area (``areas`` or imported ``input_areas``), from building
blocks, from a list of building ids, or from the street segments above the line-density guide
value (WPG §3 Nr. 16; the main criterion of Jena's plan). Peak loads are the maxima of each
building's hourly BDEW profile; the network's hourly load is the sum of the profiles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.demand.climate import Weather, climate
from heatplan.demand.profiles import aggregate_profile, class_profiles
from heatplan.errors import HeatplanError, ProjectError
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.plan.checks import inventory_buildings
from heatplan.project.config import ProjectConfig

AREA_LAYERS = ("areas", "input_areas")


def weather(config: ProjectConfig, buildings: gpd.GeoDataFrame) -> Weather:
    """The project's TRY temperature on the profile year and its holidays (read once per step)."""
    return climate(config, buildings)


@dataclass
class Selection:
    """Buildings chosen for a network, and why some were left out."""

    buildings: gpd.GeoDataFrame
    all_buildings: gpd.GeoDataFrame
    label: str
    without_demand: int
    not_connecting: int


def _area_buildings(plan: Plan, buildings: gpd.GeoDataFrame, area: str) -> pd.Series:
    for name in AREA_LAYERS:
        if plan.has(name):
            areas = plan.frame(name)
            hit = areas[areas[col.AREA_ID].astype(str) == str(area)]
            if len(hit):
                shape = hit.geometry.union_all()
                return buildings.geometry.representative_point().within(shape)
    known = [name for name in AREA_LAYERS if plan.has(name)]
    if not known:
        raise HeatplanError(
            "the project has no supply areas: import them (`heatplan import areas`) or choose "
            "--block, --buildings or --above-guide"
        )
    raise HeatplanError(f"no area with area_id {area!r} in {', '.join(known)}")


def _above_guide(plan: Plan, buildings: gpd.GeoDataFrame) -> pd.Series:
    if not plan.has("street_segments"):
        raise ProjectError("no street segments: import streets and run `heatplan inventory`")
    segments = plan.street_segments
    chosen = segments.loc[segments["above_line_density_guide"].astype(bool), col.SEGMENT_ID]
    if chosen.empty:
        raise HeatplanError("no street segment is above the line-density guide value")
    return buildings[col.SEGMENT_ID].astype(str).isin(chosen.astype(str))


def select(
    plan: Plan,
    *,
    area: str | None = None,
    blocks: list[str] | None = None,
    building_ids: list[str] | None = None,
    ids_label: str = "the given buildings",
    above_guide: bool = False,
    connection_rate: float = 1.0,
) -> Selection:
    """The buildings of exactly one selection (area, blocks, given ids, or above the guide).

    ``ids_label`` names where ``building_ids`` came from (a file name) in labels and errors.
    """
    given = [area is not None, bool(blocks), building_ids is not None, above_guide]
    if sum(given) != 1:
        raise HeatplanError("choose exactly one of --area, --block, --buildings, --above-guide")
    buildings = inventory_buildings(plan, purpose="a network needs the heat demand")
    if area is not None:
        mask, label = _area_buildings(plan, buildings, area), f"area {area}"
    elif blocks:
        mask = buildings[col.BLOCK_ID].astype(str).isin(blocks)
        label = "block " + ", ".join(blocks)
    elif building_ids is not None:
        unknown = sorted(set(building_ids) - set(buildings[col.BUILDING_ID].astype(str)))
        if unknown:
            raise HeatplanError(f"{ids_label}: unknown building id(s) {', '.join(unknown[:5])}")
        mask, label = buildings[col.BUILDING_ID].astype(str).isin(building_ids), ids_label
    else:
        mask, label = _above_guide(plan, buildings), "segments above the line-density guide"
    chosen = buildings[mask]
    if chosen.empty:
        raise HeatplanError(f"no buildings in {label}")
    has_demand = chosen[col.HEAT_DEMAND_KWH_PER_A].fillna(0).gt(0)
    connecting = _connecting(chosen[has_demand], connection_rate)
    return Selection(
        buildings=connecting,
        all_buildings=buildings,
        label=label,
        without_demand=int((~has_demand).sum()),
        not_connecting=int(has_demand.sum() - len(connecting)),
    )


def _connecting(buildings: gpd.GeoDataFrame, rate: float) -> gpd.GeoDataFrame:
    """The share ``rate`` of the buildings that connect, largest demand first (anchor customers)."""
    count = int(np.ceil(rate * len(buildings)))
    order = buildings.sort_values(col.HEAT_DEMAND_KWH_PER_A, ascending=False, kind="stable")
    return order.head(count)


def loads(
    config: ProjectConfig, buildings: gpd.GeoDataFrame, weather: Weather
) -> tuple[pd.Series, pd.Series]:
    """Peak load per building [kW] and the summed hourly load of the buildings [kW]."""
    temperature, holidays = weather
    annual = buildings.set_index(col.BUILDING_ID)[col.HEAT_DEMAND_KWH_PER_A].astype(float)
    classes = buildings.set_index(col.BUILDING_ID)[col.PROFILE_CLASS].astype(str)
    profiles = class_profiles(classes, temperature, holidays=holidays)
    peak = annual * classes.map(profiles.max()).astype(float)
    hourly = aggregate_profile(
        annual, classes, temperature, year=config.project.profile_year, holidays=holidays
    )
    return peak.rename("peak_load_kw"), hourly.rename("heat_demand_kw")


def parse_point(text: str, *, crs: object) -> shapely.Point:
    """A point 'x,y' in the project CRS (metres), e.g. from --source."""
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise HeatplanError(
            f"--source {text!r}: give 'x,y' in the project CRS {crs} (metres)"
        ) from exc
    return shapely.Point(x, y)


def default_source(plan: Plan, buildings: gpd.GeoDataFrame) -> tuple[shapely.Point, str]:
    """The nearest sewage-plant potential, else the demand-weighted centre (say which)."""
    if plan.has("potentials"):
        potentials = plan.potentials
        plants = potentials[_kind_matches(potentials["kind"], "sewage|effluent")]
        if len(plants):
            centre = _weighted_centre(buildings)
            nearest = plants.geometry.distance(centre).idxmin()
            return plants.geometry.loc[nearest], f"sewage plant {plants.loc[nearest, 'name']}"
    return _weighted_centre(buildings), "demand-weighted centre of the buildings (assumed)"


def _kind_matches(kind: pd.Series, pattern: str) -> pd.Series:
    """``kind.astype(str).str.contains(pattern)``, testing each distinct kind once (a town's
    potentials layer has a few kinds in tens of thousands of rows, read once per area)."""
    distinct = pd.unique(kind.astype(str))
    hits = [k for k in distinct if re.search(pattern, k)]
    return kind.astype(str).isin(hits)


def _weighted_centre(buildings: gpd.GeoDataFrame) -> shapely.Point:
    points = buildings.geometry.representative_point()
    weight = buildings[col.HEAT_DEMAND_KWH_PER_A].astype(float).to_numpy()
    x = float(np.average(points.x, weights=weight))
    y = float(np.average(points.y, weights=weight))
    return shapely.Point(x, y)

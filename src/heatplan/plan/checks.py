"""What several stages need of a plan, with a clear error when a stage has not run yet: the
inventory's buildings, the classified areas."""

from __future__ import annotations

import geopandas as gpd

from heatplan.errors import ProjectError
from heatplan.plan import Plan
from heatplan.plan import columns as col


def inventory_buildings(plan: Plan, *, purpose: str) -> gpd.GeoDataFrame:
    """The buildings after ``heatplan inventory`` (demand and profile class), or a clear error.

    ``purpose`` completes the message, e.g. "potentials use the heat demand".
    """
    if not plan.has("buildings"):
        raise ProjectError("no buildings in the project: run `heatplan import buildings` first")
    buildings = plan.buildings.copy()
    if not {col.HEAT_DEMAND_KWH_PER_A, col.PROFILE_CLASS} <= set(buildings.columns):
        raise ProjectError(f"run `heatplan inventory` first: {purpose}")
    return buildings


def classified_areas(plan: Plan) -> gpd.GeoDataFrame:
    """The ``areas`` frame after ``heatplan classify``, or a clear error."""
    if not plan.has("areas"):
        raise ProjectError("no supply areas: run `heatplan areas` and `heatplan classify` first")
    areas = plan.areas.copy()
    if not any(column.startswith("area_type_") for column in areas.columns):
        raise ProjectError("the areas are not classified yet: run `heatplan classify` first")
    return areas

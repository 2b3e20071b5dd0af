"""Reads several steps share: the inventory's buildings."""

from __future__ import annotations

import geopandas as gpd

from heatplan.errors import ProjectError
from heatplan.project.store import GeoPackageStore


def inventory_buildings(store: GeoPackageStore, *, purpose: str) -> gpd.GeoDataFrame:
    """The buildings after ``heatplan inventory`` (demand and profile class), or a clear error.

    ``purpose`` completes the message, e.g. "potentials use the heat demand".
    """
    if not store.has("buildings"):
        raise ProjectError("no buildings in the project: run `heatplan import buildings` first")
    buildings = store.read("buildings")
    if not {"heat_demand_kwh_per_a", "profile_class"} <= set(buildings.columns):
        raise ProjectError(f"run `heatplan inventory` first: {purpose}")
    return buildings

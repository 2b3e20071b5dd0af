"""Reads several steps share: the inventory's buildings."""

from __future__ import annotations

import geopandas as gpd

from heatplan.errors import ProjectError
from heatplan.project.store import Store


def inventory_buildings(store: Store, *, purpose: str) -> gpd.GeoDataFrame:
    """The buildings after ``heatplan inventory`` (demand and profile class), or a clear error.

    ``purpose`` completes the message, e.g. "potentials use the heat demand".
    """
    if not store.has("buildings"):
        raise ProjectError("no buildings in the project: run `heatplan import buildings` first")
    buildings = store.read("buildings")
    if not {"heat_demand_kwh_per_a", "profile_class"} <= set(buildings.columns):
        raise ProjectError(f"run `heatplan inventory` first: {purpose}")
    return buildings


def assign_areas(buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``buildings`` with the ``area_id`` of the area their representative point lies in."""
    points = gpd.GeoDataFrame(
        buildings.drop(columns="geometry"),
        geometry=buildings.geometry.representative_point(),
        crs=buildings.crs,
    )
    joined = gpd.sjoin(points, areas[["area_id", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return buildings.assign(area_id=joined["area_id"].to_numpy())


def classified_areas(store: Store) -> gpd.GeoDataFrame:
    """The ``areas`` layer after ``heatplan classify``, or a clear error."""
    if not store.has("areas"):
        raise ProjectError("no supply areas: run `heatplan areas` and `heatplan classify` first")
    areas = store.read("areas")
    if not any(column.startswith("area_type_") for column in areas.columns):
        raise ProjectError("the areas are not classified yet: run `heatplan classify` first")
    return areas

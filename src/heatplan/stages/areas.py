"""The areas stage: supply areas of the heat plan (WPG §18) with indicators and §14 test.

Takes the inventory's ``buildings``, ``blocks`` and ``street_segments``, and where present
``input_areas`` (the town's own areas), ``gas_networks``, ``heat_networks``, ``potentials``,
``barriers`` (rail, rivers: any lines) and the main roads among ``streets`` (``road_class`` in
data/area_parameters.csv ``barrier_road_classes``). With ``input_areas`` the town's areas are used
as they are: blocks and buildings are assigned to them by representative point (areas with fewer
than ``min_buildings_per_area`` buildings are reported, never changed). Otherwise blocks are
merged into contiguous areas (:func:`heatplan.areas.supply.build_areas`) and areas with fewer
than ``min_buildings_per_area`` buildings into their best neighbour
(:func:`heatplan.areas.small.merge_small_areas`). Gives the plan the frame ``areas``; a
re-run replaces it (and the classification written into it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan.areas.eignung import eignung
from heatplan.areas.small import SmallAreaMerge, merge_small_areas, min_buildings_per_area
from heatplan.areas.supply import (
    PARAMETERS,
    area_ids,
    barrier_road_classes,
    block_line_density,
    build_areas,
    dissolve_areas,
)
from heatplan.areas.supply_indicators import area_indicators, assign_by_point
from heatplan.errors import ProjectError
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.plan.checks import inventory_buildings
from heatplan.progress import stage_reporter
from heatplan.reference import parameter
from heatplan.scenario import saving

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
#: The frames the areas stage reads.
NEEDS = (
    "buildings",
    "blocks",
    "street_segments",
    "input_areas",
    "barriers",
    "streets",
    "heat_networks",
    "gas_networks",
    "potentials",
)
#: Leading columns of the ``areas`` layer; the indicators follow.
ID_COLUMNS = [col.AREA_ID, "name", "block_ids", "source"]


@dataclass
class AreasResult:
    """What the areas stage made: counts, totals and the messages for the planner."""

    areas: int
    source: str
    blocks: int
    buildings: int
    heat_demand_mwh_per_a: float
    shortened_procedure: int
    increased_saving_potential: int
    target_count: int | None
    max_area_ha: float | None
    areas_detail: list[dict[str, Any]]
    messages: list[str]
    store: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run(
    plan: Plan,
    *,
    target_count: int | None = None,
    max_area_ha: float | None = None,
    progress: Progress | None = None,
) -> tuple[Plan, AreasResult]:
    """The supply areas of ``plan`` (built from its blocks, or the town's own): a new plan."""
    say = stage_reporter(log, progress)
    buildings = inventory_buildings(plan, purpose="supply areas aggregate the heat demand")
    blocks = plan.layer("blocks")
    segments = plan.layer("street_segments")
    given = plan.layer("input_areas")
    messages: list[str] = []
    if given is not None and not given.empty:
        say("assigning blocks and buildings to the town's areas")
        found, buildings = _imported(given, blocks, buildings, messages)
        if target_count is not None or max_area_ha is not None:
            messages.append("target_count / max_area_ha ignored: the town's areas are used")
    else:
        if blocks is None or blocks.empty:
            raise ProjectError(
                "no blocks: import streets (`heatplan import streets`) or blocks and run "
                "`heatplan inventory`, or import the town's areas (`heatplan import areas`)"
            )
        say("merging blocks into supply areas")
        barriers = area_barriers(plan)
        found, buildings = _derived(
            blocks, buildings, segments, plan, barriers, target_count, max_area_ha, messages
        )
        messages += _derived_messages(found, target_count, barriers, plan)
    if segments is None or segments.empty:
        messages.append("no street segments: line density unknown (`heatplan import streets`)")
    say("area indicators, Eignungsprüfung (WPG §14) and saving potential (WPG §18 (5))")
    found = _indicators(found, buildings, segments, plan)
    summary = _summary(found, blocks, target_count, max_area_ha, messages)
    return plan.with_frames(areas=found), summary


def area_barriers(plan: Plan) -> gpd.GeoDataFrame | None:
    """Lines no area crosses: the ``barriers`` layer and the main roads among ``streets``."""
    parts = []
    given = plan.layer("barriers")
    if given is not None and not given.empty:
        parts.append(given[["geometry"]])
    streets = plan.layer("streets")
    if streets is not None and "road_class" in streets:
        main = streets[streets["road_class"].astype(str).isin(barrier_road_classes())]
        parts.append(main[["geometry"]])
    parts = [p for p in parts if len(p)]
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry")


def _derived(
    blocks: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame | None,
    plan: Plan,
    barriers: gpd.GeoDataFrame | None,
    target_count: int | None,
    max_area_ha: float | None,
    messages: list[str],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Areas merged from the blocks (small ones into a neighbour); buildings get their block's."""
    blocks = blocks.sort_values(col.BLOCK_ID, kind="stable").reset_index(drop=True)
    line_density = None
    if segments is not None and not segments.empty and col.SEGMENT_ID in buildings:
        line_density = block_line_density(buildings, segments)
    of_block = build_areas(
        blocks,
        line_density_kwh_per_m_a=line_density,
        barriers=barriers,
        heat_networks=plan.layer("heat_networks"),
        gas_networks=plan.layer("gas_networks"),
        target_count=target_count,
        max_area_ha=max_area_ha,
    )
    of_block = _merge_small(blocks, of_block, buildings, barriers, messages)
    areas = dissolve_areas(blocks, of_block)
    lookup = dict(zip(blocks[col.BLOCK_ID], of_block, strict=True))
    area_id = buildings[col.BLOCK_ID].map(lookup)
    if area_id.isna().any():  # a building outside every block (should not happen after inventory)
        by_point, _ = assign_by_point(buildings[area_id.isna()], areas)
        area_id.loc[area_id.isna()] = by_point
    areas["name"] = _names(areas, buildings.assign(area_id=area_id))
    return areas, buildings.assign(area_id=area_id.astype(str))


def _merge_small(
    blocks: gpd.GeoDataFrame,
    of_block: pd.Series,
    buildings: pd.DataFrame,
    barriers: gpd.GeoDataFrame | None,
    messages: list[str],
) -> pd.Series:
    """Areas with fewer than ``min_buildings_per_area`` buildings merged into a neighbour."""
    counts = blocks[col.BLOCK_ID].map(buildings[col.BLOCK_ID].value_counts()).fillna(0)
    lines = None if barriers is None or barriers.empty else barriers.geometry.to_numpy()
    merged = merge_small_areas(
        of_block,
        blocks.geometry.to_numpy(),
        counts.to_numpy(int),
        tolerance_m=parameter(PARAMETERS, "adjacency_tolerance_m"),
        barriers=lines,
    )
    demand = pd.to_numeric(blocks[col.HEAT_DEMAND_KWH_PER_A], errors="coerce").to_numpy(float)
    final = pd.Series(area_ids(merged.area_of_block.to_numpy(), demand), index=blocks.index)
    messages.extend(_small_messages(merged, final, of_block))
    return final.rename(col.AREA_ID)


def _small_messages(merged: SmallAreaMerge, final: pd.Series, before: pd.Series) -> list[str]:
    """Report of the merge; ``final`` and ``before`` are the area ids per block."""
    least = min_buildings_per_area()
    out = []
    if merged.merged:
        moved = before.astype(str).isin([str(m["area"]) for m in merged.merged])
        into = ", ".join(sorted(set(final[moved])))
        across = sum(bool(m["across_barrier"]) for m in merged.merged)
        crossing = f"; {across} across a barrier (no neighbour on their side)" if across else ""
        out.append(
            f"{len(merged.merged)} of {before.nunique()} areas had fewer than {least} buildings "
            f"(WPG § 10 (2)) and were merged into a neighbour ({into}){crossing}"
        )
    for label in merged.isolated:
        kept = final[before.astype(str) == label].iloc[0]
        out.append(
            f"area {kept} has fewer than {least} buildings but no neighbour to merge with: "
            "kept; publish its figures only aggregated"
        )
    return out


def _imported(
    given: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame | None,
    buildings: gpd.GeoDataFrame,
    messages: list[str],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The town's areas as they are; blocks and buildings assigned by representative point."""
    ids = given[col.AREA_ID].astype(str)
    if ids.duplicated().any():
        raise ValueError(f"input_areas: area_id {ids[ids.duplicated()].iloc[0]!r} is not unique")
    areas = gpd.GeoDataFrame(
        {col.AREA_ID: ids.to_numpy(), "source": "imported"},
        geometry=given.geometry.to_numpy(),
        crs=given.crs,
    )
    names = given["name"] if "name" in given else pd.Series(None, index=given.index)
    areas["name"] = names.where(names.notna(), "Gebiet " + ids).astype(str).to_numpy()
    areas["block_ids"] = ""
    if blocks is not None and not blocks.empty:
        of_block, _ = assign_by_point(blocks, areas)
        joined = blocks[col.BLOCK_ID].astype(str).groupby(of_block.to_numpy()).agg(",".join)
        areas["block_ids"] = areas[col.AREA_ID].map(joined).fillna("").to_numpy()
    area_id, outside = assign_by_point(buildings, areas)
    messages.append(f"the town's {len(areas)} areas are used (input_areas), none was built")
    small = area_id.value_counts().reindex(areas[col.AREA_ID], fill_value=0)
    small = small[small < min_buildings_per_area()]
    if len(small):
        messages.append(
            f"{len(small)} of the town's areas have fewer than {min_buildings_per_area()} "
            f"buildings (WPG § 10 (2)): {', '.join(small.index.astype(str))} - imported areas "
            "are never merged: redraw them or publish their figures only aggregated"
        )
    if outside:
        messages.append(
            f"{outside} buildings lie outside every imported area and count in the nearest one"
        )
    return areas, buildings.assign(area_id=area_id)


def _names(areas: gpd.GeoDataFrame, buildings: pd.DataFrame) -> list[str]:
    """'Gebiet A01 (Hauptstraße)' after the street most buildings stand on, else 'Gebiet A01'."""
    streets: dict[Any, Any] = {}
    if "street" in buildings:
        known = buildings.dropna(subset=["street"])
        counts = known.groupby([col.AREA_ID, "street"]).size().rename("n").reset_index()
        top = counts.sort_values([col.AREA_ID, "n", "street"], ascending=[True, False, True])
        streets = top.drop_duplicates(col.AREA_ID).set_index(col.AREA_ID)["street"].to_dict()
    return [
        f"Gebiet {a} ({streets[a]})" if a in streets else f"Gebiet {a}" for a in areas[col.AREA_ID]
    ]


def _derived_messages(
    areas: gpd.GeoDataFrame,
    target_count: int | None,
    barriers: gpd.GeoDataFrame | None,
    plan: Plan,
) -> list[str]:
    messages = []
    if target_count is not None and len(areas) > target_count:
        messages.append(
            f"target of {target_count} areas not reached: barriers or gaps between blocks allow "
            f"no further merge ({len(areas)} areas)"
        )
    if barriers is None:
        messages.append(
            "no barriers: import rail, rivers and motorways (`heatplan import barriers`); "
            "main roads among the streets need a road_class"
        )
    if not _has_road_classes(plan):
        messages.append(
            "the streets carry no road_class (e.g. taken from a network, not a street map): "
            "no main road is a barrier; import OSM streets or map a road-class column"
        )
    return messages


def _has_road_classes(plan: Plan) -> bool:
    streets = plan.layer("streets")
    if streets is None or streets.empty:
        return True  # no streets at all is reported elsewhere
    return "road_class" in streets and bool(streets["road_class"].notna().any())


def _indicators(
    areas: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame | None,
    plan: Plan,
) -> gpd.GeoDataFrame:
    out = area_indicators(
        areas,
        buildings,
        segments=segments,
        gas_networks=plan.layer("gas_networks"),
        heat_networks=plan.layer("heat_networks"),
        potentials=plan.layer("potentials"),
    )
    settings = plan.settings.plan
    marking = saving.thresholds(settings.saving_share_min, settings.saving_density_vs_town_min)
    out = pd.concat(
        [
            out,
            eignung(out, hydrogen_prospect=settings.hydrogen_in_prospect()),
            saving.area_saving(out, buildings, marking),
        ],
        axis=1,
    )
    out = out.sort_values(col.AREA_ID, kind="stable").reset_index(drop=True)
    rest = [c for c in out.columns if c not in ID_COLUMNS and c != "geometry"]
    return gpd.GeoDataFrame(out[[*ID_COLUMNS, *rest, "geometry"]], geometry="geometry")


def _summary(
    areas: gpd.GeoDataFrame,
    blocks: gpd.GeoDataFrame | None,
    target_count: int | None,
    max_area_ha: float | None,
    messages: list[str],
) -> AreasResult:
    detail = areas[
        [
            col.AREA_ID,
            col.HEAT_DEMAND_MWH_PER_A,
            "area_ha",
            "eignung_shortened",
            saving.MARKED,
            saving.POTENTIAL_MWH_PER_A,
        ]
    ]
    return AreasResult(
        areas=len(areas),
        source=str(areas["source"].iloc[0]) if len(areas) else "",
        blocks=0 if blocks is None else len(blocks),
        buildings=int(areas["buildings"].sum()),
        heat_demand_mwh_per_a=float(areas[col.HEAT_DEMAND_MWH_PER_A].sum()),
        shortened_procedure=int(areas["eignung_shortened"].sum()),
        increased_saving_potential=int(areas[saving.MARKED].sum()),
        target_count=target_count,
        max_area_ha=max_area_ha,
        areas_detail=[
            {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in pd.DataFrame(detail).to_dict(orient="records")
        ],
        messages=messages,
    )

"""One municipality of a national run: its partition as an in-memory plan, through the stages.

:func:`plan_municipality` is what a Dask worker runs for each municipality key: it reads the
key's partition of each input layer (:mod:`heatplan.national.partitions`), builds
:meth:`heatplan.plan.Plan.from_frames`, runs the stages that need no project folder
(:data:`STAGES`: the inventory — demand, carriers, emissions, blocks, street segments, 100 m
cells and totals — and, with ``areas=True``, the supply areas; with ``classify=True`` also the
potentials, and the classification of the areas: WPG area types and likelihoods), releases the
public aggregates with the project's privacy rules (:func:`released_grid`) and writes every
result as that key's partition of the output folder. It returns a small summary; no frame
travels back to the scheduler.

The stages read what the municipality's partitions hold (:data:`INPUT_LAYERS`) and nothing
else: an input a municipality lacks (a gas network, sewage plants, the LV grid check …) is not
made up. The classified areas name what was missing (column ``missing_inputs``), since the
stages' reasons read "kein Gasnetz bekannt" where no gas network was given.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from heatplan.national.partitions import KEY, read_partition, write_partition
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.project.config import Municipality, ProjectConfig
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION, suppress, suppression_mask
from heatplan.publish.release import audit_release
from heatplan.stages import areas, inventory

__all__ = [
    "INPUT_LAYERS",
    "OUTPUT_LAYERS",
    "MunicipalityResult",
    "for_municipality",
    "missing_inputs",
    "municipal_outline",
    "plan_municipality",
    "released_grid",
    "run_stages",
]

#: The stages a national run maps over the municipalities, in order (``potentials`` and
#: ``classify`` with ``classify=True``, ``areas`` with ``areas=True`` or ``classify=True``).
STAGES = ("inventory", "potentials", "areas", "classify")
#: The input layers a national folder may hold: every frame the stages read (their ``NEEDS``)
#: that none of them makes — imports, and the stored LV grid check ``grid_supply_areas`` —
#: frame names of ``frames.csv`` (a test keeps the list equal to the stages' needs; the
#: potentials and classification modules are imported only where a run classifies).
INPUT_LAYERS = (
    *inventory.NEEDS,
    "roof_surfaces",
    "exclusion_zones",
    "sewage_plants",
    "sewers",
    "waste_heat",
    "input_areas",
    "barriers",
    "heat_networks",
    "gas_networks",
    "grid_supply_areas",
)
#: Result layers written per municipality (``areas`` only when that stage ran).
OUTPUT_LAYERS = (
    "grid_100m",
    "blocks",
    "street_segments",
    "totals",
    "municipalities",
    "areas",
    "public_grid_100m",
    "public_municipalities",
)
#: Columns of a 100 m cell that say nothing about consumption (kept in a suppressed cell).
GRID_STRUCTURAL = (col.GRID_ID, "north_m", "east_m", "area_ha", "buildings", "geometry")


@dataclass
class MunicipalityResult:
    """What one municipality's run made (counts and its own time and memory)."""

    ags: str
    buildings: int
    heat_demand_kwh_per_a: float
    blocks: int
    grid_cells: int
    public_grid_cells: int
    areas: int
    #: Areas classified (0 without ``classify=True``).
    classified_areas: int
    #: Input layers (:data:`INPUT_LAYERS`) the municipality has no partition of, ``;``-joined.
    missing_inputs: str
    seconds: float
    #: CPU time of the worker process for this municipality [s] (wall time depends on the load).
    cpu_seconds: float
    peak_rss_mb: float
    #: The worker process (its id) that ran the municipality.
    worker: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_inputs(input_dir: Path, key: str) -> dict[str, pd.DataFrame]:
    """The partition ``key`` of each input layer the folder has."""
    frames = {}
    for name in INPUT_LAYERS:
        frame = read_partition(Path(input_dir) / name, key)
        if frame is not None:
            frames[name] = frame
    return frames


def for_municipality(settings: ProjectConfig, key: str, crs: str | None) -> ProjectConfig:
    """The run's plan settings for municipality ``key``: named by its key, in the CRS of its
    buildings (``crs``; None: the settings' own)."""
    project = settings.project if crs is None else settings.project.model_copy(update={"crs": crs})
    return settings.model_copy(update={"municipality": Municipality(name=key), "project": project})


def run_stages(
    frames: dict[str, pd.DataFrame],
    key: str,
    *,
    with_areas: bool = False,
    with_classify: bool = False,
    settings: ProjectConfig | None = None,
) -> Plan:
    """The plan of one municipality from its frames: inventory (and supply areas).

    ``with_classify`` runs what ``heatplan run`` runs before the scenario: inventory,
    potentials, supply areas and their classification (it implies ``with_areas``). A
    municipality without blocks (neither streets nor input blocks) gets no areas.
    ``settings`` are the plan settings of every municipality (:func:`for_municipality`);
    None: the defaults of ``heatplan.toml``.
    """
    buildings = frames.get("buildings")
    crs = buildings.crs if isinstance(buildings, gpd.GeoDataFrame) else None
    crs_text = crs.to_string() if crs else None
    if settings is None:
        plan = Plan.from_frames(municipality=key, crs=crs_text)
    else:
        plan = Plan.from_frames(settings=for_municipality(settings, key, crs_text))
    plan = plan.with_frames(**frames)
    plan, _ = inventory.run(plan)
    if with_classify:
        from heatplan.stages import classify, potentials

        plan, _ = potentials.run(plan)
    if (with_areas or with_classify) and len(plan.blocks):
        plan, _ = areas.run(plan)
        if with_classify:
            plan, _ = classify.run(plan)
    return plan


def missing_inputs(frames: dict[str, pd.DataFrame]) -> list[str]:
    """The input layers (:data:`INPUT_LAYERS`) not among ``frames``, in that order."""
    return [name for name in INPUT_LAYERS if name not in frames]


def municipal_outline(plan: Plan, key: str) -> gpd.GeoDataFrame:
    """One row: the municipality's key, outline (hull of its blocks, else of its buildings),
    buildings, heat demand [kWh/a], area [ha] and heat density [MWh/(ha·a)]."""
    blocks = plan.get("blocks")
    shapes = blocks if blocks is not None and len(blocks) else plan.buildings
    outline = outline_of(shapes.geometry.to_numpy())
    buildings = plan.buildings
    demand = float(np.nansum(buildings[col.HEAT_DEMAND_KWH_PER_A]))
    area_ha = outline.area / 1e4
    return gpd.GeoDataFrame(
        {
            KEY: [key],
            "buildings": [len(buildings)],
            col.HEAT_DEMAND_KWH_PER_A: [demand],
            "area_ha": [area_ha],
            col.HEAT_DENSITY_MWH_PER_HA_A: [demand / 1000 / area_ha if area_ha else np.nan],
        },
        geometry=[outline],
        crs=buildings.crs,
    )


def outline_of(shapes: np.ndarray) -> BaseGeometry:
    """The convex hull of ``shapes``: the hull of their vertices, so without their union first
    (the hull of the union is the same polygon; the union of a large town's blocks takes 10x
    longer than the hull)."""
    present = [shape for shape in shapes if shape is not None and not shape.is_empty]
    return shapely.convex_hull(shapely.GeometryCollection(present))


def released_grid(
    grid: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    key: str,
    totals: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The public 100 m cells of one municipality (WPG § 10 Abs. 2).

    The project's rules (:func:`heatplan.publish.suppression_mask`): a cell of fewer than 5
    buildings is suppressed, and further cells until the suppressed cells of the municipality
    hold none or at least 5 buildings, so that the published municipal total minus the
    published cells gives away no small group. Then the project's release audit
    (:func:`heatplan.publish.release.audit_release`, exact differencing and the protection
    interval) checks the released cells together with the municipal total (``totals``, as
    published in ``public_municipalities``) against ``buildings`` and suppresses any further
    cell it must. Suppressed cells keep outline and building count, their demand and density are
    blanked and ``suppressed`` is True.
    """
    town = pd.Series(key, index=grid.index)
    mask = suppression_mask(grid["buildings"], [town], minimum=MIN_BUILDINGS_CONSUMPTION)
    public = suppress(grid, mask, keep=GRID_STRUCTURAL)
    frames = {"buildings": buildings} | ({} if totals is None else {"totals": totals})
    audited, _ = audit_release({"grid_100m": public}, frames)
    public = audited["grid_100m"]
    public["suppressed"] = public[col.HEAT_DEMAND_KWH_PER_A].isna() & public["buildings"].gt(0)
    return public


def released_municipality(outline: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The municipality row as published: blanked under 5 buildings (WPG § 10 Abs. 2)."""
    mask = suppression_mask(outline["buildings"])
    public = suppress(outline, mask, keep=(KEY, "buildings", "area_ha", "geometry"))
    public["suppressed"] = mask.to_numpy(bool)
    return public


def plan_municipality(
    input_dir: str | Path,
    key: str,
    out_dir: str | Path,
    *,
    with_areas: bool = False,
    with_classify: bool = False,
    settings: ProjectConfig | None = None,
) -> MunicipalityResult:
    """Run municipality ``key`` of ``input_dir`` and write its results into ``out_dir``.

    With ``with_classify`` the ``areas`` layer carries the classification (area types and
    likelihoods per snapshot year, their reasons) and ``missing_inputs``. ``settings``: see
    :func:`run_stages`.
    """
    start, cpu = time.perf_counter(), time.process_time()
    frames = read_inputs(Path(input_dir), key)
    missing = missing_inputs(frames)
    plan = run_stages(
        frames, key, with_areas=with_areas, with_classify=with_classify, settings=settings
    )
    classified = with_classify and plan.has("areas")
    outline = municipal_outline(plan, key)
    results: dict[str, pd.DataFrame] = {
        "grid_100m": plan.grid_100m,
        "blocks": plan.blocks,
        "street_segments": plan.street_segments,
        "totals": plan.frame("totals"),
        "municipalities": outline,
        "public_grid_100m": released_grid(
            plan.grid_100m, plan.buildings, key, plan.frame("totals")
        ),
        "public_municipalities": released_municipality(outline),
    }
    if plan.has("areas"):
        results["areas"] = _plain_areas(plan.areas)
        if classified:
            results["areas"]["missing_inputs"] = ";".join(missing)
    for name, frame in results.items():
        write_partition(Path(out_dir) / name, key, frame)
    return MunicipalityResult(
        ags=key,
        buildings=len(plan.buildings),
        heat_demand_kwh_per_a=float(outline[col.HEAT_DEMAND_KWH_PER_A].iloc[0]),
        blocks=len(plan.blocks),
        grid_cells=len(plan.grid_100m),
        public_grid_cells=int((~results["public_grid_100m"]["suppressed"]).sum()),
        areas=len(plan.areas) if plan.has("areas") else 0,
        classified_areas=len(plan.areas) if classified else 0,
        missing_inputs=";".join(missing),
        seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        worker=os.getpid(),
    )


def _plain_areas(found: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas with list-valued cells (block ids) as text, so that Parquet keeps one type."""
    out = found.copy()
    for name in out.columns:
        if out[name].dtype == object and name != out.geometry.name:
            out[name] = out[name].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    return out

"""``heatplan demo``: a complete plan (as far as heatplan goes today) for a real municipality.

Cases:
- ``schutterwald`` (default): 1,506 houses with measured gas demand and the real gas network.
- ``melaten``: RWTH Campus Melaten, Aachen — OpenStreetMap footprints, modelled demand.
The demo goes through the same import and step functions a user calls.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pyogrio

from heatplan.demo import schutterwald
from heatplan.demo.sources import OSM_ATTRIBUTION, melaten_osm
from heatplan.errors import ProjectError
from heatplan.inputs.imports import (
    import_barriers,
    import_buildings,
    import_consumption,
    import_lines,
)
from heatplan.inputs.lv_grid import import_lv_grid
from heatplan.plan import columns as col
from heatplan.progress import stage_reporter
from heatplan.project.config import (
    PlanSettings,
    load_config,
    simplified_possible,
    write_config,
)
from heatplan.project.create import create_project
from heatplan.steps.core import run_classify
from heatplan.steps.grid import check_grid
from heatplan.steps.measures import load_demo_catalogue
from heatplan.steps.network import design_network
from heatplan.steps.outputs import report_and_exports
from heatplan.steps.plan import run_plan

log = logging.getLogger(__name__)
Case = Literal["schutterwald", "melaten"]
Progress = Callable[[str], None]

MELATEN = {"name": "Aachen (RWTH Campus Melaten)", "key": "05334002"}  # AGS of the city of Aachen
#: A planner's local knowledge, declared in the project folder rather than hidden in code.
MELATEN_MAPPING = """\
# RWTH Campus Melaten is a research campus (university land use): buildings that
# OpenStreetMap tags only as building=yes are taken as university buildings, the
# benchmark category "university" of data/nonresidential_benchmarks.csv.
[values.use]
unknown = "university"
"""


def run_demo(
    out: Path, *, case: Case = "schutterwald", force: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Build the demo project in ``out`` and return a summary of every step."""
    say = stage_reporter(log, progress)
    _prepare(out, force=force)
    steps: dict[str, Any] = {}
    out.mkdir(parents=True, exist_ok=True)
    (out / DEMO_MARKER).write_text(case + "\n", encoding="utf-8")
    if case == "schutterwald":
        steps["import"] = _import_schutterwald(out, say)
    else:
        steps["import"] = _import_melaten(out, say)
    _draft_plan(out, inhabitants=schutterwald.INHABITANTS if case == "schutterwald" else None)
    steps.update(run_plan(out, progress=progress))
    if case == "schutterwald":
        say("network design for the most likely heat-network area or Prüfgebiet")
        steps["network"] = _core_network(out, progress)
        say("sample catalogue of measures (Umsetzungsstrategie)")
        steps["measures"] = load_demo_catalogue(out)
        say("low-voltage grid check at the target year's heat-pump share")
        steps["grid"] = check_grid(out).summary()
        # the decision with the grid: classify reads the stored check (classify/grid_cost.py).
        # Twice because the check needs the scenario's heat-pump share, which needs a first
        # decision; the grid enters only the decentral side, so the second decision gets the
        # town plant of the first (network.generation keeps it): no second pair of dispatches.
        say("§ 18 decision again, with the grid reinforcement on the decentral full cost")
        steps["classify_with_grid"] = _with_grid(run_classify(out, progress=progress))
    if "scenario" in steps:
        steps.update(report_and_exports(out, progress=progress).to_dict())
    return {
        "case": case,
        "project": str(out),
        "config": str(out / "heatplan.toml"),
        "store": str(out / "plan.gpkg"),
        "steps": steps,
    }


DEMO_MARKER = ".heatplan-demo"


#: The demo designs one network: the block with the highest heat density and its nearest
#: neighbours, one contiguous quarter (a planner's first candidate; the real choice comes from
#: the area classification). The five densest blocks of the whole town lie apart on the
def _with_grid(result: Any) -> dict[str, Any]:
    """Area types in the target year after the grid entered the decision."""
    return {"area_types": result.area_types, "likelihoods": result.likelihoods}


#: LV-grid streets, and a network joining them would be mostly transport line.
DEMO_NETWORK_BLOCKS = 5


def _draft_plan(out: Path, *, inhabitants: int | None = None) -> None:
    """Mark the demo as a draft: no council has decided anything (dates are the run date).

    A town with fewer than 10,000 inhabitants takes the simplified procedure (WPG § 22).
    """
    config = load_config(out)
    today = dt.date.today()
    config.municipality.inhabitants = inhabitants
    config.plan = PlanSettings(
        procedure="simplified" if simplified_possible(inhabitants) else "standard",
        description="heatplan-Demo: Entwurf aus öffentlichen Daten, keine Ratsbeschlüsse "
        "(Datumsangaben sind das Datum des Demo-Laufs)",
        start_decision_date=today,
        adoption_date=today,
        draft=True,
    )
    write_config(out, config)


def _densest_quarter(blocks: gpd.GeoDataFrame) -> list[str]:
    """The densest block and its nearest neighbours (by centroid distance), DEMO_NETWORK_BLOCKS."""
    densest = blocks.loc[blocks[col.HEAT_DENSITY_MWH_PER_HA_A].idxmax(), "geometry"]
    distance_m = blocks.geometry.centroid.distance(densest.centroid)
    return [
        str(b) for b in blocks.loc[distance_m.nsmallest(DEMO_NETWORK_BLOCKS).index, col.BLOCK_ID]
    ]


def _network_area(areas: Any, target_year: int) -> str | None:
    """The area whose network a utility examines first: a heat-network area of the target
    year, else a Prüfgebiet, the one most likely to suit a network (then the one with the most
    heat); None when the plan has neither."""
    kind = areas.get(f"area_type_{target_year}")
    if kind is None:
        return None
    kind = kind.astype(str)
    for candidates in (areas[kind.str.startswith("waermenetz")], areas[kind == "pruefgebiet"]):
        if len(candidates):
            order = candidates.sort_values(
                ["network_better_probability", col.HEAT_DEMAND_MWH_PER_A], ascending=False
            )
            return str(order[col.AREA_ID].iloc[0])
    return None


def _core_network(out: Path, progress: Progress | None) -> dict[str, Any]:
    """Design the network of the plan's most likely heat-network area or Prüfgebiet (the
    densest quarter of blocks where the plan has neither): the first project a utility would
    examine."""
    areas = pyogrio.read_dataframe(out / "plan.gpkg", layer="areas", read_geometry=False)
    area = _network_area(areas, load_config(out).project.target_year)
    if area is not None:
        design = design_network(out, network_id="core", area=area, progress=progress)
    else:
        blocks = pyogrio.read_dataframe(out / "plan.gpkg", layer="blocks")
        design = design_network(
            out, network_id="core", blocks=_densest_quarter(blocks), progress=progress
        )
    return design.summary


def _prepare(out: Path, *, force: bool) -> None:
    """Rebuild a folder the demo made before; refuse to touch any other project."""
    if (out / "heatplan.toml").exists():
        if not (force or (out / DEMO_MARKER).exists()):
            raise ProjectError(
                f"{out} holds a project that is not a demo; use --force to replace it"
            )
        shutil.rmtree(out)


def _import_schutterwald(out: Path, say: Progress) -> dict[str, Any]:
    say("reading the Schutterwald gas network (pandapipes)")
    create_project(
        out, **schutterwald.MUNICIPALITY, holiday_subdivision="BW", geology_region="oberrheingraben"
    )
    files = schutterwald.write_inputs(out / "inputs")
    say("importing buildings, consumption, streets and gas network")
    results = {
        "buildings": import_buildings(out, files["buildings"]),
        "consumption": import_consumption(out, files["consumption"]),
        "streets": import_lines(out, files["streets"], kind="streets"),
        "gas_network": import_lines(out, files["gas_network"], kind="gas_network"),
    }
    say("importing the low-voltage grid (pandapower lv_schutterwald)")
    grid = import_lv_grid(out, schutterwald.write_lv_grid(out / "inputs"))
    return {**{name: r.to_dict() for name, r in results.items()}, "lv_grid": grid}


def _import_melaten(out: Path, say: Progress) -> dict[str, Any]:
    say("fetching the Melaten OpenStreetMap extract")
    osm = melaten_osm()
    create_project(out, **MELATEN, holiday_subdivision="NW", missing_floors="median")
    say("importing buildings and streets from OpenStreetMap")
    mapping = out / "inputs" / "melaten-mapping.toml"
    mapping.parent.mkdir(parents=True, exist_ok=True)
    mapping.write_text(MELATEN_MAPPING, encoding="utf-8")
    results = {
        "buildings": import_buildings(out, osm, mapping=mapping),
        "streets": import_lines(out, osm, kind="streets"),
        "barriers": import_barriers(out, osm),
    }
    summary: dict[str, Any] = {name: r.to_dict() for name, r in results.items()}
    summary["attribution"] = OSM_ATTRIBUTION
    return summary

"""The in-memory plan: frames by name, derived plans, the store at the edges."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from tests.demo_copy import copy_demo
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import ProjectError
from heatplan.plan import Plan, frame_info, frame_names
from heatplan.project.store import open_store
from heatplan.stages import inventory

FORMAT_1 = (
    Path(__file__).parent / "data" / "format-1"
)  # a project written by release 0.1 (93 houses)


def _houses() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"building_id": ["a", "b"], "use": ["sfh", "mfh"]},
        geometry=[shapely.Point(0, 0), shapely.Point(50, 0)],
        crs="EPSG:25832",
    )


def test_every_frame_is_described_and_made_by_a_known_command() -> None:
    stages = {"import", "inventory", "potentials", "areas", "classify", "scenario"}
    stages |= {"network", "measures", "grid"}
    assert {frame_info(name).stage for name in frame_names()} <= stages
    assert frame_info("buildings").key == "building_id" and frame_info("buildings").spatial
    assert not frame_info("totals").spatial
    with pytest.raises(KeyError, match="no frame 'houses'"):
        frame_info("houses")


def test_a_missing_frame_names_the_command_that_makes_it() -> None:
    plan = Plan.from_frames(buildings=_houses())
    assert plan.get("areas") is None and not plan.has("areas")
    with pytest.raises(ProjectError, match="run `heatplan areas` first"):
        plan.frame("areas")
    with pytest.raises(ProjectError, match="run `heatplan import streets` first"):
        plan.frame("streets")
    with pytest.raises(TypeError):
        plan.with_frames(areas=[1, 2])  # type: ignore[arg-type]


def test_derived_plans_leave_the_original_alone() -> None:
    plan = Plan.from_frames(buildings=_houses(), municipality="Musterstadt")
    assert plan.settings.municipality.name == "Musterstadt"
    assert plan.settings.project.crs == "EPSG:25832"
    blocks = gpd.GeoDataFrame({"block_id": ["1"]}, geometry=[shapely.box(0, 0, 1, 1)])
    more = plan.with_frames(blocks=blocks)
    assert more.names == ["buildings", "blocks"] and plan.names == ["buildings"]
    assert more.buildings is plan.buildings  # shared, not copied
    deep = more.copy()
    deep.buildings.loc[0, "use"] = "ab"
    assert more.buildings.loc[0, "use"] == "sfh"
    assert more.without("blocks").names == ["buildings"]


def test_a_stage_does_not_change_the_plan_it_is_given(demo_plan: Plan) -> None:
    plan = demo_plan.copy()
    before = plan.buildings.copy()
    made, result = inventory.run(plan)
    pd.testing.assert_frame_equal(plan.buildings, before)
    assert made.changed >= {"buildings", "blocks", "street_segments", "grid_100m", "totals"}
    assert result.buildings == len(before)
    # the same figures as the stored demo (the CLI ran the same stage)
    assert made.buildings["heat_demand_kwh_per_a"].sum() == pytest.approx(
        demo_plan.buildings["heat_demand_kwh_per_a"].sum(), rel=1e-12
    )


def test_an_old_project_opens_and_a_failed_write_leaves_it_as_it_was(tmp_path: Path) -> None:
    project = tmp_path / "format-1"
    shutil.copytree(FORMAT_1, project)
    store = project / "plan.gpkg"
    plan = Plan.from_project(project)
    assert len(plan.buildings) == 93 and plan.changed == set()
    before = store.read_bytes()
    broken = plan.with_frames(totals=pd.DataFrame({"value": [1 + 2j]}))  # GDAL stores no complex
    with pytest.raises(NotImplementedError, match="complex"):
        broken.to_store(store, step="broken")
    assert store.read_bytes() == before
    assert broken.changed == {"totals"}  # nothing counts as written


def test_to_store_writes_the_changed_frames_into_a_new_store(tmp_path: Path) -> None:
    plan = Plan.from_frames(buildings=_houses(), municipality="Musterstadt")
    written = plan.to_store(tmp_path / "new.gpkg", step="from memory")
    assert written == ["buildings"] and plan.changed == set()
    again = Plan.from_store(tmp_path / "new.gpkg")
    assert again.names == ["buildings"] and list(again.buildings["use"]) == ["sfh", "mfh"]
    assert again.settings.project.crs == "EPSG:25832"
    with pytest.raises(ProjectError, match="not a heatplan project store"):
        Plan.from_store(tmp_path / "nothing.gpkg")


def test_heatplan_run_reads_once_and_stores_every_stage(
    demo_built: tuple[Path, dict], tmp_path: Path
) -> None:
    project = copy_demo(demo_built, tmp_path / "schutterwald")
    result = CliRunner().invoke(app, ["run", str(project)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Target scenario (base)" in result.output and "Inventory" in result.output
    runs = Plan.from_project(project).get("areas")
    assert runs is not None and runs["area_type_2045"].notna().all()
    log = open_store(str(project / "plan.gpkg")).read("runs")
    steps = list(log["step"])
    assert steps[-5:] == ["inventory", "potentials", "areas", "classify", "scenario"]

"""The inventory step on partial real inputs: what a town that has not sent everything yet gets.

Inputs are Schutterwald's real houses and gas demand (pandapipes), written as a town would send
them (``heatplan.demo.schutterwald.write_inputs``).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.demand.degree_days import heating_degree_days
from heatplan.demo import schutterwald
from heatplan.reference.weather import read_try, try_path
from heatplan.steps.core import run_inventory

runner = CliRunner()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return schutterwald.write_inputs(tmp_path_factory.mktemp("inputs"))


def _run(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_buildings_without_streets_still_give_grid_and_totals(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    project = str(tmp_path / "town")
    _run("init", project, "--name", "Schutterwald")
    _run("import", "buildings", project, str(inputs["buildings"]))
    _run("import", "consumption", project, str(inputs["consumption"]))
    summary = _run("inventory", project)
    assert summary["blocks"] == 0 and summary["street_segments"] == 0
    assert summary["blocks_source"].startswith("none")
    assert summary["grid_cells"] > 0
    assert summary["buildings_by_method"] == {"measured": 1506}


def test_consumption_of_unknown_buildings_is_reported(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    project = str(tmp_path / "town")
    _run("init", project, "--name", "Schutterwald")
    _run("import", "buildings", project, str(inputs["buildings"]))
    consumption = pd.read_csv(inputs["consumption"])
    consumption.loc[:9, "building_id"] = [f"not-in-town-{i}" for i in range(10)]
    file = tmp_path / "consumption.csv"
    consumption.to_csv(file, index=False)
    _run("import", "consumption", project, str(file))
    summary = _run("inventory", project)
    assert summary["unmatched_rows"]["consumption"] == 10
    # the ten houses whose meters were renamed have no other data: unknown, never invented
    assert summary["buildings_by_method"] == {"measured": 1496, "unknown": 10}


def test_imported_blocks_replace_derived_ones(inputs: dict[str, Path], tmp_path: Path) -> None:
    houses = gpd.read_file(inputs["buildings"])
    minx, miny, maxx, maxy = houses.total_bounds
    midx = (minx + maxx) / 2
    halves = gpd.GeoDataFrame(
        {"block_id": ["west", "east"]},
        geometry=[box(minx - 1, miny - 1, midx, maxy + 1), box(midx, miny - 1, maxx + 1, maxy + 1)],
        crs=houses.crs,
    )
    blocks_file = tmp_path / "blocks.geojson"
    halves.to_file(blocks_file)
    project = str(tmp_path / "town")
    _run("init", project, "--name", "Schutterwald")
    _run("import", "buildings", project, str(inputs["buildings"]))
    _run("import", "consumption", project, str(inputs["consumption"]))
    _run("import", "blocks", project, str(blocks_file))
    summary = _run("inventory", project)
    assert summary["blocks"] == 2 and summary["blocks_source"] == "imported"
    blocks = gpd.read_file(Path(project) / "plan.gpkg", layer="blocks")
    west = (houses.geometry.x < midx).sum()
    assert blocks.set_index("block_id").loc["west", "buildings"] == west
    assert blocks["heat_demand_kwh_per_a"].sum() == pytest.approx(summary["heat_demand_kwh_per_a"])


def test_degree_days_correct_metered_years(inputs: dict[str, Path], tmp_path: Path) -> None:
    """A cold metering year is scaled down to the TRY climate (VDI 3807-1), hot water is not."""
    project = str(tmp_path / "town")
    _run("init", project, "--name", "Schutterwald")
    _run("import", "buildings", project, str(inputs["buildings"]))
    consumption = pd.read_csv(inputs["consumption"]).assign(year=2021)
    file = tmp_path / "gas-2021.csv"
    consumption.to_csv(file, index=False)
    _run("import", "consumption", project, str(file))
    uncorrected = _run("inventory", project)["heat_demand_kwh_per_a"]
    days = tmp_path / "gradtagzahlen.csv"
    days.write_text("Jahr;Gradtagzahl\n2021;4.012,0\n2022;9999\n", encoding="utf-8")
    stored = _run("import", "degree-days", project, str(days))
    assert stored["imported"] == 1 and stored["rejected"] == 1  # 9999 K·d is implausible
    corrected = _run("inventory", project)
    hdd_try = float(
        heating_degree_days(read_try(try_path(corrected["weather_region"]))["temp_air_c"])
    )
    hot_water_share = 0.19  # unknown use: data/demand_defaults.csv
    factor = hot_water_share + (1 - hot_water_share) * hdd_try / 4012.0
    assert corrected["heat_demand_kwh_per_a"] == pytest.approx(uncorrected * factor, rel=1e-9)


def test_the_inventory_logs_its_stages(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Each stage goes to the ``logging`` module (the CLI shows it with ``--verbose``)."""
    project = tmp_path / "format-1"  # 93 Schutterwald houses (tests/data/format-1)
    shutil.copytree(Path(__file__).parent / "data" / "format-1", project)
    with caplog.at_level(logging.INFO, logger="heatplan"):
        run_inventory(project)
    stages = [r.getMessage() for r in caplog.records if r.name == "heatplan.stages.inventory"]
    assert stages[:2] == ["weather", "building demand"]
    assert stages[-1] == "aggregates"
    adapter = [r.getMessage() for r in caplog.records if r.name == "heatplan.steps.core"]
    assert adapter == ["writing the project store"]  # the store is the adapter's, not the stage's

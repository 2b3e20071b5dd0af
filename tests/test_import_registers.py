"""Registers of the Potenzialanalyse: sewage plants, sewers, waste heat, exclusion zones."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.inputs.registers import import_register
from heatplan.project.create import create_project

runner = CliRunner()
#: Jena's central sewage plant (Zwätzen, north of the city) — approximate location [°].
JENA_PLANT_LON_LAT = (11.605, 50.958)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "jena"
    create_project(folder, name="Jena", key="16053000")
    return folder


def test_sewage_plant_with_the_anika_figures(project: Path, tmp_path: Path) -> None:
    plants = gpd.GeoDataFrame(
        {
            "Name": ["Zentralkläranlage Jena"],
            "population_equivalents": [210_000],
            "flow_m3_per_day": ["14000"],
            "temp_min_c": ["12,0"],
        },
        geometry=[shapely.Point(*JENA_PLANT_LON_LAT)],
        crs="EPSG:4326",
    )
    file = tmp_path / "klaeranlagen.geojson"
    plants.to_file(file)
    result = runner.invoke(app, ["import", "sewage-plants", str(project), str(file), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 1
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="sewage_plants")
    assert stored.crs == "EPSG:25832"
    assert stored["population_equivalents"].iloc[0] == 210_000
    assert stored["temp_min_c"].iloc[0] == 12.0


def test_sewers_must_be_lines_and_numbers(project: Path, tmp_path: Path) -> None:
    x, y = 681_000.0, 5_650_000.0  # Jena, EPSG:25832
    sewers = gpd.GeoDataFrame(
        {"diameter_mm": [1200, "DN1000"], "dry_weather_flow_l_per_s": [180.0, 95.0]},
        geometry=[shapely.LineString([(x, y), (x + 300, y)]), shapely.Point(x, y)],
        crs="EPSG:25832",
    )
    file = tmp_path / "kanal.gpkg"
    sewers.to_file(file)
    result = import_register(project, file, kind="sewers")
    assert (result.imported, result.rejected) == (1, 1)
    rejections = pyogrio.read_dataframe(project / "plan.gpkg", layer="import_rejections")
    assert set(rejections["field"]) == {"diameter_mm", "geometry"}
    assert (rejections["row"] == 2).all()


def test_exclusion_zones_are_polygons(project: Path, tmp_path: Path) -> None:
    x, y = 681_000.0, 5_650_000.0
    zones = gpd.GeoDataFrame(
        {"name": ["Wasserschutzgebiet Zone II"], "excludes": ["ground_probes"]},
        geometry=[shapely.box(x, y, x + 500, y + 400)],
        crs="EPSG:25832",
    )
    file = tmp_path / "zones.geojson"
    zones.to_file(file)
    assert import_register(project, file, kind="exclusion_zones").imported == 1
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="exclusion_zones")
    assert stored["zone_id"].tolist() == ["zones-1"]

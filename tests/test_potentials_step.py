"""The potentials step on a real project: Schutterwald's houses (excerpt in tests/data/format-1)
with a sewage plant of the ANIKA size, an exclusion zone and biomass residues declared."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
import tomli_w
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.reference import carriers
from heatplan.steps.core import run_inventory

runner = CliRunner()
#: Q = V rho cp dT: 1.164 kWh per m³ and K (rho x cp of water, IAPWS-95).
KWH_PER_M3_K = 1.164
ANIKA_FLOW_M3_PER_DAY = 14_000.0
COOLING_K = 5.0  # data/potential_defaults.csv


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pot") / "schutterwald"
    shutil.copytree(Path(__file__).parent / "data" / "format-1", folder)
    settings = tomllib.loads((folder / "heatplan.toml").read_text(encoding="utf-8"))
    settings["potentials"] = {"green_cuttings_t_per_a": 2000.0, "wood_waste_t_per_a": 1000.0}
    (folder / "heatplan.toml").write_text(tomli_w.dumps(settings), encoding="utf-8")
    run_inventory(folder)
    houses = pyogrio.read_dataframe(folder / "plan.gpkg", layer="buildings")
    west, south, east, north = houses.total_bounds
    plant = gpd.GeoDataFrame(
        {"name": ["Kläranlage"], "flow_m3_per_day": [ANIKA_FLOW_M3_PER_DAY], "temp_min_c": [12.0]},
        geometry=[shapely.Point(east + 500, south)],
        crs=houses.crs,
    )
    zone = gpd.GeoDataFrame(
        {"name": ["Wasserschutzgebiet II"], "excludes": ["ground_probes"]},
        geometry=[shapely.box(west - 1, south - 1, (west + east) / 2, north + 1)],
        crs=houses.crs,
    )
    for kind, frame in (("sewage-plants", plant), ("exclusion-zones", zone)):
        file = folder / f"{kind}.geojson"
        frame.to_file(file)
        result = runner.invoke(app, ["import", kind, str(folder), str(file), "--json"])
        assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def summary(project: Path) -> dict:
    result = runner.invoke(app, ["potentials", str(project), "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def _potentials(project: Path) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer="potentials")


def test_every_house_has_its_decentral_options(project: Path, summary: dict) -> None:
    layer = _potentials(project)
    for kind in ("ground_probes", "air_heat_pump"):
        assert (layer["kind"] == kind).sum() == 93, kind
    assert set(layer["carrier"]) <= set(carriers().index)  # codes of data/carriers.csv


def test_exclusion_zone_removes_ground_probes_west(project: Path, summary: dict) -> None:
    layer = _potentials(project)
    ground = layer[layer["kind"] == "ground_probes"]
    houses = pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings")
    west, _, east, _ = houses.total_bounds
    in_zone = ground.geometry.x < (west + east) / 2
    assert in_zone.any() and (~in_zone).any()
    assert ground.loc[in_zone, "excluded"].all()
    assert ground.loc[in_zone, "reason"].str.contains("Wasserschutzgebiet II").all()
    assert (ground.loc[in_zone, "heat_mwh_per_a"] == 0).all()


def test_air_heat_pumps_cover_the_measured_demand(project: Path, summary: dict) -> None:
    layer = _potentials(project)
    air = layer[(layer["kind"] == "air_heat_pump") & ~layer["excluded"]].set_index("building_id")
    houses = pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings")
    demand = houses.set_index("building_id")["heat_demand_kwh_per_a"] / 1000
    assert air["heat_mwh_per_a"].to_numpy() == pytest.approx(demand[air.index].to_numpy())


def test_sewage_plant_gives_more_heat_than_its_source(project: Path, summary: dict) -> None:
    layer = _potentials(project)
    plant = layer[layer["kind"] == "sewage_plant_effluent"].iloc[0]
    source_mwh = ANIKA_FLOW_M3_PER_DAY / 24 * KWH_PER_M3_K * COOLING_K * 8760 / 1000
    # heat = source x COP/(COP-1): more than the source, less than twice it at COP > 2
    assert source_mwh < plant["heat_mwh_per_a"] < 2 * source_mwh
    assert summary["heat_mwh_per_a"]["sewage_plant_effluent"] == pytest.approx(
        plant["heat_mwh_per_a"]
    )


def test_biomass_residues_and_missing_registers_are_reported(summary: dict) -> None:
    assert summary["heat_mwh_per_a"]["biomass_residues"] > 0
    assert summary["power_mwh_per_a"]["biomass_residues"] > 0
    assert any("import sewers" in m for m in summary["messages"])
    assert any("import waste-heat" in m for m in summary["messages"])


def test_potentials_need_the_inventory(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "t")])
    result = runner.invoke(app, ["potentials", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output

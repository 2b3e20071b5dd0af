"""The demo end to end on real data: Schutterwald (pandapipes) and Campus Melaten (OSM).

These are the acceptance tests of the inventory: counts of the real inputs, energy conserved
through every aggregate, unknown attributes left unknown, outputs readable by GDAL (QGIS).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app

RTOL_ENERGY = 1e-9  # aggregates must add up exactly (floating-point sums only)


@pytest.fixture(scope="module")
def schutterwald(
    tmp_path_factory: pytest.TempPathFactory, demo_built: tuple[Path, dict]
) -> tuple[Path, dict]:
    project = copy_demo(demo_built, tmp_path_factory.mktemp("demo") / "schutterwald")
    return project, demo_built[1]


def _layer(project: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer=name)


def test_schutterwald_imports_every_house(schutterwald: tuple[Path, dict]) -> None:
    _, summary = schutterwald
    imports = summary["steps"]["import"]
    assert imports["buildings"]["imported"] == 1506
    assert imports["buildings"]["rejected"] == 0
    assert imports["consumption"]["imported"] == 1506
    inventory = summary["steps"]["inventory"]
    assert inventory["buildings"] == 1506
    assert inventory["buildings_by_method"] == {"measured": 1506}


def test_schutterwald_gas_network_is_101_km(schutterwald: tuple[Path, dict]) -> None:
    project, _ = schutterwald
    pipes = _layer(project, "gas_networks")
    assert pipes.geometry.length.sum() / 1000 == pytest.approx(101.19, rel=2e-3)


def test_energy_is_conserved_in_every_aggregate(schutterwald: tuple[Path, dict]) -> None:
    project, summary = schutterwald
    total = _layer(project, "buildings")["heat_demand_kwh_per_a"].sum()
    assert total == pytest.approx(summary["steps"]["inventory"]["heat_demand_kwh_per_a"])
    for name in ("blocks", "street_segments", "grid_100m"):
        assert _layer(project, name)["heat_demand_kwh_per_a"].sum() == pytest.approx(
            total, rel=RTOL_ENERGY
        ), name


def test_measured_gas_becomes_final_energy_and_co2(schutterwald: tuple[Path, dict]) -> None:
    _project, summary = schutterwald
    inventory = summary["steps"]["inventory"]
    gas_kwh = inventory["final_energy_kwh_per_a"]["natural_gas"]
    # 1,506 houses, measured m³ x 9.50 kWh(Hi)/m³ (data/unit_conversions.csv)
    from heatplan.demo.schutterwald import load_net

    measured_m3 = float(load_net().sink["demand_m3_per_a"].sum())
    assert gas_kwh == pytest.approx(measured_m3 * 9.50, rel=1e-9)
    # GEG Anlage 9: 240 g CO2e/kWh natural gas
    assert inventory["co2_t_per_a"] == pytest.approx(gas_kwh * 240e-6, rel=1e-9)
    assert inventory["heat_demand_kwh_per_a"] < gas_kwh  # boiler losses


def test_unknown_attributes_stay_unknown(schutterwald: tuple[Path, dict]) -> None:
    project, _ = schutterwald
    buildings = _layer(project, "buildings")
    assert set(buildings["use"]) == {"unknown"}
    assert set(buildings["age_class"]) == {"unknown"}
    blocks = _layer(project, "blocks")
    assert set(blocks["predominant_use"]) == {"unknown"}
    assert set(blocks["predominant_age_class"]) == {"unknown"}


def test_line_density_and_heat_density_are_consistent(schutterwald: tuple[Path, dict]) -> None:
    project, _ = schutterwald
    segments = _layer(project, "street_segments")
    density = segments["heat_demand_kwh_per_a"] / segments["length_m"]
    np.testing.assert_allclose(segments["line_density_kwh_per_m_a"], density, rtol=1e-9)
    blocks = _layer(project, "blocks")
    expected = blocks["heat_demand_kwh_per_a"] / 1000 / (blocks.geometry.area / 1e4)
    np.testing.assert_allclose(blocks["heat_density_mwh_per_ha_a"], expected, rtol=1e-6)


def test_grid_is_in_the_eu_reference_system(schutterwald: tuple[Path, dict]) -> None:
    project, _ = schutterwald
    info = pyogrio.read_info(project / "plan.gpkg", layer="grid_100m")
    assert info["crs"] == "EPSG:3035"


def test_totals_table_and_runs_are_stored(schutterwald: tuple[Path, dict]) -> None:
    project, _ = schutterwald
    layers = {row[0] for row in pyogrio.list_layers(project / "plan.gpkg")}
    assert {
        "buildings",
        "blocks",
        "street_segments",
        "grid_100m",
        "totals",
        "import_rejections",
        "runs",
    } <= layers


def test_inventory_rerun_is_idempotent(schutterwald: tuple[Path, dict]) -> None:
    project, summary = schutterwald
    result = CliRunner().invoke(app, ["inventory", str(project), "--json"])
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["heat_demand_kwh_per_a"] == pytest.approx(
        summary["steps"]["inventory"]["heat_demand_kwh_per_a"], rel=1e-12
    )
    assert again["blocks"] == summary["steps"]["inventory"]["blocks"]


def test_melaten_from_openstreetmap(tmp_path: Path) -> None:
    out = tmp_path / "melaten"
    result = CliRunner().invoke(app, ["demo", "--case", "melaten", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    buildings = summary["steps"]["import"]["buildings"]
    assert (
        buildings["imported"] + buildings["rejected"] >= 120
    )  # 125 building polygons in the extract
    inventory = summary["steps"]["inventory"]
    assert inventory["heat_demand_kwh_per_a"] > 0
    assert "benchmark" in inventory["buildings_by_method"]


def test_hourly_profiles_of_a_block_add_up(schutterwald: tuple[Path, dict], tmp_path: Path) -> None:
    project, _ = schutterwald
    buildings = _layer(project, "buildings")
    block = buildings["block_id"].value_counts().index[0]
    expected = buildings.loc[buildings["block_id"] == block, "heat_demand_kwh_per_a"].sum()
    out = tmp_path / "block.parquet"
    result = CliRunner().invoke(
        app, ["profiles", str(project), "--block", str(block), "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    hourly = pd.read_parquet(out)
    assert hourly.shape == (8760, doc["buildings"])  # profile year 2025: 8760 hours
    # BDEW profiles are normalised to the annual demand (demandlib: ~5e-5 deviation)
    assert hourly.to_numpy().sum() == pytest.approx(expected, rel=1e-4)
    assert doc["peak_load_kw"] > 2 * expected / 8760  # a heating profile peaks in winter


def test_profiles_of_an_unknown_block_fail_clearly(
    schutterwald: tuple[Path, dict], tmp_path: Path
) -> None:
    project, _ = schutterwald
    result = CliRunner().invoke(
        app,
        ["profiles", str(project), "--block", "no-such-block", "--out", str(tmp_path / "x.csv")],
    )
    assert result.exit_code == 1
    assert "no-such-block" in result.output
    assert "Traceback" not in result.output


def test_inventory_failing_half_way_leaves_the_store_untouched(
    schutterwald: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from heatplan.project.store import StoreWriter
    from heatplan.steps.core import run_inventory

    project = tmp_path / "copy"
    shutil.copytree(schutterwald[0], project)
    before = (project / "plan.gpkg").read_bytes()
    original = StoreWriter.write

    def failing(self: StoreWriter, name: str, frame: pd.DataFrame, **kwargs: object) -> None:
        if name == "grid_100m":  # after buildings, blocks and segments were written
            raise OSError("disk full (simulated)")
        original(self, name, frame, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(StoreWriter, "write", failing)
    with pytest.raises(OSError, match="simulated"):
        run_inventory(project)
    assert (project / "plan.gpkg").read_bytes() == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".plan")) == []


def test_the_demo_writes_a_valid_plan_its_report_and_measures(
    schutterwald: tuple[Path, dict],
) -> None:
    from heatplan.outputs.xwp.plan import validate_xwaermeplan, xplan_tools_available

    _, result = schutterwald
    steps = result["steps"]
    gml = Path(steps["export"]["xwaermeplan"]["path"])
    if xplan_tools_available():  # the test set-up installs it (scripts/bootstrap.sh --test)
        counts = validate_xwaermeplan(gml)
        areas = steps["classify"]["areas"]
        assert counts["WP_WaermeversorgungsgebietZieljahr"] == areas
        assert counts["WP_ZielszenarioIndikatoren"] == 4  # 2030, 2035, 2040, 2045
    assert steps["measures"]["measures"] > 0
    pdf = Path(steps["report"]["pdf"])
    assert pdf.read_bytes()[:4] == b"%PDF" and steps["report"]["pages"] >= 15

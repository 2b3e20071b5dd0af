"""Plan versions (freeze, list, diff), implementation KPIs and the demo catalogue on a planned
project.

The project is built the way the plan steps leave it: classified ``areas`` (WPG area types per
snapshot year), the inventory's ``buildings`` (carrier, CO2e) and ``scenario_indicators`` from
the real scenario pathway (:func:`heatplan.scenario.variants.run_variants`) of a seeded stock —
without running the whole demo, so the tests stay fast. Re-classifying an area from heat network
to decentral and re-running the pathway is the kind of change the three-yearly update finds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import HeatplanError
from heatplan.measures.kpis import pathway_value
from heatplan.measures.sample import link_rules, sample_file
from heatplan.project.create import create_project
from heatplan.project.store import open_store
from heatplan.scenario.indicators import anlage2_indicators, indicator_table
from heatplan.scenario.variants import run_variants
from heatplan.steps import measures as sm
from heatplan.steps import versions as sv

YEARS = (2030, 2035, 2040, 2045)
AREA_TYPES = {  # area -> type in every snapshot year (as `heatplan classify` writes them)
    "A01": "waermenetz_verdichtung",
    "A02": "waermenetz_neubau",
    "A03": "dezentral",
    "A04": "pruefgebiet",
}
GAS_T_PER_KWH = 240e-6  # GEG 2024 Anlage 9, natural gas 240 g CO2e/kWh
BASE_YEAR = 2025  # heatplan.toml price_year default: the scenario's base year


def _areas(types: dict[str, str]) -> gpd.GeoDataFrame:
    boxes = [shapely.box(i * 500.0, 0.0, (i + 1) * 500.0, 500.0) for i in range(len(types))]
    frame = {"area_id": list(types), "name": [f"Gebiet {a}" for a in types]}
    for year in YEARS:
        frame[f"area_type_{year}"] = list(types.values())
        frame[f"likelihood_{year}"] = ["sehr_wahrscheinlich_geeignet"] * len(types)
    return gpd.GeoDataFrame(frame, geometry=boxes, crs="EPSG:25832")


def _stock(n: int = 200, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    heat = rng.uniform(8_000.0, 60_000.0, n)
    carrier = rng.choice(["natural_gas", "heating_oil", "district_heat"], n, p=[0.7, 0.2, 0.1])
    return pd.DataFrame(
        {
            "building_id": [f"B{i:04d}" for i in range(n)],
            "area_id": rng.choice(list(AREA_TYPES), n),
            "sector": "households",
            "carrier": carrier,
            "heat_demand_kwh_per_a": heat,
            "space_heating_kwh_per_a": heat * 0.8,
            "hot_water_kwh_per_a": heat * 0.2,
            "age_class": rng.choice(["1958-1968", "1984-1994"], n),
            "heater_type": "unknown",
            "use": "sfh",
            "heated_area_m2": heat / 140.0,
            "heater_install_year": rng.integers(1995, 2024, n).astype(float),
            "co2_t_per_a": heat / 0.9 * GAS_T_PER_KWH,
        }
    )


def _indicators(stock: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    plain_areas = pd.DataFrame(areas.drop(columns="geometry"))
    result = run_variants(stock, plain_areas, ["base"], overrides={"base_year": BASE_YEAR})
    return indicator_table(anlage2_indicators(result["base"], years=YEARS), variant="base")


def _buildings(stock: pd.DataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    centres = areas.set_index("area_id").geometry.centroid
    points = [centres[a] for a in stock["area_id"]]
    return gpd.GeoDataFrame(stock, geometry=points, crs=areas.crs)


def write_plan(project: Path, types: dict[str, str]) -> None:
    """(Re)classify the areas and store areas, buildings and scenario indicators."""
    areas, stock = _areas(types), _stock()
    store = sm.open_project_store(project)
    with store.transaction(step="test plan") as writer:
        writer.write("areas", areas)
        writer.write("buildings", _buildings(stock, areas))
        writer.write("scenario_indicators", _indicators(stock, areas))


@pytest.fixture(scope="module")
def planned_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("planned") / "musterstadt"
    create_project(path, name="Musterstadt", key="08317122")
    write_plan(path, AREA_TYPES)
    return path


@pytest.fixture
def planned(planned_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "musterstadt"
    shutil.copytree(planned_template, path)
    return path


def _indicator(project: Path, indicator: str, key: str, year: int) -> float:
    table = open_store(str(project / "plan.gpkg")).read("scenario_indicators")
    row = table[(table["indicator"] == indicator) & (table["key"] == key) & (table["year"] == year)]
    return float(row["value"].iloc[0])


# --- versions ------------------------------------------------------------------------------------
def test_freeze_stores_a_snapshot_and_refuses_an_existing_label(planned: Path) -> None:
    sm.load_demo_catalogue(planned)
    frozen = sv.freeze(planned, "2025-adopted", note="Ratsbeschluss")
    kept = [m for m in sample_file()["measure"] if m.get("when", "network_area") == "network_area"]
    assert (frozen["areas"], frozen["measures"]) == (4, len(kept))
    assert frozen["indicators"] > 0
    with pytest.raises(HeatplanError, match="exists already"):
        sv.freeze(planned, "2025-adopted")
    for label in ("", "2025 adopted", "current"):
        with pytest.raises(HeatplanError):
            sv.freeze(planned, label)
    listed = sv.list_versions(planned)
    assert [(v["label"], v["note"], v["areas"]) for v in listed] == [
        ("2025-adopted", "Ratsbeschluss", 4)
    ]
    snapshot = open_store(str(planned / "plan.gpkg")).read("version_areas")
    assert isinstance(snapshot, gpd.GeoDataFrame) and len(snapshot) == 4


def test_diff_finds_reclassified_areas_indicator_deltas_and_measures(planned: Path) -> None:
    sm.load_demo_catalogue(planned)
    sv.freeze(planned, "2025-adopted")
    connected_before = _indicator(planned, "heat_network_buildings", "buildings", 2045)
    # the update: A02 turns out unsuitable for a network; measures change
    write_plan(planned, {**AREA_TYPES, "A02": "dezentral"})
    sm.add_measure(planned, {"title": "Neue Maßnahme"}, author="x")
    m02 = sm.get_measure(planned, "M02")
    sm.update_measure(
        planned, "M02", {"status": "delayed"}, expected_revision=m02["revision"], author="x"
    )
    sv.freeze(planned, "2028-update")
    result = sv.diff(planned, "2025-adopted", "2028-update")
    changed = {(c["area_id"], c["field"]) for c in result["areas"]["changed"]}
    assert changed == {("A02", f"area_type_{y}") for y in YEARS}
    assert result["areas"]["added"] == result["areas"]["removed"] == []
    deltas = {(r["year"], r["indicator"], r["key"]): r for r in result["indicators"]}
    network = deltas[(2045, "heat_network_buildings", "buildings")]
    assert network["a"] == connected_before
    assert network["b"] == _indicator(planned, "heat_network_buildings", "buildings", 2045)
    assert network["delta"] == network["b"] - network["a"] < 0
    assert [m["measure_id"] for m in result["measures"]["added"]] == ["M12"]
    assert result["measures"]["dropped"] == []
    assert result["measures"]["changed"] == [
        {
            "measure_id": "M02",
            "title": m02["title"],
            "fields": {"status": {"from": m02["status"], "to": "delayed"}},
        }
    ]
    assert result["summary"]["areas_changed"] == 1


def test_a_frozen_version_never_changes(planned: Path) -> None:
    sm.load_demo_catalogue(planned)
    sv.freeze(planned, "v1")
    store = open_store(str(planned / "plan.gpkg"))
    before = store.read("version_measures")
    sm.update_measure(planned, "M01", {"title": "geändert"}, expected_revision=2, author="x")
    write_plan(planned, {**AREA_TYPES, "A01": "dezentral"})
    sv.freeze(planned, "v2")
    after = store.read("version_measures")
    pd.testing.assert_frame_equal(
        after[after["version_label"] == "v1"].reset_index(drop=True), before
    )
    same = sv.diff(planned, "v1", "v1")
    assert same["summary"] == dict.fromkeys(same["summary"], 0)
    live = sv.diff(planned, "v1", "current")
    assert live["measures"]["changed"][0]["fields"]["title"]["to"] == "geändert"
    with pytest.raises(HeatplanError, match=r"no plan version 'v3'.*v1, v2"):
        sv.diff(planned, "v1", "v3")


def test_versions_on_the_postgresql_store(tmp_path: Path, pg_project_url: str) -> None:
    project = tmp_path / "server"
    create_project(project, name="Musterstadt", store=pg_project_url)
    write_plan(project, AREA_TYPES)
    sm.load_demo_catalogue(project)
    assert sv.freeze(project, "v1")["areas"] == 4
    with pytest.raises(HeatplanError, match="exists already"):
        sv.freeze(project, "v1")
    write_plan(project, {**AREA_TYPES, "A03": "waermenetz_neubau"})
    sv.freeze(project, "v2")
    result = sv.diff(project, "v1", "v2")
    assert {c["area_id"] for c in result["areas"]["changed"]} == {"A03"}
    assert result["indicators"] and result["measures"]["changed"] == []
    assert [v["label"] for v in sv.list_versions(project)] == ["v1", "v2"]


def test_version_cli(planned: Path) -> None:
    def run(*args: str, code: int = 0) -> dict[str, Any]:
        result = CliRunner().invoke(app, ["version", *args, "--json"])
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    p = str(planned)
    assert run("freeze", p, "--label", "2025-adopted")["areas"] == 4
    assert "exists already" in run("freeze", p, "--label", "2025-adopted", code=1)["error"]
    write_plan(planned, {**AREA_TYPES, "A04": "dezentral"})
    assert run("diff", p, "2025-adopted")["summary"]["areas_changed"] == 1
    assert [v["label"] for v in run("list", p)["versions"]] == ["2025-adopted"]
    text = CliRunner().invoke(app, ["version", "diff", p, "2025-adopted", "current"])
    assert "area A04 area_type_2045: pruefgebiet -> dezentral" in text.stdout


# --- KPIs ----------------------------------------------------------------------------------------
def test_kpis_are_computed_from_the_store_and_compared_with_the_pathway(planned: Path) -> None:
    stock = _stock()
    sm.add_measure(
        planned,
        {
            "title": "Netz",
            "completion_date": "2027-12-31",
            "effect_network_km": 2.0,
            "effect_buildings_connected": 40,
        },
        author="x",
    )
    sm.add_measure(
        planned,
        {"title": "später", "completion_date": "2031-06-30", "effect_network_km": 5.0},
        author="x",
    )
    sm.add_progress(planned, "M01", {"entry_date": "2027-03-01", "network_km": 0.5}, author="a")
    sm.add_progress(planned, "M01", {"entry_date": "2027-09-01", "network_km": 1.5}, author="a")
    sm.add_progress(planned, "M01", {"entry_date": "2028-02-01", "network_km": 2.0}, author="a")
    result = sm.computed_kpis(planned, 2027)
    kpis = result["kpis"]
    assert result["variant"] == "base" and result["base_year"] == BASE_YEAR
    assert kpis["buildings_connected"]["computed"] == (stock["carrier"] == "district_heat").sum()
    assert kpis["ghg_t_per_a"]["computed"] == pytest.approx(stock["co2_t_per_a"].sum())
    assert kpis["network_km"]["reported"] == 1.5  # the newest report up to 31.12.2027
    assert kpis["network_km"]["planned_by_measures"] == 2.0  # only M01 is due by 2027
    assert kpis["network_km"]["computed"] is None and kpis["network_km"]["designed"] is None
    assert any("heat network" in note for note in result["notes"])
    # the pathway runs linearly from the inventory (base year) to the 2030 scenario value
    ghg_2030 = _indicator(planned, "ghg_emissions", "total", 2030)
    base = kpis["ghg_t_per_a"]["computed"]
    expected = base + (ghg_2030 - base) * (2027 - BASE_YEAR) / (2030 - BASE_YEAR)
    assert kpis["ghg_t_per_a"]["pathway"] == pytest.approx(expected)
    assert kpis["ghg_t_per_a"]["gap_to_pathway"] == pytest.approx(base - expected)
    at_2030 = sm.computed_kpis(planned, 2030)["kpis"]["ghg_t_per_a"]["pathway"]
    assert at_2030 == pytest.approx(ghg_2030)


def test_kpis_of_a_bare_project_are_none_with_notes(tmp_path: Path) -> None:
    project = tmp_path / "bare"
    create_project(project, name="Leer")
    result = sm.computed_kpis(project, 2026)
    assert all(row["computed"] is None for row in result["kpis"].values())
    assert all(row["pathway"] is None for row in result["kpis"].values())
    assert len(result["notes"]) == 3


def test_pathway_is_none_before_the_first_point() -> None:
    table = pd.DataFrame(
        {
            "variant": "base",
            "year": [2030, 2045],
            "indicator": "x",
            "key": "k",
            "value": [10.0, 0.0],
        }
    )
    common = {"variant": "base", "indicator": "x", "key": "k"}
    assert pathway_value(table, **common, year=2020, base=None) is None
    assert pathway_value(table, **common, year=2040, base=None) == pytest.approx(10 / 3)
    assert pathway_value(table, **common, year=2050, base=None) == 0.0
    assert pathway_value(table, **common, year=2025, base=(2020, 20.0)) == pytest.approx(15.0)


# --- demo catalogue ------------------------------------------------------------------------------
def test_demo_catalogue_is_linked_by_rule_and_loaded_once(planned: Path) -> None:
    counts = sm.load_demo_catalogue(planned)
    assert 8 <= counts["measures"] <= 12 and counts["progress"] >= 3
    measures = {m["measure_id"]: m for m in sm.list_measures(planned)}
    # A01 and A02 are network areas: the measures for a plan without one stay out
    kept = [m for m in sample_file()["measure"] if m.get("when", "network_area") == "network_area"]
    assert set(measures) == {m["measure_id"] for m in kept}
    rules = {m["measure_id"]: m.get("link") for m in kept}
    for ident, rule in rules.items():
        expected = {"network": ["A01", "A02"], "decentral": ["A03"], "none": []}[rule]
        assert measures[ident]["area_ids"] == expected, ident
    assert any(not m["public"] for m in measures.values())
    assert all("Beispiel" in m["description"] for m in measures.values())
    with pytest.raises(HeatplanError, match="already"):
        sm.load_demo_catalogue(planned)


def test_network_link_falls_back_to_the_designed_network(planned: Path) -> None:
    areas = _areas({"A01": "dezentral", "A02": "dezentral", "A03": "dezentral"})
    pipe = gpd.GeoDataFrame(geometry=[shapely.LineString([(100, 100), (700, 100)])], crs=areas.crs)
    rules = link_rules(areas, pipe)
    assert rules["network"] == ["A01", "A02"]
    assert rules["decentral"] == ["A01", "A02", "A03"]
    assert link_rules(None, pipe) == {"network": [], "decentral": [], "none": []}

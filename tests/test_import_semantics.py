"""Import semantics a planner expects: ``--replace`` a layer, ``--update`` by id, a run id on
every rejection (``heatplan rejections`` shows the last run), a failed import that leaves
``plan.gpkg`` byte-identical and reports its rejections in a CSV, and a ``--repair`` option that
the geometry error names. Through the CLI, as a planner runs it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.project.create import create_project

runner = CliRunner()
CRS = "EPSG:25832"
#: A point in Schutterwald (Ortenaukreis) in EPSG:25832 [m].
X0, Y0 = 417400.0, 5367600.0
#: Tolerance of a polygon area against its hand-computed value [m²].
AREA_ATOL_M2 = 1e-6
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    create_project(folder, name="Schutterwald")
    return folder


def _run(*args: str, code: int = 0) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def _layer(project: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer=name)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _streets(path: Path, ids: list[str], dy: float = 0.0) -> Path:
    lines = [
        shapely.LineString([(X0 + 100 * i, Y0 + dy), (X0 + 100 * i + 60, Y0 + dy + 10)])
        for i in range(len(ids))
    ]
    gpd.GeoDataFrame({"line_id": ids, "name": ids}, geometry=lines, crs=CRS).to_file(path)
    return path


def _buildings(path: Path, ids: list[str], floors: list[float]) -> Path:
    boxes = [shapely.box(X0 + 30 * i, Y0, X0 + 30 * i + 10, Y0 + 12) for i in range(len(ids))]
    frame = gpd.GeoDataFrame({"building_id": ids, "floors": floors}, geometry=boxes, crs=CRS)
    frame.to_file(path)
    return path


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- replace and update ----------------------------------------------------------------------
def test_reimport_without_replace_rejects_and_names_both_options(
    project: Path, tmp_path: Path
) -> None:
    file = _streets(tmp_path / "strassen.gpkg", ["S1", "S2"])
    _run("import", "streets", str(project), str(file))
    again = _run("import", "streets", str(project), str(file), code=1)
    assert (again["imported"], again["rejected"]) == (0, 2)
    report = pd.read_csv(str(again["report"]))
    assert report["reason"].str.contains("--update").all()
    assert report["reason"].str.contains("--replace").all()


def test_replace_gives_the_new_rows_only(project: Path, tmp_path: Path) -> None:
    old = _streets(tmp_path / "strassen_2023.gpkg", ["S1", "S2", "S3"])
    new = _streets(tmp_path / "strassen_2024.gpkg", ["S2", "S9"], dy=500.0)
    _run("import", "streets", str(project), str(old))
    doc = _run("import", "streets", str(project), str(new), "--replace")
    assert (doc["imported"], doc["rejected"], doc["replaced"], doc["mode"]) == (2, 0, 3, "replace")
    stored = _layer(project, "streets")
    assert sorted(stored["line_id"]) == ["S2", "S9"]
    assert set(stored["source_file"]) == {"strassen_2024.gpkg"}
    # S2 is the new file's line (moved 500 m north), not the old one
    s2 = stored.set_index("line_id").geometry["S2"]
    assert s2.coords[0][1] == pytest.approx(Y0 + 500.0)
    # replacing with the same file twice keeps one copy of its rows
    _run("import", "streets", str(project), str(new), "--replace")
    assert len(_layer(project, "streets")) == 2


def test_update_changes_one_row_and_adds_new_ids(project: Path, tmp_path: Path) -> None:
    first = _buildings(tmp_path / "haeuser.gpkg", ["B1", "B2", "B3"], [1.0, 2.0, 3.0])
    _run("import", "buildings", str(project), str(first))
    change = _buildings(tmp_path / "korrektur.gpkg", ["B2", "B4"], [5.0, 1.0])
    doc = _run("import", "buildings", str(project), str(change), "--update")
    assert (doc["imported"], doc["updated"], doc["replaced"], doc["mode"]) == (2, 1, 0, "update")
    stored = _layer(project, "buildings").set_index("building_id")
    assert sorted(stored.index) == ["B1", "B2", "B3", "B4"]
    assert stored["floors"].to_dict() == {"B1": 1.0, "B2": 5.0, "B3": 3.0, "B4": 1.0}
    assert stored.loc["B2", "source_file"] == "korrektur.gpkg"
    assert stored.loc["B1", "source_file"] == "haeuser.gpkg"


def test_consumption_update_by_building_year_and_carrier(project: Path, tmp_path: Path) -> None:
    header = "building_id,year,carrier,value,unit\n"
    first = _csv(tmp_path / "gas.csv", header + "H1,2022,gas,10000,kWh\nH2,2022,gas,8000,kWh\n")
    _run("import", "consumption", str(project), str(first))
    fix = _csv(tmp_path / "gas_fix.csv", header + "H1,2022,gas,12,MWh\nH1,2023,gas,9000,kWh\n")
    doc = _run("import", "consumption", str(project), str(fix), "--update")
    assert (doc["imported"], doc["updated"]) == (2, 1)
    stored = _layer(project, "consumption")
    kwh = stored.set_index(["building_id", "year"])["final_energy_kwh"]
    assert kwh.sort_index().to_dict() == {
        ("H1", 2022.0): pytest.approx(12_000.0),  # 12 MWh replaces 10,000 kWh
        ("H1", 2023.0): pytest.approx(9_000.0),
        ("H2", 2022.0): pytest.approx(8_000.0),
    }


def test_replace_and_update_together_are_refused(project: Path, tmp_path: Path) -> None:
    file = _streets(tmp_path / "s.gpkg", ["S1"])
    before = _digest(project / "plan.gpkg")
    result = runner.invoke(
        app, ["import", "streets", str(project), str(file), "--replace", "--update"]
    )
    assert result.exit_code == 2 and "not both" in result.output
    assert _digest(project / "plan.gpkg") == before


# --- failed imports --------------------------------------------------------------------------
def test_failed_import_leaves_the_store_byte_identical_and_writes_a_report(
    project: Path, tmp_path: Path
) -> None:
    _run("import", "streets", str(project), str(_streets(tmp_path / "s.gpkg", ["S1"])))
    bad = _csv(
        tmp_path / "kehrbuch.csv",
        "heater_id,building_id,heater_type,carrier\nK1,H1,warp_drive,gas\nK2,H2,boiler,plutonium\n",
    )
    store = project / "plan.gpkg"
    before = _digest(store)
    result = runner.invoke(app, ["import", "heaters", str(project), str(bad)])
    assert result.exit_code == 1
    assert _digest(store) == before
    assert not store.with_name("plan.gpkg.lock").exists()
    reports = list((project / "import-rejections").glob("kehrbuch-*.csv"))
    assert len(reports) == 1
    message = " ".join(result.output.split())
    assert "Projekt unverändert" in message and "project unchanged" in message
    assert reports[0].name in message
    report = pd.read_csv(reports[0], encoding="utf-8-sig")
    assert report[["row", "field"]].values.tolist() == [[1, "heater_type"], [2, "carrier"]]
    assert report["run_id"].nunique() == 1 and RUN_ID.fullmatch(report["run_id"].iloc[0])
    assert set(report["file"]) == {"kehrbuch.csv"}


def test_fatal_error_leaves_the_store_byte_identical(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "c.csv", "building_id,year,carrier,value\nH1,2023,gas,5\n")
    before = _digest(project / "plan.gpkg")
    doc = _run("import", "consumption", str(project), str(file), "--unit", "furlong", code=1)
    assert "furlong" in str(doc["error"])
    assert _digest(project / "plan.gpkg") == before


def test_failed_degree_days_import_leaves_the_store_byte_identical(
    project: Path, tmp_path: Path
) -> None:
    file = _csv(tmp_path / "gradtage.csv", "year,hdd_kd\n2023,99999\n")
    before = _digest(project / "plan.gpkg")
    result = runner.invoke(app, ["import", "degree-days", str(project), str(file)])
    assert result.exit_code == 1
    assert _digest(project / "plan.gpkg") == before
    (report,) = (project / "import-rejections").glob("gradtage-*.csv")
    assert pd.read_csv(report)["field"].tolist() == ["hdd_kd"]


def test_partial_import_stores_its_rejections_with_its_run_id(
    project: Path, tmp_path: Path
) -> None:
    file = _csv(
        tmp_path / "kehrbuch.csv",
        "heater_id,building_id,heater_type,carrier\nK1,H1,boiler,gas\nK2,H2,boiler,plutonium\n",
    )
    doc = _run("import", "heaters", str(project), str(file))
    assert (doc["imported"], doc["rejected"], doc["report"]) == (1, 1, None)
    stored = _layer(project, "import_rejections")
    assert stored["run_id"].tolist() == [doc["run_id"]]
    runs = _layer(project, "import_runs")
    assert runs.iloc[-1][["run_id", "target", "imported", "rejected"]].tolist() == [
        doc["run_id"],
        "heaters",
        1,
        1,
    ]


# --- rejections of the last run --------------------------------------------------------------
def test_rejections_show_the_last_run_by_default(project: Path, tmp_path: Path) -> None:
    header = "heater_id,building_id,heater_type,carrier\n"
    one_bad = _csv(tmp_path / "a.csv", header + "A1,H1,boiler,gas\nA2,H2,boiler,plutonium\n")
    two_bad = _csv(
        tmp_path / "b.csv",
        header + "B1,H1,boiler,gas\nB2,H2,warp_drive,gas\nB3,H3,boiler,plutonium\n",
    )
    _run("import", "heaters", str(project), str(one_bad))
    last = _run("import", "heaters", str(project), str(two_bad))
    shown = _run("rejections", str(project))
    rows = shown["rows"]
    assert isinstance(rows, list) and shown["rejected"] == 2
    assert {r["file"] for r in rows} == {"b.csv"}
    assert {r["run_id"] for r in rows} == {last["run_id"]}
    every = _run("rejections", str(project), "--all")
    assert every["rejected"] == 3
    assert isinstance(every["rows"], list)
    assert len({r["run_id"] for r in every["rows"]}) == 2
    # a clean import is the last run now: it rejected nothing
    clean = _csv(tmp_path / "c.csv", header + "C1,H1,boiler,gas\n")
    _run("import", "heaters", str(project), str(clean))
    assert _run("rejections", str(project))["rejected"] == 0
    text = runner.invoke(app, ["rejections", str(project)])
    assert text.exit_code == 0 and "--all" in text.output and "c.csv" in text.output


# --- repair ----------------------------------------------------------------------------------
def test_the_repair_hint_names_an_option_that_repairs(project: Path, tmp_path: Path) -> None:
    # a bow tie: two triangles of 10 m base and 5 m height meeting at (5, 5)
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    assert not bowtie.is_valid
    file = tmp_path / "fliege.gpkg"
    gpd.GeoDataFrame({"building_id": ["F1"]}, geometry=[bowtie], crs=CRS).to_file(file)
    failed = _run("import", "buildings", str(project), str(file), code=1)
    reason = pd.read_csv(str(failed["report"]))["reason"].iloc[0]
    options = re.findall(r"--[a-z][a-z-]+", reason)
    assert options == ["--repair"]
    doc = _run("import", "buildings", str(project), str(file), *options)
    assert (doc["imported"], doc["rejected"]) == (1, 0)
    stored = _layer(project, "buildings")
    assert stored.geometry.is_valid.all()
    # make_valid keeps both triangles: 2 x (10 m x 5 m / 2)
    assert stored["footprint_area_m2"].iloc[0] == pytest.approx(50.0, abs=AREA_ATOL_M2)


@pytest.mark.parametrize(
    "command",
    [
        "buildings",
        "streets",
        "heat-network",
        "gas-network",
        "blocks",
        "areas",
        "barriers",
        "sewage-plants",
        "sewers",
        "waste-heat",
        "exclusion-zones",
        "consumption",
        "heaters",
    ],
)
def test_every_layer_import_has_replace_and_update(command: str) -> None:
    result = runner.invoke(app, ["import", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--replace" in result.output and "--update" in result.output


def test_rejections_of_a_project_from_before_run_ids(project: Path, tmp_path: Path) -> None:
    from heatplan.project.store import GeoPackageStore
    from heatplan.steps.status import read_rejections

    legacy = pd.DataFrame(
        {
            "file": ["alt.csv", "alt.csv", "neu.csv"],
            "row": [1, 2, 1],
            "field": ["carrier", "carrier", "unit"],
            "value": ["x", "y", "z"],
            "reason": ["unknown code"] * 3,
            "target": ["consumption"] * 3,
            "imported_utc": ["2026-01-01T10:00:00+00:00"] * 2 + ["2026-02-01T10:00:00+00:00"],
        }
    )
    with GeoPackageStore(project / "plan.gpkg").transaction(step="legacy") as writer:
        writer.write("import_rejections", legacy)
    # no import_runs yet: the rows of the latest import time
    assert read_rejections(project)["file"].tolist() == ["neu.csv"]
    assert len(read_rejections(project, all_runs=True)) == 3
    # the first import with run ids adds the column to the old rows and is the last run
    file = _csv(
        tmp_path / "kehrbuch.csv",
        "heater_id,building_id,heater_type,carrier\nK1,H1,boiler,gas\nK2,H2,boiler,plutonium\n",
    )
    doc = _run("import", "heaters", str(project), str(file))
    last = read_rejections(project)
    assert last[["file", "row", "run_id"]].values.tolist() == [["kehrbuch.csv", 2, doc["run_id"]]]
    every = read_rejections(project, all_runs=True)
    assert len(every) == 4 and every["run_id"].isna().sum() == 3

"""Start-up: the read-only CLI calls import none of the heavy libraries (issue 20).

Each call runs in a fresh interpreter (``sys.modules`` of this test process is full already);
no timing is asserted, only which modules the call imported. ``heatplan info`` reads the
GeoPackage with ``sqlite3``; it must say what the store says (pyogrio, the independent model).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from heatplan.errors import InputFileError, ProjectError
from heatplan.project import gpkg_peek
from heatplan.project.create import create_project
from heatplan.project.store import META_TABLE, RUNS_TABLE, open_store

HEAVY = (
    "numpy",
    "pandas",
    "geopandas",
    "pyogrio",
    "shapely",
    "scipy",
    "CoolProp",
    "pandapipes",
    "pandapower",
    "weasyprint",
    "matplotlib",
    "highspy",
    "dask",
)

#: Runs the CLI in-process in a fresh interpreter, then writes the heavy modules it imported.
_PROBE = """
import json, sys
from heatplan.cli import app
try:
    app(sys.argv[2:], prog_name="heatplan", standalone_mode=False)
except SystemExit:
    pass
except Exception as exc:  # a user error ends the call; what it imported still counts
    print(type(exc).__name__, exc, file=sys.stderr)
heavy = sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)
print("HEAVY=" + json.dumps(heavy), file=sys.stderr)
"""


def _heavy_imports(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    line = [row for row in done.stderr.splitlines() if row.startswith("HEAVY=")][-1]
    return list(json.loads(line.removeprefix("HEAVY=")))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a vector layer and a table written after its metadata table."""
    folder = tmp_path_factory.mktemp("startup") / "town"
    create_project(folder, name="Schutterwald", key="08317118", crs="EPSG:25832")
    store = open_store(str(folder / "plan.gpkg"))
    points = gpd.GeoDataFrame(
        {"building_id": ["a", "b", "c"]},
        geometry=[Point(415_000, 5_365_000), Point(415_010, 5_365_000), Point(415_020, 5_365_010)],
        crs="EPSG:25832",
    )
    with store.transaction(step="test") as writer:
        writer.write("buildings", points)
        writer.write("totals", pd.DataFrame({"key": ["x", "y"], "value": [1.5, None]}))
    return folder


@pytest.mark.parametrize(
    "args",
    [["--help"], ["classify", "--help"], ["import", "buildings", "--help"]],
    ids=["help", "classify-help", "import-help"],
)
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    assert _heavy_imports(*args) == []


def test_info_imports_no_heavy_library(project: Path) -> None:
    assert _heavy_imports("info", str(project)) == []
    assert _heavy_imports("info", str(project), "--json") == []


def test_a_missing_import_file_is_said_before_any_heavy_import(project: Path) -> None:
    assert _heavy_imports("import", "buildings", str(project), "missing.csv") == []
    assert _heavy_imports("import", "streets", str(project), "missing.gpkg") == []


def test_info_reads_what_the_store_reads(project: Path) -> None:
    """Names in the store's order, row counts and the run log as pyogrio gives them."""
    from heatplan.steps.status import project_info

    store = open_store(str(project / "plan.gpkg"))
    expected_counts = {name: store.count(name) for name in store.layers()}
    info = project_info(project)
    assert list(info["layers"]) == store.layers()  # GDAL's order: vector layers first
    assert info["layers"] == expected_counts
    assert info["layers"]["buildings"] == 3
    assert info["runs"] == store.read(RUNS_TABLE).to_dict(orient="records")
    assert [run["step"] for run in info["runs"]] == ["init", "test"]
    assert gpkg_peek.table_records(project / "plan.gpkg", "absent") == []


def test_info_refuses_a_store_of_a_newer_format(tmp_path: Path) -> None:
    folder = tmp_path / "newer"
    create_project(folder, name="Neu", key="", crs="EPSG:25832")
    store = open_store(str(folder / "plan.gpkg"))
    meta = store.read(META_TABLE)
    meta.loc[meta["key"] == "format_version", "value"] = "99"
    with store.transaction(step="test") as writer:
        writer.write(META_TABLE, meta)
    from heatplan.steps.status import project_info

    with pytest.raises(ProjectError, match="project format 99"):
        project_info(folder)


def test_the_early_missing_file_error_is_the_importers(project: Path) -> None:
    """The CLI's early check says what the importer would say, and nothing where the importer
    says something else first (a missing mapping file)."""
    from heatplan.cli.imports import missing_file_first
    from heatplan.inputs.imports import import_buildings

    missing = project / "missing.csv"
    with pytest.raises(InputFileError) as importer:
        import_buildings(project, missing)
    with pytest.raises(InputFileError) as early:
        missing_file_first(project, missing, None)
    assert str(early.value) == str(importer.value)
    missing_file_first(project, missing, project / "no-mapping.toml")  # the importer's turn
    missing_file_first(project, project / "heatplan.toml", None)  # the file exists

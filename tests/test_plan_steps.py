"""The plan commands on the demo: areas, classify, scenario, export, run."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app
from heatplan.outputs.xwp.plan import validate_xwaermeplan, xplan_tools_available
from heatplan.project.store import open_store

XWP_NAMESPACE = "http://www.xwaermeplan.de/0/9"
RTOL_ENERGY = 1e-9


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, demo_built: tuple[Path, dict]
) -> tuple[Path, dict]:
    return copy_demo(demo_built, tmp_path_factory.mktemp("plan") / "schutterwald"), demo_built[1]


def _json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_demo_runs_the_whole_plan(demo: tuple[Path, dict]) -> None:
    _, summary = demo
    steps = summary["steps"]
    assert {"inventory", "potentials", "areas", "classify", "scenario", "export"} <= set(steps)
    assert "stopped" not in steps
    # every building lands in exactly one area; the demand is conserved
    assert steps["areas"]["buildings"] == steps["inventory"]["buildings"]
    assert steps["areas"]["heat_demand_mwh_per_a"] * 1000 == pytest.approx(
        steps["inventory"]["heat_demand_kwh_per_a"], rel=RTOL_ENERGY
    )


def test_areas_layer_has_the_interface_columns(demo: tuple[Path, dict]) -> None:
    project, _ = demo
    areas = open_store(str(project / "plan.gpkg")).read("areas")
    for year in (2030, 2035, 2040, 2045):
        assert areas[f"area_type_{year}"].notna().all()
        assert areas[f"likelihood_{year}"].notna().all()
    assert areas["explanation"].str.len().gt(20).all()
    assert areas["area_id"].is_unique


def test_scenario_json_has_the_seven_indicators_per_year(demo: tuple[Path, dict]) -> None:
    project, _ = demo
    data = _json("scenario", str(project), "--variant", "base")
    assert list(data["indicators"]) == ["2030", "2035", "2040", "2045"]
    for year in data["indicators"].values():
        assert len(year) == 7
    ghg = [data["indicators"][y]["ghg_emissions"]["values"]["total"] for y in data["indicators"]]
    assert ghg == sorted(ghg, reverse=True)  # the pathway falls towards the target year


def test_xwaermeplan_export_is_valid(demo: tuple[Path, dict], tmp_path: Path) -> None:
    project, _ = demo
    path = tmp_path / "plan.gml"
    data = _json("export", str(project), "--format", "xwaermeplan", "--out", str(path))
    areas = open_store(str(project / "plan.gpkg")).read("areas")
    assert data["features"]["WP_WaermeversorgungsgebietZieljahr"] == len(areas)
    root = ET.parse(path).getroot()
    assert XWP_NAMESPACE in root.tag or any(XWP_NAMESPACE in el.tag for el in root.iter())
    if xplan_tools_available():  # the XLeitstelle's model reads it back and validates each feature
        counts = validate_xwaermeplan(path)
        assert counts.get("WP_WaermeversorgungsgebietZieljahr") == len(areas)


def test_xlsx_and_gpkg_exports_are_public(demo: tuple[Path, dict], tmp_path: Path) -> None:
    project, _ = demo
    xlsx = _json("export", str(project), "--format", "xlsx", "--out", str(tmp_path / "p.xlsx"))
    book = load_workbook(xlsx["path"], read_only=True)
    assert {"Bestand", "Zielszenario", "Gebiete"} <= set(book.sheetnames)
    assert any(name.startswith("Steckbrief") for name in book.sheetnames)
    gpkg = _json("export", str(project), "--format", "gpkg", "--out", str(tmp_path / "p.gpkg"))
    assert "buildings" not in gpkg["layers"]
    assert "building_options" not in gpkg["layers"]


def test_demo_xlsx_is_german_formatted_and_lists_the_measures(
    demo: tuple[Path, dict], tmp_path: Path
) -> None:
    """The demo's workbook as a planner opens it: every code a German label (labels.csv), every
    number formatted, the header rows frozen and filtered, one row per public measure."""
    import pandas as pd

    from heatplan.i18n import labels_table

    project, _ = demo
    xlsx = _json("export", str(project), "--format", "xlsx", "--out", str(tmp_path / "p.xlsx"))
    book = load_workbook(xlsx["path"])
    labels = labels_table()
    codes = set(labels.loc[labels["code"] != labels["label_de"], "code"]) - {"1", "-"}
    for sheet in book.worksheets:
        for cell in (c for row in sheet.iter_rows() for c in row):
            assert not isinstance(cell.value, bool), (sheet.title, cell.coordinate)
            assert not (isinstance(cell.value, str) and cell.value.strip() in codes), cell.value
            if isinstance(cell.value, int | float):
                assert cell.number_format != "General", (sheet.title, cell.coordinate)
    for name in ("Bestand", "Potenziale", "Zielszenario", "Gebiete", "Maßnahmen"):
        assert book[name].freeze_panes == "A4" and book[name].auto_filter.ref, name
    measures = open_store(str(project / "plan.gpkg")).read("measures")
    public = measures[pd.to_numeric(measures["public"]).astype(bool)]
    numbers = [r[0] for r in book["Maßnahmen"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(public) > 0 and sorted(numbers) == sorted(public["measure_id"])


def test_export_needs_the_plan_dates(demo: tuple[Path, dict], tmp_path: Path) -> None:
    project, _ = demo
    copy = tmp_path / "nodates"
    shutil.copytree(project, copy)
    config = copy / "heatplan.toml"
    text = config.read_text(encoding="utf-8")
    lines = [
        line for line in text.splitlines() if not line.startswith(("start_decision", "adoption"))
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(copy), "--format", "xwaermeplan"])
    assert result.exit_code == 1
    assert "start_decision_date" in result.output
    bad = CliRunner().invoke(app, ["export", str(copy), "--format", "pdf"])
    assert bad.exit_code == 1


def test_steps_in_the_wrong_order_say_what_to_run(tmp_path: Path) -> None:
    project = tmp_path / "empty"
    assert CliRunner().invoke(app, ["init", str(project), "--name", "Leer"]).exit_code == 0
    for command in ("areas", "classify", "scenario"):
        result = CliRunner().invoke(app, [command, str(project)])
        assert result.exit_code == 1
        assert "heatplan" in result.output

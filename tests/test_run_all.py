"""``heatplan run --all``: the stages, the report (HTML, PDF) and the three exports in one process.

On a copy of the session's Schutterwald demo (``demo_built``): ``run --all`` with the exports in
the second process (``HEATPLAN_WORKERS=2``), against ``heatplan report --pdf`` and the three
``heatplan export`` commands run one by one on a copy of the same stages, each auditing the
public release itself (the stored release is not read back there): the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pytest
from pandas.testing import assert_frame_equal
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app
from heatplan.demo import schutterwald
from heatplan.project.config import PlanSettings, load_config, write_config
from heatplan.project.create import create_project
from report_text import pdf_text

#: The GeoPackage's QGIS styles carry the time they were written: the one column that differs.
WRITE_TIME_COLUMNS = ["update_time"]
STAGES = ("inventory", "potentials", "areas", "classify", "scenario")
EXPORTS = {"xwaermeplan": "waermeplan.gml", "xlsx": "waermeplan.xlsx", "gpkg": "waermeplan.gpkg"}


@pytest.fixture(scope="module")
def together(
    demo_built: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """``heatplan run --all --json`` on a copy of the demo: its folder and its JSON."""
    project = copy_demo(demo_built, tmp_path_factory.mktemp("run-all") / "together")
    shutil.rmtree(project / "report")
    shutil.rmtree(project / "export")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEATPLAN_WORKERS", "2")
        result = CliRunner().invoke(app, ["run", "--all", "--json", str(project)])
    assert result.exit_code == 0, result.output
    return project, json.loads(result.stdout)


@pytest.fixture(scope="module")
def separate(
    together: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The same stages, then ``heatplan report --pdf`` and the three ``heatplan export``
    commands one after the other, each auditing the release afresh: the folder and the
    report's JSON."""
    project = tmp_path_factory.mktemp("run-all") / "separate"
    shutil.copytree(together[0], project, ignore=shutil.ignore_patterns("report", "export"))
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("heatplan.steps.release.read_release", lambda store, key: None)
        report = runner.invoke(app, ["report", "--pdf", "--json", str(project)])
        assert report.exit_code == 0, report.output
        for fmt in EXPORTS:
            done = runner.invoke(app, ["export", str(project), "--format", fmt])
            assert done.exit_code == 0, done.output
    return project, json.loads(report.stdout)


def test_run_all_json_holds_every_stage_and_output(together: tuple[Path, dict]) -> None:
    project, result = together
    assert [k for k in result if k in STAGES] == list(STAGES)
    assert result["release"]["disclosure_audit"]["status"] == "passed"
    assert result["outputs"]["second_process"] is True
    for fmt, name in EXPORTS.items():
        path = Path(result["export"][fmt]["path"])
        assert path == project / "export" / name and path.stat().st_size > 0
    pdf = Path(result["report"]["pdf"])
    assert pdf == project / "report" / "plan.pdf" and pdf.read_bytes()[:4] == b"%PDF"
    assert result["report"]["pages"] >= 15
    assert set(result["outputs"]["seconds"]) == {"audit", "html", "pdf", "exports"}


def test_geopackage_export_is_the_separate_commands(
    together: tuple[Path, dict], separate: tuple[Path, dict]
) -> None:
    mine, theirs = (p[0] / "export" / "waermeplan.gpkg" for p in (together, separate))
    layers = [name for name, _ in pyogrio.list_layers(mine)]
    assert layers == [name for name, _ in pyogrio.list_layers(theirs)]
    assert "areas" in layers
    for layer in layers:
        a, b = (
            pyogrio.read_dataframe(path, layer=layer).drop(
                columns=WRITE_TIME_COLUMNS, errors="ignore"
            )
            for path in (mine, theirs)
        )
        assert_frame_equal(a, b, obj=layer)


def test_xlsx_export_is_the_separate_commands(
    together: tuple[Path, dict], separate: tuple[Path, dict]
) -> None:
    mine, theirs = (
        pd.read_excel(p[0] / "export" / "waermeplan.xlsx", sheet_name=None)
        for p in (together, separate)
    )
    assert list(mine) == list(theirs) and "Gebiete" in mine
    for sheet, frame in mine.items():
        assert_frame_equal(frame, theirs[sheet], obj=sheet)


def test_pdf_is_the_separate_commands(
    together: tuple[Path, dict], separate: tuple[Path, dict]
) -> None:
    assert together[1]["report"]["pages"] == separate[1]["pages"]
    mine, theirs = (pdf_text(p[0] / "report" / "plan.pdf") for p in (together, separate))
    assert mine == theirs and "Schutterwald" in mine


def _empty_project(folder: Path, *, dated: bool) -> Path:
    """A Schutterwald project without buildings; ``dated``: with the council dates."""
    create_project(folder, **schutterwald.MUNICIPALITY, holiday_subdivision="BW")
    if dated:
        config = load_config(folder)
        config.plan = PlanSettings(
            start_decision_date=dt.date(2026, 1, 15), adoption_date=dt.date(2026, 11, 30)
        )
        write_config(folder, config)
    return folder


def test_a_stage_that_stops_ends_the_run_with_its_reason(tmp_path: Path) -> None:
    project = _empty_project(tmp_path / "empty", dated=True)
    before = (project / "plan.gpkg").read_bytes()
    result = CliRunner().invoke(app, ["run", "--all", str(project)])
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert "inventory: no buildings in the project" in message
    assert "no report or export was written" in message and "Traceback" not in result.output
    assert not (project / "report").exists() and not (project / "export").exists()
    assert (project / "plan.gpkg").read_bytes() == before
    # plain `heatplan run` keeps reporting the stop without failing
    assert CliRunner().invoke(app, ["run", str(project)]).exit_code == 0


def test_missing_council_dates_fail_before_any_stage_as_json(tmp_path: Path) -> None:
    project = _empty_project(tmp_path / "undated", dated=False)
    before = (project / "plan.gpkg").read_bytes()
    result = CliRunner().invoke(app, ["run", "--all", "--json", str(project)])
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert "start_decision_date and adoption_date" in error
    assert (project / "plan.gpkg").read_bytes() == before


def test_run_all_shows_its_progress_without_a_display_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal the spinner of ``run --all`` runs no thread (the audit forks beside none)."""
    import threading

    from rich.console import Console

    import heatplan.console

    monkeypatch.setattr(heatplan.console, "err", Console(stderr=True, force_terminal=True))
    before, counts = threading.active_count(), []  # the suite may hold threads of its own
    for animated in (False, True):
        with heatplan.console.progress(True, animated=animated) as say:
            say("public release: disclosure audit (WPG § 10)")
            counts.append(threading.active_count())
    assert counts == [before, before + 1]

"""The command line: --json contract, clear errors with exit status 1, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from heatplan.cli import app

runner = CliRunner()


def test_init_creates_config_and_store(tmp_path: Path) -> None:
    project = tmp_path / "town"
    result = runner.invoke(
        app, ["init", str(project), "--name", "Jena", "--key", "16053000", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["config"]["municipality"] == {"name": "Jena", "key": "16053000", "inhabitants": None}
    assert doc["config"]["project"]["crs"] == "EPSG:25832"
    assert (project / "heatplan.toml").is_file()
    assert (project / "plan.gpkg").is_file()


def test_init_refuses_existing_project(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "t")])
    result = runner.invoke(app, ["init", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_commands_on_a_missing_project_fail_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inventory", str(tmp_path / "nowhere"), "--json"])
    assert result.exit_code == 1
    assert "heatplan init" in json.loads(result.stdout)["error"]


def test_inventory_without_buildings_says_what_to_do(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "t")])
    result = runner.invoke(app, ["inventory", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert "import buildings" in result.output


def test_unreadable_file_is_exit_1(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "t")])
    bad = tmp_path / "broken.geojson"
    bad.write_text("{ this is not json", encoding="utf-8")
    result = runner.invoke(app, ["import", "buildings", str(tmp_path / "t"), str(bad), "--json"])
    assert result.exit_code == 1
    assert "broken.geojson" in json.loads(result.stdout)["error"]


def test_every_command_offers_json() -> None:
    for command in (
        ["init"],
        ["inventory"],
        ["demo"],
        ["info"],
        ["rejections"],
        ["profiles"],
        ["import", "buildings"],
        ["import", "consumption"],
        ["import", "heaters"],
        ["import", "streets"],
        ["import", "blocks"],
        ["import", "weather"],
        ["import", "degree-days"],
        ["import", "heat-network"],
        ["import", "gas-network"],
        ["import", "areas"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "--json" in result.output, command

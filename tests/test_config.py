"""heatplan.toml: defaults, validation with clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatplan.errors import ProjectError
from heatplan.project.config import (
    CONFIG_NAME,
    Municipality,
    ProjectConfig,
    load_config,
    write_config,
)


def test_defaults_follow_the_law(tmp_path: Path) -> None:
    config = ProjectConfig(municipality=Municipality(name="Jena", key="16053000"))
    write_config(tmp_path, config)
    back = load_config(tmp_path)
    assert back.project.crs == "EPSG:25832"
    assert back.project.target_year == 2045
    assert back.project.snapshot_years == [2030, 2035, 2040]
    assert back.store_url(tmp_path) == str((tmp_path / "plan.gpkg").resolve())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[municipality]\nname = "X"\n[project]\ncrs = "EPSG:4326"\n', "not projected"),
        ('[municipality]\nname = "X"\n[project]\ncrs = "EPSG:99999999"\n', "unknown CRS"),
        ('[municipality]\nname = "X"\n[project]\nweather_region = 16\n', "1..15"),
        ("[project]\n", "municipality"),
        ("not toml = = \n", "not valid TOML"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError, match=message):
        load_config(tmp_path)


def test_missing_project_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="heatplan init"):
        load_config(tmp_path)

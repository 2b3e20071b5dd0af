"""Create a new project directory: ``heatplan.toml`` plus an empty project store."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from heatplan.errors import ProjectError
from heatplan.project.config import (
    CONFIG_NAME,
    Municipality,
    ProjectConfig,
    ProjectSettings,
    validation_problems,
    write_config,
)
from heatplan.project.store import open_store


def create_project(
    project_dir: Path, name: str, key: str = "", crs: str = "EPSG:25832", **settings: object
) -> ProjectConfig:
    """Create a project for municipality ``name`` (AGS ``key``) working in ``crs``.

    ``settings`` are further fields of ``[project]`` in heatplan.toml (``target_year``,
    ``weather_region``, ``holiday_subdivision`` ...), validated like the file itself.

    Refuses to touch a directory that already holds a project (``heatplan.toml`` or the store).
    """
    project_dir = Path(project_dir)
    try:
        project = ProjectSettings.model_validate({"crs": crs, **settings})
    except ValidationError as exc:
        raise ProjectError(f"invalid project settings: {validation_problems(exc)}") from None
    config = ProjectConfig(municipality=Municipality(name=name, key=key), project=project)
    store = open_store(config.store_url(project_dir))
    existing = existing_paths(project_dir, store.path)
    if existing:
        raise ProjectError(
            f"{existing[0]} exists: {project_dir} is already a heatplan project; "
            "not overwriting it (choose another directory)"
        )
    project_dir.mkdir(parents=True, exist_ok=True)
    try:
        write_config(project_dir, config)
        store.create(crs=crs)
    except BaseException:  # never leave half a project behind
        for path in existing_paths(project_dir, store.path):
            path.unlink()
        raise
    return config


def existing_paths(project_dir: Path, store_path: Path) -> list[Path]:
    """The project files (settings, store) that exist in ``project_dir``."""
    return [p for p in (project_dir / CONFIG_NAME, store_path) if p.exists()]

"""Create a new project directory: ``heatplan.toml`` plus an empty project store.

The store is a GeoPackage in the directory (default ``plan.gpkg``) or, with
``store="postgresql://..."``, a PostgreSQL/PostGIS database (``heatplan.project.store_postgis``).
"""

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
from heatplan.project.store import META_TABLE, GeoPackageStore, Store, open_store


def create_project(
    project_dir: Path, name: str, key: str = "", crs: str = "EPSG:25832", **settings: object
) -> ProjectConfig:
    """Create a project for municipality ``name`` (AGS ``key``) working in ``crs``.

    ``settings`` are further fields of ``[project]`` in heatplan.toml (``target_year``,
    ``weather_region``, ``holiday_subdivision`` ...), validated like the file itself.

    Refuses to touch a directory that already holds a project (``heatplan.toml`` or the store)
    and a database schema that already holds one (server store).
    """
    project_dir = Path(project_dir)
    try:
        project = ProjectSettings.model_validate({"crs": crs, **settings})
    except ValidationError as exc:
        raise ProjectError(f"invalid project settings: {validation_problems(exc)}") from None
    config = ProjectConfig(municipality=Municipality(name=name, key=key), project=project)
    store = open_store(config.store_url(project_dir))
    existing = existing_paths(project_dir, _store_file(store))
    if existing:
        raise ProjectError(
            f"{existing[0]} exists: {project_dir} is already a heatplan project; "
            "not overwriting it (choose another directory)"
        )
    if _store_file(store) is None and store.has(META_TABLE):
        raise ProjectError(
            f"{store.location} already holds a heatplan project; not overwriting it "
            "(choose another database or ?schema=)"
        )
    project_dir.mkdir(parents=True, exist_ok=True)
    try:
        write_config(project_dir, config)
        store.create(crs=crs)  # a server store is created in one transaction: all or nothing
    except BaseException:  # never leave half a project behind
        for path in existing_paths(project_dir, _store_file(store)):
            path.unlink()
        raise
    return config


def _store_file(store: Store) -> Path | None:
    return store.path if isinstance(store, GeoPackageStore) else None


def existing_paths(project_dir: Path, store_path: Path | None) -> list[Path]:
    """The project files (settings, store file) that exist in ``project_dir``."""
    paths = [project_dir / CONFIG_NAME, *([store_path] if store_path is not None else [])]
    return [p for p in paths if p.exists()]

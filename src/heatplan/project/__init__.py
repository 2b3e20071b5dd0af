"""Project configuration (heatplan.toml) and the project store."""

from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import GeoPackageStore, open_store

__all__ = ["GeoPackageStore", "ProjectConfig", "load_config", "open_store"]

"""Project configuration (heatplan.toml) and the project store."""

from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import GeoPackageStore, Store, Writer, open_store

__all__ = ["GeoPackageStore", "ProjectConfig", "Store", "Writer", "load_config", "open_store"]

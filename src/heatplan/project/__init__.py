"""Project configuration (heatplan.toml) and the project store.

The names below are imported on first use: reading ``heatplan.toml``
(:mod:`heatplan.project.config`) must not import the store's GeoPandas and pyogrio.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heatplan.project.config import ProjectConfig, load_config
    from heatplan.project.store import GeoPackageStore, Store, Writer, open_store

__all__ = ["GeoPackageStore", "ProjectConfig", "Store", "Writer", "load_config", "open_store"]

_MODULES = {
    "ProjectConfig": "heatplan.project.config",
    "load_config": "heatplan.project.config",
    "GeoPackageStore": "heatplan.project.store",
    "Store": "heatplan.project.store",
    "Writer": "heatplan.project.store",
    "open_store": "heatplan.project.store",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(_MODULES[name]), name)
    raise AttributeError(f"module 'heatplan.project' has no attribute {name!r}")

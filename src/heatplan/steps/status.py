"""What a project holds: layers with row counts, steps run, import rejections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.project.config import load_config
from heatplan.project.store import RUNS_TABLE, open_store

REJECTIONS_TABLE = "import_rejections"


def project_info(project_dir: Path) -> dict[str, Any]:
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    counts = {name: store.count(name) for name in store.layers()}
    runs = store.read(RUNS_TABLE).to_dict(orient="records") if store.has(RUNS_TABLE) else []
    return {
        "municipality": config.municipality.name,
        "key": config.municipality.key,
        "store": store.location,
        "layers": counts,
        "runs": runs,
    }


def read_rejections(project_dir: Path) -> pd.DataFrame:
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    if not store.has(REJECTIONS_TABLE):
        return pd.DataFrame(columns=["file", "row", "field", "value", "reason"])
    return store.read(REJECTIONS_TABLE)

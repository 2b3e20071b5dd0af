"""What a project holds: layers with row counts, steps run, import rejections."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatplan.project import gpkg_peek
from heatplan.project.config import load_config
from heatplan.project.store_base import META_TABLE, RUNS_TABLE, check_format_version

if TYPE_CHECKING:
    import pandas as pd

REJECTIONS_TABLE = "import_rejections"
IMPORT_RUNS_TABLE = "import_runs"


def project_info(project_dir: Path) -> dict[str, Any]:
    """Municipality, store, rows per layer and the ``runs`` log of a project.

    A GeoPackage store is read with ``sqlite3`` (:mod:`heatplan.project.gpkg_peek`): the same
    names, counts and records as through the store, without importing pandas and GeoPandas.
    """
    config = load_config(project_dir)
    url = config.store_url(Path(project_dir))
    if "://" in url:
        return _store_info(config.municipality.name, config.municipality.key, url)
    path = Path(url)
    counts = gpkg_peek.layer_rows(path) if path.exists() else {}
    if META_TABLE in counts:
        meta = gpkg_peek.table_records(path, META_TABLE)
        check_format_version({str(r["key"]): str(r["value"]) for r in meta}, str(path))
    return {
        "municipality": config.municipality.name,
        "key": config.municipality.key,
        "store": str(path),
        "layers": counts,
        "runs": gpkg_peek.table_records(path, RUNS_TABLE) if RUNS_TABLE in counts else [],
    }


def _store_info(name: str, key: str, url: str) -> dict[str, Any]:
    """:func:`project_info` of a server store, read through the store."""
    from heatplan.project.store import open_store

    store = open_store(url)
    counts = {layer: store.count(layer) for layer in store.layers()}
    runs = store.read(RUNS_TABLE).to_dict(orient="records") if store.has(RUNS_TABLE) else []
    return {
        "municipality": name,
        "key": key,
        "store": store.location,
        "layers": counts,
        "runs": runs,
    }


def read_rejections(project_dir: Path, *, all_runs: bool = False) -> pd.DataFrame:
    """The rows imports rejected: of the last import run (default) or of every run.

    The last run is the last row of ``import_runs`` (its rejections may be none); a project
    from before run ids, without that table, shows the rows of its latest ``imported_utc``.
    """
    import pandas as pd

    from heatplan.project.store import open_store

    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    if not store.has(REJECTIONS_TABLE):
        return pd.DataFrame(columns=["file", "row", "field", "value", "reason"])
    table = store.read(REJECTIONS_TABLE)
    if all_runs or table.empty:
        return table
    last = last_import_run(project_dir)
    if last is not None and "run_id" in table.columns:
        return table[table["run_id"] == last["run_id"]].reset_index(drop=True)
    if "imported_utc" in table.columns:
        return table[table["imported_utc"] == table["imported_utc"].max()].reset_index(drop=True)
    return table


def last_import_run(project_dir: Path) -> dict[str, Any] | None:
    """The last row of ``import_runs`` (run id, target, file, mode, counts); ``None`` if none."""
    from heatplan.project.store import open_store

    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    if not store.has(IMPORT_RUNS_TABLE):
        return None
    runs = store.read(IMPORT_RUNS_TABLE)
    return None if runs.empty else dict(runs.iloc[-1])

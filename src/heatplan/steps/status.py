"""What a project holds: layers with row counts, steps run, import rejections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatplan.project import gpkg_peek
from heatplan.project.config import load_config
from heatplan.project.store_base import META_TABLE, RUNS_TABLE, check_format_version

if TYPE_CHECKING:
    import pandas as pd

REJECTIONS_TABLE = "import_rejections"
IMPORT_RUNS_TABLE = "import_runs"
#: Store steps (``runs.step``) that write only the web's accounts, sessions and audit log
#: (:data:`heatplan.steps.web.WEB_TABLES`, see :func:`heatplan.steps.web.write_step`).
ACCOUNT_STEPS = frozenset({"web:login", "web:logout", "web:audit", "web:users"})
#: Store steps that add to the plan's record but not to its content: the comments of the public
#: display (WPG § 13) do not change a published figure, so no new public edition is built.
RECORD_STEPS = frozenset({"web:comment", "web:comment_answer"})
#: The table of the stored public release and the step that writes it
#: (:mod:`heatplan.steps.release`).
RELEASE_TABLE = "public_release"
RELEASE_STEP = "publish:release"
#: The row of :data:`RELEASE_TABLE` with the release's account and layout.
WITHHELD_PART = ":withheld"
#: Store steps that write what is derived from the plan's content, not content: storing the
#: audited release changes no figure.
DERIVED_STEPS = frozenset({RELEASE_STEP})


def plan_steps(steps: Iterable[str]) -> int:
    """How many of the run log's ``steps`` changed the plan's content (not
    :data:`ACCOUNT_STEPS`, :data:`RECORD_STEPS`, :data:`DERIVED_STEPS`)."""
    return sum(1 for step in steps if step not in ACCOUNT_STEPS | RECORD_STEPS | DERIVED_STEPS)


def release_status(
    head: Mapping[Any, Any] | None, runs: Iterable[Mapping[Any, Any]]
) -> dict[str, Any]:
    """Whether an audited public release is stored and whether the plan changed since.

    ``head``: the :data:`WITHHELD_PART` row of :data:`RELEASE_TABLE` (None: no release);
    ``runs``: the run log. ``current`` is True when no plan step ran since the release's
    inputs were read: the release is then read, not audited, by the next report, export or
    web map. After a plan step it is only re-audited if that step changed a release input
    (each process compares the key of what it reads): ``current`` is then None (unknown).
    The run log does not see an edit of the store outside heatplan (a layer changed in QGIS):
    the key does, and the next process audits again.
    """
    if head is None:
        return {"stored": False, "current": False}
    try:
        since = plan_steps(str(r["step"]) for r in runs) - int(str(head["plan_steps"]))
    except (KeyError, TypeError, ValueError):  # a damaged row: the next process audits again
        return {"stored": True, "current": None}
    return {
        "stored": True,
        "current": True if since <= 0 else None,
        "made_utc": str(head["made_utc"]),
        "content_key": str(head["content_key"]),
        "plan_steps_since": max(since, 0),
    }


def release_line(status: dict[str, Any]) -> str:
    """One line of ``heatplan info`` on the stored public release (:func:`release_status`)."""
    if not status["stored"]:
        return "Public release: none stored (the next report, export or web map audits it)"
    if status["current"] is None and "made_utc" not in status:
        return (
            "Public release: stored but unreadable (the next report, export or web map audits it)"
        )
    made = f"audited {status['made_utc']}"
    if status["current"]:
        return f"Public release: {made}, current (reports, exports and the web map read it)"
    return (
        f"Public release: {made}; {status['plan_steps_since']} plan step(s) since: re-audited "
        "on next use if they changed its inputs"
    )


def project_info(project_dir: Path) -> dict[str, Any]:
    """Municipality, store, rows per layer, the ``runs`` log and the stored release of a project.

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
    runs = gpkg_peek.table_records(path, RUNS_TABLE) if RUNS_TABLE in counts else []
    head = None
    if RELEASE_TABLE in counts:
        head = gpkg_peek.table_row(path, RELEASE_TABLE, "part", WITHHELD_PART,
                                   ["content_key", "made_utc", "plan_steps"])  # fmt: skip
    return {
        "municipality": config.municipality.name,
        "key": config.municipality.key,
        "store": str(path),
        "layers": counts,
        "runs": runs,
        "release": release_status(head, runs),
    }


def _store_info(name: str, key: str, url: str) -> dict[str, Any]:
    """:func:`project_info` of a server store, read through the store."""
    from heatplan.project.store import open_store

    store = open_store(url)
    counts = {layer: store.count(layer) for layer in store.layers()}
    runs = store.read(RUNS_TABLE).to_dict(orient="records") if store.has(RUNS_TABLE) else []
    head = None
    if RELEASE_TABLE in counts:
        parts = store.read(RELEASE_TABLE, columns=["part", "content_key", "made_utc", "plan_steps"])
        rows = parts[parts["part"].astype(str) == WITHHELD_PART].to_dict(orient="records")
        head = rows[0] if rows else None
    return {
        "municipality": name,
        "key": key,
        "store": store.location,
        "layers": counts,
        "runs": runs,
        "release": release_status(head, runs),
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

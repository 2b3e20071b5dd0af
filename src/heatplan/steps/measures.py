"""The measures catalogue of a project (WPG § 20): list, add, update, progress, XLSX, KPIs.

Every change is one store transaction that reads the catalogue, checks and writes it (the
store serialises transactions per project), so optimistic locking holds on the GeoPackage and on
the PostgreSQL store alike: :func:`update_measure` with a stale ``expected_revision`` raises
:class:`heatplan.errors.ConflictError` and saves nothing. Progress entries are only ever
appended.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.measures import catalogue as xlsx
from heatplan.measures import edit
from heatplan.measures.kpis import kpi_report
from heatplan.measures.merge import merge
from heatplan.measures.records import Catalogue, as_dict, to_frame
from heatplan.measures.sample import demo_catalogue
from heatplan.measures.schema import MEASURES, PROGRESS, STEPS
from heatplan.project.config import load_config
from heatplan.project.store import Store, Writer, open_store, utc_now

R = TypeVar("R")
#: Fields left out of public listings (names of staff are personal data)
PRIVATE_FIELDS = ("updated_by", "author")


def open_project_store(project_dir: Path) -> Store:
    config = load_config(Path(project_dir))
    store = open_store(config.store_url(Path(project_dir)))
    store.read("heatplan_meta")  # a clear ProjectError when the store is missing
    return store


def read_catalogue(store: Store) -> Catalogue:
    return Catalogue.read(store.has, store.read)


def _write(
    writer: Writer, catalogue: Catalogue, before: dict[str, pd.DataFrame], appended: list[Any]
) -> None:
    """Write measures and steps where they changed; progress only gains ``appended`` rows."""
    frames = catalogue.frames()
    for name in (MEASURES, STEPS):
        if not writer.has(name) or not frames[name].equals(before[name]):
            writer.write(name, frames[name])
    if appended or not writer.has(PROGRESS):
        writer.write(PROGRESS, to_frame(PROGRESS, appended), mode="append")


def edit_catalogue(
    project_dir: Path, step: str, change: Callable[[Catalogue, str], tuple[R, list[Any]]]
) -> R:
    """Run ``change(catalogue, now)`` in one transaction and store the result.

    ``change`` returns its result and the progress entries it appended. The store waits for a
    step holding the project's lock itself (a GeoPackage up to
    :data:`heatplan.project.store.LOCK_WAIT_S`, then :class:`heatplan.errors.StoreBusyError`).
    """
    store = open_project_store(project_dir)
    with store.transaction(step=step) as writer:
        catalogue = Catalogue.read(writer.has, writer.read)
        before = catalogue.frames()
        result, appended = change(catalogue, utc_now())
        _write(writer, catalogue, before, appended)
    return result


# --- reading -------------------------------------------------------------------------------
def _public_view(item: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k not in PRIVATE_FIELDS}
    if out.get("latest_progress"):
        out["latest_progress"] = _public_view(out["latest_progress"])
    return out


def list_measures(project_dir: Path, *, public: bool = False) -> list[dict[str, Any]]:
    """Every measure with its steps and latest progress; ``public`` leaves out the non-public
    measures and the names of staff."""
    catalogue = read_catalogue(open_project_store(project_dir))
    items = [catalogue.full(k) for k in sorted(catalogue.measures)]
    if public:
        return [_public_view(item) for item in items if item["public"]]
    return items


def get_measure(project_dir: Path, measure_id: str) -> dict[str, Any]:
    """One measure with its steps, latest progress and full ``progress`` history."""
    catalogue = read_catalogue(open_project_store(project_dir))
    return {
        **catalogue.full(measure_id),
        "progress": [as_dict(p) for p in catalogue.progress_of(measure_id)],
    }


def progress(project_dir: Path, measure_id: str | None = None) -> list[dict[str, Any]]:
    """The progress history (of one measure or all), oldest report first."""
    catalogue = read_catalogue(open_project_store(project_dir))
    if measure_id is not None:
        catalogue.get(measure_id)
    return [as_dict(p) for p in catalogue.progress_of(measure_id)]


# --- changes -------------------------------------------------------------------------------
def add_measure(project_dir: Path, fields: dict[str, Any], *, author: str) -> dict[str, Any]:
    """Add a measure (``measure_id`` optional: the next free ``Mnn``); returns it."""

    def change(catalogue: Catalogue, now: str) -> tuple[dict[str, Any], list[Any]]:
        measure = edit.add(catalogue, fields, author=author, now=now)
        return catalogue.full(measure.measure_id), []

    return edit_catalogue(project_dir, "measures add", change)


def update_measure(
    project_dir: Path,
    measure_id: str,
    changes: dict[str, Any],
    *,
    expected_revision: int,
    author: str,
) -> dict[str, Any]:
    """Change a measure edited at ``expected_revision``; ConflictError if it changed since."""

    def change(catalogue: Catalogue, now: str) -> tuple[dict[str, Any], list[Any]]:
        edit.update(
            catalogue,
            measure_id,
            changes,
            expected_revision=expected_revision,
            author=author,
            now=now,
        )
        return catalogue.full(measure_id), []

    return edit_catalogue(project_dir, "measures update", change)


def add_progress(
    project_dir: Path, measure_id: str, entry: dict[str, Any], *, author: str
) -> dict[str, Any]:
    """Append a progress entry (date, status, KPI values, comment); returns the stored entry."""

    def change(catalogue: Catalogue, now: str) -> tuple[dict[str, Any], list[Any]]:
        record = edit.append_progress(catalogue, measure_id, entry, author=author, now=now)
        return as_dict(record), [record]

    return edit_catalogue(project_dir, "measures progress", change)


# --- XLSX ----------------------------------------------------------------------------------
def export_catalogue(project_dir: Path, xlsx_path: Path, *, public: bool = False) -> dict[str, Any]:
    """Write the catalogue to an XLSX workbook (sheets Maßnahmen, Schritte, Fortschritt)."""
    catalogue = read_catalogue(open_project_store(project_dir))
    counts = xlsx.write_catalogue(catalogue, Path(xlsx_path), public=public)
    return {"path": str(xlsx_path), **counts}


def import_catalogue(project_dir: Path, xlsx_path: Path, *, author: str = "") -> dict[str, Any]:
    """Read a catalogue workbook into the project: all rows or none (every bad row is named).

    Measures are added or updated by ``Nr.``; a row carrying a revision must match the stored
    one (else it is a conflict, reported with the row); steps of the measures in the file are
    replaced; progress rows are appended, and rows already stored must be unchanged.
    """
    workbook = xlsx.read_catalogue(Path(xlsx_path))

    def change(catalogue: Catalogue, now: str) -> tuple[dict[str, Any], list[Any]]:
        summary, appended = merge(
            catalogue, workbook, author=author or "import", now=now, path=Path(xlsx_path)
        )
        return summary, appended

    return {"path": str(xlsx_path), **edit_catalogue(project_dir, "measures import", change)}


# --- KPIs and the demo -----------------------------------------------------------------------
def computed_kpis(project_dir: Path, year: int, *, variant: str | None = None) -> dict[str, Any]:
    """KPIs computed from the store (network km, buildings connected, GHG) and reported in the
    progress log, each against the scenario pathway and the measures' planned effects."""
    store = open_project_store(project_dir)
    config = load_config(Path(project_dir))

    def table(name: str) -> Any:
        return store.read(name) if store.has(name) else None

    return kpi_report(
        year,
        catalogue=read_catalogue(store),
        tables={
            name: table(name)
            for name in ("heat_networks", "networks", "buildings", "scenario_indicators")
        },
        base_year=config.project.price_year,
        variant=variant,
    )


def load_demo_catalogue(project_dir: Path) -> dict[str, Any]:
    """Load the sample catalogue of the Schutterwald demo (``data/demo_measures_schutterwald``).

    Measures are linked to the demo's areas by a rule (see :mod:`heatplan.measures.sample`).
    Refuses a project that holds measures already. Returns counts.
    """
    store = open_project_store(project_dir)

    def layer(name: str) -> Any:
        return store.read(name) if store.has(name) else None

    catalogue = demo_catalogue(layer("areas"), layer("networks"), layer("network_pipes"))
    with store.transaction(step="measures demo catalogue") as writer:
        if writer.has(MEASURES) and len(writer.read(MEASURES)):
            raise HeatplanError(
                "the project holds a measures catalogue already; the sample is not loaded"
            )
        frames = catalogue.frames()
        for name in (MEASURES, STEPS, PROGRESS):
            writer.write(name, frames[name])
    return {
        "measures": len(catalogue.measures),
        "steps": len(catalogue.steps),
        "progress": len(catalogue.progress),
        "linked_areas": sorted({a for m in catalogue.measures.values() for a in m.area_ids}),
    }

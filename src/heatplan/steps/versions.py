"""Plan versions: freeze an immutable snapshot, list the versions, diff two of them.

``freeze`` copies the areas (with classification and geometry), the scenario indicators and the
measures into ``version_areas``, ``version_indicators`` and ``version_measures`` under a unique
label and records it in ``plan_versions`` — all in one transaction, and a label that exists is
refused, so a frozen version never changes. ``diff`` compares two versions, or a version with
``current`` (the project as it is now), for the three-yearly update of the plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan import __version__
from heatplan.errors import HeatplanError
from heatplan.measures.schema import (
    MEASURES,
    VERSION_AREAS,
    VERSION_INDICATORS,
    VERSION_MEASURES,
    VERSIONS,
)
from heatplan.measures.versions import check_label, diff_snapshots, tagged
from heatplan.project.store import Store, Writer, utc_now
from heatplan.steps.measures import open_project_store

CURRENT = "current"
#: snapshot table -> the live table it copies
SNAPSHOTS = {
    VERSION_AREAS: "areas",
    VERSION_INDICATORS: "scenario_indicators",
    VERSION_MEASURES: MEASURES,
}
PARTS = {VERSION_AREAS: "areas", VERSION_INDICATORS: "indicators", VERSION_MEASURES: "measures"}


def _versions(reader: Store | Writer) -> pd.DataFrame:
    if not reader.has(VERSIONS):
        return pd.DataFrame(columns=["label", "frozen_utc", "note", "heatplan_version"])
    return reader.read(VERSIONS)


def _appended(writer: Writer, name: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Earlier snapshots plus ``rows`` (one table; columns may differ between versions)."""
    if not writer.has(name):
        return rows
    old = writer.read(name)
    both = pd.concat([old, rows], ignore_index=True)
    if isinstance(rows, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(both, geometry="geometry", crs=rows.crs)
    return both


def freeze(project_dir: Path, label: str, note: str = "") -> dict[str, Any]:
    """Store an immutable snapshot of areas, indicators and measures under ``label``."""
    check_label(label)
    if label == CURRENT:
        raise HeatplanError(f"{CURRENT!r} names the live project in a diff; choose another label")
    store = open_project_store(project_dir)
    counts: dict[str, int] = {}
    with store.transaction(step=f"version freeze {label}") as writer:
        versions = _versions(writer)
        if label in set(versions["label"].astype(str)):
            raise HeatplanError(
                f"version {label!r} exists already (frozen {_frozen(versions, label)}); a frozen "
                "version is never replaced: choose a new label"
            )
        for target, source in SNAPSHOTS.items():
            rows = writer.read(source) if writer.has(source) else None
            counts[PARTS[target]] = 0 if rows is None else len(rows)
            if rows is not None and len(rows):
                writer.write(target, _appended(writer, target, tagged(rows, label)))
        row = {
            "label": label,
            "frozen_utc": utc_now(),
            "note": note,
            "heatplan_version": __version__,
        }
        writer.write(VERSIONS, pd.DataFrame([row]), mode="append")
    return {**row, **counts}


def _frozen(versions: pd.DataFrame, label: str) -> str:
    return str(versions.loc[versions["label"].astype(str) == label, "frozen_utc"].iloc[0])


def list_versions(project_dir: Path) -> list[dict[str, Any]]:
    """The frozen versions, oldest first, with the rows each snapshot holds."""
    store = open_project_store(project_dir)
    versions = _versions(store).sort_values("frozen_utc", kind="stable")
    counts = {
        target: store.read(target, columns=["version_label"])["version_label"].value_counts()
        if store.has(target)
        else pd.Series(dtype=int)
        for target in SNAPSHOTS
    }
    return [
        {
            **{str(k): ("" if pd.isna(v) else v) for k, v in row.items()},
            **{PARTS[t]: int(counts[t].get(row["label"], 0)) for t in SNAPSHOTS},
        }
        for row in versions.to_dict(orient="records")
    ]


def _snapshot(store: Store, label: str) -> dict[str, pd.DataFrame]:
    parts = {}
    for target, source in SNAPSHOTS.items():
        name = source if label == CURRENT else target
        frame = pd.DataFrame(store.read(name)) if store.has(name) else pd.DataFrame()
        if label != CURRENT and not frame.empty:
            frame = frame[frame["version_label"].astype(str) == label]
        parts[PARTS[target]] = frame.drop(columns=["geometry"], errors="ignore")
    return parts


def diff(project_dir: Path, a: str, b: str) -> dict[str, Any]:
    """What changed from version ``a`` to ``b`` (either may be ``current``)."""
    store = open_project_store(project_dir)
    known = set(_versions(store)["label"].astype(str))
    for label in (a, b):
        if label != CURRENT and label not in known:
            listed = ", ".join(sorted(known)) or "none frozen yet"
            raise HeatplanError(
                f"no plan version {label!r} (versions: {listed}; or {CURRENT!r} for the "
                "project as it is now)"
            )
    return diff_snapshots(_snapshot(store, a), _snapshot(store, b), labels=(a, b))

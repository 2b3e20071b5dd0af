"""Hourly heat profiles of a set of buildings (BDEW/SigLinDe via demandlib's coefficients).

The profiles use each building's ``heat_demand_kwh_per_a`` and ``profile_class`` from the
inventory, the DWD TRY of the project's region laid out on ``profile_year`` (heatplan.toml) and
the public holidays of the project's state. Every class is computed once and scaled, so a
whole town takes well under a second (benchmarks/bench_profiles.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.demand.climate import climate
from heatplan.demand.profiles import aggregate_profile, hourly_profiles
from heatplan.errors import HeatplanError, ProjectError
from heatplan.plan import columns as col
from heatplan.project.config import load_config
from heatplan.project.store import open_store

_COLUMNS = [
    col.BUILDING_ID,
    col.BLOCK_ID,
    col.SEGMENT_ID,
    col.HEAT_DEMAND_KWH_PER_A,
    col.PROFILE_CLASS,
]
_SUFFIXES = (".csv", ".parquet")


def select_buildings(
    frame: pd.DataFrame,
    *,
    buildings: list[str] | None = None,
    block: str | None = None,
    segment: str | None = None,
) -> pd.DataFrame:
    """The rows of the selection (all when nothing is given); unknown ids are an error."""
    chosen = frame
    if buildings:
        missing = sorted(set(buildings) - set(frame[col.BUILDING_ID]))
        if missing:
            raise HeatplanError(f"unknown building id(s): {', '.join(missing[:5])}")
        chosen = chosen[chosen[col.BUILDING_ID].isin(buildings)]
    for column, value in ((col.BLOCK_ID, block), (col.SEGMENT_ID, segment)):
        if value is not None:
            chosen = chosen[chosen[column].astype(str) == str(value)]
            if chosen.empty:
                raise HeatplanError(f"no buildings with {column} = {value!r}")
    return chosen


def write_profiles(
    project_dir: Path,
    out_file: Path,
    *,
    buildings: list[str] | None = None,
    block: str | None = None,
    segment: str | None = None,
    total: bool = False,
) -> dict[str, Any]:
    """Write hourly heat demand [kWh/h] per building (or summed) to CSV or Parquet."""
    out_file = Path(out_file)
    if out_file.suffix.lower() not in _SUFFIXES:
        raise HeatplanError(f"{out_file}: write .csv or .parquet")
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    frame = _inventory_buildings(store.read("buildings"))
    chosen = select_buildings(frame, buildings=buildings, block=block, segment=segment)
    temperature, holidays = climate(config, store.read("buildings"))
    annual = chosen.set_index(col.BUILDING_ID)[col.HEAT_DEMAND_KWH_PER_A]
    classes = chosen.set_index(col.BUILDING_ID)[col.PROFILE_CLASS]
    year = config.project.profile_year
    table: pd.DataFrame
    if total:
        table = aggregate_profile(
            annual, classes, temperature, year=year, holidays=holidays
        ).to_frame()
    else:
        table = hourly_profiles(annual, classes, temperature, year=year, holidays=holidays)
    summed = table.sum(axis="columns")
    _write(table, out_file)
    return {
        "buildings": len(chosen),
        "file": str(out_file),
        "hours": len(summed),
        col.HEAT_DEMAND_KWH_PER_A: float(summed.sum()),
        "peak_load_kw": float(summed.max()),
    }


def _inventory_buildings(frame: pd.DataFrame) -> pd.DataFrame:
    if col.PROFILE_CLASS not in frame.columns:
        raise ProjectError("buildings have no profile class yet: run `heatplan inventory` first")
    return pd.DataFrame(frame[_COLUMNS])


def _write(table: pd.DataFrame, out_file: Path) -> None:
    out_file.parent.mkdir(parents=True, exist_ok=True)
    table.index.name = "time"
    if out_file.suffix.lower() == ".parquet":
        table.columns = table.columns.astype(str)
        table.to_parquet(out_file)
    else:
        table.to_csv(out_file)

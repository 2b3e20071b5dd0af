"""Weather of a project: the DWD test reference year (TRY 2010) of its region as the reference
climate, and the degree days of real metering years (table ``weather_years``) for the weather
correction of measured consumption (VDI 3807-1, G20/15).

The climate itself (:mod:`heatplan.demand.climate`) is computed from the plan; this module
imports the metering years into a project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.demand.degree_days import heating_degree_days
from heatplan.errors import InputFileError
from heatplan.inputs import validate as v
from heatplan.inputs.common import (
    decimal_option,
    new_run_id,
    record_run,
    stamp_rejections,
    write_report,
)
from heatplan.inputs.mapping import apply_mapping, load_mapping, unused_columns
from heatplan.inputs.readers import read_table
from heatplan.inputs.result import rejection_records
from heatplan.inputs.weather import read_hourly_temperature
from heatplan.project.config import load_config
from heatplan.project.store import Store, open_store
from heatplan.reference import table

WEATHER_TABLE = "weather_years"


def import_weather_year(
    project_dir: Path, file: Path, *, year: int
) -> dict[str, float | int | str]:
    """Store the degree days of a real metering year from an hourly temperature file."""
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    try:
        temp = read_hourly_temperature(file)
    except (ValueError, OSError) as exc:
        raise InputFileError(file, str(exc).removeprefix(f"{file}: ")) from None
    hdd = float(heating_degree_days(temp))
    rows = store.read(WEATHER_TABLE) if store.has(WEATHER_TABLE) else pd.DataFrame()
    if len(rows):
        rows = rows[rows["year"].astype(int) != year]
    new = pd.DataFrame({"year": [year], "hdd_kd": [hdd], "source_file": [str(file)]})
    with store.transaction(step="import weather") as writer:
        writer.write(WEATHER_TABLE, pd.concat([rows, new], ignore_index=True))
    return {"year": year, "hdd_kd": hdd, "file": str(file)}


def _plausible_kd() -> tuple[float, float]:
    defaults = table("demand_defaults.csv").set_index("parameter")["value"]
    return float(defaults["degree_days_min_kd"]), float(defaults["degree_days_max_kd"])


def import_degree_days(
    project_dir: Path, file: Path, *, mapping: Path | None = None, decimal: str | None = None
) -> dict[str, Any]:
    """Store annual degree days G20/15 per metering year (CSV/XLSX: year, hdd_kd).

    The usual way German planners get them (IWU Gradtagzahlen tool, DWD); a year stored before
    is replaced. Bad rows go to ``import_rejections`` like every import. ``decimal`` (or the
    mapping's) states the file's decimal separator where its numbers do not reveal it.
    """
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    cmap = load_mapping(mapping)
    raw = apply_mapping(read_table(file), cmap, ["year", "hdd_kd"])
    checks = v.RowChecks(raw, file=Path(file).name, rows=pd.Series(range(1, len(raw) + 1)))
    v.check_required(checks, ("year", "hdd_kd"))
    v.check_numbers(checks, "degree_days", decimal=decimal_option(file, decimal or cmap.decimal))
    v.check_years(checks, ("year",))
    low, high = _plausible_kd()
    hdd = pd.to_numeric(checks.frame["hdd_kd"], errors="coerce")
    checks.reject(
        (hdd < low) | (hdd > high),
        "hdd_kd",
        f"unplausible Gradtagzahl G20/15 (erwartet {low:.0f}..{high:.0f} K·d) / implausible "
        f"degree days G20/15 (expected {low:.0f}..{high:.0f} K·d)",
    )
    checks.reject(
        checks.frame["year"].duplicated(),
        "year",
        "Jahr doppelt in der Datei / year given twice in the file",
    )
    valid, rejections = checks.result()
    new = pd.DataFrame(
        {
            "year": valid["year"].astype(int),
            "hdd_kd": valid["hdd_kd"].astype(float),
            "source_file": str(file),
        }
    )
    run_id = new_run_id()
    stamped = stamp_rejections(rejections, target=WEATHER_TABLE, run_id=run_id)
    report = None
    if new.empty:  # a failed import leaves the store as it was; the report goes to a file
        report = write_report(stamped, file=Path(file), run_id=run_id, folder=Path(project_dir))
    else:
        _store_years(store, new, stamped, file=Path(file), run_id=run_id)
    return {
        "file": str(file),
        "imported": len(new),
        "rejected": int(rejections["row"].nunique()),
        "years": dict(zip(new["year"], new["hdd_kd"], strict=True)),
        "run_id": run_id,
        "report": None if report is None else str(report),
        "ignored_columns": list(unused_columns(raw, ("year", "hdd_kd"))),
        "first_rejections": list(rejection_records(rejections)),
    }


def _store_years(
    store: Store, new: pd.DataFrame, stamped: pd.DataFrame, *, file: Path, run_id: str
) -> None:
    rows = store.read(WEATHER_TABLE) if store.has(WEATHER_TABLE) else pd.DataFrame()
    stored = len(rows)
    if stored:
        rows = rows[~rows["year"].astype(int).isin(set(new["year"]))]
    with store.transaction(step="import degree days") as writer:
        writer.write(WEATHER_TABLE, pd.concat([rows, new], ignore_index=True))
        record_run(
            writer,
            stamped,
            target=WEATHER_TABLE,
            run_id=run_id,
            file=file,
            mode="update",
            imported=len(new),
            replaced=stored - len(rows),
        )

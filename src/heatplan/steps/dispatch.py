"""``heatplan dispatch`` on a project: the measured source series read from its file, the
plan's stage (:func:`heatplan.stages.dispatch.run`) on the stored network load."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from heatplan.plan import Plan
from heatplan.potentials.wastewater import PLANT_COLUMNS
from heatplan.potentials.water_heat import read_water_series
from heatplan.stages import dispatch
from heatplan.stages.dispatch import RIVER_COLUMNS, Source, Study

__all__ = ["Source", "run_dispatch", "source_with_series"]


def source_with_series(source: Source, series_file: Path | None) -> Source:
    """``source`` with the measured series of ``series_file`` (CSV, checked row by row)."""
    if series_file is None or source.kind not in ("river", "wastewater"):
        return source
    columns = RIVER_COLUMNS if source.kind == "river" else PLANT_COLUMNS
    frame = read_water_series(series_file, columns)
    return dataclasses.replace(source, series=frame, series_name=str(series_file))


def run_dispatch(
    project_dir: Path,
    network_id: str,
    *,
    source: Source,
    series_file: Path | None = None,
    **options: Any,
) -> Study:
    """Dispatch study on the hourly load that ``network design`` stored for ``network_id``."""
    plan = Plan.from_project(project_dir, frames=dispatch.NEEDS)
    _, study = dispatch.run(
        plan, network_id, source=source_with_series(source, series_file), **options
    )
    return study

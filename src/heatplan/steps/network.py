"""``heatplan network design`` on a project: the plan's stage
(:func:`heatplan.stages.network.run`) between reading and writing the store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.progress import stage_reporter
from heatplan.stages import network
from heatplan.stages.network import NetworkDesign

log = logging.getLogger(__name__)


def building_ids_from_file(path: Path) -> list[str]:
    """The ``building_id`` column of a CSV file (one building per row)."""
    if not path.is_file():
        raise HeatplanError(f"{path}: file not found")
    frame = pd.read_csv(path, dtype=str)
    if col.BUILDING_ID not in frame.columns:
        raise HeatplanError(f"{path}: needs a column building_id (one building per row)")
    return frame[col.BUILDING_ID].dropna().str.strip().tolist()


def design_network(
    project_dir: Path,
    *,
    buildings_file: Path | None = None,
    progress: Any = None,
    **selection: Any,
) -> NetworkDesign:
    """Design, verify and cost a network for one selection; store it atomically.

    ``selection`` takes the keywords of :func:`heatplan.stages.network.run`;
    ``buildings_file`` is a CSV with a ``building_id`` column.
    """
    if buildings_file is not None:
        selection["building_ids"] = building_ids_from_file(Path(buildings_file))
        selection["ids_label"] = Path(buildings_file).name
    plan = Plan.from_project(project_dir, frames=network.NEEDS)
    made, design = network.run(plan, progress=progress, **selection)
    stage_reporter(log, progress)("writing the project store")
    made.to_store(made.settings.store_url(Path(project_dir)), step="network design")
    return design

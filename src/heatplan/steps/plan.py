"""``heatplan run``: every step of the plan in order, each atomic, from the imported data.

inventory -> potentials -> areas -> classify -> scenario (-> export). A step that cannot run
for want of data (e.g. supply areas without streets, blocks or imported areas) stops the chain
with its reason; the steps before it stay stored.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from heatplan.errors import ProjectError
from heatplan.steps.areas import run_areas
from heatplan.steps.classify import run_classify
from heatplan.steps.inventory import run_inventory
from heatplan.steps.potentials import run_potentials
from heatplan.steps.scenario import run_scenario
from heatplan.steps.stages import stage_reporter

log = logging.getLogger(__name__)


def run_plan(project_dir: Path, *, progress: Any = None) -> dict[str, Any]:
    """Run the steps; returns each step's summary and, where the chain stopped, why.

    Each step logs its own stages and shows them on ``progress``.
    """
    say = stage_reporter(log, progress)
    steps: dict[str, Any] = {}
    chain = (
        ("inventory", lambda: run_inventory(project_dir, progress=progress).to_dict()),
        ("potentials", lambda: run_potentials(project_dir, progress=progress).to_dict()),
        ("areas", lambda: run_areas(project_dir, progress=progress)),
        ("classify", lambda: run_classify(project_dir, progress=progress)),
        ("scenario", lambda: run_scenario(project_dir, progress=progress)),
    )
    for name, step in chain:
        say(name)
        try:
            steps[name] = step()
        except ProjectError as exc:
            steps["stopped"] = {"step": name, "reason": str(exc)}
            break
    return steps

"""``heatplan run``: every step of the plan in order, each atomic, from the imported data.

inventory -> potentials -> areas -> classify -> scenario (-> export). A step that cannot run
for want of data (e.g. supply areas without streets, blocks or imported areas) stops the chain
with its reason; the steps before it stay stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from heatplan.errors import ProjectError
from heatplan.steps.areas import run_areas
from heatplan.steps.classify import run_classify
from heatplan.steps.inventory import run_inventory
from heatplan.steps.potentials import run_potentials
from heatplan.steps.scenario import run_scenario


def run_plan(project_dir: Path, *, progress: Any = None) -> dict[str, Any]:
    """Run the steps; returns each step's summary and, where the chain stopped, why."""
    say = progress or (lambda _msg: None)
    steps: dict[str, Any] = {}
    chain = (
        ("inventory", lambda: run_inventory(project_dir, progress=say).to_dict()),
        ("potentials", lambda: run_potentials(project_dir, progress=say).to_dict()),
        ("areas", lambda: run_areas(project_dir, progress=say)),
        ("classify", lambda: run_classify(project_dir, progress=say)),
        ("scenario", lambda: run_scenario(project_dir, progress=say)),
    )
    for name, step in chain:
        say(name)
        try:
            steps[name] = step()
        except ProjectError as exc:
            steps["stopped"] = {"step": name, "reason": str(exc)}
            break
    return steps

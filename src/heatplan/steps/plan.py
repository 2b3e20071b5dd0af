"""``heatplan run``: every stage of the plan in order, each stored atomically, from the imported
data.

inventory -> potentials -> areas -> classify -> scenario (-> export). The project is read once;
the stages run on the plan in memory and each writes what it made in its own transaction. A
stage that cannot run for want of data (e.g. supply areas without streets, blocks or imported
areas) stops the chain with its reason; the stages before it stay stored.

``heatplan run --all`` (:func:`run_everything`) goes on in the same process to the public
outputs: the report (HTML and PDF) and the three exports (:mod:`heatplan.steps.outputs`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from heatplan.errors import ProjectError
from heatplan.parallel import SecondCore
from heatplan.plan import Plan
from heatplan.progress import stage_reporter
from heatplan.stages import areas, classify, inventory, potentials, scenario

log = logging.getLogger(__name__)
#: The stages ``heatplan run`` runs, in order.
CHAIN = (inventory, potentials, areas, classify, scenario)


def run_plan(project_dir: Path, *, progress: Any = None) -> dict[str, Any]:
    """Run the stages; returns each stage's summary and, where the chain stopped, why.

    Each stage logs its own steps and shows them on ``progress``.
    """
    say = stage_reporter(log, progress)
    needs = {name for stage in CHAIN for name in stage.NEEDS}
    plan = Plan.from_project(project_dir, frames=sorted(needs))
    url = plan.settings.store_url(Path(project_dir))
    steps: dict[str, Any] = {}
    for stage in CHAIN:
        name = stage.__name__.rsplit(".", 1)[-1]
        say(name)
        try:
            plan, result = stage.run(plan, progress=progress)
        except ProjectError as exc:
            steps["stopped"] = {"step": name, "reason": str(exc)}
            break
        plan.to_store(url, step=name)
        result.store = plan.source
        steps[name] = result.to_dict()
    return steps


def run_everything(project_dir: Path, *, progress: Any = None) -> dict[str, Any]:
    """The stages of :func:`run_plan`, then the report (HTML, PDF) and the three exports.

    Returns each stage's summary and ``release``, ``report`` and ``export``
    (:meth:`heatplan.steps.outputs.Outputs.to_dict`). A stage that stops the chain raises
    :class:`ProjectError` with its reason (the stages before it stay stored; no report or export
    is written); so does a project whose outputs cannot be written, before any stage runs. The
    second process for the exports starts first: its imports overlap the stages.
    """
    # here, not at the top: plain ``heatplan run`` does not pay the outputs' imports
    from heatplan.steps.outputs import EXPORT_MODULES, check_outputs, report_and_exports

    check_outputs(project_dir)
    with SecondCore(warm=EXPORT_MODULES) as second_core:
        steps = run_plan(project_dir, progress=progress)
        if "stopped" in steps:
            stopped = steps["stopped"]
            raise ProjectError(
                f"{stopped['step']}: {stopped['reason']} (the steps before it are stored; "
                "no report or export was written)"
            )
        outputs = report_and_exports(project_dir, progress=progress, second_core=second_core)
    return {**steps, **outputs.to_dict()}

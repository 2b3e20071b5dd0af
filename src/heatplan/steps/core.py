"""The plan's stages as project steps: read a project into a :class:`Plan`, run the stage,
write what it made back in one transaction (all or nothing).

Each ``run_*`` reads only the frames its stage needs (``NEEDS`` of the stage's module), so a
step on a large project does not load layers it never touches. The stages themselves
(:mod:`heatplan.stages`) know nothing of stores and files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from heatplan.plan import Plan
from heatplan.progress import Progress, stage_reporter
from heatplan.stages import areas, classify, inventory, potentials, scenario
from heatplan.stages.areas import AreasResult
from heatplan.stages.classify import ClassifyResult
from heatplan.stages.inventory import InventoryResult
from heatplan.stages.potentials import PotentialsResult
from heatplan.stages.scenario import ScenarioResult

log = logging.getLogger(__name__)


class StepResult(Protocol):
    """What a stage returns beside the new plan: it records where the step wrote."""

    store: str


R = TypeVar("R", bound=StepResult)


def run_stage(
    project_dir: Path,
    stage: Callable[..., tuple[Plan, R]],
    *,
    step: str,
    needs: Iterable[str],
    progress: Progress | None = None,
    **options: Any,
) -> R:
    """Run ``stage`` on the project's plan and store the frames it made as step ``step``."""
    plan = Plan.from_project(project_dir, frames=needs)
    made, result = stage(plan, progress=progress, **options)
    stage_reporter(log, progress)("writing the project store")
    url = made.settings.store_url(Path(project_dir))
    made.to_store(url, step=step)
    result.store = made.source
    return result


def run_inventory(project_dir: Path, *, progress: Progress | None = None) -> InventoryResult:
    """The inventory of a project (:func:`heatplan.stages.inventory.inventory`), stored."""
    return run_stage(
        project_dir, inventory.run, step="inventory", needs=inventory.NEEDS, progress=progress
    )


def run_potentials(project_dir: Path, *, progress: Progress | None = None) -> PotentialsResult:
    """The potentials of a project (:func:`heatplan.stages.potentials.potentials`), stored."""
    return run_stage(
        project_dir,
        potentials.run,
        step="potentials",
        needs=potentials.NEEDS,
        progress=progress,
    )


def run_areas(
    project_dir: Path,
    *,
    target_count: int | None = None,
    max_area_ha: float | None = None,
    progress: Progress | None = None,
) -> AreasResult:
    """The supply areas of a project (:func:`heatplan.stages.areas.areas`), stored."""
    return run_stage(
        project_dir,
        areas.run,
        step="areas",
        needs=areas.NEEDS,
        progress=progress,
        target_count=target_count,
        max_area_ha=max_area_ha,
    )


def run_classify(project_dir: Path, *, progress: Progress | None = None) -> ClassifyResult:
    """The classification of a project's areas (:func:`heatplan.stages.classify.classify`)."""
    return run_stage(
        project_dir, classify.run, step="classify", needs=classify.NEEDS, progress=progress
    )


def run_scenario(
    project_dir: Path, *, variants: list[str] | None = None, progress: Progress | None = None
) -> ScenarioResult:
    """The target scenario of a project (:func:`heatplan.stages.scenario.scenario`), stored."""
    return run_stage(
        project_dir,
        scenario.run,
        step="scenario",
        needs=scenario.NEEDS,
        progress=progress,
        variants=variants,
    )

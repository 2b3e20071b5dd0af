"""heatplan — open-source municipal heat planning (Wärmeplanung), from buildings to the plan.

The Python API: a :class:`~heatplan.plan.Plan` in memory and the stages over it
(:mod:`heatplan.stages`), e.g. ``plan, summary = heatplan.stages.inventory.run(plan)``.
``heatplan.Plan`` is imported on first use, so ``import heatplan`` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Version of the project-store layout; bumped when layers or tables change incompatibly.
FORMAT_VERSION = 1

__all__ = ["FORMAT_VERSION", "Plan", "__version__"]

if TYPE_CHECKING:
    from heatplan.plan import Plan


def __getattr__(name: str) -> Any:
    if name == "Plan":
        from heatplan.plan import Plan

        return Plan
    raise AttributeError(f"module 'heatplan' has no attribute {name!r}")

"""The in-memory plan: :class:`Plan`, the frames it holds and the columns the stages share.

:class:`Plan` and the frame descriptions are imported on first use, so that importing
:mod:`heatplan.plan.columns` (the shared column names) loads neither pandas nor the store.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["FrameInfo", "Plan", "frame_info", "frame_names"]

if TYPE_CHECKING:
    from heatplan.plan.frames import FrameInfo, frame_info, frame_names
    from heatplan.plan.model import Plan

#: Where each public name lives.
_MODULES = {
    "FrameInfo": "heatplan.plan.frames",
    "frame_info": "heatplan.plan.frames",
    "frame_names": "heatplan.plan.frames",
    "Plan": "heatplan.plan.model",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(import_module(_MODULES[name]), name)
    raise AttributeError(f"module 'heatplan.plan' has no attribute {name!r}")

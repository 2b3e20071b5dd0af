"""The in-memory plan: :class:`Plan`, the frames it holds and the columns the stages share."""

from heatplan.plan.frames import FrameInfo, frame_info, frame_names
from heatplan.plan.model import Plan

__all__ = ["FrameInfo", "Plan", "frame_info", "frame_names"]

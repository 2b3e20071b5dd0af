"""The frames a plan holds, described once as data (``heatplan/data/frames.csv``).

Each frame has a name (also its layer or table name in a project store), the command that
makes it (``import buildings`` for the town's inputs, else the stage: ``inventory``), its
geometry types (none for a plain table), its key column and a description. The columns of the
input frames and of the buildings, and the keys and densities of the frames the stages make, are
described in ``heatplan/data/attributes.csv`` (name, type, unit, description);
:mod:`heatplan.plan.columns` names the columns the stages share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from heatplan import reference

FRAMES_FILE = "frames.csv"
ATTRIBUTES_FILE = "attributes.csv"


@dataclass(frozen=True)
class FrameInfo:
    """What ``frames.csv`` says about one frame of a plan."""

    name: str
    made_by: str
    geometry_types: tuple[str, ...]
    key: str
    description: str

    @property
    def stage(self) -> str:
        """The stage that makes the frame: ``import`` for inputs, else the stage's name."""
        return self.made_by.split()[0]

    @property
    def spatial(self) -> bool:
        """True for a layer with geometry, False for a plain table."""
        return bool(self.geometry_types)


@cache
def frame_infos() -> dict[str, FrameInfo]:
    """Every frame a plan may hold, by name, in the order of ``frames.csv``."""
    table = reference.table(FRAMES_FILE, as_text=True)
    rows: list[dict[str, str]] = table.to_dict(orient="records")  # type: ignore[assignment]
    return {
        row["frame"]: FrameInfo(
            name=row["frame"],
            made_by=row["made_by"],
            geometry_types=tuple(t for t in row["geometry"].split(";") if t),
            key=row["key"],
            description=row["description"],
        )
        for row in rows
    }


def frame_names(stage: str | None = None) -> list[str]:
    """The frame names, all or those one stage makes (``"import"``: the town's inputs)."""
    return [i.name for i in frame_infos().values() if stage in (None, i.stage)]


def frame_info(name: str) -> FrameInfo:
    """The description of frame ``name``; KeyError naming the known frames otherwise."""
    infos = frame_infos()
    if name not in infos:
        raise KeyError(f"a plan has no frame {name!r}; frames: {', '.join(infos)}")
    return infos[name]


def making_stage(name: str) -> str:
    """The command that makes frame ``name``, for messages (``heatplan inventory``)."""
    return f"heatplan {frame_info(name).made_by}"

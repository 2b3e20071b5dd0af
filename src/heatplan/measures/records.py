"""Measures, steps and progress as store tables, and the catalogue read back from them.

In the store every value is plain: dates as ISO text (``YYYY-MM-DD``), linked areas as one
";"-separated text, missing numbers as NaN, so a GeoPackage opened in QGIS shows them as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from heatplan.errors import HeatplanError
from heatplan.measures.model import Measure, ProgressEntry, Step
from heatplan.measures.schema import FIELDS, MEASURES, PROGRESS, STEPS, Field

MODELS: dict[str, type[BaseModel]] = {MEASURES: Measure, STEPS: Step, PROGRESS: ProgressEntry}


def _cell(spec: Field, value: Any) -> Any:
    """A model value as stored."""
    if value is None:
        return np.nan if spec.dtype in ("float", "int") else (None if spec.dtype == "date" else "")
    if spec.dtype == "date":
        return value.isoformat()
    if spec.dtype == "list":
        return ";".join(value)
    return value


def _dtype(spec: Field) -> str:
    return {"float": "float64", "bool": "bool", "int": "float64"}.get(spec.dtype, "object")


def to_frame(name: str, items: Sequence[BaseModel]) -> pd.DataFrame:
    """The store table ``name`` holding ``items`` (columns in schema order, fixed dtypes)."""
    specs = FIELDS[name]
    data = {
        spec.name: pd.Series(
            [_cell(spec, getattr(item, spec.name)) for item in items], dtype=_dtype(spec)
        )
        for spec in specs
    }
    frame = pd.DataFrame(data)
    for spec in specs:  # required counters stay integers
        if spec.name in ("revision", "step_no", "entry_id"):
            frame[spec.name] = frame[spec.name].astype("int64")
    return frame


def plain(value: Any) -> Any:
    """A stored cell as a Python value (NaN and NA -> None, numpy scalars -> Python)."""
    if value is None or (not isinstance(value, str | list) and bool(pd.isna(value))):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_frame(name: str, frame: pd.DataFrame) -> list[Any]:
    """The records of a stored table (validated again: a hand-edited store is caught here)."""
    model = MODELS[name]
    wanted = [spec.name for spec in FIELDS[name] if spec.name in frame.columns]
    rows = pd.DataFrame(frame)[wanted].to_dict(orient="records")
    return [model.model_validate({k: plain(v) for k, v in row.items()}) for row in rows]


def as_dict(item: BaseModel) -> dict[str, Any]:
    """A record as JSON-ready dict (dates as ISO text)."""
    return item.model_dump(mode="json")


@dataclass
class Catalogue:
    """The measures of a project with their steps and progress history."""

    measures: dict[str, Measure] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    progress: list[ProgressEntry] = field(default_factory=list)

    @classmethod
    def read(cls, has: Callable[[str], bool], read: Callable[[str], pd.DataFrame]) -> Catalogue:
        """The catalogue from a store or a transaction's writer (its ``has`` and ``read``)."""

        def load(name: str) -> list[Any]:
            return from_frame(name, read(name)) if has(name) else []

        measures = {m.measure_id: m for m in load(MEASURES)}
        return cls(measures, load(STEPS), load(PROGRESS))

    def frames(self) -> dict[str, pd.DataFrame]:
        """The three store tables, sorted by measure id, step number and entry id."""
        steps = sorted(self.steps, key=lambda s: (s.measure_id, s.step_no))
        progress = sorted(self.progress, key=lambda p: p.entry_id)
        return {
            MEASURES: to_frame(MEASURES, [self.measures[k] for k in sorted(self.measures)]),
            STEPS: to_frame(STEPS, steps),
            PROGRESS: to_frame(PROGRESS, progress),
        }

    def get(self, measure_id: str) -> Measure:
        if measure_id not in self.measures:
            known = ", ".join(sorted(self.measures)) or "none yet"
            raise HeatplanError(f"no measure {measure_id!r} (measures: {known})")
        return self.measures[measure_id]

    def steps_of(self, measure_id: str) -> list[Step]:
        return sorted(
            (s for s in self.steps if s.measure_id == measure_id), key=lambda s: s.step_no
        )

    def progress_of(self, measure_id: str | None = None) -> list[ProgressEntry]:
        """Entries (of one measure) in the order they report on: entry date, then entry id."""
        chosen = [p for p in self.progress if measure_id is None or p.measure_id == measure_id]
        return sorted(chosen, key=lambda p: (p.entry_date, p.entry_id))

    def latest(self, measure_id: str) -> ProgressEntry | None:
        entries = self.progress_of(measure_id)
        return entries[-1] if entries else None

    def next_entry_id(self) -> int:
        return max((p.entry_id for p in self.progress), default=0) + 1

    def next_measure_id(self) -> str:
        numbers = [int(k[1:]) for k in self.measures if k[:1] == "M" and k[1:].isdigit()]
        return f"M{max(numbers, default=0) + 1:02d}"

    def full(self, measure_id: str) -> dict[str, Any]:
        """One measure as dict with its ``steps`` and ``latest_progress``."""
        latest = self.latest(measure_id)
        return {
            **as_dict(self.get(measure_id)),
            "steps": [as_dict(s) for s in self.steps_of(measure_id)],
            "latest_progress": as_dict(latest) if latest else None,
        }

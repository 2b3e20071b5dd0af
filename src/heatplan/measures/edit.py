"""Changes to a catalogue: add, update (optimistic locking), append progress.

Pure functions on a :class:`~heatplan.measures.records.Catalogue`; the step functions run them
inside one store transaction (read, check the revision, write), so two people editing the same
measure never overwrite each other: the second gets :class:`heatplan.errors.ConflictError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from heatplan.errors import ConflictError, HeatplanError
from heatplan.measures.model import (
    InvalidMeasure,
    Measure,
    ProgressEntry,
    Step,
    problems_of,
    validated,
)
from heatplan.measures.records import Catalogue
from heatplan.measures.schema import BOOKKEEPING, PROGRESS_KPIS

T = TypeVar("T", bound=BaseModel)


def validate_rows(
    model: type[T], rows: Iterable[tuple[int | None, dict[str, Any]]], *, sheet: str | None = None
) -> tuple[list[T], list[dict[str, Any]]]:
    """Validate ``(row number, data)`` pairs: the good records and every problem found."""
    good: list[T] = []
    problems: list[dict[str, Any]] = []
    for row, data in rows:
        try:
            good.append(model.model_validate(data))
        except ValidationError as exc:
            problems.extend(problems_of(exc, sheet=sheet, row=row))
    return good, problems


def _steps(measure_id: str, steps: list[dict[str, Any]]) -> list[Step]:
    rows = [
        (None, {"step_no": number, **step, "measure_id": measure_id})
        for number, step in enumerate(steps, start=1)
    ]
    good, problems = validate_rows(Step, rows)
    for problem in problems:
        problem["field"] = f"steps.{problem['field']}"
    if problems:
        raise InvalidMeasure(problems, what=f"measure {measure_id} steps")
    numbers = [s.step_no for s in good]
    if len(set(numbers)) != len(numbers):
        raise InvalidMeasure(
            [{"field": "steps.step_no", "message": f"step numbers repeat: {numbers}"}],
            what=f"measure {measure_id} steps",
        )
    return good


def _refuse_bookkeeping(fields: dict[str, Any], what: str) -> None:
    given = sorted(set(fields) & {*BOOKKEEPING, "measure_id"})
    if given:
        raise InvalidMeasure(
            [{"field": f, "message": "is kept by heatplan and cannot be set"} for f in given],
            what=what,
        )


def add(catalogue: Catalogue, fields: dict[str, Any], *, author: str, now: str) -> Measure:
    """Add a new measure (revision 1); ``fields`` may hold ``steps`` (list of dicts)."""
    data = dict(fields)
    steps = data.pop("steps", None) or []
    ident = str(data.pop("measure_id", None) or catalogue.next_measure_id()).strip()
    _refuse_bookkeeping(data, f"new measure {ident}")
    if ident in catalogue.measures:
        raise HeatplanError(f"measure {ident} exists already; use update to change it")
    measure = validated(
        Measure,
        {**data, "measure_id": ident, "revision": 1, "updated_utc": now, "updated_by": author},
        what=f"new measure {ident}",
    )
    new_steps = _steps(ident, steps)
    catalogue.measures[ident] = measure
    catalogue.steps = [s for s in catalogue.steps if s.measure_id != ident] + new_steps
    return measure


def update(
    catalogue: Catalogue,
    measure_id: str,
    changes: dict[str, Any],
    *,
    expected_revision: int,
    author: str,
    now: str,
) -> Measure:
    """Apply ``changes`` if the stored revision is ``expected_revision``; revision + 1."""
    current = catalogue.get(measure_id)
    if current.revision != expected_revision:
        raise ConflictError(
            f"measure {measure_id}",
            expected_revision=expected_revision,
            stored_revision=current.revision,
        )
    data = dict(changes)
    steps = data.pop("steps", None)
    _refuse_bookkeeping(data, f"measure {measure_id}")
    merged = {
        **current.model_dump(),
        **data,
        "revision": current.revision + 1,
        "updated_utc": now,
        "updated_by": author,
    }
    measure = validated(Measure, merged, what=f"measure {measure_id}")
    if steps is not None:
        new_steps = _steps(measure_id, steps)
        catalogue.steps = [s for s in catalogue.steps if s.measure_id != measure_id] + new_steps
    catalogue.measures[measure_id] = measure
    return measure


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _refuse_empty(given: dict[str, Any], measure_id: str) -> None:
    """A progress entry reports something: a status, a figure or a comment."""
    if not set(given) & {"status", "comment", *PROGRESS_KPIS}:
        raise InvalidMeasure(
            [{"field": "(entry)", "message": "empty: give a status, a figure ("
              + ", ".join(PROGRESS_KPIS) + ") or a comment"}],
            what=f"progress of {measure_id}",
        )  # fmt: skip


def append_progress(
    catalogue: Catalogue, measure_id: str, entry: dict[str, Any], *, author: str, now: str
) -> ProgressEntry:
    """Append a progress entry (never changes earlier ones).

    An entry with a status that is the measure's newest report also sets the measure's status
    (revision + 1), so the catalogue and its history agree.
    """
    measure = catalogue.get(measure_id)
    given_values = {
        k: v
        for k, v in entry.items()
        if v is not None and not (isinstance(v, str) and not v.strip())
    }
    data = {"entry_date": dt.date.today(), "author": author, **given_values}
    _refuse_empty(given_values, measure_id)
    given = sorted(set(data) & {"entry_id", "measure_id", "recorded_utc"})
    if given:
        raise InvalidMeasure(
            [{"field": f, "message": "is kept by heatplan and cannot be set"} for f in given],
            what=f"progress of {measure_id}",
        )
    record = validated(
        ProgressEntry,
        {
            **data,
            "entry_id": catalogue.next_entry_id(),
            "measure_id": measure_id,
            "recorded_utc": now,
        },
        what=f"progress of {measure_id}",
    )
    catalogue.progress.append(record)
    newest = catalogue.latest(measure_id)
    if record.status and newest is record and record.status != measure.status:
        catalogue.measures[measure_id] = measure.model_copy(
            update={
                "status": record.status,
                "revision": measure.revision + 1,
                "updated_utc": now,
                "updated_by": record.author,
            }
        )
    return record

"""Merge an imported workbook into a catalogue: all rows or none.

A catalogue is one document the council adopted: importing only the good rows would leave a
plan with measures missing and their steps or progress orphaned, which a planner would have to
find out by comparing the file with the store. So an import checks every row of every sheet,
and if any row is bad nothing is written and the error names each bad row (sheet, row, field);
the planner fixes the file and imports it again.

Rules: measures are added or updated by ``measure_id`` and never deleted; a measure row that
carries a revision must match the stored revision (otherwise someone changed it since the
export: a conflict, reported with the row); a changed measure gets revision + 1. Steps of the
measures in the file are replaced by the file's steps. Progress is append-only: rows already
stored must be unchanged, new rows are appended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from heatplan.measures.catalogue import SHEETS, SheetRows
from heatplan.measures.model import InvalidMeasure, Measure, ProgressEntry, Step, problems_of
from heatplan.measures.records import Catalogue
from heatplan.measures.schema import BOOKKEEPING, MEASURES, PROGRESS, STEPS


@dataclass
class _Plan:
    """What the import will do, and the problems that stop it."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)
    steps: dict[str, list[Step]] = field(default_factory=dict)
    progress: list[ProgressEntry] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "measures_added": 0,
            "measures_updated": 0,
            "measures_unchanged": 0,
            "steps": 0,
            "progress_appended": 0,
            "progress_unchanged": 0,
        }
    )
    notes: list[str] = field(default_factory=list)

    def problem(self, table: str, row: int, name: str, message: str) -> None:
        self.problems.append(
            {"sheet": SHEETS[table], "row": row, "field": name, "message": message}
        )


def _check(plan: _Plan, model: type[BaseModel], table: str, row: int, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        plan.problems.extend(problems_of(exc, sheet=SHEETS[table], row=row))
        return None


def _content(measure: Measure, steps: list[Step]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return (
        measure.model_dump(exclude=set(BOOKKEEPING)),
        [s.model_dump() for s in sorted(steps, key=lambda s: s.step_no)],
    )


def _read_steps(plan: _Plan, catalogue: Catalogue, sheet: SheetRows, ids: set[str]) -> None:
    seen: set[tuple[str, int]] = set()
    for row, data in sheet.rows[STEPS]:
        step = _check(plan, Step, STEPS, row, data)
        if step is None:
            continue
        key = (step.measure_id, step.step_no)
        if key in seen:
            plan.problem(STEPS, row, "step_no", f"step {step.step_no} of {key[0]} repeats")
        elif step.measure_id not in ids:
            plan.problem(STEPS, row, "measure_id", f"no measure {step.measure_id!r} in the file")
        seen.add(key)
        plan.steps.setdefault(step.measure_id, []).append(step)


def _stamp(data: dict[str, Any], *, revision: int, author: str, now: str) -> dict[str, Any]:
    return {**data, "revision": revision, "updated_utc": now, "updated_by": author}


def _read_measures(plan: _Plan, catalogue: Catalogue, sheet: SheetRows, **who: str) -> None:
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    for row, data in sheet.rows[MEASURES]:
        measure = _check(plan, Measure, MEASURES, row, data)
        if measure is None:
            continue
        if measure.measure_id in rows:
            first = rows[measure.measure_id][0]
            plan.problem(MEASURES, row, "measure_id", f"{measure.measure_id} repeats row {first}")
            continue
        rows[measure.measure_id] = (row, data)
        plan.measures[measure.measure_id] = measure
    has_steps = STEPS in sheet.present
    if has_steps:
        _read_steps(plan, catalogue, sheet, _file_ids(sheet) | set(catalogue.measures))
    for ident, (row, data) in rows.items():
        _decide(plan, catalogue, ident, row, data, has_steps=has_steps, **who)


def _file_ids(sheet: SheetRows) -> set[str]:
    """Every measure number in the Maßnahmen sheet (also of rows with other problems)."""
    return {str(d.get("measure_id", "")).strip() for _, d in sheet.rows[MEASURES]}


def _decide(
    plan: _Plan,
    catalogue: Catalogue,
    ident: str,
    row: int,
    data: dict[str, Any],
    *,
    has_steps: bool,
    author: str,
    now: str,
) -> None:
    """New, unchanged, updated or in conflict: the measure as it will be stored."""
    measure = plan.measures[ident]
    stored = catalogue.measures.get(ident)
    steps = plan.steps.get(ident, []) if has_steps else None
    if stored is None:
        plan.counts["measures_added"] += 1
        fill = {"updated_utc": now, "updated_by": author}
        plan.measures[ident] = measure.model_copy(
            update={k: v for k, v in fill.items() if not data.get(k)}
        )
        return
    new_steps = steps if steps is not None else catalogue.steps_of(ident)
    if _content(measure, new_steps) == _content(stored, catalogue.steps_of(ident)):
        plan.counts["measures_unchanged"] += 1
        plan.measures[ident] = stored
        return
    given = data.get("revision")
    if given is not None and measure.revision != stored.revision:
        plan.problem(
            MEASURES,
            row,
            "revision",
            f"{ident} was changed in the project since revision {measure.revision} "
            f"(now revision {stored.revision}, {stored.updated_utc} by {stored.updated_by}): "
            "export again and redo the change",
        )
        return
    if given is None:
        plan.notes.append(f"{ident}: no revision in the file, the stored one was overwritten")
    plan.counts["measures_updated"] += 1
    plan.measures[ident] = Measure.model_validate(
        _stamp(measure.model_dump(), revision=stored.revision + 1, author=author, now=now)
    )


def _read_progress(plan: _Plan, catalogue: Catalogue, sheet: SheetRows, *, author: str) -> None:
    stored = {p.entry_id: p for p in catalogue.progress}
    known = set(catalogue.measures) | _file_ids(sheet)
    next_id = max([*stored, 0]) + 1
    given_ids = {int(d["entry_id"]) for _, d in sheet.rows[PROGRESS] if _is_int(d.get("entry_id"))}
    next_id = max([next_id, *[i + 1 for i in given_ids]])
    seen: set[int] = set()
    for row, data in sheet.rows[PROGRESS]:
        values = {"author": author, **data}
        if data.get("entry_id") is None:
            values["entry_id"], next_id = next_id, next_id + 1
        entry = _check(plan, ProgressEntry, PROGRESS, row, values)
        if entry is None:
            continue
        if entry.measure_id not in known:
            plan.problem(PROGRESS, row, "measure_id", f"no measure {entry.measure_id!r}")
        elif entry.entry_id in seen:
            plan.problem(PROGRESS, row, "entry_id", f"entry {entry.entry_id} repeats")
        elif entry.entry_id in stored:
            _same_entry(plan, row, entry, stored[entry.entry_id])
        else:
            plan.progress.append(entry)
        seen.add(entry.entry_id)


def _same_entry(plan: _Plan, row: int, entry: ProgressEntry, stored: ProgressEntry) -> None:
    mine = entry.model_dump(exclude={"recorded_utc"} if not entry.recorded_utc else set())
    theirs = stored.model_dump(exclude={"recorded_utc"} if not entry.recorded_utc else set())
    changed = [k for k in mine if mine[k] != theirs[k]]
    if changed:
        plan.problem(
            PROGRESS,
            row,
            changed[0],
            f"entry {entry.entry_id} differs from the stored one in {', '.join(changed)}: "
            "progress entries are never changed; add a new entry instead",
        )
    else:
        plan.counts["progress_unchanged"] += 1


def _is_int(value: Any) -> bool:
    try:
        return value is not None and int(value) == float(value)
    except (TypeError, ValueError):
        return False


def merge(
    catalogue: Catalogue, sheet: SheetRows, *, author: str, now: str, path: Path
) -> tuple[dict[str, Any], list[ProgressEntry]]:
    """Apply the workbook to ``catalogue`` (in place): summary and appended progress entries.

    Raises :class:`InvalidMeasure` listing every bad row; then ``catalogue`` is unchanged.
    """
    plan = _Plan()
    _read_measures(plan, catalogue, sheet, author=author, now=now)
    _read_progress(plan, catalogue, sheet, author=author)
    if plan.problems:
        raise InvalidMeasure(plan.problems, what=str(path))
    catalogue.measures.update(plan.measures)
    for ident, steps in plan.steps.items():
        catalogue.steps = [s for s in catalogue.steps if s.measure_id != ident] + steps
    if STEPS in sheet.present:  # a measure of the file without step rows has no steps now
        listed = set(plan.measures) - set(plan.steps)
        catalogue.steps = [s for s in catalogue.steps if s.measure_id not in listed]
    appended = [p.model_copy(update={"recorded_utc": p.recorded_utc or now}) for p in plan.progress]
    catalogue.progress.extend(appended)
    plan.counts["steps"] = sum(len(v) for v in plan.steps.values())
    plan.counts["progress_appended"] = len(appended)
    kept = sorted(set(catalogue.measures) - set(plan.measures))
    if kept:
        plan.notes.append(f"not in the file, kept as stored: {', '.join(kept)}")
    return {**plan.counts, "notes": plan.notes}, appended

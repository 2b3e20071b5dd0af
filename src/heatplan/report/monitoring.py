"""Progress of each measure against its own targets (WPG § 25 monitoring, yearly report).

For a report year every measure is followed by its quantified expected effects (the progress
field that reports each, :data:`heatplan.measures.schema.PROGRESS_KPIS`), or, without any, by
its implementation steps:

- ``Ziel``: the expected effect at completion (steps: the number of steps);
- ``Soll``: what is due by 31 December of the year — the target in proportion to the time
  between start and completion (linear), the steps due by then;
- ``Ist``: the newest progress entry up to that day (steps: those done by then), read from the
  store when the report is written;
- the grade: on plan (Ist >= Soll), behind plan (Ist < Soll), no report although due, not due
  yet; cancelled measures are not graded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from heatplan.measures.schema import PROGRESS_KPIS
from heatplan.report.fmt import DASH, Table, number
from heatplan.report.steckbriefe import EFFECTS, INDICATORS_DE

__all__ = ["GRADES", "due_share", "grade", "measure_progress_table"]

#: grade code -> (German text, CSS class); the legend of the yearly report lists them in order.
GRADES = {
    "ok": ("im Plan", "ok"),
    "behind": ("hinter dem Plan", "behind"),
    "missing": ("keine Meldung, obwohl fällig", "missing"),
    "not_due": ("noch nicht fällig", "neutral"),
    "cancelled": ("verworfen, ohne Bewertung", "neutral"),
}
KPI_OF_EFFECT = {effect: kpi for kpi, effect in PROGRESS_KPIS.items()}


def _date(value: Any) -> dt.date | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    return dt.date.fromisoformat(str(value)[:10])


def due_share(start: dt.date | None, end: dt.date | None, day: dt.date) -> float | None:
    """Share of a target due on ``day`` [-]: linear from ``start`` (0) to ``end`` (1).

    Without an end date: None (no schedule); without a start: 0 before the end, 1 from then.

    Examples
    --------
    >>> due_share(dt.date(2026, 1, 1), dt.date(2028, 1, 1), dt.date(2027, 1, 1))
    0.5
    """
    if end is None:
        return None
    if start is None or start >= end:
        return 1.0 if day >= end else 0.0
    share = (day - start).days / (end - start).days
    return min(max(share, 0.0), 1.0)


def grade(planned: float | None, actual: float | None) -> str:
    """The grade of ``actual`` against ``planned`` (both cumulative, higher is better)."""
    if planned is None or planned <= 0:
        return "ok" if actual else "not_due"
    if actual is None:
        return "missing"
    return "ok" if actual >= planned else "behind"


def _latest(entries: Sequence[dict[str, Any]], kpi: str) -> float | None:
    values = [e[kpi] for e in entries if e.get(kpi) is not None and not pd.isna(e.get(kpi))]
    return float(values[-1]) if values else None


def _row(
    measure: dict[str, Any], label: str, unit: str, figures: tuple[Any, Any, Any], code: str
) -> tuple[list[str], str]:
    digits = 1 if unit == "km" else 0
    target, planned, actual = figures
    return [
        str(measure["measure_id"]),
        str(measure["title"]),
        label,
        number(target, digits),
        number(planned, digits),
        DASH if actual is None else number(actual, digits),
        GRADES[code][0],
    ], GRADES[code][1]


def _measure_rows(
    measure: dict[str, Any], entries: Sequence[dict[str, Any]], day: dt.date
) -> list[tuple[list[str], str]]:
    share = due_share(_date(measure.get("start_date")), _date(measure.get("completion_date")), day)
    cancelled = measure.get("status") == "cancelled"
    rows = []
    for effect, unit, _ in EFFECTS:
        target = measure.get(effect)
        if target is None or pd.isna(target):
            continue
        planned = None if share is None else float(target) * share
        actual = _latest(entries, KPI_OF_EFFECT[effect])
        code = "cancelled" if cancelled else grade(planned, actual)
        rows.append(_row(measure, INDICATORS_DE[effect], unit, (target, planned, actual), code))
    if rows:
        return rows
    steps = measure.get("steps", [])
    due = [s for s in steps if (d := _date(s.get("due_date"))) is not None and d <= day]
    done = [s for s in due if (d := _date(s.get("done_date"))) is not None and d <= day]
    code = "cancelled" if cancelled else grade(float(len(due)), float(len(done)))
    label = "Umsetzungsschritte erledigt (von fälligen)"
    return [_row(measure, label, "", (len(steps), len(due), len(done)), code)]


def measure_progress_table(
    measures: Sequence[dict[str, Any]], entries: Sequence[dict[str, Any]], year: int
) -> Table:
    """Per measure and indicator: target, due by year end, reached (newest entry), grade."""
    day = dt.date(year, 12, 31)
    rows, classes = [], []
    for measure in measures:
        mine = sorted(
            (
                e
                for e in entries
                if e.get("measure_id") == measure["measure_id"]
                and (d := _date(e.get("entry_date"))) is not None
                and d <= day
            ),
            key=lambda e: (str(e.get("entry_date")), int(e.get("entry_id") or 0)),
        )
        for cells, css in _measure_rows(measure, mine, day):
            rows.append(cells)
            classes.append(css)
    columns = ["Nr.", "Maßnahme", "Indikator", "Ziel", f"Soll Ende {year}", "Ist", "Bewertung"]
    return Table(
        columns,
        rows,
        [False, False, False, True, True, True, False],
        caption=f"Fortschritt jeder Maßnahme gegenüber ihren eigenen Zielen am 31.12.{year}",
        row_classes=classes,
    )

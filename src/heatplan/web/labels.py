"""One vocabulary for the web: German and English labels of fields and codes, with units.

The map's pop-ups, the fact sheet and the workspace take every label from
:func:`vocabulary` (served as ``/api/labels``): fields from ``data/web_labels.csv`` (label,
stored unit, shown unit and the factor between them), codes from the tables that define them
(area types and likelihood grades of the classification, heat-density classes, measure types
and statuses, carriers, options, potential kinds) and from the same CSV for the rest. When the
project's shared code→label table arrives, only this module changes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from heatplan.measures.schema import STATUSES
from heatplan.reference import table
from heatplan.steps.comments import STATUSES as COMMENT_STATUSES
from heatplan.web.legend import POTENTIAL_KINDS
from heatplan.web.public_data import GRADE_DE, GRADE_EN, OPTIONS, TYPE_DE, TYPE_EN

__all__ = ["LABELS_TABLE", "vocabulary"]

LABELS_TABLE = "web_labels.csv"
#: measure status -> English label
STATUSES_EN = {
    "planned": "planned",
    "in_progress": "in progress",
    "completed": "completed",
    "delayed": "delayed",
    "cancelled": "cancelled",
}


def _fields(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in frame[frame["kind"] == "field"].itertuples(index=False):
        entry: dict[str, Any] = {"de": row.label_de, "en": row.label_en}
        if row.factor:  # a number: shown times ``factor`` in ``unit`` (none for counts)
            entry.update(
                unit=row.shown_unit, factor=float(str(row.factor)), decimals=int(str(row.decimals))
            )
        if row.unit == "date":
            entry["date"] = True
        out[str(row.key)] = entry
    return out


def _pairs(de: dict[str, str], en: dict[str, str]) -> dict[str, dict[str, str]]:
    return {key: {"de": label, "en": en.get(key, label)} for key, label in de.items()}


def _table_codes(name: str, key: str) -> dict[str, dict[str, str]]:
    frame = table(name, as_text=True)
    english = frame["label_en"] if "label_en" in frame.columns else frame["label_de"]
    return {
        str(code): {"de": str(de), "en": str(en)}
        for code, de, en in zip(frame[key], frame["label_de"], english, strict=True)
    }


def _codes(frame: pd.DataFrame) -> dict[str, dict[str, str]]:
    codes = {
        str(row.key): {"de": str(row.label_de), "en": str(row.label_en)}
        for row in frame[frame["kind"] == "code"].itertuples(index=False)
    }
    codes |= _table_codes("carriers.csv", "carrier")
    codes |= _table_codes("heat_density_classes.csv", "class")
    codes |= _table_codes("measure_types.csv", "measure_type")
    codes |= {k: {"de": de, "en": en} for k, (de, en, _) in POTENTIAL_KINDS.items()}
    codes |= {k: {"de": de, "en": en} for k, (_, de, en) in OPTIONS.items()}
    codes |= _pairs(STATUSES, STATUSES_EN)
    codes |= _pairs(TYPE_DE, TYPE_EN) | _pairs(GRADE_DE, GRADE_EN)
    return codes


@cache
def _vocabulary() -> dict[str, Any]:
    frame = table(LABELS_TABLE, as_text=True)
    return {
        "fields": _fields(frame),
        "codes": _codes(frame),
        "comment_statuses": dict(COMMENT_STATUSES),
        "measure_types": [str(c) for c in table("measure_types.csv", as_text=True)["measure_type"]],
        "measure_statuses": list(STATUSES),
    }


def vocabulary() -> dict[str, Any]:
    """``{"fields": {name: {de, en, unit?, factor?, decimals?, date?}}, "codes": {code: {de,
    en}}, "comment_statuses": {code: German}, "measure_types": [code], "measure_statuses":
    [code]}``; a field's shown value is the stored value times
    ``factor`` in ``unit``."""
    return _vocabulary()

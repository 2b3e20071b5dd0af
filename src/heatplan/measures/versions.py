"""Plan versions: what a frozen snapshot holds and what changed between two of them.

A snapshot is the rows of ``areas`` (with their classification), ``scenario_indicators`` and
``measures`` at the time of freezing, each tagged with ``version_label``. The diff serves the
three-yearly update of the plan (WPG § 25): areas that changed type or likelihood, indicator
deltas, measures added, dropped or changed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.measures.records import plain
from heatplan.measures.schema import BOOKKEEPING
from heatplan.plan import columns as col

LABEL_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
#: area columns the diff compares (their values are codes)
AREA_FIELDS = re.compile(r"^(area_type|likelihood|eignung_\w+)_\d{4}$")
INDICATOR_KEYS = ["variant", "year", "indicator", "key"]
#: two indicator values closer than this are equal (absolute, in the indicator's unit)
INDICATOR_ATOL = 1e-9


def check_label(label: str) -> str:
    """A version label: letters, digits, '-', '_', '.' (e.g. ``2025-adopted``)."""
    if not re.fullmatch(LABEL_PATTERN, label or ""):
        raise HeatplanError(
            f"version label {label!r}: use letters, digits, '-', '_' or '.' (max 64), "
            "e.g. 2025-adopted"
        )
    return label


def tagged(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """``frame`` with ``version_label`` as its first column."""
    out = frame.copy()
    if "version_label" in out.columns:
        out = out.drop(columns="version_label")
    out.insert(0, "version_label", label)
    return out


def _area_changes(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, Any]:
    if a.empty and b.empty:
        return {"added": [], "removed": [], "changed": []}
    left = a.set_index(a[col.AREA_ID].astype(str))
    right = b.set_index(b[col.AREA_ID].astype(str))
    fields = sorted(
        {c for c in left.columns if AREA_FIELDS.match(c)}
        | {c for c in right.columns if AREA_FIELDS.match(c)}
    )
    changed = []
    for area_id in sorted(set(left.index) & set(right.index)):
        for name in fields:
            before = plain(left.at[area_id, name]) if name in left.columns else None
            after = plain(right.at[area_id, name]) if name in right.columns else None
            if before != after:
                changed.append({"area_id": area_id, "field": name, "from": before, "to": after})
    return {
        "added": sorted(set(right.index) - set(left.index)),
        "removed": sorted(set(left.index) - set(right.index)),
        "changed": changed,
    }


def _indicator_deltas(a: pd.DataFrame, b: pd.DataFrame) -> list[dict[str, Any]]:
    if a.empty and b.empty:
        return []
    cols = [*INDICATOR_KEYS, "value", "unit"]
    left = a[cols] if not a.empty else pd.DataFrame(columns=cols)
    right = b[cols] if not b.empty else pd.DataFrame(columns=cols)
    merged = left.merge(right, on=INDICATOR_KEYS, how="outer", suffixes=("_a", "_b"))
    value_a = pd.to_numeric(merged["value_a"], errors="coerce").astype(float)
    value_b = pd.to_numeric(merged["value_b"], errors="coerce").astype(float)
    delta = value_b - value_a
    differs = ~np.isclose(value_a, value_b, rtol=0, atol=INDICATOR_ATOL, equal_nan=True)
    rows = []
    for i in np.flatnonzero(differs):
        row = merged.iloc[i]
        rows.append(
            {
                **{k: plain(row[k]) for k in INDICATOR_KEYS},
                "unit": plain(row["unit_b"]) or plain(row["unit_a"]),
                "a": plain(value_a.iloc[i]),
                "b": plain(value_b.iloc[i]),
                "delta": plain(delta.iloc[i]),
            }
        )
    return rows


def _measure_changes(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, Any]:
    def rows(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
        if frame.empty:
            return {}
        records = frame.drop(columns=["version_label", *BOOKKEEPING], errors="ignore")
        return {
            str(r["measure_id"]): {str(k): plain(v) for k, v in r.items()}
            for r in records.to_dict(orient="records")
        }

    left, right = rows(a), rows(b)
    changed = []
    for ident in sorted(set(left) & set(right)):
        fields = sorted(
            k
            for k in left[ident].keys() | right[ident].keys()
            if left[ident].get(k) != right[ident].get(k)
        )
        if fields:
            changed.append(
                {
                    "measure_id": ident,
                    "title": right[ident].get("title"),
                    "fields": {
                        k: {"from": left[ident].get(k), "to": right[ident].get(k)} for k in fields
                    },
                }
            )
    return {
        "added": [
            {"measure_id": k, "title": right[k].get("title")}
            for k in sorted(set(right) - set(left))
        ],
        "dropped": [
            {"measure_id": k, "title": left[k].get("title")} for k in sorted(set(left) - set(right))
        ],
        "changed": changed,
    }


def diff_snapshots(
    a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], *, labels: tuple[str, str]
) -> dict[str, Any]:
    """What changed from snapshot ``a`` to ``b`` (each: ``areas``, ``indicators``, ``measures``)."""
    areas = _area_changes(a["areas"], b["areas"])
    indicators = _indicator_deltas(a["indicators"], b["indicators"])
    measures = _measure_changes(a["measures"], b["measures"])
    return {
        "a": labels[0],
        "b": labels[1],
        "areas": areas,
        "indicators": indicators,
        "measures": measures,
        "summary": {
            "areas_changed": len({c["area_id"] for c in areas["changed"]}),
            "areas_added": len(areas["added"]),
            "areas_removed": len(areas["removed"]),
            "indicators_changed": len(indicators),
            "measures_added": len(measures["added"]),
            "measures_dropped": len(measures["dropped"]),
            "measures_changed": len(measures["changed"]),
        },
    }

"""``WP_Massnahme``: the measures of the implementation strategy (WPG Anlage 2 VI, § 20).

From the store table ``measures`` (INTERFACES.md, helper M): only rows with ``public`` true.
``measure_type`` gives the category (``WP_KategorieMassnahme``, data/xwp_codes.csv); the
free-text ``cost_bearer`` and ``financing`` give up to two ``WP_Kostentraeger`` and
``WP_Finanzierungsmechanismus`` codes by keyword. XWärmeplan requires the completion date and
the cost: a measure without either is left out and named in the notes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from heatplan.measures.schema import STATUSES
from heatplan.outputs.xwp.common import Context, code, keyword_codes, number
from heatplan.outputs.xwp.gml import Feature, Measure, Ref, Value
from heatplan.publish import flags

__all__ = ["measure_features"]

MAX_CODES = 2  # kostentragenderSektor and finanzierung: multiplicity 0..2


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _reason(row: Any) -> str:
    parts = [_text(getattr(row, "description", ""))]
    for label, column in (("Verantwortlich", "responsible"), ("Partner", "partners"),
                          ("Kostenträger", "cost_bearer"), ("Finanzierung", "financing"),
                          ("Gebiete", "area_ids"), ("Status", "status")):  # fmt: skip
        value = _text(getattr(row, column, ""))
        if column == "status":
            value = STATUSES.get(value, value)
        elif column == "area_ids":
            value = ", ".join(a.strip() for a in value.split(";") if a.strip())
        if value:
            parts.append(f"{label}: {value}")
    return "\n".join(p for p in parts if p)


def _feature(row: Any, ctx: Context) -> Feature | None:
    measure_id = _text(getattr(row, "measure_id", "")) or "?"
    finish = _date(getattr(row, "completion_date", None))
    cost = number(getattr(row, "cost_eur", None))
    if finish is None or cost is None:
        missing = " and ".join(
            n for n, v in (("completion_date", finish), ("cost_eur", cost)) if v is None
        )
        ctx.notes.append(f"WP_Massnahme {measure_id}: left out, {missing} missing")
        return None
    props: dict[str, Value] = {
        "kategorie": code("measure_type", getattr(row, "measure_type", None)) or "9999",
        "bezeichnung": _text(getattr(row, "title", "")) or measure_id,
        "abschlussUmsetzung": finish,
        "kosten": round(cost),
    }
    bearers = keyword_codes("cost_bearer", getattr(row, "cost_bearer", None), MAX_CODES)
    if bearers:
        props["kostentragenderSektor"] = list(bearers)
    saving = number(getattr(row, "effect_mwh_per_a", None))
    if saving is not None:
        props["endenergieEinsparung"] = Measure(saving, "MWh/a")
    co2 = number(getattr(row, "effect_co2_t_per_a", None))
    if co2 is not None:
        props["treibausgaseEinsparung"] = Measure(co2, "tCO2e/a")
    financing = keyword_codes("financing", getattr(row, "financing", None), MAX_CODES)
    if financing:
        props["finanzierung"] = list(financing)
    reason = _reason(row)
    if reason:
        props["begruendung"] = reason
    props["gehoertZuPlan"] = Ref(ctx.plan_uid)
    return Feature("WP_Massnahme", ctx.uid("measure", measure_id), props)


def measure_features(measures: pd.DataFrame | None, ctx: Context) -> list[Feature]:
    """One ``WP_Massnahme`` per public measure (see module doc); a note when there is no table."""
    if measures is None:
        ctx.notes.append("WP_Massnahme: no measures table in the project (heatplan measures)")
        return []
    public = measures
    if "public" in measures.columns:
        public = measures[flags(measures["public"])]
    order = public.sort_values("measure_id") if "measure_id" in public.columns else public
    features = [_feature(row, ctx) for row in order.itertuples(index=False)]
    return [f for f in features if f is not None]

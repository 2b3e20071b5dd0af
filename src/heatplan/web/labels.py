"""The web's labels, from the project's one vocabulary (``data/labels.csv``, :mod:`heatplan.i18n`).

The map's pop-ups, the fact sheet and the workspace take every label from :func:`vocabulary`
(served as ``/api/labels``). A field's label is :func:`heatplan.i18n.field_label`, the label of
the XLSX and GeoPackage header of the same field without its unit; a code's label is
:func:`heatplan.i18n.label` in the first of :data:`CODE_DOMAINS` that has the code. How a
field's number is shown (unit, factor from the stored unit, decimals, or a date) is in
``data/web_display.csv``, a table with no labels.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from heatplan.i18n import LANGUAGES, field_label, gettext_for, label, labels_table
from heatplan.measures.schema import STATUSES
from heatplan.reference import table
from heatplan.steps.comments import STATUSES as COMMENT_STATUSES

__all__ = [
    "CODE_DOMAINS",
    "DISPLAY_TABLE",
    "YEAR",
    "Texts",
    "Value",
    "code_domain",
    "tr",
    "vocabulary",
]

DISPLAY_TABLE = "web_display.csv"
#: The placeholder of a field generated per year (``area_type_{year}`` for ``area_type_2030``).
YEAR = "_{year}"
#: The vocabulary domains whose codes the map and fact sheet show; a code in two of them takes
#: the label of the first (``gas`` is the fact sheet's reference boiler, not the carrier).
CODE_DOMAINS = (
    "area_type",
    "grade",
    "measure_status",
    "measure_type",
    "supply_option",
    "decentral_option",
    "potential_kind",
    "heat_density_class",
    "carrier",
    "pipe_status",
    "use",
    "age_class",
    "boolean",
    "word",
)


#: A text in every language: ``{"de": ..., "en": ...}``.
Texts = dict[str, str]
#: A value to fill in: the same text in every language, or one per language.
Value = str | Texts


def tr(message: str, **values: Value) -> Texts:
    """``message`` (German, marked for the gettext catalogue) in every language, with
    ``values`` filled in (``{name}`` placeholders).

    >>> tr("Jahr")
    {'de': 'Jahr', 'en': 'Year'}
    """
    return {
        lang: gettext_for(lang, message).format(
            **{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()}
        )
        for lang in LANGUAGES
    }


def _field_name(key: str) -> str:
    """The vocabulary name of a web field: ``area_type_{year}`` is labelled as ``area_type``."""
    return key.removesuffix(YEAR)


def _field(row: pd.Series) -> dict[str, Any]:
    key = str(row["field"])
    entry: dict[str, Any] = {lang: field_label(_field_name(key), lang) for lang in LANGUAGES}
    if row["kind"] == "number":  # shown times ``factor`` in ``unit`` (none for counts)
        entry.update(
            unit=str(row["unit"]), factor=float(str(row["factor"])), decimals=int(row["decimals"])
        )
    elif row["kind"] == "date":
        entry["date"] = True
    return entry


def _fields() -> dict[str, dict[str, Any]]:
    frame = table(DISPLAY_TABLE, as_text=True)
    return {str(row["field"]): _field(row) for _, row in frame.iterrows()}


def code_domain(code: str) -> str:
    """The domain whose label the web shows for ``code`` (the first of :data:`CODE_DOMAINS`)."""
    frame = labels_table()
    domains = set(frame.loc[frame["code"] == code, "domain"])
    for domain in CODE_DOMAINS:
        if domain in domains:
            return domain
    raise KeyError(f"no web label for the code {code!r}")


def _codes() -> dict[str, dict[str, str]]:
    frame = labels_table()
    shown = frame[frame["domain"].isin(CODE_DOMAINS)]
    rank = shown["domain"].map(CODE_DOMAINS.index)
    first = shown.assign(rank=rank).sort_values("rank", kind="stable").drop_duplicates("code")
    return {
        str(code): {lang: label(str(domain), str(code), lang) for lang in LANGUAGES}
        for domain, code in zip(first["domain"], first["code"], strict=True)
    }


@cache
def _vocabulary() -> dict[str, Any]:
    return {
        "fields": _fields(),
        "codes": _codes(),
        "comment_statuses": dict(COMMENT_STATUSES),
        "measure_types": [str(c) for c in table("measure_types.csv", as_text=True)["measure_type"]],
        "measure_statuses": list(STATUSES),
    }


def vocabulary() -> dict[str, Any]:
    """``{"fields": {name: {de, en, unit?, factor?, decimals?, date?}}, "codes": {code: {de,
    en}}, "comment_statuses": {code: German}, "measure_types": [code], "measure_statuses":
    [code]}``; a field's shown value is the stored value times ``factor`` in ``unit``."""
    return _vocabulary()

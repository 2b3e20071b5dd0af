"""The measures catalogue described once: tables, fields, types, units, German headers.

Validation (:mod:`heatplan.measures.model`), the store tables (:mod:`heatplan.measures.records`)
and the XLSX catalogue (:mod:`heatplan.measures.catalogue`) all take their columns from here
(the schema as data, as PyPSA describes its components).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from heatplan.i18n import labels_of
from heatplan.reference import table

MEASURES = "measures"
STEPS = "measure_steps"
PROGRESS = "measure_progress"
VERSIONS = "plan_versions"
VERSION_AREAS = "version_areas"
VERSION_INDICATORS = "version_indicators"
VERSION_MEASURES = "version_measures"

#: status code -> German label (WPG § 20 asks for the state of each measure in the report)
STATUSES = labels_of(
    "measure_status", ("planned", "in_progress", "completed", "delayed", "cancelled")
)


@dataclass(frozen=True)
class Field:
    """One column: ``dtype`` is str, int, float, date, bool, list (";"-separated) or utc."""

    name: str
    dtype: str
    header_de: str
    description: str = ""
    unit: str = ""

    @property
    def header(self) -> str:
        """The German column header of the XLSX catalogue (with the unit)."""
        return f"{self.header_de} [{self.unit}]" if self.unit else self.header_de


MEASURE_FIELDS = (
    Field("measure_id", "str", "Nr.", "Measure number, e.g. M01 (letters, digits, - _ .)"),
    Field("title", "str", "Titel", "Short title"),
    Field("description", "str", "Beschreibung", "What is done and why"),
    Field("measure_type", "str", "Maßnahmentyp", "Code from data/measure_types.csv"),
    Field("responsible", "str", "Verantwortlich", "Responsible body"),
    Field("partners", "str", "Beteiligte", "Partners"),
    Field("start_date", "date", "Beginn", "Start date"),
    Field("completion_date", "date", "Abschluss", "Planned completion date"),
    Field(
        "cost_eur", "float", "Kosten", "Estimated cost (overnight, price year of the plan)", "EUR"
    ),
    Field("cost_bearer", "str", "Kostenträger", "Who pays"),
    Field("financing", "str", "Finanzierung", "Financing and funding programmes"),
    Field("effect_mwh_per_a", "float", "Wirkung Energie", "Expected energy effect", "MWh/a"),
    Field("effect_co2_t_per_a", "float", "Wirkung THG", "Expected GHG reduction", "t CO2e/a"),
    Field(
        "effect_buildings_connected", "int", "Wirkung Anschlüsse", "Expected connections", "Geb."
    ),
    Field("effect_network_km", "float", "Wirkung Netzlänge", "Expected network built", "km"),
    Field("area_ids", "list", "Gebiete", "Linked supply areas (area_id, ';'-separated)"),
    Field("status", "str", "Status", "planned, in_progress, completed, delayed or cancelled"),
    Field("public", "bool", "Öffentlich", "Shown in public outputs (map, report)"),
    Field("revision", "int", "Revision", "Edit counter for optimistic locking (starts at 1)"),
    Field("updated_utc", "utc", "Geändert (UTC)", "Time of the last change"),
    Field("updated_by", "str", "Geändert von", "Author of the last change"),
)
STEP_FIELDS = (
    Field("measure_id", "str", "Nr.", "Measure number"),
    Field("step_no", "int", "Schritt", "Step number within the measure (1, 2, ...)"),
    Field("title", "str", "Umsetzungsschritt", "What the step is"),
    Field("due_date", "date", "Termin", "Date the step is due"),
    Field("done_date", "date", "Erledigt am", "Date the step was done"),
)
PROGRESS_FIELDS = (
    Field("entry_id", "int", "Eintrag", "Running number of the entry (never reused)"),
    Field("measure_id", "str", "Nr.", "Measure number"),
    Field("entry_date", "date", "Stichtag", "Date the entry reports on"),
    Field("author", "str", "Autor", "Who reported"),
    Field("status", "str", "Status", "Status at the date (empty: unchanged)"),
    Field("network_km", "float", "Netz gebaut", "Network built so far", "km"),
    Field("buildings_connected", "int", "Anschlüsse", "Buildings connected so far", "Geb."),
    Field("heat_mwh_per_a", "float", "Wärme", "Heat delivered or saved", "MWh/a"),
    Field("co2_t_per_a", "float", "THG-Minderung", "GHG reduction reached", "t CO2e/a"),
    Field("comment", "str", "Kommentar", "Free text"),
    Field("recorded_utc", "utc", "Erfasst (UTC)", "Time the entry was recorded"),
)
FIELDS = {MEASURES: MEASURE_FIELDS, STEPS: STEP_FIELDS, PROGRESS: PROGRESS_FIELDS}
#: KPI columns of a progress entry and the expected-effect field of a measure they match
PROGRESS_KPIS = {
    "network_km": "effect_network_km",
    "buildings_connected": "effect_buildings_connected",
    "heat_mwh_per_a": "effect_mwh_per_a",
    "co2_t_per_a": "effect_co2_t_per_a",
}
#: fields a user edits (the rest are kept by heatplan)
BOOKKEEPING = ("revision", "updated_utc", "updated_by")
#: Longest text of a title and of any other text field [characters] (heatplan choice: a title
#: fits one line of the report's measure table, a text about two printed pages; the public map
#: serves every measure to every visitor, so one oversized field costs every page view).
TITLE_MAX_CHARS = 200
TEXT_MAX_CHARS = 5000
#: Text fields held to :data:`TITLE_MAX_CHARS`.
TITLE_FIELDS = frozenset({"title"})


def max_chars(field_name: str) -> int:
    """The longest text allowed in field ``field_name`` [characters]."""
    return TITLE_MAX_CHARS if field_name in TITLE_FIELDS else TEXT_MAX_CHARS


def columns(name: str) -> list[str]:
    """Column names of store table ``name`` in their fixed order."""
    return [field.name for field in FIELDS[name]]


@cache
def _types() -> pd.DataFrame:
    return table("measure_types.csv", as_text=True).set_index("measure_type")


def measure_types() -> pd.DataFrame:
    """Measure type codes with German and English labels, indexed by ``measure_type``."""
    return _types().copy()


def type_code(value: str) -> str:
    """The code of a measure type given as code or German label (case-insensitive)."""
    text = value.strip()
    types = _types()
    if text in types.index:
        return text
    by_label = {str(label).casefold(): str(code) for code, label in types["label_de"].items()}
    return by_label.get(text.casefold(), text)


def status_code(value: str) -> str:
    """The code of a status given as code or German label (case-insensitive)."""
    text = value.strip()
    by_label = {label.casefold(): code for code, label in STATUSES.items()}
    return by_label.get(text.casefold(), text)

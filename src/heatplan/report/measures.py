"""Section 5 (Umsetzungsstrategie und Maßnahmen) and the yearly implementation report.

Inputs are what :mod:`heatplan.steps.measures` returns (measures as dicts with their steps,
progress entries, the KPI report of a year): the public edition gets only measures marked
public and no staff names (``list_measures(public=True)``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from heatplan.measures.schema import STATUSES, measure_types
from heatplan.report import charts
from heatplan.report.fmt import DASH, Table, number
from heatplan.report.monitoring import GRADES, grade, measure_progress_table
from heatplan.report.scenario import indicator_value, value_text
from heatplan.report.steckbriefe import measure_sheets

__all__ = [
    "GRADE_COLOURS",
    "implementation_section",
    "kpi_grade",
    "measures_section",
    "status_at",
    "then_vs_now",
]

NO_MEASURES = "Noch keine Maßnahmen erfasst."
#: Colours of the grades in charts (the CSS of the tables uses the same).
GRADE_COLOURS = {"ok": "#27ae60", "behind": "#c0392b", "missing": "#e67e22", "not_due": "#aab7b8"}
#: (indicator, key, label) compared between the frozen plan and today's scenario.
HEADLINE = (
    ("final_energy", "total", "Endenergieverbrauch Wärme [MWh/a]"),
    ("ghg_emissions", "total", "Treibhausgasemissionen [t CO2e/a]"),
    ("heat_network_buildings", "buildings", "Gebäude am Wärmenetz"),
    ("grid_bound_heat_share", "grid_bound_heat", "Anteil leitungsgebundener Wärme [%]"),
)


def _type_label(code: Any) -> str:
    labels = measure_types()["label_de"].to_dict()
    return str(labels.get(str(code), code or DASH))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return DASH
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}.{value[5:7]}.{value[0:4]}"  # ISO date -> German
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or DASH
    return str(value)


def _measures_table(measures: Sequence[dict[str, Any]], *, internal: bool) -> Table:
    columns = [
        "Nr.",
        "Titel",
        "Typ",
        "Beginn",
        "Abschluss",
        "Kosten [EUR]",
        "THG-Minderung [t CO2e/a]",
        "Gebiete",
        "Status",
    ]
    if internal:
        columns.insert(3, "Verantwortlich")
    rows = []
    for m in measures:
        row = [
            str(m["measure_id"]),
            str(m["title"]),
            _type_label(m.get("measure_type")),
            _text(m.get("start_date")),
            _text(m.get("completion_date")),
            number(m.get("cost_eur")),
            number(m.get("effect_co2_t_per_a")),
            _text(m.get("area_ids")),
            STATUSES.get(str(m.get("status")), DASH),
        ]
        if internal:
            row.insert(3, _text(m.get("responsible")))
        rows.append(row)
    numeric = [c in ("Kosten [EUR]", "THG-Minderung [t CO2e/a]") for c in columns]
    return Table(columns, rows, numeric, caption="Maßnahmen der Umsetzungsstrategie (§ 20 WPG)")


def _status_chart(statuses: Sequence[str], title: str) -> str:
    return charts.status_bars(dict(Counter(statuses)), STATUSES, title=title)


def measures_section(measures: Sequence[dict[str, Any]], *, internal: bool) -> dict[str, Any]:
    """Section 5 of the plan report (no measures: the notice)."""
    if not measures:
        return {"empty": True, "notice": NO_MEASURES}
    return {
        "empty": False,
        "table": _measures_table(measures, internal=internal),
        "chart": _status_chart([str(m.get("status")) for m in measures], "Stand der Maßnahmen"),
        "count": len(measures),
        "sheets": measure_sheets(measures),
    }


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(str(value)[:10])


def status_at(
    measure: dict[str, Any], entries: Sequence[dict[str, Any]], year: int, *, today: dt.date
) -> tuple[str, dict[str, Any] | None]:
    """Status of ``measure`` at the end of ``year`` and the newest entry up to then.

    The status is that of the newest progress entry up to 31 December of ``year`` that states
    one; without such an entry it is the measure's stored status for the current year and
    later, and "planned" for earlier years.
    """
    end = dt.date(year, 12, 31)
    mine = [
        e
        for e in entries
        if e.get("measure_id") == measure["measure_id"]
        and (d := _date(e.get("entry_date"))) is not None
        and d <= end
    ]
    mine.sort(key=lambda e: (str(e.get("entry_date")), int(e.get("entry_id") or 0)))
    stated = [e for e in mine if e.get("status")]
    if stated:
        status = str(stated[-1]["status"])
    else:
        status = str(measure.get("status") or "planned") if year >= today.year else "planned"
    return status, (mine[-1] if mine else None)


def _progress_table(
    rows: list[tuple[dict[str, Any], str, dict[str, Any] | None]], year: int
) -> Table:
    cells = []
    for measure, status, entry in rows:
        e = entry or {}
        cells.append(
            [
                str(measure["measure_id"]),
                str(measure["title"]),
                STATUSES.get(status, status),
                _text(e.get("entry_date")),
                number(e.get("network_km"), 2),
                number(e.get("buildings_connected")),
                number(e.get("co2_t_per_a")),
                _text(e.get("comment")),
            ]
        )
    columns = [
        "Nr.",
        "Titel",
        f"Status Ende {year}",
        "Letzte Meldung",
        "Netz [km]",
        "Anschlüsse",
        "THG-Minderung [t CO2e/a]",
        "Kommentar",
    ]
    numeric = [False, False, False, False, True, True, True, False]
    return Table(columns, cells, numeric, caption=f"Stand jeder Maßnahme am 31.12.{year}")


KPI_COLUMNS = (
    ("computed", "Ist (Bilanz)"),
    ("reported", "Ist (Meldungen)"),
    ("planned_by_measures", "Soll (Maßnahmen)"),
    ("pathway", "Zielpfad"),
)
#: KPI -> (actual column, plan column, higher is better): what the grade compares.
KPI_GRADING = {
    "network_km": ("reported", "planned_by_measures", True),
    "buildings_connected": ("reported", "planned_by_measures", True),
    "heat_mwh_per_a": ("reported", "planned_by_measures", True),
    "co2_t_per_a": ("reported", "planned_by_measures", True),
    "ghg_t_per_a": ("computed", "pathway", False),
}


def kpi_grade(kpi: str, row: dict[str, Any]) -> str:
    """Grade of one town-level KPI (a code of :data:`GRADES`): its actual against its plan."""
    actual_key, plan_key, higher = KPI_GRADING.get(kpi, ("reported", "planned_by_measures", True))
    actual, planned = row.get(actual_key), row.get(plan_key)
    if higher:
        return grade(planned, actual)
    if planned is None or actual is None:
        return "missing" if planned is not None else "not_due"
    return "ok" if actual <= planned else "behind"


def _kpi_table(kpis: dict[str, Any]) -> Table:
    rows, classes = [], []
    for kpi, row in kpis.get("kpis", {}).items():
        digits = 1 if row.get("unit") == "km" else 0
        code = kpi_grade(kpi, row)
        rows.append(
            [
                str(row["label_de"]),
                str(row["unit"]),
                *[number(row.get(key), digits) for key, _ in KPI_COLUMNS],
                GRADES[code][0],
            ]
        )
        classes.append(GRADES[code][1])
    columns = ["Kennzahl", "Einheit", *[label for _, label in KPI_COLUMNS], "Bewertung"]
    return Table(
        columns,
        rows,
        [False, False, True, True, True, True, False],
        caption=f"Kennzahlen der Gemeinde gegenüber Plan und Zielpfad ({kpis.get('year')})",
        row_classes=classes,
    )


def _kpi_chart(kpis: dict[str, Any]) -> str | None:
    bars = []
    for kpi, row in kpis.get("kpis", {}).items():
        actual_key, plan_key, _ = KPI_GRADING.get(kpi, ("reported", "planned_by_measures", True))
        actual, planned = row.get(actual_key), row.get(plan_key)
        if planned is not None and actual is not None and (planned or actual):
            code = kpi_grade(kpi, row)
            bars.append(
                (str(row["label_de"]), float(planned), float(actual), str(row["unit"]), code)
            )
    if not bars:
        return None
    return charts.plan_vs_actual(bars[:4], title="Plan und Ist", colours=GRADE_COLOURS)


def then_vs_now(plan: pd.DataFrame | None, now: pd.DataFrame | None, *, label: str) -> Table | None:
    """Headline indicators of the frozen plan ``label`` next to today's scenario, per year."""
    if plan is None or now is None or plan.empty or now.empty:
        return None
    variant = "base" if "base" in set(plan["variant"]) else str(plan["variant"].iloc[0])
    years = sorted(plan["year"].astype(int).unique().tolist())
    rows = []
    for indicator, key, text in HEADLINE:
        unit = "-" if indicator == "grid_bound_heat_share" else ""
        for year in years:
            args = {"variant": variant, "indicator": indicator, "key": key, "year": year}
            a, b = indicator_value(plan, **args), indicator_value(now, **args)
            delta = None if a is None or b is None else b - a
            rows.append(
                [
                    text,
                    str(year),
                    *[DASH if v is None else value_text(v, unit) for v in (a, b, delta)],
                ]
            )
    return Table(
        ["Indikator", "Jahr", f"Plan ({label})", "heute", "Differenz"],
        rows,
        [False, False, True, True, True],
        caption=f"Indikatoren: beschlossener Plan ({label}) und heutiger Stand",
    )


def implementation_section(
    year: int,
    measures: Sequence[dict[str, Any]],
    entries: Sequence[dict[str, Any]],
    kpis: dict[str, Any] | None,
    *,
    today: dt.date,
) -> dict[str, Any]:
    """The yearly report's body: each measure's status and progress against its own targets
    at the end of ``year``, the town's KPIs against plan and pathway, charts, the legend."""
    rows = [(m, *status_at(m, entries, year, today=today)) for m in measures]
    section: dict[str, Any] = {
        "year": year,
        "count": len(measures),
        "empty": not measures,
        "notice": NO_MEASURES,
        "legend": [(text, css) for text, css in GRADES.values()],
    }
    if measures:
        section["table"] = _progress_table(rows, year)
        section["targets"] = measure_progress_table(measures, entries, year)
        section["chart"] = _status_chart(
            [s for _, s, _ in rows], f"Stand der Maßnahmen Ende {year}"
        )
        reports = sum(1 for e in entries if (d := _date(e.get("entry_date"))) and d.year == year)
        section["entries_in_year"] = reports
    if kpis:
        section["kpi_table"] = _kpi_table(kpis)
        section["kpi_chart"] = _kpi_chart(kpis)
    return section

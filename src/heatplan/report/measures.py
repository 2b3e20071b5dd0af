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
from heatplan.report.scenario import indicator_value, value_text

__all__ = ["implementation_section", "measures_section", "status_at", "then_vs_now"]

NO_MEASURES = "Noch keine Maßnahmen erfasst."
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


def _steps_table(measures: Sequence[dict[str, Any]]) -> Table:
    rows = [
        [
            str(m["measure_id"]),
            str(s.get("step_no")),
            str(s.get("title")),
            _text(s.get("due_date")),
            _text(s.get("done_date")),
        ]
        for m in measures
        for s in m.get("steps", [])
    ]
    return Table(
        ["Nr.", "Schritt", "Umsetzungsschritt", "Termin", "Erledigt am"],
        rows,
        [False, True, False, False, False],
        caption="Umsetzungsschritte",
    )


def _status_chart(statuses: Sequence[str], title: str) -> str:
    return charts.status_bars(dict(Counter(statuses)), STATUSES, title=title)


def measures_section(measures: Sequence[dict[str, Any]], *, internal: bool) -> dict[str, Any]:
    """Section 5 of the plan report (no measures: the notice)."""
    if not measures:
        return {"empty": True, "notice": NO_MEASURES}
    return {
        "empty": False,
        "table": _measures_table(measures, internal=internal),
        "steps": _steps_table(measures),
        "chart": _status_chart([str(m.get("status")) for m in measures], "Stand der Maßnahmen"),
        "count": len(measures),
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
        "THG-Minderung [t/a]",
        "Kommentar",
    ]
    numeric = [False, False, False, False, True, True, True, False]
    return Table(columns, cells, numeric, caption=f"Stand jeder Maßnahme am 31.12.{year}")


KPI_COLUMNS = (
    ("computed", "Ist (Daten)"),
    ("reported", "gemeldet"),
    ("planned_by_measures", "geplant (Maßnahmen)"),
    ("pathway", "Zielpfad"),
)


def _kpi_table(kpis: dict[str, Any]) -> Table:
    rows = []
    for row in kpis.get("kpis", {}).values():
        digits = 2 if row.get("unit") == "km" else 0
        rows.append(
            [
                str(row["label_de"]),
                str(row["unit"]),
                *[number(row.get(key), digits) for key, _ in KPI_COLUMNS],
            ]
        )
    columns = ["Kennzahl", "Einheit", *[label for _, label in KPI_COLUMNS]]
    return Table(
        columns,
        rows,
        [False, False, True, True, True, True],
        caption=f"Fortschritt gegenüber dem Zielpfad ({kpis.get('year')})",
    )


def _kpi_chart(kpis: dict[str, Any]) -> str | None:
    pairs = []
    for row in kpis.get("kpis", {}).values():
        actual = row.get("computed") if row.get("computed") is not None else row.get("reported")
        if row.get("pathway") is not None and actual is not None and (row["pathway"] or actual):
            pairs.append(
                (str(row["label_de"]), float(row["pathway"]), float(actual), str(row["unit"]))
            )
    if not pairs:
        return None
    return charts.plan_vs_actual(pairs[:4], title="Plan (Zielpfad) und Ist")


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
    """The yearly report's body: every measure's status at year end, KPIs, charts."""
    rows = [(m, *status_at(m, entries, year, today=today)) for m in measures]
    section: dict[str, Any] = {
        "year": year,
        "count": len(measures),
        "empty": not measures,
        "notice": NO_MEASURES,
    }
    if measures:
        section["table"] = _progress_table(rows, year)
        section["chart"] = _status_chart(
            [s for _, s, _ in rows], f"Stand der Maßnahmen Ende {year}"
        )
        reports = sum(1 for e in entries if (d := _date(e.get("entry_date"))) and d.year == year)
        section["entries_in_year"] = reports
    if kpis:
        section["kpi_table"] = _kpi_table(kpis)
        section["kpi_chart"] = _kpi_chart(kpis)
        section["kpi_notes"] = list(kpis.get("notes", []))
    return section

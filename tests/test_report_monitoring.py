"""The yearly report's grading and the report's German vocabulary, on hand-made values."""

from __future__ import annotations

import datetime as dt

import pytest

from heatplan.report.fmt import label_de
from heatplan.report.measures import kpi_grade
from heatplan.report.monitoring import due_share, grade, measure_progress_table
from heatplan.report.sources import cited_sources

START, END = dt.date(2026, 1, 1), dt.date(2030, 12, 31)


def test_due_share_is_linear_between_start_and_completion() -> None:
    day = dt.date(2027, 12, 31)
    assert due_share(START, END, day) == pytest.approx((day - START).days / (END - START).days)
    assert due_share(START, END, dt.date(2025, 6, 1)) == 0.0  # before the start
    assert due_share(START, END, dt.date(2031, 6, 1)) == 1.0  # after completion
    assert due_share(None, END, dt.date(2030, 12, 31)) == 1.0  # no start: all due at the end
    assert due_share(START, None, END) is None  # no completion date: no schedule


def test_grades_say_when_a_measure_falls_behind() -> None:
    assert grade(78.0, 45.0) == "behind"
    assert grade(78.0, 78.0) == "ok"
    assert grade(78.0, None) == "missing"
    assert grade(0.0, None) == "not_due"


def test_emissions_above_the_pathway_are_graded_behind() -> None:
    """Less is better for the town's GHG emissions: above the path is never 'ok' (green)."""
    row = {"computed": 8469.0, "pathway": 8217.0}
    assert kpi_grade("ghg_t_per_a", row) == "behind"
    assert kpi_grade("ghg_t_per_a", {"computed": 8000.0, "pathway": 8217.0}) == "ok"
    assert kpi_grade("buildings_connected", {"reported": 40, "planned_by_measures": 130}) == (
        "behind"
    )


def test_progress_table_uses_the_newest_entry_up_to_year_end() -> None:
    measure = {
        "measure_id": "M1",
        "title": "Zuschuss",
        "start_date": START.isoformat(),
        "completion_date": END.isoformat(),
        "effect_co2_t_per_a": 500.0,
        "status": "in_progress",
    }
    entries = [
        {"measure_id": "M1", "entry_date": "2026-06-30", "entry_id": 1, "co2_t_per_a": 40.0},
        {"measure_id": "M1", "entry_date": "2026-11-30", "entry_id": 2, "co2_t_per_a": 150.0},
        {"measure_id": "M1", "entry_date": "2027-02-01", "entry_id": 3, "co2_t_per_a": 900.0},
    ]
    table = measure_progress_table([measure], entries, 2026)
    due = 500.0 * (dt.date(2026, 12, 31) - START).days / (END - START).days  # 99.9 t/a
    assert table.rows[0][4:] == [f"{due:.0f}", "150", "im Plan"]
    assert table.row_classes == ["ok"]
    table = measure_progress_table([measure], entries[:1], 2026)
    assert table.rows[0][5:] == ["40", "hinter dem Plan"] and table.row_classes == ["behind"]


def test_labels_are_german_and_citations_resolve() -> None:
    assert label_de("potential_kind", "air_heat_pump") == "Luft-Wärmepumpen an Gebäuden"
    assert label_de("variant", "base") == "Basisvariante"
    assert label_de("potential_kind", "new_kind") == "new_kind"  # unknown: shown as it is
    assert [s["key"] for s in cited_sources(["GEG2024", "WPG2024", "GEG2024"])] == [
        "GEG2024",
        "WPG2024",
    ]
    with pytest.raises(KeyError, match="NoSuchKey"):
        cited_sources(["NoSuchKey"])

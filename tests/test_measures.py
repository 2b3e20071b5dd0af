"""Measures catalogue (WPG § 20): validation, optimistic locking, append-only progress, XLSX, CLI.

The concurrency tests run against the GeoPackage store and, where PostgreSQL binaries exist,
the PostgreSQL store (``pg_project_url`` from tests/pg.py): two writers with the same expected
revision, exactly one wins, the other gets ConflictError, and the progress history stays intact.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import ConflictError, HeatplanError
from heatplan.measures.model import InvalidMeasure
from heatplan.project.create import create_project
from heatplan.steps import measures as sm

AUTHOR = "Bauamt"
NETWORK = {
    "title": "Wärmenetz Ortskern",
    "measure_type": "network_buildout",
    "responsible": "Gemeindewerke",
    "start_date": "2027-01-01",
    "completion_date": "2030-12-31",
    "cost_eur": 9_000_000.0,
    "effect_network_km": 8.5,
    "effect_buildings_connected": 130,
    "area_ids": "A01;A02",
    "steps": [
        {"title": "Planung", "due_date": "2027-06-30"},
        {"title": "Bau", "due_date": "2030-06-30"},
    ],
}


def _project(path: Path, store: str | None = None) -> Path:
    settings = {"store": store} if store else {}
    create_project(path, name="Musterstadt", key="08317122", **settings)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path / "p")


@pytest.fixture(params=["gpkg", "postgresql"])
def any_project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A fresh project on the GeoPackage store and on the PostgreSQL store."""
    if request.param == "gpkg":
        return _project(tmp_path / "p")
    return _project(tmp_path / "p", store=request.getfixturevalue("pg_project_url"))


# --- add, update, conflicts --------------------------------------------------------------------
def test_add_numbers_measures_and_starts_at_revision_one(project: Path) -> None:
    first = sm.add_measure(project, NETWORK, author=AUTHOR)
    second = sm.add_measure(project, {"title": "Infoabend"}, author=AUTHOR)
    assert (first["measure_id"], first["revision"], first["updated_by"]) == ("M01", 1, AUTHOR)
    assert first["area_ids"] == ["A01", "A02"] and first["start_date"] == "2027-01-01"
    assert [s["step_no"] for s in first["steps"]] == [1, 2]
    assert second["measure_id"] == "M02" and second["measure_type"] == "other"
    assert second["status"] == "planned" and second["public"] is True
    with pytest.raises(HeatplanError, match="exists already"):
        sm.add_measure(project, {"measure_id": "M01", "title": "x"}, author=AUTHOR)


def test_german_labels_are_read_as_codes(project: Path) -> None:
    added = sm.add_measure(
        project,
        {"title": "Zuschuss", "measure_type": "Förderprogramm", "status": "in Umsetzung"},
        author=AUTHOR,
    )
    assert (added["measure_type"], added["status"]) == ("funding_programme", "in_progress")


def test_update_with_the_stored_revision_and_a_stale_one(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    updated = sm.update_measure(
        project, "M01", {"status": "delayed"}, expected_revision=1, author="Kämmerei"
    )
    assert (updated["revision"], updated["status"], updated["updated_by"]) == (
        2,
        "delayed",
        "Kämmerei",
    )
    with pytest.raises(ConflictError) as caught:
        sm.update_measure(project, "M01", {"cost_eur": 1.0}, expected_revision=1, author="x")
    assert (caught.value.expected_revision, caught.value.stored_revision) == (1, 2)
    stored = sm.get_measure(project, "M01")
    assert stored["cost_eur"] == 9_000_000.0 and stored["revision"] == 2


def test_update_replaces_steps_only_when_given(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    sm.update_measure(project, "M01", {"cost_eur": 1e6}, expected_revision=1, author=AUTHOR)
    assert len(sm.get_measure(project, "M01")["steps"]) == 2
    steps = [{"title": "Nur noch ein Schritt", "due_date": "2028-01-01", "done_date": None}]
    result = sm.update_measure(project, "M01", {"steps": steps}, expected_revision=2, author=AUTHOR)
    assert [s["title"] for s in result["steps"]] == ["Nur noch ein Schritt"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"measure_type": "tunnel"}, "measure_type", "unknown measure type"),
        ({"status": "done"}, "status", "unknown status"),
        ({"cost_eur": -5}, "cost_eur", "greater than or equal to 0"),
        ({"effect_network_km": -0.1}, "effect_network_km", "greater than or equal to 0"),
        ({"start_date": "2027-13-01"}, "start_date", "date"),
        ({"start_date": "2030-01-01", "completion_date": "2029-01-01"}, "(record)", "before"),
        ({"colour": "green"}, "colour", "Extra inputs"),
        ({"public": "vielleicht"}, "public", "yes/no"),
    ],
)
def test_invalid_fields_are_named_and_nothing_is_saved(
    project: Path, fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidMeasure) as caught:
        sm.add_measure(project, {"title": "x", **fields}, author=AUTHOR)
    assert caught.value.problems[0]["field"] == field
    assert message in caught.value.problems[0]["message"]
    assert sm.list_measures(project) == []


def test_bookkeeping_fields_cannot_be_set(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    with pytest.raises(InvalidMeasure, match="revision"):
        sm.update_measure(project, "M01", {"revision": 7}, expected_revision=1, author=AUTHOR)
    with pytest.raises(HeatplanError, match="no measure 'M09'"):
        sm.update_measure(project, "M09", {"title": "x"}, expected_revision=1, author=AUTHOR)


# --- progress ------------------------------------------------------------------------------------
def test_progress_is_appended_and_sets_the_status(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    one = sm.add_progress(
        project, "M01", {"entry_date": "2027-03-31", "comment": "Auftrag"}, author="A"
    )
    two = sm.add_progress(
        project,
        "M01",
        {"entry_date": "2027-09-30", "status": "in_progress", "network_km": 1.2},
        author="B",
    )
    assert (one["entry_id"], two["entry_id"]) == (1, 2)
    measure = sm.get_measure(project, "M01")
    assert measure["status"] == "in_progress" and measure["revision"] == 2
    assert measure["latest_progress"]["entry_id"] == 2
    # an entry about an earlier date is history: it does not set today's status
    sm.add_progress(project, "M01", {"entry_date": "2027-01-15", "status": "delayed"}, author="C")
    assert sm.get_measure(project, "M01")["status"] == "in_progress"
    history = sm.progress(project, "M01")
    assert [p["entry_id"] for p in history] == [3, 1, 2]  # in the order they report on
    assert [p["author"] for p in history] == ["C", "A", "B"]
    with pytest.raises(InvalidMeasure, match="entry_id"):
        sm.add_progress(project, "M01", {"entry_id": 1, "comment": "x"}, author="D")
    with pytest.raises(InvalidMeasure, match="network_km"):
        sm.add_progress(project, "M01", {"network_km": -1}, author="D")


def test_public_listing_leaves_out_internal_measures_and_names(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    sm.add_measure(project, {"title": "Gasnetz intern", "public": "nein"}, author=AUTHOR)
    sm.add_progress(project, "M01", {"comment": "läuft"}, author="Frau Muster")
    assert [m["measure_id"] for m in sm.list_measures(project)] == ["M01", "M02"]
    public = sm.list_measures(project, public=True)
    assert [m["measure_id"] for m in public] == ["M01"]
    assert "updated_by" not in public[0] and "author" not in public[0]["latest_progress"]
    assert public[0]["latest_progress"]["comment"] == "läuft"


# --- concurrency ---------------------------------------------------------------------------------
def _race(project: Path, writers: int) -> list[str]:
    """``writers`` threads update M01 from revision 1 at the same moment."""
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []

    def one(n: int) -> None:
        barrier.wait()
        try:
            sm.update_measure(
                project, "M01", {"cost_eur": 1000.0 * n}, expected_revision=1, author=f"w{n}"
            )
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=one, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_updates_one_wins_the_others_conflict(any_project: Path) -> None:
    writers = 3
    sm.add_measure(any_project, NETWORK, author=AUTHOR)
    sm.add_progress(any_project, "M01", {"entry_date": "2027-01-01", "comment": "a"}, author="A")
    assert _race(any_project, writers) == ["conflict"] * (writers - 1) + ["saved"]
    stored = sm.get_measure(any_project, "M01")
    assert stored["revision"] == 2
    assert stored["cost_eur"] == 1000.0 * int(stored["updated_by"][1:])
    assert [p["comment"] for p in sm.progress(any_project)] == ["a"]


def _update_in_process(project: str, n: int) -> str:
    try:
        sm.update_measure(
            Path(project), "M01", {"cost_eur": float(n)}, expected_revision=1, author=f"p{n}"
        )
        return "saved"
    except ConflictError:
        return "conflict"


@pytest.mark.slow
def test_concurrent_updates_from_two_processes(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        outcomes = sorted(pool.map(_update_in_process, [str(project)] * 2, [1, 2]))
    assert outcomes == ["conflict", "saved"]
    assert sm.get_measure(project, "M01")["revision"] == 2


def test_progress_from_concurrent_writers_is_all_kept(any_project: Path) -> None:
    sm.add_measure(any_project, NETWORK, author=AUTHOR)
    barrier = threading.Barrier(3)

    def report(n: int) -> None:
        barrier.wait()
        sm.add_progress(any_project, "M01", {"comment": f"c{n}"}, author=f"a{n}")

    threads = [threading.Thread(target=report, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    history = sm.progress(any_project, "M01")
    assert sorted(p["comment"] for p in history) == ["c0", "c1", "c2"]
    assert sorted(p["entry_id"] for p in history) == [1, 2, 3]


# --- XLSX ----------------------------------------------------------------------------------------
def _catalogue(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    sm.add_measure(
        project,
        {"title": "Gasnetz intern", "public": False, "description": "Ä, ö; ü — 50 %"},
        author=AUTHOR,
    )
    sm.add_progress(
        project, "M01", {"entry_date": "2027-03-31", "network_km": 0.4, "comment": "x"}, author="A"
    )


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets}


def test_xlsx_round_trip_is_exact(project: Path, tmp_path: Path) -> None:
    _catalogue(project)
    first = tmp_path / "katalog.xlsx"
    assert sm.export_catalogue(project, first) == {
        "path": str(first),
        "measures": 2,
        "steps": 2,
        "progress": 1,
    }
    assert openpyxl.load_workbook(first).sheetnames == [
        "Maßnahmen",
        "Schritte",
        "Fortschritt",
        "Codes",
    ]
    fresh = _project(tmp_path / "fresh")
    result = sm.import_catalogue(fresh, first, author="import")
    assert (result["measures_added"], result["steps"], result["progress_appended"]) == (2, 2, 1)
    assert sm.list_measures(fresh) == sm.list_measures(project)
    assert sm.progress(fresh) == sm.progress(project)
    second = tmp_path / "again.xlsx"
    sm.export_catalogue(fresh, second)
    assert _cells(second) == _cells(first)
    again = sm.import_catalogue(project, second)
    assert (again["measures_unchanged"], again["progress_unchanged"]) == (2, 1)
    assert sm.get_measure(project, "M01")["revision"] == 1


def test_public_export_leaves_out_internal_measures(project: Path, tmp_path: Path) -> None:
    _catalogue(project)
    path = tmp_path / "public.xlsx"
    assert sm.export_catalogue(project, path, public=True)["measures"] == 1
    rows = _cells(path)["Maßnahmen"]
    assert [r[0] for r in rows[2:]] == ["M01"]
    assert all(r[rows[1].index("updated_by")] is None for r in rows[2:])


def _edit(path: Path, sheet: str, row: int, field: str, value: Any) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    keys = [c.value for c in ws[2]]
    ws.cell(row=row, column=keys.index(field) + 1, value=value)
    book.save(path)


def test_bad_rows_are_named_by_sheet_row_and_field_and_nothing_is_imported(
    project: Path, tmp_path: Path
) -> None:
    _catalogue(project)
    path = tmp_path / "bad.xlsx"
    sm.export_catalogue(project, path)
    fresh = _project(tmp_path / "fresh")
    _edit(path, "Maßnahmen", 3, "cost_eur", -100)
    _edit(path, "Maßnahmen", 4, "measure_type", "Tunnelbau")
    _edit(path, "Schritte", 4, "due_date", "31.02.2030")
    _edit(path, "Fortschritt", 3, "measure_id", "M77")
    with pytest.raises(InvalidMeasure) as caught:
        sm.import_catalogue(fresh, path)
    found = {(p["sheet"], p["row"], p["field"]) for p in caught.value.problems}
    assert found == {
        ("Maßnahmen", 3, "cost_eur"),
        ("Maßnahmen", 4, "measure_type"),
        ("Schritte", 4, "due_date"),
        ("Fortschritt", 3, "measure_id"),
    }
    assert "Blatt/sheet 'Maßnahmen' Zeile/row 3, Feld/field cost_eur" in str(caught.value)
    assert sm.list_measures(fresh) == [] and sm.progress(fresh) == []


def test_import_reads_german_headers_without_the_key_row(project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Maßnahmen"
    ws.append(["Nr.", "Titel", "Maßnahmentyp", "Kosten [EUR]", "Abschluss", "Öffentlich"])
    ws.append(["M01", "Wärmenetz", "Wärmenetz: Neubau und Ausbau", 5e6, "2030-12-31", "ja"])
    ws.append(["M02", "Beratung", "public_information", None, None, "nein"])
    path = tmp_path / "own.xlsx"
    book.save(path)
    result = sm.import_catalogue(project, path)
    assert result["measures_added"] == 2
    measures = {m["measure_id"]: m for m in sm.list_measures(project)}
    assert measures["M01"]["measure_type"] == "network_buildout"
    assert measures["M01"]["completion_date"] == "2030-12-31"
    assert measures["M02"]["public"] is False


def test_import_of_an_old_export_conflicts_with_a_newer_edit(project: Path, tmp_path: Path) -> None:
    _catalogue(project)
    path = tmp_path / "old.xlsx"
    sm.export_catalogue(project, path)
    sm.update_measure(project, "M01", {"cost_eur": 1.0}, expected_revision=1, author="web")
    _edit(path, "Maßnahmen", 3, "title", "Offline geändert")
    with pytest.raises(InvalidMeasure) as caught:
        sm.import_catalogue(project, path)
    assert [(p["row"], p["field"]) for p in caught.value.problems] == [(3, "revision")]
    assert sm.get_measure(project, "M01")["title"] == NETWORK["title"]
    # a stored progress entry cannot be changed through the file either
    sm.export_catalogue(project, path)
    _edit(path, "Fortschritt", 3, "comment", "umgeschrieben")
    with pytest.raises(InvalidMeasure, match="never changed"):
        sm.import_catalogue(project, path)


def test_unreadable_workbooks_are_clear_errors(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "not.xlsx"
    text.write_text("Nr.;Titel\n", encoding="utf-8")
    with pytest.raises(HeatplanError, match="not a readable XLSX"):
        sm.import_catalogue(project, text)
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(HeatplanError, match="no sheet 'Maßnahmen'"):
        sm.import_catalogue(project, other)


# --- CLI -----------------------------------------------------------------------------------------
def _cli(*args: str, code: int = 0) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def test_cli_add_update_progress_list_export_import(project: Path, tmp_path: Path) -> None:
    p = str(project)
    added = _cli(
        "measures",
        "add",
        p,
        "--title",
        "Netz",
        "--type",
        "network_buildout",
        "--set",
        "cost_eur=250000",
        "--set",
        "area_ids=A01;A02",
        "--author",
        "cli",
    )
    assert (added["measure_id"], added["cost_eur"], added["area_ids"]) == (
        "M01",
        250000.0,
        ["A01", "A02"],
    )
    updated = _cli("measures", "update", p, "M01", "--set", "status=delayed", "--revision", "1")
    assert updated["revision"] == 2 and updated["notes"] == []
    conflict = _cli("measures", "update", p, "M01", "--set", "title=x", "--revision", "1", code=1)
    assert "revision 1" in conflict["error"] and "stored one is 2" in conflict["error"]
    noted = _cli("measures", "update", p, "M01", "--set", "title=Netz Ost")
    assert noted["revision"] == 3 and "revision 2" in noted["notes"][0]
    entry = _cli(
        "measures",
        "progress",
        p,
        "M01",
        "--date",
        "2027-05-01",
        "--network-km",
        "0.8",
        "--comment",
        "Baubeginn",
        "--author",
        "cli",
    )
    assert (entry["entry_id"], entry["network_km"]) == (1, 0.8)
    listed = _cli("measures", "list", p)["measures"]
    assert listed[0]["latest_progress"]["comment"] == "Baubeginn"
    shown = _cli("measures", "show", p, "M01")
    assert len(shown["progress"]) == 1
    bad = _cli("measures", "add", p, "--title", "x", "--set", "cost_eur=-1", code=1)
    assert "cost_eur" in bad["error"]
    xlsx = tmp_path / "k.xlsx"
    assert _cli("measures", "export", p, str(xlsx))["measures"] == 1
    imported = _cli("measures", "import", p, str(xlsx))
    assert imported["measures_unchanged"] == 1
    assert "measure_type" in {f["field"] for f in _cli("measures", "fields")["fields"]}


def test_cli_list_prints_a_table(project: Path) -> None:
    sm.add_measure(project, NETWORK, author=AUTHOR)
    result = CliRunner().invoke(app, ["measures", "list", str(project)])
    assert result.exit_code == 0, result.output
    assert "M01" in result.stdout and "network_buildout" in result.stdout


def test_the_demo_sample_matches_the_plan_it_is_linked_to() -> None:
    """Network construction measures only in a plan with a network area; an all-decentral plan
    gets the decentral measures instead (a council would not adopt both at once)."""
    import datetime as dt

    import geopandas as gpd
    from shapely.geometry import box

    from heatplan.measures.sample import demo_catalogue

    def areas(types: list[str]) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"area_id": [f"A{i}" for i in range(len(types))], "area_type_2045": types},
            geometry=[box(i, 0, i + 1, 1) for i in range(len(types))],
            crs="EPSG:25832",
        )

    today = dt.date(2026, 12, 6)
    with_network = demo_catalogue(areas(["waermenetz", "dezentral"]), None, today=today)
    decentral = demo_catalogue(areas(["dezentral", "dezentral"]), None, today=today)
    kinds = {m.measure_type for m in decentral.measures.values()}
    assert "network_buildout" not in kinds and "heat_source" not in kinds
    assert {"M02", "M03", "M09"} <= set(with_network.measures)
    assert not {"M12", "M13"} & set(with_network.measures)
    assert {"M12", "M13"} <= set(decentral.measures)
    assert decentral.measures["M12"].area_ids == ["A0", "A1"]
    assert with_network.measures["M02"].area_ids == ["A0"]

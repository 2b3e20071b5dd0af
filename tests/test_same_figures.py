"""One set of published figures: the report (HTML and PDF), the XLSX workbook, the GeoPackage,
the XWärmeplan GML and the web API of the demo show the same numbers.

Each output is read back as its reader would read it (tests/published_outputs.py); the printed
report is compared within half its last printed digit, the machine-readable outputs within 1e-6
relative (float round-trips). A figure one output shows and another leaves out is a failure too,
where both outputs carry that kind of figure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heatplan.formats import german
from heatplan.i18n.vocabulary import label
from heatplan.web.app import create_app
from published_outputs import (
    api_json,
    close,
    german_number,
    gpkg_layer,
    html_table_with,
    html_tables,
    pdf_text,
    xlsx_table,
    xwp,
    xwp_numbers,
    xwp_text,
)
from web_demo import TestClient

pytestmark = [pytest.mark.slow]

YEARS = (2030, 2035, 2040, 2045)


@pytest.fixture(scope="module")
def outputs(demo_built: tuple[Path, dict]) -> dict[str, Path]:
    folder = demo_built[0]
    paths = {
        "html": folder / "report" / "plan.html",
        "pdf": folder / "report" / "plan.pdf",
        "xlsx": folder / "export" / "waermeplan.xlsx",
        "gpkg": folder / "export" / "waermeplan.gpkg",
        "gml": folder / "export" / "waermeplan.gml",
    }
    missing = [name for name, path in paths.items() if not path.exists()]
    assert not missing, f"the demo wrote no {missing}"
    return paths


@pytest.fixture(scope="module")
def areas(outputs: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """The public GeoPackage's supply areas (the machine-readable edition), by area id."""
    return {str(row["area_id"]): row for row in gpkg_layer(outputs["gpkg"], "areas")}


def _rel(a: float, b: float, rel: float = 1e-6) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1.0)


# ------------------------------------------------------------------------- supply areas
def test_area_figures_agree_in_report_workbook_and_geopackage(
    outputs: dict[str, Path], areas: dict[str, dict[str, Any]]
) -> None:
    report = html_table_with(html_tables(outputs["html"]), "Gebiet", "Gebäude", "Wärmebedarf")
    at = {name: report.column(name) for name in ("Gebiet", "Gebäude", "Wärmebedarf")}
    printed = {row[at["Gebiet"]]: row for row in report.rows}
    book = {str(r["Gebiet"]): r for r in xlsx_table(outputs["xlsx"], "Gebiete", "Gebiet")}
    assert set(printed) == set(areas) == set(book), "the outputs list different areas"
    for area_id, area in areas.items():
        row, sheet = printed[area_id], book[area_id]
        assert german_number(row[at["Gebäude"]]) == area["buildings"] == sheet["Gebäude"]
        demand = area["heat_demand_mwh_per_a"]
        assert close(row[at["Wärmebedarf"]], demand), (area_id, row[at["Wärmebedarf"]], demand)
        assert _rel(sheet["Wärmebedarf [MWh/a]"], demand), (area_id, sheet, demand)


def test_area_types_agree_in_every_year(outputs: dict[str, Path]) -> None:
    """The type and likelihood of each area in each snapshot year: workbook and report agree."""
    book = {str(r["Gebiet"]): r for r in xlsx_table(outputs["xlsx"], "Gebiete", "Gebiet")}
    tables = html_tables(outputs["html"])
    report = html_table_with(tables, "Gebiet", "Versorgungsart 2045")
    kind, likely = report.column("Versorgungsart 2045"), report.column("Wahrscheinlichkeit")
    for row in report.rows:
        sheet = book[row[0]]
        assert row[kind] == sheet["Versorgungsart 2045"], row[0]
        assert row[likely] == sheet["Wahrscheinlichkeit 2045"], row[0]


def test_area_figures_agree_in_the_xwaermeplan_file(
    outputs: dict[str, Path], areas: dict[str, dict[str, Any]]
) -> None:
    tree = xwp(outputs["gml"])
    titles = xwp_text(tree, "//x:WP_WaermeversorgungsgebietZieljahr/x:title/text()")
    assert sorted(titles) == sorted(areas)


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_area_figures_agree_in_the_web_api(
    demo_built: tuple[Path, dict],
    tmp_path_factory: pytest.TempPathFactory,
    areas: dict[str, dict[str, Any]],
    outputs: dict[str, Path],
) -> None:
    client = _client(demo_built, tmp_path_factory)
    served = {a["area_id"]: a for a in api_json(client, "/api/areas")["areas"]}
    assert set(served) == set(areas)
    for area_id, area in areas.items():
        assert served[area_id]["buildings"] == area["buildings"]
        # the API rounds to 3 decimals (a payload, not a print)
        assert abs(served[area_id]["heat_demand_mwh_per_a"] - area["heat_demand_mwh_per_a"]) < 5e-3
        for year in YEARS:
            assert served[area_id][f"area_type_{year}"] == area[f"area_type_{year}"]
            assert served[area_id][f"likelihood_{year}"] == area[f"likelihood_{year}"]
    measures = api_json(client, "/api/measures")["measures"]
    report = html_table_with(html_tables(outputs["html"]), "Nr.", "Titel", "Kosten")
    cost = report.column("Kosten")
    printed = {row[0]: row for row in report.rows}
    public = [m for m in measures if m.get("public", True)]
    assert {m["measure_id"] for m in public} == set(printed)
    sheet = {r["Nr."]: r for r in xlsx_table(outputs["xlsx"], "Maßnahmen", "Nr.")}
    assert set(sheet) == set(printed), "the workbook and the report list different measures"
    for measure in public:
        row = printed[measure["measure_id"]]
        assert row[1] == measure["title"]
        assert sheet[measure["measure_id"]]["Titel"] == measure["title"]
        if measure["cost_eur"] is None:
            assert german_number(row[cost]) is None
            assert sheet[measure["measure_id"]]["Kosten [EUR]"] is None
        else:
            assert close(row[cost], measure["cost_eur"]), (row, measure["cost_eur"])
            assert _rel(sheet[measure["measure_id"]]["Kosten [EUR]"], measure["cost_eur"])


def _client(demo_built: tuple[Path, dict], factory: pytest.TempPathFactory) -> TestClient:
    from demo_copy import copy_demo

    project = copy_demo(demo_built, factory.mktemp("same-figures") / "demo")
    return TestClient(create_app(project))


# ------------------------------------------------------------------------- municipal totals
def _inventory_rows(rows: list[dict[str, Any]]) -> Iterator[tuple[str, str, str, float, str]]:
    for row in rows:
        yield row["indicator"], row["carrier"], row["sector"], row["value"], row["unit"]


def test_municipal_totals_agree(outputs: dict[str, Path]) -> None:
    """Final energy and emissions of the inventory: report, workbook, GeoPackage, GML."""
    report = html_table_with(html_tables(outputs["html"]), "Indikator", "Energieträger", "Sektor")
    at = {name: report.column(name) for name in ("Indikator", "Energieträger", "Sektor", "Wert")}
    printed = {
        (row[at["Indikator"]], row[at["Energieträger"]], row[at["Sektor"]]): row[at["Wert"]]
        for row in report.rows
    }
    sheet = xlsx_table(outputs["xlsx"], "Bestand", "Indikator")
    indicators = {key[0] for key in printed}
    # the report's table shows the energy and emission rows; the workbook also counts heaters
    shared = [
        row
        for row in sheet
        if row["Indikator"] in indicators and row.get("Erzeugertyp", "alle") == "alle"
    ]
    assert len(shared) == len(printed), "the workbook and the report list different totals"
    for row in shared:
        key = (row["Indikator"], row["Energieträger"], row["Sektor"])
        value = row["Wert"] / 1000.0 if row["Einheit"] == "kWh/a" else row["Wert"]
        assert key in printed, key
        assert close(printed[key], value), (key, printed[key], value)
    final_energy = next(
        row["Wert"] / (1000.0 if row["Einheit"] == "kWh/a" else 1.0)
        for row in sheet
        if row["Indikator"].startswith("Endenergie")
        and row["Energieträger"] == row["Sektor"] == "alle"
    )
    tree = xwp(outputs["gml"])
    sectors = xwp_numbers(
        tree, "//x:WP_BestandsanalyseAggregiert/x:eevGesamtNachEnergieSektor//x:verbrauch/text()"
    )
    carriers = xwp_numbers(
        tree,
        "//x:WP_BestandsanalyseAggregiert/x:eevGesamtNachEnergieTraeger//x:verbrauchGesamt/text()",
    )
    assert _rel(sum(sectors), final_energy) and _rel(sum(carriers), final_energy)
    key_figures = html_table_with(html_tables(outputs["html"]), "Kennzahl", "Wert", "Einheit")
    shown = {row[0]: row[1] for row in key_figures.rows}
    assert close(shown["Endenergieverbrauch Wärme"], final_energy)


def test_total_heat_demand_is_the_sum_of_the_areas(
    outputs: dict[str, Path], areas: dict[str, dict[str, Any]]
) -> None:
    key_figures = html_table_with(html_tables(outputs["html"]), "Kennzahl", "Wert", "Einheit")
    shown = {row[0]: row[1] for row in key_figures.rows}
    total = sum(a["heat_demand_mwh_per_a"] for a in areas.values())
    assert close(shown["Wärmebedarf"], total), (shown["Wärmebedarf"], total)
    assert german_number(shown["Gebäude"]) == sum(a["buildings"] for a in areas.values())


# ------------------------------------------------------------------------- potentials
def test_potentials_agree_in_report_and_workbook(outputs: dict[str, Path]) -> None:
    """Every potential of the workbook is in the report with the same heat and capacity."""
    sheet = xlsx_table(outputs["xlsx"], "Potenziale", "Energieträger")
    report = html_table_with(html_tables(outputs["html"]), "Energieträger", "Wärme", "Leistung")
    heat, power = report.column("Wärme"), report.column("Leistung")
    printed = [(row[heat], row[power]) for row in report.rows]
    assert len(printed) == len(sheet), (
        f"the report lists {len(printed)} potentials, the workbook {len(sheet)}"
    )
    for row in sheet:
        value, capacity = row["Wärme [MWh/a]"], row["Leistung [kW]"]
        assert any(close(h, value) and close(p, capacity) for h, p in printed), (
            f"{row['Art']}: {german(f'{value:,.0f}')} MWh/a, {capacity} kW not in the report"
        )


def test_potentials_agree_in_the_xwaermeplan_file(outputs: dict[str, Path]) -> None:
    """The GML's aggregated potentials sum to the workbook's total heat (same kinds, same sum)."""
    sheet = xlsx_table(outputs["xlsx"], "Potenziale", "Energieträger")
    tree = xwp(outputs["gml"])
    values = xwp_numbers(
        tree,
        "//x:WP_PotenzialanalyseAggregiert//x:WP_EnergieTraegerVerbrauch/x:verbrauchGesamt/text()",
    )
    assert _rel(sum(values), sum(row["Wärme [MWh/a]"] or 0.0 for row in sheet)), (
        values,
        [(row["Art"], row["Wärme [MWh/a]"]) for row in sheet],
    )


# ------------------------------------------------------------------------- target scenario
def test_scenario_totals_agree(outputs: dict[str, Path]) -> None:
    """Final energy and emissions of the base variant per snapshot year: report, workbook, GML."""
    sheet = xlsx_table(outputs["xlsx"], "Zielszenario", "Variante")
    base = sheet[0]["Variante"]  # the base variant comes first
    names = {code: label("indicator", code) for code in ("final_energy", "ghg_emissions")}
    totals = {
        code: next(
            row for row in sheet
            if row["Variante"] == base and row["Indikator"] == name
            and row["Aufschlüsselung"] == "gesamt"
        )
        for code, name in names.items()
    }  # fmt: skip
    report = html_table_with(html_tables(outputs["html"]), "Variante", "Kennzahl", "2030")
    rows = {row[1].split(" [")[0]: row for row in report.rows[:2]}
    for year_at, year in enumerate(YEARS, start=2):
        assert close(rows["Endenergie"][year_at], totals["final_energy"][str(year)])
        assert close(rows["THG"][year_at], totals["ghg_emissions"][str(year)])
    tree = xwp(outputs["gml"])
    for element in tree.xpath("//x:WP_ZielszenarioIndikatoren", namespaces={"x": _ns()}):
        sectors = xwp_numbers(element, "x:eevGesamtNachEnergieSektor//x:verbrauch/text()")
        assert any(_rel(sum(sectors), totals["final_energy"][str(y)]) for y in YEARS), sectors


def _ns() -> str:
    return "http://www.xwaermeplan.de/0/9"


# ------------------------------------------------------------------------- the printed PDF
def test_the_pdf_prints_the_html_figures(outputs: dict[str, Path]) -> None:
    text = pdf_text(outputs["pdf"])
    if text is None:
        hint = "poppler's pdftotext is not installed (scripts/bootstrap.sh --test adds it)"
        if os.environ.get("CI"):
            pytest.fail(hint)
        pytest.skip(hint)
    key_figures = html_table_with(html_tables(outputs["html"]), "Kennzahl", "Wert", "Einheit")
    for name, value, _unit in key_figures.rows:
        if german_number(value) is not None:
            assert value in text, f"{name} {value}: in the HTML, not in the PDF"


def test_geopackage_fields_carry_the_workbook_headers(outputs: dict[str, Path]) -> None:
    """A field is titled in QGIS as the workbook heads its column (one vocabulary)."""
    import sqlite3

    with sqlite3.connect(outputs["gpkg"]) as db:
        titles = dict(
            db.execute(
                "SELECT column_name, title FROM gpkg_data_columns WHERE table_name = 'areas'"
            ).fetchall()
        )
    sheet = xlsx_table(outputs["xlsx"], "Gebiete", "Gebiet")
    headers = set(sheet[0])
    for field in ("buildings", "heat_demand_mwh_per_a", "area_type_2045", "likelihood_2045"):
        assert titles[field] in headers, (field, titles[field], sorted(headers))

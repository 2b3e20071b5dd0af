"""German number and date formats in every import path: decimal comma, thousands point,
dd.mm.yyyy, headers with units, a default carrier, and the columns an import did not use."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import InputFileError
from heatplan.formats import FormatProblem, detect_decimal, parse_date, parse_decimal
from heatplan.inputs.imports import import_consumption
from heatplan.measures.model import InvalidMeasure
from heatplan.project.create import create_project
from heatplan.reference import table
from heatplan.steps import measures as sm

DATA = Path(__file__).parent / "data"
runner = CliRunner()
#: Floats parsed from text are exact for these magnitudes; a relative tolerance for sums.
REL = 1e-12


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    create_project(folder, name="Test")
    return folder


def _layer(project: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer=name)


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the parser ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "decimal", "number"),
    [
        ("45.000", ",", 45_000.0),
        ("3,5", ",", 3.5),
        ("1.234,5", ",", 1234.5),
        ("1.234.567", ",", 1_234_567.0),
        ("3.5", ",", 3.5),  # one point before a digit that is not a group of three
        ("1,234.5", ".", 1234.5),
        ("45.000", ".", 45.0),  # an English file: a decimal point
        ("12 345,6", ",", 12345.6),
        ("-7", None, -7.0),
        ("3,5", None, 3.5),
    ],
)
def test_numbers_in_a_convention(text: str, decimal: str | None, number: float) -> None:
    assert parse_decimal(text, decimal) == pytest.approx(number, rel=REL)


@pytest.mark.parametrize(
    ("text", "decimal", "message"),
    [
        ("45.000", None, "mehrdeutige Zahl '45.000'"),
        ("1,500", None, "ambiguous number"),
        ("1,500", None, 'state the file\'s decimal separator (mapping: decimal = ",")'),
        ("1.234,5", ".", "not a number in the file's format"),
        ("45.000,5.3", ",", "keine Zahl im Format der Datei"),
        ("1,2,3", ",", "not a number"),
        ("zwölf", ",", "keine Zahl 'zwölf' / not a number"),
    ],
)
def test_bad_or_ambiguous_numbers_are_refused(text: str, decimal: str | None, message: str) -> None:
    with pytest.raises(FormatProblem, match=re.escape(message)):
        parse_decimal(text, decimal)


def test_the_convention_is_what_most_texts_reveal() -> None:
    assert detect_decimal(["45.000", "3,5", "12,0", "7"]) == ","
    assert detect_decimal(["45.000", "2.5"]) == "."
    assert detect_decimal(["45.000", "12", 3.5]) is None


def test_dates() -> None:
    assert parse_date("01.03.2027") == parse_date("2027-03-01") == dt.date(2027, 3, 1)
    assert parse_date("1.3.2027") == dt.date(2027, 3, 1)
    with pytest.raises(FormatProblem, match=re.escape("ungültiges Datum '31.02.2027'")):
        parse_date("31.02.2027")
    with pytest.raises(FormatProblem, match="not a date"):
        parse_date("03/01/2027")  # US order is refused, never guessed


# --- consumption -----------------------------------------------------------------------------
def test_gas_utility_extract_end_to_end(project: Path, tmp_path: Path) -> None:
    """The hand-made sample (cp1252, ';', decimal comma, thousands point, 'Verbrauch [kWh/a]',
    no carrier column) imports with --carrier; unused columns are reported."""
    file = shutil.copy(DATA / "consumption_de" / "gasnetz_verbrauch.csv", tmp_path / "gas.csv")
    result = runner.invoke(
        app, ["import", "consumption", str(project), str(file), "--carrier", "Erdgas", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["rejected"]) == (4, 0)
    assert summary["ignored_columns"] == ["Zählpunkt", "Ablesedatum"]
    stored = _layer(project, "consumption").sort_values("source_row")
    # the file's cells, read by hand: 45.000 | 12.345,6 | 9.800,5 | 10.100
    assert stored["value"].tolist() == pytest.approx([45_000.0, 12_345.6, 9_800.5, 10_100.0])
    assert stored["final_energy_kwh"].sum() == pytest.approx(77_246.1, rel=REL)
    assert set(stored["carrier"]) == {"natural_gas"} and set(stored["unit"]) == {"kWh"}
    assert stored["year"].tolist() == [2022, 2022, 2022, 2023]
    assert stored["address"].iloc[0] == "hauptstraße 1, 77746"
    plain = runner.invoke(
        app,
        ["import", "consumption", str(project), str(file), "--carrier", "Erdgas", "--replace"],
    )
    assert "nicht verwendete Spalten / ignored columns: Zählpunkt, Ablesedatum" in plain.stdout


def test_volume_header_and_a_carrier_from_the_mapping(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "m3.csv", "Gebäude-ID;Jahr;Verbrauch m³\nA;2023;1.200\nB;2023;950,5\n")
    mapping = _csv(
        tmp_path / "map.toml", 'carrier = "Erdgas H"\ncolumns = {"Gebäude-ID" = "building_id"}\n'
    )
    result = import_consumption(project, file, mapping=mapping)
    assert (result.imported, result.rejected, result.ignored_columns) == (2, 0, ())
    factors = table("unit_conversions.csv", as_text=True)
    kwh_per_m3 = float(
        factors[(factors["carrier"] == "natural_gas") & (factors["unit"] == "m3")][
            "kwh_hi_per_unit"
        ].iloc[0]
    )
    stored = _layer(project, "consumption").sort_values("source_row")
    assert stored["unit"].tolist() == ["m3", "m3"]
    assert stored["final_energy_kwh"].tolist() == pytest.approx(
        [1200.0 * kwh_per_m3, 950.5 * kwh_per_m3], rel=REL
    )


def test_header_unit_contradicting_the_option_is_a_clear_error(
    project: Path, tmp_path: Path
) -> None:
    file = _csv(tmp_path / "c.csv", "building_id;Verbrauch kWh\nA;12,5\n")
    with pytest.raises(InputFileError, match="contradicts the default unit"):
        import_consumption(project, file, unit="m3", carrier="Erdgas")
    result = runner.invoke(app, ["import", "consumption", str(project), str(file), "--unit", "m3"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "widerspricht" in result.output.replace("\n", "")
    assert (
        not (project / "plan.gpkg").exists()
        or "consumption" not in pyogrio.list_layers(project / "plan.gpkg")[:, 0]
    )


def test_thousands_point_needs_a_convention(project: Path, tmp_path: Path) -> None:
    """'45.000' alone is refused (naming file, row, field); in a file that writes '3,5' it is
    forty-five thousand."""
    alone = _csv(tmp_path / "a.csv", "building_id;carrier;unit;value\nA;Erdgas;kWh;45.000\n")
    refused = import_consumption(project, alone)
    assert refused.imported == 0 and refused.report  # failed: the store is untouched
    bad = pd.read_csv(refused.report).iloc[-1]
    assert (bad["file"], bad["row"], bad["field"]) == ("a.csv", 1, "value")
    assert bad["reason"].startswith("mehrdeutige Zahl '45.000'")
    assert "ambiguous number" in bad["reason"]
    told = _csv(
        tmp_path / "b.csv", "building_id;carrier;unit;value\nA;Erdgas;kWh;45.000\nB;Gas;kWh;3,5\n"
    )
    assert import_consumption(project, told).imported == 2
    assert _layer(project, "consumption")["value"].tolist() == pytest.approx([45_000.0, 3.5])
    # or the user states the convention (a utility's extract of whole m³: every value 2.159)
    stated = _csv(tmp_path / "c.csv", "building_id;Verbrauch m³\nC;2.159\nD;12.345\n")
    mapping = _csv(tmp_path / "de.toml", 'decimal = ","\ncarrier = "Erdgas"\n')
    assert import_consumption(project, stated, mapping=mapping).imported == 2
    assert import_consumption(project, stated, carrier="Gas", decimal=",").imported == 0  # stored
    values = _layer(project, "consumption")["value"].tolist()
    assert values == pytest.approx([45_000.0, 3.5, 2159.0, 12_345.0])


def test_a_cell_against_the_files_convention_is_refused(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "en.csv",
        'building_id,carrier,unit,value\nA,gas,kWh,1.5\nB,gas,kWh,2.25\nC,gas,kWh,"1.234,5"\n',
    )
    result = import_consumption(project, file)
    assert (result.imported, result.rejected) == (2, 1)
    bad = _layer(project, "import_rejections").iloc[-1]
    assert (bad["row"], bad["field"], bad["value"]) == (3, "value", "1.234,5")
    assert "not a number in the file's format" in bad["reason"]


# --- measures workbook -----------------------------------------------------------------------
def _workbook(path: Path, *rows: list[object]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Maßnahmen"
    sheet.append(["Nr.", "Titel", "Kosten [EUR]", "Beginn", "Abschluss"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_measures_workbook_reads_german_numbers_and_dates(project: Path, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "m.xlsx",
        ["M01", "Wärmenetz", "45.000", "01.03.2027", "31.12.2030"],
        ["M02", "Beratung", "1.234,5", "2027-01-01", None],
        ["M03", "Solar", "3,5", None, None],
    )
    assert sm.import_catalogue(project, path)["measures_added"] == 3
    stored = {m["measure_id"]: m for m in sm.list_measures(project)}
    assert stored["M01"]["cost_eur"] == 45_000.0  # not 45.0
    assert stored["M02"]["cost_eur"] == pytest.approx(1234.5)
    assert stored["M03"]["cost_eur"] == pytest.approx(3.5)
    assert stored["M01"]["start_date"] == "2027-03-01"


def test_bad_measures_cells_name_sheet_row_and_field(project: Path, tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "bad.xlsx",
        ["M01", "Wärmenetz", "viel", "01.03.2027", None],
        ["M02", "Beratung", "100", "31.02.2027", None],
        ["M03", "Solar", "45.000,5.3", None, None],
    )
    with pytest.raises(InvalidMeasure) as caught:
        sm.import_catalogue(project, path)
    found = {(p["sheet"], p["row"], p["field"]): p["message"] for p in caught.value.problems}
    assert set(found) == {
        ("Maßnahmen", 2, "cost_eur"),
        ("Maßnahmen", 3, "start_date"),
        ("Maßnahmen", 4, "cost_eur"),
    }
    assert found["Maßnahmen", 2, "cost_eur"].startswith("keine Zahl 'viel' / not a number")
    assert "ungültiges Datum '31.02.2027'" in found["Maßnahmen", 3, "start_date"]
    assert "invalid date" in found["Maßnahmen", 3, "start_date"]
    assert "not a number in the file's format" in found["Maßnahmen", 4, "cost_eur"]
    assert "Blatt/sheet 'Maßnahmen' Zeile/row 3, Feld/field start_date" in str(caught.value)
    assert sm.list_measures(project) == []


def test_unknown_workbook_column_is_named(project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Maßnahmen"
    sheet.append(["Nr.", "Titel", "Kostenträgerin"])
    sheet.append(["M01", "Wärmenetz", "Stadt"])
    book.save(tmp_path / "u.xlsx")
    with pytest.raises(InvalidMeasure) as caught:
        sm.import_catalogue(project, tmp_path / "u.xlsx")
    (problem,) = caught.value.problems
    assert (problem["sheet"], problem["row"], problem["field"]) == (
        "Maßnahmen",
        1,
        "Kostenträgerin",
    )
    assert problem["message"].startswith("unbekannte Spalte / unknown column (column 3)")


def test_consumption_xlsx_with_german_headers(project: Path, tmp_path: Path) -> None:
    """The issue's case: 'Verbrauch kWh', 'Jahr', 'Straße', 'Hausnummer' and no carrier."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Straße", "Hausnummer", "Jahr", "Verbrauch kWh", "Kundennummer"])
    sheet.append(["Hauptstraße", 1, 2023, 18500.5, "K-1"])
    sheet.append(["Hauptstraße", "3a", dt.datetime(2023, 12, 31), "21.000", "K-2"])
    sheet.append(["Kirchstraße", 2, 2023, "9.876,5", "K-3"])
    path = tmp_path / "verbrauch.xlsx"
    book.save(path)
    without = import_consumption(project, path)
    assert (without.imported, without.rejected) == (0, 3)  # no carrier: refused, not guessed
    assert without.report  # failed: the store is untouched, the rejections are in the report
    reasons = pd.read_csv(without.report)
    assert set(reasons["field"]) == {"carrier"}
    assert reasons["reason"].str.contains("give --carrier").all()
    result = import_consumption(project, path, carrier="Erdgas")
    assert (result.imported, result.ignored_columns) == (3, ("Kundennummer",))
    stored = _layer(project, "consumption").sort_values("source_row")
    assert stored["final_energy_kwh"].tolist() == pytest.approx([18_500.5, 21_000.0, 9_876.5])
    assert stored["year"].tolist() == [2023, 2023, 2023]


def test_vector_attributes_follow_the_mappings_decimal(project: Path, tmp_path: Path) -> None:
    """A register's text numbers: '1.200' alone is refused (thousands or decimal point?); the
    mapping's ``decimal = ","`` makes it 1200 (DN 1200), the same rule as every table import."""
    from heatplan.inputs.registers import import_register

    sewers = gpd.GeoDataFrame(
        {"line_id": ["S1", "S2"], "diameter_mm": ["1.200", "800"]},
        geometry=[
            shapely.LineString([(417_000, 5_368_000), (417_100, 5_368_000)]),
            shapely.LineString([(417_100, 5_368_000), (417_200, 5_368_000)]),
        ],
        crs="EPSG:25832",
    )
    path = tmp_path / "kanal.geojson"
    sewers.to_file(path, driver="GeoJSON")
    refused = import_register(project, path, kind="sewers")
    assert (refused.imported, refused.rejected) == (1, 1)
    (row,) = refused.first_rejections
    assert (row["row"], row["field"]) == (1, "diameter_mm")
    assert "mehrdeutige Zahl" in row["reason"] and "ambiguous number" in row["reason"]
    mapping = _csv(tmp_path / "map.toml", 'decimal = ","\n')
    read = import_register(project, path, kind="sewers", mapping=mapping, mode="replace")
    assert (read.imported, read.rejected) == (2, 0)
    stored = _layer(project, "sewers").set_index("line_id")
    assert stored.at["S1", "diameter_mm"] == 1200.0

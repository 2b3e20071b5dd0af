"""Every import command x every bad-input class of issue 16: the exit code, the named row and
field, and the message in German and English.

Classes: a wrong code, German words where a number belongs (German terms the vocabulary knows,
``Kachelofen``, ``Erdgas``, are accepted: test_vocabulary.py, test_import_kehrbuch.py), a
decimal comma that contradicts the file's stated notation, an impossible date, a thousands
point whose meaning the file does not tell (``1.500``) and a column the import does not use.
Each file has one good row (row 1) and the bad one (row 2), so the import goes on (exit 0) and
the summary names the rejected row; the measures workbook and the hourly weather file are all or
nothing (exit 1), a bad command-line option exits 2. A class that does not apply to a command
is listed with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.project.create import create_project

runner = CliRunner()
#: A point in Schutterwald [m, EPSG:25832] (the project CRS) and its Zensus cell.
X0, Y0 = 417_000.0, 5_368_000.0
Build = Callable[[Path, Path], list[str]]


@dataclass(frozen=True)
class Case:
    """One command and one bad input: the CLI arguments and what the output must name."""

    build: Build
    exit_code: int
    where: str  # 'Zeile/row N, Feld/field F', the option, or the ignored column
    german: str
    english: str


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    create_project(folder, name="Test")
    return folder


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- files per command -----------------------------------------------------------------------
def _buildings(bad: dict[str, object], extra: dict[str, object] | None = None) -> Build:
    def build(project: Path, tmp: Path) -> list[str]:
        rows = {
            "building_id": ["B1", "B2"],
            "use": ["sfh", "sfh"],
            "construction_year": ["1965", "1970"],
            "floors": ["2", "2"],
            "heated_area_m2": ["100", "120"],
            **(extra or {}),
        }
        for name, value in bad.items():
            rows[name] = [rows[name][0], value] if name in rows else ["x", value]
        points = [shapely.Point(X0, Y0).buffer(5), shapely.Point(X0 + 30, Y0).buffer(5)]
        frame = gpd.GeoDataFrame(rows, geometry=points, crs="EPSG:25832")
        frame.to_file(tmp / "gebaeude.geojson", driver="GeoJSON")
        return ["import", "buildings", str(project), str(tmp / "gebaeude.geojson")]

    return build


def _table(command: str, header: str, good: str, bad: str, *options: str) -> Build:
    def build(project: Path, tmp: Path) -> list[str]:
        file = _write(tmp / f"{command}.csv", f"{header}\n{good}\n{bad}\n")
        return ["import", command, str(project), str(file), *options]

    return build


CONSUMPTION = "building_id,year,carrier,value,unit"
HEATERS = "building_id,heater_type,carrier,capacity_kw,install_year"
KEHRBUCH = "Straße;Hausnummer;Feuerstättenart;Brennstoff;Nennwärmeleistung kW;Baujahr"
KEHRBUCH_GOOD = "Hauptstraße;1;Gas-Brennwertkessel;Erdgas E;24;2011"
DEGREE_DAYS = "year,hdd_kd"
ZENSUS = "GITTER_ID_100m;x_mp_100m;y_mp_100m;Gas;Heizoel"
MASTR = (
    "MaStR-Nr. der Einheit;Energieträger;Bruttoleistung der Einheit;"
    "Inbetriebnahmedatum der Einheit;Postleitzahl"
)
MASTR_GOOD = "SEE900000000001;Solare Strahlungsenergie;9,84;15.06.2019;77746"


def _zensus(second: str, header: str = ZENSUS) -> Build:
    def build(project: Path, tmp: Path) -> list[str]:
        assert runner.invoke(app, _buildings({})(project, tmp)).exit_code == 0
        good = "CRS3035RES100mN2818200E4164100;4164150;2818250;6;4"
        file = _write(
            tmp / "Zensus2022_Energietraeger_100m-Gitter.csv", f"{header}\n{good}\n{second}\n"
        )
        return ["import", "zensus", str(project), str(file)]

    return build


def _mastr(second: str, header: str = MASTR) -> Build:
    return _table("mastr", header, MASTR_GOOD, second)


def _workbook(second: list[object], headers: tuple[str, ...] = ()) -> Build:
    def build(project: Path, tmp: Path) -> list[str]:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Maßnahmen"
        sheet.append(["Nr.", "Titel", "Kosten [EUR]", "Beginn", "Status", *headers])
        sheet.append(["M01", "Wärmenetz", "45.000", "01.03.2027", "geplant"])
        sheet.append(second)
        book.save(tmp / "massnahmen.xlsx")
        return ["measures", "import", str(project), str(tmp / "massnahmen.xlsx")]

    return build


def _progress(*options: str) -> Build:
    def build(project: Path, tmp: Path) -> list[str]:
        args = _workbook(["M02", "Beratung", "100", "01.03.2027", "geplant"])(project, tmp)
        assert runner.invoke(app, args).exit_code == 0
        return ["measures", "progress", str(project), "M01", *options]

    return build


def _hours(second: str, *, stamp: str = "01.01.2021 01:00") -> Build:
    """48 hours of temperatures, the second row's value (and timestamp) given."""

    def build(project: Path, tmp: Path) -> list[str]:
        lines = ["Zeitstempel;Temperatur [°C]", "01.01.2021 00:00;2", f"{stamp};{second}"]
        lines += [f"{1 + h // 24:02d}.01.2021 {h % 24:02d}:00;3" for h in range(2, 48)]
        file = _write(tmp / "temperatur_2021.csv", "\n".join(lines) + "\n")
        return ["import", "weather", str(project), str(file), "--year", "2021"]

    return build


def _row(row: int, field: str) -> str:
    return f"Zeile/row {row}, Feld/field {field}"


NOT_A_NUMBER = ("keine Zahl", "not a number")
AMBIGUOUS = ("mehrdeutige Zahl", "ambiguous number")
FILE_FORMAT = ("keine Zahl im Format der Datei", "not a number in the file's format")
BAD_DATE = ("kein gültiges Datum", "not a valid date")
IGNORED = ("nicht verwendete Spalten", "ignored columns")


def _na(reason: str) -> object:
    return pytest.param(None, marks=pytest.mark.skip(reason=reason))


CASES = {
    # buildings: vector file with attributes (text cells as a GeoJSON gives them)
    "buildings-wrong-code": Case(
        _buildings({"use": "Raumschiff"}), 0, _row(2, "use"), "unbekannter Wert", "unknown use"
    ),
    "buildings-german-words": Case(
        _buildings({"floors": "zwei"}), 0, _row(2, "floors"), *NOT_A_NUMBER
    ),
    "buildings-decimal-comma": Case(
        lambda p, t: [*_buildings({"heated_area_m2": "120,5"})(p, t), "--decimal", "."],
        0,
        _row(2, "heated_area_m2"),
        *FILE_FORMAT,
    ),
    "buildings-date": Case(
        _buildings({"construction_year": "31.02.1970"}), 0, _row(2, "construction_year"), *BAD_DATE
    ),
    "buildings-thousands-point": Case(
        _buildings({"heated_area_m2": "1.500"}), 0, _row(2, "heated_area_m2"), *AMBIGUOUS
    ),
    "buildings-unknown-column": Case(
        _buildings({}, {"Bemerkung": ["a", "b"]}), 0, "Bemerkung", *IGNORED
    ),
    # consumption: CSV
    "consumption-wrong-code": Case(
        _table("consumption", CONSUMPTION, "B1,2022,gas,1200,kWh", "B2,2022,Plutonium,1300,kWh"),
        0,
        _row(2, "carrier"),
        "unbekannter Wert für carrier",
        "unknown carrier",
    ),
    "consumption-german-words": Case(
        _table("consumption", CONSUMPTION, "B1,2022,gas,1200,kWh", "B2,2022,gas,viel,kWh"),
        0,
        _row(2, "value"),
        *NOT_A_NUMBER,
    ),
    "consumption-decimal-comma": Case(
        _table(
            "consumption",
            CONSUMPTION,
            "B1,2022,gas,1200.5,kWh",
            'B2,2022,gas,"3,5",kWh',
            "--decimal",
            ".",
        ),
        0,
        _row(2, "value"),
        *FILE_FORMAT,
    ),
    "consumption-date": Case(
        _table("consumption", CONSUMPTION, "B1,2022,gas,1200,kWh", "B2,31.02.2022,gas,1300,kWh"),
        0,
        _row(2, "year"),
        *BAD_DATE,
    ),
    "consumption-thousands-point": Case(
        _table("consumption", CONSUMPTION, "B1,2022,gas,1200,kWh", "B2,2022,gas,1.500,kWh"),
        0,
        _row(2, "value"),
        *AMBIGUOUS,
    ),
    "consumption-unknown-column": Case(
        _table(
            "consumption",
            CONSUMPTION + ",Zählpunkt",
            "B1,2022,gas,1200,kWh,Z1",
            "B2,2022,gas,1300,kWh,Z2",
        ),
        0,
        "Zählpunkt",
        *IGNORED,
    ),
    # heaters: CSV register
    "heaters-wrong-code": Case(
        _table("heaters", HEATERS, "B1,boiler,gas,24,2011", "B2,Dampfmaschine,gas,24,2011"),
        0,
        _row(2, "heater_type"),
        "unbekannter Wert für heater_type",
        "unknown heater_type",
    ),
    "heaters-german-words": Case(
        _table("heaters", HEATERS, "B1,boiler,gas,24,2011", "B2,boiler,gas,zwölf,2011"),
        0,
        _row(2, "capacity_kw"),
        *NOT_A_NUMBER,
    ),
    "heaters-decimal-comma": Case(
        _table(
            "heaters",
            HEATERS,
            "B1,boiler,gas,24.5,2011",
            'B2,boiler,gas,"3,5",2011',
            "--decimal",
            ".",
        ),
        0,
        _row(2, "capacity_kw"),
        *FILE_FORMAT,
    ),
    "heaters-date": Case(
        _table("heaters", HEATERS, "B1,boiler,gas,24,2011", "B2,boiler,gas,24,31.02.2011"),
        0,
        _row(2, "install_year"),
        *BAD_DATE,
    ),
    "heaters-thousands-point": Case(
        _table("heaters", HEATERS, "B1,boiler,gas,24,2011", "B2,boiler,gas,1.500,2011"),
        0,
        _row(2, "capacity_kw"),
        *AMBIGUOUS,
    ),
    "heaters-unknown-column": Case(
        _table(
            "heaters",
            HEATERS + ",Schornsteinfeger",
            "B1,boiler,gas,24,2011,Meier",
            "B2,boiler,gas,20,2012,Meier",
        ),
        0,
        "Schornsteinfeger",
        *IGNORED,
    ),
    # kehrbuch: German register, ';'
    "kehrbuch-wrong-code": Case(
        _table("kehrbuch", KEHRBUCH, KEHRBUCH_GOOD, "Hauptstraße;2;Dampfmaschine;Erdgas E;24;2011"),
        0,
        _row(2, "Feuerstättenart"),
        "unbekannte Feuerstättenart",
        "unknown heater type",
    ),
    "kehrbuch-german-words": Case(
        _table(
            "kehrbuch", KEHRBUCH, KEHRBUCH_GOOD, "Hauptstraße;2;Kachelofen;Scheitholz;zwölf;2011"
        ),
        0,
        _row(2, "capacity_kw"),
        *NOT_A_NUMBER,
    ),
    "kehrbuch-decimal-comma": Case(
        _table(
            "kehrbuch",
            KEHRBUCH,
            KEHRBUCH_GOOD.replace(";24;", ";24.5;"),
            "Hauptstraße;2;Kachelofen;Scheitholz;8,5;2011",
            "--decimal",
            ".",
        ),
        0,
        _row(2, "capacity_kw"),
        *FILE_FORMAT,
    ),
    "kehrbuch-date": Case(
        _table(
            "kehrbuch", KEHRBUCH, KEHRBUCH_GOOD, "Hauptstraße;2;Kachelofen;Scheitholz;8;31.02.2011"
        ),
        0,
        _row(2, "install_year"),
        *BAD_DATE,
    ),
    "kehrbuch-thousands-point": Case(
        _table(
            "kehrbuch", KEHRBUCH, KEHRBUCH_GOOD, "Hauptstraße;2;Kachelofen;Scheitholz;1.500;2011"
        ),
        0,
        _row(2, "capacity_kw"),
        *AMBIGUOUS,
    ),
    "kehrbuch-unknown-column": Case(
        _table(
            "kehrbuch",
            KEHRBUCH + ";Messergebnis CO %",
            KEHRBUCH_GOOD + ";12",
            "Hauptstraße;2;Kachelofen;Scheitholz;8;2011;9",
        ),
        0,
        "Messergebnis CO %",
        *IGNORED,
    ),
    # zensus: the statistical offices' German CSV
    "zensus-wrong-code": Case(
        _zensus("CRS3035RES100mN2818200E41642XX;4164250;2818250;3;5"),
        0,
        _row(2, "GITTER_ID_100m"),
        "kein Code einer 100-m-Gitterzelle",
        "not a 100 m grid cell code",
    ),
    "zensus-german-words": Case(
        _zensus("CRS3035RES100mN2818200E4164200;4164250;2818250;drei;5"),
        0,
        _row(2, "Gas"),
        *NOT_A_NUMBER,
    ),
    "zensus-decimal-comma": Case(
        _zensus("CRS3035RES100mN2818200E4164200;4164250;2818250;3,5;5"),
        0,
        _row(2, "Gas"),
        "keine ganze Anzahl",
        "not a whole count",
    ),
    "zensus-date": _na("Zensus grid files have no date field"),
    "zensus-thousands-point": _na(
        "a Zensus file is German by definition: 1.234 is 1234, never ambiguous"
    ),
    "zensus-unknown-column": Case(
        _zensus("CRS3035RES100mN2818200E4164200;4164250;2818250;3;5;x", ZENSUS + ";Bemerkung"),
        0,
        "Bemerkung",
        *IGNORED,
    ),
    # mastr: the register's German unit export
    "mastr-wrong-code": Case(
        _mastr("SEE900000000002;Plutonium;9,9;01.03.2021;77746"),
        0,
        _row(2, "Energieträger"),
        "unbekannter Energieträger",
        "unknown energy carrier term",
    ),
    "mastr-german-words": Case(
        _mastr("SEE900000000002;Solare Strahlungsenergie;zehn;01.03.2021;77746"),
        0,
        _row(2, "Bruttoleistung der Einheit"),
        "keine Zahl in deutscher Schreibweise",
        "not a number in German notation",
    ),
    "mastr-decimal-comma": _na("a MaStR export is German by definition: 9,84 is its notation"),
    "mastr-date": Case(
        _mastr("SEE900000000002;Solare Strahlungsenergie;9,9;31.02.2021;77746"),
        0,
        _row(2, "Inbetriebnahmedatum der Einheit"),
        "kein Datum TT.MM.JJJJ",
        "not a date dd.mm.yyyy",
    ),
    "mastr-thousands-point": Case(
        _mastr("SEE900000000002;Solare Strahlungsenergie;9.84;01.03.2021;77746"),
        0,
        _row(2, "Bruttoleistung der Einheit"),
        "keine Zahl in deutscher Schreibweise",
        "not a number in German notation",
    ),
    "mastr-unknown-column": Case(
        _mastr(
            "SEE900000000002;Solare Strahlungsenergie;9,9;01.03.2021;77746;BW",
            MASTR + ";Bundesland",
        ),
        0,
        "Bundesland",
        *IGNORED,
    ),
    # degree-days: year and G20/15
    "degree-days-wrong-code": _na("degree days have no coded field"),
    "degree-days-german-words": Case(
        _table("degree-days", DEGREE_DAYS, "2022,3500", "2023,viel"),
        0,
        _row(2, "hdd_kd"),
        *NOT_A_NUMBER,
    ),
    "degree-days-decimal-comma": Case(
        _table("degree-days", DEGREE_DAYS, "2022,3500.5", '2023,"3400,5"', "--decimal", "."),
        0,
        _row(2, "hdd_kd"),
        *FILE_FORMAT,
    ),
    "degree-days-date": Case(
        _table("degree-days", DEGREE_DAYS, "2022,3500", "31.02.2023,3400"),
        0,
        _row(2, "year"),
        *BAD_DATE,
    ),
    "degree-days-thousands-point": Case(
        _table("degree-days", DEGREE_DAYS, "2022,3500", "2023,3.400"),
        0,
        _row(2, "hdd_kd"),
        *AMBIGUOUS,
    ),
    "degree-days-unknown-column": Case(
        _table("degree-days", DEGREE_DAYS + ",Station", "2022,3500,Lahr", "2023,3400,Lahr"),
        0,
        "Station",
        *IGNORED,
    ),
    # weather: an hourly file, all or nothing (exit 1); the error names row and field
    "weather-wrong-code": _na("hourly temperatures have no coded field"),
    "weather-german-words": Case(_hours("kalt"), 1, "row 3, field temp_air_c", *NOT_A_NUMBER),
    "weather-decimal-comma": _na(
        "one number column and no stated notation: -1,5 reveals the decimal comma itself"
    ),
    "weather-date": Case(
        _hours("3", stamp="31.02.2021 01:00"),
        1,
        "row 3, field timestamp",
        "kein gültiger Zeitstempel",
        "not a valid timestamp",
    ),
    "weather-thousands-point": Case(_hours("1.500"), 1, "row 3, field temp_air_c", *AMBIGUOUS),
    "weather-unknown-column": _na(
        "the hourly reader keeps timestamp and temperature only; other columns are not reported"
    ),
    # measures workbook: German by definition, all rows or none
    "measures-wrong-code": Case(
        _workbook(["M02", "Beratung", "100", "01.03.2027", "irgendwann"]),
        1,
        "Blatt/sheet 'Maßnahmen' Zeile/row 3, Feld/field status",
        "Problem(e), nichts gespeichert",
        "nothing was saved",
    ),
    "measures-german-words": Case(
        _workbook(["M02", "Beratung", "viel", "01.03.2027", "geplant"]),
        1,
        "Blatt/sheet 'Maßnahmen' Zeile/row 3, Feld/field cost_eur",
        *NOT_A_NUMBER,
    ),
    "measures-decimal-comma": _na("the workbook is German by definition: 3,5 is its notation"),
    "measures-date": Case(
        _workbook(["M02", "Beratung", "100", "31.02.2027", "geplant"]),
        1,
        "Blatt/sheet 'Maßnahmen' Zeile/row 3, Feld/field start_date",
        "ungültiges Datum",
        "invalid date",
    ),
    "measures-thousands-point": _na(
        "the workbook is German by definition: 45.000 is 45000 (test_german_formats)"
    ),
    "measures-unknown-column": Case(
        _workbook(
            ["M02", "Beratung", "100", "01.03.2027", "geplant", "Stadt"], ("Kostenträgerin",)
        ),
        1,
        "Blatt/sheet 'Maßnahmen' Zeile/row 1, Feld/field Kostenträgerin",
        "unbekannte Spalte",
        "unknown column",
    ),
    # measures progress: command-line options, no file (the option is named instead of a row)
    "progress-wrong-code": Case(
        _progress("--status", "irgendwann"),
        1,
        "Feld/field status",
        "Problem(e)",
        "nothing was saved",
    ),
    "progress-german-words": Case(
        _progress("--network-km", "drei"), 2, "--network-km", *NOT_A_NUMBER
    ),
    "progress-decimal-comma": _na("an option has no file notation: 3,5 and 3.5 both read as 3.5"),
    "progress-date": Case(
        _progress("--date", "31.02.2027", "--comment", "Baubeginn"),
        1,
        "Feld/field entry_date",
        "ungültiges Datum",
        "invalid date",
    ),
    "progress-thousands-point": Case(
        _progress("--network-km", "1.500"), 2, "--network-km", *AMBIGUOUS
    ),
    "progress-unknown-column": _na("options, not columns: typer refuses an unknown option"),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input_is_named_in_german_and_english(
    case: Case, project: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, case.build(project, tmp_path))
    text = " ".join(result.output.split())  # no dependence on line breaks
    assert result.exit_code == case.exit_code, result.output
    assert case.where in text, result.output
    assert case.german in text and case.english in text, result.output
    # every rejection the summary shows is German and English ('deutsch / english')
    shown = [line for line in result.output.splitlines() if ", Zeile/row " in line]
    assert all(" / " in line.split(": ", 1)[1] for line in shown), result.output

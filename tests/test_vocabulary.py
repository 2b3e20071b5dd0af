"""Vocabulary as data: German, English and OSM terms for uses, heater types and carriers, and the
split of residential buildings of unknown type (TABULA DE, Loga et al. 2015)."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from heatplan.inputs.imports import import_buildings, import_heaters
from heatplan.inputs.validate import load_reference, valid_uses
from heatplan.inputs.vocabulary import (
    RESIDENTIAL,
    carrier_terms,
    heater_terms,
    split_residential,
    term_key,
    use_terms,
)
from heatplan.project.create import create_project
from heatplan.reference import table

DATA = Path(__file__).parent / "data"
#: A point in Schutterwald (Ortenaukreis) in EPSG:25832 [m].
X0, Y0 = 417400.0, 5367600.0
#: GEG A_N = 0.32 1/m x V_e with a storey height of 2.75 m (data/heated_area.csv) [m2 per m2].
AN_PER_FOOTPRINT_STOREY = 0.32 * 2.75
#: Largest TABULA DE SFH and smallest MFH reference area (data/tabula_residential.csv) [m2].
SFH_LARGEST_M2, MFH_SMALLEST_M2 = 302.5, 312.4


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    create_project(folder, name="Test")
    return folder


def _layer(project: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer=name)


def _rejection(project: Path, row: int) -> pd.Series:
    rejections = _layer(project, "import_rejections")
    found = rejections[rejections["row"] == row]
    assert len(found) == 1, rejections.to_string()
    return found.iloc[0]


# --- the tables ------------------------------------------------------------------------------
def test_term_key_ignores_case_blanks_hyphens_and_umlaut_spellings() -> None:
    assert term_key("Gas-Therme") == term_key(" gastherme ") == term_key("GAS THERME")
    assert term_key("Heizöl EL") == term_key("Heizoel  el")
    assert term_key("Großes Mehrfamilienhaus") == term_key("grosses mehrfamilienhaus")


def test_every_term_names_a_valid_code() -> None:
    heater_codes = set(table("heater_types.csv")["heater_type"])
    carrier_codes = set(table("carriers.csv")["carrier"])
    terms = load_reference("heater_type_terms.csv")
    assert set(terms["heater_type"]) <= heater_codes
    assert set(terms["carrier"]) - {""} <= carrier_codes
    assert set(load_reference("carrier_terms.csv")["carrier"]) <= carrier_codes
    assert set(use_terms().values()) <= valid_uses() | {RESIDENTIAL}


@pytest.mark.parametrize("name", ["heater_type_terms.csv", "carrier_terms.csv", "use_labels.csv"])
def test_no_spelling_of_a_term_maps_to_two_codes(name: str) -> None:
    frame = load_reference(name)
    term, code = frame.columns[0], frame.columns[1]
    codes = frame.groupby(frame[term].map(term_key))[code].nunique()
    assert (codes == 1).all(), codes[codes > 1]


@pytest.mark.parametrize(
    ("term", "heater_type"),
    [
        ("Kachelofen", "stove"),
        ("Gas-Therme", "boiler"),
        ("Gasbrennwert", "condensing_boiler"),
        ("Pelletkessel", "boiler"),
        ("Ölkessel", "boiler"),
        ("OELKESSEL", "boiler"),
        ("Nachtspeicher", "electric_storage"),
        ("Wärmepumpe", "heat_pump_air"),
        ("Sole/Wasser-Wärmepumpe", "heat_pump_ground"),
        ("Fernwärme", "substation"),
        ("Brennwertkessel", "condensing_boiler"),  # label_de of heater_types.csv
    ],
)
def test_german_heater_words(term: str, heater_type: str) -> None:
    assert heater_terms()[term_key(term)] == heater_type


@pytest.mark.parametrize(
    ("term", "carrier"),
    [
        ("Erdgas", "natural_gas"),
        ("Heizöl EL", "heating_oil"),
        ("Flüssiggas", "lpg"),
        ("Holzpellets", "wood"),
        ("Scheitholz", "wood"),
        ("Strom", "electricity"),
        ("Fernwärme", "district_heat"),
        ("fernwaerme", "district_heat"),
    ],
)
def test_german_carrier_words(term: str, carrier: str) -> None:
    assert carrier_terms()[term_key(term)] == carrier


@pytest.mark.parametrize(
    ("term", "use"),
    [
        ("Einfamilienhaus", "sfh"),
        ("Reihenhaus", "th"),
        ("Mehrfamilienhaus", "mfh"),
        ("Bürogebäude", "office"),
        ("Schule", "school"),
        ("Wohnhaus", RESIDENTIAL),
        ("Wohngebäude", RESIDENTIAL),
        ("house", "sfh"),  # OSM building=house (data/uses.csv)
        ("apartments", "mfh"),
        ("residential", RESIDENTIAL),
    ],
)
def test_german_and_osm_use_words(term: str, use: str) -> None:
    assert use_terms()[term_key(term)] == use


# --- residential of unknown type -------------------------------------------------------------
def _split(**given: list[float]) -> tuple[list[str], list[bool]]:
    n = len(next(iter(given.values())))
    empty = [np.nan] * n
    use, flag = split_residential(
        pd.Series([RESIDENTIAL] * n),
        dwellings=pd.Series(given.get("dwellings", empty), dtype=float),
        floors=pd.Series(given.get("floors", empty), dtype=float),
        heated_area_m2=pd.Series(given.get("heated", empty), dtype=float),
        footprint_area_m2=pd.Series(given.get("footprint", empty), dtype=float),
    )
    return use.tolist(), flag.tolist()


def test_dwellings_decide_the_type_as_tabula_counts_them() -> None:
    # TABULA DE: EFH 1-2 dwellings, MFH 3-12, GMH 13 and more; dwellings win over any area
    use, flag = _split(dwellings=[1, 2, 3, 12, 13], footprint=[900.0] * 5)
    assert use == ["sfh", "sfh", "mfh", "mfh", "ab"]
    assert flag == [True] * 5


def test_heated_area_threshold_lies_between_the_tabula_sfh_and_mfh_ranges() -> None:
    threshold = float(
        table("residential_split.csv").set_index("parameter").at["sfh_max_heated_area_m2", "value"]
    )
    assert SFH_LARGEST_M2 < threshold < MFH_SMALLEST_M2
    # footprint x 2 storeys x 0.88: just under and just over the threshold, by hand
    under = (threshold - 1.0) / (2 * AN_PER_FOOTPRINT_STOREY)
    over = (threshold + 1.0) / (2 * AN_PER_FOOTPRINT_STOREY)
    use, _ = _split(footprint=[under, over], floors=[2.0, 2.0])
    assert use == ["sfh", "mfh"]
    # storeys unknown: two assumed (data/residential_split.csv), the same answer
    assert _split(footprint=[under, over])[0] == ["sfh", "mfh"]
    # a given heated area wins over the footprint estimate
    assert _split(heated=[threshold - 1.0], footprint=[5000.0])[0] == ["sfh"]


def test_unknown_stays_unknown_and_other_uses_are_kept() -> None:
    use, flag = split_residential(
        pd.Series([RESIDENTIAL, "office", "sfh"]),
        dwellings=pd.Series([np.nan, 40.0, 9.0]),
        floors=pd.Series([np.nan] * 3),
        heated_area_m2=pd.Series([np.nan] * 3),
        footprint_area_m2=pd.Series([np.nan] * 3),
    )
    assert use.tolist() == ["unknown", "office", "sfh"]
    assert flag.tolist() == [False, False, False]


# --- imports ---------------------------------------------------------------------------------
def _buildings(path: Path, rows: list[dict[str, object]], sizes_m: list[float]) -> Path:
    geometry = [
        shapely.box(X0 + 100 * i, Y0, X0 + 100 * i + s, Y0 + s) for i, s in enumerate(sizes_m)
    ]
    gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:25832").to_file(path)
    return path


def test_buildings_with_german_words_and_residential_of_unknown_type(
    project: Path, tmp_path: Path
) -> None:
    rows = [
        {"Nutzung": "Wohnhaus", "Wohnungen": "5", "Geschosse": "2"},
        {"Nutzung": "Wohngebäude", "Wohnungen": None, "Geschosse": None},
        {"Nutzung": "wohngebaeude", "Wohnungen": None, "Geschosse": "4"},
        {"Nutzung": " EINFAMILIENHAUS ", "Wohnungen": None, "Geschosse": None},
        {"Nutzung": "Bürogebäude", "Wohnungen": None, "Geschosse": "3"},
        {"Nutzung": "Raumstation", "Wohnungen": None, "Geschosse": None},
    ]
    # 10 m squares: 100 m2 x 2 assumed storeys x 0.88 = 176 m2 < 305 -> sfh;
    # 20 m square with 4 storeys: 400 x 4 x 0.88 = 1408 m2 -> mfh
    rows = [{**row, "Bemerkung": "Denkmal"} for row in rows]
    file = _buildings(tmp_path / "gebaeude.gpkg", rows, [10, 10, 20, 10, 10, 10])
    result = import_buildings(project, file)
    assert (result.imported, result.rejected) == (5, 1)
    assert result.ignored_columns == ("Bemerkung",)
    stored = _layer(project, "buildings").sort_values("source_row")
    assert stored["use"].tolist() == ["mfh", "sfh", "mfh", "sfh", "office"]
    assert stored["use_estimated"].tolist() == [True, True, True, False, False]
    bad = _rejection(project, 6)
    assert (bad["file"], bad["field"], bad["value"]) == ("gebaeude.gpkg", "use", "Raumstation")
    assert "unknown use" in bad["reason"] and "unbekannter Wert" in bad["reason"]


def test_osm_building_values_in_a_vector_file(project: Path, tmp_path: Path) -> None:
    rows = [{"building": b} for b in ("house", "apartments", "residential", "yes")]
    file = _buildings(tmp_path / "osm_export.geojson", rows, [10, 10, 10, 10])
    assert import_buildings(project, file).imported == 4
    stored = _layer(project, "buildings").sort_values("source_row")
    assert stored["use"].tolist() == ["sfh", "mfh", "sfh", "unknown"]
    assert stored["use_estimated"].tolist() == [False, False, True, False]


def test_heater_register_in_german_words(project: Path, tmp_path: Path) -> None:
    file = shutil.copy(DATA / "heaters_de" / "feuerstaetten.csv", tmp_path / "fs.csv")
    result = import_heaters(project, Path(file))
    assert (result.imported, result.rejected) == (8, 0)
    assert result.ignored_columns == ("Bezirk",)
    heaters = _layer(project, "heaters").sort_values("source_row")
    assert heaters["heater_type"].tolist() == [
        "boiler",
        "stove",
        "boiler",
        "heat_pump_air",
        "electric_storage",
        "boiler",
        "condensing_boiler",
        "substation",
    ]
    # carriers: the file's word where given, else the one the heater word names, else none
    assert heaters["carrier"].tolist() == [
        "natural_gas",
        "wood",
        "heating_oil",
        "electricity",
        "electricity",
        "wood",
        "natural_gas",
        "district_heat",
    ]
    assert heaters["heater_type_estimated"].tolist() == [False, False, False, True] + [False] * 4
    assert heaters["capacity_kw"].iloc[1] == pytest.approx(8.5)


def test_unknown_heater_word_is_rejected_with_row_and_field(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "kehrbuch.csv"
    file.write_text(
        "Straße;Hausnummer;Feuerstätte;Brennstoff\n"
        "Hauptstraße;1;Kachelofen;Scheitholz\n"
        "Hauptstraße;2;Dampfmaschine;Kohle\n"
        "Hauptstraße;3;Kachelofen;\n",
        encoding="utf-8",
    )
    result = import_heaters(project, file)
    assert (result.imported, result.rejected) == (1, 2)
    bad = _rejection(project, 2)
    assert (bad["file"], bad["field"], bad["value"]) == (
        "kehrbuch.csv",
        "heater_type",
        "Dampfmaschine",
    )
    assert "unknown heater_type" in bad["reason"]
    # a Kachelofen names no fuel: the carrier stays unknown, the row is refused, not guessed
    missing = _rejection(project, 3)
    assert (missing["field"], missing["reason"]) == (
        "carrier",
        "Pflichtwert fehlt / missing required value",
    )

"""Imports of consumption, heaters, lines and polygons: real files in every supported format,
every kind of bad row rejected with file/row/field/reason, one transaction per import."""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import InputFileError
from heatplan.inputs.imports import (
    ImportResult,
    import_barriers,
    import_consumption,
    import_heaters,
    import_lines,
    import_polygons,
)
from heatplan.inputs.result import SUMMARY_KEYS
from heatplan.project.create import create_project
from heatplan.project.store import StoreWriter
from heatplan.reference import table

runner = CliRunner()
CRS = "EPSG:25832"
#: A point in Schutterwald (Ortenaukreis) in EPSG:25832 [m].
X0, Y0 = 417400.0, 5367600.0
#: Tolerance of reprojected coordinates against pyproj [m].
XY_ATOL_M = 1e-3
NEXT_YEAR = date.today().year + 1


# --- helpers ---------------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    create_project(folder, name="Test")
    return folder


def _read(project: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer=name)


def _rejections(project: Path) -> pd.DataFrame:
    """The stored rejections, then those of failed imports (their CSV reports: a failed import
    leaves the store as it was)."""
    reports = sorted((project / "import-rejections").glob("*.csv"))
    parts = [pd.read_csv(p, dtype=str).astype({"row": "int64"}) for p in reports]
    if "import_rejections" in pyogrio.list_layers(project / "plan.gpkg")[:, 0]:
        parts.insert(0, pyogrio.read_dataframe(project / "plan.gpkg", layer="import_rejections"))
    frame = pd.concat(parts, ignore_index=True)
    assert {"file", "row", "field", "value", "reason", "target", "run_id"} <= set(frame.columns)
    return frame


def _one(rejections: pd.DataFrame, **match: object) -> pd.Series:
    """The single rejection whose columns equal ``match``."""
    rows = rejections
    for name, value in match.items():
        rows = rows[rows[name] == value]
    assert len(rows) == 1, f"{match} matched {len(rows)}:\n{rejections.to_string()}"
    return rows.iloc[0]


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _line(dx: float = 0.0, dy: float = 0.0) -> shapely.LineString:
    return shapely.LineString([(X0 + dx, Y0 + dy), (X0 + dx + 50, Y0 + dy + 20)])


def _box(dx: float = 0.0) -> shapely.Polygon:
    return shapely.box(X0 + dx, Y0, X0 + dx + 80, Y0 + 60)


def _write_geo(frame: gpd.GeoDataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- consumption -----------------------------------------------------------------------------
def test_consumption_csv_with_german_decimal_comma_and_semicolons(
    project: Path, tmp_path: Path
) -> None:
    file = tmp_path / "verbrauch.csv"
    file.write_text(
        "Gebäude_ID;Jahr;Energieträger;Verbrauch;Einheit\n"
        'B1;2021;Erdgas;"12.345,6";kWh\n'
        "B1;2022;Erdgas;11000,5;kWh\n"
        "B2;;Fernwärme;2,5;MWh\n",
        encoding="utf-8-sig",
    )
    result = import_consumption(project, file)
    assert (result.imported, result.rejected, result.layer) == (3, 0, "consumption")
    stored = _read(project, "consumption")
    assert stored["building_id"].tolist() == ["B1", "B1", "B2"]
    assert stored["carrier"].tolist() == ["natural_gas", "natural_gas", "district_heat"]
    assert stored["value"].tolist() == pytest.approx([12345.6, 11000.5, 2.5])
    assert stored["final_energy_kwh"].tolist() == pytest.approx([12345.6, 11000.5, 2500.0])
    assert stored["year"].iloc[0] == 2021 and pd.isna(stored["year"].iloc[2])
    assert stored["source_file"].unique().tolist() == ["verbrauch.csv"]
    assert stored["source_row"].tolist() == [1, 2, 3]


def test_german_thousands_separator_is_read_from_the_column(project: Path, tmp_path: Path) -> None:
    # '1.500' alone could be 1.5 or 1500; the decimal comma in '12,5' tells the column is German
    file = _csv(
        tmp_path / "gas.csv",
        "building_id;year;carrier;value;unit\nB1;2022;Erdgas;1.500;kWh\nB2;2022;Erdgas;12,5;kWh\n",
    )
    import_consumption(project, file)
    assert _read(project, "consumption")["value"].tolist() == pytest.approx([1500.0, 12.5])


def test_ambiguous_separator_is_rejected_not_guessed(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "gas.csv",
        "building_id;year;carrier;value;unit\nB1;2022;Erdgas;1.500;kWh\nB2;2022;Erdgas;900;kWh\n",
    )
    result = import_consumption(project, file)
    assert (result.imported, result.rejected) == (1, 1)
    row = _one(_rejections(project), field="value")
    assert row["row"] == 1 and "ambiguous" in row["reason"]


def test_consumption_xlsx_by_address_parts(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "meters.xlsx"
    rows = pd.DataFrame(
        {
            "Straße": ["Forckenbeck Str.", "Hauptstrasse"],
            "Hausnummer": ["6 A", 12],
            "PLZ": [52074, 77746],
            "year": [2022, 2023],
            "carrier": ["natural_gas", "Heizöl"],
            "value": [18.5, 2000],
            "unit": ["MWh", "Liter"],
        }
    )
    rows.to_excel(file, sheet_name="Zähler", index=False)
    result = import_consumption(project, file, sheet="Zähler")
    assert (result.imported, result.rejected) == (2, 0)
    stored = _read(project, "consumption")
    assert stored["address"].tolist() == ["forckenbeck straße 6a, 52074", "hauptstraße 12, 77746"]
    assert stored["building_id"].isna().all()
    # heating oil EL: 10.0 kWh(Hi)/l, DIN 51603-1 (data/unit_conversions.csv)
    assert stored["final_energy_kwh"].tolist() == pytest.approx([18500.0, 20000.0])
    assert stored["unit"].tolist() == ["MWh", "l"]


def test_gas_m3_converted_with_the_sourced_factor(project: Path, tmp_path: Path) -> None:
    conversions = table("unit_conversions.csv")
    gas = conversions[(conversions["carrier"] == "natural_gas") & (conversions["unit"] == "m3")]
    factor = float(gas["kwh_hi_per_unit"].iloc[0])
    assert "DVGW G 685" in gas["source"].iloc[0]
    assert factor == pytest.approx(9.50)  # Hs_n 11.1 kWh/m3 x z 0.95 / (Hs/Hi 1.11)
    file = _csv(
        tmp_path / "gas.csv",
        "building_id,year,carrier,value,unit\n"
        "G1,2022,natural_gas,1000,m³\nG2,2022,natural_gas,1000,m^3\n"
        "G3,2022,natural_gas,1000,cbm\nG4,2022,natural_gas,1000,m3\n",
    )
    assert import_consumption(project, file).imported == 4
    stored = _read(project, "consumption")
    assert set(stored["unit"]) == {"m3"}
    assert stored["final_energy_kwh"].tolist() == pytest.approx([1000 * factor] * 4)


def test_gas_billed_in_kwh_hs_is_converted_to_net_calorific_value(
    project: Path, tmp_path: Path
) -> None:
    ratio = float(table("carriers.csv").set_index("carrier").loc["natural_gas", "hs_hi_ratio"])
    file = _csv(
        tmp_path / "bill.csv", "building_id,carrier,value,unit\nG1,natural_gas,11100,kWh (Hs)\n"
    )
    import_consumption(project, file)
    assert _read(project, "consumption")["final_energy_kwh"].iloc[0] == pytest.approx(11100 / ratio)


def test_default_unit_is_used_where_the_file_has_no_unit(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "oil.csv", "building_id,year,carrier,value\nH1,2023,heating_oil,2500\n")
    import_consumption(project, file, unit="Liter")
    stored = _read(project, "consumption")
    assert stored["unit"].tolist() == ["l"]
    assert stored["final_energy_kwh"].tolist() == pytest.approx([25000.0])


def test_missing_unit_is_rejected_with_a_hint(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "nounit.csv", "building_id,year,carrier,value\nH1,2023,wood,12\n")
    result = import_consumption(project, file)
    assert (result.imported, result.rejected) == (0, 1)
    assert "--unit" in _one(_rejections(project), field="unit")["reason"]


def test_unknown_default_unit_is_a_file_error(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "c.csv", "building_id,carrier,value\nH1,wood,12\n")
    with pytest.raises(InputFileError, match="unknown default unit 'furlongs'"):
        import_consumption(project, file, unit="furlongs")


def test_unit_without_conversion_for_the_carrier_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,carrier,value,unit\n"
        "E1,electricity,300,m3\nE2,electricity,300,parsecs\nE3,electricity,300,kWh\n",
    )
    result = import_consumption(project, file)
    assert (result.imported, result.rejected) == (1, 2)
    rejections = _rejections(project)
    pair = _one(rejections, row=1)
    assert (pair["file"], pair["field"], pair["value"]) == ("c.csv", "unit", "m3")
    assert "'m3'" in pair["reason"] and "'electricity'" in pair["reason"]
    assert "unbekannte Einheit / unknown unit" in _one(rejections, row=2)["reason"]


def test_consumption_non_numeric_value_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,year,carrier,value,unit\n"
        "A,2022,natural_gas,viel,kWh\nB,2022,natural_gas,100,kWh\n",
    )
    result = import_consumption(project, file)
    assert (result.imported, result.rejected) == (1, 1)
    bad = _one(_rejections(project), row=1)
    assert (bad["file"], bad["field"], bad["value"]) == ("c.csv", "value", "viel")
    assert "keine Zahl 'viel' / not a number" in bad["reason"]
    assert bad["target"] == "consumption"


def test_consumption_negative_value_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,year,carrier,value,unit\n"
        "A,2022,natural_gas,100,kWh\nB,2022,natural_gas,-5,kWh\n",
    )
    assert import_consumption(project, file).imported == 1
    bad = _one(_rejections(project), row=2)
    assert (bad["field"], bad["reason"]) == ("value", "negativer Wert / negative value")


def test_consumption_unknown_carrier_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv", "building_id,year,carrier,value,unit\nA,2022,Plutonium,100,kWh\n"
    )
    result = import_consumption(project, file)
    assert (result.imported, result.usable) == (0, False)
    bad = _one(_rejections(project), row=1)
    assert (bad["field"], bad["value"]) == ("carrier", "Plutonium")
    assert bad["reason"].startswith("unbekannter Wert für carrier / unknown carrier (valid: ")


def test_consumption_year_in_the_future_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,year,carrier,value,unit\n"
        f"A,{NEXT_YEAR},natural_gas,100,kWh\nA,{NEXT_YEAR - 2},natural_gas,100,kWh\n",
    )
    assert import_consumption(project, file).imported == 1
    bad = _one(_rejections(project), row=1)
    assert bad["field"] == "year" and "future" in bad["reason"]


def test_consumption_without_building_or_address_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,address,carrier,value,unit\n"
        ",,natural_gas,100,kWh\n,Am Markt 1,natural_gas,100,kWh\n",
    )
    assert import_consumption(project, file).imported == 1
    bad = _one(_rejections(project), row=1)
    assert bad["field"] == "building_id" and "missing both building_id and address" in bad["reason"]
    assert _read(project, "consumption")["address"].tolist() == ["am markt 1"]


def test_consumption_duplicates_in_the_file_keep_the_first(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,year,carrier,value,unit\n"
        "A,2022,natural_gas,100,kWh\nA,2022,natural_gas,120,kWh\n"
        "A,2023,natural_gas,100,kWh\nA,2022,electricity,100,kWh\n",
    )
    result = import_consumption(project, file)
    assert (result.imported, result.rejected) == (3, 1)
    bad = _one(_rejections(project), row=2)
    assert (
        bad["field"] == "building_id" and "duplicate" in bad["reason"] and "row 1" in bad["reason"]
    )


def test_consumption_duplicate_of_a_rejected_row_is_kept(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,year,carrier,value,unit\n"
        "A,2022,natural_gas,-1,kWh\nA,2022,natural_gas,120,kWh\n",
    )
    assert import_consumption(project, file).imported == 1
    assert _read(project, "consumption")["value"].tolist() == [120.0]


def test_consumption_reimport_rejects_every_row_as_already_imported(
    project: Path, tmp_path: Path
) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,address,year,carrier,value,unit\n"
        "A,,2022,natural_gas,100,kWh\n,Am Markt 1,,natural_gas,100,kWh\n",
    )
    assert import_consumption(project, file).imported == 2
    again = import_consumption(project, file)
    assert (again.imported, again.rejected, again.usable) == (0, 2, False)
    rejections = _rejections(project)
    assert rejections["field"].tolist() == ["building_id", "address"]
    assert rejections["reason"].str.contains("/ already imported").all()
    assert len(_read(project, "consumption")) == 2


def test_mapping_file_renames_columns_values_and_sets_the_unit(
    project: Path, tmp_path: Path
) -> None:
    file = _csv(
        tmp_path / "stadtwerke.csv",
        "Kundennr;Abrechnungsjahr;Sparte;Menge_MWh\nK1;2022;G;12,5\nK2;2022;W;3\n",
    )
    mapping = tmp_path / "stadtwerke.toml"
    mapping.write_text(
        'unit = "MWh"\n\n[columns]\nKundennr = "building_id"\n'
        'Abrechnungsjahr = "year"\nSparte = "carrier"\nMenge_MWh = "value"\n\n'
        '[values.carrier]\nG = "natural_gas"\nW = "district_heat"\n',
        encoding="utf-8",
    )
    assert import_consumption(project, file, mapping=mapping).imported == 2
    stored = _read(project, "consumption")
    assert stored["building_id"].tolist() == ["K1", "K2"]
    assert stored["carrier"].tolist() == ["natural_gas", "district_heat"]
    assert stored["unit"].tolist() == ["MWh", "MWh"]
    assert stored["final_energy_kwh"].tolist() == pytest.approx([12500.0, 3000.0])
    # --unit wins over the mapping's unit
    other = _csv(tmp_path / "other.csv", "Kundennr;Sparte;Menge_MWh\nK3;G;7\n")
    import_consumption(project, other, mapping=mapping, unit="kWh")
    assert _read(project, "consumption")["final_energy_kwh"].iloc[-1] == pytest.approx(7.0)


def test_consumption_does_not_need_the_buildings_yet(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "c.csv", "building_id,carrier,value,unit\nnowhere-1,wood,4,kg\n")
    assert import_consumption(project, file).imported == 1


# --- heaters ---------------------------------------------------------------------------------
def test_heaters_register_with_german_labels(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "kehrbuch.csv",
        "Gebäude_ID;Feuerstätte;Brennstoff;Nennleistung;Einbaujahr\n"
        "B1;Brennwertkessel;Erdgas;24,5;2012\n"
        "B2;Luft-Wasser-Wärmepumpe;Strom;9;2021\n",
    )
    result = import_heaters(project, file)
    assert (result.imported, result.rejected, result.layer) == (2, 0, "heaters")
    stored = _read(project, "heaters")
    assert stored["heater_id"].tolist() == ["kehrbuch-1", "kehrbuch-2"]
    assert stored["heater_type"].tolist() == ["condensing_boiler", "heat_pump_air"]
    assert stored["carrier"].tolist() == ["natural_gas", "electricity"]
    assert stored["capacity_kw"].tolist() == pytest.approx([24.5, 9.0])
    assert stored["install_year"].tolist() == [2012, 2021]


def test_heaters_xlsx_with_own_ids(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "register.xlsx"
    pd.DataFrame(
        {
            "ID": ["F-7", "F-8"],
            "building_id": ["B1", "B1"],
            "heater_type": ["boiler", "stove"],
            "carrier": ["heating_oil", "wood"],
            "capacity_kw": [30, 6.5],
            "install_year": [1994, 2005],
        }
    ).to_excel(file, index=False)
    assert import_heaters(project, file).imported == 2
    stored = _read(project, "heaters")
    assert stored["heater_id"].tolist() == ["F-7", "F-8"]
    assert stored["building_id"].tolist() == ["B1", "B1"]


def test_heaters_unknown_heater_type_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "h.csv",
        "building_id,heater_type,carrier,capacity_kw\n"
        "B1,Dampfmaschine,natural_gas,20\nB2,boiler,natural_gas,20\n",
    )
    assert import_heaters(project, file).imported == 1
    bad = _one(_rejections(project), row=1)
    assert (bad["file"], bad["field"], bad["value"]) == ("h.csv", "heater_type", "Dampfmaschine")
    assert bad["reason"].startswith(
        "unbekannter Wert für heater_type / unknown heater_type (valid: "
    )


def test_heaters_unknown_carrier_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "h.csv", "building_id,heater_type,carrier\nB1,boiler,Kerosin\n")
    assert import_heaters(project, file).rejected == 1
    assert _one(_rejections(project), row=1)["field"] == "carrier"


def test_heaters_negative_and_non_numeric_capacity_are_rejected(
    project: Path, tmp_path: Path
) -> None:
    file = _csv(
        tmp_path / "h.csv",
        "building_id,heater_type,carrier,capacity_kw\n"
        "B1,boiler,natural_gas,-20\nB2,boiler,natural_gas,groß\nB3,boiler,biogas,15\n",
    )
    result = import_heaters(project, file)
    assert (result.imported, result.rejected) == (1, 2)
    rejections = _rejections(project)
    assert _one(rejections, row=1)["reason"] == "negativer Wert / negative value"
    assert _one(rejections, row=2)["field"] == "capacity_kw"
    assert "keine Zahl 'groß' / not a number" in _one(rejections, row=2)["reason"]


def test_heaters_install_year_in_the_future_is_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "h.csv",
        "building_id,heater_type,carrier,install_year\n"
        f"B1,heat_pump_ground,electricity,{NEXT_YEAR}\n",
    )
    assert import_heaters(project, file).imported == 0
    bad = _one(_rejections(project), row=1)
    assert bad["field"] == "install_year" and "future" in bad["reason"]


def test_heaters_without_building_or_address_are_rejected(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "h.csv",
        "street,house_number,heater_type,carrier\n"
        "Hauptstraße,,boiler,natural_gas\nHauptstraße,3,boiler,natural_gas\n",
    )
    assert import_heaters(project, file).imported == 1
    assert _one(_rejections(project), row=1)["field"] == "building_id"
    assert _read(project, "heaters")["address"].tolist() == ["hauptstraße 3"]


def test_heaters_duplicate_ids_in_file_and_on_reimport(project: Path, tmp_path: Path) -> None:
    file = _csv(
        tmp_path / "h.csv",
        "heater_id,building_id,heater_type,carrier\n"
        "F1,B1,boiler,natural_gas\nF1,B2,boiler,natural_gas\nF2,B2,stove,wood\n",
    )
    assert import_heaters(project, file).imported == 2
    first = _one(_rejections(project), row=2)
    assert first["reason"] == (
        "Kennung doppelt in der Datei (zuerst in Zeile 1) / duplicate id in the file "
        "(first in row 1)"
    )
    again = import_heaters(project, file)
    assert (again.imported, again.rejected) == (0, 3)
    assert _rejections(project)["reason"].str.contains("already imported").sum() == 2


# --- lines -----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".parquet"])
def test_streets_from_every_vector_format(project: Path, tmp_path: Path, suffix: str) -> None:
    lines = gpd.GeoDataFrame(
        {"name": ["Hauptstraße", "Kirchweg"], "fclass": ["primary", None], "lanes": [2, 1]},
        geometry=[_line(), shapely.MultiLineString([_line(0, 40), _line(60, 40)])],
        crs=CRS,
    )
    file = _write_geo(lines, tmp_path / f"streets{suffix}")
    result = import_lines(project, file, kind="streets")
    assert (result.imported, result.rejected, result.layer) == (2, 0, "streets")
    stored = _read(project, "streets")
    assert stored["line_id"].tolist() == ["streets-1", "streets-2"]
    assert stored["name"].tolist() == ["Hauptstraße", "Kirchweg"]
    assert stored["road_class"].iloc[0] == "primary"  # Geofabrik 'fclass'
    assert stored["lanes"].tolist() == [2, 1]  # the file's own columns are kept
    assert stored["source_file"].iloc[0] == file.name and stored["source_row"].tolist() == [1, 2]
    # a mix of single and multi lines is stored as multi lines (one GeoPackage geometry type)
    assert stored.geometry.length.tolist() == pytest.approx(lines.geometry.length.tolist())


def test_gas_network_keeps_pipe_ids_and_attributes(project: Path, tmp_path: Path) -> None:
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": ["P1", "P2"],
            "DN": [100, 150],
            "medium": ["gas"] * 2,
            "fid": [7, 7],
            "material": ["PE", "steel"],
        },
        geometry=[_line(), _line(0, 30)],
        crs=CRS,
    )
    file = _write_geo(pipes, tmp_path / "gas.geojson")
    assert import_lines(project, file, kind="gas_network").layer == "gas_networks"
    stored = _read(project, "gas_networks")
    assert stored["line_id"].tolist() == ["P1", "P2"]
    assert stored["diameter_mm"].tolist() == [100.0, 150.0]
    assert stored["source_fid"].tolist() == [7, 7]  # 'fid' is the GeoPackage key
    assert stored["material"].tolist() == ["PE", "steel"]


def test_lines_are_reprojected_to_the_project_crs(project: Path, tmp_path: Path) -> None:
    lon_lat = [(7.8851, 48.4512), (7.8862, 48.4519)]
    lines = gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[shapely.LineString(lon_lat)], crs="EPSG:4326"
    )
    import_lines(project, _write_geo(lines, tmp_path / "wgs84.geojson"), kind="heat_network")
    stored = _read(project, "heat_networks")
    assert stored.crs.to_epsg() == 25832
    expected = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(*lon_lat[0])
    assert stored.geometry.iloc[0].coords[0] == pytest.approx(expected, abs=XY_ATOL_M)


def test_lines_with_coordinates_that_do_not_fit_the_crs_fail(project: Path, tmp_path: Path) -> None:
    # lon/lat numbers in a file that declares UTM 32N
    lines = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[shapely.LineString([(7.88, 48.45), (7.89, 48.46)])] * 2,
        crs=CRS,
    )
    file = _write_geo(lines, tmp_path / "swapped.gpkg")
    with pytest.raises(InputFileError, match="do not fit the CRS EPSG:25832") as info:
        import_lines(project, file, kind="streets")
    assert "EPSG:4326" in str(info.value)
    assert not (project / "plan.gpkg.lock").exists()


def test_a_line_outside_the_crs_is_rejected(project: Path, tmp_path: Path) -> None:
    lines = gpd.GeoDataFrame(
        {"name": ["a", "b", "far"]},
        geometry=[_line(), _line(0, 30), shapely.LineString([(7.8, 48.4), (7.9, 48.5)])],
        crs=CRS,
    )
    assert (
        import_lines(project, _write_geo(lines, tmp_path / "s.gpkg"), kind="streets").imported == 2
    )
    bad = _one(_rejections(project), row=3)
    assert bad["field"] == "geometry" and "plausible range" in bad["reason"]


def test_lines_without_crs_need_the_crs_option(project: Path, tmp_path: Path) -> None:
    lines = gpd.GeoDataFrame({"name": ["a"]}, geometry=[_line()], crs=None)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        file = _write_geo(lines, tmp_path / "noprj.shp")
    assert not file.with_suffix(".prj").exists()
    with pytest.raises(InputFileError, match="declares no CRS") as info:
        import_lines(project, file, kind="streets")
    assert "--crs" in str(info.value) and "EPSG:25832" in str(info.value)
    result = import_lines(project, file, kind="streets", crs=CRS)
    assert result.imported == 1
    assert _read(project, "streets").geometry.iloc[0].equals(_line())


def test_invalid_line_geometry_is_rejected(project: Path, tmp_path: Path) -> None:
    degenerate = shapely.LineString([(X0, Y0), (X0, Y0)])
    lines = gpd.GeoDataFrame({"name": ["ok", "bad"]}, geometry=[_line(), degenerate], crs=CRS)
    assert (
        import_lines(project, _write_geo(lines, tmp_path / "l.gpkg"), kind="streets").imported == 1
    )
    bad = _one(_rejections(project), row=2)
    assert bad["field"] == "geometry" and bad["reason"].startswith(
        "ungültige Geometrie / invalid geometry: Too few"
    )


def test_empty_line_geometry_is_rejected(project: Path, tmp_path: Path) -> None:
    lines = gpd.GeoDataFrame(
        {"name": ["ok", "null", "empty"]}, geometry=[_line(), None, shapely.LineString()], crs=CRS
    )
    result = import_lines(project, _write_geo(lines, tmp_path / "l.gpkg"), kind="streets")
    assert (result.imported, result.rejected) == (1, 2)
    rejections = _rejections(project)
    assert rejections["row"].tolist() == [2, 3]
    assert set(rejections["reason"]) == {"leere Geometrie / empty geometry"}


def test_points_in_a_line_file_are_rejected(project: Path, tmp_path: Path) -> None:
    lines = gpd.GeoDataFrame(
        {"name": ["ok", "pt"]}, geometry=[_line(), shapely.Point(X0, Y0)], crs=CRS
    )
    assert (
        import_lines(project, _write_geo(lines, tmp_path / "l.geojson"), kind="streets").imported
        == 1
    )
    assert "allowed: LineString, MultiLineString" in _one(_rejections(project), row=2)["reason"]


def test_duplicate_line_ids_in_file_and_on_reimport(project: Path, tmp_path: Path) -> None:
    lines = gpd.GeoDataFrame(
        {"line_id": ["S1", "S1", "S2"]}, geometry=[_line(), _line(0, 30), _line(0, 60)], crs=CRS
    )
    file = _write_geo(lines, tmp_path / "l.gpkg")
    assert import_lines(project, file, kind="streets").imported == 2
    bad = _one(_rejections(project), row=2)
    assert (bad["field"], bad["value"]) == ("line_id", "S1") and "duplicate" in bad["reason"]
    again = import_lines(project, file, kind="streets")
    assert (again.imported, again.rejected) == (0, 3)
    assert len(_read(project, "streets")) == 2


def test_second_line_file_with_other_columns_and_types_keeps_both(
    project: Path, tmp_path: Path
) -> None:
    first = gpd.GeoDataFrame({"code": [1, 2]}, geometry=[_line(), _line(0, 30)], crs=CRS)
    second = gpd.GeoDataFrame(
        {"code": ["A-9"], "surface": ["asphalt"]},
        geometry=[shapely.MultiLineString([_line(0, 90)])],
        crs=CRS,
    )
    import_lines(project, _write_geo(first, tmp_path / "a.gpkg"), kind="streets")
    import_lines(project, _write_geo(second, tmp_path / "b.gpkg"), kind="streets")
    stored = _read(project, "streets")
    assert stored["line_id"].tolist() == ["a-1", "a-2", "b-1"]
    assert stored["code"].tolist() == ["1", "2", "A-9"]  # text kept, not turned into 0
    assert stored["surface"].iloc[2] == "asphalt" and stored["surface"].iloc[:2].isna().all()
    assert set(stored.geometry.geom_type) == {"MultiLineString"}


def test_mapping_file_renames_columns_and_values_of_lines(project: Path, tmp_path: Path) -> None:
    pipes = gpd.GeoDataFrame(
        {"OBJ_NR": ["W1"], "STR_NAME": ["Ringstraße"], "MED": ["HW"], "NW": [80]},
        geometry=[_line()],
        crs=CRS,
    )
    file = _write_geo(pipes, tmp_path / "fw.gpkg")
    mapping = tmp_path / "fw.toml"
    mapping.write_text(
        '[columns]\nOBJ_NR = "line_id"\nSTR_NAME = "name"\nMED = "medium"\n'
        'NW = "diameter_mm"\n\n[values.medium]\nHW = "hot_water"\n',
        encoding="utf-8",
    )
    import_lines(project, file, kind="heat_network", mapping=mapping)
    stored = _read(project, "heat_networks").iloc[0]
    assert (stored["line_id"], stored["name"], stored["medium"], stored["diameter_mm"]) == (
        "W1",
        "Ringstraße",
        "hot_water",
        80.0,
    )


def _melaten_if_cached() -> Path:
    root = Path(os.environ.get("HEATPLAN_CACHE") or Path.home() / ".cache" / "heatplan")
    if not (root / "campus_melaten.osm").is_file():
        pytest.skip(
            f"campus_melaten.osm is not cached in {root} (run `heatplan demo --case melaten` "
            "once with network access); no other real OSM file is installed"
        )
    from heatplan.demo.sources import melaten_osm

    return melaten_osm()


def test_streets_from_a_real_openstreetmap_file(project: Path) -> None:
    osm = _melaten_if_cached()
    result = import_lines(project, osm, kind="streets")
    assert result.imported > 0
    stored = _read(project, "streets")
    assert stored["line_id"].str.startswith("osm-way-").all()
    assert stored["road_class"].notna().all()
    assert not stored["road_class"].isin(["footway", "steps", "path", "cycleway"]).any()
    assert stored.crs.to_epsg() == 25832


# --- polygons --------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".parquet"])
def test_blocks_from_every_vector_format(project: Path, tmp_path: Path, suffix: str) -> None:
    blocks = gpd.GeoDataFrame(
        {"id": ["K1", "K2"]},
        geometry=[_box(), shapely.MultiPolygon([_box(200), _box(400)])],
        crs=CRS,
    )
    result = import_polygons(
        project, _write_geo(blocks, tmp_path / f"blocks{suffix}"), kind="blocks"
    )
    assert (result.imported, result.layer) == (2, "input_blocks")
    stored = _read(project, "input_blocks")
    assert stored["block_id"].tolist() == ["K1", "K2"]
    assert stored.geometry.area.tolist() == pytest.approx([4800.0, 9600.0])


def test_areas_keep_names_and_get_ids(project: Path, tmp_path: Path) -> None:
    areas = gpd.GeoDataFrame(
        {"name": ["Altstadt", "Gewerbegebiet Süd"]}, geometry=[_box(), _box(200)], crs=CRS
    )
    import_polygons(project, _write_geo(areas, tmp_path / "gebiete.gpkg"), kind="areas")
    stored = _read(project, "input_areas")
    assert stored["area_id"].tolist() == ["gebiete-1", "gebiete-2"]
    assert stored["name"].tolist() == ["Altstadt", "Gewerbegebiet Süd"]


def test_invalid_and_wrong_type_polygons_are_rejected(project: Path, tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 50, Y0 + 50), (X0 + 50, Y0), (X0, Y0 + 50)])
    blocks = gpd.GeoDataFrame(
        {"block_id": ["ok", "bowtie", "line"]}, geometry=[_box(), bowtie, _line()], crs=CRS
    )
    result = import_polygons(project, _write_geo(blocks, tmp_path / "b.geojson"), kind="blocks")
    assert (result.imported, result.rejected) == (1, 2)
    rejections = _rejections(project)
    assert _one(rejections, row=2)["reason"].startswith(
        "ungültige Geometrie / invalid geometry: Self-intersection"
    )
    assert "allowed: Polygon, MultiPolygon" in _one(rejections, row=3)["reason"]


def test_unknown_kind_is_a_programming_error(project: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="kind must be one of blocks, areas"):
        import_polygons(project, tmp_path / "x.gpkg", kind="parcels")  # type: ignore[arg-type]


# --- whole-file failures, CLI and atomicity ---------------------------------------------------
def test_unreadable_file_exits_1_with_a_json_error(project: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a spreadsheet")
    result = runner.invoke(app, ["import", "consumption", str(project), str(broken), "--json"])
    assert result.exit_code == 1
    assert "broken.xlsx" in json.loads(result.stdout)["error"]
    assert "Traceback" not in result.output
    missing = runner.invoke(
        app, ["import", "streets", str(project), str(tmp_path / "no.gpkg"), "--json"]
    )
    assert missing.exit_code == 1 and "file not found" in json.loads(missing.stdout)["error"]


def test_import_with_every_row_bad_exits_nonzero_and_reports_rejections(
    project: Path, tmp_path: Path
) -> None:
    file = _csv(
        tmp_path / "bad.csv",
        "building_id,heater_type,carrier\nB1,warp_drive,natural_gas\nB2,boiler,unobtainium\n",
    )
    result = runner.invoke(app, ["import", "heaters", str(project), str(file), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["imported"], doc["rejected"], doc["usable"]) == (0, 2, False)
    rejections = _rejections(project)
    assert rejections[["file", "row", "field"]].values.tolist() == [
        ["bad.csv", 1, "heater_type"],
        ["bad.csv", 2, "carrier"],
    ]
    assert not pyogrio.list_layers(project / "plan.gpkg")[:, 0].tolist().count("heaters")


def test_cli_imports_lines_and_polygons(project: Path, tmp_path: Path) -> None:
    lines = _write_geo(gpd.GeoDataFrame(geometry=[_line()], crs=CRS), tmp_path / "w.geojson")
    blocks = _write_geo(gpd.GeoDataFrame(geometry=[_box()], crs=CRS), tmp_path / "b.geojson")
    for command, file in (("heat-network", lines), ("blocks", blocks)):
        result = runner.invoke(app, ["import", command, str(project), str(file), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["imported"] == 1


def test_failure_half_way_leaves_the_store_byte_for_byte(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = _csv(
        tmp_path / "c.csv",
        "building_id,carrier,value,unit\nA,natural_gas,100,kWh\nB,natural_gas,-1,kWh\n",
    )
    store = project / "plan.gpkg"
    before = _digest(store)
    original = StoreWriter.write
    calls: list[str] = []

    def second_write_fails(
        self: StoreWriter, name: str, frame: pd.DataFrame, **kwargs: object
    ) -> None:
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        original(self, name, frame, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(StoreWriter, "write", second_write_fails)
    with pytest.raises(OSError, match="simulated"):
        import_consumption(project, file)
    assert calls == ["consumption", "import_rejections"]
    assert _digest(store) == before
    assert sorted(p.name for p in project.iterdir()) == ["heatplan.toml", "plan.gpkg"]


def test_import_result_is_reexported_and_serialisable(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "c.csv", "building_id,carrier,value,unit\nA,wood,3,kg\n")
    result = import_consumption(project, file)
    assert isinstance(result, ImportResult)
    doc = result.to_dict()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", doc.pop("run_id"))
    assert doc == {
        "imported": 1,
        "rejected": 0,
        "layer": "consumption",
        "file": str(file),
        "rejections_table": "import_rejections",
        "mode": "add",
        "replaced": 0,
        "updated": 0,
        "report": None,
        "ignored_columns": [],
        "notes": [],
        "details": {},
        "first_rejections": [],
        "usable": True,
    }
    assert set(doc) | {"run_id"} == set(SUMMARY_KEYS)  # the keys of every import command


def test_clean_import_creates_an_empty_rejections_table(project: Path, tmp_path: Path) -> None:
    file = _csv(tmp_path / "c.csv", "building_id,carrier,value,unit\nA,wood,3,kg\n")
    assert import_consumption(project, file).rejected == 0
    assert _rejections(project).empty
    info = pyogrio.read_info(project / "plan.gpkg", layer="import_rejections")
    assert dict(zip(info["fields"], info["dtypes"], strict=True))["row"] == "int64"


# --- barriers --------------------------------------------------------------------------------
def test_barriers_lines_and_polygons_with_mapped_kinds(project: Path, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "id": ["rail", "river", "bridge", "point", "drawn"],
            "Art": ["Bahn", "water", "bridge", "rail", None],
        },
        geometry=[_line(), _box(200), _line(0, 80), shapely.Point(X0, Y0), _line(0, 160)],
        crs=CRS,
    )
    file = _write_geo(frame, tmp_path / "barriers.gpkg")
    mapping = _csv(
        tmp_path / "barriers.toml", '[columns]\nArt = "kind"\n[values.kind]\nBahn = "rail"\n'
    )
    result = runner.invoke(
        app, ["import", "barriers", str(project), str(file), "--mapping", str(mapping), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 3
    stored = _read(project, "barriers")
    assert stored["barrier_id"].tolist() == ["rail", "river", "drawn"]
    assert stored["kind"].tolist() == ["rail", "water", "other"]  # empty kind: other
    assert sorted(stored.geometry.geom_type.str.removeprefix("Multi")) == [
        "LineString",
        "LineString",
        "Polygon",
    ]
    rejections = _rejections(project)
    bad_kind = _one(rejections, row=3, field="kind")
    assert bad_kind["value"] == "bridge" and "rail" in bad_kind["reason"]
    assert _one(rejections, row=4, field="geometry")["target"] == "barriers"


def test_barriers_reimport_rejects_every_row(project: Path, tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"kind": ["road"]}, geometry=[_line()], crs=CRS)
    file = _write_geo(frame, tmp_path / "roads.geojson")
    assert import_barriers(project, file).imported == 1
    again = import_barriers(project, file)
    assert (again.imported, again.rejected, again.usable) == (0, 1, False)

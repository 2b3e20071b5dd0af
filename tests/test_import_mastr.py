"""Marktstammdatenregister unit exports: German numbers and dates, kinds, PV per building."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import InputFileError
from heatplan.inputs.imports import import_buildings
from heatplan.inputs.mastr import german_number, import_mastr, parse_date, read_mastr
from heatplan.project.create import create_project
from heatplan.stages.inventory import with_register_chp

runner = CliRunner()
SAMPLE = Path(__file__).parent / "data" / "mastr" / "mastr_einheiten_schutterwald.csv"
#: Town hall and school of the sample [lon, lat °, WGS84].
RATHAUS, SCHULE = (7.880, 48.457), (7.881, 48.4575)
#: Half the side of the square test footprints [m].
HALF_SIDE_M = 10.0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "schutterwald"
    create_project(folder, name="Schutterwald", key="08317117")
    centres = gpd.GeoSeries(
        gpd.points_from_xy(*zip(RATHAUS, SCHULE, strict=True)), crs="EPSG:4326"
    ).to_crs("EPSG:25832")
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["rathaus", "schule"],
            "street": ["Kirchstraße", "Schulstraße"],
            "house_number": ["1", "2"],
            "postcode": ["77746", "77746"],
        },
        geometry=[c.buffer(HALF_SIDE_M, cap_style="square") for c in centres],
        crs="EPSG:25832",
    )
    buildings.to_file(tmp_path / "gebaeude.gpkg")
    assert import_buildings(folder, tmp_path / "gebaeude.gpkg").imported == 2
    return folder


def _layer(project: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer=name)


def test_sample_units_kinds_numbers_dates(project: Path) -> None:
    result = runner.invoke(app, ["import", "mastr", str(project), str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["imported"], data["rejected"]) == (7, 3)
    assert data["details"]["by_kind"] == {"pv": 5, "chp": 1, "storage": 1}
    assert data["ignored_columns"] == ["Bundesland"]
    plants = _layer(project, "plants").set_index("plant_id")
    # German decimal comma and thousands point: '1.204,5' kW -> 1204.5 kW
    assert plants.at["SEE900000000006", "gross_capacity_kw"] == pytest.approx(1204.5)
    assert plants.at["SEE900000000001", "net_capacity_kw"] == pytest.approx(95.5)
    assert plants.at["SEE900000000001", "commissioning_date"] == "2019-06-15"
    assert plants.at["SEE900000000001", "commissioning_year"] == 2019
    # a gas unit with a KWK-Anlage is a CHP; its thermal output is kept
    assert plants.at["SEE900000000003", "kind"] == "chp"
    assert plants.at["SEE900000000003", "carrier"] == "natural_gas"
    assert plants.at["SEE900000000003", "thermal_capacity_kw"] == pytest.approx(80.0)
    assert plants.at["SEE900000000004", "storage_capacity_kwh"] == pytest.approx(12.5)
    rejections = _layer(project, "import_rejections")
    found = {(r.row, r.field, r.value) for r in rejections.itertuples()}
    assert found == {
        (7, "Bruttoleistung der Einheit", "9.84"),  # a decimal point is never read as 984
        (7, "Nettonennleistung der Einheit", "9.84"),
        (8, "Inbetriebnahmedatum der Einheit", "31.02.2020"),
        (9, "Energieträger", "Sonnenenergie"),
    }
    assert rejections["reason"].str.contains(" / ").all()


def test_units_matched_and_existing_pv(project: Path) -> None:
    import_mastr(project, SAMPLE)
    plants = _layer(project, "plants").set_index("plant_id")
    match = plants[["building_id", "building_match"]].to_dict("index")
    assert match["SEE900000000001"] == {"building_id": "rathaus", "building_match": "contains"}
    # 0.0003° east of the town hall centre: ~22 m, ~12 m outside its footprint -> nearest
    assert match["SEE900000000006"] == {"building_id": "rathaus", "building_match": "nearest"}
    # no coordinates, but the school's address
    assert match["SEE900000000004"] == {"building_id": "schule", "building_match": "address"}
    # no coordinates and no street (a small private unit): kept, placed nowhere
    assert pd.isna(match["SEE900000000002"]["building_id"])
    assert plants.geometry.isna().sum() == 2
    buildings = _layer(project, "buildings").set_index("building_id")
    # PV in operation on the town hall: 95.5 + 1200.0 kW; the decommissioned 5 kW do not count
    assert buildings.at["rathaus", "pv_existing_kw"] == pytest.approx(95.5 + 1200.0)
    assert buildings.at["rathaus", "pv_existing_source"] == "mastr"
    # a ground-mounted park on the school's point is placed there but is not its roof's PV
    assert match["SEE900000000010"]["building_id"] == "schule"
    assert pd.isna(buildings.at["schule", "pv_existing_kw"])  # unknown, not 0


def test_reimport_replaces_the_plants_layer(project: Path) -> None:
    import_mastr(project, SAMPLE)
    import_mastr(project, SAMPLE)
    assert len(_layer(project, "plants")) == 7


def test_german_number_and_date_rules() -> None:
    assert german_number("1.234.567,8") == pytest.approx(1_234_567.8)
    assert german_number("12.5") is None and german_number("1,2,3") is None
    empty = german_number("")
    assert empty is not None and math.isnan(empty)
    assert parse_date("2021-03-01") == pd.Timestamp("2021-03-01")
    assert parse_date("1.3.21") is None


def test_not_a_mastr_file(tmp_path: Path) -> None:
    file = tmp_path / "x.csv"
    file.write_text("Name;Leistung\nPV;10\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="MaStR"):
        read_mastr(file)


def test_coordinates_outside_germany_rejected(project: Path, tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    swapped = lines[1].replace("48,457000;7,880000", "7,880000;48,457000")
    file = tmp_path / "vertauscht.csv"
    file.write_text("\n".join([lines[0], swapped, lines[3]]) + "\n", encoding="utf-8")
    result = import_mastr(project, file)
    assert (result.imported, result.rejected) == (1, 1)
    rejections = _layer(project, "import_rejections")
    assert set(rejections["field"]) == {
        "Koordinate: Breitengrad (WGS84)",
        "Koordinate: Längengrad (WGS84)",
    }


def test_a_failed_import_leaves_the_store_byte_identical(project: Path, tmp_path: Path) -> None:
    import hashlib

    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    swapped = lines[1].replace("48,457000;7,880000", "7,880000;48,457000")
    file = tmp_path / "nur_fehler.csv"
    file.write_text("\n".join([lines[0], swapped]) + "\n", encoding="utf-8")
    before = hashlib.sha256((project / "plan.gpkg").read_bytes()).hexdigest()
    result = import_mastr(project, file)
    assert (result.imported, result.rejected) == (0, 1)
    assert hashlib.sha256((project / "plan.gpkg").read_bytes()).hexdigest() == before
    assert list((project / "import-rejections").glob("nur_fehler-*.csv"))


def test_chp_units_are_heaters_where_the_sweep_lists_none() -> None:
    """MaStR CHP units in the inventory: only where the register has no heater, in operation."""
    plants = pd.DataFrame(
        {
            "plant_id": ["SEE1", "SEE2", "SEE3", "SEE4"],
            "kind": ["chp", "chp", "chp", "pv"],
            "carrier": ["natural_gas", "natural_gas", "biogas", None],
            "in_operation": [True, True, False, True],
            "thermal_capacity_kw": [40.0, 12.0, 30.0, float("nan")],
            "commissioning_year": [2015, 2010, 2001, 2020],
            "building_id": ["a", "b", "c", "a"],
        }
    )
    buildings = pd.DataFrame({"building_id": ["a", "b", "c"], "address": ["x 1", "x 2", "x 3"]})
    sweep = pd.DataFrame(  # the register names building b by its address only
        {"heater_id": ["FS1"], "address": ["x 2"], "heater_type": ["boiler"], "capacity_kw": [20.0]}
    )
    rows = with_register_chp(sweep, plants, buildings)
    assert rows is not None
    added = rows[rows["heater_source"] == "mastr"]
    # a: its CHP; b: the sweep's boiler alone (no double count); c: decommissioned; PV: no heater
    assert added[["heater_id", "building_id", "heater_type", "capacity_kw"]].values.tolist() == [
        ["SEE1", "a", "chp", 40.0]
    ]
    assert len(rows) == 2
    assert with_register_chp(None, plants.iloc[:0], buildings) is None

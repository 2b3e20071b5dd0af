"""Zensus 2022 100 m grid: cells joined to buildings as a prior, flagged, never overwriting."""

from __future__ import annotations

import json
import shutil
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
from heatplan.inputs.imports import import_buildings
from heatplan.inputs.zensus import PRIOR_SOURCE, import_zensus, modal_category, read_zensus
from heatplan.project.create import create_project

runner = CliRunner()
SAMPLES = Path(__file__).parent / "data" / "zensus"
FILES = sorted(SAMPLES.glob("*.csv"))
#: Cell centres of the sample cells [m, EPSG:3035] (lower-left corner + 50 m).
CLEAR, TIE, DISTRICT, SUPPRESSED = (
    (4164150, 2818250),
    (4164250, 2818250),
    (4164150, 2818350),
    (4164250, 2818350),
)
OUTSIDE = (4164550, 2818550)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "schutterwald"
    create_project(folder, name="Schutterwald", key="08317117")
    to_utm = Transformer.from_crs(3035, 25832, always_xy=True)
    points = [CLEAR, CLEAR, TIE, DISTRICT, SUPPRESSED, OUTSIDE]
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["clear", "dated", "tie", "classed", "suppressed", "outside"],
            "construction_year": [None, 1995, None, None, None, None],
            "age_class": [None, None, None, "1919-1948", None, None],
        },
        geometry=[shapely.Point(to_utm.transform(x + 3, y - 7)).buffer(4) for x, y in points],
        crs="EPSG:25832",
    )
    buildings.to_file(tmp_path / "gebaeude.gpkg")
    assert import_buildings(folder, tmp_path / "gebaeude.gpkg").imported == 6
    return folder


def _buildings(project: Path) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings").set_index("building_id")


def test_sample_cells_join_as_flagged_prior(project: Path) -> None:
    result = runner.invoke(app, ["import", "zensus", str(project), *map(str, FILES), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["imported"], data["rejected"], data["updated"]) == (4, 0, 5)  # cells, buildings
    assert data["details"]["cells"] == 4 and data["details"]["buildings_in_cells"] == 5
    stored = _buildings(project)
    # the clear cell: 7 of 12 buildings 1949-1978 -> TABULA 1958-1968 (largest overlap), flagged
    assert stored.at["clear", "age_class"] == "1958-1968"
    assert stored.at["clear", "age_class_source"] == PRIOR_SOURCE
    assert stored.at["clear", "zensus_age_class"] == "1949-1978"
    # building data wins: a year of construction or an own class is never overwritten
    assert stored.at["dated", "age_class_source"] == "given"
    assert stored.at["dated", "age_class"] == "unknown"  # the inventory derives it from 1995
    assert stored.at["classed", "age_class"] == "1919-1948"
    assert stored.at["classed", "zensus_age_class"] == "2020 und später"
    # a tie (4 and 4) and a fully suppressed cell give no prior: unknown stays unknown
    for name in ("tie", "suppressed", "outside"):
        assert stored.at[name, "age_class"] == "unknown"
        assert stored.at[name, "age_class_source"] == "unknown"
    assert data["details"]["age_class_estimated"] == 1


def test_carrier_shares_count_only_known_cells(project: Path) -> None:
    import_zensus(project, FILES)
    stored = _buildings(project)
    # clear cell: Gas 6, Heizöl 4, Wärmepumpen 2, the rest '–' -> shares of 12 known buildings
    shares = json.loads(stored.at["clear", "zensus_carrier_shares"])
    assert shares == pytest.approx(
        {"natural_gas": 6 / 12, "heating_oil": 4 / 12, "ambient_heat": 2 / 12}, abs=1e-3
    )
    assert "wood" not in shares  # suppressed: unknown, not zero
    assert stored.at["tie", "zensus_carrier"] == "heating_oil"
    assert stored.at["classed", "zensus_heating_system"] == "district"
    assert stored.at["clear", "carrier"] in (None, "unknown") or pd.isna(
        stored.at["clear", "carrier"]
    )  # the building's own carrier column is not set from the cell
    assert pd.isna(stored.at["suppressed", "zensus_carrier"])


def test_a_later_import_of_another_attribute_keeps_the_earlier_prior(project: Path) -> None:
    age = [f for f in FILES if "Baujahr" in f.name]
    heating = [f for f in FILES if "Heizungsart" in f.name]
    import_zensus(project, age)
    import_zensus(project, heating)
    stored = _buildings(project)
    assert stored.at["clear", "age_class"] == "1958-1968"
    assert stored.at["clear", "zensus_heating_system"] == "central"
    cells = pyogrio.read_dataframe(project / "plan.gpkg", layer="zensus_cells")
    assert len(cells) == 3 and cells.crs == "EPSG:25832"
    # a 100 m square keeps its area through the reprojection (within 0.5 %)
    assert cells.geometry.area.to_numpy() == pytest.approx(10_000, rel=5e-3)


def test_bad_rows_name_file_row_and_field(project: Path, tmp_path: Path) -> None:
    text = (SAMPLES / FILES[0].name).read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1]
    bad = [
        header,
        first,
        first.replace("N2818200E4164100", "N2818250E4164100"),  # not a multiple of 100 m
        first.replace(";7;", ";7,5;").replace("E4164100;4164150", "E4164300;4164350"),  # fraction
        first.replace(";7;", ";sieben;").replace("E4164100;4164150", "E4164400;4164450"),  # text
        first.replace("E4164100;4164150", "E4164500;4164000"),  # centre
        first,  # repeated cell
    ]
    file = tmp_path / "baujahr.csv"
    file.write_text("\n".join(bad) + "\n", encoding="utf-8")
    counts, rejections, _ = read_zensus(file)
    assert list(counts.index) == ["CRS3035RES100mN2818200E4164100"]
    found = {(r.row, r.field) for r in rejections.itertuples()}
    assert found == {
        (2, "GITTER_ID_100m"),
        (3, "a1949bis1978"),
        (4, "a1949bis1978"),
        (5, "x_mp_100m"),
        (6, "GITTER_ID_100m"),
    }
    assert rejections["file"].eq("baujahr.csv").all()
    assert rejections["reason"].str.contains(" / ").all()  # German / English


def test_german_thousands_point_in_a_count(tmp_path: Path) -> None:
    file = tmp_path / "z.csv"
    file.write_text(
        "GITTER_ID_100m;Insgesamt_Gebaeude;Vor1919;a1919bis1948\n"
        "CRS3035RES100mN2818200E4164100;1.203;1.200;3\n",
        encoding="utf-8",
    )
    counts, rejections, _ = read_zensus(file)
    assert rejections.empty
    assert counts.iloc[0].tolist() == [1200.0, 3.0]


def test_not_a_zensus_file_and_unused_columns(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "strassen.csv"
    other.write_text("Straße;Hausnummer\nHauptstraße;1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="GITTER_ID_100m"):
        read_zensus(other)
    extra = tmp_path / "z.csv"
    shutil.copy(FILES[0], extra)
    extra.write_text(
        extra.read_text(encoding="utf-8").replace("werterlaeuternde_Zeichen", "Bemerkung"),
        encoding="utf-8",
    )
    assert import_zensus(project, [extra]).ignored_columns == {"z.csv": ["Bemerkung"]}


def test_without_buildings_the_user_is_told(tmp_path: Path) -> None:
    folder = tmp_path / "leer"
    create_project(folder, name="Leer", key="08317117")
    result = runner.invoke(app, ["import", "zensus", str(folder), str(FILES[0])])
    assert result.exit_code == 1
    assert "heatplan import buildings" in " ".join(result.output.split())


def test_modal_category_scalar_cases() -> None:
    counts = pd.DataFrame({"a": [0, 5, None, 2], "b": [0, 1, None, 2], "c": [None, 5, 1, 3]})
    assert modal_category(counts).tolist() == [None, None, "c", "c"]


def test_town_from_the_samples_end_to_end(project: Path, tmp_path: Path) -> None:
    """Zensus prior and Kehrbuch heaters reach the inventory: age class and heater type filled."""
    from heatplan.inputs.kehrbuch import import_kehrbuch
    from heatplan.steps.core import run_inventory

    kehrbuch = tmp_path / "kehrbuch.csv"
    kehrbuch.write_text(
        "Gebäude-ID;Feuerstättenart;Brennstoff;Nennwärmeleistung kW;Errichtungsjahr\n"
        "clear;Gas-Brennwertkessel;Erdgas E;24,5;01.03.2011\n"
        "tie;Kachelofen;Scheitholz;6,0;1985\n",
        encoding="utf-8",
    )
    import_zensus(project, FILES)
    assert import_kehrbuch(project, kehrbuch).imported == 2
    run_inventory(project)
    stored = _buildings(project)
    assert stored.at["clear", "age_class"] == "1958-1968"
    assert stored.at["clear", "age_class_source"] == PRIOR_SOURCE  # survives the inventory
    assert stored.at["dated", "age_class"] == "1995-2001"  # its own year, not the cell's class
    assert (stored.at["clear", "heater_type"], stored.at["clear", "carrier"]) == (
        "condensing_boiler",
        "natural_gas",
    )
    assert (stored.at["tie", "heater_type"], stored.at["tie", "carrier"]) == ("stove", "wood")


def test_a_failed_import_leaves_the_store_byte_identical(project: Path, tmp_path: Path) -> None:
    import hashlib

    text = (SAMPLES / FILES[0].name).read_text(encoding="utf-8").splitlines()
    bad = [text[0], text[1].replace("N2818200E4164100", "N2818250E4164100")]
    file = tmp_path / "baujahr_fehler.csv"
    file.write_text("\n".join(bad) + "\n", encoding="utf-8")
    before = hashlib.sha256((project / "plan.gpkg").read_bytes()).hexdigest()
    result = import_zensus(project, [file])
    assert (result.cells, result.rejected) == (0, 1)
    assert hashlib.sha256((project / "plan.gpkg").read_bytes()).hexdigest() == before
    assert list((project / "import-rejections").glob("baujahr_fehler-*.csv"))

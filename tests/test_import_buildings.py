"""Importing buildings: every format the issue names, and every kind of bad row.

Real inputs: Schutterwald's houses (pandapipes, Kisse et al. 2020) for the formats, the
RWTH Campus Melaten OpenStreetMap extract for OSM. Bad rows are real houses with one field
spoiled, so each test isolates one reason.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.demo import schutterwald
from heatplan.demo.sources import cache_dir
from heatplan.errors import InputFileError
from heatplan.inputs.imports import import_buildings
from heatplan.project.create import create_project

runner = CliRunner()
NEXT_YEAR = date.today().year + 1
#: Houses per test file: enough to be real, few enough to stay fast.
N_HOUSES = 40


@pytest.fixture(scope="module")
def houses(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    files = schutterwald.write_inputs(tmp_path_factory.mktemp("sw"))
    frame = gpd.read_file(files["buildings"]).head(N_HOUSES)
    # footprints: a 12 m x 10 m box around each house point (the source has points only)
    x, y = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    frame["geometry"] = shapely.box(x - 6, y - 5, x + 6, y + 5)
    frame["Baujahr"] = 1965
    frame["Geschosse"] = 2
    frame["Nutzung"] = "EFH"
    return frame


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    create_project(folder, name="Schutterwald")
    return folder


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


def _write(frame: gpd.GeoDataFrame, path: Path) -> Path:
    if path.suffix == ".shp":  # Shapefile names have at most 10 characters
        frame = frame.rename(columns={"building_id": "id"})
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path)
    return path


MAPPING = '[values.use]\nEFH = "sfh"\n'


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".parquet"])
def test_every_vector_format_with_german_columns(
    houses: gpd.GeoDataFrame, project: Path, tmp_path: Path, suffix: str
) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    file = _write(houses, tmp_path / f"gebaeude{suffix}")
    result = import_buildings(project, file, mapping=mapping)
    assert (result.imported, result.rejected) == (N_HOUSES, 0)
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings")
    assert set(stored["use"]) == {"sfh"}
    assert stored["construction_year"].eq(1965).all()
    assert stored["floors"].eq(2).all()
    np.testing.assert_allclose(stored["footprint_area_m2"], 120.0, rtol=1e-9)
    assert stored["building_id"].tolist() == houses["building_id"].tolist()


def test_points_keep_unknown_footprint(project: Path, tmp_path: Path) -> None:
    files = schutterwald.write_inputs(tmp_path / "sw")
    result = import_buildings(project, files["buildings"])
    assert result.imported == 1506
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings")
    assert stored["footprint_area_m2"].isna().all()
    assert set(stored["use"]) == {"unknown"} and set(stored["age_class"]) == {"unknown"}


def test_openstreetmap_footprints(project: Path) -> None:
    osm = cache_dir() / "campus_melaten.osm"
    if not osm.is_file():
        pytest.skip("Melaten OSM extract not cached (the demo test fetches it from PyPI)")
    result = import_buildings(project, osm)
    assert result.imported + result.rejected >= 120
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings")
    assert stored["building_id"].str.startswith("osm-").all()
    assert (stored["footprint_area_m2"] > 0).all()
    rejected = _rejections(project)
    # garages, greenhouses, roofs ... are not heated; one footprint is tagged building:levels=0
    assert (rejected["field"] == "osm_building").sum() >= 10
    assert set(rejected["field"]) <= {"osm_building", "floors"}


def test_missing_crs_needs_the_option(
    houses: gpd.GeoDataFrame, project: Path, tmp_path: Path
) -> None:
    file = _write(houses, tmp_path / "no_crs.shp")
    (tmp_path / "no_crs.prj").unlink()  # a Shapefile handed over without its .prj
    with pytest.raises(InputFileError, match=r"declares no CRS.*EPSG:25832"):
        import_buildings(project, file)
    assert import_buildings(project, file, crs="EPSG:25832").imported == N_HOUSES


def test_wrong_crs_is_refused_with_a_suggestion(
    houses: gpd.GeoDataFrame, project: Path, tmp_path: Path
) -> None:
    # UTM coordinates declared as WGS84 degrees: a classic export mistake
    file = _write(houses.set_crs("EPSG:4326", allow_override=True), tmp_path / "wrong.geojson")
    result = runner.invoke(app, ["import", "buildings", str(project), str(file), "--json"])
    assert result.exit_code == 1
    message = json.loads(result.stdout)["error"]
    assert "wrong.geojson" in message and "EPSG:25832" in message


def _spoiled(houses: gpd.GeoDataFrame, row: int, **values: object) -> gpd.GeoDataFrame:
    frame = houses.copy()
    for column, value in values.items():
        frame[column] = frame[column].astype(object)
        frame.at[frame.index[row - 1], column] = value
    return frame


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"Baujahr": NEXT_YEAR}, "construction_year", "future"),
        ({"Baujahr": "um 19hundert"}, "construction_year", "not a number"),
        ({"Geschosse": -1}, "floors", "negative"),
        ({"Geschosse": "zwei"}, "floors", "not a number"),
        ({"Nutzung": "Raumstation"}, "use", "unknown use"),
    ],
)
def test_bad_values_are_rejected_with_file_row_and_field(
    houses: gpd.GeoDataFrame,
    project: Path,
    tmp_path: Path,
    values: dict[str, object],
    field: str,
    reason: str,
) -> None:
    file = _write(_spoiled(houses, 7, **values), tmp_path / "gebaeude.gpkg")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    result = import_buildings(project, file, mapping=mapping)
    assert (result.imported, result.rejected) == (N_HOUSES - 1, 1)
    row = _rejections(project).iloc[0]
    assert (row["file"], row["row"], row["field"]) == ("gebaeude.gpkg", 7, field)
    assert reason in row["reason"]


def test_invalid_and_empty_geometries(
    houses: gpd.GeoDataFrame, project: Path, tmp_path: Path
) -> None:
    frame = houses.copy()
    x, y = frame.geometry.iloc[2].centroid.coords[0]
    bowtie = shapely.Polygon([(x, y), (x + 10, y + 10), (x + 10, y), (x, y + 10)])
    frame.loc[frame.index[2], "geometry"] = bowtie
    frame.loc[frame.index[4], "geometry"] = shapely.Polygon()
    file = _write(frame, tmp_path / "geo.gpkg")
    result = import_buildings(project, file)
    assert (result.imported, result.rejected) == (N_HOUSES - 2, 2)
    reasons = _rejections(project).set_index("row")["reason"]
    assert "invalid geometry" in reasons[3] and "Self-intersection" in reasons[3]
    assert "empty geometry" in reasons[5]


def test_duplicates_in_the_file_and_on_reimport(
    houses: gpd.GeoDataFrame, project: Path, tmp_path: Path
) -> None:
    frame = houses.copy()
    frame.loc[frame.index[9], "building_id"] = frame["building_id"].iloc[0]
    file = _write(frame, tmp_path / "dup.geojson")
    first = import_buildings(project, file)
    assert (first.imported, first.rejected) == (N_HOUSES - 1, 1)
    assert "duplicate id in the file (first in row 1)" in _rejections(project)["reason"].iloc[0]
    again = import_buildings(project, file)
    assert (again.imported, again.rejected) == (0, N_HOUSES)
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings")
    assert len(stored) == N_HOUSES - 1  # nothing already stored is lost or doubled


def test_age_class_given_instead_of_year(
    houses: gpd.GeoDataFrame, project: Path, tmp_path: Path
) -> None:
    frame = houses.drop(columns="Baujahr").assign(Baualtersklasse="1958 - 1968")
    frame.loc[frame.index[0], "Baualtersklasse"] = "Gründerzeit"
    result = import_buildings(project, _write(frame, tmp_path / "ak.gpkg"))
    assert (result.imported, result.rejected) == (N_HOUSES - 1, 1)
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="buildings")
    assert set(stored["age_class"]) == {"1958-1968"}
    assert _rejections(project)["field"].tolist() == ["age_class"]

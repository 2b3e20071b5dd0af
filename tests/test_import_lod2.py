"""ALKIS building extracts and LoD2 CityGML: codes, storeys, heights, roofs, joins, bad files.

The samples in ``tests/data/alkis`` and ``tests/data/lod2`` are hand-made in the official
schemas (see the README there). Expected figures are computed here by hand from the corner
coordinates (rectangles, prisms, planes), independently of the code's Newell/centroid method.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import InputFileError
from heatplan.inputs import surfaces
from heatplan.inputs.alkis import function_code, import_alkis, use_of
from heatplan.inputs.citygml import crs_of, read_lod2
from heatplan.inputs.lod2 import HEATED_AREA_SOURCE, import_lod2, lod2_frames
from heatplan.inputs.lod2_building import summarise
from heatplan.project.create import create_project

DATA = Path(__file__).parent / "data"
ALKIS = DATA / "alkis" / "ax_gebaeude.gpkg"
LOD2 = DATA / "lod2" / "lod2_sample.gml"
#: Geometry is exact up to floating point of 7-digit UTM coordinates.
AREA_RTOL = 1e-9
ANGLE_ATOL_DEG = 1e-9
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "town"
    create_project(folder, name="Schutterwald")
    return folder


def _buildings(project: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(project / "plan.gpkg", layer="buildings").set_index("building_id")


def _rejections(project: Path) -> pd.DataFrame:
    return pyogrio.read_dataframe(project / "plan.gpkg", layer="import_rejections")


def _summaries() -> dict[str, dict]:
    frame, _, _ = lod2_frames(LOD2, crs=None, project_crs="EPSG:25832")
    return {str(r["lod2_id"]): r.to_dict() for _, r in frame.iterrows()}


# --- pure geometry ---------------------------------------------------------------------------
def test_surface_area_tilt_and_azimuth_of_planes_by_hand() -> None:
    # a 6 m x 4 m roof face rising 3 m towards the east: faces west, slope length 5 m
    ring = np.array([[0, 0, 0], [0, 4, 0], [4, 4, 3], [4, 0, 3]], dtype=float)
    assert surfaces.surface_area_m2([ring]) == pytest.approx(4 * 5.0, rel=AREA_RTOL)
    tilt, azimuth = surfaces.tilt_azimuth_deg(ring)
    assert tilt == pytest.approx(math.degrees(math.atan2(3, 4)), abs=ANGLE_ATOL_DEG)
    assert azimuth == pytest.approx(270.0, abs=ANGLE_ATOL_DEG)
    # the ring's direction does not change tilt, azimuth or area
    assert surfaces.tilt_azimuth_deg(ring[::-1]) == pytest.approx((tilt, azimuth))
    # a 10 x 10 face with a 2 x 3 hole
    hole = np.array([[2, 2, 0], [4, 2, 0], [4, 5, 0], [2, 5, 0]], dtype=float)
    outer = np.array([[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]], dtype=float)
    assert surfaces.surface_area_m2([outer, hole]) == pytest.approx(94.0, rel=AREA_RTOL)
    assert math.isnan(surfaces.tilt_azimuth_deg(outer)[1])  # flat: no azimuth


def test_volume_under_a_sloped_plane_is_projected_area_times_centroid_height() -> None:
    # a 4 x 4 plane from z = 2 (west) to z = 6 (east) over ground 0: a wedge + block = 64 m³
    ring = np.array([[0, 0, 2], [4, 0, 6], [4, 4, 6], [0, 4, 2]], dtype=float)
    assert surfaces.volume_under_m3([ring], 0.0) == pytest.approx(16 * 4.0, rel=AREA_RTOL)
    # an L-shaped flat roof 3 m high: 3 x (4 x 4 - 2 x 2) = 36 m³ (a non-convex ring)
    ell = np.array([[0, 0, 3], [4, 0, 3], [4, 2, 3], [2, 2, 3], [2, 4, 3], [0, 4, 3]], float)
    assert surfaces.volume_under_m3([ell], 0.0) == pytest.approx(36.0, rel=AREA_RTOL)


# --- CityGML reading -------------------------------------------------------------------------
def test_lod2_sample_heights_storeys_roofs_and_volume_by_hand() -> None:
    found = _summaries()
    gable = found["DEBWL522100001"]  # 10 x 8 m, eaves 6 m, ridge 10 m, two 45° faces
    assert gable["footprint_area_m2"] == pytest.approx(80.0, rel=AREA_RTOL)
    assert gable["roof_area_m2"] == pytest.approx(2 * 10 * math.hypot(4, 4), rel=AREA_RTOL)
    assert gable["roof_tilt_deg"] == pytest.approx(45.0, abs=ANGLE_ATOL_DEG)
    assert gable["volume_m3"] == pytest.approx(80 * 6 + 0.5 * 8 * 4 * 10, rel=AREA_RTOL)
    assert (gable["height_m"], gable["floors"], gable["floors_source"]) == (10.0, 2.0, "given")
    assert gable["roof_type"] == "pitched"
    # GEG A_N with storey height h_G = (640/80 m) / 2 = 4 m: (1/4 - 0.04) 1/m x V_e
    assert gable["heated_area_m2"] == pytest.approx((1 / 4 - 0.04) * 640, rel=AREA_RTOL)
    mono = found["DEBWL522100003"]  # 8 x 6 m, 5 m (south) to 8 m (north)
    assert mono["roof_area_m2"] == pytest.approx(8 * math.hypot(6, 3), rel=AREA_RTOL)
    assert mono["roof_tilt_deg"] == pytest.approx(math.degrees(math.atan(3 / 6)), abs=1e-9)
    assert mono["roof_azimuth_deg"] == pytest.approx(180.0, abs=ANGLE_ATOL_DEG)  # faces south
    assert mono["volume_m3"] == pytest.approx(48 * 6.5, rel=AREA_RTOL)


def test_storeys_estimated_from_the_volume_are_flagged() -> None:
    found = _summaries()
    flat = found["DEBWL522100002"]  # 12 x 10 x 9 m, no storeysAboveGround
    assert flat["floors"] == round(9 / 2.75)  # GEG storey height 2.75 m (heated_area.csv)
    assert flat["floors_source"].startswith("estimated")
    assert flat["roof_type"] == "flat" and math.isnan(flat["roof_azimuth_deg"])
    assert flat["heated_area_m2"] == pytest.approx(0.32 * 1080, rel=AREA_RTOL)  # h_G = 3 m
    solid = found["DEBWL522100004"]  # a bare lod2Solid box 6 x 6 x 3 m, no measuredHeight
    assert solid["height_m"] == pytest.approx(3.0)
    assert solid["roof_area_m2"] == pytest.approx(36.0, rel=AREA_RTOL)
    assert solid["footprint_area_m2"] == pytest.approx(36.0, rel=AREA_RTOL)
    assert (solid["floors"], solid["floors_source"]) == (1.0, flat["floors_source"])


def test_crs_names_of_the_survey_offices() -> None:
    assert crs_of("urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH") == "EPSG:25832"
    assert crs_of("urn:ogc:def:crs:EPSG::25833") == "EPSG:25833"
    assert crs_of("EPSG:25832") == "EPSG:25832"


# --- ALKIS -----------------------------------------------------------------------------------
def test_gebaeudefunktion_codes_map_to_uses() -> None:
    assert function_code("31001_1010") == function_code(1010.0) == function_code("1010")
    assert function_code("Bürogebäude") == "2020"
    assert use_of("2020") == "office" and use_of("3065") == "kindergarten"
    assert use_of("1020") == "mfh"
    # residential of unknown type: the buildings import splits it by a stated rule, flagged
    assert use_of("1010") == "residential"
    assert use_of("1999") is None  # not in the code list
    assert use_of("2463") == "unheated"


def test_alkis_import_uses_storeys_addresses_and_reports(project: Path) -> None:
    result = import_alkis(project, ALKIS)
    assert (result.imported, result.rejected) == (5, 1)
    assert result.unknown_codes == {"1999": 1}
    assert result.residential_untyped == 1
    stored = _buildings(project)
    assert stored.loc["DEBWL00100000001", "use"] == "sfh"  # 1010 Wohnhaus: split by area
    assert bool(stored.loc["DEBWL00100000001", "use_estimated"])
    assert stored.loc["DEBWL00100000003", "use"] == "office"
    assert stored.loc["DEBWL00100000005", "use"] == "unknown"
    assert stored.loc["DEBWL00100000005", "alkis_function"] == "1999"
    assert stored.loc["DEBWL00100000002", "floors"] == 3
    assert stored.loc["DEBWL00100000002", "roof_type"] == "flat"  # dachform 1000
    assert stored.loc["DEBWL00100000003", "street"] == "Kirchstraße"
    assert stored.loc["DEBWL00100000003", "house_number"] == "3a"
    rejected = _rejections(project)
    garage = rejected[rejected["row"] == 4].iloc[0]
    assert garage["field"] == "gebaeudefunktion" and garage["value"] == "2463"
    assert "unbeheizt" in garage["reason"] and "unheated" in garage["reason"]


def test_alkis_storeys_that_are_no_number_are_rejected_by_row(
    project: Path, tmp_path: Path
) -> None:
    frame = gpd.read_file(ALKIS)
    frame["anzahlDerOberirdischenGeschosse"] = frame["anzahlDerOberirdischenGeschosse"].astype(str)
    frame.loc[5, "anzahlDerOberirdischenGeschosse"] = "zwei"
    path = tmp_path / "bad.gpkg"
    frame.to_file(path, layer="AX_Gebaeude")
    import_alkis(project, path)
    rejected = _rejections(project)
    row = rejected[rejected["row"] == 6].iloc[0]
    assert (row["field"], row["value"], row["file"]) == ("floors", "zwei", "bad.gpkg")


# --- LoD2 import and joins -------------------------------------------------------------------
def test_lod2_joins_alkis_by_external_reference_and_adds_the_rest(project: Path) -> None:
    import_alkis(project, ALKIS)
    result = import_lod2(project, LOD2)
    # 1-3 by the ALKIS id of core:externalReference, 5 by footprint overlap; 4 is new
    assert (result.joined, result.added, result.rejected) == (4, 1, 0)
    stored = _buildings(project)
    assert stored.loc["DEBWL00100000001", "lod2_id"] == "DEBWL522100001"
    assert stored.loc["DEBWL00100000006", "lod2_id"] == "DEBWL522100005"  # by overlap
    assert stored.loc["DEBWL00100000006", "floors"] == 1  # ALKIS's given storeys win
    assert stored.loc["DEBWL522100004", "heated_area_source"] == HEATED_AREA_SOURCE
    assert stored.loc["DEBWL00100000001", "roof_area_m2"] == pytest.approx(
        2 * 10 * math.hypot(4, 4), rel=AREA_RTOL
    )
    roofs = gpd.read_file(project / "plan.gpkg", layer="roof_surfaces")
    assert len(roofs) == 7
    per_building = roofs.groupby("building_id")["area_m2"].sum()
    assert per_building["DEBWL00100000003"] == pytest.approx(8 * math.hypot(6, 3), rel=1e-9)


def test_lod2_joins_point_buildings_that_lie_in_a_footprint(project: Path, tmp_path: Path) -> None:
    found, _ = read_lod2(LOD2)
    centres = [summarise(b)["footprint"].centroid for b in found[:2]]
    points = gpd.GeoDataFrame({"id": ["house-a", "house-b"]}, geometry=centres, crs="EPSG:25832")
    points.to_file(tmp_path / "houses.gpkg")
    runner.invoke(app, ["import", "buildings", str(project), str(tmp_path / "houses.gpkg")])
    result = import_lod2(project, LOD2)
    assert (result.joined, result.added) == (2, 3)
    stored = _buildings(project)
    assert stored.loc["house-a", "heated_area_m2"] == pytest.approx(0.21 * 640, rel=AREA_RTOL)
    assert stored.loc["house-b", "floors_source"].startswith("estimated")
    assert shapely.get_type_id(stored.loc["house-a", "geometry"]) == 0  # still the point


def test_the_inventory_keeps_the_lod2_flag(project: Path) -> None:
    import_lod2(project, LOD2)
    outcome = runner.invoke(app, ["inventory", str(project)])
    assert outcome.exit_code == 0, outcome.output
    stored = _buildings(project)
    assert (stored["heated_area_source"] == HEATED_AREA_SOURCE).all()
    assert stored.loc["DEBWL522100005", "sector"] == "public"  # kindergarten (3065)


# --- bad files -------------------------------------------------------------------------------
def _digest(project: Path) -> str:
    return hashlib.sha256((project / "plan.gpkg").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<CityModel><broken>", "line 1"),
        ("not xml at all", "XML"),
        ('<?xml version="1.0"?><a xmlns="http://www.opengis.net/citygml/2.0"/>', "bldg:Building"),
    ],
)
def test_unusable_files_give_a_message_and_leave_the_store(
    project: Path, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.gml"
    path.write_text(text, encoding="utf-8")
    before = _digest(project)
    outcome = runner.invoke(app, ["import", "lod2", str(project), str(path)])
    assert outcome.exit_code == 1
    assert message in outcome.output and "bad.gml" in outcome.output
    assert "Traceback" not in outcome.output
    assert _digest(project) == before
    with pytest.raises(InputFileError):
        import_lod2(project, path)


def test_a_file_without_crs_needs_one(project: Path, tmp_path: Path) -> None:
    text = LOD2.read_text(encoding="utf-8").replace(
        'srsName="urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH" ', ""
    )
    path = tmp_path / "no_crs.gml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match="--crs"):
        import_lod2(project, path)
    assert import_lod2(project, path, crs="EPSG:25832").added == 5


def test_bad_height_or_coordinates_reject_that_building_only(project: Path, tmp_path: Path) -> None:
    text = LOD2.read_text(encoding="utf-8")
    text = text.replace(">10.000</bldg:measuredHeight>", ">zehn</bldg:measuredHeight>", 1)
    first = text.index("<gml:posList", text.index('gml:id="DEBWL522100003"'))
    text = text[:first] + text[first:].replace("</gml:posList>", " 1.0</gml:posList>", 1)
    path = tmp_path / "spoiled.gml"
    path.write_text(text, encoding="utf-8")
    outcome = runner.invoke(app, ["import", "lod2", str(project), str(path), "--json"])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.output)
    assert (document["details"]["added"], document["rejected"]) == (3, 2)
    rejected = _rejections(project).set_index("row")
    assert rejected.loc[1, "field"] == "measuredHeight" and "zehn" in rejected.loc[1, "reason"]
    assert rejected.loc[3, "field"] == "geometry" and "Koordinaten" in rejected.loc[3, "reason"]
    assert rejected.loc[3, "value"] == "DEBWL522100003"


def test_citygml_1_0_reads_like_2_0(tmp_path: Path) -> None:
    text = LOD2.read_text(encoding="utf-8")
    for module in ("citygml", "citygml/building", "citygml/generics"):
        text = text.replace(f"opengis.net/{module}/2.0", f"opengis.net/{module}/1.0")
    path = tmp_path / "lod2_v1.gml"
    path.write_text(text, encoding="utf-8")
    old, _, _ = lod2_frames(path, crs=None, project_crs="EPSG:25832")
    new, _, _ = lod2_frames(LOD2, crs=None, project_crs="EPSG:25832")
    assert "opengis.net/citygml/building/1.0" in text
    pd.testing.assert_frame_equal(
        old.drop(columns="geometry"), new.drop(columns="geometry"), check_exact=True
    )


def test_importing_the_same_tile_again_changes_nothing_but_the_roofs(project: Path) -> None:
    import_lod2(project, LOD2)
    first = _buildings(project)
    again = import_lod2(project, LOD2)
    assert (again.joined, again.added) == (5, 0)  # joined by gml:id
    pd.testing.assert_frame_equal(_buildings(project), first)
    roofs = gpd.read_file(project / "plan.gpkg", layer="roof_surfaces")
    assert len(roofs) == 7  # replaced, not doubled


def test_alkis_shapefile_with_truncated_names(project: Path, tmp_path: Path) -> None:
    frame = gpd.read_file(ALKIS).rename(
        columns={
            "gebaeudefunktion": "gebaeudefu",
            "anzahlDerOberirdischenGeschosse": "anzahlDerO",
            "lagebezeichnung": "lagebezeic",
        }
    )
    frame.to_file(tmp_path / "ax_gebaeude.shp", encoding="utf-8")
    result = import_alkis(project, tmp_path / "ax_gebaeude.shp")
    assert (result.imported, result.rejected) == (5, 1)
    stored = _buildings(project)
    assert stored.loc["DEBWL00100000002", "floors"] == 3
    assert stored.loc["DEBWL00100000006", "use"] == "kindergarten"
    assert stored.loc["DEBWL00100000001", "street"] == "Hauptstraße"


def test_a_degenerate_roof_ring_rejects_its_building(project: Path, tmp_path: Path) -> None:
    text = LOD2.read_text(encoding="utf-8")
    start = text.index('gml:id="DEBWL522100002_R1"')
    begin = text.index(">", text.index("<gml:posList", start)) + 1
    end = text.index("</gml:posList>", begin)
    text = text[:begin] + "0 0 0 1 1 1" + text[end:]  # two vertices: no polygon
    path = tmp_path / "degenerate.gml"
    path.write_text(text, encoding="utf-8")
    result = import_lod2(project, path)
    assert (result.added, result.rejected) == (4, 1)
    row = _rejections(project).iloc[0]
    assert (row["row"], row["field"], row["value"]) == (2, "geometry", "DEBWL522100002")
    assert "Geometrie" in row["reason"]


def test_a_building_of_two_parts_is_one_building(tmp_path: Path) -> None:
    text = LOD2.read_text(encoding="utf-8")

    def inner(gml_id: str) -> str:
        start = text.index(">", text.index(f'<bldg:Building gml:id="{gml_id}"')) + 1
        return text[start : text.index("</bldg:Building>", start)]

    parts = "".join(
        f'<bldg:consistsOfBuildingPart><bldg:BuildingPart gml:id="P{i}">{inner(g)}'
        "</bldg:BuildingPart></bldg:consistsOfBuildingPart>"
        for i, g in enumerate(("DEBWL522100001", "DEBWL522100003"))
    )
    head = text[: text.index("  <core:cityObjectMember>")]
    body = f'<core:cityObjectMember><bldg:Building gml:id="PARTS">{parts}</bldg:Building>'
    path = tmp_path / "parts.gml"
    path.write_text(head + body + "</core:cityObjectMember></core:CityModel>", encoding="utf-8")
    frame, roofs, _ = lod2_frames(path, crs=None, project_crs="EPSG:25832")
    assert len(frame) == 1 and len(roofs) == 3
    row = frame.iloc[0]
    assert row["footprint_area_m2"] == pytest.approx(80 + 48, rel=AREA_RTOL)
    assert row["volume_m3"] == pytest.approx(640 + 312, rel=AREA_RTOL)
    assert row["height_m"] == 10.0  # the higher part


def test_alkis_nas_reads_like_the_geopackage_extract(project: Path) -> None:
    result = import_alkis(project, DATA / "alkis" / "ax_gebaeude_nas.xml")
    assert (result.imported, result.rejected, result.residential_untyped) == (3, 0, 1)
    stored = _buildings(project)
    extract = gpd.read_file(ALKIS).set_index("gml_id").head(3)
    assert stored.loc["DEBWL00100000003", "use"] == "office"
    assert stored.loc["DEBWL00100000002", ["floors", "roof_type"]].tolist() == [3, "flat"]
    areas = stored["footprint_area_m2"].reindex(extract.index)
    np.testing.assert_allclose(areas, extract.geometry.area, rtol=AREA_RTOL)
    assert stored["street"].isna().all()  # NAS addresses are references: not resolved


def test_nas_without_buildings_or_broken_says_so(project: Path, tmp_path: Path) -> None:
    text = (DATA / "alkis" / "ax_gebaeude_nas.xml").read_text(encoding="utf-8")
    empty = tmp_path / "parcels.xml"
    empty.write_text(
        text[: text.index("<gml:featureMember><AX_Gebaeude")]
        + "</wfs:FeatureCollection></enthaelt></AX_Bestandsdatenauszug>",
        encoding="utf-8",
    )
    outcome = runner.invoke(app, ["import", "alkis", str(project), str(empty)])
    assert outcome.exit_code == 1 and "AX_Gebaeude" in outcome.output
    broken = tmp_path / "broken.xml"
    broken.write_text(text[:3000], encoding="utf-8")
    outcome = runner.invoke(app, ["import", "alkis", str(project), str(broken)])
    assert outcome.exit_code == 1 and "broken.xml" in outcome.output
    assert "Zeile" in outcome.output and "Traceback" not in outcome.output


def test_the_cli_imports_alkis_then_lod2_and_says_what_it_did(project: Path) -> None:
    runner = CliRunner()
    alkis = runner.invoke(app, ["import", "alkis", str(project), str(ALKIS)])
    assert alkis.exit_code == 0, alkis.output
    lod2 = runner.invoke(app, ["import", "lod2", str(project), str(LOD2)])
    assert lod2.exit_code == 0, lod2.output
    assert "joined" in lod2.stdout and "roof surfaces" in lod2.stdout
    data = json.loads(
        runner.invoke(app, ["import", "lod2", str(project), str(LOD2), "--json"]).stdout
    )
    # the second time: all joined
    assert data["usable"] and data["details"]["joined"] == data["imported"] == data["updated"]

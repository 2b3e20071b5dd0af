"""Barriers on real data: RWTH Campus Melaten, Aachen (OpenStreetMap via uesgraphs, ODbL).

The extract holds the Pariser Ring (highway=trunk, 13 ways), no railway and no river; its four
natural=water areas are ponds without a water=* type (so no barriers), and its waterways are
streams and drains (no barriers either, data/barrier_kinds.csv).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.demo.run import MELATEN, MELATEN_MAPPING
from heatplan.demo.sources import melaten_osm
from heatplan.inputs.imports import import_buildings, import_lines
from heatplan.inputs.osm import read_osm_barriers
from heatplan.plan import Plan
from heatplan.project.create import create_project
from heatplan.project.store import open_store
from heatplan.stages.areas import area_barriers
from heatplan.steps.core import run_areas, run_inventory

TRUNK_WAYS = 13


@pytest.fixture(scope="module")
def melaten(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A Melaten project with buildings, streets and barriers from OSM, inventory and areas."""
    out = tmp_path_factory.mktemp("barriers") / "melaten"
    osm = melaten_osm()
    create_project(out, **MELATEN, holiday_subdivision="NW", missing_floors="median")
    mapping = out / "mapping.toml"
    mapping.write_text(MELATEN_MAPPING, encoding="utf-8")
    import_buildings(out, osm, mapping=mapping)
    import_lines(out, osm, kind="streets")
    result = CliRunner().invoke(app, ["import", "barriers", str(out), str(osm), "--json"])
    assert result.exit_code == 0, result.output
    run_inventory(out)
    return out, {"import": json.loads(result.stdout), "areas": run_areas(out).to_dict()}


def _layer(project: Path, name: str) -> gpd.GeoDataFrame:
    return open_store(str(project / "plan.gpkg")).read(name)


def test_osm_barriers_are_the_trunk_road_and_not_the_ponds() -> None:
    frame = read_osm_barriers(melaten_osm())
    assert len(frame) == TRUNK_WAYS
    assert set(frame["kind"]) == {"road"} and set(frame["osm_tag"]) == {"highway=trunk"}
    assert set(frame["name"]) == {"Pariser Ring"}
    assert frame["barrier_id"].str.match(r"osm-way-\d+$").all()


def test_barriers_import_from_osm(melaten: tuple[Path, dict[str, object]]) -> None:
    project, summary = melaten
    assert isinstance(summary["import"], dict)
    doc = {k: v for k, v in summary["import"].items() if k != "run_id"}
    assert doc == {
        "imported": TRUNK_WAYS,
        "rejected": 0,
        "layer": "barriers",
        "file": str(melaten_osm()),
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
    stored = _layer(project, "barriers")
    assert stored.crs.to_epsg() == 25832 and len(stored) == TRUNK_WAYS
    assert (stored["source_file"] == "campus_melaten.osm").all()


def test_osm_streets_carry_their_road_class(melaten: tuple[Path, dict[str, object]]) -> None:
    project, _ = melaten
    streets = _layer(project, "streets")
    assert streets["road_class"].notna().all()
    assert {"trunk", "tertiary", "service"} <= set(streets["road_class"])
    barriers = area_barriers(Plan.from_project(project))
    assert barriers is not None  # the imported trunk ways plus the trunk and trunk_link streets
    trunk_streets = streets["road_class"].isin(["trunk", "trunk_link"]).sum()
    assert len(barriers) == TRUNK_WAYS + trunk_streets


def test_melaten_areas_hold_five_buildings_each(melaten: tuple[Path, dict[str, object]]) -> None:
    """Ward cuts the campus at the Pariser Ring into 17 areas, 12 with fewer than 5 buildings
    (9 slivers without any between the carriageways and ramps); each joins its neighbour with the
    longest contact, 11 of them across the road (no neighbour on their side): 5 areas remain."""
    project, summary = melaten
    areas = _layer(project, "areas")
    assert (areas["buildings"] >= 5).all()
    assert areas["buildings"].sum() == len(_layer(project, "buildings"))
    messages = " ".join(summary["areas"]["messages"])  # type: ignore[index]
    assert "12 of 17 areas had fewer than 5 buildings" in messages
    assert "11 across a barrier" in messages and len(areas) == 5
    assert "no barriers" not in messages and "no road_class" not in messages


def test_every_barrier_road_class_is_imported_as_a_street() -> None:
    from heatplan.areas.supply import barrier_road_classes
    from heatplan.inputs.osm import DEFAULT_ROAD_CLASSES

    assert set(barrier_road_classes()) <= DEFAULT_ROAD_CLASSES
    assert {"footway", "cycleway", "track"}.isdisjoint(DEFAULT_ROAD_CLASSES)


OSM_TAGS = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="heatplan test">
 <node id="1" lat="50.780" lon="6.050"/><node id="2" lat="50.781" lon="6.050"/>
 <node id="3" lat="50.781" lon="6.051"/><node id="4" lat="50.780" lon="6.051"/>
 <way id="20"><nd ref="1"/><nd ref="2"/><tag k="railway" v="rail"/></way>
 <way id="21"><nd ref="2"/><nd ref="3"/><tag k="railway" v="tram"/></way>
 <way id="22"><nd ref="3"/><nd ref="4"/><tag k="railway" v="rail"/><tag k="tunnel" v="yes"/></way>
 <way id="23"><nd ref="1"/><nd ref="3"/><tag k="waterway" v="river"/><tag k="name" v="Wurm"/></way>
 <way id="24"><nd ref="2"/><nd ref="4"/><tag k="waterway" v="stream"/></way>
 <way id="25"><nd ref="1"/><nd ref="4"/><tag k="highway" v="primary"/></way>
 <way id="26"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
  <tag k="natural" v="water"/><tag k="water" v="lake"/></way>
 <way id="27"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/><tag k="natural" v="water"/></way>
</osm>
"""


def test_osm_barrier_tags(tmp_path: Path) -> None:
    """Rail and rivers and lakes are barriers; trams, tunnels, streams, ponds and primary roads
    (a barrier only as a street with its road class) are not (data/barrier_kinds.csv)."""
    path = tmp_path / "tags.osm"
    path.write_text(OSM_TAGS, encoding="utf-8")
    frame = read_osm_barriers(path).set_index("barrier_id")
    assert frame["kind"].to_dict() == {
        "osm-way-20": "rail",
        "osm-way-23": "water",
        "osm-way-26": "water",
    }
    assert frame.loc["osm-way-26", "osm_tag"] == "natural=water"
    assert frame.loc["osm-way-23", "name"] == "Wurm"


def test_an_osm_file_without_barriers_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "none.osm"
    nodes, ways = OSM_TAGS.split(' <way id="20">')
    street = ways.split("\n")[5]  # way 25: a primary road, a street but no barrier
    assert 'way id="25"' in street
    path.write_text(f"{nodes}{street}\n</osm>\n", encoding="utf-8")
    project = tmp_path / "town"
    create_project(project, name="Test")
    result = CliRunner().invoke(app, ["import", "barriers", str(project), str(path), "--json"])
    assert result.exit_code == 1
    assert "no barrier in this OpenStreetMap file" in json.loads(result.stdout)["error"]

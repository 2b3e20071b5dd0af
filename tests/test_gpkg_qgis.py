"""The public GeoPackage as a planner opens it in QGIS: styles, stored project, German titles.

The demo's export is checked against the reference tables read here on their own (palette,
heat-density classes, attribute titles), and once in the real program: Debian's QGIS opens the
project stored in the file (headless), every layer must be valid, filled and drawn with its
stored style, and the rendered map must show the palette's colour of the areas.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from PIL import Image

from ci import required
from heatplan.outputs.gpkg import write_gpkg
from heatplan.publish.layers import Withheld

QGIS_PYTHON = "/usr/bin/python3"
RENDER_SCRIPT = Path(__file__).with_name("qgis_render.py")
#: A rendered pixel matches a palette colour within this many units per RGB channel
#: (anti-aliasing and 8-bit alpha blending round by a few units).
COLOUR_TOLERANCE = 6
#: A map, not a blank canvas: at least this many distinct colours in the image.
MIN_COLOURS = 8
#: Share of the image the most frequent colour may cover at most (the white background).
MAX_BACKGROUND_SHARE = 0.9


def _qgis_missing() -> str | None:
    try:
        done = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True)
    except OSError:
        return f"{QGIS_PYTHON} not found"
    return None if done.returncode == 0 else "Debian's QGIS (python3-qgis) is not installed"


def _data(name: str) -> list[dict[str, str]]:
    text = resources.files("heatplan.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _palette(group: str, column: str = "fill") -> dict[str, str]:
    return {r["category"]: r[column] for r in _data("map_styles.csv") if r["layer"] == group}


@pytest.fixture(scope="module")
def exported(demo_built: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's public GeoPackage, copied to another folder (the project must follow it)."""
    target = tmp_path_factory.mktemp("gpkg-copy") / "waermeplan.gpkg"
    shutil.copy(demo_built[0] / "export" / "waermeplan.gpkg", target)
    return target


def _default_styles(path: Path) -> dict[str, ET.Element]:
    with sqlite3.connect(path) as con:
        rows = con.execute(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault = 1"
        ).fetchall()
    return {name: ET.fromstring(qml.split("\n", 1)[1]) for name, qml in rows}


def _spatial_layers(path: Path) -> dict[str, str]:
    return {name: kind for name, kind in pyogrio.list_layers(path) if kind is not None}


def test_each_layer_has_its_default_style_in_the_palette(exported: Path) -> None:
    styles = _default_styles(exported)
    assert set(styles) == set(_spatial_layers(exported))
    columns = pyogrio.read_info(exported, layer="areas")["fields"]
    target = max(int(c.rsplit("_", 1)[1]) for c in columns if c.startswith("area_type_"))
    areas = styles["areas"].find("renderer-v2")
    assert areas is not None and areas.get("type") == "categorizedSymbol"
    assert areas.get("attr") == f"area_type_{target}"
    colours = {
        c.get("value"): styles["areas"].find(f".//symbol[@name='{c.get('symbol')}']/layer/Option")
        for c in areas.iter("category")
    }
    for code, colour in _palette("area_type").items():
        option = colours[code]
        assert option is not None
        fill = {o.get("name"): o.get("value") for o in option}["color"]
        assert fill == ",".join(map(str, _rgb(colour))) + ",255", code


def test_density_classes_are_those_of_the_plan(exported: Path) -> None:
    renderer = _default_styles(exported)["blocks"].find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "graduatedSymbol"
    ranges = renderer.iter("range")
    bounds = [(float(r.get("lower", "")), float(r.get("upper", ""))) for r in ranges]
    classes = _data("heat_density_classes.csv")
    assert [low for low, _ in bounds[1:]] == [float(c["min_mwh_per_ha_a"]) for c in classes]
    finite = [float(c["max_mwh_per_ha_a"]) for c in classes[:-1]]
    assert [high for _, high in bounds[1:-1]] == finite
    assert bounds[0][1] < 0 <= bounds[1][0]  # the class of suppressed blocks lies below zero


def test_columns_have_german_titles_and_layers_descriptions(exported: Path) -> None:
    with sqlite3.connect(exported) as con:
        titles = dict(
            con.execute(
                "SELECT column_name, title FROM gpkg_data_columns WHERE table_name = 'areas'"
            ).fetchall()
        )
        described = dict(con.execute("SELECT table_name, description FROM gpkg_contents"))
        extension = con.execute(
            "SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_schema'"
        ).fetchone()[0]
    assert titles["heat_demand_mwh_per_a"] == "Wärmebedarf [MWh/a]"
    assert titles["area_type_2030"] == "Versorgungsart 2030"
    fields = _default_styles(exported)["areas"].find("fieldConfiguration")
    assert fields is not None
    widgets = {f.get("name"): f.find("editWidget") for f in fields}
    codes = widgets["area_type_2030"]
    assert codes is not None and codes.get("type") == "ValueMap"
    shown = {o.get("value"): o.get("name") for o in codes.iter("Option") if o.get("value")}
    assert shown["dezentral"] == "Gebiet für die dezentrale Wärmeversorgung"
    number = widgets["heat_demand_mwh_per_a"]
    assert number is not None and number.get("type") == "Range"  # decimals in QGIS's locale
    assert extension >= 1
    for name in _spatial_layers(exported):
        assert described[name], name


def test_stored_project_points_to_the_file_itself(exported: Path) -> None:
    with sqlite3.connect(exported) as con:
        rows = con.execute("SELECT name, metadata FROM qgis_projects").fetchall()
    assert [r[0] for r in rows] == ["Wärmeplan"]
    assert "last_modified_time" in json.loads(rows[0][1])
    qgs = _project(exported)
    epsg = pyogrio.read_info(exported, layer="areas")["crs"]
    assert qgs.findtext("projectCrs/spatialrefsys/authid") == epsg
    sources = [m.findtext("datasource") for m in qgs.iter("maplayer")]
    layers = _spatial_layers(exported)
    assert {s.split("layername=")[1] for s in sources if s} == set(layers)
    assert all(s and s.startswith("./waermeplan.gpkg|") for s in sources)
    names = [m.findtext("layername") for m in qgs.iter("maplayer")]
    assert not set(names) & set(layers)  # German names, not the table names


def test_a_layer_without_rows_is_not_written(tmp_path: Path) -> None:
    """The export's 'potentials' had 0 features and geometry type Unknown (issue 17)."""
    square = shapely.box(0, 0, 100, 100)
    areas = gpd.GeoDataFrame(
        {"area_id": ["A01"], "area_type_2045": ["dezentral"]},
        geometry=[square],
        crs="EPSG:25832",
    )
    potentials = gpd.GeoDataFrame({"kind": []}, geometry=[], crs="EPSG:25832")
    layers = {"areas": areas, "potentials": potentials}
    report = write_gpkg(layers, tmp_path / "p.gpkg", release=(layers, Withheld()))
    assert report.empty_layers == ["potentials"]
    assert dict(pyogrio.list_layers(report.path)) == {"areas": "Polygon", "layer_styles": None}


def _project(path: Path) -> ET.Element:
    with sqlite3.connect(path) as con:
        (content,) = con.execute("SELECT content FROM qgis_projects").fetchone()
    with zipfile.ZipFile(io.BytesIO(bytes.fromhex(content))) as archive:
        (member,) = archive.namelist()
        return ET.fromstring(archive.read(member).decode("utf-8").split("\n", 1)[1])


def test_sites_of_mixed_geometry_get_one_map_layer_per_geometry(tmp_path: Path) -> None:
    """Sewage plants are points and sewers lines in one 'potentials' layer (type GEOMETRY):
    QGIS draws each family as its own map layer (``geometrytype=``) with its own symbols."""
    sites = gpd.GeoDataFrame(
        {"potential_id": ["P1", "P2"], "kind": ["sewage_plant_effluent", "sewer"]},
        geometry=[shapely.Point(50, 50), shapely.LineString([(0, 0), (100, 80)])],
        crs="EPSG:25832",
    )
    layers = {"potentials": sites}
    report = write_gpkg(layers, tmp_path / "p.gpkg", release=(layers, Withheld()))
    maplayers = {
        m.findtext("datasource"): m.find("renderer-v2/symbols/symbol")
        for m in _project(report.path).iter("maplayer")
    }
    kinds = {source: symbol.get("type") for source, symbol in maplayers.items() if symbol}
    assert kinds == {
        "./p.gpkg|layername=potentials|geometrytype=Point": "marker",
        "./p.gpkg|layername=potentials|geometrytype=LineString": "line",
    }


def _near(pixels: np.ndarray, rgb: tuple[float, float, float]) -> int:
    return int((np.abs(pixels - np.asarray(rgb)) <= COLOUR_TOLERANCE).all(axis=-1).sum())


@required(_qgis_missing(), "scripts/bootstrap.sh --test installs qgis and python3-qgis (apt)")
def test_qgis_opens_the_stored_project_and_renders_it(exported: Path, tmp_path: Path) -> None:
    png = tmp_path / "karte.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(
        [QGIS_PYTHON, str(RENDER_SCRIPT), str(exported), "Wärmeplan", str(png)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["read"] and result["crs"] == pyogrio.read_info(exported, "areas")["crs"]
    layers = _spatial_layers(exported)
    counts = {name: pyogrio.read_info(exported, layer=name)["features"] for name in layers}
    styles = _default_styles(exported)
    assert {layer["source"].split("layername=")[1] for layer in result["layers"]} == set(counts)
    for layer in result["layers"]:
        table = layer["source"].split("layername=")[1]
        assert layer["valid"] and layer["features"] == counts[table] > 0, layer
        assert layer["renderer"] != "singleSymbol", layer
        assert layer["stored_styles"], layer  # the file's layer_styles offer it styles
        stored = styles[table].find("renderer-v2")
        assert stored is not None and layer["renderer"] == stored.get("type"), layer
    areas = [layer for layer in result["layers"] if layer["source"].endswith("=areas")]
    assert all(layer["renderer"] == "categorizedSymbol" for layer in areas)
    assert any(layer["visible"] and layer["labels"] for layer in areas)
    pixels = np.asarray(Image.open(png).convert("RGB")).astype(float)
    _, frequency = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
    assert len(frequency) >= MIN_COLOURS
    assert frequency.max() / frequency.sum() <= MAX_BACKGROUND_SHARE
    # every demo area is decentral: its palette colour at the opacity of its grade on white
    opacity = float(_palette("area_type", "opacity")["dezentral"])
    share = float(_palette("likelihood", "opacity")["sehr_wahrscheinlich_geeignet"])
    alpha = round(255 * opacity * share) / 255
    blended = tuple(alpha * c + (1 - alpha) * 255 for c in _rgb(_palette("area_type")["dezentral"]))
    assert _near(pixels, blended) > 0.05 * pixels.shape[0] * pixels.shape[1]

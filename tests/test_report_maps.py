"""The report's maps: one palette, class values in legends, a map per year where the plan differs,
the base drawn from the project's layers, the credit clear of the scale bar, every map one PNG
at print resolution and each profile's locator highlighting its own area."""

from __future__ import annotations

import io
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from PIL import Image

from heatplan.areas.reference import density_classes
from heatplan.classify.rules import GRADE_DE, GRADES, TYPE_DE
from heatplan.publish.basemap import base_geometry
from heatplan.publish.layers import pipe_status
from heatplan.reference.map_styles import colours, map_style
from heatplan.report import maps
from heatplan.report.charts import WIDTH_IN
from heatplan.report.inventory import KIND_DE
from heatplan.report.map_base import MAP_DPI, MapBase, MapImage, finish
from heatplan.web.legend import NETWORK_STATUS, POTENTIAL_KINDS, legends

CRS = "EPSG:25832"
HEX = re.compile(r"^#[0-9a-f]{6}$")


def _areas(kinds: dict[int, list[str]], grades: dict[int, list[str]]) -> gpd.GeoDataFrame:
    """Three 200 m squares side by side with the given type and grade per year."""
    frame = gpd.GeoDataFrame(
        {"area_id": ["A01", "A02", "A03"]},
        geometry=[shapely.box(200 * i, 0, 200 * i + 200, 200) for i in range(3)],
        crs=CRS,
    )
    for year, values in kinds.items():
        frame[f"area_type_{year}"] = values
        frame[f"likelihood_{year}"] = grades[year]
    return frame


#: Largest difference per channel [0-255] between a drawn colour and its pixel: the map's PNG
#: has a 256-colour palette, which moves a flat fill by at most a few steps.
COLOUR_TOL = 8


def _pixels(image: MapImage) -> np.ndarray:
    """The map's pixels as an (rows, columns, 3) array of 0-255 RGB."""
    with Image.open(io.BytesIO(image.png)) as png:
        return np.asarray(png.convert("RGB")).astype(int)


def _on_white(colour: str, opacity: float = 1.0) -> np.ndarray:
    """``colour`` painted at ``opacity`` over white, in 0-255 RGB."""
    rgb = np.array(to_rgb(colour)) * 255
    return opacity * rgb + (1 - opacity) * 255


def _count(image: MapImage, colour: np.ndarray) -> int:
    """Pixels of ``image`` within :data:`COLOUR_TOL` of ``colour``."""
    return int((np.abs(_pixels(image) - colour).max(axis=2) <= COLOUR_TOL).sum())


def _area_fill(kind: str, grade: str) -> np.ndarray:
    """An area's fill as the map paints it: type colour at type x grade opacity, on white."""
    types, shading = map_style("area_type"), map_style("likelihood")
    opacity = float(types.loc[kind, "opacity"]) * float(shading.loc[grade, "opacity"])
    return _on_white(str(types.loc[kind, "fill"]), opacity)


def test_the_palette_has_a_colour_for_every_code_the_plan_uses() -> None:
    assert set(TYPE_DE) <= set(colours("area_type"))
    assert set(GRADES) <= set(colours("likelihood"))
    assert set(density_classes()["class"]) <= set(colours("heat_density"))
    assert set(KIND_DE) <= set(colours("potential_kind"))  # kinds of the potentials stage
    statuses = {"existing", "planned", "examined"}  # what pipe_status returns
    assert statuses <= set(colours("network_status"))
    assert pipe_status.__name__  # the status codes above are those of pipe_status
    every = map_style("area_type")["fill"].tolist() + map_style("likelihood")["fill"].tolist()
    assert all(HEX.match(c) for c in every)
    # German labels are the classification's own words (one vocabulary)
    assert map_style("area_type")["label_de"].to_dict() == TYPE_DE
    assert map_style("likelihood")["label_de"].to_dict() == GRADE_DE


def test_web_legend_and_report_read_the_same_colours() -> None:
    layers = legends()["layers"]
    web_types = {i["value"]: i["colour"] for i in layers["areas"]["legend"]["items"]}
    assert web_types == colours("area_type")
    web_grades = {i["value"]: i["colour"] for i in layers["likelihood"]["legend"]["items"]}
    assert web_grades == colours("likelihood")
    assert [i["colour"] for i in layers["blocks"]["legend"]["items"]] == [
        colours("heat_density")[c] for c in density_classes()["class"]
    ]
    # a suppressed block is its own class in both (not "0 MWh/(ha·a)")
    assert layers["blocks"]["legend"]["missing"]["colour"] == colours("heat_density")["suppressed"]
    assert {k: v[2] for k, v in POTENTIAL_KINDS.items()} == colours("potential_kind")
    assert {k: v[2] for k, v in NETWORK_STATUS.items()} == colours("network_status")
    # the report's area map paints the decentral colour the web legend shows
    areas = _areas({2030: ["dezentral"] * 3}, {2030: [GRADES[0]] * 3})
    (drawn,) = maps.areas_maps(areas, [2030], TYPE_DE, base=MapBase())
    # three 200 m squares fill most of the map: thousands of pixels in that colour
    assert _count(drawn["image"], _area_fill("dezentral", GRADES[0])) > 10_000
    assert web_types["dezentral"] == map_style("area_type").loc["dezentral", "fill"]
    # the web's shading is the report's: area opacity x grade opacity
    shading = {i["value"]: i["opacity"] for i in layers["areas"]["shading"]["items"]}
    top = float(map_style("area_type")["opacity"].max())
    for grade, opacity in map_style("likelihood")["opacity"].items():
        assert shading[grade] == pytest.approx(top * opacity, abs=1e-3)


def test_year_maps_differ_where_the_classification_differs() -> None:
    kinds = {
        2030: ["pruefgebiet", "dezentral", "dezentral"],
        2035: ["waermenetz_neubau", "dezentral", "dezentral"],
        2040: ["waermenetz_neubau", "dezentral", "dezentral"],
        2045: ["waermenetz_neubau", "dezentral", "dezentral"],
    }
    grades = {
        2030: [GRADES[1], GRADES[0], GRADES[0]],
        2035: [GRADES[1], GRADES[0], GRADES[0]],
        2040: [GRADES[0], GRADES[0], GRADES[0]],
        2045: [GRADES[0], GRADES[0], GRADES[0]],
    }
    areas = _areas(kinds, grades)
    assert maps.year_groups(areas, [2030, 2035, 2040, 2045]) == [[2030], [2035], [2040, 2045]]
    drawn = maps.areas_maps(areas, [2030, 2035, 2040, 2045], TYPE_DE, base=MapBase())
    assert [d["years"] for d in drawn] == [[2030], [2035], [2040, 2045]]
    assert len({d["image"].png for d in drawn}) == 3
    review, network = (
        _area_fill("pruefgebiet", GRADES[1]),
        _area_fill("waermenetz_neubau", GRADES[1]),
    )
    # A01 (a third of the map) is a Prüfgebiet in 2030 and a new heat network in 2035
    assert _count(drawn[0]["image"], review) > 3_000 > _count(drawn[1]["image"], review)
    assert _count(drawn[1]["image"], network) > 3_000 > _count(drawn[0]["image"], network)
    # 2035 vs 2040: same types, the grade of A01 differs -> its shading (paler, hatch) differs
    hatch_2035 = str(map_style("likelihood").loc[GRADES[1], "hatch"])
    assert hatch_2035 and drawn[1]["image"].png != drawn[2]["image"].png
    assert _count(drawn[2]["image"], _area_fill("waermenetz_neubau", GRADES[0])) > 3_000


def test_identical_years_share_one_map_titled_with_all_of_them() -> None:
    same = {y: ["dezentral"] * 3 for y in (2030, 2035, 2040, 2045)}
    grade = {y: [GRADES[0]] * 3 for y in same}
    (drawn,) = maps.areas_maps(_areas(same, grade), list(same), TYPE_DE, base=MapBase())
    assert drawn["years"] == [2030, 2035, 2040, 2045]
    assert "2030, 2035, 2040 und 2045" in drawn["title"]


def test_heat_density_legend_shows_the_class_limits_in_german_notation() -> None:
    classes = density_classes()
    blocks = gpd.GeoDataFrame(
        {"heat_density_mwh_per_ha_a": [30.0, 100.0, 200.0, 500.0, 1500.0, np.nan]},
        geometry=[shapely.box(100 * i, 0, 100 * i + 90, 90) for i in range(6)],
        crs=CRS,
    )
    legend = maps.heat_density_map(blocks, classes, base=MapBase()).alt  # the legend as text
    for row in classes.itertuples(index=False):
        low, high = float(row.min_mwh_per_ha_a), float(row.max_mwh_per_ha_a)
        low_de = f"{low:,.0f}".replace(",", ".")  # German thousands separator
        expected = f"≥ {low_de}" if np.isinf(high) else f"{low_de}–{high:,.0f}".replace(",", ".")
        assert f"{expected} MWh/(ha·a)" in legend
    assert "≥ 1.050 MWh/(ha·a)" in legend  # KEA-BW top class, read by hand from the guide's table
    assert "heller" not in legend


def test_potential_classes_are_rounded_rising_limits() -> None:
    values = pd.Series([3.0, 14.0, 27.0, 160.0, 171.0, 900.0, 1234.0, 5555.0, 8000.0, 9999.0])
    bounds = maps.potential_classes(values)
    assert bounds[0] == 0.0 and bounds == sorted(set(bounds))
    # the median of the ten values is (171 + 900) / 2 = 535.5 -> two significant digits: 540
    assert maps.potential_classes(values, count=2) == [0.0, 540.0]


def test_base_is_geometry_and_street_names_only_without_confidential_rows() -> None:
    buildings = gpd.GeoDataFrame(
        {"heat_demand_kwh_per_a": [12_000.0, 30_000.0], "confidential": [False, True]},
        geometry=[shapely.Point(0, 0), shapely.Point(10, 0)],
        crs=CRS,
    )
    base = base_geometry(buildings)
    assert base is not None and list(base.columns) == ["geometry"] and len(base) == 1
    streets = gpd.GeoDataFrame(
        {"name": ["Kirchstraße"], "street_id": ["s1"]},
        geometry=[shapely.LineString([(0, 0), (100, 0)])],
        crs=CRS,
    )
    named = base_geometry(streets, names=True)
    assert named is not None and set(named.columns) == {"geometry", "name"}


def test_a_map_is_one_png_at_print_resolution_whatever_the_number_of_buildings() -> None:
    rng = np.random.default_rng(1)
    areas = _areas({2030: ["dezentral"] * 3}, {2030: [GRADES[0]] * 3})
    drawn = []
    for n in (30, 3000):
        xy = rng.uniform(0, 600, size=(n, 2))
        base = MapBase(
            buildings=gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS),
            streets=gpd.GeoDataFrame(
                {"name": ["Hauptstraße"]},
                geometry=[shapely.LineString([(0, 300), (600, 300)])],
                crs=CRS,
            ),
            place="Musterstadt",
        )
        (one,) = maps.areas_maps(areas, [2030], TYPE_DE, base=base)
        drawn.append(one["image"])
    for image in drawn:
        with Image.open(io.BytesIO(image.png)) as png:
            assert png.format == "PNG" and png.size == (image.width_px, image.height_px)
        # printed at its own width: the figure is the text width (WIDTH_IN) cropped to what is
        # drawn, so at MAP_DPI it is between 80 % and 100 % of the text width and >= 1,000 px
        # (plus matplotlib's 0.1 in padding of a cropped figure on each side)
        assert 0.8 * WIDTH_IN * 25.4 <= image.width_mm <= (WIDTH_IN + 0.2) * 25.4
        assert image.width_px >= 0.8 * WIDTH_IN * MAP_DPI
        assert image.width_px / (image.width_mm / 25.4) == pytest.approx(MAP_DPI)
        element = image.__html__()
        assert element.startswith('<img class="map" src="data:image/png;base64,')
        assert f"width: {image.width_mm:.1f}mm" in element
        assert "Versorgungsgebiete" in image.alt and "Gebäude (Lage)" in image.alt
    # 100x the buildings: the same image size on the page and no larger file than a few times
    few, many = drawn
    assert (few.width_px, few.height_px) == (many.width_px, many.height_px)
    assert len(many.png) < 4 * len(few.png)


def test_buildings_as_one_path_look_as_drawn_one_by_one_by_geopandas() -> None:
    # 400 squares and L-shapes (one with a courtyard) drawn both ways on the same axes size
    rng = np.random.default_rng(3)
    shapes = [shapely.box(x, y, x + 12, y + 9) for x, y in rng.uniform(0, 500, size=(300, 2))]
    shapes += [
        shapely.Polygon([(x, y), (x + 20, y), (x + 20, y + 6), (x + 6, y + 6), (x + 6, y + 20)])
        for x, y in rng.uniform(0, 500, size=(99, 2))
    ]
    shapes.append(shapely.box(200, 200, 260, 260).difference(shapely.box(215, 215, 245, 245)))
    frame = gpd.GeoDataFrame(geometry=shapes, crs=CRS)

    def drawn(one_path: bool) -> np.ndarray:
        fig = Figure(figsize=(3, 3), dpi=MAP_DPI)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        if one_path:
            ax.add_artist(
                PathPatch(maps.polygons_path(frame.geometry), fc="#c8c8c8", ec="#5a5a5a", lw=0.1)
            )
        else:
            frame.plot(ax=ax, color="#c8c8c8", edgecolor="#5a5a5a", linewidth=0.1)
        ax.set_xlim(-10, 530)
        ax.set_ylim(-10, 530)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)

    one, each = drawn(True), drawn(False)
    # the same picture: 10 x 10 pixel cells (0.05 in) alike within a few grey levels; single
    # pixels differ where geopandas snaps a polygon's edges to the pixel grid and where an
    # edge of a lower building shows on an overlapping upper one
    cells = [a.reshape(60, 10, 60, 10, 3).mean(axis=(1, 3)) for a in (one, each)]
    gap = np.abs(cells[0] - cells[1]).max(axis=2)
    assert gap.mean() < 1.0 and np.percentile(gap, 99) < COLOUR_TOL
    # the courtyard stays open: white at its centre (230, 230) in both
    column, row = int((230 + 10) / 540 * 600), int(600 - (230 + 10) / 540 * 600)
    assert (one[row, column] == 255).all() and (each[row, column] == 255).all()


def test_credit_line_does_not_overlap_the_scale_bar() -> None:
    fig = Figure(figsize=(4, 3))
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1000)
    ax.set_ylim(0, 800)
    credit = "Daten: Projektdaten der Kommune; Darstellung: heatplan " * 2
    finish(ax, MapBase(attribution=credit))
    canvas.draw()
    renderer = canvas.get_renderer()
    bars = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, Rectangle)]
    texts = {t.get_text(): t.get_window_extent(renderer) for t in ax.texts}
    assert bars and credit in texts
    for bar in [*bars, *(box for text, box in texts.items() if text != credit)]:
        assert not texts[credit].overlaps(bar)


def test_pipes_examined_in_decentral_areas_are_not_drawn_as_planned_on_the_density_map() -> None:
    areas = _areas({2045: ["dezentral"] * 3}, {2045: [GRADES[0]] * 3})
    blocks = gpd.GeoDataFrame(
        {"heat_density_mwh_per_ha_a": [200.0, 300.0, 400.0]}, geometry=areas.geometry, crs=CRS
    )
    pipes = gpd.GeoDataFrame(
        {"existing": [False]}, geometry=[shapely.LineString([(20, 100), (580, 100)])], crs=CRS
    )
    planned = colours("network_status")["planned"]
    classes = density_classes()
    drawn = maps.heat_density_map(blocks, classes, base=MapBase(), pipes=pipes)
    examined = maps.heat_density_map(blocks, classes, base=MapBase(), pipes=pipes, areas=areas)
    # without areas: all pipes drawn (a 560 m line 1 pt wide: hundreds of pixels)
    assert _count(drawn, _on_white(planned)) > 300 and "Wärmenetz (Planung)" in drawn.alt
    assert _count(examined, _on_white(planned)) == 0
    assert "Wärmenetz (Planung)" not in examined.alt


def _mark(locator: maps.Locator) -> tuple[shapely.Geometry, str]:
    """The marked area of a locator as a pixel polygon, and its fill colour."""
    d = re.search(r'<path d="([^"]+)" fill="(#[0-9a-f]{6})"', locator.mark)
    assert d is not None
    rings = [
        [tuple(map(float, xy.split())) for xy in ring.strip(" Z").split(" L")]
        for ring in d.group(1).split("M")
        if ring.strip()
    ]
    return shapely.MultiPolygon([shapely.Polygon(r) for r in rings]), d.group(2)


def test_each_locator_marks_its_own_area_over_one_base_image_of_the_town() -> None:
    # 1,600 round areas as in a large city; one base image, a small SVG mark per area
    centres = [shapely.Point(300 * (i % 40), 300 * (i // 40)) for i in range(1600)]
    many = gpd.GeoDataFrame(
        {"area_id": [f"A{i:04d}" for i in range(1600)]},
        geometry=[c.buffer(140) for c in centres],
        crs=CRS,
    )
    locators = maps.Locators(many)
    red = colours("area_type")["waermenetz_verdichtung"]
    first, other = locators.locator("A0420", red), locators.locator("A0845", red)
    base = _pixels(locators.base)
    grey = _on_white(str(map_style("base").loc["locator_area", "fill"]))
    assert (base[1, 1] == 255).all()  # the paper stays white in the PNG's palette
    # A0845's centre (x 1,500 m, y 6,300 m) is an unmarked grey area in the base image,
    # inside A0845's red mark and outside A0420's (and the other way round at 6,000/3,000 m)
    for centre, own, foreign in (
        ((1500.0, 6300.0), other, first),
        ((6000.0, 3000.0), first, other),
    ):
        column, row = locators.pixel(*centre)
        assert np.abs(base[row, column] - grey).max() <= COLOUR_TOL
        inside, fill = _mark(own)
        assert inside.contains(shapely.Point(column + 0.5, row + 0.5)) and fill == red
        assert not _mark(foreign)[0].contains(shapely.Point(column + 0.5, row + 0.5))
    # a 140 m circle is ~1 mm on the locator: a ring marks it; ids stand in the mark as text
    assert "<circle" in other.mark and ">A0845</text>" in other.mark
    # the base: one PNG at MAP_DPI printed 61 mm wide, in the CSS once for all locators
    assert locators.base.dpi == MAP_DPI
    assert locators.base.width_mm == pytest.approx(61.0, abs=0.1)
    assert locators.css().count("data:image/png;base64,") == 1
    assert 'class="locator"' in first.__html__() and "A0420" in first.__html__()
    # the mark stays small however many areas the town has (a 9-vertex circle and its id)
    assert len(other.mark) < 1500
    few = maps.locator_map(many.iloc[:4], "A0001")
    assert (few.base.width_px, few.base.height_px) == (
        locators.base.width_px,
        locators.base.height_px,
    )


def test_line_density_legend_shows_multiples_of_the_guide_value() -> None:
    guide_kwh_per_m_a = 1500.0  # Energie-Atlas Bayern guide value, 1,5 MWh/(m·a)
    segments = gpd.GeoDataFrame(
        {"line_density_kwh_per_m_a": [300.0, 1000.0, 2000.0, 4000.0]},
        geometry=[shapely.LineString([(0, 50 * i), (400, 50 * i)]) for i in range(4)],
        crs=CRS,
    )
    legend = maps.line_density_map(segments, guide_kwh_per_m_a, base=MapBase()).alt
    # classes at 0, 1/2, 1 and 2 times the guide, in MWh/(m·a) with a decimal comma
    for text in ("0,00–0,75", "0,75–1,50", "1,50–3,00", "≥ 3,00"):
        assert f"{text} MWh/(m·a)" in legend

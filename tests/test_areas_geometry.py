"""Planning geometry: street segments, building blocks, assignment and the 100 m grid.

Expected values are computed independently: by hand for small made-up networks, and with plain
shapely / pyproj (brute-force distances, point-in-polygon counts, graph degrees of the raw pipe
ends) for the real streets and 1,506 houses of Schutterwald (pandapipes, Kisse et al. 2020).
"""

from __future__ import annotations

import math
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely import LineString, Point, Polygon, box
from shapely.affinity import rotate, translate

from heatplan.areas import (
    assign_to_blocks,
    assign_to_segments,
    default_boundary,
    derive_blocks,
    grid_100m,
    street_segments,
)

#: Relative tolerance for sums of lengths over segments [-] (float rounding only).
RTOL_LENGTH = 1e-9
#: Relative tolerance for sums of areas over blocks and cells [-] (float rounding only).
RTOL_AREA = 1e-9
#: Absolute tolerance for distances and coordinates compared between two computations [m].
ATOL_DISTANCE_M = 1e-9
#: Absolute tolerance for hand-computed block areas after rotation and translation [ha].
ATOL_AREA_HA = 1e-6
ATOL_AREA_M2 = ATOL_AREA_HA * 1e4
#: A point this close to a line counts as lying on it [m].
ON_LINE_M = 1e-6
#: Cells below this area without buildings are dropped as slivers by derive_blocks [m²].
SLIVER_AREA_M2 = 1.0

UTM = "EPSG:25832"
#: An offset into realistic UTM 32N coordinates (Offenburg area), so rounding is realistic [m].
UTM_OFFSET_M = (412_000.0, 5_368_000.0)


def _lines(*lines: LineString) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(lines), crs=UTM)


def _points(*xy: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[Point(p) for p in xy], crs=UTM)


def _end_key(xy: np.ndarray) -> tuple[float, float]:
    return (round(float(xy[0]), 6), round(float(xy[1]), 6))


def _matches_one_to_one(found: gpd.GeoSeries, expected: list[Polygon], tol_m2: float) -> bool:
    """True if the polygons pair off one to one, each pair differing by less than ``tol_m2``."""
    if len(found) != len(expected):
        return False
    unmatched = list(range(len(expected)))
    for polygon in found:
        hits = [i for i in unmatched if polygon.symmetric_difference(expected[i]).area < tol_m2]
        if len(hits) != 1:
            return False
        unmatched.remove(hits[0])
    return True


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def areas_segments(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> gpd.GeoDataFrame:
    streets, _ = areas_schutterwald
    return street_segments(streets)


@pytest.fixture(scope="module")
def areas_blocks(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> gpd.GeoDataFrame:
    streets, buildings = areas_schutterwald
    return derive_blocks(streets, buildings)


# --- street segments: hand-made networks ---------------------------------------------------------
def test_cross_without_shared_vertex_gives_four_segments() -> None:
    crossing = _lines(LineString([(0, 5), (10, 5)]), LineString([(5, 0), (5, 10)]))
    segments = street_segments(crossing)
    assert len(segments) == 4
    assert segments["length_m"].tolist() == [5.0, 5.0, 5.0, 5.0]
    for line in segments.geometry:
        ends = {tuple(line.coords[0]), tuple(line.coords[-1])}
        assert (5.0, 5.0) in ends  # every arm ends at the crossing


def test_l_shaped_street_in_two_pieces_is_one_segment() -> None:
    # digitised in two pieces, the second one pointing the "wrong" way
    pieces = _lines(LineString([(0, 0), (10, 0)]), LineString([(10, 7), (10, 0)]))
    segments = street_segments(pieces)
    assert len(segments) == 1
    assert segments["length_m"].iloc[0] == 17.0  # 10 + 7, exactly
    assert segments.geometry.iloc[0].equals(LineString([(0, 0), (10, 0), (10, 7)]))


def test_street_in_pieces_with_side_street() -> None:
    main = [
        LineString([(0, 0), (30, 0)]),
        LineString([(30, 0), (60, 0)]),
        LineString([(60, 0), (100, 0)]),
    ]
    side = LineString([(60, 0), (60, 40)])
    segments = street_segments(_lines(*main, side))
    # junction at x=60 (degree 3); the piece ends at x=30 have degree 2 and are merged
    assert sorted(segments["length_m"]) == [40.0, 40.0, 60.0]
    assert segments["length_m"].sum() == 140.0
    assert segments["segment_id"].tolist() == list(range(3))


def test_overlapping_duplicates_are_counted_once() -> None:
    doubled = _lines(LineString([(0, 0), (10, 0)]), LineString([(5, 0), (15, 0)]))
    segments = street_segments(doubled)
    assert segments["length_m"].tolist() == [15.0]


def test_loop_with_a_tail() -> None:
    ring = LineString([(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)])
    tail = LineString([(0, 0), (-5, 0)])
    segments = street_segments(_lines(ring, tail))
    assert sorted(segments["length_m"]) == [5.0, 40.0]
    loop = segments.geometry[segments["length_m"] == 40.0].iloc[0]
    assert loop.is_closed and tuple(loop.coords[0]) == (0.0, 0.0)


def test_multilinestrings_and_missing_geometries() -> None:
    streets = gpd.GeoDataFrame(
        geometry=[shapely.MultiLineString([[(0, 0), (10, 0)], [(10, 0), (10, 7)]]), None],
        crs=UTM,
    )
    assert street_segments(streets)["length_m"].tolist() == [17.0]


def test_no_streets_gives_an_empty_frame() -> None:
    segments = street_segments(gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=UTM)))
    assert segments.empty
    assert {"segment_id", "length_m", "geometry"} <= set(segments.columns)
    assert segments.crs == UTM


@pytest.mark.parametrize("crs", [None, "EPSG:4326"])
def test_streets_must_be_projected_in_metres(crs: str | None) -> None:
    streets = gpd.GeoDataFrame(geometry=[LineString([(7.9, 48.4), (7.91, 48.4)])], crs=crs)
    with pytest.raises(ValueError, match="streets"):
        street_segments(streets)


# --- street segments: Schutterwald ---------------------------------------------------------------
def test_schutterwald_segment_length_equals_street_length(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    areas_segments: gpd.GeoDataFrame,
) -> None:
    streets, _ = areas_schutterwald
    expected_m = float(streets.length.sum())
    assert math.isclose(areas_segments["length_m"].sum(), expected_m, rel_tol=RTOL_LENGTH)
    assert np.allclose(areas_segments["length_m"], areas_segments.length, rtol=RTOL_LENGTH)
    assert areas_segments["segment_id"].tolist() == list(range(len(areas_segments)))
    assert (areas_segments.geom_type == "LineString").all()


def test_schutterwald_segments_run_between_junctions_and_dead_ends(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    areas_segments: gpd.GeoDataFrame,
) -> None:
    streets, _ = areas_schutterwald
    # The pipes are two-point lines that meet only at shared end points: their graph is the
    # street graph, and the degree of a node is how often it occurs as a pipe end.
    ends = shapely.get_coordinates(streets.geometry.to_numpy()).reshape(-1, 2)
    degree = Counter(_end_key(xy) for xy in ends)
    for line in areas_segments.geometry:
        coords = np.asarray(line.coords)
        assert degree[_end_key(coords[0])] != 2
        assert degree[_end_key(coords[-1])] != 2
        assert all(degree[_end_key(xy)] == 2 for xy in coords[1:-1])
    # every segment has two ends at nodes of degree != 2, so their number is half the degree sum
    assert len(areas_segments) == sum(d for d in degree.values() if d != 2) // 2


def test_schutterwald_every_pipe_lies_in_exactly_one_segment(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    areas_segments: gpd.GeoDataFrame,
) -> None:
    streets, _ = areas_schutterwald
    middles = shapely.line_interpolate_point(streets.geometry.to_numpy(), 0.5, normalized=True)
    distance_m = shapely.distance(middles[:, None], areas_segments.geometry.to_numpy()[None, :])
    on_segment = (distance_m < ON_LINE_M).sum(axis=1)
    assert (on_segment == 1).all()


# --- building blocks: hand-made streets ----------------------------------------------------------
def _hash_streets(overhang_m: float) -> list[LineString]:
    """Two horizontal and two vertical streets at 100 and 200 m, ``overhang_m`` past 0..300."""
    lo, hi = -overhang_m, 300.0 + overhang_m
    return [
        LineString([(lo, 100), (hi, 100)]),
        LineString([(lo, 200), (hi, 200)]),
        LineString([(100, lo), (100, hi)]),
        LineString([(200, lo), (200, hi)]),
    ]


def _nine_squares() -> list[Polygon]:
    return [box(x, y, x + 100, y + 100) for x in (0, 100, 200) for y in (0, 100, 200)]


def _cell_centres() -> list[tuple[float, float]]:
    return [(x + 50.0, y + 50.0) for x in (0, 100, 200) for y in (0, 100, 200)]


def test_street_grid_gives_its_nine_blocks() -> None:
    streets = _lines(*_hash_streets(overhang_m=50.0))
    buildings = _points(*_cell_centres())
    blocks = derive_blocks(streets, buildings, boundary=box(0, 0, 300, 300))
    assert _matches_one_to_one(blocks.geometry, _nine_squares(), tol_m2=1e-9)
    assert np.allclose(blocks["area_ha"], 1.0, rtol=RTOL_AREA)
    assert not blocks["subdivided"].any()
    assert blocks["block_id"].tolist() == list(range(9))


def _rotated(geometry: shapely.Geometry) -> shapely.Geometry:
    """Rotate by 30° about the origin and move into UTM coordinates (inexact coordinates)."""
    return translate(rotate(geometry, 30.0, origin=(0, 0)), *UTM_OFFSET_M)


def test_dead_ends_short_of_the_boundary_are_extended_on_a_rotated_grid() -> None:
    # streets stop 20 m short of the boundary; with the rotation no hit point is exact
    streets = _lines(*[_rotated(line) for line in _hash_streets(overhang_m=-20.0)])
    buildings = _points(*[tuple(_rotated(Point(c)).coords[0]) for c in _cell_centres()])
    boundary = _rotated(box(0, 0, 300, 300))
    blocks = derive_blocks(streets, buildings, boundary=boundary)
    expected = [_rotated(square) for square in _nine_squares()]
    assert _matches_one_to_one(blocks.geometry, expected, tol_m2=ATOL_AREA_M2)
    assert np.allclose(blocks["area_ha"], 1.0, atol=ATOL_AREA_HA)


def test_dead_end_short_of_a_street_is_extended_to_it() -> None:
    # a bar across the (rotated) area and a side street ending 10 m short of it
    bar = _rotated(LineString([(-10, 100), (210, 100)]))
    stem = _rotated(LineString([(100, 110), (100, 210)]))
    boundary = _rotated(box(0, 0, 200, 200))
    buildings = _points(*[tuple(_rotated(Point(p)).coords[0]) for p in [(50, 50), (150, 150)]])
    blocks = derive_blocks(_lines(bar, stem), buildings, boundary=boundary)
    assert sorted(np.round(blocks["area_ha"], 6)) == [1.0, 1.0, 2.0]
    expected = [_rotated(box(0, 0, 200, 100)), _rotated(box(0, 100, 100, 200))]
    expected.append(_rotated(box(100, 100, 200, 200)))
    assert _matches_one_to_one(blocks.geometry, expected, tol_m2=ATOL_AREA_M2)


def _row_of_buildings() -> gpd.GeoDataFrame:
    # 28 buildings at x = 15, 25, ..., 285 in a 300 m x 100 m (3 ha) area, symmetric about x=150
    return _points(*[(15.0 + 10.0 * i, 50.0) for i in range(28)])


def test_large_cell_is_cut_through_the_median_building() -> None:
    streets = _lines(LineString([(0, 0), (300, 0)]))
    blocks = derive_blocks(
        streets, _row_of_buildings(), boundary=box(0, 0, 300, 100), max_block_area_ha=1.0
    )
    # first cut between the 14th and 15th building (x=150), then between the 7th and 8th of
    # each half (x=80 and x=220): areas 0.8, 0.7, 0.7, 0.8 ha, 7 buildings each
    expected = [box(0, 0, 80, 100), box(80, 0, 150, 100), box(150, 0, 220, 100)]
    expected.append(box(220, 0, 300, 100))
    assert _matches_one_to_one(blocks.geometry, expected, tol_m2=1e-6)
    assert blocks["subdivided"].all()
    counts = assign_to_blocks(_row_of_buildings(), blocks).value_counts()
    assert counts.tolist() == [7, 7, 7, 7]


def test_no_cut_leaves_fewer_than_min_buildings() -> None:
    streets = _lines(LineString([(0, 0), (300, 0)]))
    blocks = derive_blocks(
        streets,
        _row_of_buildings(),
        boundary=box(0, 0, 300, 100),
        max_block_area_ha=1.0,
        min_buildings=15,  # 28 < 2 x 15: no cut possible
    )
    assert len(blocks) == 1
    assert not blocks["subdivided"].iloc[0]
    assert math.isclose(blocks["area_ha"].iloc[0], 3.0, rel_tol=RTOL_AREA)


def test_no_streets_gives_the_boundary_as_one_block() -> None:
    streets = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=UTM))
    blocks = derive_blocks(streets, _points((1, 1), (5, 5)), boundary=box(0, 0, 10, 10))
    assert len(blocks) == 1
    assert blocks.geometry.iloc[0].equals(box(0, 0, 10, 10))


def test_building_outside_the_boundary_raises() -> None:
    streets = _lines(LineString([(0, 50), (100, 50)]))
    with pytest.raises(ValueError, match="outside the boundary"):
        derive_blocks(streets, _points((10, 10), (500, 500)), boundary=box(0, 0, 100, 100))


def test_blocks_reject_bad_inputs() -> None:
    streets = _lines(LineString([(0, 50), (100, 50)]))
    buildings = _points((10, 10))
    with pytest.raises(ValueError, match="differ in CRS"):
        derive_blocks(streets, buildings.set_crs("EPSG:25833", allow_override=True))
    with pytest.raises(ValueError, match="min_buildings"):
        derive_blocks(streets, buildings, min_buildings=0)
    with pytest.raises(TypeError, match="boundary"):
        derive_blocks(streets, buildings, boundary="everything")  # type: ignore[arg-type]


# --- building blocks: Schutterwald ---------------------------------------------------------------
def test_schutterwald_every_building_is_in_exactly_one_block(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    areas_blocks: gpd.GeoDataFrame,
) -> None:
    _, buildings = areas_schutterwald
    polygons = areas_blocks.geometry.to_numpy()
    points = buildings.geometry.to_numpy()
    inside = shapely.covers(polygons[None, :], points[:, None])  # buildings x blocks
    assert (inside.sum(axis=1) == 1).all()
    containing = areas_blocks["block_id"].to_numpy()[inside.argmax(axis=1)]
    assigned = assign_to_blocks(buildings, areas_blocks)
    assert (assigned.to_numpy() == containing).all()
    assert assigned.index.equals(buildings.index)


def test_schutterwald_blocks_do_not_overlap(areas_blocks: gpd.GeoDataFrame) -> None:
    polygons = areas_blocks.geometry.to_numpy()
    union_m2 = shapely.union_all(polygons).area
    assert math.isclose(shapely.area(polygons).sum(), union_m2, rel_tol=RTOL_AREA)
    assert not shapely.is_empty(polygons).any()
    assert shapely.is_valid(polygons).all()
    assert (areas_blocks.geom_type == "Polygon").all()
    assert np.allclose(areas_blocks["area_ha"], shapely.area(polygons) / 1e4, rtol=RTOL_AREA)
    assert areas_blocks["block_id"].tolist() == list(range(len(areas_blocks)))


def test_schutterwald_blocks_tile_the_default_boundary(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    areas_blocks: gpd.GeoDataFrame,
) -> None:
    streets, buildings = areas_schutterwald
    union = shapely.union_all(areas_blocks.geometry.to_numpy())
    boundary = default_boundary(streets, buildings)
    assert union.difference(boundary).area < ATOL_AREA_M2
    # only slivers without buildings (< 1 m² each) may be missing
    missing = shapely.get_parts(boundary.difference(union))
    assert (shapely.area(missing) < SLIVER_AREA_M2).all()
    assert abs(boundary.area - union.area) < SLIVER_AREA_M2
    assert union.buffer(ON_LINE_M).covers(shapely.union_all(streets.geometry.to_numpy()))


# --- assignment to segments ----------------------------------------------------------------------
def test_schutterwald_nearest_segment_against_brute_force(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    areas_segments: gpd.GeoDataFrame,
) -> None:
    _, buildings = areas_schutterwald
    assigned = assign_to_segments(buildings, areas_segments)
    assert assigned.notna().all() and assigned.index.equals(buildings.index)
    lines = areas_segments.geometry.to_numpy()
    ids = areas_segments["segment_id"].to_numpy()
    distance_m = shapely.distance(buildings.geometry.to_numpy()[:, None], lines[None, :])
    nearest_m = distance_m.min(axis=1)
    candidates = distance_m <= nearest_m[:, None] + ATOL_DISTANCE_M
    expected = np.where(candidates, ids[None, :], np.iinfo(np.int64).max).min(axis=1)
    position = pd.Index(ids).get_indexer(assigned.to_numpy())
    chosen_m = distance_m[np.arange(len(buildings)), position]
    assert np.allclose(chosen_m, nearest_m, rtol=0, atol=ATOL_DISTANCE_M)
    assert (assigned.to_numpy() == expected).all()


def test_equidistant_segments_go_to_the_smallest_id() -> None:
    segments = gpd.GeoDataFrame(
        {"segment_id": [7, 2, 5]},
        geometry=[
            LineString([(0, 0), (0, 10)]),
            LineString([(10, 0), (10, 10)]),
            LineString([(100, 0), (100, 10)]),
        ],
        crs=UTM,
    )
    buildings = _points((5, 5), (1, 5), (99, 5))
    assert assign_to_segments(buildings, segments).tolist() == [2, 7, 5]


def test_footprints_use_a_point_inside_and_duplicate_labels_work() -> None:
    segments = gpd.GeoDataFrame(
        {"segment_id": [0, 1]},
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 50), (100, 50)])],
        crs=UTM,
    )
    footprints = gpd.GeoDataFrame(
        geometry=[box(10, 5, 20, 15), box(10, 38, 20, 48), box(60, 2, 70, 8)],
        index=["a", "a", "b"],
        crs=UTM,
    )
    result = assign_to_segments(footprints, segments)
    assert result.index.tolist() == ["a", "a", "b"]
    assert result.tolist() == [0, 1, 0]


def test_assignment_rejects_bad_inputs() -> None:
    segments = gpd.GeoDataFrame(
        {"segment_id": [0]}, geometry=[LineString([(0, 0), (100, 0)])], crs=UTM
    )
    buildings = _points((5, 5))
    with pytest.raises(ValueError, match="differ in CRS"):
        assign_to_segments(buildings.to_crs("EPSG:3035"), segments)
    with pytest.raises(ValueError, match="segment_id"):
        assign_to_segments(buildings, segments.rename(columns={"segment_id": "id"}))
    with pytest.raises(ValueError, match="no segments"):
        assign_to_segments(buildings, segments.iloc[:0])
    assert assign_to_segments(buildings.iloc[:0], segments).empty


def test_block_border_goes_to_the_smallest_id_and_outside_to_the_nearest() -> None:
    blocks = gpd.GeoDataFrame(
        {"block_id": [4, 1]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=UTM
    )
    buildings = _points((5, 5), (10, 5), (15, 5), (25, 5), (-3, 5))
    assert assign_to_blocks(buildings, blocks).tolist() == [4, 1, 1, 1, 4]


# --- 100 m grid ----------------------------------------------------------------------------------
LAEA = "EPSG:3035"


def test_cell_code_follows_the_inspire_convention() -> None:
    # hand-computed: lower-left corner of the 100 m cell holding (E 4,334,123.4, N 2,684,056.7)
    # is E 4,334,100, N 2,684,000; INSPIRE: 'CRS3035RES100m' + 'N' northing + 'E' easting [m]
    buildings = gpd.GeoDataFrame(geometry=[Point(4_334_123.4, 2_684_056.7)], crs=LAEA)
    grid_id, cells = grid_100m(buildings)
    assert grid_id.tolist() == ["CRS3035RES100mN2684000E4334100"]
    assert cells.geometry.iloc[0].equals(box(4_334_100, 2_684_000, 4_334_200, 2_684_100))
    assert cells[["north_m", "east_m"]].iloc[0].tolist() == [2_684_000, 4_334_100]
    assert cells["area_ha"].tolist() == [1.0]
    assert cells.crs == LAEA


def test_lower_and_left_cell_edges_belong_to_the_cell() -> None:
    corners = [(4_334_100.0, 2_684_000.0), (4_334_200.0, 2_684_100.0), (4_334_199.99, 2_684_000)]
    buildings = gpd.GeoDataFrame(geometry=[Point(p) for p in corners], crs=LAEA)
    grid_id, cells = grid_100m(buildings)
    assert grid_id.tolist() == [
        "CRS3035RES100mN2684000E4334100",
        "CRS3035RES100mN2684100E4334200",
        "CRS3035RES100mN2684000E4334100",
    ]
    assert len(cells) == 2


def test_other_cell_sizes_and_float_sizes() -> None:
    buildings = gpd.GeoDataFrame(geometry=[Point(4_334_123.4, 2_684_056.7)], crs=LAEA)
    grid_km, cells_km = grid_100m(buildings, cell_size_m=1000)
    assert grid_km.tolist() == ["CRS3035RES1000mN2684000E4334000"]
    assert cells_km["area_ha"].tolist() == [100.0]
    grid_float, _ = grid_100m(buildings, cell_size_m=100.0)  # type: ignore[arg-type]
    assert grid_float.tolist() == ["CRS3035RES100mN2684000E4334100"]
    with pytest.raises(ValueError, match="whole number"):
        grid_100m(buildings, cell_size_m=99.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no CRS"):
        grid_100m(gpd.GeoDataFrame(geometry=[Point(0, 0)]))


def test_schutterwald_grid_cells(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    _, buildings = areas_schutterwald
    grid_id, cells = grid_100m(buildings)
    to_laea = Transformer.from_crs(UTM, LAEA, always_xy=True)
    xy = shapely.get_coordinates(buildings.geometry.to_numpy())
    east_m, north_m = to_laea.transform(xy[:, 0], xy[:, 1])
    expected = [
        f"CRS3035RES100mN{int(n // 100) * 100}E{int(e // 100) * 100}"
        for e, n in zip(east_m, north_m, strict=True)
    ]
    assert grid_id.tolist() == expected
    assert grid_id.index.equals(buildings.index)
    # every building lies in exactly one cell, and that cell carries its code
    points = shapely.points(np.column_stack([east_m, north_m]))
    polygons = cells.geometry.to_numpy()
    inside = shapely.contains_properly(polygons[None, :], points[:, None])
    assert (inside.sum(axis=1) == 1).all()
    assert (cells["grid_id"].to_numpy()[inside.argmax(axis=1)] == grid_id.to_numpy()).all()
    # cells: unique, sorted, occupied, 1 ha, not overlapping
    assert cells["grid_id"].is_unique and cells["grid_id"].is_monotonic_increasing
    assert set(cells["grid_id"]) == set(grid_id)
    assert np.allclose(shapely.area(polygons), 10_000.0, rtol=RTOL_AREA)
    union_m2 = shapely.union_all(polygons).area
    assert math.isclose(union_m2, 10_000.0 * len(cells), rel_tol=RTOL_AREA)

"""Small supply areas merged into their best neighbour (heatplan.areas.small, WPG § 10 (2)).

Geometry by hand: a small block between a wide neighbour (100 m shared border) and a narrow one
(50 m), barriers drawn on its borders, and a far block beyond the reach. The real cases are the
Schutterwald demo (test_areas_supply.py) and Campus Melaten (test_areas_barriers.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from heatplan.areas.small import merge_small_areas, min_buildings_per_area
from heatplan.reference import parameter

TOLERANCE_M = 20.0
#: west (a, 200 m x 100 m), the small block t, east (c, touches t along 50 m), far block f
BLOCKS = np.array(
    [
        shapely.box(0, 0, 200, 100),
        shapely.box(200, 0, 300, 100),
        shapely.box(300, 0, 400, 50),
        shapely.box(1000, 0, 1100, 100),
    ],
    dtype=object,
)
LABELS = pd.Series(["a", "t", "c", "f"], name="area_id")
COUNTS = np.array([12, 1, 9, 2])


def _wall(x: float) -> shapely.LineString:
    return shapely.LineString([(x, -10), (x, 110)])


def _merge(barriers: list[shapely.LineString] | None = None, **options: object):  # type: ignore[no-untyped-def]
    lines = None if barriers is None else np.array(barriers, dtype=object)
    return merge_small_areas(
        LABELS, BLOCKS, COUNTS, tolerance_m=TOLERANCE_M, barriers=lines, **options
    )


def test_the_threshold_is_the_wpg_aggregation_minimum() -> None:
    assert min_buildings_per_area() == 5
    assert parameter("area_parameters.csv", "small_area_reach_m") == 100.0


def test_a_small_area_joins_the_neighbour_with_the_longest_shared_border() -> None:
    result = _merge()
    assert result.area_of_block.tolist() == ["a", "a", "c", "f"]
    assert result.merged[0] == {"area": "t", "into": "a", "buildings": 1, "across_barrier": False}
    assert result.isolated == ["f"]  # 600 m from c: beyond the 100 m reach


def test_a_barrier_sends_it_to_the_neighbour_on_its_side() -> None:
    result = _merge([_wall(200.0)])
    assert result.area_of_block.tolist() == ["a", "c", "c", "f"]
    assert result.merged[0]["across_barrier"] is False


def test_between_two_barriers_it_crosses_the_longest_contact_or_stays() -> None:
    walls = [_wall(200.0), _wall(300.0)]
    across = _merge(walls)
    assert across.area_of_block.tolist() == ["a", "a", "c", "f"]
    assert across.merged[0]["across_barrier"] is True
    kept = _merge(walls, across_barriers=False)
    assert kept.area_of_block.tolist() == LABELS.tolist()
    assert sorted(kept.isolated) == ["f", "t"] and kept.merged == []


def test_an_area_without_neighbours_joins_the_nearest_within_the_reach() -> None:
    result = _merge(reach_m=700.0)
    assert result.area_of_block.tolist() == ["a", "a", "c", "c"]
    assert {m["area"]: m["into"] for m in result.merged} == {"t": "a", "f": "c"}


def test_merging_goes_on_until_no_small_area_is_left() -> None:
    """Small areas join each other until the joined one is large enough (2 + 2 + 2 = 6)."""
    counts = np.array([12, 2, 2, 2])
    result = merge_small_areas(
        LABELS, BLOCKS, counts, tolerance_m=TOLERANCE_M, min_buildings=5, reach_m=700.0
    )
    assert result.area_of_block.tolist() == ["a", "t", "t", "t"]
    totals = pd.Series(counts).groupby(result.area_of_block.to_numpy()).sum()
    assert totals.to_dict() == {"a": 12, "t": 6}

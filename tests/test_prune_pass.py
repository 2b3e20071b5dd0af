"""``prune_branches`` passes the tree on Python floats (issue 20) and gives what the pass on
numpy scalars gave: the same remaining edges, the same buildings cut, the same limit.

The reference is the former loop over the mains, leaves first (kept here as the independent
model); the cases are the Schutterwald streets with every house and its measured gas
consumption (pandapipes data, Kisse et al. 2020), at several limits, and random street grids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from heatplan.network import route
from heatplan.network.graph import StreetGraph


def _loop_prune(
    graph: StreetGraph,
    tree_edges: np.ndarray,
    source_node: int,
    *,
    building_node: np.ndarray,
    connection_m: np.ndarray,
    heat_kwh_per_a: np.ndarray,
    min_line_density_kwh_per_m_a: float,
    share_of_whole: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, float]:
    """The pass ``prune_branches`` made before, on numpy arrays (the reference)."""
    cut = np.zeros(building_node.size, dtype=bool)
    if min_line_density_kwh_per_m_a <= 0 or tree_edges.size == 0:
        return tree_edges, cut, 0.0
    mains = route._oriented_mains(graph, tree_edges, source_node)
    attached = building_node >= 0
    nodes = building_node[attached]
    n = graph.n_nodes
    heat_sub = np.bincount(nodes, weights=np.nan_to_num(heat_kwh_per_a[attached]), minlength=n)
    length_sub = np.bincount(nodes, weights=connection_m[attached], minlength=n)
    edge_m = graph.edge_length_m[mains[:, 0]]
    whole_m = length_sub.sum() + edge_m.sum()
    limit = min(min_line_density_kwh_per_m_a, share_of_whole * heat_sub.sum() / max(whole_m, 1e-9))
    dropped = np.zeros(n, dtype=bool)
    for k in range(mains.shape[0] - 1, -1, -1):
        start, stop = mains[k, 1], mains[k, 2]
        length_sub[stop] += edge_m[k]
        if start != source_node and heat_sub[stop] < limit * length_sub[stop]:
            dropped[stop] = True
            continue
        heat_sub[start] += heat_sub[stop]
        length_sub[start] += length_sub[stop]
    inside = np.zeros(n, dtype=bool)
    inside[np.flatnonzero(dropped)] = True
    for _, start, stop in mains:
        inside[stop] |= inside[start]
    cut = attached & inside[np.maximum(building_node, 0)]
    return mains[~inside[mains[:, 2]], 0], cut, float(limit)


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every ``prune_branches`` call of a layout checked against the loop; the cut counts."""
    cuts: list[int] = []
    fast = route.prune_branches

    def both(*args: Any, **kwargs: Any) -> tuple[np.ndarray, np.ndarray, float]:
        edges, cut, limit = fast(*args, **kwargs)
        ref_edges, ref_cut, ref_limit = _loop_prune(*args, **kwargs)
        np.testing.assert_array_equal(edges, ref_edges)
        np.testing.assert_array_equal(cut, ref_cut)
        assert limit == ref_limit
        cuts.append(int(cut.sum()))
        return edges, cut, limit

    monkeypatch.setattr(route, "prune_branches", both)
    return cuts


@pytest.fixture(scope="module")
def schutterwald(tmp_path_factory: pytest.TempPathFactory) -> tuple[gpd.GeoDataFrame, ...]:
    from heatplan.demo.schutterwald import write_inputs

    paths = write_inputs(Path(tmp_path_factory.mktemp("schutterwald")))
    buildings = gpd.read_file(paths["buildings"])
    gas_m3 = pd.read_csv(paths["consumption"]).groupby("building_id")["value"].sum()
    # 10 kWh per m3 of natural gas, roughly its calorific value: a weight, not a result
    heat = buildings["building_id"].map(gas_m3).fillna(0.0).to_numpy() * 10.0
    return gpd.read_file(paths["streets"]), buildings, heat


@pytest.mark.parametrize("limit", [0.0, 300.0, 500.0, 1_500.0, 5_000.0])
def test_schutterwald_every_house_cut_as_before(
    schutterwald: tuple[Any, ...], compared: list[int], limit: float
) -> None:
    streets, buildings, heat = schutterwald
    source = shapely.Point(np.asarray(streets.geometry.iloc[0].coords[0]) + 20.0)
    result = route.layout_network(
        streets, buildings, source, heat_kwh_per_a=heat, min_branch_line_density_kwh_per_m_a=limit
    )
    assert len(compared) == 1
    assert (compared[0] > 0) == (limit > 0)  # every limit cuts some houses: a real check
    assert len(result.unconnected) >= compared[0]


@pytest.mark.parametrize("seed", range(6))
def test_random_street_grids_cut_as_before(seed: int, compared: list[int]) -> None:
    """Street grids with a random subset of streets, houses and heat: many depths, ties."""
    rng = np.random.default_rng(seed)
    size = 12
    lines = [
        shapely.LineString([(x * 50.0, y * 50.0), (x * 50.0 + dx * 50.0, y * 50.0 + dy * 50.0)])
        for x in range(size)
        for y in range(size)
        for dx, dy in ((1, 0), (0, 1))
        if x + dx < size and y + dy < size and (x + y == 0 or rng.random() < 0.8)
    ]
    streets = gpd.GeoDataFrame(geometry=lines, crs="EPSG:25832")
    points = rng.uniform(0, 50.0 * (size - 1), size=(150, 2))
    buildings = gpd.GeoDataFrame(
        {"building_id": [f"b{i}" for i in range(len(points))]},
        geometry=shapely.points(points),
        crs="EPSG:25832",
    )
    heat = rng.choice([0.0, 5_000.0, 20_000.0, 80_000.0], size=len(points))
    route.layout_network(
        streets,
        buildings,
        shapely.Point(1.0, 1.0),  # by the corner whose two streets are always there
        heat_kwh_per_a=heat,
        min_branch_line_density_kwh_per_m_a=float(rng.choice([200.0, 500.0, 2_000.0])),
    )
    assert len(compared) == 1

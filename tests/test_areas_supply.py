"""Supply areas (WPG §18) merged from blocks, their indicators and the §14 Eignungsprüfung.

Independent references: scipy's Ward linkage (``scipy.cluster.hierarchy``, Ward 1963) for the
merge order, shapely unions for contiguity, networkx for graph connectivity, and plain sums for
the conservation of demand.
"""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage
from shapely.geometry import LineString, box

from demo_copy import copy_demo
from heatplan.areas.eignung import eignung, thresholds
from heatplan.areas.supply import (
    agglomerate,
    block_adjacency,
    build_areas,
    dissolve_areas,
)
from heatplan.areas.supply_indicators import area_indicators
from heatplan.project.store import open_store
from heatplan.reference import table
from heatplan.stages.areas import AreasResult
from heatplan.steps.core import run_areas

CRS = "EPSG:25832"
SIDE_M = 100.0  # grid squares of 1 ha
#: Demand sums: float addition in another order differs in the last bits only.
RTOL_DEMAND = 1e-9
#: A corner-touching union is one polygon after a buffer this small [m].
TOUCH_M = 1e-6
#: small_area_reach_m of data/area_parameters.csv [m]
REACH_M = 100.0
#: A vertical barrier between grid columns 1 and 2.
BARRIER = LineString([(2 * SIDE_M, -50.0), (2 * SIDE_M, 3 * SIDE_M + 50.0)])


def grid(demand_kwh: list[float] | None = None, n: int = 3) -> gpd.GeoDataFrame:
    """n x n squares of 1 ha, block_id row-major from the bottom left."""
    cells = [
        box(c * SIDE_M, r * SIDE_M, (c + 1) * SIDE_M, (r + 1) * SIDE_M)
        for r, c in itertools.product(range(n), range(n))
    ]
    demand = demand_kwh if demand_kwh is not None else [100_000.0] * n * n
    return gpd.GeoDataFrame(
        {"block_id": range(n * n), "area_ha": 1.0, "heat_demand_kwh_per_a": demand},
        geometry=cells,
        crs=CRS,
    )


def blocks_of(areas: gpd.GeoDataFrame) -> dict[str, set[str]]:
    return {
        a: set(ids.split(",")) for a, ids in zip(areas["area_id"], areas["block_ids"], strict=True)
    }


def one_piece(blocks: gpd.GeoDataFrame, ids: set[str], buffer_m: float = TOUCH_M) -> bool:
    """The blocks' union is one polygon once each is grown by ``buffer_m`` [m]."""
    chosen = blocks[blocks["block_id"].astype(str).isin(ids)].geometry.buffer(buffer_m)
    return shapely.union_all(chosen.to_numpy()).geom_type == "Polygon"


# --- graph and merging on a hand-made grid ---------------------------------------------------
def test_grid_adjacency_is_queen_and_a_barrier_cuts_the_crossing_edges() -> None:
    cells = grid().geometry.to_numpy()
    edges = block_adjacency(cells, tolerance_m=0.0)
    queen = {
        (a, b)
        for a, b in itertools.combinations(range(9), 2)
        if max(abs(a % 3 - b % 3), abs(a // 3 - b // 3)) == 1
    }
    assert {tuple(e) for e in edges} == queen
    cut = block_adjacency(cells, tolerance_m=0.0, barriers=np.array([BARRIER]))
    crossing = {(a, b) for a, b in queen if (a % 3 == 2) != (b % 3 == 2)}
    assert {tuple(e) for e in cut} == queen - crossing


def test_blocks_a_street_apart_are_neighbours_within_the_tolerance() -> None:
    cells = np.array([box(0, 0, 100, 100), box(115, 0, 215, 100), box(400, 0, 500, 100)])
    assert block_adjacency(cells, tolerance_m=20.0).tolist() == [[0, 1]]
    assert block_adjacency(cells, tolerance_m=10.0).tolist() == []


def test_no_area_crosses_the_barrier() -> None:
    blocks = grid()
    of_block = build_areas(
        blocks,
        barriers=gpd.GeoDataFrame(geometry=[BARRIER], crs=CRS),
        target_count=1,
        tolerance_m=0.0,
    )
    sides = blocks["block_id"] % 3 == 2
    assert of_block.nunique() == 2
    assert of_block[sides].nunique() == 1 and of_block[~sides].nunique() == 1
    assert set(of_block[sides]).isdisjoint(of_block[~sides])


@pytest.mark.parametrize("target", range(1, 10))
def test_target_count_is_met_and_every_area_is_contiguous(target: int) -> None:
    rng = np.random.default_rng(target)
    blocks = grid(list(rng.uniform(0, 2e6, 9)))
    areas = dissolve_areas(blocks, build_areas(blocks, target_count=target, tolerance_m=0.0))
    assert len(areas) == target
    members = blocks_of(areas)
    assert sorted(itertools.chain(*members.values()), key=int) == [str(i) for i in range(9)]
    assert all(one_piece(blocks, ids) for ids in members.values())


def test_max_area_caps_the_size() -> None:
    areas = dissolve_areas(grid(), build_areas(grid(), max_area_ha=3.0, tolerance_m=0.0))
    assert (areas.geometry.area / 1e4 <= 3.0 + 1e-9).all()
    assert len(areas) >= 3


def test_dense_blocks_form_their_own_area() -> None:
    # left column 600 MWh/(ha·a) (conventional networks), the rest 30 (no network potential)
    demand = [600_000.0 if i % 3 == 0 else 30_000.0 for i in range(9)]
    of_block = build_areas(grid(demand), target_count=2, tolerance_m=0.0)
    dense = of_block[[0, 3, 6]]
    assert dense.nunique() == 1 and dense.iloc[0] == "A01"
    assert (of_block.drop([0, 3, 6]) == "A02").all()


def test_ids_follow_descending_demand() -> None:
    demand = [5e5, 5e5, 1e4, 5e5, 5e5, 1e4, 1e4, 1e4, 1e4]
    blocks = grid(demand)
    areas = dissolve_areas(blocks, build_areas(blocks, target_count=3, tolerance_m=0.0))
    totals = [
        blocks.loc[[int(b) for b in ids], "heat_demand_kwh_per_a"].sum()
        for ids in blocks_of(areas).values()
    ]
    assert list(areas["area_id"]) == ["A01", "A02", "A03"]
    assert totals == sorted(totals, reverse=True)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="max_area_ha"):
        build_areas(grid(), max_area_ha=0.0)
    with pytest.raises(ValueError, match="target_count"):
        build_areas(grid(), target_count=0)
    with pytest.raises(ValueError, match="not projected"):
        build_areas(grid().to_crs("EPSG:4326"))


# --- Ward merging against scipy ----------------------------------------------------------------
def _partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, label in enumerate(labels):
        groups.setdefault(int(label), set()).add(node)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("seed", range(5))
def test_unconstrained_merging_equals_scipy_ward(seed: int) -> None:
    """On a complete graph with unit weights the greedy merge is Ward's linkage (scipy)."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(14, 3))
    complete = np.array(list(itertools.combinations(range(14), 2)))
    tree = linkage(features, method="ward")
    for k in (2, 4, 7):
        ours = agglomerate(complete, features, np.ones(14), target_count=k)
        assert _partition(ours) == _partition(fcluster(tree, k, criterion="maxclust"))


@pytest.mark.parametrize("seed", range(3))
def test_weights_act_as_repeated_points_in_scipy_ward(seed: int) -> None:
    """A block of weight w merges like w identical points (scipy Ward on repeated rows)."""
    rng = np.random.default_rng(100 + seed)
    features = rng.normal(size=(10, 2))
    weights = rng.integers(1, 4, size=10)
    repeated = np.repeat(np.arange(10), weights)
    tree = linkage(features[repeated], method="ward")
    complete = np.array(list(itertools.combinations(range(10), 2)))
    for k in (2, 3, 5):
        labels = fcluster(tree, k, criterion="maxclust")
        per_block = pd.Series(labels).groupby(repeated).agg(set)
        assert per_block.map(len).eq(1).all()
        expected = np.array([next(iter(s)) for s in per_block])
        ours = agglomerate(complete, features, weights.astype(float), target_count=k)
        assert _partition(ours) == _partition(expected)


# --- indicators and energy conservation -----------------------------------------------------
def grid_buildings(blocks: gpd.GeoDataFrame, demand_kwh: list[list[float]]) -> gpd.GeoDataFrame:
    rows = []
    for block, values in zip(blocks.itertuples(), demand_kwh, strict=True):
        centre = block.geometry.centroid
        for k, value in enumerate(values):
            point = shapely.Point(centre.x + 5 * k, centre.y)
            rows.append(
                {
                    "block_id": block.block_id,
                    "heat_demand_kwh_per_a": value,
                    "carrier": "natural_gas",
                    "geometry": point,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


@settings(max_examples=25, deadline=None)
@given(
    demand=st.lists(
        st.lists(st.floats(0, 5e6, allow_nan=False), min_size=1, max_size=3),
        min_size=9,
        max_size=9,
    ),
    target=st.integers(1, 9),
    barrier=st.booleans(),
)
def test_demand_is_conserved_through_areas(
    demand: list[list[float]], target: int, barrier: bool
) -> None:
    blocks = grid([sum(values) for values in demand])
    buildings = grid_buildings(blocks, demand)
    lines = gpd.GeoDataFrame(geometry=[BARRIER] if barrier else [], crs=CRS)
    of_block = build_areas(blocks, barriers=lines, target_count=target, tolerance_m=0.0)
    areas = dissolve_areas(blocks, of_block)
    buildings["area_id"] = buildings["block_id"].map(
        dict(zip(blocks["block_id"], of_block, strict=True))
    )
    out = area_indicators(areas, buildings)
    assert len(out) == max(target, 2 if barrier else 1)
    assert math.isclose(
        out["heat_demand_mwh_per_a"].sum() * 1000,
        blocks["heat_demand_kwh_per_a"].sum(),
        rel_tol=RTOL_DEMAND,
        abs_tol=1e-6,
    )
    assert out["buildings"].sum() == len(buildings)
    assert sorted(itertools.chain(*blocks_of(out).values()), key=int) == [str(i) for i in range(9)]


def test_indicators_of_a_grid() -> None:
    blocks = grid([200_000.0] * 9)
    buildings = grid_buildings(blocks, [[150_000.0, 50_000.0]] * 9)
    buildings["area_id"] = "A01"
    buildings.loc[0, "carrier"] = "heating_oil"
    areas = dissolve_areas(blocks, pd.Series(["A01"] * 9))
    gas = gpd.GeoDataFrame(geometry=[LineString([(0, 50), (300, 50)])], crs=CRS)
    plant = gpd.GeoDataFrame(
        {"kind": ["sewage_plant_effluent"], "heat_mwh_per_a": [5000.0], "excluded": [False]},
        geometry=[shapely.Point(300.0 + 1200.0, 150.0)],
        crs=CRS,
    )
    out = area_indicators(areas, buildings, gas_networks=gas, potentials=plant).iloc[0]
    assert out["heat_density_mwh_per_ha_a"] == pytest.approx(200.0)
    assert out["heat_density_class"] == "low_temperature_existing"
    assert out["gas_network_m"] == pytest.approx(300.0)
    assert out["nearest_potential_m"] == pytest.approx(1200.0)
    # one building of 150 MWh/a (>= 100, data/area_parameters.csv) per block; one on oil
    assert out["share_large_consumers"] == pytest.approx(0.75)
    assert out["share_gas"] == pytest.approx(1 - 150.0 / 1800.0)


# --- Eignungsprüfung (WPG §14) -------------------------------------------------------------------
RURAL = {
    "heat_density_mwh_per_ha_a": 40.0,
    "line_density_kwh_per_m_a": 300.0,
    "heat_network_m": 0.0,
    "gas_network_m": 0.0,
    "nearest_potential_m": math.nan,
    "nearest_potential_kind": None,
}


@pytest.mark.parametrize(
    ("change", "shortened"),
    [
        ({}, True),
        ({"heat_density_mwh_per_ha_a": 80.0}, False),
        ({"line_density_kwh_per_m_a": 900.0}, False),
        ({"line_density_kwh_per_m_a": math.nan}, False),
        ({"heat_network_m": 250.0}, False),
        ({"gas_network_m": 1200.0}, False),
        ({"nearest_potential_m": 800.0, "nearest_potential_kind": "sewer"}, False),
        ({"nearest_potential_m": 5000.0, "nearest_potential_kind": "sewer"}, True),
    ],
)
def test_section_14_marks(change: dict[str, object], shortened: bool) -> None:
    result = eignung(pd.DataFrame([{**RURAL, **change}])).iloc[0]
    assert bool(result["eignung_shortened"]) is shortened
    assert result["eignung_reason"].startswith("§ 14 WPG" if shortened else "nicht verkürzt")


def test_section_14_threshold_is_the_kea_bw_class_without_network_potential() -> None:
    classes = table("heat_density_classes.csv").set_index("class")
    assert (
        thresholds().heat_density_mwh_per_ha_a
        == classes.loc["no_network_potential", "max_mwh_per_ha_a"]
    )


def test_a_sparse_grid_without_networks_goes_to_the_shortened_procedure() -> None:
    blocks = grid([30_000.0] * 9)  # 30 MWh/(ha·a)
    buildings = grid_buildings(blocks, [[30_000.0]] * 9).assign(area_id="A01")
    areas = dissolve_areas(blocks, pd.Series(["A01"] * 9))
    segments = gpd.GeoDataFrame(
        {
            "segment_id": [0],
            "length_m": [900.0],
            "heat_demand_kwh_per_a": [270_000.0],
            "buildings": [9],
        },
        geometry=[LineString([(0, 0), (900, 0)])],
        crs=CRS,
    )
    out = area_indicators(areas, buildings.assign(segment_id=0), segments=segments)
    assert out["line_density_kwh_per_m_a"].iloc[0] == pytest.approx(300.0)
    assert eignung(out)["eignung_shortened"].tolist() == [True]


# --- the Schutterwald demo -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def areas_demo(tmp_path_factory: pytest.TempPathFactory, demo_built: tuple[Path, dict]) -> Path:
    return copy_demo(demo_built, tmp_path_factory.mktemp("areas") / "schutterwald")


@pytest.fixture(scope="module")
def areas_built(areas_demo: Path) -> AreasResult:
    return run_areas(areas_demo)


def _read(project: Path, layer: str) -> gpd.GeoDataFrame:
    return open_store(str(project / "plan.gpkg")).read(layer)


def test_demo_every_block_is_in_exactly_one_area(
    areas_demo: Path, areas_built: AreasResult
) -> None:
    areas, blocks = _read(areas_demo, "areas"), _read(areas_demo, "blocks")
    members = list(itertools.chain(*blocks_of(areas).values()))
    assert len(members) == len(set(members)) == len(blocks)
    assert set(members) == set(blocks["block_id"].astype(str))
    assert areas_built.areas == len(areas) and areas_built.source == "derived"
    # neighbours lie within adjacency_tolerance_m = 20 m, a small area merged into the nearest
    # within small_area_reach_m = 100 m: grown by half of that, an area's blocks overlap
    assert all(one_piece(blocks, ids, 50.0 + TOUCH_M) for ids in blocks_of(areas).values())


def test_demo_demand_and_buildings_are_conserved(areas_demo: Path, areas_built: object) -> None:
    areas, blocks = _read(areas_demo, "areas"), _read(areas_demo, "blocks")
    assert math.isclose(
        areas["heat_demand_mwh_per_a"].sum() * 1000,
        blocks["heat_demand_kwh_per_a"].sum(),
        rel_tol=RTOL_DEMAND,
    )
    assert areas["buildings"].sum() == len(_read(areas_demo, "buildings"))
    assert (areas["area_ha"] <= 20.0 + 1e-6).all()  # default_max_area_ha


def test_demo_area_graphs_are_connected(areas_demo: Path, areas_built: object) -> None:
    areas, blocks = _read(areas_demo, "areas"), _read(areas_demo, "blocks")
    blocks = blocks.sort_values("block_id").reset_index(drop=True)
    graph = nx.Graph()
    graph.add_nodes_from(blocks["block_id"].astype(str))
    edges = block_adjacency(blocks.geometry.to_numpy(), tolerance_m=REACH_M)
    graph.add_edges_from((str(blocks["block_id"][a]), str(blocks["block_id"][b])) for a, b in edges)
    for ids in blocks_of(areas).values():
        assert nx.is_connected(graph.subgraph(ids))


def test_demo_ids_are_stable_on_rerun(
    areas_demo: Path, areas_built: object, tmp_path: Path
) -> None:
    copy = tmp_path / "again"
    shutil.copytree(areas_demo, copy)
    run_areas(copy)
    before, after = _read(areas_demo, "areas"), _read(copy, "areas")
    pd.testing.assert_frame_equal(
        pd.DataFrame(before.drop(columns="geometry")), pd.DataFrame(after.drop(columns="geometry"))
    )


def test_demo_target_count_and_barrier_layer(areas_demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "target"
    shutil.copytree(areas_demo, copy)
    blocks = _read(copy, "blocks")

    def parts(tolerance_m: float) -> int:
        graph = nx.Graph()
        graph.add_nodes_from(range(len(blocks)))
        edges = block_adjacency(blocks.geometry.to_numpy(), tolerance_m=tolerance_m)
        graph.add_edges_from(edges.tolist())
        return int(nx.number_connected_components(graph))

    summary = run_areas(copy, target_count=1)
    # one area per part of the block graph, small parts joined to the nearest within the reach
    assert parts(REACH_M) <= summary.areas <= parts(20.0)
    x = blocks.geometry.union_all().centroid.x
    ymin, ymax = blocks.total_bounds[1] - 10, blocks.total_bounds[3] + 10
    barrier = gpd.GeoDataFrame(geometry=[LineString([(x, ymin), (x, ymax)])], crs=blocks.crs)
    store = open_store(str(copy / "plan.gpkg"))
    with store.transaction(step="test barriers") as writer:
        writer.write("barriers", barrier)
    summary = run_areas(copy, target_count=1)
    assert summary.areas > parts(REACH_M)
    assert not any("no barriers" in m for m in summary.messages)


def test_demo_imported_areas_are_used_as_they_are(areas_demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "imported"
    shutil.copytree(areas_demo, copy)
    blocks = _read(copy, "blocks")
    xmin, ymin, xmax, ymax = blocks.total_bounds
    middle = (xmin + xmax) / 2
    town = gpd.GeoDataFrame(
        {"area_id": ["west", "east"], "name": ["Westen", None]},
        geometry=[box(xmin, ymin, middle, ymax), box(middle, ymin, xmax - 200, ymax)],
        crs=blocks.crs,
    )
    store = open_store(str(copy / "plan.gpkg"))
    with store.transaction(step="test input areas") as writer:
        writer.write("input_areas", town)
    summary = run_areas(copy, target_count=4)
    areas = _read(copy, "areas")
    assert summary.source == "imported" and sorted(areas["area_id"]) == ["east", "west"]
    assert list(areas.sort_values("area_id")["name"]) == ["Gebiet east", "Westen"]
    assert areas["buildings"].sum() == len(_read(copy, "buildings"))
    assert math.isclose(
        areas["heat_demand_mwh_per_a"].sum() * 1000,
        blocks["heat_demand_kwh_per_a"].sum(),
        rel_tol=RTOL_DEMAND,
    )
    messages = " ".join(summary.messages)
    assert "outside every imported area" in messages and "ignored" in messages


def test_demo_small_areas_are_merged(areas_demo: Path, areas_built: AreasResult) -> None:
    """Schutterwald on the LV-grid streets: Ward's 13 areas each hold at least 5 buildings
    (WPG § 10 (2)), so none is merged (on the gas mains three areas of 1-2 outlying houses
    were; the merge itself is tested on hand-made blocks above)."""
    areas = _read(areas_demo, "areas")
    assert (areas["buildings"] >= 5).all()
    messages = " ".join(str(m) for m in areas_built.messages)
    assert "fewer than 5 buildings" not in messages
    assert len(areas) == 13
    assert "no road_class" in messages  # streets derived from a cable network have no class


def test_demo_scenario_costs_carry_every_part(areas_demo: Path) -> None:
    """The demo's stored variant costs (run_demo ran the scenario): parts sum to the totals."""
    costs = pd.DataFrame(_read(areas_demo, "scenario_costs")).set_index("variant")
    parts = ["renovation_investment_eur", "heater_investment_eur", "connection_investment_eur"]
    total = costs["energy_cost_eur"] + costs[parts].sum(axis=1)
    assert np.allclose(costs["total_cost_eur"], total, rtol=1e-12)
    assert (costs["renovation_investment_eur"] > 0).all()  # estimated heated areas
    assert (
        costs.loc["fast_renovation", "renovation_investment_eur"]
        > costs.loc["base", "renovation_investment_eur"]
    )
    assert (costs["heater_investment_eur"] > 0).all()
    assert costs["price_years"].str.contains("heaters 2020").all()


def test_demo_small_imported_areas_are_reported_not_merged(
    areas_demo: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "small-imported"
    shutil.copytree(areas_demo, copy)
    blocks, buildings = _read(copy, "blocks"), _read(copy, "buildings")
    xmin, ymin, xmax, ymax = blocks.total_bounds
    house = buildings.geometry.iloc[0]
    tiny = house.buffer(1.0)
    town = gpd.GeoDataFrame(
        {"area_id": ["all", "one"]},
        geometry=[box(xmin, ymin, xmax, ymax).difference(tiny), tiny],
        crs=blocks.crs,
    )
    store = open_store(str(copy / "plan.gpkg"))
    with store.transaction(step="test input areas") as writer:
        writer.write("input_areas", town)
    summary = run_areas(copy)
    areas = _read(copy, "areas").set_index("area_id")
    assert areas.loc["one", "buildings"] == 1  # the town's area stays as drawn
    assert any("fewer than 5 buildings (WPG § 10 (2)): one" in m for m in summary.messages)


# --- network lengths: unknown without the layer, 0 m with a layer but no line -------------------
def test_network_length_unknown_without_the_layer_and_zero_with_it() -> None:
    blocks = grid([200_000.0] * 9)
    buildings = grid_buildings(blocks, [[150_000.0, 50_000.0]] * 9)
    buildings["area_id"] = "A01"
    areas = dissolve_areas(blocks, pd.Series(["A01"] * 9))
    without = area_indicators(areas, buildings).iloc[0]
    assert math.isnan(without["gas_network_m"]) and math.isnan(without["heat_network_m"])
    far = gpd.GeoDataFrame(geometry=[LineString([(5000, 0), (5300, 0)])], crs=CRS)
    known = area_indicators(areas, buildings, gas_networks=far, heat_networks=far).iloc[0]
    assert known["gas_network_m"] == 0.0 and known["heat_network_m"] == 0.0
    # § 14: an unknown network is no known network, as 0 m is
    unknown = eignung(pd.DataFrame([{**RURAL, "gas_network_m": math.nan}])).iloc[0]
    assert (
        bool(unknown["eignung_shortened"]) and "kein Gasnetz bekannt" in unknown["eignung_reason"]
    )

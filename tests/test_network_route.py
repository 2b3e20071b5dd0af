"""Route layout: Steiner heuristic, street graph, house connections, Schutterwald streets.

Independent references: hand-computed optimal Steiner trees of tiny graphs; networkx's
``steiner_tree(..., method="mehlhorn")`` and shortest-path distances on random graphs (the
2-approximation bound of Mehlhorn 1988: MST of the terminal distance graph / 2 <= OPT <= tree
<= MST); the street lengths of the pandapipes Schutterwald gas network (Kisse et al. 2020).
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from networkx.algorithms.approximation import steiner_tree as nx_steiner_tree
from scipy import sparse

from heatplan.network.graph import attach_points, street_graph
from heatplan.network.route import FOOT_TOLERANCE_M, layout_network, route_parameters
from heatplan.network.steiner import steiner_tree

#: Relative tolerance for sums of float lengths.
RTOL_LENGTH = 1e-9
#: Street length lost by moving line ends onto merged nodes (snap tolerance 1 m) [-].
RTOL_SNAPPED_LENGTH = 1e-4
CRS = "EPSG:25832"


def _matrix(edges: list[tuple[int, int, float]], n: int) -> sparse.csr_matrix:
    u, v, w = (np.array(x) for x in zip(*edges, strict=True))
    return sparse.csr_matrix((w, (u, v)), shape=(n, n))


def _as_networkx(tree) -> nx.Graph:
    g = nx.Graph()
    g.add_weighted_edges_from(
        zip(tree.rows.tolist(), tree.cols.tolist(), tree.weights.tolist(), strict=True)
    )
    return g


# --- Steiner heuristic on hand-made graphs (optimum computed by hand) -----------------------


def test_star_uses_the_steiner_node() -> None:
    # Leaves 1, 2, 3 joined to centre 0 by 1 and by 2.5 along 1-2-3: optimum 3 x 1 via node 0
    # (the path 1-2-3 costs 5; the MST of the terminal distances 2 + 2 = 4).
    g = _matrix([(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0), (1, 2, 2.5), (2, 3, 2.5)], 4)
    tree = steiner_tree(g, [1, 2, 3])
    assert tree.total_weight == pytest.approx(3.0, rel=RTOL_LENGTH)
    assert set(tree.nodes.tolist()) == {0, 1, 2, 3}


def test_grid_corners_take_the_h_shape() -> None:
    # 3 x 3 unit grid, terminals at the 4 corners: the rectilinear Steiner tree of a 2 x 2
    # square is an "H" of length 6 (two sides + the middle line); an MST of corners also 6.
    idx = np.arange(9).reshape(3, 3)
    edges = [(int(a), int(b), 1.0) for a, b in zip(idx[:, :-1].flat, idx[:, 1:].flat, strict=True)]
    edges += [(int(a), int(b), 1.0) for a, b in zip(idx[:-1].flat, idx[1:].flat, strict=True)]
    tree = steiner_tree(_matrix(edges, 9), [0, 2, 6, 8])
    assert tree.total_weight == pytest.approx(6.0, rel=RTOL_LENGTH)
    assert nx.is_tree(_as_networkx(tree))


def test_path_with_cheaper_detour() -> None:
    # 0-1-2 direct costs 5 + 5; the detour 0-3-4-2 costs 2 + 2 + 2 = 6 and is the optimum.
    g = _matrix([(0, 1, 5.0), (1, 2, 5.0), (0, 3, 2.0), (3, 4, 2.0), (4, 2, 2.0)], 5)
    tree = steiner_tree(g, [0, 2])
    assert tree.total_weight == pytest.approx(6.0, rel=RTOL_LENGTH)
    assert 1 not in tree.nodes


def test_wheel_stays_within_two_approximation() -> None:
    # Terminals 1..4 on a ring (edges 2), hub 0 at 1.1 from each: OPT = 4.4 via the hub. Voronoi
    # based heuristics keep the ring edges (6); Mehlhorn's bound is 2 (1 - 1/l) OPT = 6.6.
    ring = [(1, 2, 2.0), (2, 3, 2.0), (3, 4, 2.0), (4, 1, 2.0)]
    g = _matrix(ring + [(0, k, 1.1) for k in range(1, 5)], 5)
    tree = steiner_tree(g, [1, 2, 3, 4])
    optimum = 4.4
    assert optimum <= tree.total_weight <= 2 * (1 - 1 / 4) * optimum
    reference = nx_steiner_tree(nx.from_scipy_sparse_array(g), [1, 2, 3, 4], method="mehlhorn")
    assert tree.total_weight <= reference.size(weight="weight") * (1 + RTOL_LENGTH)


def test_single_terminal_gives_empty_tree() -> None:
    tree = steiner_tree(_matrix([(0, 1, 1.0)], 2), [1, 1])
    assert tree.total_weight == 0.0 and tree.rows.size == 0


def test_matrix_storage_does_not_matter() -> None:
    # Upper triangle only, both directions, and an asymmetric pair (the lighter one counts).
    upper = _matrix([(0, 1, 1.0), (1, 2, 2.0), (0, 2, 4.0)], 3)
    both = upper + upper.T
    asymmetric = _matrix([(0, 1, 1.0), (1, 2, 2.0), (0, 2, 4.0), (2, 0, 2.5)], 3)
    assert steiner_tree(upper, [0, 2]).total_weight == pytest.approx(3.0)
    assert steiner_tree(both, [0, 2]).total_weight == pytest.approx(3.0)
    assert steiner_tree(asymmetric, [0, 2]).total_weight == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("edges", "terminals", "message"),
    [
        ([(0, 1, 1.0), (2, 3, 1.0)], [0, 3], "connected component"),
        ([(0, 1, -1.0)], [0, 1], "finite and > 0"),
        ([(0, 1, 1.0)], [0, 7], "terminals"),
    ],
)
def test_steiner_bad_input(edges: list, terminals: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        steiner_tree(_matrix(edges, 4), terminals)


# --- Steiner heuristic against networkx on random graphs ------------------------------------


def _random_case(seed: int) -> tuple[nx.Graph, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 80))
    g = nx.gnm_random_graph(n, int(n * rng.uniform(1.2, 3.0)), seed=seed)
    g = nx.convert_node_labels_to_integers(g.subgraph(max(nx.connected_components(g), key=len)))
    for u, v in g.edges:
        g[u][v]["weight"] = float(rng.uniform(1.0, 10.0))
    k = int(rng.integers(2, max(3, g.number_of_nodes() // 2)))
    return g, rng.choice(g.number_of_nodes(), size=k, replace=False)


@pytest.mark.parametrize("seed", range(40))
def test_against_networkx_mehlhorn(seed: int) -> None:
    g, terminals = _random_case(seed)
    matrix = nx.to_scipy_sparse_array(g, weight="weight", format="csr")
    tree = steiner_tree(matrix, terminals)
    ours = _as_networkx(tree)
    assert nx.is_tree(ours)
    assert set(terminals.tolist()) <= set(ours.nodes)
    leaves = [node for node in ours if ours.degree(node) == 1]
    assert set(leaves) <= set(terminals.tolist())
    for u, v, w in ours.edges(data="weight"):
        assert g[u][v]["weight"] == w
    peer = nx_steiner_tree(g, terminals.tolist(), method="mehlhorn").size(weight="weight")
    assert tree.total_weight <= peer * (1 + RTOL_LENGTH)
    distance = dict(nx.all_pairs_dijkstra_path_length(g, weight="weight"))
    closure = nx.Graph()
    closure.add_weighted_edges_from(
        (a, b, distance[a][b]) for a in terminals.tolist() for b in terminals.tolist() if a < b
    )
    mst = nx.minimum_spanning_tree(closure).size(weight="weight")
    assert mst / 2 * (1 - RTOL_LENGTH) <= tree.total_weight <= mst * (1 + RTOL_LENGTH)


# --- street graph ---------------------------------------------------------------------------


def test_crossing_streets_are_split_and_gaps_closed() -> None:
    lines = np.array(
        [
            shapely.LineString([(0, 0), (100, 0)]),
            shapely.LineString([(50, -50), (50, 50)]),  # crosses at (50, 0)
            shapely.LineString([(80, 0.6), (80, 40)]),  # T-junction with a 0.6 m gap
            shapely.LineString([(20, 3), (20, 40)]),  # 3 m short of the street: stays apart
        ]
    )
    graph = street_graph(lines, snap_tolerance_m=1.0)
    # nodes (0,0) (50,0) (80,0) (100,0) (50,-50) (50,50) (80,40) (20,3) (20,40);
    # edges: the first street in 3 pieces, the crossing one in 2, the T-street, the loose one
    assert graph.n_nodes == 9
    assert graph.edge_u.size == 7
    expected = 100 + 100 + 40 + 37  # the T-street is extended by its 0.6 m gap
    assert graph.edge_length_m.sum() == pytest.approx(expected, abs=1e-9)
    degree = np.bincount(np.r_[graph.edge_u, graph.edge_v], minlength=graph.n_nodes)
    assert sorted(degree.tolist()) == [1, 1, 1, 1, 1, 1, 1, 3, 4]


def test_overlapping_existing_line_and_closed_ring() -> None:
    # An existing heat line on the first half of a street is one edge flagged existing; a ring
    # street (roundabout) closed on itself is kept as two halves, not dropped as a loop.
    street = shapely.LineString([(0, 0), (200, 0)])
    ring = shapely.LineString([(200, 0), (210, 0), (210, 10), (200, 10), (200, 0)])
    existing = np.array([shapely.LineString([(0, 0), (100, 0)])])
    graph = street_graph(np.array([street, ring]), existing=existing, snap_tolerance_m=1.0)
    assert graph.edge_u.size == 4
    assert graph.edge_length_m.sum() == pytest.approx(200 + 40, rel=RTOL_LENGTH)
    flagged = graph.edge_length_m[graph.edge_existing]
    np.testing.assert_allclose(flagged, [100.0])


def test_attach_splits_edge_and_shares_close_feet() -> None:
    graph = street_graph(np.array([shapely.LineString([(0, 0), (100, 0)])]), snap_tolerance_m=1.0)
    points = np.array(
        [
            shapely.Point(30, 10),
            shapely.Point(30.4, -8),
            shapely.Point(0.5, 5),
            shapely.Point(60, 500),
        ]
    )
    graph, attached = attach_points(graph, points, max_distance_m=100.0, snap_tolerance_m=1.0)
    assert attached.node[0] == attached.node[1]  # feet 0.4 m apart share one junction
    assert attached.node[3] == -1
    assert graph.edge_u.size == 2 and graph.edge_length_m.sum() == pytest.approx(100.0)
    np.testing.assert_allclose(graph.node_xy[attached.node[0]], [30.0, 0.0])
    np.testing.assert_allclose(attached.distance_m[:3], [10.0, np.hypot(0.4, 8), np.hypot(0.5, 5)])


# --- layout_network -------------------------------------------------------------------------


def _frame(geoms: list, **columns: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=CRS)


def _check_layout(result) -> None:
    """Invariants of the routed network (RouteResult)."""
    pipes, nodes = result.pipes, result.nodes
    assert (nodes["kind"] == "source").sum() == 1
    assert nodes["node_id"].is_unique and pipes["pipe_id"].is_unique
    g = nx.DiGraph()
    g.add_edges_from(zip(pipes["from_node"], pipes["to_node"], strict=True))
    assert set(g.nodes) == set(nodes["node_id"])
    assert nx.is_arborescence(g)  # a tree with every pipe pointing away from the source
    source = nodes.loc[nodes["kind"] == "source", "node_id"].item()
    assert g.in_degree(source) == 0
    for node in nodes.loc[nodes["kind"] == "building", "node_id"]:
        assert g.out_degree(node) == 0 and g.in_degree(node) == 1
        (pred,) = g.predecessors(node)
        kind = pipes.loc[(pipes["from_node"] == pred) & (pipes["to_node"] == node), "kind"]
        assert kind.item() == "connection"
    xy = nodes.set_index("node_id").geometry
    starts = shapely.get_point(pipes.geometry.to_numpy(), 0)
    ends = shapely.get_point(pipes.geometry.to_numpy(), -1)
    assert shapely.equals_exact(starts, xy[pipes["from_node"]].to_numpy(), 1e-6).all()
    assert shapely.equals_exact(ends, xy[pipes["to_node"]].to_numpy(), 1e-6).all()
    np.testing.assert_allclose(pipes["length_m"], pipes.geometry.length, rtol=RTOL_LENGTH)
    assert result.trench_length_m == pytest.approx(pipes["length_m"].sum(), rel=RTOL_LENGTH)


def test_layout_of_a_straight_street() -> None:
    # Street 0..200 m; source at (-10, 0); buildings off the street at x = 50, 120, 120 (a
    # triangle whose corner nearest the street is at (120, 8)).
    streets = _frame([shapely.LineString([(0, 0), (200, 0)])])
    triangle = shapely.Polygon([(120, 8), (110, 20), (130, 20)])
    buildings = _frame(
        [shapely.Point(50, 10), shapely.Point(120, -10), triangle],
        building_id=["a", "b", "c"],
    )
    result = layout_network(streets, buildings, shapely.Point(-10, 0))
    _check_layout(result)
    # feed 10 m + main 0..120 m + connections 10 + 10 + 8 (polygon edge at y = 8)
    assert result.trench_length_m == pytest.approx(10 + 120 + 10 + 10 + 8, rel=RTOL_LENGTH)
    assert result.unconnected.empty
    assert set(result.nodes["building_id"].dropna()) == {"a", "b", "c"}


def test_existing_line_is_reused() -> None:
    # Source at (0,0), building at (100, 10). Direct street 100 m; detour via an existing heat
    # line (0,0)-(0,50)-(100,50)-(100,0) of 200 m weighs 0.1 x 200 = 20 < 100.
    streets = _frame([shapely.LineString([(0, 0), (100, 0)])])
    existing = _frame([shapely.LineString([(0, 0), (0, 50), (100, 50), (100, 0)])])
    buildings = _frame([shapely.Point(100, -10)], building_id=["x"])
    result = layout_network(streets, buildings, shapely.Point(0, 0), existing=existing)
    _check_layout(result)
    mains = result.pipes[result.pipes["kind"] == "main"]
    assert mains["existing"].all()
    assert mains["length_m"].sum() == pytest.approx(200.0, rel=RTOL_LENGTH)
    plain = layout_network(streets, buildings, shapely.Point(0, 0))
    assert plain.pipes.loc[plain.pipes["kind"] == "main", "length_m"].sum() == pytest.approx(100)


def _street_with_houses(xs: list[float]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Street (0,0)-(400,0); one house 10 m north of each ``xs`` (connection 10 m)."""
    streets = _frame([shapely.LineString([(0, 0), (400, 0)])])
    buildings = _frame([shapely.Point(x, 10) for x in xs], building_id=[f"h{x:g}" for x in xs])
    return streets, buildings


def test_remote_house_on_a_long_branch_is_cut_back() -> None:
    # Houses of 30 MWh/a at x = 20, 40, 60, 80 and 400; source at (0,-5) (feed 5 m).
    # Whole tree: 150 MWh/a over 400 m main + 50 m connections = 333 kWh/(m·a); half of it,
    # 167, is below 500, so the limit is 167. The branch 80 -> 400: 30 MWh/a over 320 + 10 m
    # = 91 kWh/(m·a): cut.
    # The branch 60 -> 80 with its house: 30 MWh/a over 20 + 10 m = 1,000: stays.
    streets, buildings = _street_with_houses([20, 40, 60, 80, 400])
    heat = np.full(5, 30_000.0)
    result = layout_network(streets, buildings, shapely.Point(0, -5), heat_kwh_per_a=heat)
    _check_layout(result)
    assert result.trench_length_m == pytest.approx(5 + 80 + 4 * 10, rel=RTOL_LENGTH)
    reasons = result.unconnected.set_index("building_id")["reason"].to_dict()
    assert reasons == {"h400": "branch line density below 167 kWh/(m·a)"}
    # 0 keeps every branch; without heat nothing is cut either
    for kept in (
        layout_network(
            streets,
            buildings,
            shapely.Point(0, -5),
            heat_kwh_per_a=heat,
            min_branch_line_density_kwh_per_m_a=0.0,
        ),
        layout_network(streets, buildings, shapely.Point(0, -5)),
    ):
        assert kept.unconnected.empty
        assert kept.trench_length_m == pytest.approx(5 + 400 + 5 * 10, rel=RTOL_LENGTH)


def test_pruning_keeps_the_mains_that_leave_the_source() -> None:
    # One house 400 m away: 30 MWh/a over 410 m = 73 kWh/(m·a), far below 500, yet it is the
    # whole network; the main from the source stays.
    streets, buildings = _street_with_houses([400])
    result = layout_network(
        streets, buildings, shapely.Point(0, -5), heat_kwh_per_a=np.array([30_000.0])
    )
    assert result.unconnected.empty
    assert result.trench_length_m == pytest.approx(5 + 400 + 10, rel=RTOL_LENGTH)


def test_dense_street_keeps_the_full_limit() -> None:
    # Houses of 60 MWh/a every 20 m up to x = 300, and one at x = 400 of 30 MWh/a: the whole
    # tree carries 930 MWh/a over 560 m = 1,661 kWh/(m·a), half of it above 500, so 500
    # applies; the last branch 300 -> 400 carries
    # 30 MWh/a over 100 + 10 m = 273 kWh/(m·a) and goes.
    xs = [*range(20, 301, 20), 400]
    streets, buildings = _street_with_houses(xs)
    heat = np.r_[np.full(len(xs) - 1, 60_000.0), 30_000.0]
    result = layout_network(streets, buildings, shapely.Point(0, -5), heat_kwh_per_a=heat)
    reasons = result.unconnected.set_index("building_id")["reason"].to_dict()
    assert reasons == {"h400": "branch line density below 500 kWh/(m·a)"}


def test_disconnected_and_far_buildings_are_reported() -> None:
    streets = _frame(
        [shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(500, 0), (600, 0)])]
    )
    buildings = _frame(
        [shapely.Point(50, 5), shapely.Point(550, 5), shapely.Point(50, 400), None],
        building_id=["near", "island", "far", "nogeom"],
    )
    result = layout_network(streets, buildings, shapely.Point(0, -5))
    _check_layout(result)
    reasons = result.unconnected.set_index("building_id")["reason"].to_dict()
    assert reasons == {
        "island": "street component not connected to the source",
        "far": f"no street within {route_parameters()['max_connection_m']:g} m",
        "nogeom": "no geometry",
    }


def test_no_streets_raises() -> None:
    buildings = _frame([shapely.Point(0, 0)], building_id=["a"])
    with pytest.raises(ValueError, match="streets"):
        layout_network(_frame([]), buildings, shapely.Point(0, 0))


@pytest.mark.parametrize(
    ("building", "source", "message"),
    [
        (shapely.Point(550, 5), shapely.Point(0, 0), "reaches none"),
        (shapely.Point(50, 5), shapely.Point(0, 900), "source_point"),
    ],
)
def test_unreachable_raises(building: shapely.Point, source: shapely.Point, message: str) -> None:
    streets = _frame(
        [shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(500, 0), (600, 0)])]
    )
    with pytest.raises(ValueError, match=message):
        layout_network(streets, _frame([building], building_id=["a"]), source)


def test_bad_buildings_raise() -> None:
    streets = _frame([shapely.LineString([(0, 0), (100, 0)])])
    twice = _frame([shapely.Point(1, 1), shapely.Point(2, 2)], building_id=["a", "a"])
    with pytest.raises(ValueError, match="duplicate building_id"):
        layout_network(streets, twice, shapely.Point(0, 0))
    once = twice.iloc[:1]
    with pytest.raises(ValueError, match="geographic"):
        layout_network(streets.set_crs("EPSG:4326", allow_override=True), once, shapely.Point(0, 0))
    with pytest.raises(ValueError, match="building_id"):
        layout_network(streets, once.drop(columns="building_id"), shapely.Point(0, 0))


# --- Schutterwald (pandapipes gas network, Kisse et al. 2020) -------------------------------


@pytest.fixture(scope="module")
def schutterwald(tmp_path_factory: pytest.TempPathFactory) -> tuple[gpd.GeoDataFrame, ...]:
    from heatplan.demo.schutterwald import write_inputs

    paths = write_inputs(tmp_path_factory.mktemp("schutterwald"))
    return gpd.read_file(paths["streets"]), gpd.read_file(paths["buildings"])


def test_schutterwald_streets_graph(schutterwald: tuple[gpd.GeoDataFrame, ...]) -> None:
    streets, _ = schutterwald
    graph = street_graph(streets.geometry.to_numpy(), snap_tolerance_m=1.0)
    # The LV-grid streets hold partial overlaps (two cables drawn on one street for a stretch):
    # the graph keeps each overlap once, so compare with the length of the lines' union.
    total = shapely.union_all(streets.geometry.to_numpy()).length
    assert graph.edge_length_m.sum() == pytest.approx(total, rel=RTOL_SNAPPED_LENGTH)


def test_schutterwald_route_to_50_buildings(schutterwald: tuple[gpd.GeoDataFrame, ...]) -> None:
    streets, buildings = schutterwald
    source = shapely.Point(np.asarray(streets.geometry.iloc[0].coords[0]) + 20.0)
    near = buildings.distance(source).sort_values().index[:50]
    chosen = buildings.loc[near].reset_index(drop=True)
    result = layout_network(streets, chosen, source)
    _check_layout(result)
    assert len(result.nodes.query("kind == 'building'")) + len(result.unconnected) == 50
    # Same street graph and terminals through networkx: our mains are no longer.
    options = route_parameters()
    graph = street_graph(streets.geometry.to_numpy(), snap_tolerance_m=options["snap_tolerance_m"])
    graph, attached = attach_points(
        graph,
        np.append(chosen.geometry.to_numpy(), source),
        max_distance_m=options["max_connection_m"],
        snap_tolerance_m=FOOT_TOLERANCE_M,  # house connections end at the exact foot point
    )
    g = nx.Graph()
    for u, v, length in zip(graph.edge_u, graph.edge_v, graph.edge_length_m, strict=True):
        if not g.has_edge(u, v) or g[u][v]["weight"] > length:
            g.add_edge(int(u), int(v), weight=float(length))
    # networkx needs one component: the source's (the LV street proxy has a few small others)
    g = g.subgraph(nx.node_connected_component(g, int(attached.node[-1])))
    terminals = sorted(set(attached.node[attached.node >= 0].tolist()) & set(g.nodes))
    peer = nx_steiner_tree(g, terminals, method="mehlhorn").size(weight="weight")
    mains = result.pipes.query("kind == 'main' and from_node != 'S'")["length_m"].sum()
    assert mains <= peer * (1 + RTOL_LENGTH)

"""Issue 20, the steps of a city plan beside the audit: what was made faster gives what it gave.

- the street pieces between house-connection cuts are those ``shapely.ops.substring`` cut
  (Schutterwald's streets, merged into long multi-vertex lines, with every house attached);
- the pipe capacities remembered per design point are those computed afresh;
- a part run in the second process (:mod:`heatplan.parallel`) is the part run here: the town
  plant at the BEW share, its exception, and the fall-back when there is no worker;
- the map palette and the GeoPackage's column titles read once are the tables' rows, and a
  caller's change does not reach the next caller.

The classification as a whole (second process included) is held to the demo's reference areas
by ``tests/test_city_speed.py``.
"""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.ops import substring
from tests.test_dispatch_reserve import _winter_fortnight

from heatplan import parallel
from heatplan.areas.assign import assign_areas
from heatplan.errors import HeatplanError
from heatplan.network import generation as gen
from heatplan.network import graph as street
from heatplan.network import selection, sizing
from heatplan.network.design import design_parameters, pipe_catalogue
from heatplan.outputs import qgis_layers
from heatplan.plan import Plan
from heatplan.plan.checks import inventory_buildings
from heatplan.project.config import Municipality, ProjectConfig
from heatplan.reference import table
from heatplan.reference.map_styles import map_style
from heatplan.stages import classify as stage


def _with_cuts_by_substring(
    graph: street.StreetGraph,
    node_xy: np.ndarray,
    cut_edge: np.ndarray,
    cut_at: np.ndarray,
    cut_node: np.ndarray,
) -> street.StreetGraph:
    """The cut pieces as ``shapely.ops.substring`` makes them, ends moved onto the nodes (the
    method before issue 20's change, kept here as the independent reference)."""
    bounds = np.flatnonzero(np.r_[True, cut_edge[1:] != cut_edge[:-1], True])
    u, v, geometry = [], [], []
    for lo, hi in pairwise(bounds):
        e = cut_edge[lo]
        stops = np.r_[0.0, cut_at[lo:hi], graph.edge_length_m[e]]
        ends = np.r_[graph.edge_u[e], cut_node[lo:hi], graph.edge_v[e]]
        geometry += [substring(graph.edge_geometry[e], a, b) for a, b in pairwise(stops)]
        u.append(ends[:-1])
        v.append(ends[1:])
    new_u, new_v = np.concatenate(u), np.concatenate(v)
    pieces = street._move_ends(np.asarray(geometry, dtype=object), node_xy[new_u], node_xy[new_v])
    existing = np.repeat(graph.edge_existing[cut_edge[bounds[:-1]]], np.diff(bounds) + 1)
    keep = np.ones(graph.edge_u.size, dtype=bool)
    keep[cut_edge] = False
    return street.StreetGraph(
        node_xy,
        np.concatenate([graph.edge_u[keep], new_u]),
        np.concatenate([graph.edge_v[keep], new_v]),
        np.concatenate([graph.edge_geometry[keep], pieces]),
        np.concatenate([graph.edge_existing[keep], existing]),
    )


def _same_graph(a: street.StreetGraph, b: street.StreetGraph) -> None:
    np.testing.assert_array_equal(a.node_xy, b.node_xy)
    np.testing.assert_array_equal(a.edge_u, b.edge_u)
    np.testing.assert_array_equal(a.edge_v, b.edge_v)
    np.testing.assert_array_equal(a.edge_existing, b.edge_existing)
    assert shapely.to_wkb(a.edge_geometry).tolist() == shapely.to_wkb(b.edge_geometry).tolist()


def test_cut_street_pieces_are_substring_s(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    streets, buildings = areas_schutterwald
    # long streets with many vertices: the pieces between cuts keep the vertices inside them
    merged = shapely.get_parts(shapely.line_merge(shapely.union_all(streets.geometry.to_numpy())))
    graph = street.street_graph(merged, snap_tolerance_m=1.0)
    assert (shapely.get_num_points(graph.edge_geometry) > 2).sum() > 50
    points = buildings.geometry.to_numpy()
    new, new_at = street.attach_points(graph, points, max_distance_m=100.0, snap_tolerance_m=1e-4)
    monkeypatch.setattr(street, "_with_cuts", _with_cuts_by_substring)
    old, old_at = street.attach_points(graph, points, max_distance_m=100.0, snap_tolerance_m=1e-4)
    assert new.edge_u.size > graph.edge_u.size + 900  # 927 cuts of 1,506 houses
    _same_graph(new, old)
    np.testing.assert_array_equal(new_at.node, old_at.node)
    np.testing.assert_array_equal(new_at.distance_m, old_at.distance_m)


def test_remembered_pipe_capacities_are_those_computed_afresh() -> None:
    design = design_parameters()
    catalogue = pipe_catalogue(design.insulation_series)
    sizing._CAPACITIES.clear()
    first = sizing._capacities(catalogue, design)
    again = sizing._capacities(catalogue.copy(), design)
    fresh = sizing._capacities_of(catalogue, design)
    for a, b, c in zip(first, again, fresh, strict=True):
        assert a is b  # from the memo
        np.testing.assert_array_equal(a, c)
        assert not a.flags.writeable  # a caller cannot change the memo
    hotter = design_parameters(supply_temp_c=95.0, return_temp_c=60.0)
    other = sizing._capacities(catalogue, hotter)
    assert not np.array_equal(other[0], first[0])  # water at 60 °C is thinner
    assert len(sizing._CAPACITIES) == 2


def _same_plant(a: gen.Generation, b: gen.Generation) -> None:
    assert a.min_renewable_share == b.min_renewable_share
    assert a.result.total_cost_eur_per_a == b.result.total_cost_eur_per_a
    assert a.result.capacity == b.result.capacity
    pd.testing.assert_frame_equal(a.result.dispatch, b.result.dispatch)
    pd.testing.assert_series_equal(a.demand_kw, b.demand_kw)


def test_the_bew_plant_sized_in_the_second_process_is_the_one_sized_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    temperature, load = _winter_fortnight()
    config = ProjectConfig(municipality=Municipality(name="Test"))
    here = gen._generation_options(config, load, 10.0, temperature, year=2025)
    with parallel.SecondCore(warm=("heatplan.network.generation",)) as second_core:
        assert second_core.available
        there = gen._generation_options(
            config, load, 10.0, temperature, year=2025, second_core=second_core
        )
    assert len(here) == len(there) == 2  # the WPG's and the BEW's plant
    assert there[1].min_renewable_share == pytest.approx(0.75)
    for a, b in zip(here, there, strict=True):
        _same_plant(a, b)


def _fail(message: str) -> None:
    raise HeatplanError(message)


def test_a_part_s_error_comes_back_and_without_a_worker_the_part_runs_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    with parallel.SecondCore() as second_core:
        part = second_core.submit(_fail, "no plant at this share")
        square = second_core.submit(np.square, np.arange(4.0))
        local = second_core.submit(lambda x: x + 1, 41)  # cannot be sent: runs here
        with pytest.raises(HeatplanError, match="no plant at this share"):
            part.result()
        np.testing.assert_array_equal(square.result(), [0.0, 1.0, 4.0, 9.0])
        assert local.result() == 42
        assert second_core.available  # one unsendable part does not end the worker
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert parallel.workers() == 1
    with parallel.SecondCore() as alone:
        assert not alone.available
        assert alone.submit(np.square, 3.0).result() == 9.0
    monkeypatch.setenv(parallel.WORKERS_ENV, "zwei")
    assert parallel.workers() == 1


def test_a_worker_that_dies_leaves_the_part_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    with parallel.SecondCore() as second_core:
        second_core._process.kill()  # type: ignore[union-attr]
        second_core._process.wait()  # type: ignore[union-attr]
        assert second_core.submit(np.square, 5.0).result() == 25.0
        assert not second_core.available


def test_the_remembered_palette_is_the_table_s_and_a_copy() -> None:
    frame = table("map_styles.csv", as_text=True)
    rows = frame[frame["layer"] == "area_type"]
    style = map_style("area_type")
    assert style.index.tolist() == rows["category"].tolist()
    assert style["fill"].tolist() == rows["fill"].tolist()
    style.loc[style.index[0], "fill"] = "#000000"  # a caller's change stays its own
    assert map_style("area_type")["fill"].tolist() == rows["fill"].tolist()
    with pytest.raises(KeyError, match="no rows for layer"):
        map_style("no_such_layer")


def test_a_column_title_read_once_is_the_attribute_table_s() -> None:
    info = qgis_layers.column_info("areas", "area_type_2030")
    assert info is qgis_layers.column_info("areas", "area_type_2030")
    assert info is not None and info.title == "Versorgungsart 2030"
    qgis_layers.column_info.cache_clear()
    assert qgis_layers.column_info("areas", "area_type_2030") == info
    assert qgis_layers.column_info("areas", "no_such_column") is None


def test_a_step_that_fails_ends_its_worker_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    started = time.perf_counter()
    second_core = parallel.SecondCore()
    process = second_core._process
    with pytest.raises(HeatplanError, match="the step failed"), second_core:
        second_core.submit(time.sleep, 60.0)  # a part nobody waits for any more
        raise HeatplanError("the step failed")
    assert process is not None and process.poll() is not None  # the worker is gone
    assert time.perf_counter() - started < 30.0  # not after the part's 60 s


def test_networks_laid_out_in_two_processes_are_those_laid_out_in_one(
    demo_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    monkeypatch.setattr(stage, "MIN_SPLIT_BUILDINGS", 0)  # the demo's 1,506 houses split too
    config = demo_plan.settings
    areas = stage._areas(demo_plan)
    buildings = assign_areas(inventory_buildings(demo_plan, purpose="test"), areas)
    weather = selection.weather(config, buildings)
    area_list = stage._area_inputs(areas, buildings)
    split = stage._half_of_the_buildings(area_list)
    assert 1 < split < len(area_list)  # both processes lay out networks
    one = stage._layouts(config, demo_plan, area_list, weather, parallel.SecondCore.none())
    with parallel.SecondCore(warm=stage.SECOND_CORE_MODULES) as second_core:
        assert second_core.available
        two = stage._layouts(config, demo_plan, area_list, weather, second_core)
    assert list(one) == list(two) == [area.area_id for area in area_list]
    laid = [area_id for area_id, layout in one.items() if layout is not None]
    assert len(laid) > 2
    for area_id in one:
        a, b = one[area_id], two[area_id]
        assert (a is None) == (b is None)
        if a is None or b is None:
            continue
        assert a.summary == b.summary
        pd.testing.assert_series_equal(a.hourly, b.hourly)
        pd.testing.assert_frame_equal(pd.DataFrame(a.sized), pd.DataFrame(b.sized))


@pytest.mark.parametrize(
    ("cpus", "load", "expected"),
    [(2, 0.2, 2), (2, 1.4, 2), (2, 1.6, 1), (2, 6.0, 1), (1, 0.0, 1), (8, 6.0, 2)],
)
def test_a_second_process_only_where_a_cpu_is_free(
    monkeypatch: pytest.MonkeyPatch, cpus: int, load: float, expected: int
) -> None:
    monkeypatch.delenv(parallel.WORKERS_ENV, raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: set(range(cpus)))
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (load, load, load))
    assert parallel.workers() == expected
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")  # asked for: whatever the load
    assert parallel.workers() == 2


@pytest.mark.parametrize(("load", "expected"), [(2.0, 2), (2.4, 2), (2.6, 1), (0.5, 2)])
def test_the_load_of_this_step_s_own_worker_leaves_its_cpu_free(
    monkeypatch: pytest.MonkeyPatch, load: float, expected: int
) -> None:
    """Right after this process's own worker ended (``run --all``: the exports), the load
    average still counts it: its CPU is free, the machine's other work is what is left."""
    monkeypatch.delenv(parallel.WORKERS_ENV, raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (load, load, load))
    assert parallel.workers(own_load=2.0) == expected
    assert parallel.workers() == (2 if load <= 1.5 else 1)


def test_no_thread_stays_beside_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The release audit forks its workers only in a process without threads
    (heatplan.publish.release): the second process must leave none behind while it waits."""
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    with parallel.SecondCore() as second_core:
        assert second_core.available
        assert second_core.submit(np.square, 4.0).result() == 16.0
        names = [thread.name for thread in threading.enumerate()]
        assert "heatplan-second-core" not in names

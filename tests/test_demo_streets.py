"""The demo's streets from Schutterwald's LV grid, and house connections as spurs to them.

Independent reference: pandapower's ``lv_schutterwald`` read here directly (Kisse et al. 2020,
Energies 13:4052): its cable sections as drawn, minus the sections that end in a load bus (the
house-connection cables), projected with pyproj.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from heatplan.network.graph import street_graph
from heatplan.network.route import route_parameters
from heatplan.plan import Plan

#: Gas mains of the pandapipes Schutterwald network, the demo's streets before [km].
GAS_MAINS_KM = 10.5
#: Band of the street proxy against the LV street cables (cables minus service cables) [-]:
#: side-by-side sections (lv_parallel_merge_m = 5 m) make about a tenth of the street cable
#: length, the connectors that rejoin the parts are short (<= 10 m each) - so 0.85-1.0.
STREET_SHARE_BAND = (0.85, 1.0)
#: Upper bound of network trench per connected building [m]. Orientation for German
#: detached-house areas: 10-20 m of street main plus a 10-15 m house connection per building
#: (see the demo notes of README); Schutterwald's house points lie ~19 m from the street axis
#: (LV house-connection cables: median 17 m), so 40 m leaves room without allowing the 64 m
#: that routing along the gas service lines gave.
MAX_TRENCH_PER_BUILDING_M = 40.0


def _lv_street_cable_km() -> tuple[float, float]:
    import pandapower.networks as pn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = pn.lv_schutterwald()
    lines = gpd.GeoSeries(
        [shapely.from_geojson(text) for text in net.line["geo"]], crs="EPSG:4326"
    ).to_crs("EPSG:25832")
    loads = set(net.load["bus"])
    service = (net.line["from_bus"].isin(loads) | net.line["to_bus"].isin(loads)).to_numpy()
    return float(lines.length.sum()) / 1e3, float(lines[service].length.sum()) / 1e3


def test_demo_streets_are_the_lv_cables_without_house_connections(demo_plan: Plan) -> None:
    cable_km, service_km = _lv_street_cable_km()
    assert cable_km == pytest.approx(62.1, abs=0.5)  # 62.3 km of length_km in the file
    assert service_km == pytest.approx(29.3, abs=0.5)
    streets_km = float(demo_plan.frame("streets").length.sum()) / 1e3
    low, high = STREET_SHARE_BAND
    assert low * (cable_km - service_km) <= streets_km <= high * (cable_km - service_km)
    assert streets_km > 2.5 * GAS_MAINS_KM  # the gas mains reach only a third of the streets


def test_every_house_connection_is_the_spur_to_the_nearest_street(demo_plan: Plan) -> None:
    pipes = demo_plan.frame("network_pipes")
    nodes = demo_plan.frame("network_nodes")
    connections = pipes[pipes["kind"] == "connection"]
    houses = nodes[nodes["kind"] == "building"]
    assert len(connections) == len(houses) > 0
    assert set(connections["to_node"]) == set(houses["node_id"])
    buildings = demo_plan.frame("buildings").set_index("building_id").geometry
    at = houses.set_index("node_id")["building_id"].loc[connections["to_node"]]
    points = buildings.loc[at].to_numpy()
    # The route's street graph (line ends merged at the 1 m snap tolerance) ...
    graph = street_graph(
        demo_plan.frame("streets").geometry.to_numpy(),
        snap_tolerance_m=route_parameters()["snap_tolerance_m"],
    )
    edges = shapely.STRtree(graph.edge_geometry)
    _, to_graph_m = edges.query_nearest(points, return_distance=True, all_matches=False)
    length_m = connections["length_m"].to_numpy(float)
    np.testing.assert_allclose(length_m, to_graph_m, rtol=0, atol=1e-6)
    # ... differs from the street lines as imported by at most that tolerance.
    lines = shapely.union_all(demo_plan.frame("streets").geometry.to_numpy())
    assert np.abs(length_m - shapely.distance(points, lines)).max() <= 1.0


def test_network_trench_per_building_is_plausible(demo_built: tuple[Path, dict]) -> None:
    network = demo_built[1]["steps"]["network"]
    per_building_m = network["trench_length_m"] / network["buildings_connected"]
    assert per_building_m < MAX_TRENCH_PER_BUILDING_M
    # what the route cut back is named, never dropped silently
    assert (
        network["buildings_connected"] + network["buildings_unconnected"]
        == network["buildings_selected"] - network["buildings_not_connecting"]
    )

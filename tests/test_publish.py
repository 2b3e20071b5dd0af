"""What leaves the project for the public: existing networks only as mains (WPG § 10)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from heatplan.demo.schutterwald import load_net, write_inputs
from heatplan.publish import public_layers
from heatplan.publish.layers import network_mains

CRS = "EPSG:25832"


def test_schutterwald_gas_register_keeps_its_mains_and_loses_every_house_connection(
    tmp_path: Path,
) -> None:
    files = write_inputs(tmp_path)
    register = gpd.read_file(files["gas_network"])  # 101 km: mains and 1,506 connections
    streets = gpd.read_file(files["streets"])  # from the LV grid (Kisse et al. 2020)
    houses = gpd.read_file(files["buildings"])  # the house ends of the connections
    mains = network_mains(register, streets, "gas_networks", buildings=houses)
    # the register's own split (pandapipes: a connection ends in a sink junction)
    sinks = set(load_net().sink["junction"])
    service = register["from_junction"].isin(sinks) | register["to_junction"].isin(sinks)
    connections = register[service]
    assert len(connections) == 1506
    # the mains along the LV-grid streets survive: 9.0 of the 10.5 km (the rest lies more
    # than 8 m from any LV cable: streets the LV grid serves from the other side, or none);
    # no connection does, though 29 of them (1.4 km) run along a street to their house
    kept_share = mains.length.sum() / register[~service].length.sum()
    assert 0.8 <= kept_share <= 1.0
    along = network_mains(register, streets, "gas_networks")  # without the buildings
    assert set(along.geometry.to_wkb()) & set(connections.geometry.to_wkb())
    kept = set(mains.geometry.to_wkb())
    assert not kept & set(connections.geometry.to_wkb())
    assert set(mains.columns) <= {"medium", "diameter_mm", "construction_year", "geometry",
                                  "network"}  # fmt: skip
    assert (mains["network"] == "gas_networks").all()


def test_without_streets_or_for_marked_connections_nothing_is_public() -> None:
    street = shapely.LineString([(0, 0), (200, 0)])
    lines = gpd.GeoDataFrame(
        {"kind": ["main", "connection"]},
        geometry=[shapely.LineString([(0, 1), (200, 1)]), shapely.LineString([(50, 0), (50, 5)])],
        crs=CRS,
    )
    streets = gpd.GeoDataFrame(geometry=[street], crs=CRS)
    assert len(network_mains(lines, streets)) == 1
    assert network_mains(lines, None).empty
    public, _ = public_layers({"heat_networks": lines})  # no streets given: nothing shown
    assert public["heat_networks"].empty

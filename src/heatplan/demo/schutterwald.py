"""Schutterwald: turn pandapipes' real gas network into the files a town would hand over.

Written files (EPSG:25832):
- ``buildings.geojson`` — 1,506 house points (the house-connection end of each gas sink); no use,
  no construction year: these stay 'unknown', never invented.
- ``consumption.csv`` — measured annual gas demand per house in m³ (``demand_m3_per_a``); the
  metering year is not published, so ``year`` is empty (treated as a normalised annual value).
- ``gas_network.geojson`` — all 2,559 pipe sections (101 km).
- ``streets.geojson`` — street lines from the real low-voltage grid of the same study
  (pandapower ``lv_schutterwald``, Kisse et al. 2020): its cable sections without the house
  connections and without side-by-side duplicates (:mod:`heatplan.demo.lv_streets`; 62 km of
  cable, 29 km of them house connections, 31 km of streets). The gas mains (10.5 km) reach only
  a third of the streets, the LV grid all of them; no street file ships with either package.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.demo.lv_streets import load_lv_net, street_lines
from heatplan.demo.sources import schutterwald_json
from heatplan.plan import columns as col

SOURCE_CRS = "EPSG:31467"  # DHDN / 3-degree Gauss-Krüger zone 3 (file coordinates)
MUNICIPALITY = {"name": "Schutterwald", "key": "08317122"}  # AGS, Ortenaukreis (BW)
#: Inhabitants: "about 7,000" as Kisse et al. (2020, Energies 13:4052) describe the town; not
#: verified offline against the Statistisches Landesamt BW count of 1 January 2024 (WPG § 4).
INHABITANTS = 7000


def load_net():
    """The Schutterwald gas network of pandapipes (its sinks hold the measured demand)."""
    import pandapipes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pandapipes.from_json(str(schutterwald_json()))


def input_frames(*, crs: str = "EPSG:25832") -> dict[str, pd.DataFrame]:
    """The Schutterwald inputs in memory: ``buildings`` (points with the sink names),
    ``consumption`` (measured gas in m³/a), ``gas_network`` (every pipe) and ``streets`` (from
    the LV grid: :func:`heatplan.demo.lv_streets.street_lines`), as the town's files would give
    them."""
    net = load_net()
    xy = net.junction_geodata[["x", "y"]]
    return {
        "buildings": _houses(net, xy).to_crs(crs),
        "consumption": _consumption(net),
        "gas_network": _pipes(net, xy).to_crs(crs),
        "streets": street_lines(load_lv_net(), crs=crs),
    }


def write_inputs(folder: Path, *, crs: str = "EPSG:25832") -> dict[str, Path]:
    """Write the Schutterwald input files into ``folder`` and return their paths by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = input_frames(crs=crs)
    paths = {
        "buildings": folder / "buildings.geojson",
        "consumption": folder / "consumption.csv",
        "gas_network": folder / "gas_network.geojson",
        "streets": folder / "streets.geojson",
    }
    for kind, path in paths.items():
        frame = frames[kind]
        if isinstance(frame, gpd.GeoDataFrame):
            frame.to_file(path, driver="GeoJSON")
        else:
            frame.to_csv(path, index=False)
    return paths


def _pipes(net, xy: pd.DataFrame) -> gpd.GeoDataFrame:
    start = xy.loc[net.pipe["from_junction"]].to_numpy()
    end = xy.loc[net.pipe["to_junction"]].to_numpy()
    lines = shapely.linestrings(np.stack([start, end], axis=1))
    return gpd.GeoDataFrame(
        {
            "pipe_id": [f"P{i}" for i in net.pipe.index],
            "from_junction": net.pipe["from_junction"].to_numpy(),
            "to_junction": net.pipe["to_junction"].to_numpy(),
            "diameter_mm": net.pipe["inner_diameter_mm"].to_numpy(),
            "material": net.pipe["stanet_std_type"].astype(str).to_numpy(),
            "medium": "natural_gas",
            "pressure_bar": 1.0,
        },
        geometry=lines,
        crs=SOURCE_CRS,
    )


def _houses(net, xy: pd.DataFrame) -> gpd.GeoDataFrame:
    points = xy.loc[net.sink["junction"]].to_numpy()
    return gpd.GeoDataFrame(
        {col.BUILDING_ID: net.sink["name"].astype(str).to_numpy()},
        geometry=shapely.points(points),
        crs=SOURCE_CRS,
    )


def _consumption(net) -> pd.DataFrame:
    return pd.DataFrame(
        {
            col.BUILDING_ID: net.sink["name"].astype(str).to_numpy(),
            "year": "",
            col.CARRIER: "natural_gas",
            "value": net.sink["demand_m3_per_a"].to_numpy(),
            "unit": "m3",
        }
    )


def write_lv_grid(folder: Path) -> Path:
    """The town's low-voltage grid (pandapower ``lv_schutterwald``, Kisse et al. 2020) as the
    pandapower JSON file a distribution system operator could hand over."""
    import pandapower as pp

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lv_grid.json"
    pp.to_json(load_lv_net(), str(path))
    return path

"""Write the GIS sample of an LV grid for the tests (tests/data/lv_grid/): one transformer area
of the real Schutterwald grid (pandapower ``lv_schutterwald``, Kisse et al. 2020, Energies
13:4052), transformer T_idx_45 (250 kVA), as a utility GIS would hand it over: a GeoPackage
with the layers ``kabel`` (cables with type and length as German text), ``stationen`` and
``hausanschluesse`` (connection points with the id of the house of the pandapipes gas net
nearest to them), German column names, EPSG:25832.

python scripts/make_lv_grid_sample.py
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from heatplan.grid import flow, model

CRS = "EPSG:25832"
TRAFO = "T_idx_45"
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "lv_grid"
GAS_NET = "gas_net_schutterwald_1bar.json"


def _houses() -> gpd.GeoDataFrame:
    import pandapipes
    import pandapipes.networks

    path = Path(pandapipes.networks.__file__).parent / "network_files" / GAS_NET
    net = pandapipes.from_json(str(path))
    xy = net.junction_geodata[["x", "y"]].loc[net.sink["junction"]].to_numpy()
    return gpd.GeoDataFrame(
        {"building_id": net.sink["name"].astype(str).to_numpy()},
        geometry=shapely.points(xy),
        crs="EPSG:31467",
    ).to_crs(CRS)


def main() -> None:
    import pandapower.networks as pn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = model.from_pandapower(pn.lv_schutterwald(), crs=CRS)
        houses = _houses()
    network = flow.build(grid)
    k = int(np.flatnonzero(network.trafo_ids == TRAFO)[0])
    buses = set(network.bus_ids[network.area_of_bus == k].tolist())
    lines = grid.lines[grid.lines["from_bus"].isin(buses)]
    kabel = gpd.GeoDataFrame(
        {
            "Kabel_Nr": lines["line_id"].astype(str).to_numpy(),
            "Kabeltyp": lines["std_type"].to_numpy(),
            "Laenge_m": [f"{m:.1f}".replace(".", ",") for m in lines["length_km"] * 1e3],
        },
        geometry=lines.geometry.to_numpy(),
        crs=CRS,
    )
    trafo = grid.trafos.iloc[[k]]
    stationen = gpd.GeoDataFrame(
        {"Station": [TRAFO], "Leistung_kVA": trafo["sn_mva"].to_numpy() * 1e3},
        geometry=trafo.geometry.to_numpy(),
        crs=CRS,
    )
    loads = grid.loads[grid.loads["bus_id"].isin(buses)].drop_duplicates("bus_id")
    tree = shapely.STRtree(houses.geometry.to_numpy())
    nearest = tree.nearest(loads.geometry.to_numpy())
    anschluesse = gpd.GeoDataFrame(
        {
            "Anschluss": loads["load_name"].to_numpy(),
            "Gebaeude_ID": houses["building_id"].to_numpy()[nearest],
        },
        geometry=loads.geometry.to_numpy(),
        crs=CRS,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "schutterwald_t45.gpkg"
    target.unlink(missing_ok=True)
    for name, frame in (
        ("kabel", kabel),
        ("stationen", stationen),
        ("hausanschluesse", anschluesse),
    ):
        frame.to_file(target, layer=name, driver="GPKG")
    print(target, len(kabel), "cables", len(anschluesse), "connections")


if __name__ == "__main__":
    main()

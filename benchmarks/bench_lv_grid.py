"""Benchmark: the vectorised LV power flow over all 8,760 hours vs pandapower's own
time-series loop (``run_timeseries``, AC Newton-Raphson per hour), on the real grid of
Schutterwald (pandapower ``lv_schutterwald``) under the town's 1,506 houses (plain script).

pandapower runs a sample of hours (``--peer-sample``, spread over the year) and its time is
extrapolated to 8,760 hours (``--full-peer`` runs every hour: about an hour without numba).

Then, per transformer (14), its peak hour at today's load (households, no heat pumps) and at
the plan's heat-pump share (``--hp-share``; the demo's 2045 share is every building, 1.0): the
peak loading and the lowest voltage of its area from the fast flow and from pandapower's AC
Newton-Raphson (``runpp``) in that same hour, side by side.

python benchmarks/bench_lv_grid.py [--hp-share 1.0] [--ev-share 0.0] [--peer-sample 96]
    [--busbar-pu 1.0]  (no-load LV voltage in both methods; default: the file's operating point,
    slack 0.965 pu and tap +1, 0.941 pu; ``heatplan grid check`` uses 1.0)
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.demand.climate import temperature_for_year, try_temperature
from heatplan.demand.profiles import german_holidays, profile_class
from heatplan.demo.lv_streets import load_lv_net
from heatplan.demo.schutterwald import load_net
from heatplan.grid import flow, hosting, loads, model
from heatplan.reference.weather import region_for_point

YEAR, CRS = 2023, "EPSG:25832"
GAS_KWH_PER_M3 = 9.5  # data/unit_conversions.csv (natural gas, Hi)


def houses() -> gpd.GeoDataFrame:
    """The town's houses with their measured gas demand as heat demand (pandapipes net)."""
    net = load_net()
    xy = net.junction_geodata[["x", "y"]].loc[net.sink["junction"]].to_numpy()
    return gpd.GeoDataFrame(
        {
            "building_id": net.sink["name"].astype(str).to_numpy(),
            "heat_demand_kwh_per_a": net.sink["demand_m3_per_a"].to_numpy() * GAS_KWH_PER_M3,
            "profile_class": profile_class("sfh", "unknown"),
            "construction_year": np.nan,
        },
        geometry=shapely.points(xy),
        crs="EPSG:31467",
    ).to_crs(CRS)


def lv_net(busbar_pu: float | None):  # type: ignore[no-untyped-def]
    """The demo's LV net; with ``busbar_pu`` the taps neutral and the slack at that voltage."""
    net = load_lv_net()
    if busbar_pu is not None:
        net.trafo["tap_pos"] = net.trafo["tap_neutral"]
        net.ext_grid["vm_pu"] = busbar_pu
    return net


def pandapower_loop(net, bus_p_mw: pd.DataFrame, tan_phi: float) -> float:  # type: ignore[no-untyped-def]
    """Seconds of pandapower's run_timeseries over the columns (hours) of ``bus_p_mw``."""
    from pandapower.control import ConstControl
    from pandapower.timeseries import DFData, OutputWriter, run_timeseries

    first = net.load[~net.load["bus"].duplicated()]
    net.load.loc[~net.load.index.isin(first.index), ["p_mw", "q_mvar"]] = 0.0
    p = bus_p_mw.reindex(first["bus"]).fillna(0.0).T.reset_index(drop=True)
    p.columns = first.index
    data = DFData(pd.concat([p, (p * tan_phi).add_suffix("_q")], axis=1))
    ConstControl(
        net,
        "load",
        "p_mw",
        element_index=first.index,
        data_source=data,
        profile_name=list(p.columns),
    )
    ConstControl(
        net, "load", "q_mvar", element_index=first.index, data_source=data,
        profile_name=[f"{c}_q" for c in p.columns],
    )  # fmt: skip
    OutputWriter(
        net, time_steps=range(len(p)), output_path=None, log_variables=[("res_bus", "vm_pu")]
    )
    started = time.perf_counter()
    run_timeseries(net, time_steps=range(len(p)), numba=False, verbose=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hp-share", type=float, default=1.0)
    parser.add_argument("--ev-share", type=float, default=0.0)
    parser.add_argument("--peer-sample", type=int, default=96)
    parser.add_argument("--full-peer", action="store_true")
    parser.add_argument("--busbar-pu", type=float, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    buildings = houses()
    centre = buildings.to_crs("EPSG:4326").geometry.union_all().centroid
    temperature = temperature_for_year(try_temperature(region_for_point(centre.x, centre.y)), YEAR)
    grid = model.from_pandapower(load_lv_net(), crs=CRS)
    demand = loads.building_loads(
        buildings, temperature, year=YEAR, holidays=german_holidays(YEAR, "BW")
    )
    total_kw = demand.total_kw(hp_share=args.hp_share, ev_share=args.ev_share)
    link = model.link_buildings(buildings, grid, max_distance_m=150.0)

    started = time.perf_counter()
    network = flow.build(grid)
    connection = hosting.connect(network, link["bus_id"].to_numpy(), np.full(len(buildings), ""))
    source = None if args.busbar_pu is None else np.full(network.bus_ids.size, args.busbar_pu)
    ext = hosting.run(network, connection, total_kw, source_pu=source)
    fast_s = time.perf_counter() - started
    hours = total_kw.shape[0]
    print(f"fast flow, {hours} h, {network.bus_ids.size} buses: {fast_s:.2f} s "
          f"(lowest voltage {ext.vm_min_pu.min():.3f} pu, highest transformer loading "
          f"{ext.trafo_max_percent.max():.0f} %)")  # fmt: skip

    sample = (
        np.arange(hours)
        if args.full_peer
        else np.linspace(0, hours - 1, args.peer_sample).astype(int)
    )
    p_mw = np.asarray(connection.bus_map @ total_kw[sample].T.astype(float)) / 1e3
    bus_p = pd.DataFrame(p_mw, index=network.bus_ids)
    peer_s = pandapower_loop(lv_net(args.busbar_pu), bus_p, loads.reactive_factor())
    peer_full_s = peer_s * hours / sample.size
    label = "measured" if args.full_peer else f"{sample.size} h measured, extrapolated"
    print(f"pandapower run_timeseries: {peer_s:.2f} s for {sample.size} h; {peer_full_s:.0f} s "
          f"for {hours} h ({label})")  # fmt: skip
    print(f"ratio pandapower / fast: {peer_full_s / fast_s:.0f}x")
    today_kw = demand.total_kw(hp_share=0.0, ev_share=0.0)
    source = None if args.busbar_pu is None else np.full(network.bus_ids.size, args.busbar_pu)
    ext_today = hosting.run(network, connection, today_kw, source_pu=source)
    rows = {
        "today": per_transformer(network, connection, today_kw, ext_today, args.busbar_pu),
        f"{args.hp_share:.0%} HP": per_transformer(
            network, connection, total_kw, ext, args.busbar_pu
        ),
    }
    print_table(network.trafo_ids, rows)


def per_transformer(network, connection, total_kw, ext, busbar_pu) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Each transformer's peak hour (highest loading, fast flow over the year): (hour, loading
    fast, loading AC, lowest voltage of its area fast, AC) from the fast flow and from
    pandapower's runpp in that hour."""
    import pandapower as pp

    rows = []
    for k in range(network.trafo_ids.size):
        hour = int(ext.trafo_max_hour[k])
        p_mw = np.asarray(connection.bus_map @ total_kw[[hour]].T.astype(float)) / 1e3
        source = None if busbar_pu is None else np.full(network.bus_ids.size, busbar_pu)
        fast = flow.solve(network, p_mw, p_mw * loads.reactive_factor(), source_pu=source)
        net = lv_net(busbar_pu)
        first = ~net.load["bus"].duplicated()
        at = pd.Series(p_mw[:, 0], index=network.bus_ids).reindex(net.load["bus"]).fillna(0.0)
        net.load["p_mw"] = np.where(first, at, 0.0)
        net.load["q_mvar"] = net.load["p_mw"] * loads.reactive_factor()
        pp.runpp(net, numba=False)
        area = network.area_of_bus == k
        ac_vm = float(net.res_bus["vm_pu"].loc[network.bus_ids[area]].min())
        rows.append(
            (
                hour,
                float(fast.trafo_loading_percent[k, 0]),
                float(net.res_trafo["loading_percent"].iloc[k]),
                float(fast.vm_pu[area, 0].min()),
                ac_vm,
            )
        )
    return rows


def print_table(trafo_ids: np.ndarray, cases: dict[str, list[tuple]]) -> None:
    """Per transformer and case: peak hour, loading fast/AC [%], lowest voltage fast/AC [pu],
    and the largest differences."""
    for case, rows in cases.items():
        print(f"\n{case}: transformer, peak hour, loading fast / AC [%], min U fast / AC [pu]")
        for trafo, (hour, lf, la, vf, va) in zip(trafo_ids, rows, strict=True):
            print(f"{trafo:13} {hour:5d}  {lf:6.1f} / {la:6.1f}   {vf:.4f} / {va:.4f}")
        d_load = max(abs(lf - la) for _, lf, la, _, _ in rows)
        d_vm = max(abs(vf - va) for _, _, _, vf, va in rows)
        print(f"largest difference: loading {d_load:.2f} pp, voltage {d_vm:.4f} pu")


if __name__ == "__main__":
    main()

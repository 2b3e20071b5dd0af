"""The LV grid check (issue 18) on the real low-voltage grid of Schutterwald (pandapower
``lv_schutterwald``, Kisse et al. 2020, Energies 13:4052) under the same town's houses
(measured gas demand of the pandapipes net, the ``areas_schutterwald`` fixture).

The fast flow is checked against pandapower's AC Newton-Raphson (``runpp``) in the worst hours
of the year; costs against the cost table by hand.
"""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app
from heatplan.demand.climate import temperature_for_year, try_temperature
from heatplan.demand.profiles import german_holidays, profile_class
from heatplan.grid import check, flow, hosting, loads, model, reinforce
from heatplan.reference import parameter, table
from heatplan.reference.weather import region_for_point

#: Fast flow vs pandapower AC: voltage [pu of nominal] and loading [percentage points].
VOLTAGE_TOL_PU = 0.005
LOADING_TOL_PP = 2.0
YEAR = 2023
runner = CliRunner()


def _pandapower_net():  # type: ignore[no-untyped-def]
    import pandapower.networks as pn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pn.lv_schutterwald()


@pytest.fixture(scope="module")
def town(areas_schutterwald):  # type: ignore[no-untyped-def]
    """Grid, houses (with profile class and no construction year) and weather of the town."""
    _, houses = areas_schutterwald
    houses = houses.assign(profile_class=profile_class("sfh", "unknown"), construction_year=np.nan)
    centre = houses.to_crs("EPSG:4326").geometry.union_all().centroid
    temperature = temperature_for_year(try_temperature(region_for_point(centre.x, centre.y)), YEAR)
    grid = model.from_pandapower(_pandapower_net(), crs=str(houses.crs))
    return grid, houses, temperature, german_holidays(YEAR, "BW")


@pytest.fixture(scope="module")
def loaded(town):  # type: ignore[no-untyped-def]
    """Network, connection and the buildings' loads with every house on a heat pump."""
    grid, houses, temperature, holidays = town
    network = flow.build(grid)
    link = model.link_buildings(houses, grid, max_distance_m=150.0)
    connection = hosting.connect(network, link["bus_id"].to_numpy(), np.full(len(houses), ""))
    demand = loads.building_loads(houses, temperature, year=YEAR, holidays=holidays)
    return network, connection, demand, link


def test_every_house_links_to_its_own_load_bus(loaded) -> None:  # type: ignore[no-untyped-def]
    _, _, _, link = loaded
    # the gas sinks and the LV loads are the same 1,506 houses (Kisse et al. 2020)
    assert link["bus_id"].notna().all()
    assert link["bus_id"].nunique() > 0.95 * len(link)
    assert link["distance_m"].median() < 30.0


def _pandapower_at(bus_p_mw: np.ndarray, network: flow.Network):  # type: ignore[no-untyped-def]
    import pandapower as pp

    net = _pandapower_net()
    tan_phi = loads.reactive_factor()
    load_at = pd.Series(bus_p_mw, index=network.bus_ids)
    first = ~net.load["bus"].duplicated()
    net.load["p_mw"] = np.where(first, load_at.reindex(net.load["bus"]).fillna(0.0), 0.0)
    net.load["q_mvar"] = net.load["p_mw"] * tan_phi
    pp.runpp(net, numba=False)
    return net


def test_fast_flow_matches_pandapower_in_the_worst_hours(loaded, town) -> None:  # type: ignore[no-untyped-def]
    network, connection, demand, _ = loaded
    line_ids = town[0].lines["line_id"].to_numpy()
    total_kw = demand.total_kw(hp_share=0.5, ev_share=0.3)
    town_kw = total_kw.sum(axis=1)
    worst = np.argsort(town_kw)[-2:]
    hours = [*worst.tolist(), int(np.argmin(town_kw))]
    p_mw = np.asarray(connection.bus_map @ total_kw[hours].T.astype(float)) / 1e3
    fast = flow.solve(network, p_mw, p_mw * loads.reactive_factor())
    for k, _hour in enumerate(hours):
        net = _pandapower_at(p_mw[:, k], network)
        ac_vm = net.res_bus["vm_pu"].loc[network.bus_ids].to_numpy()
        assert np.max(np.abs(fast.vm_pu[:, k] - ac_vm)) <= VOLTAGE_TOL_PU
        ac_line = net.res_line["loading_percent"].loc[line_ids].to_numpy()
        assert np.max(np.abs(fast.line_loading_percent[:, k] - ac_line)) <= LOADING_TOL_PP
        ac_trafo = net.res_trafo["loading_percent"].to_numpy()
        assert np.max(np.abs(fast.trafo_loading_percent[:, k] - ac_trafo)) <= LOADING_TOL_PP
    assert fast.vm_pu[:, :2].min() < fast.vm_pu[:, 2].min()  # the worst hours are worse


def test_extremes_over_chunks_equal_one_solve(loaded) -> None:  # type: ignore[no-untyped-def]
    network, connection, demand, _ = loaded
    total = demand.total_kw(hp_share=1.0, ev_share=0.0)[:300]
    p_mw = np.asarray(connection.bus_map @ total.T.astype(float)) / 1e3
    q = p_mw * loads.reactive_factor()
    whole = flow.solve(network, p_mw, q)
    ext = flow.extremes(network, lambda a, b: (p_mw[:, a:b], q[:, a:b]), 300, chunk_hours=70)
    np.testing.assert_allclose(ext.vm_min_pu, whole.vm_pu.min(axis=1), atol=1e-6)
    np.testing.assert_allclose(
        ext.trafo_max_percent, whole.trafo_loading_percent.max(axis=1), rtol=1e-5
    )
    np.testing.assert_array_equal(ext.line_max_hour, whole.line_loading_percent.argmax(axis=1))


def test_loads_add_up_to_their_annual_energy(loaded, town) -> None:  # type: ignore[no-untyped-def]
    _, houses, temperature, _ = town
    _, _, demand, _ = loaded
    # heat pump electricity times its hourly COP gives back the heat demand (energy balance)
    states = pd.Series("unrenovated", index=houses.index)
    heat_kwh = (demand.heat_pump_kw * loads.air_cop(temperature, states)).sum()
    assert heat_kwh == pytest.approx(houses["heat_demand_kwh_per_a"].sum(), rel=1e-4)
    # BDEW H0 scaled to the household's year, EV charging to the car's year (365 days)
    assert demand.household_kw.sum() == pytest.approx(
        parameter(loads.PARAMETERS, "household_kwh_per_a"), rel=0.01
    )
    assert demand.ev_kw_per_car.sum() == pytest.approx(parameter(loads.PARAMETERS, "ev_kwh_per_a"))
    # § 14a EnWG control caps each heat pump at the floor the operator must leave
    cap = loads.cap_kw(True)
    assert cap == pytest.approx(parameter(loads.PARAMETERS, "controlled_min_kw"))
    base = demand.total_kw(hp_share=0.0, ev_share=0.0)
    capped = demand.total_kw(hp_share=1.0, ev_share=0.0, hp_cap_kw=cap) - base
    assert capped.max() <= cap + 1e-4
    assert (capped <= demand.heat_pump_kw + 1e-4).all()
    assert demand.heat_pump_kw.max() > cap  # the cap bites in this town's coldest hours
    # shares are nested: a higher share keeps every heat pump of a lower one
    low = demand.hp_rank < round(0.3 * len(houses))
    high = demand.hp_rank < round(0.6 * len(houses))
    assert (high | ~low).all() and high.sum() == round(0.6 * len(houses))


def test_transformer_exchange_takes_the_next_listed_size() -> None:
    costs = table("grid_costs.csv")
    exchange = costs[costs["item"] == "transformer_exchange"].set_index("size")["value"]
    station = costs[costs["item"] == "new_substation"].iloc[0]
    peak = np.array([200.0, 300.0, 630.0, 1000.0 + 0.5 * station["size"]])
    rated = np.array([250.0, 250.0, 400.0, 630.0])
    expected = [0.0, exchange[400], exchange[630], exchange[1000] + station["value"]]
    np.testing.assert_allclose(reinforce.transformer_cost_eur(peak, rated), expected)


def test_parallel_cables_bring_every_cable_under_its_limit() -> None:
    per_m = table("grid_costs.csv").query("item == 'parallel_cable'")["value"].iloc[0]
    extra, cost = reinforce.cable_cost_eur(
        np.array([80.0, 100.0, 150.0, 250.0]), np.full(4, 40.0), 100.0
    )
    np.testing.assert_array_equal(extra, [0, 0, 1, 2])
    np.testing.assert_allclose(cost, np.array([0, 0, 1, 2]) * 40.0 * per_m)


@pytest.mark.slow
def test_check_of_the_town(town) -> None:  # type: ignore[no-untyped-def]
    grid, houses, temperature, holidays = town
    x_mid = houses.geometry.x.median()
    bounds = houses.total_bounds
    areas = gpd.GeoDataFrame(
        {"area_id": ["W", "E"]},
        geometry=[
            shapely.box(bounds[0] - 1, bounds[1] - 1, x_mid, bounds[3] + 1),
            shapely.box(x_mid, bounds[1] - 1, bounds[2] + 1, bounds[3] + 1),
        ],
        crs=houses.crs,
    )
    result = check.check(
        grid, houses, areas, temperature, holidays, profile_year=YEAR, hp_share=0.8
    )
    trafos, supply = result.trafo_areas, result.supply_areas
    assert len(trafos) == 14 and list(supply.index) == ["E", "W"]
    limits = hosting.Limits.from_table()
    # today (no heat pumps) every transformer area keeps the band and the ratings
    assert (trafos["vm_min_pu_today"] >= limits.voltage_min_pu).all()
    assert trafos["limit_today"].eq("").all()
    # below the first broken share nothing broke; the hosting share is one step below it
    broken = trafos["first_violation_share"].notna()
    np.testing.assert_allclose(
        trafos.loc[broken, "hosting_share"],
        trafos.loc[broken, "first_violation_share"] - check.share_step(),
    )
    # an area broken at 80 % has a hosting share below 80 %, and costs only where loading broke
    at_plan = trafos["limit_plan"].ne("")
    assert (trafos.loc[at_plan, "first_violation_share"] <= 0.8 + 1e-9).all()
    overloaded = (trafos["line_max_percent_plan"] > 100) | (trafos["trafo_max_percent_plan"] > 100)
    too_low = trafos["vm_min_pu_plan"] < limits.voltage_min_pu
    assert ((trafos["reinforcement_eur"] > 0) == (overloaded | too_low)).all()
    # cable for the voltage only where the voltage was too low, and it brings it into the band
    by_voltage = trafos["voltage_reinforcement_eur"] > 0
    assert (~by_voltage | too_low).all()
    solved = by_voltage & trafos["voltage_after_reinforcement"].eq("")
    assert (trafos.loc[solved, "vm_min_pu_reinforced"] >= limits.voltage_min_pu).all()
    # every building lies in one supply area: the split costs add up to the transformer areas'
    assert supply["reinforcement_eur"].sum() == pytest.approx(trafos["reinforcement_eur"].sum())
    # parallel cables and bigger transformers raise the lowest voltage (or leave it)
    assert (trafos["vm_min_pu_reinforced"] >= trafos["vm_min_pu_plan"] - 1e-6).all()
    low = trafos["vm_min_pu_reinforced"] < limits.voltage_min_pu
    assert (trafos.loc[low, "voltage_after_reinforcement"] != "").all()
    # a supply area is as bad as the worst transformer area feeding it
    assert supply["vm_min_pu_plan"].min() == pytest.approx(trafos["vm_min_pu_plan"].min())
    json.dumps(result.summary())


def _tiny_net_json(path: Path) -> Path:
    import pandapower as pp

    net = pp.create_empty_network()
    mv = pp.create_bus(net, 20.0, geodata=(7.87, 48.45))
    lv = pp.create_bus(net, 0.4, geodata=(7.871, 48.45))
    house = pp.create_bus(net, 0.4, geodata=(7.872, 48.45))
    pp.create_ext_grid(net, mv)
    pp.create_transformer(net, mv, lv, "0.4 MVA 20/0.4 kV")
    pp.create_line(net, lv, house, 0.08, "NAYY 4x150 SE")
    pp.create_load(net, house, p_mw=0.01)
    pp.to_json(net, str(path))
    return path


def test_cli_import_and_check_say_what_is_missing(tmp_path: Path) -> None:
    project = tmp_path / "town"
    runner.invoke(app, ["init", str(project)])
    result = runner.invoke(app, ["grid", "check", str(project), "--json"])
    assert result.exit_code == 1  # without a grid the check estimates one, from the buildings
    assert "no buildings" in json.loads(result.stdout)["error"]
    bad = tmp_path / "not-a-net.json"
    bad.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["import", "lv-grid", str(project), str(bad), "--json"])
    assert result.exit_code == 1 and "not-a-net.json" in json.loads(result.stdout)["error"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net_file = _tiny_net_json(tmp_path / "net.json")
    result = runner.invoke(app, ["import", "lv-grid", str(project), str(net_file), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["lv_buses"], counts["lv_lines"], counts["lv_trafos"]) == (2, 1, 1)
    result = runner.invoke(app, ["grid", "check", str(project), "--json"])
    assert result.exit_code == 1 and "buildings" in json.loads(result.stdout)["error"]


def test_plan_share_is_the_buildings_on_no_network() -> None:
    from heatplan.steps.grid import plan_hp_share

    rows = pd.DataFrame(
        {
            "variant": "base",
            "year": [2030, 2030, 2045, 2045],
            "indicator": ["heat_network_buildings", "gas_network_buildings"] * 2,
            "key": "share:buildings",
            "value": [0.1, 0.6, 0.3, 0.0],
        }
    )
    assert plan_hp_share(rows, 2030) == pytest.approx(1.0 - 0.1 - 0.6)
    assert plan_hp_share(rows, 2045) == pytest.approx(0.7)
    with pytest.raises(Exception, match="no year 2040"):
        plan_hp_share(rows, 2040)


@pytest.mark.slow
def test_demo_carries_its_grid_and_the_check_is_stored(demo_built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyogrio

    summary = demo_built[1]
    project = copy_demo(demo_built, tmp_path / "schutterwald")  # the check writes its result
    assert summary["steps"]["import"]["lv_grid"]["lv_trafos"] == 14
    carried = summary["steps"]["grid"]  # the demo checks its grid at the target year's share
    assert len(carried["trafo_areas"]) == 14 and carried["hp_share"] == pytest.approx(1.0)
    result = runner.invoke(app, ["grid", "check", str(project), "--year", "2045", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # every demo area is decentral in 2045: the plan share is every building (upper bound)
    assert doc["hp_share"] == pytest.approx(1.0)
    assert len(doc["trafo_areas"]) == 14 and doc["buildings_off_grid"] == 0
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="grid_trafo_areas")
    assert sorted(stored["trafo_id"]) == sorted(row["trafo_id"] for row in doc["trafo_areas"])
    assert (stored["year"] == 2045).all() and stored.geometry.area.min() > 0
    supply = pyogrio.read_dataframe(project / "plan.gpkg", layer="grid_supply_areas")
    areas = pyogrio.read_dataframe(project / "plan.gpkg", layer="areas")
    assert set(supply["area_id"]) == set(areas["area_id"])


def test_reinforcement_per_mwh_is_the_vdi_2067_annuity_per_heat() -> None:
    rate = parameter("economic_parameters.csv", "interest_rate")
    period = parameter("economic_parameters.csv", "observation_period_a")
    life = parameter(loads.PARAMETERS, "reinforcement_lifetime_a")
    q = 1.0 + rate
    # by hand: one investment outlives the period; its linear residual value comes back at T
    residual = 100_000.0 * (life - period) / life / q**period
    annual = (100_000.0 - residual) * (q - 1.0) / (1.0 - q**-period)
    got = check.reinforcement_eur_per_mwh(
        pd.Series([100_000.0, 0.0, 5.0]), pd.Series([1_000.0, 1_000.0, 0.0])
    )
    assert life > period
    assert got.iloc[0] == pytest.approx(annual / 1_000.0, rel=1e-9)
    assert got.iloc[1] == 0.0 and np.isnan(got.iloc[2])


def test_a_house_far_from_the_grid_is_left_out(town) -> None:  # type: ignore[no-untyped-def]
    grid, houses, _, _ = town
    far = houses.head(3).copy()
    far["geometry"] = far.geometry.translate(50_000.0, 0.0)  # 50 km east of the town
    both = pd.concat([houses.head(5), far], ignore_index=True)
    link = model.link_buildings(both, grid, max_distance_m=150.0)
    assert link["bus_id"].notna().tolist() == [True] * 5 + [False] * 3
    network = flow.build(grid)
    connection = hosting.connect(network, link["bus_id"].to_numpy(), np.full(len(both), ""))
    assert (connection.building_bus[5:] == -1).all()
    assert connection.bus_map.sum() == 5 and connection.line_behind[:, 5:].nnz == 0


def test_shifting_by_hand() -> None:
    # cap 4 kW, reserve 3 kWh: owed 2, 0, 0, 2, then 4 -> 1 lost, then 5 -> 2 lost, 3 owed at
    # the end (lost too): load 4, 4, 2, 4, 4, 4; cutting would lose 2 + 2 + 2 + 2 = 8 kWh
    demand = np.array([[6.0], [2.0], [2.0], [6.0], [6.0], [6.0]])
    result = loads.shifted_kw(demand, 4.0, np.array([3.0]))
    np.testing.assert_allclose(result.load_kw[:, 0], [4, 4, 2, 4, 4, 4])
    assert result.lost_kwh[0] == pytest.approx(1 + 2 + 3)
    assert result.shifted_kwh[0] == pytest.approx(8 - 6)


def test_shifting_keeps_the_town_s_heat_within_the_cap(loaded) -> None:  # type: ignore[no-untyped-def]
    _, _, demand, _ = loaded
    cap = loads.cap_kw(True)
    assert cap is not None
    shifted = demand.shifted(cap)
    heat_pump = demand.heat_pump_kw.astype(float)
    # energy balance per building: delivered + lost = demand
    np.testing.assert_allclose(
        shifted.load_kw.sum(axis=0, dtype=np.float64) + shifted.lost_kwh,
        heat_pump.sum(axis=0),
        rtol=1e-4,
    )
    assert shifted.load_kw.max() <= cap + 1e-4
    cut_kwh = np.maximum(heat_pump - cap, 0.0).sum(axis=0)
    np.testing.assert_allclose(
        shifted.shifted_kwh + shifted.lost_kwh, cut_kwh, rtol=1e-4, atol=1e-3
    )
    assert shifted.lost_kwh.sum() < cut_kwh.sum()  # shifting loses less than cutting
    total = demand.total_kw(hp_share=1.0, ev_share=0.0, hp_cap_kw=cap, shift=True)
    base = demand.total_kw(hp_share=0.0, ev_share=0.0)
    np.testing.assert_allclose(total - base, shifted.load_kw, atol=1e-3)


@pytest.mark.slow
def test_check_with_shifting_shows_the_cut_case_beside_it(town) -> None:  # type: ignore[no-untyped-def]
    grid, houses, temperature, holidays = town
    result = check.check(
        grid, houses, None, temperature, holidays, profile_year=YEAR, hp_share=1.0,
        controlled=True, shift=True,
    )  # fmt: skip
    summary = result.summary()
    assert summary["control_14a"] == "shift"
    assert 0.0 <= summary["shift_lost_share"] < summary["capped_share"]
    trafos = result.trafo_areas
    for name in ("vm_min_pu_plan", "trafo_max_percent_plan", "line_max_percent_plan"):
        assert trafos[f"{name}_cut"].notna().all()
    # every heat pump at most at the cap: the cut case stays under the uncontrolled peak
    free = check.check(
        grid, houses, None, temperature, holidays, profile_year=YEAR, hp_share=1.0
    ).trafo_areas
    assert (trafos["trafo_max_percent_plan_cut"] <= free["trafo_max_percent_plan"] + 1e-6).all()


def test_a_low_voltage_gets_parallel_cable_to_the_worst_house() -> None:
    import pandapower as pp

    # trafo, then three 150 m cables NAYY 4x50 SE in series to one house drawing 60 kW: by hand
    # I = 60 kW / (sqrt(3) 400 V 0.95) = 91 A (under the cable's 142 A), drop sqrt(3) I
    # (R cos + X sin) = 45 V = 11 % over 0.45 km: below the band; halved by one parallel cable
    net = pp.create_empty_network()
    mv = pp.create_bus(net, 20.0, geodata=(7.87, 48.45))
    buses = [pp.create_bus(net, 0.4, geodata=(7.871 + 0.002 * k, 48.45)) for k in range(4)]
    pp.create_ext_grid(net, mv)
    pp.create_transformer(net, mv, buses[0], "0.4 MVA 20/0.4 kV")
    for a, b in itertools.pairwise(buses):
        pp.create_line(net, a, b, 0.15, "NAYY 4x50 SE")
    pp.create_load(net, buses[-1], p_mw=0.0)
    grid = model.from_pandapower(net, crs="EPSG:25832")
    network = flow.build(grid)
    connection = hosting.connect(network, np.array([buses[-1]]), np.array([""]))
    limits = hosting.Limits.from_table()
    hours = np.array([0])
    before = hosting.run(network, connection, np.array([[60.0]]), source_pu=np.ones(4), hours=hours)
    assert before.vm_min_pu.min() < limits.voltage_min_pu
    assert before.line_max_percent.max() < 100.0
    extra, vm = reinforce.voltage_cables(grid, connection, np.array([[60.0]]), hours, limits)
    np.testing.assert_array_equal(extra, [1, 1, 1])
    assert vm[np.isfinite(vm)].min() >= limits.voltage_min_pu
    drop_before = 1.0 - before.vm_min_pu.min()
    assert 1.0 - vm[np.isfinite(vm)].min() == pytest.approx(drop_before / 2, rel=0.2)

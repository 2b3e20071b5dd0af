"""Sizing, key figures and pandapipes check of a small hand-made network (RouteResult)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from heatplan.network import hydraulics
from heatplan.network.costs import (
    network_om_share_per_a,
    pipe_price_year,
    price_factor,
    trench_cost_eur_per_m,
)
from heatplan.network.design import default_parameters, pipe_catalogue
from heatplan.network.hydraulics import verify_hydraulics
from heatplan.network.sizing import network_summary, size_network
from heatplan.tech import pipes as physics

CRS = "EPSG:25832"
RTOL = 1e-9
#: Persson & Werner (2011) outer-city constants, EUR of 2007 (network_costs.csv 'paved').
PAVED_C1_EUR_PER_M, PAVED_C2_EUR_PER_M2 = 214.0, 1725.0
#: Destatis construction price indices (network_costs.csv price_factor_to_2025): new residential
#: buildings 2015=100, 85.9 (2007) -> 127.0 (2021); Ortskanäle 2021=100, 135.6 (mean of 2025).
PRICE_FACTOR_2007_TO_2025 = (127.0 / 85.9) * (135.6 / 100.0)
#: The CSV stores the chained factor to four significant digits (2.0048).
RTOL_PRICE_FACTOR = 1e-4
#: House substation installed, EUR of 2023 (Moritz et al. 2024, the decentral options' source):
#: up to 15 kW 4,000 EUR equipment + 50 % installer's margin + installation 0.9 x 1890.54 x kW^0.62.
CONTRIBUTION_MARGIN = 0.5


def _substation_eur(peak_kw: float) -> float:
    equipment = 4000.0 if peak_kw < 15 else 3087.0 * peak_kw**0.3219
    return equipment * (1 + CONTRIBUTION_MARGIN) + 0.9 * 1890.54 * peak_kw**0.62


def branch_network() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.Series, pd.Series]:
    """Source S - J1 - J2 - J3 with 8 buildings on three junctions, oriented outward."""
    xy = {"S": (0.0, 0.0), "J1": (120.0, 0.0), "J2": (240.0, 0.0), "J3": (240.0, 150.0)}
    mains = [("M1", "S", "J1"), ("M2", "J1", "J2"), ("M3", "J2", "J3")]
    rows = [(pid, a, b, "main") for pid, a, b in mains]
    hosts = ["J1", "J1", "J1", "J2", "J2", "J3", "J3", "J3"]
    for i, host in enumerate(hosts, start=1):
        xy[f"B{i}"] = (xy[host][0] + 15.0, xy[host][1] + 8.0 * i)
        rows.append((f"C{i}", host, f"B{i}", "connection"))
    pipes = gpd.GeoDataFrame(
        {
            "pipe_id": [r[0] for r in rows],
            "from_node": [r[1] for r in rows],
            "to_node": [r[2] for r in rows],
            "kind": [r[3] for r in rows],
            "existing": False,
        },
        geometry=[LineString([xy[r[1]], xy[r[2]]]) for r in rows],
        crs=CRS,
    )
    pipes["length_m"] = pipes.geometry.length
    kinds = {"S": "source", "J1": "junction", "J2": "junction", "J3": "junction"}
    nodes = gpd.GeoDataFrame(
        {
            "node_id": list(xy),
            "kind": [kinds.get(n, "building") for n in xy],
            "building_id": [f"house-{n[1:]}" if n.startswith("B") else None for n in xy],
        },
        geometry=[Point(p) for p in xy.values()],
        crs=CRS,
    )
    peak = pd.Series({f"house-{i}": 15.0 + 7.0 * i for i in range(1, 9)})
    demand = peak * 1800.0
    return pipes, nodes, peak, demand


@pytest.fixture(scope="module")
def network():
    return branch_network()


@pytest.fixture(scope="module")
def sized(network):
    pipes, nodes, peak, demand = network
    return size_network(pipes, nodes, peak, demand, surface="paved")


def _graph(pipes: pd.DataFrame) -> nx.DiGraph:
    return nx.from_pandas_edgelist(pipes, "from_node", "to_node", create_using=nx.DiGraph)


def test_downstream_sums_match_networkx_descendants(network, sized) -> None:
    pipes, nodes, peak, demand = network
    graph = _graph(pipes)
    building_of = dict(zip(nodes["node_id"], nodes["building_id"], strict=True))
    for row in sized.itertuples():
        below = nx.descendants(graph, row.to_node) | {row.to_node}
        ids = [building_of[n] for n in below if building_of[n] is not None]
        assert row.downstream_buildings == len(ids)
        assert row.downstream_peak_kw == pytest.approx(peak[ids].sum(), rel=RTOL)
        assert row.downstream_heat_kwh_per_a == pytest.approx(demand[ids].sum(), rel=RTOL)


def test_design_load_applies_the_simultaneity_factor(sized) -> None:
    design = default_parameters()
    expected = design.simultaneity_factor(sized["downstream_buildings"].to_numpy())
    np.testing.assert_allclose(sized["simultaneity"], expected, rtol=RTOL)
    np.testing.assert_allclose(
        sized["design_load_kw"], sized["downstream_peak_kw"] * expected, rtol=RTOL
    )
    assert (sized.loc[sized["kind"] == "connection", "simultaneity"] == 1.0).all()


def test_each_pipe_is_the_smallest_dn_within_the_limits(sized) -> None:
    design = default_parameters()
    rho = physics.water_density_kg_per_m3(design.return_temp_c)
    mu = physics.water_viscosity_pa_s(design.return_temp_c)
    catalogue = pipe_catalogue("std").set_index("dn")
    dns = catalogue.index.to_list()

    def within(row, dn) -> bool:
        d = catalogue.loc[dn, "inner_diameter_mm"]
        v_max = catalogue.loc[dn, "max_velocity_m_per_s"]
        if row.kind == "connection":
            v_max = min(v_max, design.connection_max_velocity_m_per_s)
        v = physics.velocity_m_per_s(row.mass_flow_kg_per_s, d, rho)
        g = physics.pressure_gradient_pa_per_m(
            row.mass_flow_kg_per_s, d, 0.1, density_kg_per_m3=rho, viscosity_pa_s=mu
        )
        return v <= v_max * (1 + 1e-9) and g <= design.max_pressure_gradient_pa_per_m * (1 + 1e-9)

    for row in sized.itertuples():
        assert within(row, row.dn), row.pipe_id
        position = dns.index(row.dn)
        if position > 0:
            assert not within(row, dns[position - 1]), row.pipe_id
        assert row.velocity_m_per_s <= row.max_velocity_m_per_s * (1 + 1e-9)


def test_heat_loss_and_investment_per_pipe(sized) -> None:
    design = default_parameters()
    excess = design.supply_temp_c + design.return_temp_c - 2 * design.ground_temp_c
    np.testing.assert_allclose(sized["heat_loss_w_per_m"], sized["u_w_per_mk"] * excess, rtol=RTOL)
    np.testing.assert_allclose(
        sized["heat_loss_mwh_per_a"],
        sized["u_w_per_mk"] * excess * sized["length_m"] * 8760 / 1e6,
        rtol=RTOL,
    )
    per_m = PAVED_C1_EUR_PER_M + PAVED_C2_EUR_PER_M2 * sized["diameter_mm"] / 1000
    np.testing.assert_allclose(
        sized["investment_eur"],
        per_m * sized["length_m"] * PRICE_FACTOR_2007_TO_2025,
        rtol=RTOL_PRICE_FACTOR,
    )
    assert pipe_price_year() == 2025


def test_path_pressure_drop_sums_along_the_route(network, sized) -> None:
    pipes = network[0]
    graph = _graph(pipes)
    drop = dict(
        zip(sized["to_node"], sized["pressure_gradient_pa_per_m"] * sized["length_m"], strict=True)
    )
    for row in sized.itertuples():
        path = nx.shortest_path(graph, "S", row.to_node)[1:]
        expected = sum(drop[n] for n in path) / 1e5
        assert row.path_pressure_drop_bar == pytest.approx(expected, rel=RTOL)


def test_summary_figures(network, sized) -> None:
    _, _, peak, demand = network
    summary = network_summary(sized)
    design = default_parameters()
    assert summary["trench_length_m"] == pytest.approx(sized["length_m"].sum(), rel=RTOL)
    assert summary["buildings"] == 8
    assert summary["heat_delivered_mwh_per_a"] == pytest.approx(demand.sum() / 1000, rel=RTOL)
    loss = sized["heat_loss_mwh_per_a"].sum()
    assert summary["heat_loss_mwh_per_a"] == pytest.approx(loss, rel=RTOL)
    assert summary["loss_share"] == pytest.approx(loss / (demand.sum() / 1000 + loss), rel=RTOL)
    assert summary["line_density_kwh_per_m_a"] == pytest.approx(
        demand.sum() / sized["length_m"].sum(), rel=RTOL
    )
    substations = sum(_substation_eur(float(kw)) for kw in peak)
    assert summary["investment_substations_eur"] == pytest.approx(substations, rel=RTOL)
    assert summary["investment_eur"] == pytest.approx(
        sized["investment_eur"].sum() + substations, rel=RTOL
    )
    head = 2 * sized.loc[sized["kind"] == "connection", "path_pressure_drop_bar"].max() + 1.0
    assert summary["pump_head_bar"] == pytest.approx(head, rel=RTOL)
    flow = physics.mass_flow_kg_per_s(summary["design_load_kw"], 80.0, 50.0)
    power = flow / physics.water_density_kg_per_m3(50.0) * head * 1e5 / design.pump_efficiency
    assert summary["pump_power_kw"] == pytest.approx(power / 1000, rel=RTOL)
    hours = demand.sum() / summary["design_load_kw"]
    assert summary["pump_energy_mwh_per_a"] == pytest.approx(power / 1000 * hours / 1000, rel=RTOL)
    with_plant = network_summary(sized, heat_pump_kw=500.0, storage_kwh=2000.0)
    assert with_plant["investment_heat_pump_eur"] > 0
    assert with_plant["investment_storage_eur"] > 0


def test_long_chain_of_ten_thousand_pipes() -> None:
    """5,000 junctions in a row, one house each: no recursion limit, sums exact."""
    n = 5000
    junctions = [f"J{i}" for i in range(n)]
    main_from = ["S", *junctions[:-1]]
    ids = [f"house-{i}" for i in range(n)]
    pipes = pd.DataFrame(
        {
            "pipe_id": [f"M{i}" for i in range(n)] + [f"C{i}" for i in range(n)],
            "from_node": main_from + junctions,
            "to_node": junctions + [f"B{i}" for i in range(n)],
            "length_m": 10.0,
            "kind": ["main"] * n + ["connection"] * n,
        }
    )
    nodes = pd.DataFrame(
        {
            "node_id": ["S", *junctions, *[f"B{i}" for i in range(n)]],
            "kind": ["source"] + ["junction"] * n + ["building"] * n,
            "building_id": [None] * (n + 1) + ids,
        }
    )
    sized = size_network(pipes, nodes, pd.Series(10.0, index=ids), None)
    first = sized.iloc[0]
    assert first["downstream_buildings"] == n
    assert first["downstream_peak_kw"] == pytest.approx(10.0 * n)
    assert sized.loc[n - 1, "downstream_buildings"] == 1
    assert (sized["dn"].iloc[:n].diff().dropna() <= 0).all()  # never grows downstream


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p, n: (p.assign(to_node=p["to_node"].where(p["pipe_id"] != "C2", "B1")), n),
            "feed the same node",
        ),
        (
            lambda p, n: (
                p.assign(
                    from_node=p["from_node"].where(p["pipe_id"] != "M1", "J1"),
                    to_node=p["to_node"].where(p["pipe_id"] != "M1", "S"),
                ),
                n,
            ),
            "feeds the source",
        ),
        (
            lambda p, n: (p, n.assign(kind=n["kind"].replace("source", "junction"))),
            "exactly one node of kind 'source'",
        ),
        (lambda p, n: (p[p["pipe_id"] != "M2"], n), "cannot be reached"),
    ],
)
def test_bad_topology_raises(network, change, message) -> None:
    pipes, nodes, peak, demand = network
    bad_pipes, bad_nodes = change(pipes.copy(), nodes.copy())
    with pytest.raises(ValueError, match=message):
        size_network(bad_pipes, bad_nodes, peak, demand)


def test_bad_inputs_raise(network) -> None:
    pipes, nodes, peak, demand = network
    with pytest.raises(ValueError, match="house-3"):
        size_network(pipes, nodes, peak.drop("house-3"), demand)
    with pytest.raises(ValueError, match="insulation_series"):
        size_network(pipes, nodes, peak, demand, insulation_series="3x")
    with pytest.raises(ValueError, match="surface"):
        size_network(pipes, nodes, peak, demand, surface="lawn")
    with pytest.raises(ValueError, match="supply_temp_c"):
        size_network(pipes, nodes, peak, demand, supply_temp_c=40.0)
    with pytest.raises(ValueError, match="catalogue carries"):
        size_network(pipes, nodes, peak * 1e6, demand)


def test_trench_cost_by_surface() -> None:
    costs = trench_cost_eur_per_m(np.array([100.0, 100.0, 100.0]), ["road", "paved", "unpaved"])
    assert costs[0] > costs[1] > costs[2]


def test_price_factor_and_om_share() -> None:
    assert price_factor() == pytest.approx(PRICE_FACTOR_2007_TO_2025, rel=RTOL_PRICE_FACTOR)
    # VDI 2067 style f_Inst + f_W+Insp of steel pipes, 1 %/a + 0 %/a (network_costs.csv)
    assert network_om_share_per_a() == pytest.approx(0.01)


def test_design_point_converges_and_is_ok(network, sized) -> None:
    _, nodes, peak, _ = network
    result = verify_hydraulics(sized, nodes, peak, supply_temp_c=80.0, return_temp_c=50.0)
    assert result.converged
    assert result.hydraulic_ok, result.violations
    assert result.violations == []
    assert result.min_differential_pressure_bar >= 1.0 * (1 - hydraulics.CHECK_RTOL)
    assert result.pump_head_bar == pytest.approx(network_summary(sized)["pump_head_bar"])
    assert 65.0 < result.min_supply_temp_at_consumer_c < 80.0
    assert result.max_velocity_m_per_s <= sized["max_velocity_m_per_s"].max()
    # mass balance: the pump delivers what the consumers draw
    assert result.source_mass_flow_kg_per_s == pytest.approx(
        result.consumers["mass_flow_kg_per_s"].sum(), rel=1e-4
    )
    assert set(result.to_dict()) >= {"hydraulic_ok", "violations", "pump_head_bar"}


def test_undersized_pipe_is_named(network, sized) -> None:
    _, nodes, peak, _ = network
    tiny = pipe_catalogue("std").iloc[0]
    bad = sized.copy()
    chosen = bad["pipe_id"] == "M2"
    bad.loc[chosen, ["dn", "diameter_mm", "service_outer_diameter_mm", "u_w_per_mk"]] = [
        int(tiny["dn"]),
        tiny["inner_diameter_mm"],
        tiny["service_outer_diameter_mm"],
        tiny["u_w_per_mk"],
    ]
    result = verify_hydraulics(bad, nodes, peak, supply_temp_c=80.0, return_temp_c=50.0)
    assert not result.hydraulic_ok
    assert any(v.startswith("pipe M2 (DN20): velocity") for v in result.violations)
    assert any(
        v.startswith("building house-") and "differential pressure" in v for v in result.violations
    )


def test_non_convergence_becomes_a_violation(network, sized, monkeypatch) -> None:
    _, nodes, peak, _ = network

    def fail(*args, **kwargs):
        raise hydraulics.PipeflowNotConverged("the Newton-Raphson iteration diverged")

    monkeypatch.setattr(hydraulics.pp, "pipeflow", fail)
    result = verify_hydraulics(sized, nodes, peak, supply_temp_c=80.0, return_temp_c=50.0)
    assert not result.hydraulic_ok
    assert not result.converged
    assert "did not converge" in result.violations[0]


def test_low_supply_temperature_is_reported(network, sized) -> None:
    _, nodes, peak, _ = network
    result = verify_hydraulics(
        sized, nodes, peak, supply_temp_c=80.0, return_temp_c=50.0, min_supply_temp_c=79.9
    )
    assert any("supply temperature" in v for v in result.violations)


def test_resizing_a_sized_network_gives_the_same_design(network, sized) -> None:
    _, nodes, peak, demand = network
    again = size_network(sized, nodes, peak, demand, surface="paved")
    pd.testing.assert_frame_equal(
        pd.DataFrame(again.drop(columns="geometry")),
        pd.DataFrame(sized.drop(columns="geometry")),
        check_like=True,
    )

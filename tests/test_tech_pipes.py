"""Pipe physics (heatplan.tech.pipes) against textbook values, pandapipes and published data."""

from __future__ import annotations

import numpy as np
import pandapipes as pp
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatplan.network.design import default_parameters, pipe_catalogue
from heatplan.tech import pipes

#: Reading accuracy of the Moody chart / rounding of tabulated Colebrook values.
RTOL_MOODY = 5e-3
#: Swamee & Jain (1976) state their explicit formula within a few per cent of Colebrook-White
#: for 5e3 < Re < 1e8 and 1e-6 < k/d < 1e-2 (worst corner found here: 2.9 %).
RTOL_SWAMEE_JAIN = 0.03
#: pandapipes solves the same Colebrook-White equation; water properties differ by < 0.01 %.
RTOL_PANDAPIPES = 1e-3
#: pandapipes' heat equation uses the section outlet temperature; 100 sections.
ATOL_TEMPERATURE_K = 0.05
#: isoplus does not state the roughness and water temperature behind its table.
RTOL_ISOPLUS = 0.10
RTOL_FORMULA = 1e-9
#: cp of water varies by about 0.1 % between 80 °C and the outlet temperature.
RTOL_HEAT_BALANCE = 2e-3


@pytest.mark.parametrize(
    ("reynolds", "relative_roughness", "expected"),
    [
        # Colebrook-White values as read from the Moody chart (e.g. White, Fluid Mechanics,
        # 7th ed., Fig. 6.13; VDI-Wärmeatlas Lab 1): smooth and rough pipes.
        (1e5, 0.0, 0.0180),
        (1e6, 0.0, 0.0116),
        (1e5, 1e-4, 0.0185),
        (1e6, 1e-3, 0.0199),
        (1e7, 1e-2, 0.0379),
    ],
)
def test_colebrook_matches_moody_chart(reynolds, relative_roughness, expected) -> None:
    f = pipes.friction_factor_colebrook(reynolds, relative_roughness)
    assert f == pytest.approx(expected, rel=RTOL_MOODY)


def test_colebrook_solves_its_implicit_equation() -> None:
    re = np.logspace(3.5, 8, 40)
    rough = np.logspace(-6, -2, 40)
    f = pipes.friction_factor_colebrook(re, rough)
    residual = 1 / np.sqrt(f) + 2 * np.log10(2.51 / (re * np.sqrt(f)) + rough / 3.71)
    assert np.max(np.abs(residual)) < 1e-9


def test_colebrook_and_swamee_jain_agree() -> None:
    re, rough = np.meshgrid(np.logspace(np.log10(5e3), 8, 60), np.logspace(-6, -2, 40))
    colebrook = pipes.friction_factor_colebrook(re, rough)
    explicit = pipes.friction_factor_swamee_jain(re, rough)
    np.testing.assert_allclose(explicit, colebrook, rtol=RTOL_SWAMEE_JAIN)


def test_laminar_flow_uses_hagen_poiseuille() -> None:
    assert pipes.friction_factor_colebrook(1000.0, 1e-3) == pytest.approx(0.064)
    assert pipes.friction_factor_swamee_jain(1000.0, 1e-3) == pytest.approx(0.064)


def _one_pipe_net(temp_c: float, mass_flow: float, **pipe) -> pp.pandapipesNet:
    net = pp.create_empty_network(fluid="water")
    start = pp.create_junction(net, 5.0, temp_c + 273.15)
    end = pp.create_junction(net, 5.0, temp_c + 273.15)
    pp.create_ext_grid(net, start, p_bar=5.0, t_k=temp_c + 273.15)
    pp.create_pipe_from_parameters(net, start, end, **pipe)
    pp.create_sink(net, end, mdot_kg_per_s=mass_flow)
    return net


def test_dn100_at_one_metre_per_second_against_textbook_and_pandapipes() -> None:
    """DN100 (107.1 mm, k 0.1 mm), water at 80 °C, 1 m/s: Darcy-Weisbach three ways."""
    rho = pipes.water_density_kg_per_m3(80.0)
    mu = pipes.water_viscosity_pa_s(80.0)
    flow = rho * np.pi * 0.1071**2 / 4
    ours = pipes.pressure_gradient_pa_per_m(
        flow, 107.1, 0.1, density_kg_per_m3=rho, viscosity_pa_s=mu
    )
    # textbook: dp/L = f rho v^2 / (2 d) with the explicit Swamee-Jain friction factor
    re = rho * 1.0 * 0.1071 / mu
    f_explicit = 0.25 / np.log10(0.1 / 107.1 / 3.7 + 5.74 / re**0.9) ** 2
    assert ours == pytest.approx(f_explicit * rho / (2 * 0.1071), rel=RTOL_SWAMEE_JAIN)
    net = _one_pipe_net(80.0, flow, length_km=1.0, inner_diameter_mm=107.1, k_mm=0.1)
    pp.pipeflow(net, mode="hydraulics", friction_model="colebrook")
    drop = (net.res_junction.p_bar[0] - net.res_junction.p_bar[1]) * 1e5 / 1000.0
    assert ours == pytest.approx(drop, rel=RTOL_PANDAPIPES)
    assert ours == pytest.approx(92.24, abs=0.01)


def test_pressure_gradient_is_zero_without_flow() -> None:
    assert (
        pipes.pressure_gradient_pa_per_m(
            0.0, 50.0, 0.1, density_kg_per_m3=980.0, viscosity_pa_s=4e-4
        )
        == 0.0
    )


def test_isoplus_design_table_lies_in_its_pressure_band() -> None:
    """isoplus 'Starre Verbundsysteme' p. 9: mass flows for 60-80 Pa/m (RWTH-EBC uesgraphs
    uesgraphs/data/pipe_catalogs/isoplus.csv); new steel pipe k = 0.01 mm, water at 80 °C."""
    table = {
        53.9: (1.306, 1.528),
        82.5: (4.028, 4.583),
        107.1: (7.917, 9.167),
        160.3: (22.778, 26.389),
        312.7: (131.111, 151.944),
        695.0: (1047.222, 1213.889),
    }
    rho, mu = pipes.water_density_kg_per_m3(80.0), pipes.water_viscosity_pa_s(80.0)
    for diameter, flows in table.items():
        low, high = pipes.pressure_gradient_pa_per_m(
            np.array(flows), diameter, 0.01, density_kg_per_m3=rho, viscosity_pa_s=mu
        )
        assert low == pytest.approx(60.0, rel=RTOL_ISOPLUS)
        assert high == pytest.approx(80.0, rel=RTOL_ISOPLUS)


def test_heat_loss_is_u_times_temperature_difference() -> None:
    loss = pipes.heat_loss_w_per_m(0.2543, 80.0, 50.0, 10.0)
    assert loss == pytest.approx(0.2543 * 70.0 + 0.2543 * 40.0, rel=RTOL_FORMULA)


def test_heat_loss_matches_pandapipes_temperature_drop_on_a_long_pipe() -> None:
    """DN50 std (U' 0.2013 W/(m K), service pipe 60.3 mm), 2 km, 0.3 kg/s, 80 °C in, 10 °C soil.

    Analytic outlet temperature of a pipe with constant U': T = Tg + (Tin - Tg) exp(-U'L/(m cp)).
    """
    u, outer, length, flow, t_in, t_ground = 0.2013, 60.3, 2000.0, 0.3, 80.0, 10.0
    net = _one_pipe_net(
        t_in,
        flow,
        length_km=length / 1000,
        inner_diameter_mm=53.9,
        outer_diameter_mm=outer,
        k_mm=0.1,
        sections=100,
        text_k=t_ground + 273.15,
        u_w_per_m2k=u / (np.pi * outer / 1000),
    )
    pp.pipeflow(net, mode="sequential", friction_model="colebrook")
    t_out = net.res_junction.t_k[1] - 273.15
    cp = pipes.water_heat_capacity_j_per_kgk((t_in + t_out) / 2)
    analytic = t_ground + (t_in - t_ground) * np.exp(-u * length / (flow * cp))
    assert t_out == pytest.approx(analytic, abs=ATOL_TEMPERATURE_K)
    lost_w = flow * cp * (t_in - t_out)
    # q' of one pipe at the log-mean excess temperature (exact for constant U' and cp);
    # heat_loss_w_per_m counts a supply and a return pipe, here both at that temperature
    excess = ((t_in - t_ground) - (t_out - t_ground)) / np.log(
        (t_in - t_ground) / (t_out - t_ground)
    )
    per_pipe = pipes.heat_loss_w_per_m(u, t_ground + excess, t_ground + excess, t_ground) / 2
    assert per_pipe * length == pytest.approx(lost_w, rel=RTOL_HEAT_BALANCE)


def test_simultaneity_factor_follows_winter_2001() -> None:
    """f(n) = a + b / (1 + (n/c)^d), coefficients of Winter et al. (2001) as implemented in
    jnettels/lpagg simultaneity.py and jylambert/topotherm simultaneity.py."""
    a, b, c, d = 0.449677646267461, 0.551234688, 53.84382392, 1.762743268
    coefficients = dict(zip("abcd", default_parameters().simultaneity, strict=True))
    for n in (10, 100):
        assert pipes.simultaneity_factor(n, **coefficients) == pytest.approx(
            a + b / (1 + (n / c) ** d), rel=RTOL_FORMULA
        )
    assert pipes.simultaneity_factor(1, **coefficients) == 1.0  # a + b > 1: capped
    assert pipes.simultaneity_factor(10, **coefficients) == pytest.approx(0.974, abs=5e-4)
    assert pipes.simultaneity_factor(100, **coefficients) == pytest.approx(0.588, abs=5e-4)
    assert pipes.simultaneity_factor(1e6, **coefficients) == pytest.approx(a, abs=1e-4)


def _capacities() -> np.ndarray:
    design = default_parameters()
    catalogue = pipe_catalogue("std")
    return np.asarray(
        pipes.max_mass_flow_kg_per_s(
            catalogue["inner_diameter_mm"].to_numpy(),
            catalogue["roughness_mm"].to_numpy(),
            max_velocity_m_per_s=catalogue["max_velocity_m_per_s"].to_numpy(),
            max_pressure_gradient_pa_per_m=design.max_pressure_gradient_pa_per_m,
            density_kg_per_m3=pipes.water_density_kg_per_m3(50.0),
            viscosity_pa_s=pipes.water_viscosity_pa_s(50.0),
        )
    )


def test_capacity_respects_both_limits() -> None:
    catalogue = pipe_catalogue("std")
    capacity = _capacities()
    rho, mu = pipes.water_density_kg_per_m3(50.0), pipes.water_viscosity_pa_s(50.0)
    diameter = catalogue["inner_diameter_mm"].to_numpy()
    gradient = pipes.pressure_gradient_pa_per_m(
        capacity, diameter, 0.1, density_kg_per_m3=rho, viscosity_pa_s=mu
    )
    speed = pipes.velocity_m_per_s(capacity, diameter, rho)
    assert np.all(gradient <= 100.0 * (1 + 1e-9))
    assert np.all(speed <= catalogue["max_velocity_m_per_s"].to_numpy() * (1 + 1e-9))
    binding = np.isclose(gradient, 100.0, rtol=1e-6) | np.isclose(
        speed, catalogue["max_velocity_m_per_s"].to_numpy(), rtol=1e-9
    )
    assert binding.all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1800.0), min_size=2, max_size=30))
def test_dn_selection_is_monotone_in_the_load(flows) -> None:
    capacity = _capacities()
    chosen = pipes.select_pipe_index(np.sort(flows), capacity)
    assert np.all(chosen >= 0)
    assert np.all(np.diff(chosen) >= 0)
    assert np.all(capacity[chosen] >= np.sort(flows))
    smaller = chosen - 1
    assert np.all(capacity[smaller[smaller >= 0]] < np.sort(flows)[smaller >= 0])


def test_dn_selection_reports_flows_beyond_the_catalogue() -> None:
    assert pipes.select_pipe_index(1e6, _capacities()).tolist() == [-1]
    with pytest.raises(ValueError, match="must not decrease"):
        pipes.select_pipe_index(1.0, np.array([2.0, 1.0]))


def test_pump_power_is_volume_flow_times_head_over_efficiency() -> None:
    power = pipes.pump_power_kw(20.0, 2.5, density_kg_per_m3=980.0, efficiency=0.8)
    assert power == pytest.approx(20.0 / 980.0 * 2.5e5 / 0.8 / 1000.0, rel=RTOL_FORMULA)


def test_scalar_array_and_series_inputs() -> None:
    loads = [100.0, 250.0]
    scalar = pipes.mass_flow_kg_per_s(100.0, 80.0, 50.0)
    array = pipes.mass_flow_kg_per_s(np.array(loads), 80.0, 50.0)
    series = pipes.mass_flow_kg_per_s(pd.Series(loads, index=["x", "y"]), 80.0, 50.0)
    assert isinstance(scalar, float)
    assert isinstance(array, np.ndarray)
    assert isinstance(series, pd.Series)
    assert list(series.index) == ["x", "y"]
    assert series["x"] == pytest.approx(scalar)
    np.testing.assert_allclose(array, series.to_numpy())
    loss = pipes.heat_loss_w_per_m(pd.Series([0.2, 0.3]), 80.0, 50.0, 10.0)
    assert isinstance(loss, pd.Series)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: pipes.mass_flow_kg_per_s(-1.0, 80.0, 50.0), "heat_load_kw"),
        (lambda: pipes.mass_flow_kg_per_s(1.0, 50.0, 80.0), "supply - return"),
        (lambda: pipes.velocity_m_per_s(1.0, 0.0, 980.0), "diameter_mm"),
        (lambda: pipes.water_density_kg_per_m3(250.0), "temp_c"),
        (
            lambda: pipes.pump_power_kw(1.0, 1.0, density_kg_per_m3=980.0, efficiency=1.5),
            "efficiency",
        ),
    ],
)
def test_bad_input_names_the_field(call, field) -> None:
    with pytest.raises(ValueError, match=field):
        call()


#: Largest relative difference of the interpolated water properties from CoolProp [-]: linear
#: interpolation in 0.5 K steps (viscosity bends most near 0 °C).
WATER_TOLERANCE = {"D": 2e-6, "C": 2e-6, "V": 1e-4}


def test_water_properties_are_coolprops_within_the_tables_tolerance() -> None:
    """The tabulated water (scripts/water_table.py) against CoolProp (IAPWS-95, IAPWS 2008) at
    2,000 seeded temperatures between the table's steps, its ends and a step itself."""
    from CoolProp.CoolProp import PropsSI

    temps = np.concatenate(
        [np.random.default_rng(3).uniform(0.01, 199.99, 2000), [0.01, 0.3, 80.0, 199.99]]
    )
    for prop, function in (
        ("D", pipes.water_density_kg_per_m3),
        ("C", pipes.water_heat_capacity_j_per_kgk),
        ("V", pipes.water_viscosity_pa_s),
    ):
        reference = np.array([PropsSI(prop, "T", t + 273.15, "Q", 0, "Water") for t in temps])
        assert np.abs(function(temps) / reference - 1.0).max() < WATER_TOLERANCE[prop], prop
    assert pipes.water_density_kg_per_m3(80.0) == pytest.approx(
        PropsSI("D", "T", 353.15, "Q", 0, "Water"), rel=1e-12
    )  # on a step of the table: CoolProp's value

"""Heat-pump models against real vapour-compression cycles (TESPy + CoolProp) and published values.

The Lorenz model (COP = eta x ideal Lorenz COP of the stream log-mean temperatures) is checked
against single-stage cycles built with TESPy 0.11.3 and CoolProp 8.0.0 for four refrigerants and
three source/sink pairs; Staffell et al. (2012) and Jesper et al. (2021) against values computed
by hand from their published coefficients.
"""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from tespy.components import (
    Compressor,
    CycleCloser,
    HeatExchanger,
    MovingBoundaryHeatExchanger,
    Sink,
    Source,
    Valve,
)
from tespy.connections import Connection
from tespy.networks import Network

from heatplan.potentials.water_heat import parameter
from heatplan.reference import table
from heatplan.reference.heatpump import (
    heat_pump_parameters,
    heating_curve,
    jesper_parameter_sets,
    jesper_parameters,
    operating_plants,
    staffell_coefficients,
)
from heatplan.tech.heatpump import (
    cop_jesper,
    cop_lorenz,
    cop_part_load,
    fit_lorenz_efficiency,
    heat_pump_study,
    jesper_parameter_set,
    usable_source_cooling_k,
)
from heatplan.tech.heatpump_base import ZERO_C_IN_K, log_mean_k
from heatplan.tech.heatpump_building import (
    cop_building,
    cop_staffell,
    flow_temperature_c,
    seasonal_performance_factor,
)

#: The reference values the models get from heatplan's data (heat_pump_*.csv).
DEFAULTS = heat_pump_parameters()
SHP, VHTHP = jesper_parameters("shp"), jesper_parameters("vhthp")
AIR, GROUND = staffell_coefficients("air"), staffell_coefficients("ground")
#: heat_pump_study's data inputs.
STUDY = {"parameters": DEFAULTS, "jesper_sets": jesper_parameter_sets()}
#: Room and heating limit of the heating curves (VDI 3807-1 G20/15).
CURVE_LIMITS = {
    "temp_room_c": DEFAULTS.temp_room_c,
    "temp_heating_limit_c": DEFAULTS.temp_heating_limit_c,
}

# --- TESPy reference cycles ----------------------------------------------------------------
#: Isentropic compressor efficiency of the reference cycles [-].
ETA_S = 0.8
#: Minimum temperature difference inside evaporator, condenser and subcooler [K].
PINCH_K = 5.0
#: Suction superheat at the evaporator outlet [K].
SUPERHEAT_K = 5.0
#: Band of Lorenz efficiencies the literature reports for real plants (Reinholdt et al.
#: 2018; Jesper et al. 2021: ~0.5-0.6 fits plants in operation; widened by 0.05 on each side
#: for cycle design choices).
LORENZ_EFFICIENCY_BAND = (0.45, 0.65)
#: One Lorenz efficiency per refrigerant reproduces every TESPy COP within this relative error.
COP_RTOL = 0.05
#: The default efficiency (0.55) reproduces every TESPy COP within this relative error.
DEFAULT_RTOL = 0.15

REFRIGERANTS = ["R717", "R1234ze(E)", "R290", "R134a"]
#: (source in, source out, sink in, sink out) [°C]; every refrigerant converged on every pair.
PAIRS = [(12.0, 6.0, 50.0, 80.0), (10.0, 5.0, 40.0, 70.0), (30.0, 25.0, 60.0, 90.0)]
#: Sink outlets for the lift sweep (source 12 -> 6 °C, sink spread 30 K) [°C].
SINK_OUTLETS = [60.0, 70.0, 80.0, 90.0]


@cache
def tespy_cop(fluid: str, pair: tuple[float, float, float, float]) -> float:
    """COP of a single-stage cycle: evaporator, compressor, condenser, subcooler, throttle.

    Water streams on both sides; the condenser and evaporator are moving-boundary heat exchangers
    whose internal pinch is ``PINCH_K``; the subcooler cools the liquid to ``PINCH_K`` above the
    sink return (large heat pumps with a wide sink spread use one). No pressure losses.
    """
    src_in, src_out, snk_in, snk_out = pair
    nw = Network(iterinfo=False)
    nw.units.set_defaults(
        temperature="degC",
        temperature_difference="delta_degC",
        pressure="bar",
        pressure_difference="bar",
        enthalpy="kJ/kg",
    )
    evaporator = MovingBoundaryHeatExchanger("evaporator")
    condenser = MovingBoundaryHeatExchanger("condenser")
    subcooler = HeatExchanger("subcooler")
    compressor = Compressor("compressor")
    valve, closer = Valve("valve"), CycleCloser("closer")
    source_in, source_out = Source("source in"), Sink("source out")
    sink_in, sink_out = Source("sink in"), Sink("sink out")
    r0 = Connection(valve, "out1", closer, "in1", label="r0")
    r1 = Connection(closer, "out1", evaporator, "in2", label="r1")
    r2 = Connection(evaporator, "out2", compressor, "in1", label="r2")
    r3 = Connection(compressor, "out1", condenser, "in1", label="r3")
    r4 = Connection(condenser, "out1", subcooler, "in1", label="r4")
    r5 = Connection(subcooler, "out1", valve, "in1", label="r5")
    w1 = Connection(source_in, "out1", evaporator, "in1", label="w1")
    w2 = Connection(evaporator, "out1", source_out, "in1", label="w2")
    w3 = Connection(sink_in, "out1", subcooler, "in2", label="w3")
    w4 = Connection(subcooler, "out2", condenser, "in2", label="w4")
    w5 = Connection(condenser, "out2", sink_out, "in1", label="w5")
    nw.add_conns(r0, r1, r2, r3, r4, r5, w1, w2, w3, w4, w5)
    for exchanger in (evaporator, condenser, subcooler):
        exchanger.set_attr(pr1=1, pr2=1)
    compressor.set_attr(eta_s=ETA_S)
    w1.set_attr(fluid={"water": 1}, T=src_in, p=3)
    w2.set_attr(T=src_out)
    w3.set_attr(fluid={"water": 1}, T=snk_in, p=5, m=10)
    w5.set_attr(T=snk_out)
    r1.set_attr(fluid={fluid: 1})
    r2.set_attr(td_dew=SUPERHEAT_K)
    r4.set_attr(td_bubble=0)
    r5.set_attr(T=snk_in + PINCH_K)
    # first solve with guessed saturation temperatures, then let the pinches set them
    r2.set_attr(T=src_out - PINCH_K + SUPERHEAT_K - 3)
    r4.set_attr(T=snk_out)
    nw.solve("design")
    nw.assert_convergence()
    r2.set_attr(T=None)
    r4.set_attr(T=None)
    evaporator.set_attr(td_pinch=PINCH_K)
    condenser.set_attr(td_pinch=PINCH_K)
    nw.solve("design")
    nw.assert_convergence()
    heat_w = abs(condenser.Q.val) + abs(subcooler.Q.val)
    return heat_w / compressor.P.val


def implied_efficiency(fluid: str, pair: tuple[float, float, float, float]) -> float:
    src_in, src_out, snk_in, snk_out = pair
    return tespy_cop(fluid, pair) / float(
        cop_lorenz(snk_in, snk_out, src_in, src_out, efficiency=1.0)
    )


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: "{:g}-{:g}_{:g}-{:g}".format(*p))
@pytest.mark.parametrize("fluid", REFRIGERANTS)
def test_tespy_cycle_has_a_lorenz_efficiency_of_real_plants(fluid: str, pair: tuple) -> None:
    efficiency = implied_efficiency(fluid, pair)
    low, high = LORENZ_EFFICIENCY_BAND
    assert low <= efficiency <= high, f"{fluid} {pair}: implied Lorenz efficiency {efficiency:.3f}"


@pytest.mark.parametrize("fluid", REFRIGERANTS)
def test_one_efficiency_per_refrigerant_reproduces_tespy(fluid: str) -> None:
    efficiency = float(np.mean([implied_efficiency(fluid, pair) for pair in PAIRS]))
    for src_in, src_out, snk_in, snk_out in PAIRS:
        model = cop_lorenz(snk_in, snk_out, src_in, src_out, efficiency=efficiency)
        reference_cop = tespy_cop(fluid, (src_in, src_out, snk_in, snk_out))
        assert model == pytest.approx(reference_cop, rel=COP_RTOL)
        default = cop_lorenz(snk_in, snk_out, src_in, src_out)
        assert default == pytest.approx(reference_cop, rel=DEFAULT_RTOL)


@pytest.mark.parametrize("fluid", REFRIGERANTS)
def test_tespy_cop_falls_with_lift_like_the_model(fluid: str) -> None:
    pairs = [(12.0, 6.0, out - 30.0, out) for out in SINK_OUTLETS]
    real = [tespy_cop(fluid, pair) for pair in pairs]
    model = [float(cop_lorenz(p[2], p[3], p[0], p[1])) for p in pairs]
    jesper = [float(cop_jesper(p[3], p[1], parameters=SHP, extrapolate=True)) for p in pairs]
    for series in (real, model, jesper):
        assert all(np.diff(series) < 0), series


# --- Lorenz model --------------------------------------------------------------------------
def test_lorenz_cop_by_hand() -> None:
    sink_lm = (80 - 50) / math.log((80 + ZERO_C_IN_K) / (50 + ZERO_C_IN_K))
    source_lm = (12 - 6) / math.log((12 + ZERO_C_IN_K) / (6 + ZERO_C_IN_K))
    ideal = sink_lm / (sink_lm - source_lm)
    assert cop_lorenz(50, 80, 12, 6, efficiency=1.0) == pytest.approx(ideal, rel=1e-12)
    assert cop_lorenz(50, 80, 12, 6, efficiency=0.5) == pytest.approx(0.5 * ideal, rel=1e-12)
    # constant temperatures: the Carnot COP
    assert cop_lorenz(70, 70, 10, 10, efficiency=1.0) == pytest.approx(343.15 / 60, rel=1e-12)


def test_default_efficiency_is_the_reference_value() -> None:
    default = cop_lorenz.__kwdefaults__["efficiency"]
    assert default == DEFAULTS.lorenz_efficiency_default


def test_lorenz_scalar_array_series_agree() -> None:
    sink_in, sink_out = [50.0, 40.0, 60.0], [80.0, 70.0, 90.0]
    src_in, src_out = [12.0, 10.0, 30.0], [6.0, 5.0, 25.0]
    scalars = [cop_lorenz(*args) for args in zip(sink_in, sink_out, src_in, src_out, strict=True)]
    array = cop_lorenz(np.array(sink_in), np.array(sink_out), np.array(src_in), src_out)
    index = pd.date_range("2030-01-01", periods=3, freq="h")
    series = cop_lorenz(pd.Series(sink_in, index=index), sink_out, src_in, src_out)
    assert all(isinstance(value, float) for value in scalars)
    assert isinstance(array, np.ndarray)
    assert isinstance(series, pd.Series) and series.index.equals(index)
    np.testing.assert_allclose(array, scalars, rtol=1e-12)
    np.testing.assert_allclose(series.to_numpy(), scalars, rtol=1e-12)


def test_lorenz_nan_gives_nan() -> None:
    result = cop_lorenz([50.0, np.nan], 80.0, 12.0, 6.0)
    assert np.isfinite(result[0]) and np.isnan(result[1])


@pytest.mark.parametrize(
    ("args", "efficiency", "match"),
    [
        ((10, 20, 30, 25), 0.55, r"sink \(10 -> 20 °C.*not warmer than the source \(30 -> 25"),
        ((50, 80, 6, 12), 0.55, r"source outlet 12 °C lies above the source inlet 6 °C"),
        ((80, 50, 12, 6), 0.55, r"sink outlet 50 °C lies below the sink inlet 80 °C"),
        ((50, 80, 12, 6), 0.0, r"Lorenz efficiency 0 is outside \(0, 1\]"),
        ((50, 80, 12, 6), 1.2, r"Lorenz efficiency 1.2 is outside \(0, 1\]"),
        ((50, 80, 12, -300), 0.55, r"source out temperature -300 °C is not above absolute zero"),
    ],
)
def test_lorenz_impossible_inputs_raise(args: tuple, efficiency: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        cop_lorenz(*args, efficiency=efficiency)


def test_lorenz_error_names_the_element() -> None:
    with pytest.raises(
        ValueError, match=r"source outlet 9 °C .* inlet 8 °C.*\(element 1; 1 of 3 values\)"
    ):
        cop_lorenz(50, 80, [12.0, 8.0, 12.0], [6.0, 9.0, 6.0])


# --- Jesper et al. (2021) -------------------------------------------------------------------
def test_jesper_by_hand() -> None:
    # published sets: SHP a=1.4480e12 b=88.730 c=-4.9460 d=0; VHTHP a=1.9118 b=0.044189
    # c=-0.89094 d=0.67895 (heat_pump_jesper.csv); lift = sink out - source out
    shp = 1.4480e12 * (40 + 2 * 88.730) ** -4.9460
    vhthp = 1.9118 * (50 + 2 * 0.044189) ** -0.89094 * (120 + 273.15 + 0.044189) ** 0.67895
    assert cop_jesper(80, 40, parameters=SHP) == pytest.approx(shp, rel=1e-12)
    assert cop_jesper(120, 70, parameters=VHTHP) == pytest.approx(vhthp, rel=1e-12)
    sets = jesper_parameter_sets()
    assert jesper_parameter_set(100, sets) == SHP and jesper_parameter_set(160, sets) == VHTHP
    assert jesper_parameter_set(200, sets) is None


def test_jesper_ranges_and_kinds() -> None:
    with pytest.raises(ValueError, match=r"lift 5 K is outside the 10-78 K"):
        cop_jesper(80, 75, parameters=SHP)
    assert float(cop_jesper(80, 75, parameters=SHP, extrapolate=True)) > float(
        cop_jesper(80, 70, parameters=SHP)
    )
    with pytest.raises(ValueError, match=r"sink outlet 120 °C is outside"):
        cop_jesper(120, 70, parameters=SHP)
    with pytest.raises(ValueError, match="must lie above the source outlet"):
        cop_jesper(40, 50, parameters=SHP, extrapolate=True)
    with pytest.raises(ValueError, match="unknown Jesper parameter set 'nh3'"):
        jesper_parameters("nh3")
    index = pd.RangeIndex(3)
    sinks = [70.0, 80.0, 90.0]
    series = cop_jesper(pd.Series(sinks, index=index), 20.0, parameters=SHP)
    array = cop_jesper(np.array(sinks), 20.0, parameters=SHP)
    np.testing.assert_allclose(
        series.to_numpy(), [cop_jesper(s, 20.0, parameters=SHP) for s in sinks]
    )
    np.testing.assert_allclose(array, series.to_numpy())


# --- part load, source limit ---------------------------------------------------------------
def test_part_load_follows_en14825() -> None:
    cd = DEFAULTS.part_load_degradation_coefficient
    assert cd == 0.9  # EN 14825 default when Cd is not measured
    assert cop_part_load(4.0, 1.0, degradation_coefficient=cd) == pytest.approx(4.0)
    expected = 4.0 * 0.5 / (0.9 * 0.5 + 0.1)
    assert cop_part_load(4.0, 0.5, degradation_coefficient=cd) == pytest.approx(expected)
    assert cop_part_load(4.0, 0.5, degradation_coefficient=1.0) == pytest.approx(4.0)
    ratios = pd.Series([0.2, 0.6, 1.0])
    assert (np.diff(cop_part_load(3.0, ratios, degradation_coefficient=cd)) > 0).all()
    for bad in (0.0, 1.2):
        with pytest.raises(ValueError, match="part load ratio"):
            cop_part_load(4.0, bad, degradation_coefficient=cd)
    with pytest.raises(ValueError, match=r"degradation coefficient 1\.5 is outside"):
        cop_part_load(4.0, 0.5, degradation_coefficient=1.5)


def test_usable_source_cooling_keeps_the_outlet_minimum() -> None:
    inlet = pd.Series([12.0, 6.0, 2.0, 1.0, np.nan])
    drop = usable_source_cooling_k(inlet, min_source_outlet_c=2.0, max_cooling_k=6.0)
    np.testing.assert_allclose(drop.to_numpy(), [6.0, 4.0, 0.0, 0.0, np.nan])
    assert ((inlet - drop)[:2] >= 2.0).all()
    assert usable_source_cooling_k(30.0, min_source_outlet_c=4.0) == pytest.approx(26.0)
    with pytest.raises(ValueError, match="max_cooling_k -1 K is negative"):
        usable_source_cooling_k(12.0, min_source_outlet_c=2.0, max_cooling_k=-1.0)


# --- heat_pump_study (heatplan calc heat-pump) ----------------------------------------------
def test_study_reports_what_the_cli_prints() -> None:
    study = heat_pump_study(source_in_c=12, source_out_c=6, sink_in_c=50, sink_out_c=80, **STUDY)
    required = {"cop", "lorenz_efficiency", "carnot_cop", "temp_lift_k", "method", "messages"}
    assert required <= set(study)
    eta = DEFAULTS.lorenz_efficiency_default
    assert study["cop"] == pytest.approx(float(cop_lorenz(50, 80, 12, 6, efficiency=eta)))
    assert study["carnot_cop"] == pytest.approx(study["cop"] / eta)
    assert study["temp_lift_k"] == 74.0 and study["messages"] == []
    assert study["temp_sink_lm_c"] == pytest.approx(float(log_mean_k(50, 80)) - ZERO_C_IN_K)
    json.dumps(study)  # --json prints it


def test_study_with_jesper_and_messages() -> None:
    study = heat_pump_study(
        source_in_c=12, source_out_c=6, sink_in_c=50, sink_out_c=80, method="jesper", **STUDY
    )
    assert study["cop"] == pytest.approx(float(cop_jesper(80, 6, parameters=SHP)))
    assert study["jesper_parameter_set"] == "shp"
    assert study["lorenz_efficiency"] == pytest.approx(study["cop"] / study["carnot_cop"])
    cold = heat_pump_study(
        source_in_c=4,
        source_out_c=-1,
        sink_in_c=30,
        sink_out_c=35,
        efficiency=0.4,
        min_source_outlet_c=2.0,
        part_load_ratio=0.5,
        **STUDY,
    )
    text = " ".join(cold["messages"])
    assert "Lorenz efficiency 0.40" in text and "freezing point" in text
    assert "only 2 K of cooling is usable" in text
    assert cold["cop"] < cold["cop_lorenz"]
    far = heat_pump_study(
        source_in_c=12, source_out_c=6, sink_in_c=80, sink_out_c=95, method="jesper", **STUDY
    )
    assert any("lift 89 K is outside" in message for message in far["messages"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "carnot"}, "unknown method 'carnot'"),
        ({"source_out_c": 14}, "source outlet 14 °C lies above the source inlet 12 °C"),
        ({"sink_out_c": 170, "method": "jesper"}, "fitted sink outlets up to 160 °C"),
    ],
)
def test_study_impossible_inputs_raise(kwargs: dict, match: str) -> None:
    given = {"source_in_c": 12, "source_out_c": 6, "sink_in_c": 50, "sink_out_c": 80} | kwargs
    with pytest.raises(ValueError, match=match):
        heat_pump_study(**given, **STUDY)


# --- building heat pumps: Staffell et al. (2012) and heating curves -------------------------
@pytest.mark.parametrize("lift", [15.0, 28.0, 40.0, 60.0])
def test_staffell_air_by_hand(lift: float) -> None:
    expected = 6.81 - 0.121 * lift + 0.00063 * lift**2  # Staffell et al. 2012, air source
    assert cop_staffell(35.0, 35.0 - lift, coefficients=AIR) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("lift", [20.0, 35.0, 60.0])
def test_staffell_ground_by_hand(lift: float) -> None:
    expected = 8.77 - 0.150 * lift + 0.000734 * lift**2  # Staffell et al. 2012, ground source
    got = cop_staffell(55.0, 55.0 - lift, coefficients=GROUND)
    assert got == pytest.approx(expected, rel=1e-12)


def test_staffell_outside_the_fit_clips_or_raises() -> None:
    clipped_low = cop_staffell(35.0, 20.0, coefficients=AIR)
    assert cop_staffell(35.0, 30.0, coefficients=AIR) == pytest.approx(clipped_low)  # 5 -> 15 K
    clipped_high = cop_staffell(60.0, 0.0, coefficients=AIR)
    assert cop_staffell(75.0, -15.0, coefficients=AIR) == pytest.approx(clipped_high)  # 90 -> 60
    with pytest.raises(ValueError, match=r"lift 90 K \(sink 75 °C - source -15 °C\) is outside"):
        cop_staffell(75.0, -15.0, coefficients=AIR, out_of_range="raise")
    with pytest.raises(ValueError, match="out_of_range must be 'clip' or 'raise'"):
        cop_staffell(35.0, 10.0, coefficients=AIR, out_of_range="warn")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown heat_source 'water'"):
        staffell_coefficients("water")


def test_staffell_scalar_array_series_agree() -> None:
    air = [-10.0, 0.0, 7.0]
    index = pd.date_range("2030-01-01", periods=3, freq="h")
    series = cop_staffell(45.0, pd.Series(air, index=index), coefficients=AIR)
    array = cop_staffell(45.0, np.array(air), coefficients=AIR)
    scalars = [cop_staffell(45.0, value, coefficients=AIR) for value in air]
    assert isinstance(series, pd.Series) and series.index.equals(index)
    np.testing.assert_allclose(series.to_numpy(), scalars, rtol=1e-12)
    np.testing.assert_allclose(array, scalars, rtol=1e-12)


@pytest.mark.parametrize(
    ("state", "design_flow_c"), [("new_build", 35.0), ("renovated", 55.0), ("unrenovated", 75.0)]
)
def test_heating_curve_meets_the_design_point(state: str, design_flow_c: float) -> None:
    outdoor = np.array([-20.0, -12.0, 0.0, 10.0, 15.0, 25.0])
    flow = flow_temperature_c(
        outdoor, heating_curve=heating_curve(state), temp_outdoor_design_c=-12.0, **CURVE_LIMITS
    )
    assert flow[0] == pytest.approx(design_flow_c) and flow[1] == pytest.approx(design_flow_c)
    assert (np.diff(flow[1:5]) < 0).all() and flow[5] == pytest.approx(flow[4])
    assert flow[4] > DEFAULTS.temp_room_c


def test_heating_curve_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown building_state 'castle'"):
        heating_curve("castle")
    with pytest.raises(ValueError, match="design outdoor 18 °C < heating limit 15 °C"):
        flow_temperature_c(
            0.0,
            heating_curve=heating_curve("renovated"),
            temp_outdoor_design_c=18.0,
            **CURVE_LIMITS,
        )


def _hourly_air_temperature() -> pd.Series:
    """A synthetic year: daily mean 9 °C +- 9 K over the year, +- 4 K over the day."""
    index = pd.date_range("2030-01-01", periods=8760, freq="h")
    hours = np.arange(8760)
    seasonal = 9.0 - 9.0 * np.cos(2 * np.pi * (hours / 24 - 15) / 365)
    return pd.Series(seasonal - 4.0 * np.cos(2 * np.pi * (hours % 24 - 3) / 24), index=index)


def test_hourly_cop_and_seasonal_performance_factor() -> None:
    air = _hourly_air_temperature()
    heat = (DEFAULTS.temp_heating_limit_c - air).clip(lower=0.0)  # degree hours as demand
    factors = {}
    for state in ("new_build", "renovated", "unrenovated"):
        cop = cop_building(
            air,
            heating_curve=heating_curve(state),
            coefficients=AIR,
            temp_outdoor_design_c=-12.0,
            **CURVE_LIMITS,
        )
        assert isinstance(cop, pd.Series) and cop.index.equals(air.index)
        factors[state] = seasonal_performance_factor(cop, heat)
        assert cop.min() <= factors[state] <= cop.max()
    assert factors["new_build"] > factors["renovated"] > factors["unrenovated"]
    renovated = {"heating_curve": heating_curve("renovated"), "temp_outdoor_design_c": -12.0}
    ground = cop_building(air, **renovated, coefficients=GROUND, temp_source_c=8.0, **CURVE_LIMITS)
    assert seasonal_performance_factor(ground, heat) > factors["renovated"]
    with pytest.raises(ValueError, match="temp_source_c"):
        cop_building(air, **renovated, coefficients=GROUND, **CURVE_LIMITS)
    with pytest.raises(ValueError, match="temp_source_c"):
        cop_building(air, **renovated, coefficients=AIR, temp_source_c=8.0, **CURVE_LIMITS)


def test_seasonal_performance_factor_by_hand() -> None:
    assert seasonal_performance_factor([2.0, 4.0, np.nan], [10.0, 10.0, 0.0]) == pytest.approx(
        20.0 / (5.0 + 2.5)
    )
    with pytest.raises(ValueError, match="no heat delivered"):
        seasonal_performance_factor([3.0], [0.0])


def test_reference_tables_hold_the_published_coefficients() -> None:
    staffell = table("heat_pump_staffell.csv").set_index("heat_source")
    assert staffell.loc["air", ["c0", "c1", "c2"]].tolist() == [6.81, -0.121, 0.00063]
    assert staffell.loc["ground", ["c0", "c1", "c2"]].tolist() == [8.77, -0.150, 0.000734]
    curves = table("heat_pump_heating_curves.csv")
    assert (curves["temp_flow_design_c"] > curves["temp_return_design_c"]).all()
    assert staffell_coefficients("air") == AIR and AIR.c0 == 6.81 and GROUND.c2 == 0.000734
    assert [s.name for s in jesper_parameter_sets()] == ["shp", "vhthp"]
    assert SHP.temp_sink_out_min_c == -math.inf and VHTHP.temp_sink_out_min_c == 100.0


# --- calibration against large heat pumps in operation (data/heat_pump_plants.csv) -----------
#: The default Lorenz efficiency reproduces each plant's published COP within this relative
#: error (published COPs are rounded to 0.1 and some stream temperatures are assumptions).
PLANT_COP_RTOL = 0.10


def test_default_efficiency_is_the_fit_to_operating_plants() -> None:
    plants = operating_plants()
    fitted = fit_lorenz_efficiency(
        plants["cop"],
        plants["temp_sink_in_c"],
        plants["temp_sink_out_c"],
        plants["temp_source_in_c"],
        plants["temp_source_out_c"],
    )
    assert len(plants) >= 4
    assert DEFAULTS.lorenz_efficiency_default == pytest.approx(fitted, abs=0.005)  # 2 decimals
    assert parameter("lorenz_efficiency") == DEFAULTS.lorenz_efficiency_default


def test_mannheim_river_heat_pump_by_hand() -> None:
    # Rhine 10 -> 6 °C, district heating 60 -> 99 °C (MVV / GKM): log-mean sink
    # 39 / ln(372.15 / 333.15) = 352.31 K, source (283.15 - 279.15) / ln(283.15 / 279.15)
    # = 281.15 K; Lorenz COP 352.31 / 71.16 = 4.951
    ideal = float(cop_lorenz(60.0, 99.0, 10.0, 6.0, efficiency=1.0))
    assert ideal == pytest.approx(352.31 / (352.31 - 281.15), rel=1e-3)
    # annual COP 2.7 -> eta 0.545; a single plant's fit is its own ratio
    assert fit_lorenz_efficiency([2.7], [60.0], [99.0], [10.0], [6.0]) == pytest.approx(
        2.7 / ideal, rel=1e-12
    )


@pytest.mark.parametrize("plant", operating_plants()["plant"].tolist())
def test_model_meets_each_operating_plant(plant: str) -> None:
    row = operating_plants().set_index("plant").loc[plant]
    cop = float(
        cop_lorenz(
            row["temp_sink_in_c"],
            row["temp_sink_out_c"],
            row["temp_source_in_c"],
            row["temp_source_out_c"],
            efficiency=DEFAULTS.lorenz_efficiency_default,
        )
    )
    assert cop == pytest.approx(float(row["cop"]), rel=PLANT_COP_RTOL), plant


def test_fit_rejects_impossible_cops() -> None:
    with pytest.raises(ValueError, match="not above 1"):
        fit_lorenz_efficiency([0.9], [50.0], [80.0], [12.0], [6.0])

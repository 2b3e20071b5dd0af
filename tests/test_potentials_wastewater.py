"""Water-source heat: sewage-plant effluent, sewers, rivers (heatplan.potentials)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from heatplan.errors import InputFileError
from heatplan.potentials.sewers import sewer_heat_potential
from heatplan.potentials.surface_water import river_heat_potential
from heatplan.potentials.wastewater import (
    effluent_heat_pump,
    flow_pattern,
    read_plant_series,
    synthesise_flow_m3_per_h,
    synthesise_temp_c,
    wastewater_study,
)
from heatplan.potentials.water_heat import (
    annual_mwh,
    heat_pump_output,
    parameter,
    usable_cooling_k,
    water_heat_kw,
)
from heatplan.tech.heatpump import cop_lorenz

#: rho·cp of water at 12 °C from CoolProp (IAPWS-95) against the 1.164 kWh/(m³·K) of the data.
RHO_CP_RTOL = 1e-3
#: Energy balance of one hour: output = source + electricity, to float precision.
BALANCE_RTOL = 1e-12
#: Lorenz efficiency the water-heat studies take by default (data/wastewater_parameters.csv).
ETA = parameter("lorenz_efficiency")

# ANIKA, Jena-Zwätzen, published figures alone (project figures of Stadtwerke Energie
# Jena-Pößneck; no primary document traced).
ANIKA_FLOW_M3_PER_DAY = 14_000.0
ANIKA_TEMP_C = 12.0
ANIKA_SUPPLY_C = 80.0
ANIKA_COOLING_K = 5.0
ANIKA_PUBLISHED_KW = 20_000.0
ANIKA_PUBLISHED_MWH_PER_A = 120_000.0


def test_volumetric_heat_capacity_is_rho_cp_of_water_from_coolprop() -> None:
    from CoolProp.CoolProp import PropsSI

    temp_k, pressure_pa = 273.15 + 12.0, 101_325.0
    rho_cp = PropsSI("D", "T", temp_k, "P", pressure_pa, "Water") * PropsSI(
        "C", "T", temp_k, "P", pressure_pa, "Water"
    )  # J/(m³·K)
    assert parameter("volumetric_heat_capacity") == pytest.approx(rho_cp / 3.6e6, rel=RHO_CP_RTOL)


def test_water_heat_scalar_array_series() -> None:
    assert float(water_heat_kw(1000.0, 5.0)) == pytest.approx(5820.0)
    assert water_heat_kw(np.array([0.0, 100.0]), 1.0).tolist() == pytest.approx([0.0, 116.4])
    series = pd.Series([10.0, 20.0], index=["a", "b"])
    assert water_heat_kw(series, 2.0) == pytest.approx([23.28, 46.56])


def test_usable_cooling_respects_the_minimum_outlet_temperature() -> None:
    cooling = usable_cooling_k(np.array([12.0, 6.0, 3.0, 1.0]), 5.0, 2.0)
    assert cooling.tolist() == [5.0, 4.0, 1.0, 0.0]
    hourly = effluent_heat_pump(
        [100.0, 100.0, 100.0], [12.0, 6.0, 2.0], max_cooling_k=5.0, supply_temp_c=70.0,
        min_outlet_temp_c=3.0,
    )  # fmt: skip
    assert hourly["outlet_temp_c"].tolist() == [7.0, 3.0, 2.0]
    assert hourly["source_heat_kw"].tolist() == pytest.approx([582.0, 349.2, 0.0])
    assert hourly["heat_output_kw"].iloc[2] == 0.0


def test_energy_balance_hour_by_hour() -> None:
    flow = synthesise_flow_m3_per_h(flow_m3_per_day=ANIKA_FLOW_M3_PER_DAY)
    temp = synthesise_temp_c(temp_min_c=ANIKA_TEMP_C)
    hourly = effluent_heat_pump(flow, temp, max_cooling_k=5.0, supply_temp_c=80.0)
    assert hourly.index.equals(flow.index)
    balance = hourly["source_heat_kw"] + hourly["electricity_kw"]
    np.testing.assert_allclose(hourly["heat_output_kw"], balance, rtol=BALANCE_RTOL)
    cop = cop_lorenz(50.0, 80.0, hourly["temp_c"], hourly["outlet_temp_c"], efficiency=ETA)
    np.testing.assert_allclose(hourly["cop"], cop, rtol=BALANCE_RTOL)
    np.testing.assert_allclose(
        hourly["heat_output_kw"], hourly["source_heat_kw"] * cop / (cop - 1), rtol=BALANCE_RTOL
    )


@settings(max_examples=50, deadline=None)
@given(
    flow=st.floats(0, 1e5),
    temp=st.floats(2.5, 30),
    cooling=st.floats(0.1, 10),
    supply=st.floats(45, 120),
)
def test_output_is_source_plus_electricity(
    flow: float, temp: float, cooling: float, supply: float
) -> None:
    row = effluent_heat_pump(
        flow, temp, max_cooling_k=cooling, supply_temp_c=supply, return_temp_c=40.0
    ).iloc[0]
    assert row["heat_output_kw"] == pytest.approx(row["source_heat_kw"] + row["electricity_kw"])
    assert row["outlet_temp_c"] >= parameter("min_outlet_temp_c") - 1e-12


def test_synthesised_series_hit_the_annual_mean_flow_and_minimum_temperature() -> None:
    flow = synthesise_flow_m3_per_h(flow_m3_per_day=ANIKA_FLOW_M3_PER_DAY, year=2025)
    assert len(flow) == 8760
    assert flow.mean() * 24 == pytest.approx(ANIKA_FLOW_M3_PER_DAY, rel=1e-12)
    daily = flow.groupby(flow.index.dayofweek).mean()
    assert daily[[5, 6]].max() < daily[[0, 1, 2, 3, 4]].min()  # weekend: less sewage
    hourly = flow.groupby(flow.index.hour).mean()
    assert hourly.idxmin() in range(3, 8) and hourly.idxmax() in range(9, 13)
    temp = synthesise_temp_c(temp_min_c=ANIKA_TEMP_C, year=2025)
    assert temp.min() == pytest.approx(ANIKA_TEMP_C, abs=1e-3)
    assert temp.max() == pytest.approx(parameter("effluent_temp_max_c"), abs=1e-3)
    assert temp.idxmin().month == 2 and temp.idxmax().month == 8
    assert len(synthesise_flow_m3_per_h(flow_m3_per_day=1.0, year=2024)) == 8784
    hours, days = flow_pattern()
    assert (len(hours), len(days)) == (24, 7)
    assert hours.mean() == pytest.approx(1.0, abs=1e-3)


def test_flow_from_population_equivalents() -> None:
    flow = synthesise_flow_m3_per_h(population_equivalents=210_000)
    expected = 210_000 * parameter("specific_flow_l_per_pe_d") / 1000
    assert flow.mean() * 24 == pytest.approx(expected)


def test_anika_from_the_published_figures() -> None:
    """ANIKA (Jena): 14,000 m³/d, >= 12 °C, 80 °C supply; planned 20 MW and 120 GWh/a.

    At 5 K cooling the effluent gives 14,000/24 m³/h x 1.164 x 5 K = 3,395 kW of source heat, a
    heat pump lifting it to 50/80 °C (COP 3.36) 4.8 MW on average and ~42 GWh/a. The published
    figures do not follow from the published flow: 20 MW as a continuous output would need
    ~58,000 m³/d (4x the flow) or ~19.5 K cooling (12 °C effluent to -7.5 °C, impossible);
    120 GWh/a would need ~39,700 m³/d or ~13.7 K cooling (to -1.7 °C, impossible). They must
    rest on more flow (design or wet-weather flow), other sources or storage/peak operation -
    the tool says so instead of producing the number.
    """
    study = wastewater_study(
        flow_m3_per_day=ANIKA_FLOW_M3_PER_DAY, temp_c=ANIKA_TEMP_C, max_cooling_k=ANIKA_COOLING_K,
        supply_temp_c=ANIKA_SUPPLY_C, requested_capacity_kw=ANIKA_PUBLISHED_KW,
        requested_heat_mwh_per_a=ANIKA_PUBLISHED_MWH_PER_A,
    )  # fmt: skip
    source_kw = ANIKA_FLOW_M3_PER_DAY / 24 * 1.164 * ANIKA_COOLING_K
    cop = float(cop_lorenz(50.0, 80.0, 12.0, 7.0, efficiency=ETA))
    assert study["source_heat_kw"] == pytest.approx(source_kw, rel=1e-9)  # 3,395 kW
    assert study["cop"] == pytest.approx(cop, rel=1e-9)
    assert study["heat_output_kw"] == pytest.approx(source_kw * cop / (cop - 1), rel=1e-9)
    assert study["potential_heat_mwh_per_a"] == pytest.approx(
        source_kw * cop / (cop - 1) * 8.76, rel=1e-9
    )
    assert 40_000 < study["heat_mwh_per_a"] < 45_000
    assert study["heat_output_min_kw"] < study["heat_output_kw"] < study["heat_output_max_kw"]
    assert study["full_load_hours"] == pytest.approx(study["heat_mwh_per_a"] * 1000 / 20_000)

    assert study["feasible"] is False
    capacity, energy = study["requirements"]["kW"], study["requirements"]["MWh/a"]
    assert capacity["required_flow_m3_per_day"] == pytest.approx(
        ANIKA_FLOW_M3_PER_DAY * ANIKA_PUBLISHED_KW / study["heat_output_kw"]
    )
    assert 55_000 < capacity["required_flow_m3_per_day"] < 60_000
    assert 19 < capacity["required_cooling_k"] < 20
    assert capacity["outlet_temp_at_required_cooling_c"] < 0
    assert 38_000 < energy["required_flow_m3_per_day"] < 41_000
    assert 13 < energy["required_cooling_k"] < 14.5
    text = " ".join(study["messages"])
    average = f"{study['heat_output_kw']:,.0f} kW on average"  # 4,832 kW at eta 0.55
    assert f"requested 20,000 kW, the effluent gives {average}" in text
    assert "requested 120,000 MWh/a" in text and "not possible" in text
    json.dumps(study)  # the CLI prints it with --json


def test_requests_within_the_source_are_feasible_and_capped() -> None:
    base = dict(flow_m3_per_day=14_000.0, temp_c=12.0, max_cooling_k=5.0, supply_temp_c=80.0)
    small = wastewater_study(**base, requested_capacity_kw=3_000.0)  # type: ignore[arg-type]
    assert small["feasible"] is True and small["capacity_kw"] == 3_000.0
    assert small["heat_mwh_per_a"] <= 3_000.0 * 8.76 + 1e-6
    assert small["full_load_hours"] <= 8760
    assert small["heat_mwh_per_a"] < small["potential_heat_mwh_per_a"]
    ok = wastewater_study(**base, requested_heat_mwh_per_a=30_000.0)  # type: ignore[arg-type]
    assert ok["feasible"] is True and not ok["requirements"]
    capped = wastewater_study(  # type: ignore[arg-type]
        **base, requested_capacity_kw=3_000.0, requested_heat_mwh_per_a=30_000.0
    )
    assert capped["feasible"] is False
    assert "a heat pump of 3,000 kW delivers" in " ".join(capped["messages"])


def test_seasonal_study_uses_the_minimum_and_warmer_summers() -> None:
    constant = wastewater_study(
        flow_m3_per_day=14_000.0, temp_c=12.0, max_cooling_k=5.0, supply_temp_c=80.0
    )
    seasonal = wastewater_study(
        flow_m3_per_day=14_000.0, temp_c=12.0, max_cooling_k=5.0, supply_temp_c=80.0,
        seasonal=True,
    )  # fmt: skip
    assert seasonal["temp_min_c"] == pytest.approx(12.0, abs=1e-3)
    assert seasonal["source_heat_kw"] == pytest.approx(constant["source_heat_kw"])
    assert seasonal["cop"] > constant["cop"]  # warmer source in summer


def test_plant_series_round_trip(tmp_path: Path) -> None:
    index = pd.date_range("2025-01-01", periods=48, freq="h")
    frame = pd.DataFrame(
        {"timestamp": index, "flow_m3_per_h": 600.0, "temp_c": np.linspace(11, 14, 48)}
    )
    path = tmp_path / "plant.csv"
    frame.to_csv(path, index=False)
    series = read_plant_series(path)
    assert list(series.columns) == ["flow_m3_per_h", "temp_c"] and len(series) == 48
    study = wastewater_study(
        plant_series=series, max_cooling_k=5.0, supply_temp_c=80.0, return_temp_c=50.0
    )
    assert study["flow_m3_per_day"] == pytest.approx(14_400.0)
    assert study["source_heat_kw"] == pytest.approx(600.0 * 1.164 * 5.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timestamp,flow,temp_c\n2025-01-01 00:00,1,12\n", "missing column(s) ['flow_m3_per_h']"),
        ("timestamp,flow_m3_per_h,temp_c\n2025-01-01 00:00,1,12\nnoon,1,12\n",
         "row 3, field timestamp: 'noon'"),
        ("timestamp,flow_m3_per_h,temp_c\n2025-01-01 00:00,x,12\n",
         "row 2, field flow_m3_per_h: 'x'"),
        ("timestamp,flow_m3_per_h,temp_c\n2025-01-01 00:00,-5,12\n",
         "row 2, field flow_m3_per_h: negative"),
        ("timestamp,flow_m3_per_h,temp_c\n2025-01-01 00:00,5,12\n2025-01-01 00:00,5,12\n",
         "repeat"),
    ],
)  # fmt: skip
def test_plant_series_errors_name_file_row_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "plant.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_plant_series(path)
    assert str(path) in str(caught.value) and message in str(caught.value)
    with pytest.raises(InputFileError, match="file not found"):
        read_plant_series(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"flow_m3_per_day": -1.0}, "must not be negative"),
        ({"min_outlet_temp_c": 0.0}, "freezes"),
        ({"min_outlet_temp_c": -2.0}, "freezes"),
        ({"efficiency": 1.2}, "0 < efficiency <= 1"),
        ({"efficiency": 0.0}, "0 < efficiency <= 1"),
        ({"return_temp_c": 10.0, "supply_temp_c": 40.0}, "sink is colder than the source"),
        ({"supply_temp_c": 11.0}, "sink is colder than the source"),
        ({"return_temp_c": 90.0}, "must be colder than the supply"),
        ({"max_cooling_k": 0.0}, "cooling must be positive"),
        ({"temp_max_c": 8.0}, "below the winter minimum"),
        ({"requested_capacity_kw": -5.0}, "requested capacity must be positive"),
        ({"temp_c": float("nan")}, "missing values"),
    ],
)
def test_impossible_inputs_are_value_errors(kwargs: dict[str, float], match: str) -> None:
    args = dict(flow_m3_per_day=14_000.0, temp_c=12.0, max_cooling_k=5.0, supply_temp_c=80.0)
    with pytest.raises(ValueError, match=match):
        wastewater_study(**(args | kwargs))  # type: ignore[arg-type]


def test_cop_at_or_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="COP"):
        heat_pump_output(100.0, 1.0)


def test_annual_mwh_of_a_constant_kilowatt() -> None:
    assert annual_mwh(np.ones(8760)) == pytest.approx(8.76)
    assert annual_mwh([1000.0]) == pytest.approx(8760.0)


def _sewers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["small", "ok", "big", "dry", "unknown"],
            "diameter_mm": [600, 800, 1200, 1000, None],
            "dry_weather_flow_l_per_s": [50.0, 20.0, 100.0, 5.0, 30.0],
        },
        geometry=[shapely.LineString([(0, i), (100, i)]) for i in range(5)],
        crs="EPSG:25832",
    )


def test_sewers_below_dn800_are_excluded_with_the_reason() -> None:
    result = sewer_heat_potential(_sewers())
    assert result["included"].tolist() == [False, True, True, False, False]
    reasons = result.set_index("name")["excluded_reason"]
    assert reasons["small"] == "DN 600 is below DN 800 (WPG Anlage 1)"
    assert "below 10 l/s" in reasons["dry"] and reasons["unknown"] == "no diameter given"
    assert reasons["ok"] == "" and reasons["big"] == ""
    big = result.set_index("name").loc["big"]
    assert big["source_heat_min_kw"] == pytest.approx(100 * 3.6 * 1.164 * 0.5)  # 0.5 K
    assert big["source_heat_max_kw"] == pytest.approx(100 * 3.6 * 1.164 * 1.0)  # 1 K
    assert (result.loc[~result["included"], "source_heat_max_kw"] == 0).all()
    assert isinstance(result, gpd.GeoDataFrame) and result.crs == _sewers().crs


def test_sewer_heat_pump_output_and_errors() -> None:
    result = sewer_heat_potential(_sewers(), supply_temp_c=70.0)
    expected = result["source_heat_max_kw"] * result["cop"] / (result["cop"] - 1)
    np.testing.assert_allclose(result["heat_output_max_kw"], expected)
    with pytest.raises(ValueError, match="no column 'dry_weather_flow_l_per_s'"):
        sewer_heat_potential(_sewers().drop(columns="dry_weather_flow_l_per_s"))
    negative = _sewers()
    negative.loc[1, "dry_weather_flow_l_per_s"] = -3.0
    with pytest.raises(ValueError, match="sewer 1: dry_weather_flow_l_per_s -3 is negative"):
        sewer_heat_potential(negative)


def test_river_limits() -> None:
    flow = np.array([30.0, 30.0, 30.0, 30.0])
    temp = np.array([8.0, 2.5, 4.0, 8.0])
    river = river_heat_potential(flow, temp, max_cooling_k=3.0)
    # 1.5 K for the whole river after mixing: 3 K on half the flow
    assert river["river_cooling_k"].iloc[0] == pytest.approx(1.5)
    assert river["taken_m3_per_s"].iloc[0] == pytest.approx(15.0)
    assert river["limited_by"].iloc[0] == "river cooling"
    # below 3 °C nothing is taken
    assert (
        river["source_heat_kw"].iloc[1] == 0 and river["limited_by"].iloc[1] == "river temperature"
    )
    # at 4 °C the outlet minimum (2 °C) allows only 2 K
    assert river["cooling_k"].iloc[2] == pytest.approx(2.0)
    assert river["limited_by"].iloc[2] == "outlet temperature"
    assert river["source_heat_kw"].iloc[0] == pytest.approx(15.0 * 3600 * 1.164 * 3.0)
    shared = river_heat_potential(flow, temp, max_cooling_k=3.0, max_share_of_flow=0.1)
    assert shared["taken_m3_per_s"].iloc[0] == pytest.approx(3.0)
    assert shared["limited_by"].iloc[0] == "share of flow"
    assert (shared["river_cooling_k"] <= parameter_mixed() + 1e-12).all()


def parameter_mixed() -> float:
    from heatplan.potentials.surface_water import river_parameter

    return river_parameter("max_mixed_cooling_k")


def test_river_heat_pump_scalar_and_series() -> None:
    scalar = river_heat_potential(20.0, 8.0, max_cooling_k=2.0, supply_temp_c=80.0)
    assert len(scalar) == 1
    row = scalar.iloc[0]
    assert row["heat_output_kw"] == pytest.approx(row["source_heat_kw"] + row["electricity_kw"])
    index = pd.date_range("2025-01-01", periods=3, freq="h")
    series = river_heat_potential(
        pd.Series([20.0, 25.0, 30.0], index=index), pd.Series([5.0, 6.0, 7.0], index=index),
        max_cooling_k=2.0,
    )  # fmt: skip
    assert series.index.equals(index)
    with pytest.raises(ValueError, match="share of the river flow"):
        river_heat_potential(20.0, 8.0, max_cooling_k=2.0, max_share_of_flow=1.5)
    with pytest.raises(ValueError, match="must not be negative"):
        river_heat_potential(-1.0, 8.0, max_cooling_k=2.0)
    with pytest.raises(ValueError, match="0 < efficiency <= 1"):
        river_heat_potential(20.0, 8.0, max_cooling_k=2.0, supply_temp_c=80.0, efficiency=2.0)

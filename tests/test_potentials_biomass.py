"""Biomass potentials: biogas CHP, pyrolysis and sewage sludge, checked by hand-computed balances.

The hand calculations below use the defaults of data/biomass_parameters.csv, which the first
test pins, so that a changed default shows up here as a deliberate change.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatplan.potentials.biomass import (
    biomass_study,
    chp_output_kwh,
    methane_energy_kwh,
    parameters,
)
from heatplan.potentials.sludge import drying_heat_kwh, evaporated_water_t
from heatplan.tech.pyrolysis import co2_stored_t, pyrolysis_balance

#: The study rounds MWh to three decimals (1 kWh); hand-computed balances agree to that.
ROUND_ABS_MWH = 1e-3
MJ_PER_KWH = 3.6


def test_defaults_pinned_and_inside_the_reference_ranges() -> None:
    p = parameters()
    # Secondary summary (yields after FNR Leitfaden Biogas 2013): biowaste 80-120, grass 90-130 m3
    # biogas per t FM at 55-60 % CH4.
    assert 80 <= p["biogas"]["biowaste_biogas_m3_per_t"] <= 120
    assert 90 <= p["biogas"]["grass_biogas_m3_per_t"] <= 130
    assert 0.55 <= p["biogas"]["methane_share"] <= 0.60
    # Bridgwater (2012) and a secondary summary: slow pyrolysis 25-35 % biochar by dry mass.
    assert 0.25 <= p["pyrolysis"]["biochar_yield_dry"] <= 0.35
    assert p["biogas"]["methane_kwh_per_m3"] == 9.97  # FNR Faustzahlen Biogas
    assert (p["chp"]["eta_el"], p["chp"]["eta_th"], p["chp"]["digester_heat_share"]) == (
        0.38,
        0.44,
        0.30,
    )


def test_biowaste_biogas_chp_by_hand() -> None:
    # 1,000 t biowaste x 100 m3/t x 0.575 CH4 x 9.97 kWh/m3 = 573,275 kWh methane (LHV)
    fuel_kwh = 1000 * 100 * 0.575 * 9.97
    result = biomass_study(biowaste_t_per_a=1000)
    assert result["power_mwh_per_a"] == pytest.approx(0.38 * fuel_kwh / 1000, abs=ROUND_ABS_MWH)
    # net heat = 44 % thermal efficiency minus 30 % of it for the digester
    assert result["heat_mwh_per_a"] == pytest.approx(
        0.44 * 0.70 * fuel_kwh / 1000, abs=ROUND_ABS_MWH
    )
    assert result["streams"]["biogas"]["digester_heat_mwh"] == pytest.approx(
        0.44 * 0.30 * fuel_kwh / 1000, rel=1e-4
    )
    assert result["biochar_t_per_a"] == 0.0


def test_wood_waste_pyrolysis_by_hand() -> None:
    # 1,000 t wood at 20 % water: 800 t DM x 18.5 MJ/kg = 14.8 TJ; char 240 t x 30 MJ/kg
    # = 7.2 TJ; gas 7.6 TJ; evaporating 200 t water costs 200e3 kg x 2.442 MJ/kg;
    # heat = 0.8 x (7.6e6 - 0.4884e6) MJ = 5.68928e6 MJ = 1,580.36 MWh
    heat_mwh = 0.8 * (800e3 * 18.5 - 240e3 * 30 - 200e3 * 2.442) / MJ_PER_KWH / 1000
    result = biomass_study(wood_waste_t_per_a=1000)
    assert result["heat_mwh_per_a"] == pytest.approx(heat_mwh, abs=ROUND_ABS_MWH)
    assert result["biochar_t_per_a"] == pytest.approx(240.0)
    # IPCC 2019 Tier 1: CO2 = char x F_C 0.77 x F_perm 0.80 x 44/12
    assert result["co2_stored_t_per_a"] == pytest.approx(240 * 0.77 * 0.80 * 3.664, rel=1e-6)
    assert result["power_mwh_per_a"] == 0.0


def test_green_cuttings_split_between_digester_and_pyrolysis() -> None:
    result = biomass_study(green_cuttings_t_per_a=1000, green_cuttings_woody_share=0.25)
    biogas, pyrolysis = result["streams"]["biogas"], result["streams"]["pyrolysis"]
    assert biogas["green_cuttings_herbaceous_t"] == 750.0
    assert pyrolysis["green_cuttings_woody_t"] == 250.0
    assert biogas["biogas_m3"] == pytest.approx(750 * 110)
    # woody cuttings at 40 % water: 150 t DM -> 45 t char
    assert pyrolysis["biochar_t"] == pytest.approx(45.0)
    assert result["heat_mwh_per_a"] == pytest.approx(biogas["heat_mwh"] + pyrolysis["heat_mwh"])


def test_sewage_sludge_drying_and_pyrolysis_by_hand() -> None:
    # 100 t DM from 25 % to 95 % dry solids: water 100 x (1/0.25 - 1/0.95) = 294.74 t
    water_t = 100 * (1 / 0.25 - 1 / 0.95)
    drying_mwh = water_t * 0.9  # 0.9 kWh per kg water
    # pyrolysis of 105.26 t dried sludge: 100e3 kg DM x 11 MJ/kg - 50e3 kg char x 11.5 MJ/kg,
    # minus the 5.26 t residual water evaporated, times 0.8 recovery
    residual_water_kg = (100 / 0.95 - 100) * 1000
    pyro_mwh = 0.8 * (100e3 * 11 - 50e3 * 11.5 - residual_water_kg * 2.442) / MJ_PER_KWH / 1000
    result = biomass_study(sludge_t_dm_per_a=100)
    sludge = result["streams"]["sludge"]
    assert sludge["water_evaporated_t"] == pytest.approx(water_t, abs=1e-3)
    assert sludge["drying_heat_mwh"] == pytest.approx(drying_mwh, abs=1e-3)
    assert sludge["pyrolysis_heat_mwh"] == pytest.approx(pyro_mwh, abs=1e-3)
    assert result["heat_mwh_per_a"] == pytest.approx(pyro_mwh - drying_mwh, abs=1e-3)
    assert result["heat_mwh_per_a"] < 0  # drying wet sludge needs more heat than it gives
    assert result["biochar_t_per_a"] == pytest.approx(50.0)
    assert result["co2_stored_t_per_a"] == pytest.approx(50 * 0.35 * 0.80 * 3.664, rel=1e-6)
    text = " ".join(result["messages"])
    assert "more heat" in text and "DüMV" in text


def test_negative_or_invalid_inputs_raise() -> None:
    for name in (
        "green_cuttings_t_per_a",
        "wood_waste_t_per_a",
        "biowaste_t_per_a",
        "sludge_t_dm_per_a",
    ):
        with pytest.raises(ValueError, match=name):
            biomass_study(**{name: -1.0})
        with pytest.raises(ValueError, match=name):
            biomass_study(**{name: float("nan")})
    with pytest.raises(ValueError, match="woody_share"):
        biomass_study(green_cuttings_t_per_a=10, green_cuttings_woody_share=1.5)
    with pytest.raises(ValueError, match="dry-solids"):
        evaporated_water_t(1.0, 0.9, 0.25)


def test_nothing_given_gives_zero_and_a_message() -> None:
    result = biomass_study()
    assert result["heat_mwh_per_a"] == result["power_mwh_per_a"] == 0.0
    assert any("no biomass" in message for message in result["messages"])


def test_result_is_json_ready() -> None:
    result = biomass_study(
        green_cuttings_t_per_a=2000, wood_waste_t_per_a=1000, biowaste_t_per_a=1500
    )
    again = json.loads(json.dumps(result))
    assert again["heat_mwh_per_a"] == result["heat_mwh_per_a"]
    assert set(again["streams"]) == {"biogas", "pyrolysis", "sludge"}


def test_pure_functions_take_scalar_array_and_series() -> None:
    kwargs = {
        "moisture_share": 0.2,
        "lhv_dry_mj_per_kg": 18.5,
        "biochar_yield_dry": 0.3,
        "biochar_lhv_mj_per_kg": 30.0,
        "heat_recovery_efficiency": 0.8,
        "latent_heat_mj_per_kg": 2.442,
    }
    scalar = float(pyrolysis_balance(2.0, **kwargs)["heat_kwh"])
    array = pyrolysis_balance(np.array([1.0, 2.0]), **kwargs)["heat_kwh"]
    series = pyrolysis_balance(pd.Series([2.0]), **kwargs)["heat_kwh"]
    np.testing.assert_allclose(array, [scalar / 2, scalar])
    np.testing.assert_allclose(series, [scalar])
    np.testing.assert_allclose(
        methane_energy_kwh([1, 2], biogas_m3_per_t=100, methane_share=0.5, methane_kwh_per_m3=10),
        [500, 1000],
    )
    power, heat, own = chp_output_kwh(
        np.array([100.0]), eta_el=0.4, eta_th=0.4, digester_heat_share=0.25
    )
    np.testing.assert_allclose([power[0], heat[0], own[0]], [40.0, 30.0, 10.0])
    np.testing.assert_allclose(drying_heat_kwh([1.0, 2.0], heat_kwh_per_kg_water=0.9), [900, 1800])
    np.testing.assert_allclose(
        co2_stored_t([0.0, 1.0], carbon_fraction=0.5, permanence_factor=1.0, co2_per_carbon=4.0),
        [0.0, 2.0],
    )


@settings(max_examples=40, deadline=None)
@given(
    cuttings=st.floats(0, 1e5),
    wood=st.floats(0, 1e5),
    biowaste=st.floats(0, 1e5),
)
def test_outputs_never_exceed_the_input_energy(
    cuttings: float, wood: float, biowaste: float
) -> None:
    """First law: heat + power + energy left in the char <= chemical energy of the inputs."""
    p = parameters()
    result = biomass_study(
        green_cuttings_t_per_a=cuttings, wood_waste_t_per_a=wood, biowaste_t_per_a=biowaste
    )
    pyro = result["streams"]["pyrolysis"]
    fuel_in = result["streams"]["biogas"]["fuel_mwh"] + (
        pyro["dry_matter_t"] * p["pyrolysis"]["wood_lhv_dry_mj_per_kg"] / MJ_PER_KWH
    )
    char_energy = pyro["biochar_t"] * p["pyrolysis"]["biochar_lhv_mj_per_kg"] / MJ_PER_KWH
    out = result["heat_mwh_per_a"] + result["power_mwh_per_a"] + char_energy
    assert out <= fuel_in * (1 + 1e-9) + 1e-2
    assert result["heat_mwh_per_a"] >= 0

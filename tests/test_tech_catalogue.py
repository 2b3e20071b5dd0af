"""Technology catalogue rows taken from PyPSA technology-data: each equals the cited file's value.

Values below were read from PyPSA/technology-data ``outputs/costs_{year}.csv`` at commit
8d0c8bf2a43c458070a0b755a555e6535d644619 (2025, 2030) and 000fdb7257db0783651f7bfab89b80d1438c2791
(2040); they are the independent reference the catalogue must reproduce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heatplan.reference import catalogue

#: The catalogue copies the file's numbers; only float parsing may differ.
SOURCE_RTOL = 1e-9
#: One inflation factor explains several DEA sheets' round 2015 prices (4 decimals in the file).
INFLATION_RTOL = 1e-5

# 'central water-sourced heat pump' (DEA '40 Comp. hp, seawater 20 MW'), per year.
WATER_HP = {
    2025: {
        "specific_investment": 1058.2216,
        "fixed_om_pct_per_a": 0.5,
        "variable_om_eur_per_mwh": 1.7884,
        "cop_annual": 3.8,
        "lifetime_a": 40.0,
    },
    2030: {
        "specific_investment": 1058.2216,
        "fixed_om_pct_per_a": 0.5,
        "variable_om_eur_per_mwh": 1.6826,
        "cop_annual": 3.82,
        "lifetime_a": 40.0,
    },
}
# 'central solar thermal': investment [EUR/1000m2], FOM [%/year], lifetime [years]; same in all 3.
SOLAR_INVESTMENT_EUR_PER_1000_M2 = 148151.0278
SOLAR_FOM_PCT = 1.4
SOLAR_LIFETIME_A = 20.0
SOLAR_YEARS = (2025, 2030, 2040)


@pytest.mark.parametrize("year", sorted(WATER_HP))
def test_water_source_heat_pump_equals_technology_data(year: int) -> None:
    params = catalogue.technology("large_hp_water", year)
    for name, value in WATER_HP[year].items():
        assert params[name] == pytest.approx(value, rel=SOURCE_RTOL), name
    share = WATER_HP[year]["fixed_om_pct_per_a"] / 100
    assert params["fixed_om_share_per_a"] == pytest.approx(share)


def test_water_source_heat_pump_investment_scales_with_capacity() -> None:
    sizes_kw = np.array([5_000.0, 20_000.0])
    expected = sizes_kw * WATER_HP[2025]["specific_investment"]
    np.testing.assert_allclose(catalogue.investment_eur("large_hp_water", sizes_kw), expected)
    mid = catalogue.investment_eur("large_hp_water", 20_000.0, year=2027)
    assert mid == pytest.approx(20_000.0 * WATER_HP[2030]["specific_investment"], rel=SOURCE_RTOL)


def test_water_source_heat_pump_has_no_2040_value_in_the_cited_files() -> None:
    # costs_2040.csv at 000fdb72 (and the other stored versions) has no water-sourced heat pump;
    # the catalogue says so instead of extrapolating.
    assert catalogue.years("large_hp_water") == [2025, 2030]
    with pytest.raises(ValueError, match="no data for 2040"):
        catalogue.technology("large_hp_water", 2040)


@pytest.mark.parametrize("year", SOLAR_YEARS)
def test_open_field_solar_thermal_equals_technology_data(year: int) -> None:
    params = catalogue.technology("solar_thermal_field", year)
    assert params["specific_investment"] * 1000 == pytest.approx(
        SOLAR_INVESTMENT_EUR_PER_1000_M2, rel=SOURCE_RTOL
    )
    assert params["fixed_om_pct_per_a"] == pytest.approx(SOLAR_FOM_PCT, rel=SOURCE_RTOL)
    assert params["lifetime_a"] == pytest.approx(SOLAR_LIFETIME_A, rel=SOURCE_RTOL)
    area_m2 = pd.Series([1_000.0, 25_000.0])
    cost = catalogue.size_investment_eur("solar_thermal_field", area_m2, year=year)
    np.testing.assert_allclose(cost, area_m2 / 1000 * SOLAR_INVESTMENT_EUR_PER_1000_M2)


def test_open_field_solar_thermal_is_sized_by_collector_area() -> None:
    assert catalogue.capacity_unit("solar_thermal_field") == "m2"
    with pytest.raises(ValueError, match="sized in m2"):
        catalogue.investment_eur("solar_thermal_field", 1_000.0)


def test_river_water_heat_pump_kww_curve_resolves() -> None:
    # KWW Technikkatalog v1.1 curve (Langreder et al. 2024), quoted second-hand:
    # Invest = 70917 x P^0.55 [EUR, kW].
    expected = 70917.0 * 1_000.0**0.55
    assert catalogue.investment_eur("large_hp_river_kww", 1_000.0) == pytest.approx(expected)


def test_technology_data_money_is_in_eur_of_2020() -> None:
    # technology-data >= v0.8.0 multiplies DEA's 2015 prices by one HICP factor (eur_year 2020).
    # Three sheets whose 2015 prices are round numbers - 41 electric boiler 60, 44 gas boiler 50
    # and 40 seawater heat pump 1000 EUR/kW - must show the same factor.
    factors = [
        catalogue.technology("electrode_boiler", 2030)["specific_investment"] / 60.0,
        catalogue.technology("gas_boiler_central", 2030)["specific_investment"] / 50.0,
        catalogue.technology("large_hp_water", 2025)["specific_investment"] / 1000.0,
    ]
    assert factors == pytest.approx([factors[0]] * 3, rel=INFLATION_RTOL)
    assert 1.0 < factors[0] < 1.1  # 2015 -> 2020 consumer-price inflation in the euro area
    frame = catalogue.catalogue()
    via_td = frame["source"].str.contains("via PyPSA technology-data") & frame["parameter"].eq(
        "specific_investment"
    )
    assert set(frame.loc[via_td, "price_year"].astype(int)) == {2020}


# 'biogas engine' (DEA el & DH catalogue v16, gas engine on biogas) as printed in the fork
# BertoGBG/technology-data outputs/costs_{year}.csv at commit
# 00a3dd098dac81b19e7bdc2b9b4fb4d5842abb17: investment [EUR/MW_e, EUR of the fork's eur_year 2025],
# FOM [%/year], VOM [EUR/MWh_e], c_b [MWh_e/MWh_th], electrical efficiency [-], lifetime [years].
BIOGAS_ENGINE = {
    2025: {
        "investment": 1236739.1636,
        "FOM": 1.0298,
        "VOM": 9.6933,
        "c_b": 0.89,
        "efficiency": 0.42,
    },
    2030: {
        "investment": 1203313.7808,
        "FOM": 1.0333,
        "VOM": 9.3591,
        "c_b": 0.92,
        "efficiency": 0.43,
    },
    2040: {
        "investment": 1169888.3979,
        "FOM": 1.0166,
        "VOM": 8.6906,
        "c_b": 0.96,
        "efficiency": 0.44,
    },
}
BIOGAS_ENGINE_LIFETIME_A = 25.0


@pytest.mark.parametrize("year", sorted(BIOGAS_ENGINE))
def test_biogas_chp_equals_the_cited_dea_gas_engine(year: int) -> None:
    cited = BIOGAS_ENGINE[year]
    params = catalogue.technology("biogas_chp", year)
    assert params["specific_investment"] * 1000 == pytest.approx(
        cited["investment"], rel=SOURCE_RTOL
    )
    assert params["fixed_om_pct_per_a"] == pytest.approx(cited["FOM"], rel=SOURCE_RTOL)
    assert params["efficiency_electric"] == pytest.approx(cited["efficiency"], rel=SOURCE_RTOL)
    assert params["lifetime_a"] == pytest.approx(BIOGAS_ENGINE_LIFETIME_A, rel=SOURCE_RTOL)
    # c_b = P_el / Q_th of a backpressure unit: heat per fuel = eta_el / c_b, and the O&M cost
    # per MWh_e times MWh_e per MWh_th gives the catalogue's cost per MWh of heat.
    thermal = cited["efficiency"] / cited["c_b"]
    assert params["efficiency_thermal"] == pytest.approx(thermal, rel=SOURCE_RTOL)
    vom_per_mwh_th = cited["VOM"] * cited["c_b"]
    assert params["variable_om_eur_per_mwh"] == pytest.approx(vom_per_mwh_th, rel=SOURCE_RTOL)


def test_biogas_chp_is_sized_in_kw_e_and_priced_in_eur_of_2025() -> None:
    assert catalogue.capacity_unit("biogas_chp") == "kW_e"
    assert catalogue.years("biogas_chp") == sorted(BIOGAS_ENGINE)
    size_kw_e = np.array([250.0, 1_000.0])
    expected = size_kw_e / 1000 * BIOGAS_ENGINE[2030]["investment"]
    np.testing.assert_allclose(
        catalogue.investment_eur("biogas_chp", size_kw_e, year=2030), expected
    )
    frame = catalogue.catalogue()
    rows = frame[frame["technology"] == "biogas_chp"]
    money = rows["parameter"].isin(
        ["specific_investment", "fixed_om_pct_per_a", "variable_om_eur_per_mwh"]
    )
    assert set(rows.loc[money, "price_year"].astype(int)) == {2025}

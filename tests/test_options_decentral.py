"""Full cost of decentral options per building, checked against a hand-written VDI 2067 sum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heatplan.demand.climate import temperature_for_year, try_temperature
from heatplan.options.decentral import (
    Economics,
    building_state,
    compared_options,
    decentral_costs,
    design_temperature_c,
    option_lcoh,
    seasonal_factors,
)
from heatplan.reference import catalogue, parameter

RTOL_LCOH = 1e-9  # same arithmetic written twice: equal to rounding
#: Today's prices, no CO2 path: the hand-written sums below use the price of energy_prices.csv.
ECONOMICS = Economics(
    interest_rate=0.03,
    observation_period_a=20,
    price_change_rate=0.0,
    year=2025,
    co2_price_path=None,
)
#: The same money, with the technology catalogue's (DEA) investment instead of German prices.
CATALOGUE = Economics(
    interest_rate=0.03,
    observation_period_a=20,
    price_change_rate=0.0,
    year=2025,
    cost_source="technology_catalogue",
    co2_price_path=None,
)


@pytest.fixture(scope="module")
def weather() -> pd.Series:
    return temperature_for_year(try_temperature(13), 2025)  # DWD TRY 2010 region 13 (Offenburg)


def test_gas_reference_equals_the_annuity_written_by_hand() -> None:
    # A gas boiler with a 20-year life over 20 years has no replacement and no residual value,
    # so VDI 2067-1 reduces to LCOH = (I a + I f_om + E) / Q with a = q^T (q-1) / (q^T - 1).
    tech = catalogue.technology("gas_condensing_boiler_building", 2025)
    assert tech["lifetime_a"] == 20
    heat_kwh, capacity_kw = 20_000.0, 12.0
    invest = tech["specific_investment"] * capacity_kw
    q, years = 1.03, 20
    annuity = q**years * (q - 1) / (q**years - 1)
    energy = (
        heat_kwh
        / 1000
        / tech["efficiency"]
        * parameter("energy_prices.csv", "natural_gas_household_eur_per_mwh")
    )
    expected = (invest * annuity + invest * tech["fixed_om_share_per_a"] + energy) / 20.0
    got = option_lcoh(
        "gas",
        heat_kwh_per_a=pd.Series([heat_kwh]),
        capacity_kw=pd.Series([capacity_kw]),
        efficiency=pd.Series([tech["efficiency"]]),
        economics=CATALOGUE,
    )
    assert got.iloc[0] == pytest.approx(expected, rel=RTOL_LCOH)


def test_german_installed_gas_boiler_equals_the_cost_functions_written_by_hand() -> None:
    # Moritz, Czock & Ruhnau (2024): boiler 124.76 P + 3073.75 (P < 50 kW), hot-water store
    # 6.33 V + 714.80 with V = 40 l per occupant (P / 50 W/m2 / 30 m2 per occupant), installer
    # margin 50 % on that equipment, installation 1890.54 P^0.62, upkeep 20 EUR/(kW a).
    heat_kwh, load_kw = 20_000.0, 12.0
    boiler = 124.76 * load_kw + 3073.75
    store = 6.33 * (load_kw * 1000 / 50 / 30 * 40) + 714.80
    invest = 1.5 * (boiler + store) + 1890.54 * load_kw**0.62
    upkeep = 20.0 * load_kw
    tech = catalogue.technology("gas_condensing_boiler_building", 2025)
    q, years = 1.03, 20  # the catalogue's 20-year life: no replacement, no residual value
    annuity = q**years * (q - 1) / (q**years - 1)
    price = parameter("energy_prices.csv", "natural_gas_household_eur_per_mwh")
    energy = heat_kwh / 1000 / tech["efficiency"] * price
    expected = (invest * annuity + upkeep + energy) / 20.0
    got = option_lcoh(
        "gas",
        heat_kwh_per_a=pd.Series([heat_kwh]),
        capacity_kw=pd.Series([load_kw]),
        efficiency=pd.Series([tech["efficiency"]]),
        economics=ECONOMICS,
    )
    assert got.iloc[0] == pytest.approx(expected, rel=RTOL_LCOH)


def test_beg_grant_is_paid_once_on_the_capped_eligible_cost() -> None:
    # air heat pump, 9 kW: BEG EM base 30 % of at most 30,000 EUR of eligible cost, paid once;
    # the upkeep stays a share of the unfunded investment (VDI 2067-1)
    from heatplan.options.installed_cost import installed_investment_eur

    invest, upkeep = (float(v[0]) for v in installed_investment_eur("air_hp", np.array([9.0])))
    assert invest > 30_000  # German installed cost of a 9 kW air heat pump
    args = {
        "heat_kwh_per_a": pd.Series([15_000.0]),
        "capacity_kw": pd.Series([9.0]),
        "efficiency": pd.Series([3.0]),
        "economics": ECONOMICS,
    }
    funded = option_lcoh("air_hp", **args).iloc[0]
    unfunded = option_lcoh("air_hp", with_funding=False, **args).iloc[0]
    q, years = 1.03, 20
    annuity = q**years * (q - 1) / (q**years - 1)
    grant = 0.30 * 30_000
    assert (unfunded - funded) * 15.0 == pytest.approx(grant * annuity, rel=1e-9)
    assert upkeep == pytest.approx(25.0 * 9.0)


def test_the_co2_path_charges_the_levelised_gas_price_by_hand() -> None:
    # central path: BEHG 55 EUR/t in 2025, 60 in 2026, +10 EUR/t a year to 150 from 2035; the
    # gas price rises by the CO2 price change x 0.20196 t/MWh x 1.19 (VAT); levelised with 3 %
    base = parameter("energy_prices.csv", "natural_gas_household_eur_per_mwh")
    co2 = [55, 60, *(min(60 + 10 * (y - 2026), 150) for y in range(2027, 2045))]
    prices = [base + (c - 55) * 0.20196 * 1.19 for c in co2]
    weights = [1.03**-t for t in range(1, 21)]
    levelised = sum(p * w for p, w in zip(prices, weights, strict=True)) / sum(weights)
    # a constant gas volume: the network fee does not grow (test_price_components checks it)
    path = Economics.defaults(
        year=2025,
        co2_price_path="central",
        gas_volume=((2025.0, 1.0),),
        heat_pump_tariff="heat_pump_tariff",
    )
    assert path.energy_price_eur_per_mwh("natural_gas_household_eur_per_mwh") == pytest.approx(
        levelised, rel=1e-12
    )
    heat_pump = "electricity_heat_pump_eur_per_mwh"
    assert path.energy_price_eur_per_mwh(heat_pump) == pytest.approx(
        parameter("energy_prices.csv", heat_pump), rel=1e-12
    )  # no national CO2 price on power
    args = {
        "heat_kwh_per_a": pd.Series([20_000.0]),
        "capacity_kw": pd.Series([12.0]),
        "efficiency": pd.Series([0.97]),
    }
    today = option_lcoh("gas", economics=ECONOMICS, **args).iloc[0]
    rising = option_lcoh("gas", economics=path, **args).iloc[0]
    assert rising - today == pytest.approx((levelised - base) / 0.97, rel=1e-9)


def test_funding_lowers_the_heat_pump_cost_only_by_the_grant() -> None:
    args = {
        "heat_kwh_per_a": pd.Series([15_000.0]),
        "capacity_kw": pd.Series([9.0]),
        "efficiency": pd.Series([3.0]),
        "economics": ECONOMICS,
    }
    funded = option_lcoh("air_hp", **args).iloc[0]
    unfunded = option_lcoh("air_hp", with_funding=False, **args).iloc[0]
    assert funded < unfunded
    gas = option_lcoh("gas", **args).iloc[0]
    assert gas == pytest.approx(option_lcoh("gas", with_funding=False, **args).iloc[0])


def test_building_state_by_construction_year() -> None:
    years = pd.Series([1900, 1985, 2010, np.nan])
    assert building_state(years).tolist() == [
        "unrenovated",
        "renovated",
        "new_build",
        "unrenovated",
    ]


def test_seasonal_factors_are_ordered_and_plausible(weather: pd.Series) -> None:
    load = (15.0 - weather).clip(lower=0.0) + 0.5
    spf = seasonal_factors(weather, load)
    # colder emitters and ground sources give higher factors (Staffell et al. 2012)
    assert (spf["ground_hp"] > spf["air_hp"]).all()
    assert spf.loc["new_build", "air_hp"] > spf.loc["unrenovated", "air_hp"]
    # field tests: air-source SPF 2.5-3.6 in existing houses (Fraunhofer ISE WP-Monitor 2020)
    assert 2.0 < spf.loc["renovated", "air_hp"] < 3.8
    assert -16.0 < design_temperature_c(weather) < -5.0


def test_unusable_options_are_not_chosen(weather: pd.Series) -> None:
    load = (15.0 - weather).clip(lower=0.0) + 0.5
    buildings = pd.DataFrame(
        {
            "heat_demand_kwh_per_a": [20_000.0, 20_000.0, 0.0],
            "peak_load_kw": [10.0, 10.0, 0.0],
            "construction_year": [2010, 2010, 1950],
            "ground_ok": [True, False, True],
            "air_ok": [True, False, True],
        },
        index=["a", "b", "c"],
    )
    spf = seasonal_factors(weather, load)
    every = ("air_hp", "ground_hp", "biomass")
    costs = decentral_costs(buildings, spf=spf, economics=ECONOMICS, candidates=every)
    assert costs.loc["b", "best_decentral"] == "biomass"
    # by default the options the areas are compared with: heat pumps only, none usable for b
    compared = decentral_costs(buildings, spf=spf, economics=ECONOMICS)
    assert compared_options() == ("air_hp", "ground_hp")
    assert pd.isna(compared.loc["b", "best_decentral"])
    assert np.isnan(costs.loc["c", "lcoh_air_hp_eur_per_mwh"])
    assert pd.isna(costs.loc["c", "best_decentral"])

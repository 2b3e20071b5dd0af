"""Price components of the buildings' full cost: the gas network fee as customers leave, the
heat pump's electricity under § 14a EnWG (BNetzA BK8-22/010-A), and the economic perspective
(no VAT, no funding) — each checked against arithmetic written out by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.options import price_paths, tariffs
from heatplan.options.decentral import Economics, option_investment_eur, option_lcoh
from heatplan.reference import parameter

RTOL = 1e-9  # the same arithmetic written twice: equal to rounding
FEES = "gas_network_fees.csv"
HP = "heat_pump_tariffs.csv"
VAT = 0.19  # UStG § 12 (1)


def test_fee_grows_inversely_with_the_volume_and_stops_at_the_cap() -> None:
    # elasticity 1: half the gas, twice the fee; a tenth of the gas: 10x, capped at 4x
    factor = tariffs.fee_factor([1.0, 0.8, 0.5, 0.1, 0.0], elasticity=1.0, max_factor=4.0)
    assert factor == pytest.approx([1.0, 1.25, 2.0, 4.0, 4.0], rel=RTOL)
    half = tariffs.fee_factor(pd.Series([0.25]), elasticity=0.5, max_factor=10.0)
    assert half == pytest.approx([2.0], rel=RTOL)  # sqrt(1 / 0.25)


def test_gas_price_adds_the_fee_growth_of_the_volume_path_by_hand() -> None:
    # a town whose gas volume halves by 2035: the fee of 2025 doubles, with VAT on the increase
    path = ((2025.0, 1.0), (2035.0, 0.5))
    fee = parameter(FEES, "household_network_fee_eur_per_mwh")
    assert parameter(FEES, "fee_volume_elasticity") == 1.0
    surcharge = tariffs.gas_fee_surcharge_eur_per_mwh([2025, 2030, 2035], path)
    # 2030: volume 0.75 -> fee x 4/3
    expected = [0.0, fee * (1 / 0.75 - 1) * (1 + VAT), fee * (2.0 - 1.0) * (1 + VAT)]
    assert surcharge == pytest.approx(expected, rel=RTOL)
    key = "natural_gas_household_eur_per_mwh"
    with_fee = price_paths.household_price_eur_per_mwh(key, [2035], "central", path)
    without = price_paths.household_price_eur_per_mwh(key, [2035], "central", ((2025.0, 1.0),))
    assert with_fee - without == pytest.approx([fee * (1 + VAT)], rel=RTOL)
    # electricity carries no gas network fee
    power = "electricity_heat_pump_eur_per_mwh"
    assert price_paths.household_price_eur_per_mwh(power, [2035], "central", path) == (
        pytest.approx([parameter("energy_prices.csv", power)])
    )


def test_module_1_flat_reduction_matches_a_published_amount() -> None:
    # Stromnetz Hamburg 2024: 152.28 EUR net = 80 EUR + 20 % x 9.64 ct/kWh x 3,750 kWh
    assert tariffs.module_1_reduction_eur_per_a(
        network_fee_energy_price_eur_per_mwh=96.4
    ) == pytest.approx(152.30, abs=0.01)
    # the BNetzA's range for module 1 is 110-190 EUR a year gross; the data's default lies in it
    energy_fee = parameter(HP, "network_fee_energy_price_eur_per_mwh")
    gross = tariffs.module_1_reduction_eur_per_a(
        network_fee_energy_price_eur_per_mwh=energy_fee
    ) * (1 + VAT)
    assert 110.0 <= gross <= 190.0


def test_section_14a_modules_by_hand() -> None:
    household = parameter(HP, "household_electricity_eur_per_mwh")
    energy_fee = parameter(HP, "network_fee_energy_price_eur_per_mwh")
    meter = parameter(HP, "module_2_meter_eur_per_a")
    use = np.array([2.0, 5.0, 8.0])  # MWh of electricity a year
    flat_gross = (80.0 + 0.2 * energy_fee * 3.75) * (1 + VAT)
    one = tariffs.heat_pump_price_eur_per_mwh(use, tariff="module_1")
    assert one == pytest.approx(household - np.minimum(flat_gross / use, energy_fee * 1.19))
    two = tariffs.heat_pump_price_eur_per_mwh(use, tariff="module_2")
    assert two == pytest.approx(household - 0.6 * energy_fee * (1 + VAT) + meter / use, rel=RTOL)
    three = tariffs.heat_pump_price_eur_per_mwh(use, tariff="module_3")
    low = 0.25 * energy_fee * (1 + VAT) * (1 - 0.4)  # a quarter in the low windows at 40 %
    assert three == pytest.approx(one - low, rel=RTOL)
    cheapest = tariffs.heat_pump_price_components(use, tariff="cheapest")
    assert cheapest["price_eur_per_mwh"] == pytest.approx(np.minimum(one, two), rel=RTOL)
    # a small heat pump is better off with the flat reduction, a large one with module 2
    assert cheapest["module"].tolist() == [1.0, 2.0, 2.0]
    # the flat reduction never makes the price fall below the fee-free price
    tiny = tariffs.heat_pump_price_eur_per_mwh([0.1], tariff="module_1")
    assert tiny == pytest.approx([household - energy_fee * (1 + VAT)], rel=RTOL)
    with pytest.raises(ValueError, match="heat-pump tariff"):
        tariffs.heat_pump_price_eur_per_mwh(use, tariff="module_4")


def test_heat_pump_lcoh_charges_the_tariff_of_its_own_electricity_use() -> None:
    owner = Economics.defaults(year=2025, co2_price_path=None, heat_pump_tariff="module_2")
    published = Economics.defaults(
        year=2025, co2_price_path=None, heat_pump_tariff="heat_pump_tariff"
    )
    args = {
        "heat_kwh_per_a": pd.Series([15_000.0]),
        "capacity_kw": pd.Series([9.0]),
        "efficiency": pd.Series([3.0]),
    }
    price = tariffs.heat_pump_price_eur_per_mwh([5.0], tariff="module_2")[0]
    difference = (
        option_lcoh("air_hp", economics=owner, **args).iloc[0]
        - option_lcoh("air_hp", economics=published, **args).iloc[0]
    )
    reference = parameter("energy_prices.csv", "electricity_heat_pump_eur_per_mwh")
    assert difference == pytest.approx((price - reference) * 5.0 / 15.0, rel=1e-9)


def test_economic_perspective_strips_vat_and_funding_by_hand() -> None:
    owner = Economics.defaults(year=2025, co2_price_path=None, heat_pump_tariff="module_2")
    economic = owner.seen_as("economic")
    heat_mwh, efficiency, load = 15.0, 3.0, 9.0
    args = {
        "heat_kwh_per_a": pd.Series([heat_mwh * 1000]),
        "capacity_kw": pd.Series([load]),
        "efficiency": pd.Series([efficiency]),
    }
    gross, upkeep = (float(v[0]) for v in option_investment_eur("air_hp", np.array([load]), owner))
    net, net_upkeep = (
        float(v[0]) for v in option_investment_eur("air_hp", np.array([load]), economic)
    )
    assert net == pytest.approx(gross / (1 + VAT), rel=RTOL)  # German installed cost is gross
    assert net_upkeep == pytest.approx(upkeep / (1 + VAT), rel=RTOL)
    # without funding and VAT the whole LCOH (capital, upkeep, energy) is the owner's unfunded
    # LCOH over 1.19: every part of it is a gross price
    unfunded = option_lcoh("air_hp", economics=owner, with_funding=False, **args).iloc[0]
    got = option_lcoh("air_hp", economics=economic, **args).iloc[0]
    assert got == pytest.approx(unfunded / (1 + VAT), rel=1e-9)
    assert got < option_lcoh("air_hp", economics=owner, **args).iloc[0] * 1.5
    # the CO2 price stays in the economic perspective: only VAT leaves the gas price
    path = Economics.defaults(year=2025, co2_price_path="central")
    key = "natural_gas_household_eur_per_mwh"
    assert path.seen_as("economic").energy_price_eur_per_mwh(key) == pytest.approx(
        path.energy_price_eur_per_mwh(key) / (1 + VAT), rel=RTOL
    )
    assert path.energy_price_eur_per_mwh(key) > parameter("energy_prices.csv", key)
    with pytest.raises(ValueError, match="perspective"):
        owner.seen_as("tenant")


def test_calc_decentral_json_shows_the_price_components() -> None:
    args = ["calc", "decentral", "--heat-mwh-per-a", "20", "--peak-kw", "8", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    options = {o["option"]: o for o in json.loads(result.stdout)["options"]}
    gas = options["gas"]["energy_price_components"]
    assert gas["today_eur_per_mwh"] == pytest.approx(parameter("energy_prices.csv", gas_key()))
    assert gas["network_fee_growth_eur_per_mwh"] > 0 and gas["co2_path_eur_per_mwh"] > 0
    parts = gas["today_eur_per_mwh"] + gas["co2_path_eur_per_mwh"]
    assert parts + gas["network_fee_growth_eur_per_mwh"] == pytest.approx(
        options["gas"]["energy_price_eur_per_mwh"], rel=RTOL
    )
    air = options["air_hp"]
    hp = air["energy_price_components"]
    assert hp["module"] in (1.0, 2.0)
    assert hp["household_eur_per_mwh"] - hp["reduction_eur_per_mwh"] + hp[
        "meter_eur_per_mwh"
    ] == pytest.approx(air["energy_price_eur_per_mwh"], rel=RTOL)
    use = 20.0 / air["efficiency"]
    assert air["energy_cost_eur_per_a"] == pytest.approx(use * air["energy_price_eur_per_mwh"])
    # economic: no grant, no VAT -> below the owner's unfunded cost
    assert air["lcoh_economic_eur_per_mwh"] == pytest.approx(
        air["lcoh_unfunded_eur_per_mwh"] / (1 + VAT), rel=1e-9
    )
    module_1 = CliRunner().invoke(app, [*args, "--heat-pump-tariff", "module_1"])
    one = {o["option"]: o for o in json.loads(module_1.stdout)["options"]}["air_hp"]
    assert one["energy_price_components"]["module"] == 1.0


def gas_key() -> str:
    return "natural_gas_household_eur_per_mwh"

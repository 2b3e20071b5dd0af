"""Generators, storage and emissions: energy balances, impossible inputs, and the grid factor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heatplan.reference import catalogue, table
from heatplan.reference.emissions import carrier_co2_kg, grid_factor_g_per_kwh
from heatplan.tech.emissions import co2_kg, interpolate_factor
from heatplan.tech.generators import (
    Carrier,
    boiler_fuel_kwh,
    boiler_heat_kwh,
    boiler_on_carrier,
    chp_fuel_for_heat_kwh,
    chp_output,
    hydrogen,
    power_to_heat_electricity_kwh,
)
from heatplan.tech.storage import (
    cylinder_area_m2,
    labelled_tank_loss_w,
    standing_loss_kwh,
    ua_heat_loss_w,
)

RTOL = 1e-12  # plain arithmetic


# --- boilers and CHP -----------------------------------------------------------------------------


def test_boiler_fuel_is_heat_over_efficiency_for_scalar_array_and_series() -> None:
    heat = [0.0, 900.0, 1800.0]
    scalars = [boiler_fuel_kwh(h, efficiency=0.9) for h in heat]
    array = boiler_fuel_kwh(np.array(heat), efficiency=0.9)
    series = boiler_fuel_kwh(pd.Series(heat, index=[3, 4, 5]), efficiency=0.9)
    np.testing.assert_allclose(scalars, [0.0, 1000.0, 2000.0], rtol=RTOL)
    np.testing.assert_allclose(array, scalars, rtol=RTOL)
    assert list(series.index) == [3, 4, 5]
    np.testing.assert_allclose(series.to_numpy(), scalars, rtol=RTOL)
    assert boiler_heat_kwh(1000.0, efficiency=0.9) == pytest.approx(900.0)


@pytest.mark.parametrize("efficiency", [1.05, 0.0, -0.5, np.nan])
def test_impossible_boiler_efficiency_raises(efficiency: float) -> None:
    with pytest.raises(ValueError, match="efficiency"):
        boiler_fuel_kwh(100.0, efficiency=efficiency)


def test_condensing_boiler_above_one_on_net_calorific_value_needs_the_hs_hi_bound() -> None:
    # Danish Energy Agency sheet 44: gas boiler 1.035 on the net calorific value (catalogue).
    eff = catalogue.technology("gas_boiler_central", 2025)["efficiency"]
    with pytest.raises(ValueError, match="hs_hi_ratio"):
        boiler_fuel_kwh(1000.0, efficiency=eff)
    hs_hi = table("carriers.csv").set_index("carrier").at["natural_gas", "hs_hi_ratio"]
    assert boiler_fuel_kwh(1035.0, efficiency=eff, max_efficiency=hs_hi) == pytest.approx(1000.0)


def test_negative_heat_raises() -> None:
    with pytest.raises(ValueError, match="heat_kwh"):
        boiler_fuel_kwh(np.array([10.0, -1.0]), efficiency=0.9)


def test_chp_splits_fuel_into_power_and_heat() -> None:
    out = chp_output(np.array([1000.0, 2000.0]), efficiency_electric=0.4, efficiency_thermal=0.45)
    np.testing.assert_allclose(out.electricity_kwh, [400.0, 800.0])
    np.testing.assert_allclose(out.heat_kwh, [450.0, 900.0])
    assert chp_fuel_for_heat_kwh(450.0, efficiency_thermal=0.45) == pytest.approx(1000.0)
    with pytest.raises(ValueError, match="exceeds"):
        chp_output(1000.0, efficiency_electric=0.45, efficiency_thermal=0.6)


def test_power_to_heat_uses_the_sourced_efficiency() -> None:
    eff = catalogue.technology("electrode_boiler", 2025)["efficiency"]  # DEA sheet 41: 0.99
    assert eff == 0.99
    assert power_to_heat_electricity_kwh(990.0, efficiency=eff) == pytest.approx(1000.0)
    with pytest.raises(ValueError, match="power-to-heat"):
        power_to_heat_electricity_kwh(990.0, efficiency=1.2)


def test_hydrogen_is_limited_by_its_availability() -> None:
    h2 = hydrogen(price_eur_per_mwh=150.0, co2_g_per_kwh=10.0, available_kwh=1000.0)
    use = boiler_on_carrier(np.array([450.0, 1800.0]), efficiency=0.9, carrier=h2)
    np.testing.assert_allclose(use.fuel_kwh, [500.0, 1000.0])
    np.testing.assert_allclose(use.unmet_heat_kwh, [0.0, 900.0])
    np.testing.assert_allclose(use.cost_eur, [75.0, 150.0])
    np.testing.assert_allclose(use.co2_kg, [5.0, 10.0])
    np.testing.assert_allclose(use.heat_kwh + use.unmet_heat_kwh, [450.0, 1800.0])
    with pytest.raises(ValueError, match="price_eur_per_mwh"):
        Carrier("hydrogen", -1.0, 0.0)


# --- storage -------------------------------------------------------------------------------------


def test_labelled_tank_loss_hits_the_class_limit_at_the_test_difference() -> None:
    classes = table("storage_loss_classes.csv").set_index("energy_class")
    c = classes.loc["C"]
    args = {
        "offset_w": c["offset_w"],
        "coefficient_w_per_l04": c["coefficient_w_per_l04"],
        "test_temp_difference_k": c["test_temp_difference_k"],
    }
    # Regulation (EU) 812/2013, class C limit for 200 l: 16.66 + 8.33 x 200^0.4 W.
    assert labelled_tank_loss_w(200.0, 45.0, **args) == pytest.approx(16.66 + 8.33 * 200**0.4)
    half = labelled_tank_loss_w(np.array([200.0]), 22.5, **args)
    np.testing.assert_allclose(half, (16.66 + 8.33 * 200**0.4) / 2)
    better = classes.loc["A+"]
    assert labelled_tank_loss_w(
        200.0,
        45.0,
        offset_w=better["offset_w"],
        coefficient_w_per_l04=better["coefficient_w_per_l04"],
        test_temp_difference_k=45.0,
    ) < labelled_tank_loss_w(200.0, 45.0, **args)


def test_ua_loss_of_a_cylinder() -> None:
    area = cylinder_area_m2(1000.0, height_to_diameter=1.0)
    d = (4000.0 / np.pi) ** (1 / 3)
    assert area == pytest.approx(1.5 * np.pi * d**2)
    assert ua_heat_loss_w(area, 60.0, u_w_per_m2k=0.3) == pytest.approx(0.3 * area * 60.0)
    with pytest.raises(ValueError, match="u_w_per_m2k"):
        ua_heat_loss_w(area, 60.0, u_w_per_m2k=0.0)


def test_standing_losses_compound_by_day() -> None:
    one_day = standing_loss_kwh(1000.0, loss_share_per_day=0.02)
    assert one_day == pytest.approx(20.0)
    two_days = standing_loss_kwh(1000.0, loss_share_per_day=0.02, hours=48.0)
    assert two_days == pytest.approx(one_day + standing_loss_kwh(980.0, loss_share_per_day=0.02))
    with pytest.raises(ValueError, match="loss_share_per_day"):
        standing_loss_kwh(1000.0, loss_share_per_day=1.5)


# --- emissions -----------------------------------------------------------------------------------


def test_carrier_emissions_use_the_geg_factors() -> None:
    assert carrier_co2_kg(1000.0, "natural_gas") == pytest.approx(240.0)  # GEG 2024 Anlage 9
    assert co2_kg(np.array([1000.0, 0.0]), co2_g_per_kwh=560.0).tolist() == [560.0, 0.0]
    with pytest.raises(ValueError, match="unknown carrier"):
        carrier_co2_kg(1.0, "plutonium")
    with pytest.raises(ValueError, match="no emission factor"):
        carrier_co2_kg(1.0, "unknown")


def test_grid_factor_hits_the_sourced_points() -> None:
    points = table("grid_emission_factors.csv")
    for path, rows in points.groupby("path"):
        got = grid_factor_g_per_kwh(rows["year"].to_numpy(), path=str(path))
        np.testing.assert_allclose(got, rows["g_per_kwh"].to_numpy())
    # UBA Climate Change 13/2025, CO2 equivalents incl. upstream chains
    assert grid_factor_g_per_kwh(2022) == 498.0


def test_grid_factor_falls_year_by_year_to_2045_and_stays() -> None:
    years = np.arange(2022, 2051)
    factors = grid_factor_g_per_kwh(years)
    assert np.all(np.diff(factors[years <= 2045]) < 0)
    assert np.all(factors[years >= 2045] == factors[years == 2045][0])
    assert factors[years == 2045][0] > 0.0  # the projection keeps the upstream chains
    series = grid_factor_g_per_kwh(pd.Series([2030, 2040], index=["a", "b"]), path="ksg_target")
    assert list(series.index) == ["a", "b"]
    assert series["a"] == pytest.approx(427.0 * 15 / 21)  # linear between 2024 and 2045


def test_grid_factor_before_the_data_raises() -> None:
    with pytest.raises(ValueError, match="year"):
        grid_factor_g_per_kwh(1990)
    with pytest.raises(ValueError, match="increasing"):
        interpolate_factor(2030, years=[2030, 2020], factors_g_per_kwh=[1.0, 2.0])

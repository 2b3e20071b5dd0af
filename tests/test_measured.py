"""Measured consumption -> useful heat, weather-corrected (VDI 3807-1)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from heatplan.demand.measured import measured_heat_demand

HDD = {2020: 3000.0, 2021: 3500.0, 2022: 3200.0}


def _consumption() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "building_id": ["a"] * 5 + ["b", "b", "c", "d"],
            "year": pd.array([2019, 2020, 2021, 2022, 2022, None, None, 2021, 2023], dtype="Int64"),
            "carrier": ["natural_gas"] * 4
            + ["wood", "heating_oil", "heating_oil", "electricity", "district_heat"],
            "final_energy_kwh": [10000, 11000, 12000, 13000, 1000, 20000, 22000, 5000, 8000.0],
        }
    )


def test_three_recent_years_corrected() -> None:
    out = measured_heat_demand(_consumption(), 0.9, 3500.0, HDD, 0.15)
    gas = [0.9 * e * 0.85 * 3500 / HDD[y] for e, y in ((11000, 2020), (12000, 2021), (13000, 2022))]
    wood = 0.9 * 1000 * 0.85 * 3500 / 3200
    assert out.loc["a", "space_heating_kwh_per_a"] == pytest.approx(sum(gas) / 3 + wood)
    assert out.loc["a", "carrier"] == "natural_gas"
    assert out.loc["a", "years_used"] == 3 and out.loc["a", "weather_corrected"]


def test_normalised_values_are_averaged_and_electricity_excluded() -> None:
    out = measured_heat_demand(_consumption(), 0.9, 3500.0, HDD, 0.15)
    assert out.loc["b", "final_energy_kwh_per_a"] == pytest.approx(21000)
    assert "c" not in out.index  # household electricity is not heat
    assert not out.loc["d", "weather_corrected"]  # 2023 degree days unknown
    with_hp = measured_heat_demand(
        _consumption(), 3.0, 3500.0, HDD, 0.15, electric_heating_buildings=["c"]
    )
    assert with_hp.loc["c", "heat_demand_kwh_per_a"] == pytest.approx(
        5000 * 3.0 * (0.15 + 0.85)
    )  # 2021 = reference degree days


def test_per_building_efficiency_and_share() -> None:
    eff = pd.Series({"a": 0.9, "b": 0.8, "d": 0.98})
    share = pd.Series({"a": 0.1, "b": 0.2, "d": 0.0})
    out = measured_heat_demand(_consumption(), eff, 3500.0, HDD, share)
    assert out.loc["b", "hot_water_kwh_per_a"] == pytest.approx(21000 * 0.8 * 0.2)


@given(st.floats(100, 1e6), st.floats(0.0, 0.5))
def test_uncorrected_energy_balance(final_kwh: float, share: float) -> None:
    frame = pd.DataFrame(
        {
            "building_id": ["x"],
            "year": [2023],
            "carrier": ["natural_gas"],
            "final_energy_kwh": [final_kwh],
        }
    )
    out = measured_heat_demand(frame, 0.9, 3500.0, HDD, share)
    assert out.loc["x", "heat_demand_kwh_per_a"] == pytest.approx(0.9 * final_kwh)

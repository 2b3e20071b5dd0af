"""Vectorised BDEW/SigLinDe profiles against demandlib called per building."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from demandlib.bdew import HeatBuilding

from heatplan.demand.profiles import (
    aggregate_profile,
    german_holidays,
    hourly_profiles,
    parse_class,
    profile_class,
)
from heatplan.reference.weather import hourly_index, read_try, try_path

#: Agreement with demandlib per building.
PEER_RTOL = 1e-6
#: demandlib's residential hour factors do not sum to exactly 1 per day: its own annual sums
#: deviate from the input by up to ~5e-5 (EFH class 1, TRY 13); we reproduce demandlib.
ANNUAL_RTOL = 1e-4
YEAR = 2010
CLASSES = [
    "EFH_bc01_w0",
    "EFH_bc10_w0",
    "MFH_bc11_w0",
    "GKO_bc00_w0",
    "GHA_bc00_w0",
    "GBH_bc00_w0",
    "GMK_bc00_w0",
    "EFH_bc01_w0",
]


@pytest.fixture(scope="module")
def temperature() -> pd.Series:
    temps = read_try(try_path(13))["temp_air_c"].to_numpy()
    return pd.Series(temps, index=hourly_index(YEAR))


def test_equals_demandlib_per_building(temperature: pd.Series) -> None:
    holidays = german_holidays(YEAR, "BW")
    annual = pd.Series(
        [12000.0, 8000.0, 40000.0, 90000.0, 30000.0, 50000.0, 70000.0, 1.0],
        index=[f"b{i}" for i in range(len(CLASSES))],
    )
    classes = pd.Series(CLASSES, index=annual.index)
    result = hourly_profiles(annual, classes, temperature, year=YEAR, holidays=holidays)
    for building, name in classes.items():
        shlp, building_class, wind = parse_class(name)
        peer = HeatBuilding(
            temperature.index,
            holidays=holidays,
            temperature=temperature,
            shlp_type=shlp,
            building_class=building_class,
            wind_class=wind,
            annual_heat_demand=annual[building],
            name=name,
            ww_incl=True,
        ).get_bdew_profile()
        np.testing.assert_allclose(result[building], peer, rtol=PEER_RTOL)
    np.testing.assert_allclose(result.sum(), annual, rtol=ANNUAL_RTOL)
    total = aggregate_profile(annual, classes, temperature, year=YEAR, holidays=holidays)
    np.testing.assert_allclose(total, result.sum(axis=1), rtol=1e-9)


def test_unknown_class_and_nan() -> None:
    index = hourly_index(YEAR)
    temp = pd.Series(5.0, index=index)
    annual = pd.Series([np.nan, 0.0, 100.0])
    classes = pd.Series(["unknown", "unknown", "GHD_bc00_w0"])
    result = hourly_profiles(annual, classes, temp, year=YEAR)
    assert result[[0, 1]].to_numpy().sum() == 0
    with pytest.raises(ValueError, match="unknown"):
        hourly_profiles(pd.Series([5.0]), pd.Series(["unknown"]), temp, year=YEAR)
    with pytest.raises(ValueError, match="profile year"):
        hourly_profiles(annual, classes, temp, year=2011)


def test_profile_class() -> None:
    assert profile_class("sfh", "1958-1968") == "EFH_bc01_w0"
    assert profile_class("ab", "2016-") == "MFH_bc10_w0"
    assert profile_class("mfh", "unknown") == "MFH_bc11_w0"
    assert profile_class("restaurant", "unknown") == "GGA_bc00_w0"
    assert profile_class("unknown", "1958-1968") == "unknown"

"""TABULA typology (checked against IWU TABULA DE, Loga et al. 2015) and benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from heatplan.demand.typology import (
    age_class_for_year,
    estimate_heated_area_m2,
    typology_heat_demand,
    use_from_osm,
)
from heatplan.reference import table

#: Published TABULA values are given to 0.1 kWh/(m²a).
TABULA_ATOL = 0.05

# IWU TABULA DE q_h_nd existing state [kWh/(m²a)], Loga et al. 2015
PUBLISHED = [
    ("sfh", "-1859", 282.7),
    ("mfh", "-1859", 284.9),
    ("sfh", "1860-1918", 269.7),
    ("mfh", "1860-1918", 172.5),
    ("sfh", "1958-1968", 265.3),
    ("mfh", "1958-1968", 140.2),
    ("sfh", "1969-1978", 195.3),
    ("mfh", "1969-1978", 147.9),
    ("sfh", "1995-2001", 117.5),
    ("mfh", "1995-2001", 92.0),
    ("sfh", "2002-2009", 77.5),
    ("mfh", "2002-2009", 55.2),
    ("sfh", "2016-", 69.5),
    ("mfh", "2016-", 71.4),
]


@pytest.mark.parametrize(("use", "age", "q_h_nd"), PUBLISHED)
def test_tabula_against_published(use: str, age: str, q_h_nd: float) -> None:
    result = typology_heat_demand([use], [age], [1.0])
    assert result["space_heating_kwh_per_a"].iloc[0] == pytest.approx(q_h_nd, abs=TABULA_ATOL)
    assert result["demand_method"].iloc[0] == "typology"


def test_every_data_row_has_a_source() -> None:
    for name in (
        "tabula_residential.csv",
        "nonresidential_benchmarks.csv",
        "uses.csv",
        "age_classes.csv",
        "hot_water.csv",
        "heated_area.csv",
    ):
        assert table(name)["source"].notna().all(), name


def test_unknown_is_never_invented() -> None:
    result = typology_heat_demand(
        pd.Series(["sfh", "unknown", "mfh", "office"]),
        ["unknown", "1958-1968", "1958-1968", "unknown"],
        [100.0, 100.0, np.nan, 1000.0],
    )
    assert list(result["demand_method"]) == ["unknown", "unknown", "unknown", "benchmark"]
    assert result["heat_demand_kwh_per_a"].iloc[:3].isna().all()
    # office 1000 m² NGF: (49.0 x f(1000) + 8.1) kWh/(m²a), f = 4.53 x 1000^-0.215 + 0.27
    factor = 4.53 * 1000**-0.215 + 0.27
    assert result["heat_demand_kwh_per_a"].iloc[3] == pytest.approx((49.0 * factor + 8.1) * 1e3)


def test_age_class_for_year_forms() -> None:
    assert age_class_for_year(1859) == "-1859"
    assert age_class_for_year(1860) == "1860-1918"
    assert list(age_class_for_year(np.array([1978, 1979]))) == ["1969-1978", "1979-1983"]
    series = age_class_for_year(pd.Series([np.nan, 2030.0], index=[5, 6]))
    assert isinstance(series, pd.Series) and list(series.index) == [5, 6]
    assert list(series) == ["unknown", "2016-"]


def test_heated_area() -> None:
    assert estimate_heated_area_m2(100.0, 3, 8.4) == pytest.approx(0.32 * 840)
    assert estimate_heated_area_m2(100.0, 2, np.nan) == pytest.approx(0.32 * 100 * 2 * 2.75)
    assert np.isnan(estimate_heated_area_m2(100.0, np.nan, np.nan))
    high = estimate_heated_area_m2(np.array([100.0]), np.array([1.0]), np.array([4.0]))
    np.testing.assert_allclose(high, [(1 / 4 - 0.04) * 400])


def test_osm_mapping() -> None:
    assert list(use_from_osm(["yes", "house", "School", "garages", "castle"])) == [
        "unknown",
        "sfh",
        "school",
        "unheated",
        "unknown",
    ]


@given(st.lists(st.floats(0, 1e5), min_size=1, max_size=20))
def test_demand_linear_in_area(areas: list[float]) -> None:
    result = typology_heat_demand(["mfh"] * len(areas), ["1969-1978"] * len(areas), areas)
    np.testing.assert_allclose(result["heat_demand_kwh_per_a"], np.array(areas) * (147.9 + 15))

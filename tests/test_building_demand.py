"""Demand per building in the inventory: method order, matching, carriers, CO2e, generators.

Expected values are computed by hand from the reference tables (TABULA, GEG Anlage 9 factors,
heater efficiencies) — not by calling the code under test.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from heatplan.demand.buildings import building_demand, match_rows
from heatplan.demand.climate import ReferenceWeather

RTOL = 1e-12  # pure arithmetic on the same inputs
HDD_REFERENCE_KD = 3500.0  # any reference; metering years below are given relative to it


def _weather(hdd_by_year: dict[int, float] | None = None) -> ReferenceWeather:
    return ReferenceWeather(12, pd.Series(np.zeros(8760)), HDD_REFERENCE_KD, hdd_by_year or {})


def _buildings() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "building_id": ["A", "B", "C", "D"],
            "use": ["sfh", "mfh", "office", "unknown"],
            "construction_year": [1965.0, 1995.0, np.nan, np.nan],
            "floors": [2.0, 4.0, 3.0, np.nan],
            "height_m": [np.nan] * 4,
            "footprint_area_m2": [100.0, 300.0, 400.0, np.nan],
            "heated_area_m2": [150.0, np.nan, 1000.0, np.nan],
            "address": ["hauptstraße 1, 77746", "hauptstraße 2, 77746", None, "weg 3"],
        },
        geometry=shapely.points([(0, 0), (10, 0), (20, 0), (30, 0)]),
        crs="EPSG:25832",
    )


def _tabula(use: str, age: str) -> tuple[float, float]:
    frame = pd.read_csv("src/heatplan/data/tabula_residential.csv").set_index(["use", "age_class"])
    row = frame.loc[(use, age)]
    return float(row["space_heating_kwh_per_m2_a"]), float(row["hot_water_kwh_per_m2_a"])


def test_typology_when_nothing_is_metered() -> None:
    result = building_demand(_buildings(), consumption=None, heaters=None, weather=_weather())
    b = result.buildings.set_index("building_id")
    q_h, q_w = _tabula("sfh", "1958-1968")
    assert b.loc["A", "heat_demand_kwh_per_a"] == pytest.approx((q_h + q_w) * 150.0, rel=RTOL)
    assert b.loc["A", "demand_method"] == "typology"
    # B: A_N = 0.32/m x 300 m² x 4 x 2.75 m (GEG, storey height 2.75 m when only floors known)
    assert b.loc["B", "heated_area_m2"] == pytest.approx(0.32 * 300 * 4 * 2.75, rel=RTOL)
    assert b.loc["B", "heated_area_source"] == "estimated"
    assert b.loc["C", "demand_method"] == "benchmark"
    assert b.loc["D", "demand_method"] == "unknown"
    assert np.isnan(b.loc["D", "heat_demand_kwh_per_a"])
    # no carrier known anywhere: final energy and CO2e stay unknown, never invented
    assert set(b["carrier"]) == {"unknown"}
    assert b["final_energy_kwh_per_a"].isna().all()
    assert b["profile_class"].loc["D"] == "unknown"  # no demand, no profile needed


def test_measured_by_address_with_heater_efficiency_and_co2() -> None:
    consumption = pd.DataFrame(
        {
            "building_id": [None, None, None],
            "address": ["hauptstraße 1, 77746"] * 3,
            "year": [2021.0, 2022.0, 2023.0],
            "carrier": ["heating_oil"] * 3,
            "final_energy_kwh": [20_000.0, 22_000.0, 24_000.0],
        }
    )
    heaters = pd.DataFrame(
        {
            "building_id": ["A", "A"],
            "address": [None, None],
            "heater_type": ["boiler", "stove"],
            "carrier": ["heating_oil", "wood"],
            "capacity_kw": [25.0, 6.0],
            "install_year": [1998.0, 2010.0],
        }
    )
    result = building_demand(
        _buildings(), consumption=consumption, heaters=heaters, weather=_weather()
    )
    a = result.buildings.set_index("building_id").loc["A"]
    final = (20_000 + 22_000 + 24_000) / 3
    assert a["demand_method"] == "measured"
    assert a["final_energy_kwh_per_a"] == pytest.approx(final, rel=RTOL)
    assert a["heat_demand_kwh_per_a"] == pytest.approx(final * 0.85, rel=RTOL)  # boiler 0.85
    assert a["co2_t_per_a"] == pytest.approx(final * 310e-6, rel=RTOL)  # GEG: oil 310 g/kWh
    assert a["carrier"] == "heating_oil"
    assert a["heater_type"] == "boiler"  # the larger of the two
    assert a["generators"] == 2
    assert a["generators_source"] == "register"
    assert result.unmatched == {"consumption": 0, "heaters": 0}


def test_weather_correction_scales_space_heating_only() -> None:
    consumption = pd.DataFrame(
        {
            "building_id": ["A"],
            "address": [None],
            "year": [2023.0],
            "carrier": ["natural_gas"],
            "final_energy_kwh": [30_000.0],
        }
    )
    warm_year = {2023: HDD_REFERENCE_KD * 0.8}  # 20 % fewer degree days than the TRY
    result = building_demand(
        _buildings(), consumption=consumption, heaters=None, weather=_weather(warm_year)
    )
    a = result.buildings.set_index("building_id").loc["A"]
    q_h, q_w = _tabula("sfh", "1958-1968")
    useful = 30_000.0 * 0.90  # default efficiency of natural gas (data/carriers.csv)
    share = q_w / (q_h + q_w)
    expected = useful * share + useful * (1 - share) / 0.8
    assert a["heat_demand_kwh_per_a"] == pytest.approx(expected, rel=RTOL)
    assert bool(a["weather_corrected"])
    assert a["generators"] == 1 and a["generators_source"] == "inferred"


def test_rows_matching_no_building_are_counted() -> None:
    consumption = pd.DataFrame(
        {
            "building_id": ["nope", None],
            "address": [None, "unbekannt 9"],
            "year": [2023.0] * 2,
            "carrier": ["natural_gas"] * 2,
            "final_energy_kwh": [1.0, 2.0],
        }
    )
    result = building_demand(
        _buildings(), consumption=consumption, heaters=None, weather=_weather()
    )
    assert result.unmatched["consumption"] == 2
    assert (result.buildings["demand_method"] != "measured").all()


def test_unknown_use_with_demand_gets_a_flagged_fallback_profile() -> None:
    consumption = pd.DataFrame(
        {
            "building_id": ["D"],
            "address": [None],
            "year": [np.nan],
            "carrier": ["natural_gas"],
            "final_energy_kwh": [18_000.0],
        }
    )
    result = building_demand(
        _buildings(), consumption=consumption, heaters=None, weather=_weather()
    )
    d = result.buildings.set_index("building_id").loc["D"]
    assert d["use"] == "unknown"  # the use itself stays unknown
    assert d["profile_class"] == "EFH_bc11_w0"
    assert d["profile_class_source"].startswith("fallback")


def test_shared_address_goes_to_the_largest_building() -> None:
    buildings = _buildings()
    buildings.loc[1, "address"] = buildings.loc[0, "address"]
    rows = pd.DataFrame({"building_id": [None], "address": [buildings.loc[0, "address"]]})
    estimated = pd.Series([150.0, 1056.0, 1000.0, np.nan])  # B is larger than A
    frame = buildings.assign(heated_area_m2=estimated)
    assert match_rows(rows, frame).tolist() == ["B"]


def test_missing_floors_stay_unknown_unless_the_project_assumes_them() -> None:
    buildings = _buildings().assign(use="office", floors=[2.0, 4.0, np.nan, np.nan])
    buildings["heated_area_m2"] = np.nan
    buildings.loc[3, "footprint_area_m2"] = 200.0
    plain = building_demand(buildings, consumption=None, heaters=None, weather=_weather())
    assert np.isnan(plain.buildings.loc[3, "heated_area_m2"])
    assumed = building_demand(
        buildings, consumption=None, heaters=None, weather=_weather(), missing_floors="median"
    )
    d = assumed.buildings.loc[3]
    # median of the known storeys (2, 4) = 3; storey height 2.75 m; A_N = 0.32/m x V_e
    assert d["heated_area_m2"] == pytest.approx(0.32 * 200.0 * 3 * 2.75, rel=RTOL)
    assert d["heated_area_source"] == "estimated (assumed storeys)"
    assert assumed.buildings.loc[0, "heated_area_source"] == "estimated"


def test_a_building_without_postcode_takes_rows_with_one_when_unique() -> None:
    # the cadastre names street and number only; the chimney sweep and the utility add the
    # postcode: 'hauptstraße 12' takes 'hauptstraße 12, 77746'; two 'kirchstraße 3' (in two
    # villages of one municipality) take nothing - no guess
    buildings = pd.DataFrame(
        {
            "building_id": ["H12", "K3a", "K3b", "S1"],
            "address": ["hauptstraße 12", "kirchstraße 3", "kirchstraße 3", "schulweg 1, 77746"],
            "heated_area_m2": [150.0, 120.0, 100.0, 900.0],
        }
    )
    rows = pd.DataFrame(
        {
            "building_id": [None, None, None, None],
            "address": [
                "hauptstraße 12, 77746",
                "kirchstraße 3, 77746",
                "schulweg 1, 77746",
                "schulweg 1, 77749",
            ],
        }
    )
    matched = match_rows(rows, buildings)
    assert matched.where(matched.notna(), None).tolist() == ["H12", None, "S1", None]

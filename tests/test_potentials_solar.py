"""Solar potentials with pvlib and the DWD TRY 2010 weather: PV, roofs, open-field solar thermal."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pvlib
import pytest
import shapely
from pyproj import Transformer

from heatplan.potentials.solar import (
    collector_heat_w_per_m2,
    open_field_solar_thermal,
    pv_study,
    roof_potentials,
    try_station,
    try_weather,
)
from heatplan.reference.weather import hourly_index, read_try, try_path

JENA = {"lat": 50.93, "lon": 11.59}
#: Plausible German specific PV yield [kWh/(kWp a)]. Studie zum Ertrag von
#: Photovoltaikdachanlagen (te Heesen, Herbort, Rumpler, Hochschule Trier 2019-2021): monitored
#: roof systems yield about 900-1,100 kWh/kWp, very good ones above 1,150 in sunny years;
#: Fraunhofer ISE "Aktuelle Fakten zur Photovoltaik in Deutschland" quotes the same order.
PV_YIELD_GERMANY = (850.0, 1150.0)
#: Umweltministerium Baden-Württemberg, "Solarthermie - Voraussetzungen und Energiepotenzial":
#: 400-550 kWh per m² collector and year in Germany.
ROOF_THERMAL_RANGE = (400.0, 550.0)
#: Specific output of open-field collector fields in heat networks [kWh/(m² collector a)]:
#: 350-500 (sol-area.com "Freiflächen-Solarthermie", depending on network temperatures) and
#: 200-300 MWh from 500 m² = 400-600 (Austria Solar, solarwaerme.at).
FIELD_THERMAL_RANGE = (350.0, 600.0)


def _to_utm(lon: float, lat: float) -> tuple[float, float]:
    return Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)


def test_jena_pv_yield_in_the_german_range() -> None:
    result = pv_study(kwp=10.0, tilt=35.0, azimuth=180.0, **JENA)
    assert result["weather"]["try_region"] == 9
    assert result["weather"]["station"] == "Chemnitz"
    low, high = PV_YIELD_GERMANY
    assert low <= result["yield_kwh_per_kwp"] <= high
    assert result["annual_kwh"] == pytest.approx(10.0 * result["yield_kwh_per_kwp"], rel=1e-4)
    assert sum(result["monthly_kwh"]) == pytest.approx(result["annual_kwh"], rel=1e-3)
    # PVWatts default system losses 14.08 % (Dobos 2014); performance ratio of a good system
    assert result["system_losses_pct"] == pytest.approx(14.08, abs=0.01)
    assert 0.70 <= result["performance_ratio"] <= 0.90
    assert result["poa_kwh_per_m2"] > result["ghi_kwh_per_m2"]  # tilted south gains


def test_north_roof_yields_less_than_east_west_and_south() -> None:
    yields = {
        azimuth: pv_study(kwp=1.0, tilt=35.0, azimuth=azimuth, **JENA)["yield_kwh_per_kwp"]
        for azimuth in (0.0, 90.0, 180.0, 270.0)
    }
    assert yields[0.0] < yields[90.0] < yields[180.0]
    assert yields[0.0] < yields[270.0] < yields[180.0]


def test_pv_study_input_checks() -> None:
    with pytest.raises(ValueError, match="kwp"):
        pv_study(kwp=-1.0, tilt=30.0, azimuth=180.0, **JENA)
    with pytest.raises(ValueError, match="tilt"):
        pv_study(kwp=1.0, tilt=95.0, azimuth=180.0, **JENA)
    with pytest.raises(ValueError, match="azimuth"):
        pv_study(kwp=1.0, tilt=30.0, azimuth=-10.0, **JENA)
    with pytest.raises(ValueError, match="outside"):
        pv_study(kwp=1.0, tilt=30.0, azimuth=180.0, lat=48.86, lon=2.35)  # Paris
    assert pv_study(kwp=0.0, tilt=30.0, azimuth=180.0, **JENA)["annual_kwh"] == 0.0


def test_try_hours_are_cet_hour_ending_means() -> None:
    """The TRY header says 'Stunde (MEZ) 1..24'; values are means of the hour ending at HH.

    Placing the sun at the middle of each hour (HH - 0.5 h, UTC+1) fits the measured global
    irradiance better than the hour start or end, and leaves the fewest hours with irradiance
    while the sun is below the horizon.
    """
    weather = try_weather(9)
    assert weather.index[0] == pd.Timestamp("2010-01-01 00:30", tz="Etc/GMT-1")
    assert len(weather) == 8760
    ghi = read_try(try_path(9))["ghi_w_per_m2"].to_numpy()
    fit = {}
    for shift_h in (0.0, 0.5, 1.0):
        times = (hourly_index(2010) + pd.Timedelta(hours=shift_h)).tz_localize("Etc/GMT-1")
        zenith = pvlib.solarposition.get_solarposition(times, 50.8, 12.87)["zenith"].to_numpy()
        cos_zenith = np.cos(np.radians(zenith)).clip(0.0)
        fit[shift_h] = (
            np.corrcoef(ghi, cos_zenith)[0, 1],
            int(((ghi > 0) & (cos_zenith == 0)).sum()),
        )
    assert fit[0.5][0] > max(fit[0.0][0], fit[1.0][0])
    assert fit[0.5][1] < min(fit[0.0][1], fit[1.0][1])


def test_try_station_position_from_header() -> None:
    station = try_station(9)  # 'Lage: 50°48'N <- B.  12°52'O <- L.'
    assert station["lat"] == pytest.approx(50.8)
    assert station["lon"] == pytest.approx(12 + 52 / 60, abs=1e-4)


def test_collector_curve_by_hand_and_vectorised() -> None:
    # ISO 9806: q = eta0 G - a1 dT - a2 dT²; G 800 W/m², dT 30 K, eta0 0.8, a1 3.5, a2 0.015
    expected = 0.8 * 800 - 3.5 * 30 - 0.015 * 30**2
    assert float(collector_heat_w_per_m2(800.0, 20.0, 50.0, eta0=0.8, a1=3.5, a2=0.015)) == (
        pytest.approx(expected)
    )
    series = pd.Series([0.0, 800.0, 50.0])
    out = collector_heat_w_per_m2(series, 20.0, 50.0, eta0=0.8, a1=3.5, a2=0.015)
    np.testing.assert_allclose(out, [0.0, expected, 0.0])  # off at night and when losses win
    array = collector_heat_w_per_m2(
        np.array([800.0]), np.array([20.0]), 50.0, eta0=0.8, a1=3.5, a2=0.015
    )
    np.testing.assert_allclose(array, [expected])


def test_open_field_solar_thermal() -> None:
    result = open_field_solar_thermal(
        area_m2=10_000.0, temp_supply_c=80.0, temp_return_c=50.0, weather_region=9
    )
    low, high = FIELD_THERMAL_RANGE
    assert low <= result["kwh_per_m2_collector"] <= high
    assert result["collector_area_m2"] == pytest.approx(5_000.0)  # 0.5 m² per m² land
    assert result["kwh_per_m2_land"] == pytest.approx(0.5 * result["kwh_per_m2_collector"], abs=0.1)
    assert result["heat_mwh_per_a"] == pytest.approx(
        result["kwh_per_m2_collector"] * 5_000.0 / 1000.0, rel=1e-3
    )
    assert sum(result["monthly_mwh"]) == pytest.approx(result["heat_mwh_per_a"], rel=1e-3)
    warmer = open_field_solar_thermal(
        area_m2=10_000.0, temp_supply_c=95.0, temp_return_c=65.0, weather_region=9
    )
    assert warmer["kwh_per_m2_collector"] < result["kwh_per_m2_collector"]
    with pytest.raises(ValueError, match="below"):
        open_field_solar_thermal(area_m2=1.0, temp_supply_c=40, temp_return_c=60, weather_region=9)
    with pytest.raises(ValueError, match="area_m2"):
        open_field_solar_thermal(area_m2=-1.0, temp_supply_c=80, temp_return_c=50, weather_region=9)
    with pytest.raises(ValueError, match="region"):
        open_field_solar_thermal(area_m2=1.0, temp_supply_c=80, temp_return_c=50, weather_region=16)


@pytest.fixture(scope="module")
def jena_roofs() -> gpd.GeoDataFrame:
    x, y = _to_utm(JENA["lon"], JENA["lat"])
    return gpd.GeoDataFrame(
        {"building_id": ["house", "block", "hall"], "use": ["sfh", "ab", "unknown"]},
        geometry=[
            shapely.box(x, y, x + 10, y + 10),
            shapely.box(x + 50, y, x + 80, y + 20),
            shapely.box(x + 150, y, x + 170, y + 20),
        ],
        crs="EPSG:25832",
    )


def test_roof_potentials_by_hand(jena_roofs: gpd.GeoDataFrame) -> None:
    roofs = roof_potentials(jena_roofs, 9).set_index("building_id")
    assert list(roofs["roof_type"]) == ["pitched", "flat", "flat"]
    # pitched 35°: roof = 100 m² / cos 35°; modules on one face (0.5) x usable 0.6
    roof = 100.0 / math.cos(math.radians(35.0))
    assert roofs.loc["house", "roof_area_m2"] == pytest.approx(roof)
    assert roofs.loc["house", "pv_kwp"] == pytest.approx(roof * 0.5 * 0.6 * 0.20)
    # flat: 600 m² x usable 0.6 x ground cover 0.4 = 144 m² modules = 28.8 kWp
    assert roofs.loc["block", "module_area_m2"] == pytest.approx(144.0)
    assert roofs.loc["block", "pv_kwp"] == pytest.approx(28.8)
    for name in roofs.index:
        per_kwp = roofs.loc[name, "pv_kwh_per_a"] / roofs.loc[name, "pv_kwp"]
        assert PV_YIELD_GERMANY[0] <= per_kwp <= PV_YIELD_GERMANY[1]
        per_m2 = roofs.loc[name, "solar_thermal_kwh_per_a"] / roofs.loc[name, "module_area_m2"]
        assert ROOF_THERMAL_RANGE[0] <= per_m2 <= ROOF_THERMAL_RANGE[1]
    # a pitched roof of unknown orientation yields less per kWp than a south-facing flat roof
    pitched = roofs.loc["house", "pv_kwh_per_a"] / roofs.loc["house", "pv_kwp"]
    flat = roofs.loc["block", "pv_kwh_per_a"] / roofs.loc["block", "pv_kwp"]
    assert pitched < flat
    assert roofs.crs == jena_roofs.crs


def test_roof_type_column_overrides_and_is_checked(jena_roofs: gpd.GeoDataFrame) -> None:
    given = jena_roofs.assign(roof_type=["flat", None, "Pitched"])
    roofs = roof_potentials(given, 9)
    assert list(roofs["roof_type"]) == ["flat", "flat", "pitched"]
    with pytest.raises(ValueError, match="roof_type"):
        roof_potentials(jena_roofs.assign(roof_type="dome"), 9)
    with pytest.raises(ValueError, match="CRS"):
        roof_potentials(jena_roofs.set_crs(None, allow_override=True), 9)
    with pytest.raises(ValueError, match="negative"):
        roof_potentials(jena_roofs.assign(footprint_area_m2=[-1.0, 1.0, 1.0]), 9)
    empty = roof_potentials(jena_roofs.iloc[:0], 9)
    assert empty.empty and "pv_kwh_per_a" in empty.columns

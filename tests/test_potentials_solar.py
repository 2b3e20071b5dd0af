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
    face_potentials,
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


# --- LoD2 roof faces -------------------------------------------------------------------------
#: The heatplan chain and pvlib's own ModelChain (PVWatts options) differ only in how each
#: places the sun and fills night hours: a face at a bin's exact orientation agrees to 0.5 %.
CHAIN_RTOL = 0.005
#: A face 2° off its 5° bin in tilt and azimuth: the bin's yield is within 2 % of the face's.
BIN_RTOL = 0.02


def _faces(**columns: list) -> pd.DataFrame:
    return pd.DataFrame({"building_id": "house", **columns})


def _modelchain_yield_kwh_per_kwp(tilt: float, azimuth: float) -> float:
    """Specific AC yield of one face with pvlib's ModelChain, independent of heatplan's chain."""
    weather = try_weather(9)
    location = pvlib.location.Location(JENA["lat"], JENA["lon"], tz="Etc/GMT-1")
    sun = location.get_solarposition(weather.index, temperature=weather["temp_air_c"])
    ghi, dhi = weather["ghi_w_per_m2"], weather["dhi_w_per_m2"]
    system = pvlib.pvsystem.PVSystem(
        surface_tilt=tilt,
        surface_azimuth=azimuth,
        albedo=0.2,
        module_parameters={"pdc0": 1000.0, "gamma_pdc": -0.0035},  # 1 kWp, PVWatts premium
        inverter_parameters={"pdc0": 1000.0 / 1.1 / 0.96, "eta_inv_nom": 0.96},
        temperature_model_parameters=pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][
            "close_mount_glass_glass"
        ],
    )
    chain = pvlib.modelchain.ModelChain(
        system,
        location,
        aoi_model="physical",
        spectral_model="no_loss",
        transposition_model="perez",
        losses_model="pvwatts",
    )
    dni = pvlib.irradiance.dni(ghi, dhi, sun["zenith"]).fillna(0.0)
    chain.run_model(
        pd.DataFrame(
            {
                "ghi": ghi,
                "dhi": dhi,
                "dni": dni,
                "temp_air": weather["temp_air_c"],
                "wind_speed": weather["wind_speed_m_per_s"],
            }
        )
    )
    return float(chain.results.ac.fillna(0.0).sum()) / 1000.0


def test_a_roof_face_yields_what_pvlib_gives_at_its_orientation() -> None:
    faces = _faces(
        area_m2=[60.0, 60.0, 60.0], tilt_deg=[30.0, 32.0, 47.0], azimuth_deg=[195.0, 197.0, 93.0]
    )
    found = face_potentials(faces, weather_region=9, **JENA)
    assert found["included"].all()
    # modules flush on the face: 60 m² x usable share 0.6 (solar_roof_types.csv, pitched)
    np.testing.assert_allclose(found["module_area_m2"], 36.0)
    np.testing.assert_allclose(found["pv_kwp"], 36.0 * 0.20)
    specific = found["pv_kwh_per_a"] / found["pv_kwp"]
    assert specific[0] == pytest.approx(_modelchain_yield_kwh_per_kwp(30.0, 195.0), rel=CHAIN_RTOL)
    assert specific[1] == pytest.approx(_modelchain_yield_kwh_per_kwp(32.0, 197.0), rel=BIN_RTOL)
    assert specific[2] == pytest.approx(_modelchain_yield_kwh_per_kwp(47.0, 93.0), rel=BIN_RTOL)


def test_a_north_face_yields_less_than_a_south_face_of_the_same_area() -> None:
    faces = _faces(area_m2=[60.0, 60.0], tilt_deg=[35.0, 35.0], azimuth_deg=[180.0, 0.0])
    south, north = face_potentials(faces, weather_region=9, **JENA).itertuples()
    assert north.pv_kwh_per_a < south.pv_kwh_per_a
    assert north.solar_thermal_kwh_per_a < south.solar_thermal_kwh_per_a
    # the north face gets under 75 % of the best plane's irradiation: left out (LUBW rule)
    assert north.irradiation_share < 0.75 <= south.irradiation_share
    assert (north.included, north.pv_kwp) == (False, 0.0)


def test_small_pitched_faces_are_left_out_and_flat_faces_carry_tilted_rows() -> None:
    # 15 m² x 0.6 = 9 m² modules: under the 10 m² of a usable face; 100 m² flat roof:
    # south rows like the flat roof type (0.6 usable x 0.4 ground cover = 24 m² modules)
    faces = _faces(area_m2=[15.0, 100.0], tilt_deg=[35.0, 0.0], azimuth_deg=[180.0, np.nan])
    small, flat = face_potentials(faces, weather_region=9, **JENA).itertuples()
    assert (small.included, small.module_area_m2) == (False, 0.0)
    assert (flat.flat, flat.included, flat.module_area_m2) == (True, True, pytest.approx(24.0))
    flat_roof = pv_study(kwp=1.0, tilt=30.0, azimuth=180.0, mounting="rack", **JENA)
    assert flat.pv_kwh_per_a / flat.pv_kwp == pytest.approx(
        flat_roof["yield_kwh_per_kwp"], abs=0.05
    )


def test_buildings_with_faces_use_them_and_the_rest_stays_an_estimate(
    jena_roofs: gpd.GeoDataFrame,
) -> None:
    faces = pd.DataFrame(
        {
            "building_id": ["house", "house", "house"],
            "area_m2": [56.0, 56.0, 20.0],
            "tilt_deg": [45.0, 45.0, 45.0],
            "azimuth_deg": [180.0, 0.0, 90.0],
        }
    )
    estimate = roof_potentials(jena_roofs, 9).set_index("building_id")
    roofs = roof_potentials(jena_roofs, 9, faces).set_index("building_id")
    assert list(roofs["roof_basis"]) == ["lod2_faces", "footprint_estimate", "footprint_estimate"]
    expected = face_potentials(faces, weather_region=9, **JENA)
    assert roofs.loc["house", "roof_area_m2"] == pytest.approx(132.0)  # every face
    for name in ("module_area_m2", "pv_kwp", "pv_kwh_per_a", "solar_thermal_kwh_per_a"):
        assert roofs.loc["house", name] == pytest.approx(expected[name].sum())
    # south face and east face kept, north face out: 2 x 0.6 = 1.2 of their areas
    assert roofs.loc["house", "module_area_m2"] == pytest.approx((56.0 + 20.0) * 0.6)
    pd.testing.assert_series_equal(roofs.loc["block"], estimate.loc["block"])


def test_existing_pv_is_taken_from_the_potential_never_below_zero(
    jena_roofs: gpd.GeoDataFrame,
) -> None:
    given = jena_roofs.assign(pv_existing_kw=[5.0, 100.0, np.nan])
    roofs = roof_potentials(given, 9).set_index("building_id")
    kwp = roofs["pv_kwp"]
    assert roofs.loc["house", "pv_free_kwp"] == pytest.approx(kwp["house"] - 5.0)
    assert roofs.loc["block", "pv_free_kwp"] == 0.0  # 100 kW installed > 28.8 kWp potential
    assert roofs.loc["hall", "pv_free_kwp"] == kwp["hall"]  # nothing known installed
    assert np.isnan(roofs.loc["hall", "pv_existing_kw"])  # unknown stays unknown
    per_kwp = roofs.loc["house", "pv_kwh_per_a"] / kwp["house"]
    assert roofs.loc["house", "pv_free_kwh_per_a"] == pytest.approx((kwp["house"] - 5.0) * per_kwp)

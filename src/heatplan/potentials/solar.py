"""Solar potentials: PV and solar thermal on roofs and open fields (pvlib, DWD TRY 2010 weather).

Weather is the mean-year DWD TRY 2010 of a climate region [1]_. Its hours are CET (UTC+1, no
daylight saving) and each value is the mean of the hour *ending* at ``HH``; the sun is therefore
placed at the middle of each hour (``HH - 0.5`` h CET). The irradiance chain follows pvlib:
solar position, DNI from GHI and DHI, Perez transposition, PVWatts incidence-angle modifier,
Sandia cell temperature, PVWatts DC power, system losses and inverter [2]_ [3]_. Solar thermal
yields use the ISO 9806 steady-state collector curve hour by hour. Roofs with LoD2 faces are
computed face by face (:func:`face_potentials`, one yield per 5° orientation bin), others from
the footprint and a roof type; ``roof_basis`` says which.

Every default lives in ``data/solar_*.csv`` with its source.

References
----------
.. [1] DWD/BBSR (2011): Testreferenzjahre für Deutschland (TRY 2010). BibTeX ``DWDTRY2011``.
.. [2] Dobos, A. P. (2014): PVWatts Version 5 Manual, NREL/TP-6A20-62641. ``Dobos2014``.
.. [3] Holmgren, W. F., Hansen, C. W., Mikofski, M. A. (2018): pvlib python, JOSS 3(29):884.
"""

from __future__ import annotations

import math
import re
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pvlib
import shapely
from numpy.typing import ArrayLike

from heatplan.plan import columns as col
from heatplan.reference import parameter, parameter_group, table
from heatplan.reference.weather import TRY_NOMINAL_YEAR, hourly_index, read_try, try_path

#: TRY 2010 hours are CET all year (UTC+1); pvlib's Etc/GMT-1 is UTC+1 (POSIX sign).
TRY_TIMEZONE = "Etc/GMT-1"
#: Azimuths [°] over which the better face of a pitched roof of unknown orientation is averaged.
PITCHED_AZIMUTHS_DEG = np.linspace(90.0, 270.0, 9)
ROOF_COLUMNS = [
    col.BUILDING_ID,
    "roof_type",
    "roof_basis",
    "roof_area_m2",
    "module_area_m2",
    "pv_kwp",
    "pv_kwh_per_a",
    "solar_thermal_kwh_per_a",
    "pv_existing_kw",
    "pv_free_kwp",
    "pv_free_kwh_per_a",
]
#: ``roof_basis``: the roof figures come from the LoD2 roof faces, or are estimated from the
#: footprint and a roof type (data/solar_roof_types.csv).
ROOF_BASIS_FACES = "lod2_faces"
ROOF_BASIS_ESTIMATE = "footprint_estimate"


# --------------------------------------------------------------------------- reference data
def _parameters(group: str) -> dict[str, float]:
    return parameter_group("solar_parameters.csv", group)


def _collector(name: str) -> tuple[float, float, float]:
    row = table("solar_collectors.csv").set_index("collector").loc[name]
    return float(row["eta0"]), float(row["a1_w_per_m2k"]), float(row["a2_w_per_m2k2"])


# --------------------------------------------------------------------------- weather
@cache
def _try_weather(region: int) -> pd.DataFrame:
    frame = read_try(try_path(region))
    middle = hourly_index(TRY_NOMINAL_YEAR) + pd.Timedelta(minutes=30)
    frame.index = middle.tz_localize(TRY_TIMEZONE)
    return frame


def try_weather(region: int) -> pd.DataFrame:
    """TRY 2010 weather of ``region`` indexed by the middle of each hour (tz-aware, CET).

    Columns as :func:`heatplan.inputs.weather.read_try`: temp_air_c [°C], wind_speed_m_per_s [m/s],
    ghi_w_per_m2 and dhi_w_per_m2 [W/m²] (hourly means of the hour ending at ``hour``).
    """
    return _try_weather(int(region)).copy()


@cache
def try_station(region: int) -> dict[str, object]:
    """Name and position of the TRY reference station (from the file header).

    Returns a dict with try_region, station, lat, lon [° WGS84] (the header gives degrees and
    minutes, e.g. ``Lage: 50°48'N <- B.  12°52'O <- L.``).
    """
    lines = try_path(region).read_text(encoding="latin-1").splitlines()[:4]
    station = lines[1].split(":", 1)[1].split("WMO")[0].strip()
    lat_part, lon_part = lines[2].split(":", 1)[1].split("<-")[:2]
    return {
        "dataset": "DWD TRY 2010, mean year",
        "try_region": int(region),
        "station": station,
        "lat": _degrees(lat_part),
        "lon": _degrees(lon_part.split("B.")[-1]),
    }


def _degrees(text: str) -> float:
    match = re.search(r"(\d+)\D+?(\d+)'", text)
    if match is None:
        raise ValueError(f"cannot read a position in degrees and minutes from {text!r}")
    return round(int(match[1]) + int(match[2]) / 60.0, 4)


def _region_for(lat: float, lon: float) -> int:
    from heatplan.reference.weather import region_for_point

    return region_for_point(lon, lat)


# --------------------------------------------------------------------------- physics
def plane_of_array(
    weather: pd.DataFrame,
    solar_position: pd.DataFrame,
    *,
    surface_tilt: float,
    surface_azimuth: float,
    albedo: float,
) -> pd.DataFrame:
    """Irradiance on a tilted plane with the Perez model [W/m²].

    Parameters
    ----------
    weather : DataFrame
        ghi_w_per_m2, dhi_w_per_m2 [W/m²] on a tz-aware index.
    solar_position : DataFrame
        pvlib solar position on the same index (zenith, apparent_zenith, azimuth [°]).
    surface_tilt, surface_azimuth : float
        Plane tilt from horizontal and azimuth east of north (180 = south) [°].
    albedo : float
        Ground reflectance [-].

    Returns
    -------
    DataFrame
        pvlib's poa_global, poa_direct, poa_diffuse, ... [W/m²]. Hours whose mid-hour sun
        stands 88° or more from the zenith carry no beam (pvlib.irradiance.dni gives NaN
        there); in the Jena TRY that drops 0.6 of 510 kWh/m² horizontal beam a year.
    """
    ghi = weather["ghi_w_per_m2"]
    dhi = weather["dhi_w_per_m2"]
    # DNI of hours with the mid-hour sun near or below the horizon is undefined (NaN): no beam.
    dni = pvlib.irradiance.dni(ghi, dhi, solar_position["zenith"]).fillna(0.0)
    day = solar_position["apparent_zenith"] < 90.0
    airmass = pvlib.atmosphere.get_relative_airmass(solar_position["apparent_zenith"].where(day))
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt,
        surface_azimuth,
        solar_position["apparent_zenith"],
        solar_position["azimuth"],
        dni,
        ghi,
        dhi,
        dni_extra=pvlib.irradiance.get_extra_radiation(weather.index),
        airmass=airmass.fillna(1.0),
        albedo=albedo,
        model="perez",
    )
    return poa.fillna(0.0).clip(lower=0.0)


def collector_heat_w_per_m2(
    irradiance_w_per_m2: ArrayLike,
    temp_air_c: ArrayLike,
    temp_mean_c: ArrayLike,
    *,
    eta0: float,
    a1: float,
    a2: float,
) -> np.ndarray:
    """Useful heat of a solar collector from the ISO 9806 steady-state curve [W/m²].

    Parameters
    ----------
    irradiance_w_per_m2 : numeric
        Global irradiance on the collector plane [W/m²].
    temp_air_c : numeric
        Ambient air temperature [°C].
    temp_mean_c : numeric
        Mean fluid temperature of the collector, (inlet + outlet) / 2 [°C].
    eta0 : float
        Zero-loss efficiency [-].
    a1 : float
        First-order heat-loss coefficient [W/(m² K)].
    a2 : float
        Second-order heat-loss coefficient [W/(m² K²)].

    Returns
    -------
    numpy.ndarray
        q = max(0, eta0 G - a1 dT - a2 dT²) with dT = T_mean - T_air [W/m²]; the collector loop
        is off (q = 0) when losses exceed the absorbed irradiance.

    Examples
    --------
    >>> float(collector_heat_w_per_m2(1000.0, 20.0, 50.0, eta0=0.8, a1=3.5, a2=0.015))
    681.5
    >>> collector_heat_w_per_m2([0.0, 100.0], 0.0, 60.0, eta0=0.8, a1=3.5, a2=0.015).tolist()
    [0.0, 0.0]
    """
    irradiance = np.asarray(irradiance_w_per_m2, dtype=float)
    delta = np.asarray(temp_mean_c, dtype=float) - np.asarray(temp_air_c, dtype=float)
    heat = eta0 * irradiance - a1 * delta - a2 * delta**2
    return np.where(irradiance > 0.0, np.maximum(heat, 0.0), 0.0)


def _system_loss_fraction() -> float:
    losses = _parameters("pv_losses")
    return float(pvlib.pvsystem.pvwatts_losses(**losses)) / 100.0


def effective_irradiance(
    poa: pd.DataFrame,
    solar_position: pd.DataFrame,
    *,
    surface_tilt: float,
    surface_azimuth: float,
) -> pd.Series:
    """Irradiance reaching the absorber behind the glass cover [W/m²].

    Beam irradiance times the PVWatts glass-cover incidence-angle modifier (pvlib.iam.physical
    with the parameters of data/solar_parameters.csv) plus the diffuse irradiance, as in
    PVWatts Version 5. Used for PV modules and, as an approximation, for glazed collectors.
    """
    pv = _parameters("pv")
    aoi = pvlib.irradiance.aoi(
        surface_tilt, surface_azimuth, solar_position["apparent_zenith"], solar_position["azimuth"]
    )
    iam = pvlib.iam.physical(aoi, n=pv["iam_n"], K=pv["iam_k"], L=pv["iam_l"])
    return (poa["poa_direct"] * iam + poa["poa_diffuse"]).rename("effective_w_per_m2")


def pv_ac_w_per_kwp(
    effective_w_per_m2: pd.Series,
    poa_global_w_per_m2: pd.Series,
    weather: pd.DataFrame,
    *,
    mounting: str,
) -> pd.Series:
    """AC power of 1 kWp of PV per hour with the PVWatts chain [W per kWp].

    Sandia cell temperature for the ``mounting`` ('roof' or 'rack', data/solar_parameters.csv)
    from the plane-of-array irradiance, air temperature and 10 m wind speed;
    pvlib.pvsystem.pvwatts_dc on the effective irradiance; PVWatts system losses;
    pvlib.inverter.pvwatts at the PVWatts DC/AC ratio.
    """
    pv = _parameters("pv")
    temp = _parameters(f"temp_{mounting}")
    temp_cell = pvlib.temperature.sapm_cell(
        poa_global_w_per_m2,
        weather["temp_air_c"],
        weather["wind_speed_m_per_s"],
        temp["sapm_a"],
        temp["sapm_b"],
        temp["sapm_deltat"],
    )
    dc = pvlib.pvsystem.pvwatts_dc(effective_w_per_m2, temp_cell, 1000.0, pv["gamma_pdc"])
    dc = dc * (1.0 - _system_loss_fraction())
    inverter_dc_w = 1000.0 / pv["dc_ac_ratio"] / pv["inverter_eta_nom"]
    ac = pvlib.inverter.pvwatts(
        dc.to_numpy(),
        inverter_dc_w,
        eta_inv_nom=pv["inverter_eta_nom"],
        eta_inv_ref=pv["inverter_eta_ref"],
    )
    return pd.Series(ac, index=weather.index, name="ac_w_per_kwp")


@cache
def _solar_position(region: int, lat: float, lon: float) -> pd.DataFrame:
    weather = _try_weather(region)
    return pvlib.solarposition.get_solarposition(
        weather.index, lat, lon, temperature=weather["temp_air_c"]
    )


@cache
def _hourly_yields(
    region: int, lat: float, lon: float, tilt: float, azimuth: float, mounting: str
) -> pd.DataFrame:
    """Hourly PV [W/kWp], POA [W/m²] and weather for one orientation (cached, do not mutate)."""
    return _hourly(region, lat, lon, tilt, azimuth, mounting)


def _hourly(
    region: int, lat: float, lon: float, tilt: float, azimuth: float, mounting: str
) -> pd.DataFrame:
    """Hourly PV [W/kWp], POA [W/m²] and weather for one orientation (not cached)."""
    weather = _try_weather(region)
    position = _solar_position(region, lat, lon)
    albedo = _parameters("sky")["albedo"]
    poa = plane_of_array(
        weather, position, surface_tilt=tilt, surface_azimuth=azimuth, albedo=albedo
    )
    effective = effective_irradiance(poa, position, surface_tilt=tilt, surface_azimuth=azimuth)
    ac = pv_ac_w_per_kwp(effective, poa["poa_global"], weather, mounting=mounting)
    return pd.DataFrame(
        {
            "ac_w_per_kwp": ac,
            "poa_w_per_m2": poa["poa_global"],
            "effective_w_per_m2": effective,
            "temp_air_c": weather["temp_air_c"],
        }
    )


def _location_key(lat: float, lon: float) -> tuple[float, float]:
    """Round to 0.01° (about 1 km): finer detail does not change hourly sun positions."""
    return round(float(lat), 2), round(float(lon), 2)


# --------------------------------------------------------------------------- checks
def _check_range(name: str, value: float, low: float, high: float) -> float:
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must lie in [{low}, {high}], got {value!r}")
    return value


def _check_orientation(tilt: float, azimuth: float) -> tuple[float, float]:
    return (
        _check_range("tilt (degrees from horizontal)", tilt, 0.0, 90.0),
        _check_range("azimuth (degrees east of north, 180 = south)", azimuth, 0.0, 360.0),
    )


# --------------------------------------------------------------------------- studies
def pv_study(
    *,
    kwp: float,
    tilt: float,
    azimuth: float,
    lat: float,
    lon: float,
    mounting: str = "roof",
) -> dict:
    """Annual yield of a PV system at a German location with the TRY weather of its region.

    Parameters
    ----------
    kwp : float
        Nominal DC power at STC [kWp], >= 0.
    tilt : float
        Module tilt from horizontal [°], 0..90.
    azimuth : float
        Module azimuth east of north [°], 180 = south, 0..360.
    lat, lon : float
        Location in WGS84 [°]; picks the DWD TRY region (ValueError outside Germany).
    mounting : str
        'roof' (modules parallel to the roof) or 'rack' (free-standing rows) for the cell
        temperature model.

    Returns
    -------
    dict
        yield_kwh_per_kwp [kWh/(kWp a)], annual_kwh [kWh/a], monthly_kwh (12 values),
        poa_kwh_per_m2 and ghi_kwh_per_m2 [kWh/(m² a)], performance_ratio [-],
        system_losses_pct [%], weather (TRY region and station), inputs and messages.
    """
    kwp = _check_range("kwp", kwp, 0.0, math.inf)
    tilt, azimuth = _check_orientation(tilt, azimuth)
    lat = _check_range("lat", lat, -90.0, 90.0)
    lon = _check_range("lon", lon, -180.0, 180.0)
    if mounting not in ("roof", "rack"):
        raise ValueError(f"mounting must be 'roof' or 'rack', got {mounting!r}")
    region = _region_for(lat, lon)
    hourly = _hourly_yields(region, *_location_key(lat, lon), tilt, azimuth, mounting)
    specific = float(hourly["ac_w_per_kwp"].sum()) / 1000.0
    poa = float(hourly["poa_w_per_m2"].sum()) / 1000.0
    monthly = (
        hourly["ac_w_per_kwp"].groupby(pd.DatetimeIndex(hourly.index).month).sum() / 1000.0 * kwp
    )
    ghi = float(_try_weather(region)["ghi_w_per_m2"].sum()) / 1000.0
    return {
        "kwp": kwp,
        "tilt_deg": tilt,
        "azimuth_deg": azimuth,
        "lat": lat,
        "lon": lon,
        "mounting": mounting,
        "yield_kwh_per_kwp": round(specific, 1),
        "annual_kwh": round(specific * kwp, 1),
        "monthly_kwh": [round(float(v), 1) for v in monthly],
        "poa_kwh_per_m2": round(poa, 1),
        "ghi_kwh_per_m2": round(ghi, 1),
        "performance_ratio": round(specific / poa, 3) if poa > 0 else 0.0,
        "system_losses_pct": round(100.0 * _system_loss_fraction(), 2),
        "weather": try_station(region),
        "messages": [
            "PVWatts chain with DWD TRY 2010 mean-year weather; first-year yield, "
            "no horizon or neighbour shading beyond the PVWatts 3 % shading loss"
        ],
    }


def _roof_types() -> pd.DataFrame:
    return table("solar_roof_types.csv").set_index("roof_type")


def _specific_roof_yields(region: int, lat: float, lon: float) -> dict[str, tuple[float, float]]:
    """Per roof type: PV [kWh/(kWp a)] and solar thermal [kWh/(m² a)] (pitched: azimuth mean)."""
    result: dict[str, tuple[float, float]] = {}
    for roof_type, row in _roof_types().iterrows():
        azimuths = (
            PITCHED_AZIMUTHS_DEG if pd.isna(row["azimuth_deg"]) else [float(row["azimuth_deg"])]
        )
        pv, heat = [], []
        for azimuth in azimuths:
            found = _orientation_yields(
                region, lat, lon, float(row["tilt_deg"]), float(azimuth), str(row["mounting"])
            )
            pv.append(found[0])
            heat.append(found[2])
        result[str(roof_type)] = (_azimuth_mean(azimuths, pv), _azimuth_mean(azimuths, heat))
    return result


@cache
def _orientation_yields(
    region: int, lat: float, lon: float, tilt: float, azimuth: float, mounting: str
) -> tuple[float, float, float]:
    """Annual PV [kWh/(kWp a)], plane-of-array irradiation [kWh/(m² a)] and roof-collector heat
    [kWh/(m² a)] of one orientation (cached: three numbers, not the hourly series)."""
    hourly = _hourly(region, lat, lon, tilt, azimuth, mounting)
    eta0, a1, a2 = _collector("roof_flat_plate")
    heat = collector_heat_w_per_m2(
        hourly["effective_w_per_m2"],
        hourly["temp_air_c"],
        _parameters("thermal")["roof_mean_temp_c"],
        eta0=eta0,
        a1=a1,
        a2=a2,
    )
    return (
        float(hourly["ac_w_per_kwp"].sum()) / 1000.0,
        float(hourly["poa_w_per_m2"].sum()) / 1000.0,
        float(heat.sum()) / 1000.0,
    )


@cache
def _best_irradiation_kwh_per_m2(region: int, lat: float, lon: float) -> float:
    """Irradiation of the best south-facing plane (tilt 0..60° in the binning step) [kWh/(m² a)]."""
    step = _parameters("roof_faces")["orientation_step_deg"]
    tilts = np.arange(0.0, 60.0 + step / 2.0, step)
    return max(_orientation_yields(region, lat, lon, float(t), 180.0, "roof")[1] for t in tilts)


def _binned_deg(values: pd.Series, step_deg: float) -> pd.Series:
    return (values / step_deg).round() * step_deg


def _face_orientations(faces: pd.DataFrame) -> pd.DataFrame:
    """Per face: ``flat``, the orientation it is computed at and the module share of its area.

    Flat faces (tilt up to ``flat_roof_max_tilt_deg`` of lod2_parameters.csv) carry the tilted
    rows of the ``flat`` roof type; pitched faces carry modules flush at their own tilt and
    azimuth, binned to ``orientation_step_deg`` (solar_parameters.csv, group roof_faces).
    """
    types = _roof_types()
    step = _parameters("roof_faces")["orientation_step_deg"]
    tilt = pd.to_numeric(faces["tilt_deg"], errors="coerce").astype(float)
    azimuth = pd.to_numeric(faces["azimuth_deg"], errors="coerce").astype(float)
    flat = tilt <= parameter("lod2_parameters.csv", "flat_roof_max_tilt_deg")
    row = types.loc[np.where(flat, "flat", "pitched")].set_index(faces.index)
    share = row["usable_share"] * row["ground_cover_ratio"]
    share = share.where(~flat, share * row["orientation_share"])  # a face is its own orientation
    return pd.DataFrame(
        {
            "flat": flat,
            "tilt": _binned_deg(tilt, step).clip(0.0, 90.0).where(~flat, row["tilt_deg"]),
            "azimuth": (_binned_deg(azimuth, step) % 360.0).where(~flat, row["azimuth_deg"]),
            "mounting": row["mounting"].astype(str),
            "module_share": share.astype(float),
        },
        index=faces.index,
    )


def face_potentials(
    faces: pd.DataFrame, *, weather_region: int, lat: float, lon: float
) -> pd.DataFrame:
    """PV and solar-thermal potential of each LoD2 roof face at its own area, tilt and azimuth.

    Parameters
    ----------
    faces : DataFrame
        building_id, area_m2 [m², sloped], tilt_deg [° from horizontal], azimuth_deg
        [° east of north, 180 = south] (the layer ``roof_surfaces`` of ``heatplan import lod2``).
    weather_region : int
        DWD TRY 2010 region of the weather.
    lat, lon : float
        Location of the town [° WGS84].

    Returns
    -------
    DataFrame
        The faces with ``flat``, ``irradiation_share`` (plane-of-array irradiation over that of
        the best south-facing plane [-]), ``included``, ``module_area_m2``, ``pv_kwp``,
        ``pv_kwh_per_a`` and ``solar_thermal_kwh_per_a``. The specific yields are computed once
        per orientation bin. A face is left out (``included`` False, zero potential) when its
        irradiation is below ``min_irradiation_share`` or, pitched, its module area is below
        ``min_module_area_m2`` (solar_parameters.csv, group roof_faces: the LUBW solar
        cadastre's rules), or when its tilt or azimuth is unknown.
    """
    rules = _parameters("roof_faces")
    region, (lat, lon) = int(weather_region), _location_key(lat, lon)
    where = _face_orientations(faces)
    area = pd.to_numeric(faces["area_m2"], errors="coerce").astype(float).clip(lower=0.0)
    known = where["tilt"].notna() & where["azimuth"].notna() & area.notna()
    keys = where.loc[known, ["tilt", "azimuth", "mounting"]].drop_duplicates()
    yields = {
        (t, z, m): _orientation_yields(region, lat, lon, float(t), float(z), str(m))
        for t, z, m in keys.itertuples(index=False)
    }
    found = [
        yields.get((t, z, m), (np.nan,) * 3)
        for t, z, m in where[["tilt", "azimuth", "mounting"]].itertuples(index=False)
    ]
    per = pd.DataFrame(found, index=faces.index, columns=["pv", "poa", "heat"], dtype=float)
    share = per["poa"] / _best_irradiation_kwh_per_m2(region, lat, lon)
    module = area * where["module_share"]
    included = known & (share >= rules["min_irradiation_share"])
    included &= where["flat"] | (module >= rules["min_module_area_m2"])
    module = module.where(included, 0.0).fillna(0.0)
    kwp = module * _parameters("pv")["kwp_per_m2"]
    return faces.assign(
        flat=where["flat"].to_numpy(),
        irradiation_share=share.to_numpy(),
        included=included.to_numpy(),
        module_area_m2=module.to_numpy(),
        pv_kwp=kwp.to_numpy(),
        pv_kwh_per_a=(kwp * per["pv"].fillna(0.0)).to_numpy(),
        solar_thermal_kwh_per_a=(module * per["heat"].fillna(0.0)).to_numpy(),
    )


def _azimuth_mean(azimuths: ArrayLike, values: list[float]) -> float:
    azimuths = np.asarray(azimuths, dtype=float)
    if len(azimuths) == 1:
        return values[0]
    return float(np.trapezoid(values, azimuths) / (azimuths[-1] - azimuths[0]))


def _roof_type_column(buildings: gpd.GeoDataFrame) -> pd.Series:
    known = set(_roof_types().index)
    by_use = table("solar_roof_type_by_use.csv").set_index(col.USE)["roof_type"]
    uses = buildings[col.USE] if col.USE in buildings else pd.Series("other", index=buildings.index)
    inferred = uses.map(by_use).fillna(by_use["other"])
    if "roof_type" not in buildings:
        return inferred
    given = buildings["roof_type"].astype("string").str.strip().str.lower()
    bad = given.notna() & ~given.isin(known)
    if bad.any():
        first = buildings.index[bad.to_numpy()][0]
        raise ValueError(
            f"buildings row {first}, field roof_type: {buildings.at[first, 'roof_type']!r} is "
            f"not one of {sorted(known)}"
        )
    return given.fillna(inferred).astype(str)


def _footprints_m2(buildings: gpd.GeoDataFrame) -> pd.Series:
    area = buildings.geometry.area
    if "footprint_area_m2" in buildings:
        given = pd.to_numeric(buildings["footprint_area_m2"], errors="coerce")
        area = given.where(given.notna(), area)
    if (area < 0).any():
        raise ValueError("footprint_area_m2 must not be negative")
    return area.astype(float)


def town_centre(geometries: gpd.GeoSeries) -> shapely.Point:
    """Centroid of the buildings: the area-weighted mean of the footprints' centroids (for
    footprints that do not overlap, the centroid of their union, without building the union:
    seconds at 20,000 buildings); points and lines alone: the mean of their centroids."""
    shapes = geometries.to_numpy()
    shapes = shapes[~shapely.is_empty(shapes) & ~shapely.is_missing(shapes)]
    xy = shapely.get_coordinates(shapely.centroid(shapes))
    weights = shapely.area(shapes)
    if not weights.sum() > 0:
        weights = np.ones(len(shapes))
    return shapely.Point(*(weights @ xy / weights.sum()))


def _centre_wgs84(buildings: gpd.GeoDataFrame) -> tuple[float, float]:
    if buildings.crs is None:
        raise ValueError("buildings have no CRS; set one (heatplan layers use EPSG:25832)")
    centre = gpd.GeoSeries([town_centre(buildings.geometry)], crs=buildings.crs).to_crs(4326)
    return float(centre.y.iloc[0]), float(centre.x.iloc[0])


def roof_potentials(
    buildings: gpd.GeoDataFrame, weather_region: int, faces: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """PV and solar-thermal potential of every roof: LoD2 roof faces where given, else the
    footprint.

    A building with faces in ``faces`` (the layer ``roof_surfaces``: building_id, area_m2,
    tilt_deg, azimuth_deg) sums :func:`face_potentials` of its faces (``roof_basis =
    lod2_faces``); every other building is estimated from its footprint as follows
    (``roof_basis = footprint_estimate``).

    The roof type comes from a ``roof_type`` column ('pitched' or 'flat') or, where missing,
    from ``use`` (data/solar_roof_type_by_use.csv). Roof area = footprint / cos(tilt) for
    pitched roofs, the footprint for flat ones; module (or collector) area = roof area x
    orientation share x usable share x ground-cover ratio (data/solar_roof_types.csv). The
    yields per kWp and per m² collector come from the TRY weather of ``weather_region`` at the
    centre of the buildings; pitched roofs of unknown orientation average the better face over
    east..south..west.

    PV and solar thermal are alternatives for the same area, not a sum. The solar-thermal
    figure is the collector output at a 50 °C mean temperature, before storage losses and
    before limiting it to what the building can use in summer.

    Existing PV: ``pv_existing_kw`` of the buildings (``heatplan import mastr``; empty where no
    unit is known) is taken from the PV potential: ``pv_free_kwp`` = pv_kwp - pv_existing_kw,
    never below zero, and ``pv_free_kwh_per_a`` at the roof's specific yield.

    Returns
    -------
    GeoDataFrame
        building_id, roof_type, roof_basis, roof_area_m2, module_area_m2, pv_kwp,
        pv_kwh_per_a, solar_thermal_kwh_per_a, pv_existing_kw, pv_free_kwp, pv_free_kwh_per_a
        and the input geometry.
    """
    if col.BUILDING_ID not in buildings:
        raise ValueError("buildings need a building_id column")
    if buildings.empty:
        return gpd.GeoDataFrame(
            {name: pd.Series(dtype=float) for name in ROOF_COLUMNS},
            geometry=gpd.GeoSeries([], crs=buildings.crs),
        )
    lat, lon = _location_key(*_centre_wgs84(buildings))
    specific = _specific_roof_yields(int(weather_region), lat, lon)
    roof_type = _roof_type_column(buildings)
    types = _roof_types().loc[roof_type.to_numpy()]
    cos_tilt = np.where(roof_type == "pitched", np.cos(np.radians(types["tilt_deg"])), 1.0)
    roof_area = _footprints_m2(buildings).to_numpy() / cos_tilt
    share = types[["orientation_share", "usable_share", "ground_cover_ratio"]].prod(axis=1)
    module_area = roof_area * share.to_numpy()
    kwp = module_area * _parameters("pv")["kwp_per_m2"]
    pv_specific = roof_type.map({key: value[0] for key, value in specific.items()})
    heat_specific = roof_type.map({key: value[1] for key, value in specific.items()})
    out = gpd.GeoDataFrame(
        {
            col.BUILDING_ID: buildings[col.BUILDING_ID].to_numpy(),
            "roof_type": roof_type.to_numpy(),
            "roof_basis": ROOF_BASIS_ESTIMATE,
            "roof_area_m2": roof_area,
            "module_area_m2": module_area,
            "pv_kwp": kwp,
            "pv_kwh_per_a": kwp * pv_specific.to_numpy(),
            "solar_thermal_kwh_per_a": module_area * heat_specific.to_numpy(),
        },
        geometry=buildings.geometry.to_numpy(),
        crs=buildings.crs,
        index=buildings.index,
    )
    if faces is not None and len(faces):
        out = _with_faces(out, faces, weather_region=int(weather_region), lat=lat, lon=lon)
    return _with_existing_pv(out, buildings)


def _with_faces(
    roofs: gpd.GeoDataFrame, faces: pd.DataFrame, *, weather_region: int, lat: float, lon: float
) -> gpd.GeoDataFrame:
    """The roofs of buildings with LoD2 faces replaced by the sums over their faces."""
    ids = roofs[col.BUILDING_ID].astype(str)
    mine = faces[faces[col.BUILDING_ID].astype(str).isin(set(ids))]
    if mine.empty:
        return roofs
    found = face_potentials(mine, weather_region=weather_region, lat=lat, lon=lon)
    sums = found.groupby(found[col.BUILDING_ID].astype(str))[
        ["area_m2", "module_area_m2", "pv_kwp", "pv_kwh_per_a", "solar_thermal_kwh_per_a"]
    ].sum()
    sums = sums.rename(columns={"area_m2": "roof_area_m2"}).reindex(ids.to_numpy())
    has = sums["roof_area_m2"].notna().to_numpy()
    out = roofs.copy()
    for name in sums.columns:
        out[name] = np.where(has, sums[name].to_numpy(), out[name].to_numpy())
    out["roof_basis"] = np.where(has, ROOF_BASIS_FACES, out["roof_basis"].to_numpy())
    return out


def _with_existing_pv(roofs: gpd.GeoDataFrame, buildings: pd.DataFrame) -> gpd.GeoDataFrame:
    """``pv_existing_kw`` [kW] (empty: unknown), ``pv_free_kwp`` and ``pv_free_kwh_per_a``."""
    existing = pd.to_numeric(
        buildings.get("pv_existing_kw", pd.Series(np.nan, index=buildings.index)), errors="coerce"
    ).to_numpy(float)
    kwp = roofs["pv_kwp"].to_numpy(float)
    free = np.clip(kwp - np.nan_to_num(existing, nan=0.0), 0.0, None)
    per_kwp = np.divide(
        roofs["pv_kwh_per_a"].to_numpy(float), kwp, out=np.zeros_like(kwp), where=kwp > 0
    )
    return roofs.assign(pv_existing_kw=existing, pv_free_kwp=free, pv_free_kwh_per_a=free * per_kwp)


def open_field_solar_thermal(
    *,
    area_m2: float,
    temp_supply_c: float,
    temp_return_c: float,
    weather_region: int,
    lat: float | None = None,
    lon: float | None = None,
) -> dict:
    """Heat of a ground-mounted collector field feeding a heat network.

    Parameters
    ----------
    area_m2 : float
        Land area available for the field [m²], >= 0.
    temp_supply_c, temp_return_c : float
        Network supply and return temperature at the feed-in point [°C]; the collector mean
        temperature is their mean.
    weather_region : int
        DWD TRY 2010 region 1..15.
    lat, lon : float, optional
        Field location [° WGS84]; default: the TRY reference station.

    Returns
    -------
    dict
        land_area_m2, collector_area_m2 (land x collector_to_land_ratio), temp_mean_c,
        heat_mwh_per_a, kwh_per_m2_collector, kwh_per_m2_land, monthly_mwh (12 values),
        collector parameters, weather and messages. Collector-field output before pipe and
        storage losses.
    """
    area = _check_range("area_m2", area_m2, 0.0, math.inf)
    supply = _check_range("temp_supply_c", temp_supply_c, -50.0, 150.0)
    ret = _check_range("temp_return_c", temp_return_c, -50.0, 150.0)
    if supply < ret:
        raise ValueError(f"temp_supply_c ({supply}) is below temp_return_c ({ret})")
    station = try_station(int(weather_region))
    lat_used = float(station["lat"] if lat is None else lat)  # type: ignore[arg-type]
    lon_used = float(station["lon"] if lon is None else lon)  # type: ignore[arg-type]
    field = _parameters("field")
    eta0, a1, a2 = _collector("large_flat_plate")
    hourly = _hourly_yields(
        int(weather_region),
        *_location_key(lat_used, lon_used),
        field["tilt_deg"],
        field["azimuth_deg"],
        "rack",
    )
    temp_mean = (supply + ret) / 2.0
    q = collector_heat_w_per_m2(
        hourly["effective_w_per_m2"], hourly["temp_air_c"], temp_mean, eta0=eta0, a1=a1, a2=a2
    )
    per_m2 = float(q.sum()) / 1000.0
    collector_area = area * field["collector_to_land_ratio"]
    monthly = pd.Series(q, index=hourly.index).groupby(pd.DatetimeIndex(hourly.index).month).sum()
    return {
        "land_area_m2": area,
        "collector_area_m2": collector_area,
        "temp_mean_c": temp_mean,
        "heat_mwh_per_a": round(per_m2 * collector_area / 1000.0, 3),
        "kwh_per_m2_collector": round(per_m2, 1),
        "kwh_per_m2_land": round(per_m2 * field["collector_to_land_ratio"], 1),
        "monthly_mwh": [round(float(v) * collector_area / 1e6, 3) for v in monthly],
        "collector": {"name": "large_flat_plate", "eta0": eta0, "a1": a1, "a2": a2},
        "tilt_deg": field["tilt_deg"],
        "azimuth_deg": field["azimuth_deg"],
        "weather": station,
        "messages": [
            "collector-field output (ISO 9806 steady state, hourly); pipe, heat-exchanger and "
            "storage losses and summer surplus the network cannot take are not deducted"
        ],
    }

"""The climate of a plan: the DWD test reference year (TRY 2010) of its region as the reference
climate, laid on the profile year with the public holidays, and the degree days of real metering
years (frame ``weather_years``) for the weather correction of measured consumption (VDI 3807-1,
G20/15).

The TRY files are those demandlib ships (DWD, Testreferenzjahre 2010, mean year, 15 regions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.demand.degree_days import heating_degree_days
from heatplan.demand.profiles import german_holidays
from heatplan.errors import ProjectError
from heatplan.project.config import ProjectConfig
from heatplan.reference.weather import hourly_index, read_try, region_for_point, try_path

#: Hourly air temperature on the profile year [°C] and the public holidays of that year.
Weather = tuple[pd.Series, list[Any]]


@dataclass(frozen=True)
class ReferenceWeather:
    region: int
    temp_air_c: pd.Series  # hourly TRY temperature of the region [°C]
    hdd_reference_kd: float  # degree days G20/15 of the TRY [K·d]
    hdd_by_year_kd: dict[int, float]  # degree days of metering years [K·d]


def project_region(config: ProjectConfig, buildings: gpd.GeoDataFrame) -> int:
    """The TRY region from the configuration, or from the buildings' centre when 'auto'."""
    if config.project.weather_region != "auto":
        return int(config.project.weather_region)
    minx, miny, maxx, maxy = buildings.to_crs("EPSG:4326").total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2  # centre of the bounding box
    try:
        return int(region_for_point(lon, lat))
    except ValueError as exc:
        raise ProjectError(
            f"cannot pick a DWD weather region for ({lon:.3f}, {lat:.3f}): {exc}; "
            "set weather_region = 1..15 in heatplan.toml"
        ) from exc


def try_temperature(region: int) -> np.ndarray:
    """Hourly air temperature of the DWD TRY 2010 of ``region`` (8760 values) [°C]."""
    return read_try(try_path(region))["temp_air_c"].to_numpy(float)


def reference_weather(
    weather_years: pd.DataFrame | None, config: ProjectConfig, buildings: gpd.GeoDataFrame
) -> ReferenceWeather:
    """The TRY of the region and the degree days of the metering years (``weather_years``)."""
    region = project_region(config, buildings)
    temp = pd.Series(try_temperature(region), name="temp_air_c")
    years: dict[int, float] = {}
    if weather_years is not None and len(weather_years):
        years = dict(
            zip(
                weather_years["year"].astype(int),
                weather_years["hdd_kd"].astype(float),
                strict=True,
            )
        )
    return ReferenceWeather(region, temp, float(heating_degree_days(temp)), years)


def temperature_for_year(temp_air_c: np.ndarray, year: int) -> pd.Series:
    """An 8760-hour temperature year laid on the hours of ``year`` [°C].

    In a leap year the 29 February repeats the 28th (the TRY has 365 days).

    >>> len(temperature_for_year(np.zeros(8760), 2024))
    8784
    """
    index = hourly_index(year)
    values = np.asarray(temp_air_c, dtype=float)
    if len(index) > len(values):
        feb28_end = (31 + 28) * 24
        values = np.concatenate(
            [values[:feb28_end], values[feb28_end - 24 : feb28_end], values[feb28_end:]]
        )
    return pd.Series(values, index=index, name="temp_air_c")


def climate(config: ProjectConfig, buildings: Any) -> Weather:
    """The plan's TRY temperature on the profile year and its holidays."""
    year = config.project.profile_year
    temperature = temperature_for_year(try_temperature(project_region(config, buildings)), year)
    subdivision = config.project.holiday_subdivision or None
    return temperature, german_holidays(year, subdivision)

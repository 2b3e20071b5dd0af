"""Weather of a project: the DWD test reference year (TRY 2010) of its region as the reference
climate, and the degree days of real metering years (table ``weather_years``) for the weather
correction of measured consumption (VDI 3807-1, G20/15)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.demand.degree_days import heating_degree_days
from heatplan.errors import InputFileError, ProjectError
from heatplan.io.weather import read_hourly_temperature, read_try, region_for_point, try_path
from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import GeoPackageStore, open_store

WEATHER_TABLE = "weather_years"


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
    store: GeoPackageStore, config: ProjectConfig, buildings: gpd.GeoDataFrame
) -> ReferenceWeather:
    region = project_region(config, buildings)
    temp = pd.Series(try_temperature(region), name="temp_air_c")
    years: dict[int, float] = {}
    if store.has(WEATHER_TABLE):
        table = store.read(WEATHER_TABLE)
        years = dict(zip(table["year"].astype(int), table["hdd_kd"].astype(float), strict=True))
    return ReferenceWeather(region, temp, float(heating_degree_days(temp)), years)


def import_weather_year(
    project_dir: Path, file: Path, *, year: int
) -> dict[str, float | int | str]:
    """Store the degree days of a real metering year from an hourly temperature file."""
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    try:
        temp = read_hourly_temperature(file)
    except (ValueError, OSError) as exc:
        raise InputFileError(file, str(exc).removeprefix(f"{file}: ")) from None
    hdd = float(heating_degree_days(temp))
    rows = store.read(WEATHER_TABLE) if store.has(WEATHER_TABLE) else pd.DataFrame()
    if len(rows):
        rows = rows[rows["year"].astype(int) != year]
    new = pd.DataFrame({"year": [year], "hdd_kd": [hdd], "source_file": [str(file)]})
    with store.transaction(step="import weather") as writer:
        writer.write(WEATHER_TABLE, pd.concat([rows, new], ignore_index=True))
    return {"year": year, "hdd_kd": hdd, "file": str(file)}

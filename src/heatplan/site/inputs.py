"""A site described in TOML, its 15-minute meter CSV and the BDEW standard load profiles.

The TOML file::

    [site]
    name = "Werk Nord"
    lat = 50.94
    lon = 11.59
    # weather_region = 4     (DWD TRY region; default: the region of lat/lon)

    [load]
    meter_csv = "meter.csv"  # German 15-minute export, or instead:
    # profile = "G1"          # BDEW standard load profile (demandlib) ...
    # annual_kwh = 250000     # ... scaled to this annual energy

    [pv]
    max_kwp = 100            # or roof_m2 = 600
    tilt = 30
    azimuth = 180

    [battery]
    allowed = true

    [tariff]
    feed_in = "up_to_100_kwp"

A meter CSV has the columns ``Datum;Uhrzeit;Wirkleistung kW`` (mean power of the quarter hour)
or ``Datum;Uhrzeit;Energie kWh`` (energy of the quarter hour), dates as ``31.12.2025``, times as
``23:45``, decimal commas, one row per quarter hour of one year (35,040 rows, or 35,136 in a leap
year). Every mistake is a :class:`SiteInputError` naming the file, the row and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from heatplan.site.loads import EvInputs, HeatInputs

#: Quarter hours per hour.
STEPS_PER_H = 4
#: The BDEW standard load profiles that demandlib ships (upper case as in the TOML).
BDEW_PROFILES = ("G0", "G1", "G2", "G3", "G4", "G5", "G6", "H0", "L0", "L1", "L2")
#: Column header -> True if it holds energy per quarter hour [kWh], False for mean power [kW].
METER_COLUMNS = {
    "Wirkleistung kW": False,
    "Energie kWh": True,
    "Wärmeleistung kW": False,
    "Wärme kWh": True,
    "Kälteleistung kW": False,
    "Kälte kWh": True,
}


class SiteInputError(ValueError):
    """A site file or meter file the study cannot use; the message names file, row and field."""


@dataclass(frozen=True)
class Site:
    """A company site: where it is, its 15-minute electricity load and what may be built."""

    name: str
    lat: float
    lon: float
    weather_region: int | None
    load_kw: np.ndarray  # mean import power of each quarter hour of one year [kW]
    max_pv_kwp: float
    pv_tilt_deg: float
    pv_azimuth_deg: float
    battery_allowed: bool
    feed_in_case: str
    year: int
    heat: HeatInputs | None = None
    ev: EvInputs | None = None
    air_c: np.ndarray | None = None  # hourly TRY air temperature of the region [°C]
    atypical: AtypicalOption | None = None  # § 19 (2) StromNEV atypical grid use


@dataclass(frozen=True)
class AtypicalOption:
    """``[tariff] atypical_grid_use``: the voltage level of the connection and the operator's
    high-load windows (None: ``data/site_high_load_windows.csv``)."""

    voltage_level: str
    windows_path: Path | None = None


def _fail(file: Path, where: str, message: str) -> SiteInputError:
    return SiteInputError(f"{file}: {where}: {message}")


def _number(table: dict[str, Any], key: str, file: Path, section: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(file, f"[{section}] {key}", f"a number is required, got {value!r}")
    return float(value)


def _german_float(text: str) -> float:
    return float(text.strip().replace(".", "").replace(",", "."))


def read_meter_rows(path: Path) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Start of each quarter hour and its mean power [kW] from a German 15-minute meter export.

    Rows must be in 15-minute order (no gaps, no duplicates: local standard time or the meter's
    uninterrupted UTC+1 count); kWh per quarter hour are converted to kW (x 4).
    """
    try:
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise SiteInputError(f"{path}: cannot read the meter CSV: {error}") from error
    if frame.empty:
        raise _fail(path, "rows", "no data rows")
    for column in ("Datum", "Uhrzeit"):
        if column not in frame.columns:
            raise _fail(path, "header", f"column {column!r} missing; found {list(frame.columns)}")
    value_columns = [c for c in METER_COLUMNS if c in frame.columns]
    if len(value_columns) != 1:
        others = [c for c in frame.columns if c not in ("Datum", "Uhrzeit")]
        raise _fail(
            path,
            "header",
            f"exactly one value column is required: {' or '.join(METER_COLUMNS)} (mean power of"
            f" the quarter hour in kW, or its energy in kWh = kW / 4); found {others}",
        )
    column = value_columns[0]
    values = np.empty(len(frame))
    for i, text in enumerate(frame[column]):
        try:
            values[i] = _german_float(text)
        except ValueError:
            raise _fail(path, f"row {i + 2}, field {column!r}", f"not a number: {text!r}") from None
        if values[i] < 0:
            raise _fail(path, f"row {i + 2}, field {column!r}", f"negative load {text!r}")
    stamps = pd.to_datetime(
        frame["Datum"] + " " + frame["Uhrzeit"], format="%d.%m.%Y %H:%M", errors="coerce"
    )
    bad = np.flatnonzero(stamps.isna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise _fail(
            path,
            f"row {row + 2}, fields 'Datum'/'Uhrzeit'",
            f"not a date dd.mm.yyyy and time hh:mm: {frame['Datum'][row]!r} "
            f"{frame['Uhrzeit'][row]!r}",
        )
    index = pd.DatetimeIndex(stamps)
    _check_steps(path, index)
    factor = STEPS_PER_H if METER_COLUMNS[column] else 1.0
    return index, values * factor


def read_meter_csv(path: Path) -> tuple[np.ndarray, int]:
    """Mean power of each quarter hour [kW] of one full year and the year, see
    :func:`read_meter_rows`."""
    index, load_kw = read_meter_rows(path)
    _check_year(path, index)
    return load_kw, int(index[0].year)


def _dst_hint(stamp: pd.Timestamp, step_min: int) -> str:
    """What a wrong step at ``stamp`` means when it is Germany's clock change (CET/CEST)."""
    last_sunday = stamp.day > 24 and stamp.dayofweek == 6
    if step_min == 75 and stamp.month == 3 and last_sunday and stamp.hour == 3:
        return (
            " - the summer time shift: local time skips 02:00-02:59 (a 23-hour day); export the"
            " meter's uninterrupted UTC+1 count (standard time) instead of local time"
        )
    if step_min == -45 and stamp.month == 10 and last_sunday and stamp.hour == 2:
        return (
            " - the winter time shift: local time repeats 02:00-02:59 (a 25-hour day); export the"
            " meter's uninterrupted UTC+1 count (standard time) instead of local time"
        )
    return " (a summer/winter time shift? export the meter's UTC+1 count)"


def _check_steps(path: Path, stamps: pd.DatetimeIndex) -> None:
    step = np.diff(stamps.to_numpy().astype("datetime64[m]").astype(np.int64))  # minutes
    wrong = np.flatnonzero(step != 15)
    if wrong.size:
        row = int(wrong[0]) + 3  # header is row 1, the first value row 2
        minutes = int(step[wrong[0]])
        kind = "duplicate or backward time" if minutes <= 0 else "gap"
        raise _fail(
            path,
            f"row {row}, fields 'Datum'/'Uhrzeit'",
            f"{kind}: {minutes} min after the previous row, 15 expected"
            f"{_dst_hint(stamps[wrong[0] + 1], minutes)}",
        )


def _check_year(path: Path, stamps: pd.DatetimeIndex) -> None:
    year = stamps[0].year
    expected = (366 if pd.Timestamp(year=year, month=12, day=31).dayofyear == 366 else 365) * 96
    if stamps[0] != pd.Timestamp(year=year, month=1, day=1) or len(stamps) != expected:
        raise _fail(
            path,
            "rows",
            f"one full year from 01.01. 00:00 in 15-minute rows is required "
            f"({expected} rows for {year}); found {len(stamps)} from {stamps[0]}",
        )


def bdew_profile_kw(profile: str, annual_kwh: float, year: int) -> np.ndarray:
    """BDEW standard load profile ``profile`` (demandlib) scaled to ``annual_kwh`` [kW].

    One value per quarter hour of ``year`` (the mean power of the quarter hour).
    """
    from demandlib import bdew

    if profile.upper() not in BDEW_PROFILES:
        raise ValueError(f"unknown BDEW profile {profile!r}; choose {', '.join(BDEW_PROFILES)}")
    if annual_kwh <= 0:
        raise ValueError(f"annual_kwh must be positive, got {annual_kwh}")
    frame = bdew.ElecSlp(year).get_scaled_power_profiles({profile.lower(): float(annual_kwh)})
    return frame[profile.lower()].to_numpy(float)


def _load(table: dict[str, Any], file: Path, year: int) -> tuple[np.ndarray, int]:
    if "meter_csv" in table:
        return read_meter_csv((file.parent / str(table["meter_csv"])).resolve())
    if "profile" in table:
        annual = _number(table, "annual_kwh", file, "load")
        try:
            return bdew_profile_kw(str(table["profile"]), annual, year), year
        except ValueError as error:
            raise _fail(file, "[load] profile", str(error)) from None
    raise _fail(file, "[load]", "give meter_csv, or profile and annual_kwh")


def _max_pv_kwp(table: dict[str, Any], file: Path, m2_per_kwp: float) -> float:
    if not table:
        return 0.0
    if "max_kwp" in table:
        value = _number(table, "max_kwp", file, "pv")
    elif "roof_m2" in table:
        value = _number(table, "roof_m2", file, "pv") / m2_per_kwp
    else:
        raise _fail(file, "[pv]", "give max_kwp or roof_m2")
    if value < 0:
        raise _fail(file, "[pv]", f"negative PV size {value}")
    return value


def read_site(path: Path, *, m2_per_kwp: float = 5.0, year: int = 2025) -> Site:
    """The :class:`Site` of a TOML file (``m2_per_kwp``: roof area per kWp, site_costs.csv)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SiteInputError(f"{path}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise SiteInputError(f"{path}: not valid TOML: {error}") from error
    site = data.get("site", {})
    lat, lon = _number(site, "lat", path, "site"), _number(site, "lon", path, "site")
    if not (47.0 <= lat <= 55.2 and 5.8 <= lon <= 15.1):
        raise _fail(path, "[site] lat/lon", f"({lat}, {lon}) is not in Germany")
    load_kw, load_year = _load(data.get("load", {}), path, year)
    pv = data.get("pv", {})
    region = site.get("weather_region")
    heat, ev, air_c = _heat_and_ev(data, path, lat, lon, region, load_kw.size, load_year)
    return Site(
        name=str(site.get("name", path.stem)),
        lat=lat,
        lon=lon,
        weather_region=None if region is None else int(region),
        load_kw=load_kw,
        max_pv_kwp=_max_pv_kwp(pv, path, m2_per_kwp),
        pv_tilt_deg=float(pv.get("tilt", 30.0)),
        pv_azimuth_deg=float(pv.get("azimuth", 180.0)),
        battery_allowed=bool(data.get("battery", {}).get("allowed", False)),
        feed_in_case=str(data.get("tariff", {}).get("feed_in", "up_to_100_kwp")),
        year=load_year,
        heat=heat,
        ev=ev,
        air_c=air_c,
        atypical=_atypical(data.get("tariff", {}), path),
    )


def _atypical(table: dict[str, Any], file: Path) -> AtypicalOption | None:
    """The ``[tariff]`` keys of § 19 (2) StromNEV atypical grid use."""
    from heatplan.site.atypical import VOLTAGE_LEVELS, WindowError, read_windows

    if not table.get("atypical_grid_use", False):
        return None
    level = str(table.get("voltage_level", ""))
    if level not in VOLTAGE_LEVELS:
        raise _fail(
            file, "[tariff] voltage_level", f"{level!r}: choose {', '.join(VOLTAGE_LEVELS)}"
        )
    windows = table.get("high_load_windows")
    path = None if windows is None else (file.parent / str(windows)).resolve()
    try:
        read_windows(path)
    except WindowError as error:
        raise _fail(file, "[tariff] high_load_windows", str(error)) from None
    return AtypicalOption(level, path)


def _heat_and_ev(
    data: dict[str, Any], path: Path, lat: float, lon: float, region: Any, steps: int, year: int
) -> tuple[HeatInputs | None, EvInputs | None, np.ndarray | None]:
    """Heat, cold and EV sections of the TOML (heatplan.site.loads) and the TRY air."""
    if not any(key in data for key in ("heat", "cold", "ev")):
        return None, None, None
    from heatplan.reference.weather import region_for_point
    from heatplan.site.loads import read_ev, read_heat, try_air_temperature_c
    from heatplan.site.tariffs import heat_costs

    costs = heat_costs()
    air_c = try_air_temperature_c(int(region) if region else region_for_point(lon, lat))
    heat = read_heat(data, path, steps, year, air_c, costs)
    return heat, read_ev(data, path, year, steps, costs), air_c

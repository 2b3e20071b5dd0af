"""Hourly heat profiles after BDEW/SigLinDe [1]_ with demandlib's coefficients.

Each profile class is computed once with annual demand 1 (the normalised profile of
``demandlib.bdew.HeatBuilding``, re-implemented with numpy on demandlib's own coefficient
tables so that a class costs microseconds) and scaled by each building's annual demand. The
tests check the result against demandlib called per building.

References
----------
.. [1] BDEW/VKU/GEODE: Leitfaden Abwicklung von Standardlastprofilen Gas. Key ``BDEW2023``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import holidays as holidays_lib
import numpy as np
import pandas as pd

from heatplan.reference import table

UNKNOWN = "unknown"
_RESIDENTIAL = {"sfh": "EFH", "th": "EFH", "mfh": "MFH", "ab": "MFH"}
#: Weights of the geometric-series temperature (BDEW guide; demandlib).
_GEO_WEIGHTS = (1.0, 0.5, 0.25, 0.125)
#: Temperature intervals of the hour factors: 5 K wide, 1 = up to -15 °C, 10 = above 25 °C.
_INTERVAL_WIDTH_K, _INTERVAL_OFFSET_C, _N_INTERVALS = 5.0, 20.0, 10


def profile_class(use: object, age_class: object, *, wind_class: int = 0) -> str:
    """Profile class 'SHLP_bcNN_wW' of a building, e.g. 'EFH_bc01_w0' or 'GKO_bc00_w0'.

    Residential uses map to EFH/MFH with the BDEW building class of the age class
    (data/age_classes.csv); non-residential categories to their shlp type
    (data/nonresidential_benchmarks.csv) with building class 0; anything else -> 'unknown'.

    Examples
    --------
    >>> profile_class("sfh", "1958-1968")
    'EFH_bc01_w0'
    >>> profile_class("office", "unknown")
    'GKO_bc00_w0'
    """
    if use in _RESIDENTIAL:
        classes = table("age_classes.csv").set_index("age_class")["bdew_building_class"]
        building_class = int(classes.get(str(age_class), classes[UNKNOWN]))
        return f"{_RESIDENTIAL[str(use)]}_bc{building_class:02d}_w{wind_class}"
    bench = table("nonresidential_benchmarks.csv").set_index("category")["bdew_shlp_type"]
    shlp = bench.get(str(use))
    if not isinstance(shlp, str):
        return UNKNOWN
    return f"{shlp}_bc00_w{wind_class}"


def parse_class(name: str) -> tuple[str, int, int]:
    """(shlp_type, building_class, wind_class) of a profile class string."""
    shlp, building, wind = name.split("_")
    return shlp, int(building[2:]), int(wind[1:])


def german_holidays(year: int, subdiv: str | None = None) -> list[dt.date]:
    """Public holidays of Germany (optionally of a state, e.g. 'BW') in ``year``."""
    return sorted(holidays_lib.country_holidays("DE", subdiv=subdiv, years=year))


@cache
def _coefficients() -> dict[str, pd.DataFrame]:
    import demandlib.bdew

    folder = Path(demandlib.bdew.__file__).parent / "bdew_data"
    return {
        name: pd.read_csv(folder / f"shlp_{name}_factors.csv", index_col=0)
        for name in ("sigmoid", "hour", "weekday")
    }


def _calendar(index: pd.DatetimeIndex, holidays: list[dt.date] | None) -> pd.DataFrame:
    weekday = np.asarray(index.weekday + 1)
    if holidays:
        is_holiday = index.normalize().isin(pd.DatetimeIndex(list(holidays)))
        weekday = np.where(is_holiday, 7, weekday)  # holidays count as Sundays (demandlib)
    return pd.DataFrame({"weekday": weekday, "hour": index.hour + 1}, index=index)


def _geometric_temperature(temperature_c: pd.Series) -> np.ndarray:
    daily = temperature_c.resample("D").mean().reindex(temperature_c.index).ffill().bfill()
    values = daily.to_numpy(float)
    total = sum(w * np.roll(values, 24 * lag) for lag, w in enumerate(_GEO_WEIGHTS))
    return np.asarray(total / sum(_GEO_WEIGHTS))


def _interval(temp_geo_c: np.ndarray) -> np.ndarray:
    rounded = np.ceil(temp_geo_c)
    index = np.ceil((rounded + _INTERVAL_OFFSET_C) / _INTERVAL_WIDTH_K)
    return np.clip(index, 1, _N_INTERVALS).astype(int) - 1


def _class_profile(
    name: str, temp_geo: np.ndarray, interval: np.ndarray, calendar: pd.DataFrame
) -> np.ndarray:
    shlp, building_class, wind = parse_class(name)
    tables = _coefficients()
    sigmoid = tables["sigmoid"]
    sig = sigmoid[
        sigmoid["shlp_type"].eq(shlp)
        & sigmoid["building_class"].eq(building_class)
        & sigmoid["wind_impact"].eq(wind)
    ]
    if len(sig) != 1:
        raise ValueError(f"profile class {name!r}: no BDEW sigmoid coefficients")
    a, b, c, d = sig[["parameter_a", "parameter_b", "parameter_c", "parameter_d"]].iloc[0]
    h = a / (1 + (b / (temp_geo - 40)) ** c) + d
    weekday = tables["weekday"]
    week = weekday.loc[weekday["shlp_type"].eq(shlp), "wochentagsfaktor"].to_numpy(float)
    f = week[calendar["weekday"].to_numpy() - 1]
    hour = tables["hour"]
    hours = hour[hour["shlp_type"].eq(shlp) & hour["building_class"].eq(building_class)]
    grid = hours.set_index(["weekday", "hour_of_day"]).filter(like="temp_intervall")
    day = calendar["weekday"].to_numpy() if building_class == 0 else np.zeros(len(calendar), int)
    rows = grid.index.get_indexer(pd.MultiIndex.from_arrays([day, calendar["hour"].to_numpy()]))
    sf = grid.to_numpy(float)[rows, interval]
    return np.asarray(h * f * sf / (np.sum(h * f) / 24))


def class_profiles(
    classes: pd.Series | list[str],
    temperature_c: pd.Series,
    *,
    holidays: list[dt.date] | None = None,
) -> pd.DataFrame:
    """Normalised hourly profile of each distinct class (annual demand 1) [1/h share].

    ``temperature_c`` is hourly with a tz-naive DatetimeIndex of the profile year [°C].
    """
    if not isinstance(temperature_c.index, pd.DatetimeIndex):
        raise ValueError("temperature_c needs a tz-naive hourly DatetimeIndex of the year")
    names = sorted(set(classes) - {UNKNOWN})
    known = _known_profiles(temperature_c, holidays)
    missing = [n for n in names if n not in known]
    if missing:
        temp_geo = _geometric_temperature(temperature_c)
        interval = _interval(temp_geo)
        calendar = _calendar(temperature_c.index, holidays)
        for name in missing:
            profile = _class_profile(name, temp_geo, interval, calendar)
            profile.flags.writeable = False
            known[name] = profile
    return pd.DataFrame({n: known[n] for n in names}, index=temperature_c.index, copy=True)


#: Normalised class profiles computed so far, per weather year (temperature and holidays): a
#: town's classification asks for the same few classes of one weather year hundreds of times.
_PROFILES: dict[tuple[bytes, bytes, tuple[dt.date, ...]], dict[str, np.ndarray]] = {}
#: Weather years kept (the oldest is dropped first).
_WEATHERS_KEPT = 8


def _known_profiles(
    temperature_c: pd.Series, holidays: list[dt.date] | None
) -> dict[str, np.ndarray]:
    """The cache of class profiles of this temperature series and holidays (filled by caller)."""
    stamps = pd.DatetimeIndex(temperature_c.index).to_numpy("datetime64[ns]")
    key = (
        np.ascontiguousarray(temperature_c.to_numpy(float)).tobytes(),
        np.ascontiguousarray(stamps).tobytes(),
        tuple(sorted(set(holidays or ()))),
    )
    if key not in _PROFILES and len(_PROFILES) >= _WEATHERS_KEPT:
        del _PROFILES[next(iter(_PROFILES))]
    return _PROFILES.setdefault(key, {})


def _checked(annual_kwh: pd.Series, classes: pd.Series) -> pd.Series:
    annual = annual_kwh.astype(float).fillna(0.0)
    bad = classes.eq(UNKNOWN) & annual.gt(0)
    if bad.any():
        raise ValueError(f"building {bad.idxmax()!r} has demand but profile class 'unknown'")
    return annual


def hourly_profiles(
    annual_kwh: pd.Series,
    classes: pd.Series,
    temperature_c: pd.Series,
    *,
    year: int,
    holidays: list[dt.date] | None = None,
    dtype: type = np.float64,
) -> pd.DataFrame:
    """Hourly heat demand [kWh/h] per building (hours x buildings).

    Parameters
    ----------
    annual_kwh : Series
        Annual heat demand per building [kWh/a]; NaN counts as 0.
    classes : Series
        Profile class per building (same index), see :func:`profile_class`.
    temperature_c : Series
        Hourly air temperature of ``year`` with a tz-naive DatetimeIndex [°C].
    year : int
        Profile year; must match the temperature index.
    holidays : list of date, optional
        Public holidays (treated as Sundays), e.g. :func:`german_holidays`.
    dtype : numpy dtype
        float32 halves the memory of large stocks.
    """
    _check_year(temperature_c, year)
    annual = _checked(annual_kwh, classes)
    profiles = class_profiles(classes, temperature_c, holidays=holidays)
    profiles[UNKNOWN] = 0.0
    columns = profiles.columns.get_indexer(pd.Index(classes))
    # gather contiguous rows (buildings x hours), scale in place, hand out the transposed view
    rows = np.ascontiguousarray(profiles.to_numpy(dtype).T)[columns]
    rows *= annual.to_numpy(dtype)[:, None]
    return pd.DataFrame(rows.T, index=temperature_c.index, columns=annual_kwh.index, copy=False)


def aggregate_profile(
    annual_kwh: pd.Series,
    classes: pd.Series,
    temperature_c: pd.Series,
    *,
    year: int,
    holidays: list[dt.date] | None = None,
) -> pd.Series:
    """Summed hourly heat demand [kWh/h] of all buildings without an n x 8760 matrix."""
    _check_year(temperature_c, year)
    annual = _checked(annual_kwh, classes)
    totals = annual.groupby(classes.to_numpy()).sum().drop(UNKNOWN, errors="ignore")
    profiles = class_profiles(list(totals.index), temperature_c, holidays=holidays)
    summed = profiles[totals.index].to_numpy(float) @ totals.to_numpy(float)
    return pd.Series(summed, index=temperature_c.index, name="heat_demand_kwh_per_h")


def _check_year(temperature_c: pd.Series, year: int) -> None:
    index = temperature_c.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is not None:
        raise ValueError("temperature_c needs a tz-naive hourly DatetimeIndex")
    if (index.year != year).any():
        raise ValueError(f"temperature_c index is not within the profile year {year}")

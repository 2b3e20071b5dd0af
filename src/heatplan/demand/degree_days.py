"""Heating degree days G20/15 and the climate factor of VDI 3807-1 [1]_.

References
----------
.. [1] VDI 3807 Blatt 1 (2013): Verbrauchskennwerte für Gebäude. BibTeX key ``VDI3807``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: Indoor reference temperature of G20/15 (VDI 3807-1) [°C].
TEMP_INDOOR_C = 20.0
#: Heating limit temperature of G20/15 (VDI 3807-1) [°C].
TEMP_HEATING_LIMIT_C = 15.0
HOURS_PER_DAY = 24


def daily_mean_temperature(temp_air_c: pd.Series | ArrayLike) -> np.ndarray:
    """Daily mean air temperature [°C] from hourly values [°C].

    A Series with a DatetimeIndex is grouped by calendar day; any other input is cut into
    consecutive blocks of 24 hours (its length must be a multiple of 24).
    """
    if isinstance(temp_air_c, pd.Series) and isinstance(temp_air_c.index, pd.DatetimeIndex):
        return temp_air_c.groupby(temp_air_c.index.normalize()).mean().to_numpy(float)
    values = np.asarray(temp_air_c, dtype=float)
    if values.size % HOURS_PER_DAY:
        raise ValueError(f"{values.size} hourly values are not whole days")
    return values.reshape(-1, HOURS_PER_DAY).mean(axis=1)


def heating_degree_days(
    temp_air_c: pd.Series | ArrayLike,
    *,
    temp_indoor_c: float = TEMP_INDOOR_C,
    temp_heating_limit_c: float = TEMP_HEATING_LIMIT_C,
) -> float:
    """Heating degree days G20/15 [K·d] of hourly temperatures [°C] (VDI 3807-1).

    Parameters
    ----------
    temp_air_c : Series or array
        Hourly outdoor air temperature [°C] of one year.
    temp_indoor_c : float
        Indoor reference temperature [°C].
    temp_heating_limit_c : float
        Heating limit: days with a mean below it are heating days [°C].

    Returns
    -------
    float
        Sum over heating days of (temp_indoor_c - daily mean) [K·d].

    Examples
    --------
    >>> heating_degree_days([10.0] * 24 + [16.0] * 24)
    10.0
    """
    daily = daily_mean_temperature(temp_air_c)
    heating = daily < temp_heating_limit_c
    return float(np.sum(temp_indoor_c - daily[heating]))


def climate_factor(hdd_reference: ArrayLike, hdd_year: ArrayLike) -> np.ndarray | float:
    """Climate factor hdd_reference / hdd_year [-] to weather-correct a year's consumption.

    Parameters
    ----------
    hdd_reference : numeric
        Degree days of the reference climate (e.g. the TRY) [K·d].
    hdd_year : numeric
        Degree days of the metering year [K·d]; NaN gives NaN.

    Examples
    --------
    >>> float(climate_factor(3500.0, 3000.0))
    1.1666666666666667
    """
    reference = np.asarray(hdd_reference, dtype=float)
    year = np.asarray(hdd_year, dtype=float)
    if np.any(year <= 0):
        raise ValueError("degree days of the year must be positive")
    result = reference / year
    return float(result) if result.ndim == 0 else result

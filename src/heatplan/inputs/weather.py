"""Weather input: a town's measured hourly temperature (CSV or DWD station file) for the
weather correction of metered years. The reference climate (DWD TRY 2010) is packaged reference
data: :mod:`heatplan.reference.weather`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from heatplan.reference.weather import TRY_NOMINAL_YEAR, hourly_index, read_try


def _csv_temperature(path: Path) -> pd.Series:
    frame = pd.read_csv(path)
    missing = {"timestamp", "temp_air_c"} - set(frame.columns)
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {sorted(missing)}; expected header 'timestamp,temp_air_c'"
        )
    stamps = pd.to_datetime(frame["timestamp"], errors="coerce")
    temps = pd.to_numeric(frame["temp_air_c"], errors="coerce")
    for field, values in (("timestamp", stamps), ("temp_air_c", temps)):
        bad = values.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # 1-based, after the header
            raise ValueError(
                f"{path}: row {row}, field {field}: "
                f"{frame[field].iloc[row - 2]!r} is not a valid value"
            )
    series = pd.Series(temps.to_numpy(float), index=pd.DatetimeIndex(stamps), name="temp_air_c")
    if series.index.has_duplicates:
        first = series.index[series.index.duplicated()][0]
        raise ValueError(f"{path}: duplicate timestamp {first}")
    return series.sort_index()


def read_hourly_temperature(path: str | Path) -> pd.Series:
    """Hourly air temperature [°C] from a user CSV (``timestamp,temp_air_c``) or a TRY ``.dat``.

    A TRY is indexed by the hours of its nominal year 2010. Errors name the file, row and field.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: file not found")
    if path.suffix.lower() == ".dat":
        temps = read_try(path)["temp_air_c"].to_numpy()
        return pd.Series(temps, index=hourly_index(TRY_NOMINAL_YEAR), name="temp_air_c")
    return _csv_temperature(path)

"""Reference weather: the DWD test reference years (TRY 2010) that demandlib ships.

The DWD/BBSR TRY 2010 [1]_ gives one representative hourly year for each of 15 German climate
regions. demandlib ships the 15 "mittleres Jahr" files and the region polygons.

References
----------
.. [1] DWD/BBSR (2011): Testreferenzjahre für Deutschland für mittlere und extreme
   Witterungsverhältnisse (TRY 2010). BibTeX key ``DWDTRY2011``.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

#: Hours of a non-leap year; a TRY has exactly this many rows.
HOURS_PER_YEAR = 8760
#: Nominal calendar year used for the index of a TRY 2010 (a non-leap year).
TRY_NOMINAL_YEAR = 2010

_TRY_COLUMNS = {
    "MM": "month",
    "DD": "day",
    "HH": "hour",
    "WG": "wind_speed_m_per_s",
    "t": "temp_air_c",
    "B": "dni_horizontal_w_per_m2",
    "D": "dhi_w_per_m2",
}


def _weather_dir() -> Path:
    import demandlib.vdi

    return Path(demandlib.vdi.__file__).parent / "resources_weather"


def try_path(region: int) -> Path:
    """Path of demandlib's DWD TRY 2010 file (mean year) of climate ``region`` (1..15)."""
    if int(region) != region or not 1 <= int(region) <= 15:
        raise ValueError(f"TRY region must be an integer 1..15, got {region!r}")
    path = _weather_dir() / f"TRY2010_{int(region):02d}_Jahr.dat"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: TRY file missing from the demandlib installation")
    return path


def _try_header_lines(lines: list[str], path: Path) -> int:
    for number, line in enumerate(lines):
        if line.strip() == "***":
            return number
    raise ValueError(f"{path}: not a DWD TRY file (no line '***' ends the header)")


def read_try(path: str | Path) -> pd.DataFrame:
    """Read a DWD TRY 2010 ``.dat`` file into 8760 hourly rows.

    Parameters
    ----------
    path : str or Path
        TRY file (DWD fixed-width format, header ended by the line ``***``).

    Returns
    -------
    pandas.DataFrame
        Columns month, day, hour (1..24, CET, hour ending), temp_air_c [°C],
        wind_speed_m_per_s [m/s], ghi_w_per_m2 = B + D [W/m²], dhi_w_per_m2 [W/m²];
        RangeIndex 0..8759. Each call returns a new frame; the file is parsed once per process
        (and again when it changes).
    """
    path = Path(path)
    return _parsed_try(path.resolve(), path.stat().st_mtime_ns).copy()


@lru_cache(maxsize=32)
def _parsed_try(path: Path, _mtime_ns: int) -> pd.DataFrame:
    """:func:`read_try` of ``path`` as it was at ``_mtime_ns``, parsed once per process (a
    national run reads the same 15 files for thousands of municipalities; callers get copies).
    """
    lines = path.read_text(encoding="latin-1").splitlines()
    end = _try_header_lines(lines, path)
    names = lines[end - 1].split()
    rows = [line.split() for line in lines[end + 1 :] if line.strip()]
    bad = [i for i, row in enumerate(rows) if len(row) != len(names)]
    if bad:
        raise ValueError(
            f"{path}: data row {bad[0] + 1} has {len(rows[bad[0]])} fields, "
            f"expected {len(names)} ({' '.join(names)})"
        )
    raw = pd.DataFrame(np.asarray(rows, dtype=float), columns=names)
    if len(raw) != HOURS_PER_YEAR:
        raise ValueError(f"{path}: {len(raw)} hourly rows, a TRY has {HOURS_PER_YEAR}")
    frame = raw[list(_TRY_COLUMNS)].rename(columns=_TRY_COLUMNS)
    frame[["month", "day", "hour"]] = frame[["month", "day", "hour"]].astype(int)
    frame["ghi_w_per_m2"] = frame.pop("dni_horizontal_w_per_m2") + frame["dhi_w_per_m2"]
    return frame[
        ["month", "day", "hour", "temp_air_c", "wind_speed_m_per_s", "ghi_w_per_m2", "dhi_w_per_m2"]
    ]


def hourly_index(year: int) -> pd.DatetimeIndex:
    """Tz-naive hourly index of a calendar year (8760 or 8784 hours, hour beginning)."""
    return pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", inclusive="left")


@cache
def _try_polygons():
    import geopandas as gpd

    return gpd.read_file(_weather_dir() / "TRY_polygons.geojson")


def try_outline() -> gpd.GeoDataFrame:
    """The DWD TRY 2010 region polygons (WGS84), whose union is Germany."""
    outline: gpd.GeoDataFrame = _try_polygons()
    return outline


def region_for_point(lon: float, lat: float) -> int:
    """DWD TRY 2010 climate region (1..15) of a point in WGS84 degrees [°].

    Raises
    ------
    ValueError
        When the point lies outside all TRY polygons (outside Germany).
    """
    import shapely

    polygons = _try_polygons()
    hit = polygons.loc[polygons.contains(shapely.Point(lon, lat)), "TRY_code"]
    if hit.empty:
        raise ValueError(
            f"point (lon={lon}, lat={lat}) lies outside the DWD TRY regions of "
            "Germany; check the coordinate order (lon, lat) and the CRS (WGS84)"
        )
    return int(hit.iloc[0])

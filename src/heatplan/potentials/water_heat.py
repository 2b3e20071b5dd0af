"""Heat from water cooled in a heat pump's evaporator: physics and checks all water sources share.

Sewage-plant effluent (:mod:`heatplan.potentials.wastewater`), sewers
(:mod:`heatplan.potentials.sewers`) and rivers (:mod:`heatplan.potentials.surface_water`) give
heat ``Q = flow [m³/h] x 1.164 kWh/(m³·K) x cooling [K]`` in kW; a heat pump adds its
electricity, so its output is ``source x COP / (COP - 1)`` (its energy balance). The shared
defaults (rho·cp of water, Lorenz efficiency, minimum outlet temperature, network spread) live
with their sources in ``data/wastewater_parameters.csv``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from heatplan.errors import InputFileError
from heatplan.reference import table

HOURS_PER_YEAR = 8760.0


@cache
def parameters(name: str = "wastewater_parameters.csv") -> dict[str, float]:
    """``parameter -> value`` of a parameter table (units and sources are in the file)."""
    frame = table(name)
    return dict(zip(frame["parameter"], frame["value"].astype(float), strict=True))


def parameter(name: str) -> float:
    """One shared default of ``wastewater_parameters.csv`` (sources in the file)."""
    return parameters()[name]


# --- checks -----------------------------------------------------------------------------------


def check_non_negative(name: str, values: ArrayLike) -> np.ndarray:
    """``values`` as a float array; ValueError naming ``name`` if one is negative or missing."""
    array = np.asarray(values, dtype=float)
    if np.isnan(array).any():
        raise ValueError(f"{name} has missing values (NaN)")
    if (array < 0).any():
        raise ValueError(f"{name} must not be negative (lowest value {array.min():g})")
    return array


def check_efficiency(efficiency: float | None) -> float:
    """The Lorenz efficiency [-] (default from the data); ValueError outside (0, 1]."""
    value = parameter("lorenz_efficiency") if efficiency is None else float(efficiency)
    if not 0 < value <= 1:
        raise ValueError(
            f"Lorenz efficiency {value:g} is impossible: it is the share of the ideal cycle "
            "reached, 0 < efficiency <= 1 (large plants reach 0.5-0.6)"
        )
    return value


def check_min_outlet(min_outlet_temp_c: float | None) -> float:
    """The lowest allowed water outlet temperature [°C] (default from the data); > 0 °C."""
    value = parameter("min_outlet_temp_c") if min_outlet_temp_c is None else min_outlet_temp_c
    if not value > 0:
        raise ValueError(
            f"minimum outlet temperature {value:g} °C: water cooled to 0 °C or below freezes in "
            "the evaporator; it must stay above 0 °C"
        )
    return float(value)


def network_temperatures(
    supply_temp_c: float, return_temp_c: float | None, source_temp_c: ArrayLike
) -> tuple[float, float]:
    """Supply and return [°C] of the heated network (return default: supply - 30 K, data).

    ValueError if the return is not colder than the supply or not warmer than the source.
    """
    ret = supply_temp_c - parameter("network_spread_k") if return_temp_c is None else return_temp_c
    if ret >= supply_temp_c:
        raise ValueError(f"return {ret:g} °C must be colder than the supply {supply_temp_c:g} °C")
    warmest = float(np.max(source_temp_c))
    if ret <= warmest:
        raise ValueError(
            f"the sink is colder than the source: network return {ret:g} °C, source up to "
            f"{warmest:g} °C; a heat pump has nothing to lift (give the network's real return)"
        )
    return float(supply_temp_c), float(ret)


# --- physics (vectorised: scalars, arrays, Series) ---------------------------------------------


def water_heat_kw(flow_m3_per_h: ArrayLike, cooling_k: ArrayLike) -> np.ndarray:
    """Heat [kW] given by water of ``flow_m3_per_h`` [m³/h] cooled by ``cooling_k`` [K].

    Q = flow x 1.164 kWh/(m³·K) x cooling (rho·cp of water, data).

    >>> round(float(water_heat_kw(1000, 5)))
    5820
    """
    flow = check_non_negative("flow_m3_per_h", flow_m3_per_h)
    cooling = check_non_negative("cooling_k", cooling_k)
    return np.asarray(flow * parameter("volumetric_heat_capacity") * cooling)


def usable_cooling_k(
    temp_c: ArrayLike, max_cooling_k: float, min_outlet_temp_c: float
) -> np.ndarray:
    """Cooling [K] allowed: ``max_cooling_k``, less where the outlet would fall below the minimum.

    >>> usable_cooling_k([12.0, 5.0, 1.0], 5.0, 2.0).tolist()
    [5.0, 3.0, 0.0]
    """
    temp = np.asarray(temp_c, dtype=float)
    return np.clip(np.minimum(max_cooling_k, temp - min_outlet_temp_c), 0.0, None)


def heat_pump_output(source_heat_kw: ArrayLike, cop: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Heat output and electricity [kW] of a heat pump taking ``source_heat_kw`` [kW] at ``cop``.

    Output = source x COP/(COP - 1), electricity = source/(COP - 1), so output = source +
    electricity. ValueError if a COP <= 1.

    >>> [round(float(x)) for x in heat_pump_output(3000.0, 3.0)]
    [4500, 1500]
    """
    source, cop = np.asarray(source_heat_kw, dtype=float), np.asarray(cop, dtype=float)
    if (cop <= 1).any():
        raise ValueError(
            f"COP {cop.min():.2f} <= 1: the heat pump would give less heat than the electricity "
            "it takes; lower the supply temperature or raise the source temperature"
        )
    electricity = source / (cop - 1.0)
    return source + electricity, electricity


def annual_mwh(power_kw: ArrayLike) -> float:
    """Energy [MWh/a] of a regular power series [kW] scaled to one year (mean x 8760 h)."""
    return float(np.mean(np.asarray(power_kw, dtype=float)) * HOURS_PER_YEAR / 1000.0)


def year_index(year: int) -> pd.DatetimeIndex:
    """Hourly time stamps of one calendar year (8760 or, in a leap year, 8784)."""
    return pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", inclusive="left")


def _numbers(path: Path, raw: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, pd.Series]:
    """The numeric columns after the timestamp; the first bad cell is named."""
    values = {c: pd.to_numeric(raw[c].str.strip(), errors="coerce") for c in columns[1:]}
    for field, column in values.items():
        bad = np.flatnonzero(column.isna().to_numpy())
        if bad.size:
            value = raw[field].iloc[bad[0]]
            raise InputFileError(path, f"row {bad[0] + 2}, field {field}: {value!r} is no number")
    flow = columns[1]
    negative = np.flatnonzero(values[flow].to_numpy() < 0)
    if negative.size:
        raise InputFileError(path, f"row {negative[0] + 2}, field {flow}: negative flow")
    return values


def read_water_series(path: str | Path, columns: tuple[str, str, str]) -> pd.DataFrame:
    """A measured flow and temperature series from a CSV with header ``columns``.

    ``columns`` is (timestamp, flow column, temperature column), e.g. ``("timestamp",
    "flow_m3_per_h", "temp_c")`` for a sewage plant or ``("timestamp", "flow_m3_per_s",
    "temp_c")`` for a river. Returns the two value columns indexed by timestamp (regular steps).
    Errors (:class:`~heatplan.errors.InputFileError`) name the file, row (line) and field.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"not a readable CSV file ({exc})") from None
    missing = [c for c in columns if c not in raw.columns]
    if missing or raw.empty:
        expected = ",".join(columns)
        raise InputFileError(path, f"missing column(s) {missing} or rows; expected '{expected}'")
    stamps = pd.to_datetime(raw[columns[0]].str.strip(), errors="coerce")
    bad = np.flatnonzero(stamps.isna().to_numpy())
    if bad.size:
        value = raw[columns[0]].iloc[bad[0]]
        raise InputFileError(
            path, f"row {bad[0] + 2}, field {columns[0]}: {value!r} is no date and time"
        )
    values = _numbers(path, raw, columns)
    frame = pd.DataFrame(values).set_index(pd.DatetimeIndex(stamps, name=columns[0]))
    frame = frame.sort_index()
    steps = np.diff(frame.index.to_numpy(dtype="datetime64[ns]").astype(np.int64))
    if (steps == 0).any() or (steps.size and not np.all(steps == steps[0])):
        raise InputFileError(path, "timestamps repeat or are not evenly spaced; resample first")
    return frame

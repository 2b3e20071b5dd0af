"""Heat from sewers: in-sewer heat exchangers on sewers from DN 800 with dry-weather flow.

WPG Anlage 1 asks for sewers from DN 800 with their dry-weather flow. An exchanger on the sewer
floor cools the sewage by only 0.5-1 K (it must not chill the sewage plant's inflow), so the
potential of a segment is ``dry-weather flow x 1.164 kWh/(m³·K) x 0.5..1 K``. Thresholds and
the cooling band live with their sources in ``data/wastewater_sewer_parameters.csv``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.potentials.water_heat import (
    check_efficiency,
    heat_pump_output,
    network_temperatures,
    parameters,
    water_heat_kw,
)
from heatplan.tech.heatpump import cop_lorenz

SEWER_COLUMNS = ("diameter_mm", "dry_weather_flow_l_per_s")
M3_PER_H_PER_L_PER_S = 3.6  # 1 l/s = 3.6 m³/h (definition of the units)


def sewer_parameter(name: str) -> float:
    """One default of ``wastewater_sewer_parameters.csv`` (sources in the file)."""
    return parameters("wastewater_sewer_parameters.csv")[name]


def _column(sewers: pd.DataFrame, name: str) -> np.ndarray:
    if name not in sewers.columns:
        raise ValueError(
            f"sewer layer has no column {name!r}; expected {', '.join(SEWER_COLUMNS)} "
            f"(found: {', '.join(map(str, sewers.columns))})"
        )
    values = pd.to_numeric(sewers[name], errors="coerce").to_numpy(float)
    negative = np.flatnonzero(values < 0)
    if negative.size:
        raise ValueError(
            f"sewer {sewers.index[negative[0]]!r}: {name} {values[negative[0]]:g} is negative"
        )
    return values


def exclusion_reason(
    diameter_mm: np.ndarray, flow_l_per_s: np.ndarray, min_diameter_mm: float, min_flow: float
) -> np.ndarray:
    """Why each segment is left out ('' when it is kept); the diameter rule is named first."""
    reasons = np.full(len(diameter_mm), "", dtype=object)
    reasons[np.isnan(flow_l_per_s)] = "no dry-weather flow given"
    low = flow_l_per_s < min_flow
    reasons[low] = [
        f"dry-weather flow {q:g} l/s is below {min_flow:g} l/s" for q in flow_l_per_s[low]
    ]
    reasons[np.isnan(diameter_mm)] = "no diameter given"
    small = diameter_mm < min_diameter_mm
    reasons[small] = [
        f"DN {d:g} is below DN {min_diameter_mm:g} (WPG Anlage 1)" for d in diameter_mm[small]
    ]
    return reasons


def sewer_heat_potential(
    sewers: gpd.GeoDataFrame,
    *,
    cooling_min_k: float | None = None,
    cooling_max_k: float | None = None,
    min_diameter_mm: float | None = None,
    min_dry_weather_flow_l_per_s: float | None = None,
    sewage_temp_c: float | None = None,
    supply_temp_c: float | None = None,
    return_temp_c: float | None = None,
    efficiency: float | None = None,
) -> gpd.GeoDataFrame:
    """Heat potential of each sewer segment with an in-sewer heat exchanger.

    Parameters
    ----------
    sewers : geopandas.GeoDataFrame
        Sewer lines with ``diameter_mm`` [mm] and ``dry_weather_flow_l_per_s`` [l/s].
    cooling_min_k, cooling_max_k : float, optional
        Cooling band of the sewage [K] (default 0.5 and 1 K, data).
    min_diameter_mm, min_dry_weather_flow_l_per_s : float, optional
        Segments below DN 800 or 10 l/s (defaults, data) are excluded with the reason.
    sewage_temp_c : float, optional
        Sewage temperature in winter [°C] (default 10 °C, data), for the COP.
    supply_temp_c, return_temp_c : float, optional
        With a network supply [°C], the heat-pump output and COP are added.
    efficiency : float, optional
        Lorenz efficiency [-] (default from data/wastewater_parameters.csv).

    Returns
    -------
    geopandas.GeoDataFrame
        The input plus ``included`` (bool), ``excluded_reason`` (str, '' if included),
        ``source_heat_min_kw`` and ``source_heat_max_kw`` [kW] (0 for excluded segments) and,
        with a supply temperature, ``cop`` [-], ``heat_output_min_kw``, ``heat_output_max_kw`` [kW].
    """
    low = sewer_parameter("cooling_min_k") if cooling_min_k is None else cooling_min_k
    high = sewer_parameter("cooling_max_k") if cooling_max_k is None else cooling_max_k
    if not 0 < low <= high:
        raise ValueError(f"cooling band {low:g}-{high:g} K must satisfy 0 < min <= max")
    min_dn = sewer_parameter("min_diameter_mm") if min_diameter_mm is None else min_diameter_mm
    min_flow = (
        sewer_parameter("min_dry_weather_flow_l_per_s")
        if min_dry_weather_flow_l_per_s is None
        else min_dry_weather_flow_l_per_s
    )
    diameter, flow = (_column(sewers, name) for name in SEWER_COLUMNS)
    reason = exclusion_reason(diameter, flow, min_dn, min_flow)
    included = reason == ""
    flow_m3_per_h = np.where(included, np.nan_to_num(flow), 0.0) * M3_PER_H_PER_L_PER_S
    result = sewers.copy()
    result["included"] = included
    result["excluded_reason"] = reason
    for label, cooling in (("min", low), ("max", high)):
        result[f"source_heat_{label}_kw"] = water_heat_kw(flow_m3_per_h, cooling)
    if supply_temp_c is None:
        return result
    temp = sewer_parameter("sewage_temp_c") if sewage_temp_c is None else sewage_temp_c
    supply, ret = network_temperatures(supply_temp_c, return_temp_c, temp)
    eta = check_efficiency(efficiency)
    for label, cooling in (("min", low), ("max", high)):
        cop = float(cop_lorenz(ret, supply, temp, temp - cooling, efficiency=eta))
        output, _ = heat_pump_output(result[f"source_heat_{label}_kw"].to_numpy(), cop)
        result[f"heat_output_{label}_kw"] = output
    result["cop"] = cop  # at the larger cooling (the lower COP)
    return result

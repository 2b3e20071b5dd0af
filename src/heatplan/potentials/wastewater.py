"""Heat from treated sewage-plant effluent with a large heat pump, hour by hour.

Source heat is what the water gives when it is cooled, Q = V·rho·cp·dT:
``flow [m³/h] x 1.164 kWh/(m³·K) x cooling [K]`` in kW. A heat pump adds its electricity, so its
output is ``source x COP / (COP - 1)`` (its energy balance); that physics and its checks are
shared with sewers and rivers in :mod:`heatplan.potentials.water_heat`. Every default lives with
its source in ``data/wastewater_parameters.csv`` and ``data/wastewater_flow_pattern.csv``. The
functions are pure; :func:`read_plant_series` is the one helper that reads a user's file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from heatplan.potentials.water_heat import (
    annual_mwh,
    check_efficiency,
    check_min_outlet,
    check_non_negative,
    heat_pump_output,
    network_temperatures,
    parameter,
    read_water_series,
    usable_cooling_k,
    water_heat_kw,
    year_index,
)
from heatplan.reference import table
from heatplan.tech.heatpump import cop_lorenz

PLANT_COLUMNS = ("timestamp", "flow_m3_per_h", "temp_c")


# --- the effluent: plant data or synthesised ---------------------------------------------------


def flow_pattern() -> tuple[np.ndarray, np.ndarray]:
    """Dry-weather flow factors (mean 1): 24 by hour of day, 7 by weekday (0 = Monday)."""
    frame = table("wastewater_flow_pattern.csv").sort_values(["pattern", "index"])
    factors = frame.groupby("pattern")["factor"].apply(lambda s: s.to_numpy(float))
    return factors["hour_of_day"], factors["day_of_week"]


def daily_flow_m3(
    *, flow_m3_per_day: float | None = None, population_equivalents: float | None = None
) -> float:
    """Mean flow [m³/d], given, or population equivalents x 121 l/(PE·d) (data)."""
    if flow_m3_per_day is not None:
        return float(check_non_negative("flow_m3_per_day", flow_m3_per_day))
    if population_equivalents is None:
        raise ValueError("give the plant's mean flow [m³/d] or its population equivalents")
    pe = float(check_non_negative("population_equivalents", population_equivalents))
    return pe * parameter("specific_flow_l_per_pe_d") / 1000.0


def synthesise_flow_m3_per_h(
    *,
    flow_m3_per_day: float | None = None,
    population_equivalents: float | None = None,
    year: int = 2025,
) -> pd.Series:
    """Hourly effluent flow [m³/h] of one year with the dry-weather hourly and weekday pattern.

    Its annual mean is the daily flow / 24 exactly. Rain and infiltration are not modelled.
    """
    daily = daily_flow_m3(
        flow_m3_per_day=flow_m3_per_day, population_equivalents=population_equivalents
    )
    index = year_index(year)
    hours, days = flow_pattern()
    factor = hours[index.hour] * days[index.dayofweek]
    return pd.Series(daily / 24.0 * factor / factor.mean(), index=index, name="flow_m3_per_h")


def synthesise_temp_c(
    *, temp_min_c: float | None = None, temp_max_c: float | None = None, year: int = 2025
) -> pd.Series:
    """Hourly effluent temperature [°C]: an annual sinusoid, coldest in mid-February (data).

    ``temp_min_c`` is the series' minimum (default 10 °C, data); the maximum is ``temp_max_c``
    or the sourced 20 °C (not below the minimum).
    """
    low = parameter("effluent_temp_min_c") if temp_min_c is None else float(temp_min_c)
    high = max(parameter("effluent_temp_max_c"), low) if temp_max_c is None else float(temp_max_c)
    if high < low:
        raise ValueError(f"summer maximum {high:g} °C is below the winter minimum {low:g} °C")
    index = year_index(year)
    day = index.dayofyear.to_numpy() - 1 + index.hour.to_numpy() / 24.0
    angle = 2 * np.pi * (day - parameter("effluent_temp_min_day_of_year")) / (len(index) / 24)
    temp = (low + high) / 2 - (high - low) / 2 * np.cos(angle)
    return pd.Series(temp, index=index, name="temp_c")


def read_plant_series(path: str | Path) -> pd.DataFrame:
    """A plant's measured effluent from a CSV with header ``timestamp,flow_m3_per_h,temp_c``.

    Returns ``flow_m3_per_h`` [m³/h] and ``temp_c`` [°C] indexed by timestamp (regular steps).
    Errors (:class:`~heatplan.errors.InputFileError`) name the file, row (line) and field.
    """
    return read_water_series(path, PLANT_COLUMNS)


# --- the hourly model --------------------------------------------------------------------------


def effluent_heat_pump(
    flow_m3_per_h: ArrayLike,
    temp_c: ArrayLike,
    *,
    max_cooling_k: float,
    supply_temp_c: float,
    return_temp_c: float | None = None,
    min_outlet_temp_c: float | None = None,
    efficiency: float | None = None,
) -> pd.DataFrame:
    """Source heat, COP, heat-pump output and electricity for each time step.

    Parameters
    ----------
    flow_m3_per_h, temp_c : numeric
        Effluent flow [m³/h] and temperature [°C] (a Series' index is kept).
    max_cooling_k : float
        Allowed cooling of the effluent [K].
    supply_temp_c, return_temp_c : float
        Network supply and return [°C] (return default supply - 30 K, data).
    min_outlet_temp_c : float, optional
        Lowest effluent outlet temperature [°C] (default 2 °C, data); limits the cooling.
    efficiency : float, optional
        Lorenz efficiency [-] of :func:`heatplan.tech.heatpump.cop_lorenz` (default from
        data/wastewater_parameters.csv).

    Returns
    -------
    pandas.DataFrame
        flow_m3_per_h, temp_c, cooling_k, outlet_temp_c [°C], source_heat_kw, cop,
        heat_output_kw, electricity_kw [kW]; heat_output = source + electricity in every row.
    """
    if not max_cooling_k > 0:
        raise ValueError(f"allowed cooling must be positive, got {max_cooling_k:g} K")
    eta, min_out = check_efficiency(efficiency), check_min_outlet(min_outlet_temp_c)
    flow = np.atleast_1d(check_non_negative("flow_m3_per_h", flow_m3_per_h))
    flow, temp = np.broadcast_arrays(flow, np.atleast_1d(np.asarray(temp_c, dtype=float)))
    if np.isnan(temp).any():
        raise ValueError("temp_c has missing values (NaN)")
    supply, ret = network_temperatures(supply_temp_c, return_temp_c, temp)
    cooling = usable_cooling_k(temp, max_cooling_k, min_out)
    source = water_heat_kw(flow, cooling)
    cop = cop_lorenz(ret, supply, temp, temp - cooling, efficiency=eta)
    output, electricity = heat_pump_output(source, cop)
    index = next((v.index for v in (flow_m3_per_h, temp_c) if isinstance(v, pd.Series)), None)
    columns = {
        "flow_m3_per_h": flow, "temp_c": temp, "cooling_k": cooling,
        "outlet_temp_c": temp - cooling, "source_heat_kw": source, "cop": cop,
        "heat_output_kw": output, "electricity_kw": electricity,
    }  # fmt: skip
    return pd.DataFrame(columns, index=index)


# --- the study: one question, with the numbers when the source is too small -------------------


def _effluent(
    messages: list[str], plant_series: pd.DataFrame | None, temp_c: float | None, **kw: Any
) -> pd.DataFrame:
    if plant_series is not None:
        messages.append(f"effluent from plant data: {len(plant_series)} time steps")
        return plant_series[["flow_m3_per_h", "temp_c"]]
    if temp_c is None:
        raise ValueError("give the effluent temperature [°C] (the lowest of the year)")
    flow = synthesise_flow_m3_per_h(
        flow_m3_per_day=kw["flow_m3_per_day"],
        population_equivalents=kw["population_equivalents"],
        year=kw["year"],
    )
    daily = flow.mean() * 24
    if kw["flow_m3_per_day"] is None:
        messages.append(
            f"flow estimated from {kw['population_equivalents']:,.0f} population equivalents = "
            f"{daily:,.0f} m³/d; use the plant's measured flow where it exists"
        )
    messages.append(
        f"hourly flow synthesised from {daily:,.0f} m³/d with the dry-weather hourly and weekday "
        "pattern of the IWA benchmark plant (BSM1); rain and infiltration water not included"
    )
    if kw["seasonal"] or kw["temp_max_c"] is not None:
        temp = synthesise_temp_c(temp_min_c=temp_c, temp_max_c=kw["temp_max_c"], year=kw["year"])
        messages.append(f"effluent {temp.min():.1f}-{temp.max():.1f} °C, coldest in February")
    else:
        temp = pd.Series(float(temp_c), index=flow.index)
        messages.append(f"effluent temperature held at its lowest value {temp_c:g} °C all year")
    return pd.DataFrame({"flow_m3_per_h": flow, "temp_c": temp})


def _shortfall(
    study: dict[str, Any], unit: str, requested: float, available: float, gives: str,
    measure: Callable[[float], float],
) -> str:  # fmt: skip
    """The message (and ``requirements`` entry) for a request the effluent cannot deliver."""
    flow = study["flow_m3_per_day"] * requested / available if available > 0 else float("inf")
    high, cooling, outlet = study["max_cooling_k"], None, None
    while high < 150 and not measure(high) >= requested:  # NaN once the COP falls to 1
        high = float("inf") if np.isnan(measure(high)) else high * 1.5
    text = (
        f"requested {requested:,.0f} {unit}, the effluent gives {gives} at "
        f"{study['max_cooling_k']:g} K cooling; it would need {flow:,.0f} m³/day"
    )
    if high < 150:
        cooling = float(brentq(lambda c: measure(c) - requested, 1e-6, high, xtol=1e-4))
        outlet, text = study["temp_min_c"] - cooling, text + f" or {cooling:.1f} K cooling"
    if outlet is not None and outlet < study["min_outlet_temp_c"]:
        text += (
            f", which would take the effluent to {outlet:.1f} °C, below the minimum outlet "
            f"temperature {study['min_outlet_temp_c']:g} °C: not possible"
        )
    study["requirements"][unit] = {
        "requested": requested, "available": available, "required_flow_m3_per_day": flow,
        "required_cooling_k": cooling, "outlet_temp_at_required_cooling_c": outlet,
    }  # fmt: skip
    study["feasible"] = False
    return text


def wastewater_study(
    *,
    flow_m3_per_day: float | None = None,
    temp_c: float | None = None,
    max_cooling_k: float,
    supply_temp_c: float,
    return_temp_c: float | None = None,
    min_outlet_temp_c: float | None = None,
    requested_heat_mwh_per_a: float | None = None,
    requested_capacity_kw: float | None = None,
    efficiency: float | None = None,
    temp_max_c: float | None = None,
    seasonal: bool = False,
    population_equivalents: float | None = None,
    plant_series: pd.DataFrame | None = None,
    year: int = 2025,
) -> dict[str, Any]:
    """What a sewage plant's effluent gives a heat network through a large heat pump.

    The effluent is ``plant_series`` (:func:`read_plant_series`) or synthesised for ``year``
    from the mean flow [m³/d] (or population equivalents) and its lowest temperature ``temp_c``
    [°C], held all year unless ``seasonal``/``temp_max_c`` ask for an annual sinusoid.
    ``source_heat_kw``, ``heat_output_kw`` and ``electricity_kw`` are annual means, ``cop`` the
    seasonal one; ``heat_mwh_per_a`` is what a heat pump of ``capacity_kw`` (the requested one,
    else the source's best hour) delivers. A requested capacity (as annual mean) or energy the
    effluent cannot give makes ``feasible`` false, and ``messages``/``requirements`` say which
    flow or cooling it would need.
    """
    for name, value in (("capacity", requested_capacity_kw), ("heat", requested_heat_mwh_per_a)):
        if value is not None and not value > 0:
            raise ValueError(f"requested {name} must be positive, got {value:g}")
    messages: list[str] = []
    effluent = _effluent(
        messages, plant_series, temp_c, flow_m3_per_day=flow_m3_per_day, year=year,
        population_equivalents=population_equivalents, temp_max_c=temp_max_c, seasonal=seasonal,
    )  # fmt: skip
    supply, ret = network_temperatures(supply_temp_c, return_temp_c, effluent["temp_c"])
    if return_temp_c is None:
        spread = parameter("network_spread_k")
        messages.append(
            f"network return {ret:g} °C assumed (supply - {spread:g} K); give the real one"
        )
    min_out, eta = check_min_outlet(min_outlet_temp_c), check_efficiency(efficiency)
    hourly = effluent_heat_pump(
        effluent["flow_m3_per_h"], effluent["temp_c"], max_cooling_k=max_cooling_k,
        supply_temp_c=supply, return_temp_c=ret, min_outlet_temp_c=min_out, efficiency=eta,
    )  # fmt: skip
    if (limited := int((hourly["cooling_k"] < max_cooling_k - 1e-9).sum())) > 0:
        messages.append(f"cooling limited by the outlet minimum {min_out:g} °C in {limited} steps")
    output = hourly["heat_output_kw"]
    capacity = float(requested_capacity_kw or output.max())
    load = np.minimum(1.0, capacity / output.where(output > 0, np.inf))
    heat, electricity = annual_mwh(output * load), annual_mwh(hourly["electricity_kw"] * load)
    study: dict[str, Any] = {
        "flow_m3_per_day": float(hourly["flow_m3_per_h"].mean() * 24),
        "temp_min_c": float(hourly["temp_c"].min()),
        "temp_max_c": float(hourly["temp_c"].max()),
        "max_cooling_k": float(max_cooling_k),
        "min_outlet_temp_c": min_out,
        "supply_temp_c": supply,
        "return_temp_c": ret,
        "efficiency": eta,
        "source_heat_kw": float(hourly["source_heat_kw"].mean()),
        "heat_output_kw": float(output.mean()),
        "heat_output_min_kw": float(output.min()),
        "heat_output_max_kw": float(output.max()),
        "electricity_kw": float(hourly["electricity_kw"].mean()),
        "cop": heat / electricity if electricity > 0 else float("nan"),
        "potential_heat_mwh_per_a": annual_mwh(output),
        "capacity_kw": capacity,
        "heat_mwh_per_a": heat,
        "electricity_mwh_per_a": electricity,
        "source_heat_mwh_per_a": heat - electricity,
        "full_load_hours": heat * 1000.0 / capacity if capacity > 0 else 0.0,
        "feasible": True,
        "requirements": {},
        "messages": messages,
    }

    def output_at(cooling_k: float) -> np.ndarray:  # uniform cooling, no outlet limit
        temp = hourly["temp_c"].to_numpy()
        cop = cop_lorenz(ret, supply, temp, temp - cooling_k, efficiency=eta)
        source = water_heat_kw(hourly["flow_m3_per_h"], cooling_k)
        return source * cop / (cop - 1) if np.all(cop > 1) else np.full(len(temp), np.nan)

    if requested_capacity_kw is not None and requested_capacity_kw > study["heat_output_kw"]:
        messages.append(
            _shortfall(study, "kW", requested_capacity_kw, study["heat_output_kw"],
                       f"{study['heat_output_kw']:,.0f} kW on average "
                       f"({study['heat_output_max_kw']:,.0f} kW in its best hour)",
                       lambda c: float(np.mean(output_at(c))))
        )  # fmt: skip
    potential = study["potential_heat_mwh_per_a"]
    if requested_heat_mwh_per_a is not None and requested_heat_mwh_per_a > potential:
        messages.append(
            _shortfall(study, "MWh/a", requested_heat_mwh_per_a, potential,
                       f"at most {potential:,.0f} MWh/a", lambda c: annual_mwh(output_at(c)))
        )  # fmt: skip
    elif requested_heat_mwh_per_a is not None and requested_heat_mwh_per_a > heat:
        study["feasible"] = False
        messages.append(
            f"requested {requested_heat_mwh_per_a:,.0f} MWh/a, a heat pump of {capacity:,.0f} kW "
            f"delivers {heat:,.0f} MWh/a from this effluent ({potential:,.0f} with a larger one)"
        )
    return study

"""Heat from a river (e.g. the Saale) with a large heat pump, hour by hour, within its limits.

Part of the river flow is taken, cooled in the heat exchanger and returned. Limits per time step:
no extraction below a minimum river temperature (3 °C), the outlet stays above freezing, the
share of the river flow taken, and the cooling of the whole river after mixing (1.5 K). The
sourced defaults live in ``data/surface_water_parameters.csv``; the outlet minimum and the
heat-pump defaults are those shared in :mod:`heatplan.potentials.water_heat`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from heatplan.potentials.water_heat import (
    check_efficiency,
    check_min_outlet,
    check_non_negative,
    heat_pump_output,
    network_temperatures,
    parameters,
    usable_cooling_k,
    water_heat_kw,
)
from heatplan.tech.heatpump import cop_lorenz

SECONDS_PER_HOUR = 3600.0


def river_parameter(name: str) -> float:
    """One default of ``surface_water_parameters.csv`` (sources in the file)."""
    return parameters("surface_water_parameters.csv")[name]


def _limits(
    max_cooling_k: float, max_share_of_flow: float | None, max_mixed_cooling_k: float | None
) -> tuple[float, float]:
    if not max_cooling_k > 0:
        raise ValueError(f"allowed cooling must be positive, got {max_cooling_k:g} K")
    share = 1.0 if max_share_of_flow is None else float(max_share_of_flow)
    if not 0 < share <= 1:
        raise ValueError(f"share of the river flow taken must be in (0, 1], got {share:g}")
    mixed = (
        river_parameter("max_mixed_cooling_k")
        if max_mixed_cooling_k is None
        else float(max_mixed_cooling_k)
    )
    if not mixed > 0:
        raise ValueError(f"allowed cooling of the river must be positive, got {mixed:g} K")
    return share, mixed


def river_heat_potential(
    flow_m3_per_s: ArrayLike,
    temp_c: ArrayLike,
    *,
    max_cooling_k: float,
    max_share_of_flow: float | None = None,
    max_mixed_cooling_k: float | None = None,
    min_river_temp_c: float | None = None,
    min_outlet_temp_c: float | None = None,
    supply_temp_c: float | None = None,
    return_temp_c: float | None = None,
    efficiency: float | None = None,
) -> pd.DataFrame:
    """Water taken, cooling, source heat and (with a supply temperature) heat-pump output.

    Parameters
    ----------
    flow_m3_per_s, temp_c : numeric
        River flow [m³/s] and temperature [°C] per time step (a Series' index is kept).
    max_cooling_k : float
        Allowed cooling of the water taken, across the heat exchanger [K].
    max_share_of_flow : float, optional
        Largest share of the river flow taken [-] (default: no limit but the mixed cooling).
    max_mixed_cooling_k : float, optional
        Largest cooling of the whole river after mixing [K] (default 1.5 K, data).
    min_river_temp_c : float, optional
        No extraction below this river temperature [°C] (default 3 °C, data).
    min_outlet_temp_c : float, optional
        Lowest outlet temperature of the water taken [°C] (default 2 °C, data).
    supply_temp_c, return_temp_c, efficiency : float, optional
        Network supply and return [°C] and Lorenz efficiency [-] for the heat pump.

    Returns
    -------
    pandas.DataFrame
        flow_m3_per_s, temp_c, taken_m3_per_s, cooling_k, river_cooling_k, source_heat_kw,
        limited_by (what bounds the step: 'river temperature', 'outlet temperature', 'river
        cooling', 'share of flow', 'cooling'); with a supply temperature also cop,
        heat_output_kw, electricity_kw.
    """
    share, mixed = _limits(max_cooling_k, max_share_of_flow, max_mixed_cooling_k)
    min_temp = river_parameter("min_river_temp_c") if min_river_temp_c is None else min_river_temp_c
    flow = np.atleast_1d(check_non_negative("flow_m3_per_s", flow_m3_per_s))
    flow, temp = np.broadcast_arrays(flow, np.atleast_1d(np.asarray(temp_c, dtype=float)))
    open_ = temp >= min_temp
    outlet_cooling = usable_cooling_k(temp, max_cooling_k, check_min_outlet(min_outlet_temp_c))
    cooling = np.where(open_, outlet_cooling, 0.0)
    by_mixing = flow * mixed / np.where(cooling > 0, cooling, np.inf)
    taken = np.where(cooling > 0, np.minimum(share * flow, by_mixing), 0.0)
    river_cooling = np.divide(taken * cooling, flow, out=np.zeros_like(flow), where=flow > 0)
    limited_by = np.select(
        [~open_, cooling < max_cooling_k, by_mixing < share * flow, share < 1],
        ["river temperature", "outlet temperature", "river cooling", "share of flow"],
        "cooling",
    )
    frame = pd.DataFrame(
        {
            "flow_m3_per_s": flow,
            "temp_c": temp,
            "taken_m3_per_s": taken,
            "cooling_k": cooling,
            "river_cooling_k": river_cooling,
            "source_heat_kw": water_heat_kw(taken * SECONDS_PER_HOUR, cooling),
            "limited_by": limited_by,
        },
        index=next((v.index for v in (flow_m3_per_s, temp_c) if isinstance(v, pd.Series)), None),
    )
    if supply_temp_c is not None:
        supply, ret = network_temperatures(supply_temp_c, return_temp_c, temp)
        eta = check_efficiency(efficiency)
        frame["cop"] = cop_lorenz(ret, supply, temp, temp - cooling, efficiency=eta)
        output, electricity = heat_pump_output(frame["source_heat_kw"], frame["cop"])
        frame["heat_output_kw"], frame["electricity_kw"] = output, electricity
    return frame

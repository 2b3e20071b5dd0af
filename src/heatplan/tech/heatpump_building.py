"""Building heat pumps: COP from the Staffell et al. (2012) regressions and a heating curve.

An hourly (or daily) outdoor air temperature series gives the flow temperature the building's
emitters need (:func:`flow_temperature_c`), and with it the COP of an air- or ground-source heat
pump hour by hour (:func:`cop_building`); :func:`seasonal_performance_factor` weights it by the
heat delivered. Scalars, arrays and Series in give the same kind out.

References
----------
.. [1] Staffell, I., Brett, D., Brandon, N., Hawkes, A. (2012): A review of domestic heat pumps.
   Energy Environ. Sci. 5:9291-9306, doi:10.1039/C2EE22653G.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from heatplan import reference
from heatplan.tech.heatpump_base import Numeric, floats, like_inputs, parameter, reject

HeatSource = Literal["air", "ground"]
OutOfRange = Literal["clip", "raise"]


def _row(name: str, key: str, value: str) -> dict[Hashable, Any]:
    table = reference.table(name).set_index(key)
    if value not in table.index:
        raise ValueError(f"unknown {key} {value!r}; known: {', '.join(map(str, table.index))}")
    return table.to_dict("index")[value]


def cop_staffell(
    temp_sink_c: ArrayLike,
    temp_source_c: ArrayLike,
    *,
    heat_source: HeatSource = "air",
    out_of_range: OutOfRange = "clip",
) -> Numeric:
    """COP of a domestic heat pump from the Staffell et al. (2012) regression.

    Parameters
    ----------
    temp_sink_c : numeric
        Flow (supply) temperature of the heating water [°C].
    temp_source_c : numeric
        Outdoor air temperature (``"air"``) or ground/brine temperature (``"ground"``) [°C].
    heat_source : {"air", "ground"}
        Row of ``heat_pump_staffell.csv``.
    out_of_range : {"clip", "raise"}
        Outside the fitted lift (air 15-60 K, ground 20-60 K): ``"clip"`` evaluates the
        regression at the nearest end of the range (COP held constant beyond it, no warning),
        ``"raise"`` raises ``ValueError``.

    Returns
    -------
    numeric
        COP = c0 + c1 dT + c2 dT^2 with dT = sink - source [K]; air: 6.81 - 0.121 dT +
        0.00063 dT^2, ground: 8.77 - 0.150 dT + 0.000734 dT^2 [-].

    Examples
    --------
    >>> round(float(cop_staffell(35, 7)), 4)
    3.9159
    >>> round(float(cop_staffell(35, 30)), 4)  # lift 5 K, clipped to 15 K
    5.1367
    """
    row = _row("heat_pump_staffell.csv", "heat_source", heat_source)
    sink, source = floats(temp_sink_c, temp_source_c)
    lift = sink - source
    low, high = float(row["temp_lift_min_k"]), float(row["temp_lift_max_k"])
    if out_of_range == "raise":
        reject(
            (lift < low) | (lift > high),
            "lift {d:g} K (sink {s:g} °C - source {q:g} °C) is "
            "outside the {lo:g}-{hi:g} K fitted by Staffell et al. (2012)",
            d=lift,
            s=sink,
            q=source,
            lo=low,
            hi=high,
        )
    elif out_of_range != "clip":
        raise ValueError(f"out_of_range must be 'clip' or 'raise', not {out_of_range!r}")
    lift = np.clip(lift, low, high)
    cop = float(row["c0"]) + float(row["c1"]) * lift + float(row["c2"]) * lift**2
    return like_inputs(cop, temp_sink_c, temp_source_c)


def flow_temperature_c(
    temp_outdoor_c: ArrayLike,
    *,
    building_state: str,
    temp_outdoor_design_c: float,
    temp_room_c: float | None = None,
    temp_heating_limit_c: float | None = None,
) -> Numeric:
    """Flow temperature the emitters need at an outdoor temperature (heating curve).

    Parameters
    ----------
    temp_outdoor_c : numeric
        Outdoor air temperature, hourly or daily mean [°C].
    building_state : str
        Row of ``heat_pump_heating_curves.csv``: ``"new_build"`` (floor heating 35/30 °C),
        ``"renovated"`` (radiators 55/47 °C) or ``"unrenovated"`` (radiators 75/65 °C), design
        flow/return temperatures at the design outdoor temperature.
    temp_outdoor_design_c : float
        Design outdoor temperature of the location (DIN/TS 12831-1, e.g. -12 to -16 °C) [°C].
    temp_room_c : float, optional
        Indoor temperature [°C]; default ``temp_room_c`` of ``heat_pump_parameters.csv`` (20).
    temp_heating_limit_c : float, optional
        Heating limit [°C]; default ``temp_heating_limit_c`` of ``heat_pump_parameters.csv`` (15).

    Returns
    -------
    numeric
        Flow temperature [°C]. The heat load is taken linear in (room - outdoor), the emitter
        output proportional to its mean excess temperature ^ n (EN 442 / EN 1264 exponent of the
        row) at constant water flow: T_flow = T_room + dT_mean,design x phi^(1/n) + spread,design
        x phi / 2 with phi = (T_room - T_out) / (T_room - T_design). Outdoor temperatures are
        clipped to [design, heating limit]: colder hours keep the design flow temperature, warmer
        hours the one at the heating limit (no space heat is needed then).

    Examples
    --------
    >>> flow_temperature_c([-12.0, 15.0], building_state="new_build", temp_outdoor_design_c=-12)
    array([35.        , 22.70279162])
    """
    row = _row("heat_pump_heating_curves.csv", "building_state", building_state)
    room = parameter("temp_room_c") if temp_room_c is None else float(temp_room_c)
    limit = (
        parameter("temp_heating_limit_c")
        if temp_heating_limit_c is None
        else float(temp_heating_limit_c)
    )
    if not temp_outdoor_design_c < limit <= room:
        raise ValueError(
            f"need design outdoor {temp_outdoor_design_c:g} °C < heating limit "
            f"{limit:g} °C <= room {room:g} °C"
        )
    flow_d, return_d = float(row["temp_flow_design_c"]), float(row["temp_return_design_c"])
    outdoor = np.clip(np.asarray(temp_outdoor_c, dtype=float), temp_outdoor_design_c, limit)
    load = (room - outdoor) / (room - temp_outdoor_design_c)
    mean_excess = ((flow_d + return_d) / 2 - room) * load ** (1 / float(row["emitter_exponent"]))
    flow = room + mean_excess + (flow_d - return_d) * load / 2
    return like_inputs(flow, temp_outdoor_c)


def cop_building(
    temp_outdoor_c: ArrayLike,
    *,
    building_state: str,
    temp_outdoor_design_c: float,
    heat_source: HeatSource = "air",
    temp_source_c: ArrayLike | None = None,
    out_of_range: OutOfRange = "clip",
) -> Numeric:
    """COP of a building's heat pump at each outdoor temperature (e.g. an hourly series).

    Parameters
    ----------
    temp_outdoor_c : numeric
        Outdoor air temperature [°C]; sets the flow temperature and, for ``"air"``, the source.
    building_state : str
        Row of ``heat_pump_heating_curves.csv`` (see :func:`flow_temperature_c`).
    temp_outdoor_design_c : float
        Design outdoor temperature of the location [°C].
    heat_source : {"air", "ground"}
        Air-source or ground-source (brine) heat pump.
    temp_source_c : numeric, optional
        Ground/brine temperature [°C]; required for ``"ground"``, not allowed for ``"air"``.
    out_of_range : {"clip", "raise"}
        Passed to :func:`cop_staffell`.

    Returns
    -------
    numeric
        COP [-] in the kind of ``temp_outdoor_c`` (a Series keeps its index).

    Examples
    --------
    >>> cop = cop_building([-12.0, 0.0, 10.0], building_state="renovated",
    ...                    temp_outdoor_design_c=-12)
    >>> [round(float(value), 2) for value in cop]  # -12 °C: lift 67 K, clipped to 60 K
    [1.82, 2.7, 4.28]
    """
    if (heat_source == "ground") != (temp_source_c is not None):
        raise ValueError(
            "give temp_source_c (the ground/brine temperature) for heat_source "
            "'ground', and only then"
        )
    sink = flow_temperature_c(
        temp_outdoor_c, building_state=building_state, temp_outdoor_design_c=temp_outdoor_design_c
    )
    source = temp_outdoor_c if temp_source_c is None else temp_source_c
    cop = cop_staffell(
        np.asarray(sink), np.asarray(source), heat_source=heat_source, out_of_range=out_of_range
    )
    return like_inputs(cop, temp_outdoor_c, temp_source_c)


def seasonal_performance_factor(cop: ArrayLike, heat_kwh: ArrayLike) -> float:
    """Seasonal performance factor: heat delivered / electricity used over the period [-].

    Parameters
    ----------
    cop : numeric
        COP in each time step [-].
    heat_kwh : numeric
        Heat delivered in each time step [kWh]; steps with no heat are ignored.

    Returns
    -------
    float
        sum(heat) / sum(heat / cop) [-].

    Examples
    --------
    >>> seasonal_performance_factor([2.0, 4.0], [10.0, 10.0])
    2.6666666666666665
    """
    cop_a, heat = floats(cop, heat_kwh)
    reject(heat < 0, "heat {h:g} kWh is negative", h=heat)
    total = float(np.sum(heat))
    if not total > 0:
        raise ValueError(
            "no heat delivered in the period: the seasonal performance factor is undefined"
        )
    reject((heat > 0) & ~(cop_a > 0), "COP {c:g} is not positive in a step with heat", c=cop_a)
    used = np.divide(heat, cop_a, out=np.zeros_like(heat), where=heat > 0)
    return total / float(np.sum(used))

"""Building heat pumps: COP from the Staffell et al. (2012) regressions and a heating curve.

An hourly (or daily) outdoor air temperature series gives the flow temperature the building's
emitters need (:func:`flow_temperature_c`), and with it the COP of an air- or ground-source heat
pump hour by hour (:func:`cop_building`); :func:`seasonal_performance_factor` weights it by the
heat delivered. Scalars, arrays and Series in give the same kind out. The regression
coefficients (:class:`StaffellCoefficients`), the emitter design (:class:`HeatingCurve`) and the
room and heating-limit temperatures are arguments; the values shipped with heatplan are read by
:mod:`heatplan.reference.heatpump`.

References
----------
.. [1] Staffell, I., Brett, D., Brandon, N., Hawkes, A. (2012): A review of domestic heat pumps.
   Energy Environ. Sci. 5:9291-9306, doi:10.1039/C2EE22653G.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from heatplan.tech.heatpump_base import Numeric, floats, like_inputs, reject

OutOfRange = Literal["clip", "raise"]


@dataclass(frozen=True)
class StaffellCoefficients:
    """A Staffell et al. (2012) regression COP = c0 + c1 dT + c2 dT^2 and its fitted lift range.

    Attributes
    ----------
    heat_source : str
        ``"air"`` (air-source) or ``"ground"`` (ground-source, brine) heat pump.
    c0, c1, c2 : float
        Coefficients [-, 1/K, 1/K^2]; air: 6.81, -0.121, 0.00063; ground: 8.77, -0.150, 0.000734.
    temp_lift_min_k, temp_lift_max_k : float
        Fitted lift sink - source [K]; air 15-60 K, ground 20-60 K.
    """

    heat_source: str
    c0: float
    c1: float
    c2: float
    temp_lift_min_k: float
    temp_lift_max_k: float


@dataclass(frozen=True)
class HeatingCurve:
    """Design water temperatures and emitter exponent of a building's heating system.

    Attributes
    ----------
    temp_flow_design_c, temp_return_design_c : float
        Flow and return temperature at the design outdoor temperature [°C], e.g. 35/30 °C for
        floor heating, 55/47 °C for low-temperature radiators (EN 14511-2 rating conditions).
    emitter_exponent : float
        Exponent n of the emitter output ~ (mean excess temperature)^n [-] (EN 442-2 radiators
        ~1.3, EN 1264-2 floor heating 1.1).
    """

    temp_flow_design_c: float
    temp_return_design_c: float
    emitter_exponent: float


def cop_staffell(
    temp_sink_c: ArrayLike,
    temp_source_c: ArrayLike,
    *,
    coefficients: StaffellCoefficients,
    out_of_range: OutOfRange = "clip",
) -> Numeric:
    """COP of a domestic heat pump from the Staffell et al. (2012) regression.

    Parameters
    ----------
    temp_sink_c : numeric
        Flow (supply) temperature of the heating water [°C].
    temp_source_c : numeric
        Outdoor air temperature (``"air"``) or ground/brine temperature (``"ground"``) [°C].
    coefficients : StaffellCoefficients
        The regression of the heat source (air or ground).
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
    >>> air = StaffellCoefficients("air", c0=6.81, c1=-0.121, c2=0.00063,
    ...                            temp_lift_min_k=15, temp_lift_max_k=60)
    >>> round(float(cop_staffell(35, 7, coefficients=air)), 4)
    3.9159
    >>> round(float(cop_staffell(35, 30, coefficients=air)), 4)  # lift 5 K, clipped to 15 K
    5.1367
    """
    sink, source = floats(temp_sink_c, temp_source_c)
    lift = sink - source
    low, high = float(coefficients.temp_lift_min_k), float(coefficients.temp_lift_max_k)
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
    c0, c1, c2 = float(coefficients.c0), float(coefficients.c1), float(coefficients.c2)
    cop = c0 + c1 * lift + c2 * lift**2
    return like_inputs(cop, temp_sink_c, temp_source_c)


def flow_temperature_c(
    temp_outdoor_c: ArrayLike,
    *,
    heating_curve: HeatingCurve,
    temp_outdoor_design_c: float,
    temp_room_c: float,
    temp_heating_limit_c: float,
) -> Numeric:
    """Flow temperature the emitters need at an outdoor temperature (heating curve).

    Parameters
    ----------
    temp_outdoor_c : numeric
        Outdoor air temperature, hourly or daily mean [°C].
    heating_curve : HeatingCurve
        Design flow/return temperatures at the design outdoor temperature and emitter exponent;
        heatplan ships curves for new builds (floor heating 35/30 °C), renovated (radiators
        55/47 °C) and unrenovated buildings (radiators 75/65 °C).
    temp_outdoor_design_c : float
        Design outdoor temperature of the location (DIN/TS 12831-1, e.g. -12 to -16 °C) [°C].
    temp_room_c : float
        Indoor temperature [°C] (VDI 3807-1 degree days G20/15: 20).
    temp_heating_limit_c : float
        Heating limit [°C] (VDI 3807-1 degree days G20/15: 15).

    Returns
    -------
    numeric
        Flow temperature [°C]. The heat load is taken linear in (room - outdoor), the emitter
        output proportional to its mean excess temperature ^ n (EN 442 / EN 1264 exponent of the
        curve) at constant water flow: T_flow = T_room + dT_mean,design x phi^(1/n) + spread,design
        x phi / 2 with phi = (T_room - T_out) / (T_room - T_design). Outdoor temperatures are
        clipped to [design, heating limit]: colder hours keep the design flow temperature, warmer
        hours the one at the heating limit (no space heat is needed then).

    Examples
    --------
    >>> floor = HeatingCurve(temp_flow_design_c=35, temp_return_design_c=30, emitter_exponent=1.1)
    >>> flow_temperature_c([-12.0, 15.0], heating_curve=floor, temp_outdoor_design_c=-12,
    ...                    temp_room_c=20.0, temp_heating_limit_c=15.0)
    array([35.        , 22.70279162])
    """
    room, limit = float(temp_room_c), float(temp_heating_limit_c)
    if not temp_outdoor_design_c < limit <= room:
        raise ValueError(
            f"need design outdoor {temp_outdoor_design_c:g} °C < heating limit "
            f"{limit:g} °C <= room {room:g} °C"
        )
    flow_d = float(heating_curve.temp_flow_design_c)
    return_d = float(heating_curve.temp_return_design_c)
    outdoor = np.clip(np.asarray(temp_outdoor_c, dtype=float), temp_outdoor_design_c, limit)
    load = (room - outdoor) / (room - temp_outdoor_design_c)
    exponent = float(heating_curve.emitter_exponent)
    mean_excess = ((flow_d + return_d) / 2 - room) * load ** (1 / exponent)
    flow = room + mean_excess + (flow_d - return_d) * load / 2
    return like_inputs(flow, temp_outdoor_c)


def cop_building(
    temp_outdoor_c: ArrayLike,
    *,
    heating_curve: HeatingCurve,
    coefficients: StaffellCoefficients,
    temp_outdoor_design_c: float,
    temp_room_c: float,
    temp_heating_limit_c: float,
    temp_source_c: ArrayLike | None = None,
    out_of_range: OutOfRange = "clip",
) -> Numeric:
    """COP of a building's heat pump at each outdoor temperature (e.g. an hourly series).

    Parameters
    ----------
    temp_outdoor_c : numeric
        Outdoor air temperature [°C]; sets the flow temperature and, for ``"air"``, the source.
    heating_curve : HeatingCurve
        Emitter design of the building (see :func:`flow_temperature_c`).
    coefficients : StaffellCoefficients
        Regression of the air-source or ground-source (brine) heat pump (see
        :func:`cop_staffell`).
    temp_outdoor_design_c : float
        Design outdoor temperature of the location [°C].
    temp_room_c, temp_heating_limit_c : float
        Indoor and heating-limit temperatures of the heating curve [°C].
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
    >>> radiators = HeatingCurve(temp_flow_design_c=55, temp_return_design_c=47,
    ...                          emitter_exponent=1.3)
    >>> air = StaffellCoefficients("air", c0=6.81, c1=-0.121, c2=0.00063,
    ...                            temp_lift_min_k=15, temp_lift_max_k=60)
    >>> cop = cop_building([-12.0, 0.0, 10.0], heating_curve=radiators, coefficients=air,
    ...                    temp_outdoor_design_c=-12, temp_room_c=20.0, temp_heating_limit_c=15.0)
    >>> [round(float(value), 2) for value in cop]  # -12 °C: lift 67 K, clipped to 60 K
    [1.82, 2.7, 4.28]
    """
    if (coefficients.heat_source == "ground") != (temp_source_c is not None):
        raise ValueError(
            "give temp_source_c (the ground/brine temperature) for heat_source "
            "'ground', and only then"
        )
    sink = flow_temperature_c(
        temp_outdoor_c,
        heating_curve=heating_curve,
        temp_outdoor_design_c=temp_outdoor_design_c,
        temp_room_c=temp_room_c,
        temp_heating_limit_c=temp_heating_limit_c,
    )
    source = temp_outdoor_c if temp_source_c is None else temp_source_c
    cop = cop_staffell(
        np.asarray(sink), np.asarray(source), coefficients=coefficients, out_of_range=out_of_range
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

"""COP of market-available large heat pumps: the regression of Jesper et al. (2021).

COP = a (dT_lift + 2b)^c (T_sink_out + b)^d with dT_lift = sink outlet - source outlet [K] and
T_sink_out in K. A fitted parameter set and its ranges are a :class:`JesperParameters`; the
published sets ``shp`` (sink outlet up to 100 °C) and ``vhthp`` (very high temperature,
100-160 °C) are read by :func:`heatplan.reference.heatpump.jesper_parameter_sets`. The fits
cover electric single-stage subcritical machines of at least 50 kW_th with water or brine sources;
no refrigerant-specific (e.g. NH3 vs. HFC/HFO) sets are shipped.

References
----------
.. [1] Jesper, M., Schlosser, F., Pag, F., Walmsley, T. G., Schmitt, B., Vajen, K. (2021):
   Large-scale heat pumps: Uptake and performance modelling of market-available devices.
   Renew. Sust. Energy Rev. 137:110646.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from heatplan.tech.heatpump_base import ZERO_C_IN_K, Numeric, floats, like_inputs, reject


@dataclass(frozen=True)
class JesperParameters:
    """One fitted parameter set of Jesper et al. (2021) and the ranges it was fitted on.

    Attributes
    ----------
    name : str
        Name of the set (``"shp"``, ``"vhthp"``), shown in messages.
    a, b, c, d : float
        Coefficients of COP = a (dT_lift + 2b)^c (T_sink_out + b)^d [-; b in K].
    temp_lift_min_k, temp_lift_max_k : float
        Fitted temperature lift, sink outlet - source outlet [K].
    temp_sink_out_min_c, temp_sink_out_max_c : float
        Fitted sink outlet temperatures [°C]; ``-math.inf`` for no lower bound.
    """

    name: str
    a: float
    b: float
    c: float
    d: float
    temp_lift_min_k: float
    temp_lift_max_k: float
    temp_sink_out_min_c: float
    temp_sink_out_max_c: float


def jesper_parameter_set(
    temp_sink_out_c: float, parameter_sets: Iterable[JesperParameters]
) -> JesperParameters | None:
    """The first set whose sink-outlet range holds ``temp_sink_out_c`` [°C], else ``None``.

    >>> low = JesperParameters("low", 1.0, 0.0, -1.0, 0.0, 10, 80, -math.inf, 100)
    >>> high = JesperParameters("high", 1.0, 0.0, -1.0, 0.0, 25, 95, 100, 160)
    >>> [getattr(jesper_parameter_set(t, [low, high]), "name", None) for t in (80, 120, 200)]
    ['low', 'high', None]
    """
    for parameters in parameter_sets:
        if parameters.temp_sink_out_min_c <= temp_sink_out_c <= parameters.temp_sink_out_max_c:
            return parameters
    return None


def jesper_out_of_range(
    temp_sink_out_c: float, temp_source_out_c: float, parameters: JesperParameters
) -> list[str]:
    """Why a point lies outside the data the set was fitted to (empty list if inside).

    >>> shp = JesperParameters("shp", 1.448e12, 88.73, -4.946, 0.0, 10, 78, -math.inf, 100)
    >>> jesper_out_of_range(80, 75, shp)
    ['temperature lift 5 K is outside the 10-78 K fitted by Jesper et al. (2021) for set shp']
    """
    lift = temp_sink_out_c - temp_source_out_c
    low_lift, high_lift = parameters.temp_lift_min_k, parameters.temp_lift_max_k
    problems = []
    if not low_lift <= lift <= high_lift:
        problems.append(
            f"temperature lift {lift:g} K is outside the {low_lift:g}-{high_lift:g} K fitted by "
            f"Jesper et al. (2021) for set {parameters.name}"
        )
    low, high = parameters.temp_sink_out_min_c, parameters.temp_sink_out_max_c
    if temp_sink_out_c < low or temp_sink_out_c > high:
        lower = f"{low:g}-" if math.isfinite(low) else ""
        problems.append(
            f"sink outlet {temp_sink_out_c:g} °C is outside the {lower}{high:g} °C of set "
            f"{parameters.name}"
        )
    return problems


def cop_jesper(
    temp_sink_out_c: ArrayLike,
    temp_source_out_c: ArrayLike,
    *,
    parameters: JesperParameters,
    extrapolate: bool = False,
) -> Numeric:
    """COP of a market-available large heat pump (Jesper et al. 2021).

    Parameters
    ----------
    temp_sink_out_c : numeric
        Supply temperature of the heated stream [°C].
    temp_source_out_c : numeric
        Source stream temperature leaving the evaporator [°C].
    parameters : JesperParameters
        The fitted set, e.g. ``shp`` or ``vhthp``; see :func:`jesper_parameter_set`.
    extrapolate : bool
        Evaluate outside the fitted lift and sink ranges instead of raising.

    Returns
    -------
    numeric
        COP = a (dT_lift + 2b)^c (T_sink_out + b)^d [-].

    Raises
    ------
    ValueError
        If the sink outlet is not above the source outlet or (unless ``extrapolate``) a point
        lies outside the fitted ranges.

    Examples
    --------
    >>> shp = JesperParameters("shp", 1.448e12, 88.73, -4.946, 0.0, 10, 78, -math.inf, 100)
    >>> round(float(cop_jesper(80, 40, parameters=shp)), 2)
    3.98
    >>> vhthp = JesperParameters("vhthp", 1.9118, 0.044189, -0.89094, 0.67895, 25, 95, 100, 160)
    >>> round(float(cop_jesper(120, 70, parameters=vhthp)), 2)
    3.38
    """
    sink_out, src_out = floats(temp_sink_out_c, temp_source_out_c)
    lift = sink_out - src_out
    reject(
        lift <= 0,
        "sink outlet {s:g} °C must lie above the source outlet {q:g} °C",
        s=sink_out,
        q=src_out,
    )
    if not extrapolate:
        for sink, source in zip(
            *(a.ravel() for a in np.broadcast_arrays(sink_out, src_out)), strict=True
        ):
            problems = jesper_out_of_range(float(sink), float(source), parameters)
            if problems and not np.isnan(sink - source):
                raise ValueError("; ".join(problems) + " (extrapolate=True evaluates anyway)")
    a, b, c, d = parameters.a, parameters.b, parameters.c, parameters.d
    cop = a * (lift + 2 * b) ** c * (sink_out + ZERO_C_IN_K + b) ** d
    return like_inputs(cop, temp_sink_out_c, temp_source_out_c)

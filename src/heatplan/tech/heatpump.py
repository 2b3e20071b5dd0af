"""Large heat pumps: coefficient of performance from stream temperatures (pure, vectorised).

Lorenz COP with an efficiency, the part-load (cycling) loss of EN 14825, the usable cooling of a
source with a minimum outlet temperature, and :func:`heat_pump_study` that answers
``heatplan calc heat-pump``. The empirical COP of Jesper et al. (2021) is in
:mod:`heatplan.tech.heatpump_jesper` (re-exported here), building heat pumps in
:mod:`heatplan.tech.heatpump_building`. Scalars, arrays and Series in give the same kind out.
Parameters are arguments; the values shipped with heatplan are read by
:mod:`heatplan.reference.heatpump`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from heatplan.tech.heatpump_base import (
    ZERO_C_IN_K,
    HeatPumpParameters,
    Numeric,
    floats,
    like_inputs,
    log_mean_k,
    reject,
)
from heatplan.tech.heatpump_jesper import (
    JesperParameters,
    cop_jesper,
    jesper_out_of_range,
    jesper_parameter_set,
)

__all__ = [
    "ZERO_C_IN_K",
    "HeatPumpParameters",
    "JesperParameters",
    "cop_jesper",
    "cop_lorenz",
    "cop_part_load",
    "fit_lorenz_efficiency",
    "heat_pump_study",
    "jesper_parameter_set",
    "usable_source_cooling_k",
]

METHODS = ("lorenz", "jesper")
_log_mean_k = log_mean_k  # name of earlier releases


def _check_streams(
    sink_in: np.ndarray, sink_out: np.ndarray, src_in: np.ndarray, src_out: np.ndarray
) -> None:
    for name, temp in (
        ("sink in", sink_in),
        ("sink out", sink_out),
        ("source in", src_in),
        ("source out", src_out),
    ):
        reject(
            temp <= -ZERO_C_IN_K, name + " temperature {t:g} °C is not above absolute zero", t=temp
        )
    reject(
        src_out > src_in,
        "source outlet {o:g} °C lies above the source inlet {i:g} °C: a "
        "heat pump cools its source (swapped?)",
        o=src_out,
        i=src_in,
    )
    reject(
        sink_out < sink_in,
        "sink outlet {o:g} °C lies below the sink inlet {i:g} °C: a heat "
        "pump heats its sink (swapped?)",
        o=sink_out,
        i=sink_in,
    )


def cop_lorenz(
    temp_sink_in_c: ArrayLike,
    temp_sink_out_c: ArrayLike,
    temp_source_in_c: ArrayLike,
    temp_source_out_c: ArrayLike,
    *,
    efficiency: float = 0.56,
) -> Numeric:
    """Coefficient of performance of a heat pump from the Lorenz cycle.

    Parameters
    ----------
    temp_sink_in_c : numeric
        Return temperature of the heated stream [°C].
    temp_sink_out_c : numeric
        Supply temperature of the heated stream [°C].
    temp_source_in_c : numeric
        Source stream temperature entering the evaporator [°C].
    temp_source_out_c : numeric
        Source stream temperature leaving the evaporator [°C].
    efficiency : float
        Lorenz efficiency in (0, 1] [-]; the default 0.56 is the fit to large plants in
        operation (``heat_pump_plants.csv``, :func:`fit_lorenz_efficiency`; Reinholdt et al.
        2018 and Jesper et al. 2021 give 0.5-0.6); ``1.0`` gives the ideal (Lorenz) COP.

    Returns
    -------
    numeric
        COP = efficiency x T_sink_lm / (T_sink_lm - T_source_lm) [-], log-mean temperatures.

    Raises
    ------
    ValueError
        If the efficiency is outside (0, 1], the source outlet lies above its inlet, the sink
        outlet below its inlet, or the sink (log-mean) is not warmer than the source. NaN inputs
        give NaN.

    Examples
    --------
    >>> round(float(cop_lorenz(50, 80, 12, 6)), 2)
    3.39
    """
    eff = np.asarray(efficiency, dtype=float)
    reject(~((eff > 0) & (eff <= 1)), "Lorenz efficiency {e:g} is outside (0, 1]", e=eff)
    sink_in, sink_out, src_in, src_out = floats(
        temp_sink_in_c, temp_sink_out_c, temp_source_in_c, temp_source_out_c
    )
    _check_streams(sink_in, sink_out, src_in, src_out)
    sink = log_mean_k(sink_in, sink_out)
    source = log_mean_k(src_in, src_out)
    reject(
        sink <= source,
        "the sink ({si:g} -> {so:g} °C, log-mean {s:.2f} °C) is not warmer "
        "than the source ({qi:g} -> {qo:g} °C, log-mean {q:.2f} °C)",
        si=sink_in,
        so=sink_out,
        s=sink - ZERO_C_IN_K,
        qi=src_in,
        qo=src_out,
        q=source - ZERO_C_IN_K,
    )
    cop = eff * sink / (sink - source)
    return like_inputs(cop, temp_sink_in_c, temp_sink_out_c, temp_source_in_c, temp_source_out_c)


def cop_part_load(
    cop_full_load: ArrayLike,
    part_load_ratio: ArrayLike,
    *,
    degradation_coefficient: float,
) -> Numeric:
    """COP at part load of a heat pump that cycles on and off (EN 14825).

    Parameters
    ----------
    cop_full_load : numeric
        COP at the same temperatures and full (declared) capacity [-].
    part_load_ratio : numeric
        Heat demanded / heat the unit delivers at full capacity, in (0, 1] [-].
    degradation_coefficient : float
        Cd in (0, 1] [-]; 0.9 is the EN 14825 default when Cd is not measured
        (``part_load_degradation_coefficient`` of :class:`HeatPumpParameters`).

    Returns
    -------
    numeric
        COP_pl = COP_fl x PLR / (Cd x PLR + 1 - Cd) [-].

    Examples
    --------
    >>> round(float(cop_part_load(4.0, 0.5, degradation_coefficient=0.9)), 3)
    3.636
    """
    cd = float(degradation_coefficient)
    reject(not 0 < cd <= 1, "degradation coefficient {c:g} is outside (0, 1]", c=cd)
    cop, plr = floats(cop_full_load, part_load_ratio)
    reject((plr <= 0) | (plr > 1), "part load ratio {p:g} is outside (0, 1]", p=plr)
    return like_inputs(cop * plr / (cd * plr + 1 - cd), cop_full_load, part_load_ratio)


def usable_source_cooling_k(
    temp_source_in_c: ArrayLike,
    *,
    min_source_outlet_c: float,
    max_cooling_k: float = np.inf,
) -> Numeric:
    """Cooling of a source stream that keeps its outlet at or above a minimum [K].

    Parameters
    ----------
    temp_source_in_c : numeric
        Source temperature entering the evaporator [°C].
    min_source_outlet_c : float
        Lowest allowed source outlet temperature [°C], e.g. a frost margin for water and
        effluent or a permit limit; see ``wastewater_parameters.csv`` / ``surface_water_...``.
    max_cooling_k : float
        Largest allowed cooling of the stream [K] (default: no limit but the outlet minimum).

    Returns
    -------
    numeric
        min(max_cooling_k, T_in - min_source_outlet_c), never below 0 [K]; the source outlet is
        T_in minus this value. An hour with the source at or below the minimum gives 0.

    Examples
    --------
    >>> usable_source_cooling_k([12.0, 6.0, 1.0], min_source_outlet_c=2.0, max_cooling_k=6.0)
    array([6., 4., 0.])
    """
    reject(max_cooling_k < 0, "max_cooling_k {m:g} K is negative", m=max_cooling_k)
    src_in = np.asarray(temp_source_in_c, dtype=float)
    drop = np.clip(np.minimum(src_in - min_source_outlet_c, max_cooling_k), 0.0, None)
    return like_inputs(drop, temp_source_in_c)


def _messages(
    lorenz_efficiency: float,
    cop: float,
    source_out_c: float,
    min_source_outlet_c: float | None,
    source_in_c: float,
    parameters: HeatPumpParameters,
) -> list[str]:
    messages = []
    low, high = (
        parameters.lorenz_efficiency_typical_min,
        parameters.lorenz_efficiency_typical_max,
    )
    if not low <= lorenz_efficiency <= high:
        messages.append(
            f"Lorenz efficiency {lorenz_efficiency:.2f} is outside the {low:g}-{high:g} "
            "that fits large heat pumps in operation"
        )
    if cop < 1:
        messages.append(f"COP {cop:.2f} is below 1: a direct electric heater would do better")
    freezing = parameters.temp_water_freezing_c
    if source_out_c < freezing:
        messages.append(
            f"source outlet {source_out_c:g} °C is below the freezing point of water: "
            "only a brine (antifreeze) source can be cooled this far"
        )
    if min_source_outlet_c is not None and source_out_c < min_source_outlet_c:
        usable = float(
            usable_source_cooling_k(source_in_c, min_source_outlet_c=min_source_outlet_c)
        )
        messages.append(
            f"source outlet {source_out_c:g} °C is below the allowed minimum "
            f"{min_source_outlet_c:g} °C: only {usable:g} K of cooling is usable"
        )
    return messages


def _no_jesper_set(
    sink_out_c: float, source_out_c: float, jesper_sets: Sequence[JesperParameters]
) -> ValueError:
    top = max((s.temp_sink_out_max_c for s in jesper_sets), default=float("nan"))
    return ValueError(
        f"Jesper et al. (2021) fitted sink outlets up to {top:g} °C with the sink "
        f"above the source; got sink {sink_out_c:g} °C, "
        f"source {source_out_c:g} °C"
    )


def _at_part_load(cop_full: float, part_load_ratio: float, degradation_coefficient: float) -> float:
    if part_load_ratio == 1:
        return cop_full
    return float(
        cop_part_load(cop_full, part_load_ratio, degradation_coefficient=degradation_coefficient)
    )


def heat_pump_study(
    *,
    source_in_c: float,
    source_out_c: float,
    sink_in_c: float,
    sink_out_c: float,
    parameters: HeatPumpParameters,
    jesper_sets: Sequence[JesperParameters],
    method: str = "lorenz",
    efficiency: float | None = None,
    part_load_ratio: float = 1.0,
    min_source_outlet_c: float | None = None,
) -> dict[str, Any]:
    """COP of a large heat pump with the figures a planner checks (``heatplan calc heat-pump``).

    Parameters
    ----------
    source_in_c, source_out_c : float
        Source stream into / out of the evaporator [°C].
    sink_in_c, sink_out_c : float
        Heated stream into (return) / out of (supply) the condenser [°C].
    parameters : HeatPumpParameters
        Typical Lorenz efficiency band, EN 14825 degradation coefficient and freezing point of
        water.
    jesper_sets : sequence of JesperParameters
        Fitted sets of Jesper et al. (2021) to choose from by sink outlet (the first whose
        range holds it, :func:`jesper_parameter_set`).
    method : str
        ``"lorenz"`` (efficiency x Lorenz COP) or ``"jesper"`` (regression of Jesper et al.
        2021, extrapolated with a message outside its fitted range).
    efficiency : float
        Lorenz efficiency [-], used by ``method="lorenz"``.
    part_load_ratio : float
        Heat demanded / full capacity in (0, 1] [-]; below 1 the EN 14825 cycling loss applies.
    min_source_outlet_c : float, optional
        Lowest allowed source outlet [°C]; a lower ``source_out_c`` gives a message.

    Returns
    -------
    dict
        ``cop``, ``method``, ``lorenz_efficiency`` (given, or implied by the Jesper COP),
        ``carnot_cop`` (ideal Lorenz COP of the log-mean stream temperatures),
        ``carnot_cop_outlets`` (T_sink_out / (T_sink_out - T_source_out)), ``temp_lift_k`` (sink
        outlet - source outlet), ``temp_sink_lm_c``, ``temp_source_lm_c``, ``cop_lorenz``,
        ``cop_jesper`` and ``jesper_parameter_set`` (its name; None outside every set),
        ``part_load_ratio``,
        ``messages`` (plain sentences). Impossible inputs raise ``ValueError``.

    Examples
    --------
    >>> import math
    >>> parameters = HeatPumpParameters(
    ...     lorenz_efficiency_default=0.55, lorenz_efficiency_typical_min=0.5,
    ...     lorenz_efficiency_typical_max=0.6, part_load_degradation_coefficient=0.9,
    ...     temp_water_freezing_c=0.0, temp_room_c=20.0, temp_heating_limit_c=15.0)
    >>> shp = JesperParameters("shp", 1.448e12, 88.73, -4.946, 0.0, 10, 78, -math.inf, 100)
    >>> study = heat_pump_study(source_in_c=12, source_out_c=6, sink_in_c=50, sink_out_c=80,
    ...                         parameters=parameters, jesper_sets=[shp])
    >>> round(study["cop"], 2), study["temp_lift_k"], study["messages"]
    (3.33, 74.0, [])
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if efficiency is None:
        efficiency = parameters.lorenz_efficiency_default
    cop_l = float(
        cop_lorenz(sink_in_c, sink_out_c, source_in_c, source_out_c, efficiency=efficiency)
    )
    ideal = cop_l / efficiency
    lift = float(sink_out_c - source_out_c)
    jesper_set = jesper_parameter_set(sink_out_c, jesper_sets) if lift > 0 else None
    cop_j = (
        None
        if jesper_set is None
        else float(cop_jesper(sink_out_c, source_out_c, parameters=jesper_set, extrapolate=True))
    )
    messages: list[str] = []
    if method == "lorenz":
        cop_full = cop_l
    elif cop_j is None or jesper_set is None:
        raise _no_jesper_set(sink_out_c, source_out_c, jesper_sets)
    else:
        cop_full = cop_j
        messages += jesper_out_of_range(sink_out_c, source_out_c, jesper_set)
    cop = _at_part_load(cop_full, part_load_ratio, parameters.part_load_degradation_coefficient)
    lorenz_efficiency = efficiency if method == "lorenz" else cop_full / ideal
    messages += _messages(
        lorenz_efficiency, cop, source_out_c, min_source_outlet_c, source_in_c, parameters
    )
    return {
        "cop": cop,
        "method": method,
        "lorenz_efficiency": lorenz_efficiency,
        "carnot_cop": ideal,
        "carnot_cop_outlets": (sink_out_c + ZERO_C_IN_K) / lift if lift > 0 else None,
        "temp_lift_k": lift,
        "temp_sink_lm_c": float(log_mean_k(sink_in_c, sink_out_c)) - ZERO_C_IN_K,
        "temp_source_lm_c": float(log_mean_k(source_in_c, source_out_c)) - ZERO_C_IN_K,
        "cop_lorenz": cop_l,
        "cop_jesper": cop_j,
        "jesper_parameter_set": None if jesper_set is None else jesper_set.name,
        "part_load_ratio": float(part_load_ratio),
        "messages": messages,
    }


def fit_lorenz_efficiency(
    cop: ArrayLike,
    temp_sink_in_c: ArrayLike,
    temp_sink_out_c: ArrayLike,
    temp_source_in_c: ArrayLike,
    temp_source_out_c: ArrayLike,
) -> float:
    """Lorenz efficiency that fits measured COPs best in relative terms [-].

    Each plant implies ``eta_i = COP_i / COP_Lorenz,i``; the fit is their geometric mean,
    the eta that minimises the sum of squared log errors ``ln(eta x COP_Lorenz,i / COP_i)``,
    so a plant with a large ideal COP does not outweigh the others.

    Parameters
    ----------
    cop : array_like
        Measured coefficients of performance [-].
    temp_sink_in_c, temp_sink_out_c, temp_source_in_c, temp_source_out_c : array_like
        Stream temperatures of each plant [°C] (as :func:`cop_lorenz`).

    Examples
    --------
    >>> round(fit_lorenz_efficiency([3.0, 3.0], [50, 50], [80, 80], [12, 12], [6, 6]), 3)
    0.495
    """
    measured = np.asarray(cop, dtype=float)
    reject(~(measured > 1.0), "a measured COP of {c:g} is not above 1", c=measured)
    ideal = np.asarray(
        cop_lorenz(temp_sink_in_c, temp_sink_out_c, temp_source_in_c, temp_source_out_c,
                   efficiency=1.0),
        dtype=float,
    )  # fmt: skip
    return float(np.exp(np.mean(np.log(measured / ideal))))

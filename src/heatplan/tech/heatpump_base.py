"""Shared parts of the heat-pump models: units, parameters, input kinds and checks.

The models (:mod:`heatplan.tech.heatpump`, :mod:`heatplan.tech.heatpump_jesper`,
:mod:`heatplan.tech.heatpump_building`) take scalars, numpy arrays or pandas Series and return the
same kind, as pvlib does: a Series keeps the index of the first Series argument, a scalar gives a
``numpy.float64`` (a ``float``). Parameters are arguments; the values shipped with heatplan
(``heat_pump_parameters.csv`` and the tables of the models) are read by
:mod:`heatplan.reference.heatpump`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: Kelvin at 0 °C: the definition of the Celsius scale (SI Brochure, BIPM 2019).
ZERO_C_IN_K = 273.15

#: What the models accept and return: a scalar, an array or a Series.
Numeric = float | np.ndarray | pd.Series


@dataclass(frozen=True)
class HeatPumpParameters:
    """Scalar parameters of the heat-pump models (one field per row of the reference table).

    Attributes
    ----------
    lorenz_efficiency_default : float
        Lorenz efficiency of large heat pumps in operation [-] (Reinholdt et al. 2018; Jesper
        et al. 2021: ~0.5-0.6, midpoint).
    lorenz_efficiency_typical_min, lorenz_efficiency_typical_max : float
        Band of Lorenz efficiencies that fits large heat pumps in operation [-]; outside it
        :func:`heatplan.tech.heatpump.heat_pump_study` adds a message.
    part_load_degradation_coefficient : float
        Cd of EN 14825 [-] (0.9 when not measured).
    temp_water_freezing_c : float
        Freezing point of water [°C]: a water or effluent source cannot be cooled below it.
    temp_room_c : float
        Indoor temperature of the heating curve [°C] (VDI 3807-1 G20/15: 20 °C).
    temp_heating_limit_c : float
        Heating limit of the heating curve [°C] (VDI 3807-1 G20/15: 15 °C).
    """

    lorenz_efficiency_default: float
    lorenz_efficiency_typical_min: float
    lorenz_efficiency_typical_max: float
    part_load_degradation_coefficient: float
    temp_water_freezing_c: float
    temp_room_c: float
    temp_heating_limit_c: float


def like_inputs(values: ArrayLike, *inputs: object) -> Any:
    """``values`` in the kind the caller gave: Series (first one's index), array or float."""
    array = np.asarray(values, dtype=float)
    for item in inputs:
        if isinstance(item, pd.Series):
            return pd.Series(np.broadcast_to(array, item.shape), index=item.index)
    return np.float64(array) if array.ndim == 0 else array


def floats(*values: ArrayLike) -> list[np.ndarray]:
    """The arguments as float arrays (a Series loses its index here; see :func:`like_inputs`)."""
    return [np.asarray(value, dtype=float) for value in values]


def reject(bad: ArrayLike, message: str, **values: ArrayLike) -> None:
    """Raise ``ValueError`` where ``bad`` holds, naming the values of the first such element.

    ``message`` is a ``str.format`` template over the keyword names. NaN compares false, so a
    NaN input passes and gives NaN (as in pvlib).

    >>> reject([False, True], "source {t:g} °C is too cold", t=[5.0, -300.0])
    Traceback (most recent call last):
    ...
    ValueError: source -300 °C is too cold (element 1; 1 of 2 values)
    """
    arrays = np.broadcast_arrays(np.asarray(bad, dtype=bool), *map(np.asarray, values.values()))
    flags = arrays[0].ravel()
    if not flags.any():
        return
    first = int(np.flatnonzero(flags)[0])
    shown = {key: float(a.ravel()[first]) for key, a in zip(values, arrays[1:], strict=True)}
    where = "" if flags.size == 1 else f" (element {first}; {flags.sum()} of {flags.size} values)"
    raise ValueError(message.format(**shown) + where)


def log_mean_k(temp_in_c: ArrayLike, temp_out_c: ArrayLike) -> np.ndarray:
    """Logarithmic mean temperature of a stream [K] (arithmetic where in == out).

    >>> round(float(log_mean_k(50, 80)) - ZERO_C_IN_K, 2)
    64.78
    """
    t_in = np.asarray(temp_in_c, dtype=float) + ZERO_C_IN_K
    t_out = np.asarray(temp_out_c, dtype=float) + ZERO_C_IN_K
    same = np.isclose(t_in, t_out)
    ratio = np.log(np.where(same, 2.0, t_out / np.where(same, 1.0, t_in)))
    return np.where(same, t_in, (t_out - t_in) / np.where(same, 1.0, ratio))

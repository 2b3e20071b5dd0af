"""Heat pumps: coefficient of performance from stream temperatures (pure, vectorised)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

ZERO_C_IN_K = 273.15


def _log_mean_k(temp_in_c: ArrayLike, temp_out_c: ArrayLike) -> np.ndarray:
    """Logarithmic mean temperature of a stream [K] (arithmetic where in == out)."""
    t_in = np.asarray(temp_in_c, dtype=float) + ZERO_C_IN_K
    t_out = np.asarray(temp_out_c, dtype=float) + ZERO_C_IN_K
    same = np.isclose(t_in, t_out)
    ratio = np.log(np.where(same, 2.0, t_out / np.where(same, 1.0, t_in)))
    return np.where(same, t_in, (t_out - t_in) / np.where(same, 1.0, ratio))


def cop_lorenz(
    temp_sink_in_c: ArrayLike,
    temp_sink_out_c: ArrayLike,
    temp_source_in_c: ArrayLike,
    temp_source_out_c: ArrayLike,
    *,
    efficiency: float = 0.55,
) -> np.ndarray:
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
        Lorenz efficiency [-]; 0.5-0.6 fits large plants in operation (REFERENCE.md §2).

    Returns
    -------
    numpy.ndarray
        COP = efficiency x T_sink_lm / (T_sink_lm - T_source_lm) [-], log-mean temperatures.

    Examples
    --------
    >>> round(float(cop_lorenz(50, 80, 12, 6)), 2)
    3.33
    """
    sink = _log_mean_k(temp_sink_in_c, temp_sink_out_c)
    source = _log_mean_k(temp_source_in_c, temp_source_out_c)
    return np.asarray(efficiency * sink / (sink - source))

"""COP of market-available large heat pumps: the regression of Jesper et al. (2021).

COP = a (dT_lift + 2b)^c (T_sink_out + b)^d with dT_lift = sink outlet - source outlet [K] and
T_sink_out in K. The fitted parameter sets and their ranges are in ``heat_pump_jesper.csv``:
``shp`` (sink outlet up to 100 °C) and ``vhthp`` (very high temperature, 100-160 °C). The fits
cover electric single-stage subcritical machines of at least 50 kW_th with water or brine sources;
no refrigerant-specific (e.g. NH3 vs. HFC/HFO) sets are shipped.

References
----------
.. [1] Jesper, M., Schlosser, F., Pag, F., Walmsley, T. G., Schmitt, B., Vajen, K. (2021):
   Large-scale heat pumps: Uptake and performance modelling of market-available devices.
   Renew. Sust. Energy Rev. 137:110646.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from heatplan import reference
from heatplan.tech.heatpump_base import ZERO_C_IN_K, Numeric, floats, like_inputs, reject


def _table() -> pd.DataFrame:
    return reference.table("heat_pump_jesper.csv").set_index("parameter_set")


def jesper_parameter_set(temp_sink_out_c: float) -> str | None:
    """The parameter set whose sink-outlet range holds ``temp_sink_out_c`` [°C], else ``None``.

    >>> jesper_parameter_set(80), jesper_parameter_set(120), jesper_parameter_set(200)
    ('shp', 'vhthp', None)
    """
    for name, row in _table().iterrows():
        low = -np.inf if pd.isna(row["temp_sink_out_min_c"]) else row["temp_sink_out_min_c"]
        if low <= temp_sink_out_c <= row["temp_sink_out_max_c"]:
            return str(name)
    return None


def jesper_out_of_range(
    temp_sink_out_c: float, temp_source_out_c: float, parameter_set: str
) -> list[str]:
    """Why a point lies outside the data the set was fitted to (empty list if inside).

    >>> jesper_out_of_range(80, 75, "shp")
    ['temperature lift 5 K is outside the 10-78 K fitted by Jesper et al. (2021) for set shp']
    """
    row = _table().loc[parameter_set]
    lift = temp_sink_out_c - temp_source_out_c
    low_lift, high_lift = row["temp_lift_min_k"], row["temp_lift_max_k"]
    problems = []
    if not low_lift <= lift <= high_lift:
        problems.append(
            f"temperature lift {lift:g} K is outside the {low_lift:g}-{high_lift:g} K fitted by "
            f"Jesper et al. (2021) for set {parameter_set}"
        )
    low, high = row["temp_sink_out_min_c"], row["temp_sink_out_max_c"]
    if (not pd.isna(low) and temp_sink_out_c < low) or temp_sink_out_c > high:
        lower: str = "" if pd.isna(low) else f"{low:g}-"
        problems.append(
            f"sink outlet {temp_sink_out_c:g} °C is outside the {lower}{high:g} °C of set "
            f"{parameter_set}"
        )
    return problems


def cop_jesper(
    temp_sink_out_c: ArrayLike,
    temp_source_out_c: ArrayLike,
    *,
    parameter_set: str = "shp",
    extrapolate: bool = False,
) -> Numeric:
    """COP of a market-available large heat pump (Jesper et al. 2021).

    Parameters
    ----------
    temp_sink_out_c : numeric
        Supply temperature of the heated stream [°C].
    temp_source_out_c : numeric
        Source stream temperature leaving the evaporator [°C].
    parameter_set : str
        Row of ``heat_pump_jesper.csv``: ``"shp"`` or ``"vhthp"``; see
        :func:`jesper_parameter_set`.
    extrapolate : bool
        Evaluate outside the fitted lift and sink ranges instead of raising.

    Returns
    -------
    numeric
        COP = a (dT_lift + 2b)^c (T_sink_out + b)^d [-].

    Raises
    ------
    ValueError
        If the sink outlet is not above the source outlet, the set is unknown, or (unless
        ``extrapolate``) a point lies outside the fitted ranges.

    Examples
    --------
    >>> round(float(cop_jesper(80, 40)), 2)
    3.98
    >>> round(float(cop_jesper(120, 70, parameter_set="vhthp")), 2)
    3.38
    """
    table = _table()
    if parameter_set not in table.index:
        known = ", ".join(table.index)
        raise ValueError(f"unknown Jesper parameter set {parameter_set!r}; known: {known}")
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
            problems = jesper_out_of_range(float(sink), float(source), parameter_set)
            if problems and not np.isnan(sink - source):
                raise ValueError("; ".join(problems) + " (extrapolate=True evaluates anyway)")
    fitted = table[["a", "b", "c", "d"]].astype(float).to_dict("index")[parameter_set]
    a, b, c, d = (float(fitted[key]) for key in "abcd")
    cop = a * (lift + 2 * b) ** c * (sink_out + ZERO_C_IN_K + b) ** d
    return like_inputs(cop, temp_sink_out_c, temp_source_out_c)

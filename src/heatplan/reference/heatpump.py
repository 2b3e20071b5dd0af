"""Default parameters of the heat-pump models of :mod:`heatplan.tech`, read from the package data.

- :func:`heat_pump_parameters`: ``heat_pump_parameters.csv`` (Lorenz efficiency band, EN 14825
  degradation coefficient, freezing point of water, VDI 3807-1 room and heating-limit
  temperatures) as a :class:`~heatplan.tech.heatpump_base.HeatPumpParameters`.
- :func:`jesper_parameter_sets`, :func:`jesper_parameters`: the fitted sets of Jesper et al.
  (2021), Renew. Sust. Energy Rev. 137:110646 (``heat_pump_jesper.csv``).
- :func:`staffell_coefficients`: the regressions of Staffell et al. (2012), Energy Environ. Sci.
  5:9291 (``heat_pump_staffell.csv``).
- :func:`operating_plants`: large heat pumps in operation (stream temperatures, COP, sources;
  ``heat_pump_plants.csv``), the calibration of the Lorenz efficiency.
- :func:`heating_curve`: design water temperatures and emitter exponent per building state
  (``heat_pump_heating_curves.csv``; EN 14511-2, EN 442-2, EN 1264-2).

Each value carries its source in the CSV row.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable
from functools import cache
from typing import Any

import pandas as pd

from heatplan.reference._files import cached_table
from heatplan.tech.heatpump_base import HeatPumpParameters
from heatplan.tech.heatpump_building import HeatingCurve, StaffellCoefficients
from heatplan.tech.heatpump_jesper import JesperParameters

PARAMETERS_FILE = "heat_pump_parameters.csv"
JESPER_FILE = "heat_pump_jesper.csv"
STAFFELL_FILE = "heat_pump_staffell.csv"
HEATING_CURVES_FILE = "heat_pump_heating_curves.csv"
PLANTS_FILE = "heat_pump_plants.csv"


@cache
def heat_pump_parameters() -> HeatPumpParameters:
    """The scalar heat-pump parameters of ``heat_pump_parameters.csv``.

    >>> heat_pump_parameters().part_load_degradation_coefficient
    0.9
    """
    values = cached_table(PARAMETERS_FILE).set_index("parameter")["value"].astype(float)
    fields = [field.name for field in dataclasses.fields(HeatPumpParameters)]
    missing = sorted(set(fields) - set(values.index))
    if missing:
        raise KeyError(f"{PARAMETERS_FILE} has no parameter {', '.join(missing)}")
    return HeatPumpParameters(**{name: float(values[name]) for name in fields})


def _row(name: str, key: str, value: str) -> dict[Hashable, Any]:
    """Row ``value`` of table ``name`` indexed by column ``key``; unknown values raise."""
    table = cached_table(name).set_index(key)
    if value not in table.index:
        raise ValueError(f"unknown {key} {value!r}; known: {', '.join(map(str, table.index))}")
    return table.to_dict("index")[value]


def _jesper(name: str, row: pd.Series) -> JesperParameters:
    low = float(row["temp_sink_out_min_c"])
    return JesperParameters(
        name=name,
        a=float(row["a"]),
        b=float(row["b"]),
        c=float(row["c"]),
        d=float(row["d"]),
        temp_lift_min_k=float(row["temp_lift_min_k"]),
        temp_lift_max_k=float(row["temp_lift_max_k"]),
        temp_sink_out_min_c=-math.inf if math.isnan(low) else low,
        temp_sink_out_max_c=float(row["temp_sink_out_max_c"]),
    )


@cache
def jesper_parameter_sets() -> tuple[JesperParameters, ...]:
    """The fitted sets of ``heat_pump_jesper.csv`` in file order (``shp``, ``vhthp``).

    >>> [s.name for s in jesper_parameter_sets()]
    ['shp', 'vhthp']
    """
    table = cached_table(JESPER_FILE).set_index("parameter_set")
    return tuple(_jesper(str(name), row) for name, row in table.iterrows())


def jesper_parameters(name: str) -> JesperParameters:
    """The fitted set ``name`` (``"shp"`` or ``"vhthp"``) of ``heat_pump_jesper.csv``.

    >>> jesper_parameters("vhthp").temp_sink_out_max_c
    160.0
    """
    for parameters in jesper_parameter_sets():
        if parameters.name == name:
            return parameters
    known = ", ".join(s.name for s in jesper_parameter_sets())
    raise ValueError(f"unknown Jesper parameter set {name!r}; known: {known}")


@cache
def staffell_coefficients(heat_source: str = "air") -> StaffellCoefficients:
    """The Staffell et al. (2012) regression of ``heat_source`` (``"air"`` or ``"ground"``).

    >>> staffell_coefficients("ground").c0
    8.77
    """
    row = _row(STAFFELL_FILE, "heat_source", heat_source)
    return StaffellCoefficients(
        heat_source=heat_source,
        c0=float(row["c0"]),
        c1=float(row["c1"]),
        c2=float(row["c2"]),
        temp_lift_min_k=float(row["temp_lift_min_k"]),
        temp_lift_max_k=float(row["temp_lift_max_k"]),
    )


@cache
def heating_curve(building_state: str) -> HeatingCurve:
    """Design temperatures and emitter exponent of ``building_state``.

    ``"new_build"`` (floor heating 35/30 °C), ``"renovated"`` (radiators 55/47 °C) or
    ``"unrenovated"`` (radiators 75/65 °C), rows of ``heat_pump_heating_curves.csv``.

    >>> heating_curve("renovated")
    HeatingCurve(temp_flow_design_c=55.0, temp_return_design_c=47.0, emitter_exponent=1.3)
    """
    row = _row(HEATING_CURVES_FILE, "building_state", building_state)
    return HeatingCurve(
        temp_flow_design_c=float(row["temp_flow_design_c"]),
        temp_return_design_c=float(row["temp_return_design_c"]),
        emitter_exponent=float(row["emitter_exponent"]),
    )


def operating_plants() -> pd.DataFrame:
    """Large heat pumps in operation with their stream temperatures and COP, one row a plant.

    The default Lorenz efficiency of ``heat_pump_parameters.csv`` is their fit
    (:func:`heatplan.tech.heatpump.fit_lorenz_efficiency`).

    >>> "mannheim_gkm_rhine" in set(operating_plants()["plant"])
    True
    """
    return cached_table(PLANTS_FILE).copy()

"""Design parameters and the pipe catalogue of a heat network (read from ``heatplan/data``).

``network_parameters.csv`` holds the design defaults (temperatures, limits, pump efficiency,
simultaneity coefficients); ``pipe_catalogue.csv`` the pre-insulated pipes (DN, inner diameter,
U' per insulation series, roughness, velocity limit). Every value there carries its source.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from heatplan.reference import parameter, table
from heatplan.tech import pipes as physics

PARAMETERS_FILE = "network_parameters.csv"
CATALOGUE_FILE = "pipe_catalogue.csv"
SIMULTANEITY_KEYS = ("a", "b", "c", "d")


@dataclass(frozen=True)
class DesignParameters:
    """The design point of a network; defaults from ``network_parameters.csv``.

    Temperatures [°C], ``max_pressure_gradient_pa_per_m`` [Pa/m], velocities [m/s], pressures
    [bar], ``pump_efficiency`` [-], ``hours_per_year`` [h/a], simultaneity coefficients [-].
    """

    supply_temp_c: float
    return_temp_c: float
    ground_temp_c: float
    insulation_series: str
    max_pressure_gradient_pa_per_m: float
    connection_max_velocity_m_per_s: float
    pump_efficiency: float
    min_differential_pressure_bar: float
    holding_pressure_bar: float
    min_supply_temp_at_consumer_c: float
    hours_per_year: float
    simultaneity: tuple[float, float, float, float]

    def simultaneity_factor(self, n_buildings: physics.Numeric) -> physics.Numeric:
        """Winter et al. (2001) simultaneity factor for ``n_buildings`` [-]."""
        coefficients = dict(zip(SIMULTANEITY_KEYS, self.simultaneity, strict=True))
        return physics.simultaneity_factor(n_buildings, **coefficients)


def _number(key: str) -> float:
    return parameter(PARAMETERS_FILE, key)


def default_parameters() -> DesignParameters:
    """The design parameters as given in ``network_parameters.csv``."""
    series = table(PARAMETERS_FILE, as_text=True).set_index("parameter").loc["insulation_series"]
    return DesignParameters(
        supply_temp_c=_number("supply_temp_c"),
        return_temp_c=_number("return_temp_c"),
        ground_temp_c=_number("ground_temp_c"),
        insulation_series=str(series["value"]),
        max_pressure_gradient_pa_per_m=_number("max_pressure_gradient_pa_per_m"),
        connection_max_velocity_m_per_s=_number("connection_max_velocity_m_per_s"),
        pump_efficiency=_number("pump_efficiency"),
        min_differential_pressure_bar=_number("min_differential_pressure_bar"),
        holding_pressure_bar=_number("holding_pressure_bar"),
        min_supply_temp_at_consumer_c=_number("min_supply_temp_at_consumer_c"),
        hours_per_year=_number("hours_per_year"),
        simultaneity=(
            _number("simultaneity_a"),
            _number("simultaneity_b"),
            _number("simultaneity_c"),
            _number("simultaneity_d"),
        ),
    )


def design_parameters(**overrides: Any) -> DesignParameters:
    """Defaults with every non-None keyword of ``overrides`` replacing its field.

    Raises ValueError for an unknown field or a supply temperature not above the return.
    """
    base = default_parameters()
    unknown = sorted(set(overrides) - set(base.__dataclass_fields__))
    if unknown:
        raise ValueError(f"unknown design parameters {unknown}")
    chosen = replace(base, **{key: value for key, value in overrides.items() if value is not None})
    if not chosen.supply_temp_c > chosen.return_temp_c:
        raise ValueError(
            f"supply_temp_c ({chosen.supply_temp_c}) must be above return_temp_c "
            f"({chosen.return_temp_c})"
        )
    return chosen


def pipe_catalogue(insulation_series: str) -> pd.DataFrame:
    """Catalogue rows of ``insulation_series`` ('std', '1x', '2x'), smallest DN first.

    Columns: dn, inner_diameter_mm, service_outer_diameter_mm, casing_outer_diameter_mm,
    u_w_per_mk [W/(m·K)], roughness_mm, max_velocity_m_per_s, source.
    """
    catalogue = table(CATALOGUE_FILE)
    rows = catalogue[catalogue["insulation_series"] == insulation_series]
    if rows.empty:
        known = sorted(catalogue["insulation_series"].unique())
        raise ValueError(
            f"insulation_series {insulation_series!r} is not in {CATALOGUE_FILE}; "
            f"choose one of {known}"
        )
    return rows.sort_values("dn").reset_index(drop=True)

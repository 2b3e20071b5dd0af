"""Heat generators: boilers (gas, oil, biomass, biogas, hydrogen), CHP and power-to-heat.

Pure energy balances of scalars, arrays or Series. Efficiencies and prices are arguments without
defaults: take them from the technology catalogue
(:func:`heatplan.reference.catalogue.technology`) or a manufacturer's data sheet. All energies in
kWh of the same period (an hour, a year, ...).

Efficiencies of combustion plant refer to the fuel's calorific value. On the gross calorific value
(Hs) no boiler exceeds 1; on the net calorific value (Hi, the basis of the catalogue and of
``carriers.csv``) a condensing boiler can, up to the carrier's Hs/Hi ratio (``hs_hi_ratio`` in
``carriers.csv``): pass that as ``max_efficiency``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from heatplan.tech._arrays import Numeric, require, shaped_like


def _energy(name: str, values: Numeric) -> np.ndarray:
    return require(name, values, lambda x: (x >= 0) & np.isfinite(x), ">= 0 [kWh]")


def _efficiency(efficiency: Numeric, max_efficiency: Numeric) -> np.ndarray:
    limit = require("max_efficiency", max_efficiency, lambda x: x > 0, "> 0")
    eff = require("efficiency", efficiency, lambda x: x > 0, "> 0")
    if np.any(eff > limit):
        raise ValueError(
            f"efficiency {np.max(eff):g} exceeds {np.min(limit):g}: impossible for combustion on "
            "the gross calorific value (Hs); for a condensing boiler rated on the net calorific "
            "value (Hi) pass max_efficiency=<the carrier's hs_hi_ratio from carriers.csv>"
        )
    return eff


def boiler_fuel_kwh(
    heat_kwh: Numeric, *, efficiency: Numeric, max_efficiency: Numeric = 1.0
) -> Numeric:
    """Fuel a boiler burns to deliver ``heat_kwh``: fuel = heat / efficiency.

    Parameters
    ----------
    heat_kwh : numeric
        Heat delivered [kWh], >= 0.
    efficiency : numeric
        Annual or momentary efficiency [-], 0 < efficiency <= max_efficiency.
    max_efficiency : numeric
        Upper bound of the efficiency [-]: 1 on Hs; the carrier's Hs/Hi ratio on Hi.

    Returns
    -------
    numeric
        Fuel [kWh] on the calorific basis of the efficiency.

    Examples
    --------
    >>> boiler_fuel_kwh(900.0, efficiency=0.9)
    1000.0
    """
    heat = _energy("heat_kwh", heat_kwh)
    eff = _efficiency(efficiency, max_efficiency)
    return shaped_like(heat / eff, heat_kwh, efficiency)


def boiler_heat_kwh(
    fuel_kwh: Numeric, *, efficiency: Numeric, max_efficiency: Numeric = 1.0
) -> Numeric:
    """Heat a boiler delivers from ``fuel_kwh``: heat = fuel x efficiency (see boiler_fuel_kwh)."""
    fuel = _energy("fuel_kwh", fuel_kwh)
    eff = _efficiency(efficiency, max_efficiency)
    return shaped_like(fuel * eff, fuel_kwh, efficiency)


class ChpOutput(NamedTuple):
    """Electricity and heat of a CHP plant [kWh]."""

    electricity_kwh: Numeric
    heat_kwh: Numeric


def chp_output(
    fuel_kwh: Numeric,
    *,
    efficiency_electric: Numeric,
    efficiency_thermal: Numeric,
    max_total_efficiency: Numeric = 1.0,
) -> ChpOutput:
    """Electricity and heat of a CHP unit (e.g. a biogas engine) from its fuel input.

    Parameters
    ----------
    fuel_kwh : numeric
        Fuel input [kWh], >= 0.
    efficiency_electric, efficiency_thermal : numeric
        Electric and thermal efficiency [-], each > 0; their sum may not exceed
        ``max_total_efficiency`` (1 on Hs, the Hs/Hi ratio on Hi).

    Returns
    -------
    ChpOutput
        ``electricity_kwh`` and ``heat_kwh``.

    Examples
    --------
    >>> chp_output(1000.0, efficiency_electric=0.4, efficiency_thermal=0.45)
    ChpOutput(electricity_kwh=400.0, heat_kwh=450.0)
    """
    fuel = _energy("fuel_kwh", fuel_kwh)
    el = require("efficiency_electric", efficiency_electric, lambda x: x > 0, "> 0")
    th = require("efficiency_thermal", efficiency_thermal, lambda x: x > 0, "> 0")
    _efficiency(el + th, max_total_efficiency)
    return ChpOutput(
        shaped_like(fuel * el, fuel_kwh, efficiency_electric),
        shaped_like(fuel * th, fuel_kwh, efficiency_thermal),
    )


def chp_fuel_for_heat_kwh(heat_kwh: Numeric, *, efficiency_thermal: Numeric) -> Numeric:
    """Fuel a heat-led CHP unit needs for ``heat_kwh`` [kWh]: heat / thermal efficiency."""
    return boiler_fuel_kwh(heat_kwh, efficiency=efficiency_thermal)


def power_to_heat_electricity_kwh(heat_kwh: Numeric, *, efficiency: Numeric) -> Numeric:
    """Electricity an electrode or resistance boiler draws for ``heat_kwh``.

    Parameters
    ----------
    heat_kwh : numeric
        Heat delivered [kWh], >= 0.
    efficiency : numeric
        Electricity-to-heat efficiency [-], 0 < efficiency <= 1 (catalogue ``electrode_boiler``:
        0.99, Danish Energy Agency sheet 41).

    Returns
    -------
    numeric
        Electricity [kWh].
    """
    heat = _energy("heat_kwh", heat_kwh)
    eff = require(
        "efficiency", efficiency, lambda x: (x > 0) & (x <= 1), "in (0, 1] for power-to-heat"
    )
    return shaped_like(heat / eff, heat_kwh, efficiency)


@dataclass(frozen=True)
class Carrier:
    """A fuel given by the planner: price, emission factor and how much is available.

    Attributes
    ----------
    name : str
        Label, e.g. ``'hydrogen'``.
    price_eur_per_mwh : float
        Price of the fuel [EUR/MWh] on the calorific basis of the boiler efficiency.
    co2_g_per_kwh : float
        Emission factor of the fuel [g CO2e/kWh].
    available_kwh : float
        Fuel available in the period [kWh]; infinite if unlimited.
    """

    name: str
    price_eur_per_mwh: float
    co2_g_per_kwh: float
    available_kwh: float = math.inf

    def __post_init__(self) -> None:
        for field in ("price_eur_per_mwh", "co2_g_per_kwh", "available_kwh"):
            value = getattr(self, field)
            if math.isnan(value) or value < 0:
                raise ValueError(f"carrier {self.name!r}: {field} must be >= 0; got {value}")


def hydrogen(
    *, price_eur_per_mwh: float, co2_g_per_kwh: float, available_kwh: float = math.inf
) -> Carrier:
    """Hydrogen as a fuel option: its price, emission factor and availability are the planner's
    inputs (no default is sourced: green, blue and grey hydrogen differ widely)."""
    return Carrier("hydrogen", price_eur_per_mwh, co2_g_per_kwh, available_kwh)


class FuelUse(NamedTuple):
    """What a boiler on a limited fuel delivers and costs."""

    fuel_kwh: Numeric
    heat_kwh: Numeric
    unmet_heat_kwh: Numeric
    cost_eur: Numeric
    co2_kg: Numeric


def boiler_on_carrier(
    heat_kwh: Numeric, *, efficiency: Numeric, carrier: Carrier, max_efficiency: Numeric = 1.0
) -> FuelUse:
    """A boiler burning ``carrier`` (e.g. :func:`hydrogen`) for ``heat_kwh``, within availability.

    The fuel is capped at ``carrier.available_kwh`` per element (pass annual heat with annual
    availability); heat the capped fuel cannot cover is reported as ``unmet_heat_kwh``.

    Examples
    --------
    >>> h2 = hydrogen(price_eur_per_mwh=200.0, co2_g_per_kwh=0.0, available_kwh=500.0)
    >>> boiler_on_carrier(900.0, efficiency=0.9, carrier=h2)
    FuelUse(fuel_kwh=500.0, heat_kwh=450.0, unmet_heat_kwh=450.0, cost_eur=100.0, co2_kg=0.0)
    """
    needed = np.asarray(
        boiler_fuel_kwh(heat_kwh, efficiency=efficiency, max_efficiency=max_efficiency)
    )
    fuel = np.minimum(needed, carrier.available_kwh)
    heat = fuel * np.asarray(efficiency, dtype=float)
    demand = np.asarray(heat_kwh, dtype=float)
    return FuelUse(
        shaped_like(fuel, heat_kwh, efficiency),
        shaped_like(heat, heat_kwh, efficiency),
        shaped_like(demand - heat, heat_kwh, efficiency),
        shaped_like(fuel * carrier.price_eur_per_mwh / 1000.0, heat_kwh, efficiency),
        shaped_like(fuel * carrier.co2_g_per_kwh / 1000.0, heat_kwh, efficiency),
    )

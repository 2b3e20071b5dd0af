"""Emission factors from the reference data: energy carriers and the grid trajectory by year.

Carrier factors come from ``carriers.csv`` (GEG 2024 Anlage 9, g CO2e per kWh of final energy on
the net calorific value). The grid trajectory comes from ``grid_emission_factors.csv``: measured
and estimated UBA values, then a target path to zero in 2045 (KSG § 3 (2)); years in between are
interpolated linearly by the pure :func:`heatplan.tech.emissions.interpolate_factor`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from heatplan.reference._files import cached_table
from heatplan.tech.emissions import co2_kg, interpolate_factor

CARRIERS_FILE = "carriers.csv"
GRID_FILE = "grid_emission_factors.csv"

#: A float, a numpy array or a pandas Series (as in :mod:`heatplan.tech`).
Numeric = Any


def carrier_factor_g_per_kwh(carrier: str) -> float:
    """Emission factor of ``carrier`` from ``carriers.csv`` [g CO2e/kWh] (GEG 2024 Anlage 9)."""
    frame = cached_table(CARRIERS_FILE).set_index("carrier")
    if carrier not in frame.index:
        raise ValueError(f"unknown carrier {carrier!r}; carriers.csv has: {', '.join(frame.index)}")
    value = float(frame["co2_g_per_kwh"].astype(float)[carrier])
    if np.isnan(value):
        raise ValueError(f"carrier {carrier!r} has no emission factor in carriers.csv")
    return value


def carrier_co2_kg(final_energy_kwh: Numeric, carrier: str) -> Numeric:
    """Emissions [kg CO2e] of ``final_energy_kwh`` [kWh] of ``carrier`` (GEG factors).

    Grid electricity in a given year is better taken from :func:`grid_factor_g_per_kwh`.

    Examples
    --------
    >>> carrier_co2_kg(1000.0, "natural_gas")
    240.0
    """
    return co2_kg(final_energy_kwh, co2_g_per_kwh=carrier_factor_g_per_kwh(carrier))


def grid_factor_g_per_kwh(year: Numeric) -> Numeric:
    """German grid electricity emission factor in ``year`` [g CO2/kWh], vectorised.

    UBA Climate Change 13/2025: 433 (2022), 386 (2023, provisional), 363 (2024, estimate); then
    a straight target path to 0 in 2045 (KSG § 3 (2), a planning assumption, not a forecast);
    from 2045 on it stays 0. Points and sources: ``grid_emission_factors.csv``.

    Examples
    --------
    >>> grid_factor_g_per_kwh(2023)
    386.0
    >>> round(grid_factor_g_per_kwh(2030), 1)
    259.3
    """
    points = cached_table(GRID_FILE).sort_values("year")
    return interpolate_factor(
        year, years=points["year"].to_numpy(), factors_g_per_kwh=points["co2_g_per_kwh"].to_numpy()
    )

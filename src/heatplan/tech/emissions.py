"""Greenhouse-gas emissions of final energy, and a grid electricity factor that falls by year.

Carrier factors come from ``carriers.csv`` (GEG 2024 Anlage 9, g CO2e per kWh of final energy on
the net calorific value). The grid trajectory comes from ``grid_emission_factors.csv``: measured
and estimated UBA values, then a target path to zero in 2045 (KSG § 3 (2)); years in between are
interpolated linearly. A plan that uses a different path passes its own points to
:func:`interpolate_factor`.
"""

from __future__ import annotations

import numpy as np

from heatplan.tech._arrays import Numeric, require, shaped_like
from heatplan.tech.catalogue import reference_table

GRID_FILE = "grid_emission_factors.csv"


def co2_kg(final_energy_kwh: Numeric, *, co2_g_per_kwh: Numeric) -> Numeric:
    """Emissions [kg CO2e] of ``final_energy_kwh`` [kWh] at ``co2_g_per_kwh`` [g/kWh].

    Examples
    --------
    >>> co2_kg(1000.0, co2_g_per_kwh=240.0)
    240.0
    """
    energy = require("final_energy_kwh", final_energy_kwh, lambda x: x >= 0, ">= 0 [kWh]")
    factor = require("co2_g_per_kwh", co2_g_per_kwh, lambda x: x >= 0, ">= 0 [g/kWh]")
    return shaped_like(energy * factor / 1000.0, final_energy_kwh, co2_g_per_kwh)


def carrier_factor_g_per_kwh(carrier: str) -> float:
    """Emission factor of ``carrier`` from ``carriers.csv`` [g CO2e/kWh] (GEG 2024 Anlage 9)."""
    frame = reference_table("carriers.csv").set_index("carrier")
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


def interpolate_factor(year: Numeric, *, years: Numeric, factors_g_per_kwh: Numeric) -> Numeric:
    """Emission factor in ``year`` from points (``years``, ``factors_g_per_kwh``), linearly.

    Years before the first point raise ValueError; after the last point the last value holds.
    """
    known = np.asarray(years, dtype=float)
    values = np.asarray(factors_g_per_kwh, dtype=float)
    if known.size == 0 or known.shape != values.shape or np.any(np.diff(known) <= 0):
        raise ValueError("years must be increasing and match factors_g_per_kwh one to one")
    when = require("year", year, lambda x: x >= known[0], f">= {known[0]:g} (first data point)")
    return shaped_like(np.interp(when, known, values), year)


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
    points = reference_table(GRID_FILE).sort_values("year")
    return interpolate_factor(
        year, years=points["year"].to_numpy(), factors_g_per_kwh=points["co2_g_per_kwh"].to_numpy()
    )

"""Greenhouse-gas emissions of final energy, and a grid electricity factor that falls by year.

Pure functions: the factors are arguments. The packaged values (GEG 2024 Anlage 9 carrier
factors; the UBA grid trajectory with a target path to zero in 2045, KSG § 3 (2)) are looked up
by :mod:`heatplan.reference.emissions`. A plan that uses a different path passes its own points
to :func:`interpolate_factor`.
"""

from __future__ import annotations

import numpy as np

from heatplan.tech._arrays import Numeric, require, shaped_like


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


def interpolate_factor(year: Numeric, *, years: Numeric, factors_g_per_kwh: Numeric) -> Numeric:
    """Emission factor in ``year`` from points (``years``, ``factors_g_per_kwh``), linearly.

    Years before the first point raise ValueError; after the last point the last value holds.

    Examples
    --------
    >>> interpolate_factor([2023, 2030, 2050], years=[2024, 2045], factors_g_per_kwh=[363, 0])
    Traceback (most recent call last):
    ...
    ValueError: year must be >= 2024 (first data point); got [2023.0]
    >>> interpolate_factor(2030, years=[2024, 2045], factors_g_per_kwh=[363.0, 0.0])
    259.2857142857143
    """
    known = np.asarray(years, dtype=float)
    values = np.asarray(factors_g_per_kwh, dtype=float)
    if known.size == 0 or known.shape != values.shape or np.any(np.diff(known) <= 0):
        raise ValueError("years must be increasing and match factors_g_per_kwh one to one")
    when = require("year", year, lambda x: x >= known[0], f">= {known[0]:g} (first data point)")
    return shaped_like(np.interp(when, known, values), year)

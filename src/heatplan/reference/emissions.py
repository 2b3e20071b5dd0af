"""Emission factors from the reference data: energy carriers and the grid trajectory by year.

One basis for every carrier: greenhouse gases as CO2 equivalents **including upstream chains**
(g CO2e per kWh of final energy on the net calorific value). Carrier factors come from
``carriers.csv`` (GEG 2024 Anlage 9, upstream-inclusive). The grid trajectory comes from
``grid_emission_factors.csv``, on the same basis: UBA's measured and estimated "CO2-Äquivalente
mit Vorketten" of the German power mix, then one of several paths (:data:`GRID_PATHS`: a sourced
projection that keeps the upstream emissions of renewable plants, the KSG target read as zero in
2045, or the last estimate frozen); years in between are interpolated linearly by the pure
:func:`heatplan.tech.emissions.interpolate_factor`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from heatplan.reference._files import cached_table
from heatplan.tech.emissions import co2_kg, interpolate_factor

CARRIERS_FILE = "carriers.csv"
GRID_FILE = "grid_emission_factors.csv"
#: The grid paths of ``grid_emission_factors.csv``; the first is the default.
GRID_PATHS = ("projection", "ksg_target", "frozen")
DEFAULT_GRID_PATH = GRID_PATHS[0]
#: The one emission basis of carriers.csv and grid_emission_factors.csv.
BASIS = "co2e_incl_upstream"

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


def grid_points(path: str = DEFAULT_GRID_PATH) -> tuple[np.ndarray, np.ndarray]:
    """Years [a] and factors [g CO2e/kWh] of grid path ``path`` (``grid_emission_factors.csv``)."""
    if path not in GRID_PATHS:
        raise ValueError(f"grid emission path {path!r}: choose {', '.join(GRID_PATHS)}")
    return _grid_points(path)


@cache
def _grid_points(path: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`grid_points`, read once per process (read-only arrays)."""
    frame = cached_table(GRID_FILE)
    rows = frame[frame["path"] == path].sort_values("year")
    years, factors = rows["year"].to_numpy(float), rows["g_per_kwh"].to_numpy(float)
    years.flags.writeable = factors.flags.writeable = False
    return years, factors


def grid_factor_g_per_kwh(year: Numeric, *, path: str = DEFAULT_GRID_PATH) -> Numeric:
    """German grid electricity emission factor in ``year`` [g CO2e/kWh incl. upstream], vectorised.

    UBA Climate Change 13/2025, CO2 equivalents with upstream chains: 498 (2022), 445 (2023,
    provisional), 427 (2024, estimate); then the chosen ``path`` (:data:`GRID_PATHS`):
    ``projection`` (default) falls to 270 in 2030 and 28.5 in 2045 (the upstream chains of a
    renewable mix stay), ``ksg_target`` runs straight to 0 in 2045, ``frozen`` keeps 427. After
    the last point the last value holds. Points and sources: ``grid_emission_factors.csv``.

    Examples
    --------
    >>> grid_factor_g_per_kwh(2023)
    445.0
    >>> round(grid_factor_g_per_kwh(2027), 1)
    348.5
    >>> grid_factor_g_per_kwh(2045, path="ksg_target")
    0.0
    """
    years, factors = grid_points(path)
    return interpolate_factor(year, years=years, factors_g_per_kwh=factors)

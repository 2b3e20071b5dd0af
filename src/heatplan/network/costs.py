"""Investment of a heat network: trenches and pipes by diameter and surface, substations, plant.

Trench and pipe cost per metre of trench (supply and return pipe) follows Persson & Werner
(2011): C = C1 + C2 x d with d the inner diameter [m] and the constants per surface type in
``network_costs.csv`` (EUR of the rows' price year, 2007). The row ``price_factor_to_2025``
(Destatis construction price indices) brings them to EUR of :func:`pipe_price_year` (2025), so
:func:`trench_cost_eur_per_m` and every ``investment_eur`` built on it are in EUR of 2025.
:func:`network_om_share_per_a` is the fixed annual O&M of the pipes as a share of their
investment. House substations, heat pumps and storage come from the technology catalogue
(:mod:`heatplan.reference.catalogue`).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from heatplan.options.installed_cost import installed_investment_eur
from heatplan.reference import catalogue, table
from heatplan.tech._arrays import Numeric, require, shaped_like

COSTS_FILE = "network_costs.csv"
#: Technology of technology_catalogue.csv priced per kW of a building's peak load.
SUBSTATION_TECHNOLOGY = "house_substation_kww"
#: Row of network_costs.csv ('all') with the factor from the constants' EUR to pipe_price_year.
PRICE_FACTOR = "price_factor_to_2025"


def surfaces() -> list[str]:
    """Surface types with trench cost constants (e.g. 'road', 'paved', 'unpaved')."""
    frame = table(COSTS_FILE)
    return sorted(set(frame["surface"]) - {"all"})


@cache
def _constant(surface: str, name: str) -> float:
    frame = table(COSTS_FILE)
    rows = frame[(frame["surface"] == surface) & (frame["parameter"] == name)]
    if rows.empty:
        raise ValueError(
            f"surface {surface!r} has no trench cost in {COSTS_FILE}; choose one of {surfaces()}"
        )
    return float(rows["value"].iloc[0])


def pipe_price_year() -> int:
    """Year whose EUR :func:`trench_cost_eur_per_m` returns (target of :func:`price_factor`)."""
    frame = table(COSTS_FILE)
    return int(frame.loc[frame["parameter"] == PRICE_FACTOR, "price_year"].iloc[0])


def price_factor() -> float:
    """Factor from the EUR of the trench cost constants to EUR of :func:`pipe_price_year` [-]."""
    return _constant("all", PRICE_FACTOR)


def network_om_share_per_a() -> float:
    """Fixed annual operation and maintenance of the pipes as a share of their investment [1/a]."""
    return _constant("all", "network_om_share_per_a")


def pipe_lifetime_a() -> float:
    """Technical service life of buried pre-insulated pipes [a]."""
    return _constant("all", "pipe_lifetime_a")


def trench_cost_eur_per_m(inner_diameter_mm: Numeric, surface: object) -> Numeric:
    """Investment per trench metre (pipe pair, laying, surface) C = (C1 + C2 x d) x f [EUR/m].

    f is :func:`price_factor` (constants' EUR to EUR of :func:`pipe_price_year`).

    Parameters
    ----------
    inner_diameter_mm : numeric
        Inner diameter of the service pipe [mm], > 0.
    surface : str or array of str
        Surface type per pipe ('road', 'paved', 'unpaved'; see :func:`surfaces`).

    Returns
    -------
    numeric
        Overnight investment [EUR/m] in EUR of :func:`pipe_price_year`.
    """
    diameter_m = require("inner_diameter_mm", inner_diameter_mm, lambda x: x > 0, "> 0 [mm]") / 1e3
    kinds = np.broadcast_to(np.asarray(surface, dtype=object), diameter_m.shape)
    fixed = np.zeros(diameter_m.shape)
    per_m2 = np.zeros(diameter_m.shape)
    for kind in np.unique(kinds.astype(str)):
        chosen = kinds.astype(str) == kind
        fixed[chosen] = _constant(kind, "fixed_eur_per_m")
        per_m2[chosen] = _constant(kind, "diameter_eur_per_m2")
    return shaped_like((fixed + per_m2 * diameter_m) * price_factor(), inner_diameter_mm)


def substation_investment_eur(peak_load_kw: Numeric, *, year: float = 2025) -> Numeric:
    """Investment of house substations sized to each building's ``peak_load_kw`` [kW] [EUR],
    installed, from the same German cost functions as the decentral options (Moritz et al.
    2024, EUR of 2023: ``decentral_costs_de.csv``, option ``house_substation``): equipment, the
    installer's margin and installation. ``year`` is kept for the callers; the price year is
    the source's."""
    load = np.asarray(peak_load_kw, dtype=float)
    investment, _ = installed_investment_eur("house_substation", np.atleast_1d(load))
    return shaped_like(investment.reshape(load.shape), peak_load_kw)


def plant_investment_eur(
    *,
    heat_pump_kw: float = 0.0,
    heat_pump_technology: str = "large_hp_excess_heat",
    storage_kwh: float = 0.0,
    storage_technology: str = "tank_storage",
    year: float = 2025,
) -> dict[str, float]:
    """Investment of the central heat pump [kW_th] and heat storage [kWh_th] [EUR].

    Technologies are codes of ``technology_catalogue.csv``; a zero size costs nothing.
    """
    pump = catalogue.size_investment_eur(heat_pump_technology, heat_pump_kw, year=year)
    store = catalogue.size_investment_eur(storage_technology, storage_kwh, year=year)
    return {
        "investment_heat_pump_eur": float(pump) if heat_pump_kw > 0 else 0.0,
        "investment_storage_eur": float(store) if storage_kwh > 0 else 0.0,
    }

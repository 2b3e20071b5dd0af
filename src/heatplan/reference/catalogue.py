"""Technology catalogue: investment, lifetime, O&M and efficiency per technology and year.

The values live in ``heatplan/data/technology_catalogue.csv`` (one row per technology, year and
parameter, each with unit and source); this module looks them up and interpolates between
catalogue years. The pure models (:mod:`heatplan.tech.economics`,
:mod:`heatplan.tech.generators`) take these values as arguments, so a planner can replace any of
them by a quote of their own.

Parameters in the file (``parameter`` column):

- ``specific_investment`` [EUR per capacity unit] or the cost curve ``invest_a``, ``invest_b``
  (Invest = a x P^b); overnight investment, in EUR of the row's ``price_year``.
- ``fixed_om_pct_per_a`` [% of the investment per year]; :func:`technology` adds
  ``fixed_om_share_per_a`` (the same as a fraction).
- ``variable_om_eur_per_mwh`` [EUR/MWh_th], ``efficiency`` [-] (net calorific value basis;
  CHP: ``efficiency_electric`` and ``efficiency_thermal``),
  ``cop_nameplate`` / ``cop_annual`` [-], ``lifetime_a`` [a], ``energy_to_power_ratio_h`` [h].

Years between two catalogue years are interpolated linearly; other years raise ValueError.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from heatplan.reference._files import cached_table
from heatplan.tech.economics import cost_curve_eur

CATALOGUE_FILE = "technology_catalogue.csv"
EDITIONS_FILE = "catalogue_editions.csv"
FUNDING_FILE = "funding.csv"
#: The catalogue edition of plant investments unless the project says (``[economics]
#: plant_catalogue``): the Danish Energy Agency's technology data as PyPSA publishes them.
DEFAULT_EDITION = "dea_2020"
KW_UNITS = ("kW_th", "kW_e")

#: A float, a numpy array or a pandas Series (as in :mod:`heatplan.tech`).
Numeric = Any


def catalogue() -> pd.DataFrame:
    """The whole technology catalogue, one row per technology, year and parameter."""
    return cached_table(CATALOGUE_FILE).copy()


def technologies() -> list[str]:
    """The technology codes in the catalogue."""
    return sorted(cached_table(CATALOGUE_FILE)["technology"].unique())


@cache
def _rows(technology: str) -> pd.DataFrame:
    frame = cached_table(CATALOGUE_FILE)
    rows = frame[frame["technology"] == technology]
    if rows.empty:
        known = ", ".join(technologies())
        raise ValueError(f"unknown technology {technology!r}; the catalogue has: {known}")
    return rows


def capacity_unit(technology: str) -> str:
    """The unit in which ``technology`` is sized: kW_th, kW_e or kWh_th (storage)."""
    return str(_rows(technology)["capacity_unit"].iloc[0])


def years(technology: str) -> list[int]:
    """The catalogue years with data for ``technology``."""
    return sorted(int(year) for year in _rows(technology)["year"].unique())


def _bracket(technology: str, year: float) -> tuple[int, int, float]:
    """Neighbouring catalogue years around ``year`` and the weight of the later one."""
    known = years(technology)
    if year in known:
        return int(year), int(year), 0.0
    later = [y for y in known if y > year]
    earlier = [y for y in known if y < year]
    if not later or not earlier:
        raise ValueError(
            f"{technology}: no data for {year}; the catalogue has {known} "
            "(years in between are interpolated, others are not extrapolated)"
        )
    low, high = earlier[-1], later[0]
    return low, high, (year - low) / (high - low)


@cache
def _parameters(technology: str, year: int) -> pd.Series:
    """The catalogue rows of one technology and year (read once per process; do not modify)."""
    rows = _rows(technology)
    values = rows.loc[rows["year"] == year].set_index("parameter")["value"].astype(float)
    if "fixed_om_pct_per_a" in values.index:
        values["fixed_om_share_per_a"] = values["fixed_om_pct_per_a"] / 100.0
    return values


def technology(technology: str, year: float = 2025) -> pd.Series:
    """The parameters of ``technology`` in ``year`` (see the module docstring for the names).

    Between two catalogue years each parameter present in both is interpolated linearly.

    Examples
    --------
    >>> technology("electrode_boiler", 2025)["efficiency"]
    np.float64(0.99)
    """
    low, high, weight = _bracket(technology, year)
    first = _parameters(technology, low)
    if weight == 0.0:
        return first.copy()
    second = _parameters(technology, high)
    common = first.index.intersection(second.index)
    return first[common] * (1.0 - weight) + second[common] * weight


def _investment_at(technology: str, capacity: Numeric, year: int) -> Numeric:
    """Investment [EUR] from the cost curve of catalogue ``year`` (validates ``capacity``)."""
    params = _parameters(technology, year)
    if "invest_a" in params.index:
        return cost_curve_eur(capacity, a=params["invest_a"], b=params["invest_b"])
    if "specific_investment" in params.index:
        return cost_curve_eur(capacity, a=params["specific_investment"], b=1.0)
    raise ValueError(f"{technology}: the catalogue has no investment for {year}")


def size_investment_eur(technology: str, capacity: Numeric, *, year: float = 2025) -> Numeric:
    """Overnight investment [EUR] of ``technology`` sized ``capacity`` in its capacity unit.

    ``capacity`` is in :func:`capacity_unit` (kW_th, kW_e, or kWh_th for storage); vectorised.
    Between catalogue years the investment is interpolated linearly.
    """
    low, high, weight = _bracket(technology, year)
    cost = _investment_at(technology, capacity, low)
    if weight:
        cost = cost * (1.0 - weight) + _investment_at(technology, capacity, high) * weight
    return cost


def investment_eur(technology: str, capacity_kw: Numeric, *, year: float = 2025) -> Numeric:
    """Overnight investment [EUR] of ``technology`` with ``capacity_kw`` [kW_th, PV: kW_e].

    Cost curves a x P^b are vectorised over the capacity. Storage is sized in kWh: use
    :func:`size_investment_eur`.

    Examples
    --------
    >>> round(investment_eur("gas_boiler_central_kww", 1000.0))
    116213
    """
    unit = capacity_unit(technology)
    if unit not in KW_UNITS:
        raise ValueError(
            f"{technology} is sized in {unit}, not kW: call size_investment_eur"
            f"({technology!r}, capacity_{unit.lower()}, year=...)"
        )
    return size_investment_eur(technology, capacity_kw, year=year)


def editions() -> tuple[str, ...]:
    """The catalogue editions a project can choose: the default and those of ``EDITIONS_FILE``."""
    named = cached_table(EDITIONS_FILE, True)["edition"].unique().tolist()
    return (DEFAULT_EDITION, *sorted(named))


def edition_curve(technology: str, edition: str) -> tuple[str, float] | None:
    """The catalogue entry whose investment ``edition`` uses for ``technology`` and the share of
    the network peak its first sizing pass assumes; None where the edition keeps the default.

    >>> edition_curve("gas_boiler_central", "kww_1.1")
    ('gas_boiler_central_kww', 1.0)
    >>> edition_curve("gas_boiler_central", DEFAULT_EDITION) is None
    True
    """
    if edition not in editions():
        raise ValueError(f"unknown catalogue edition {edition!r}; known: {', '.join(editions())}")
    frame = cached_table(EDITIONS_FILE, True)
    hit = frame[(frame["edition"] == edition) & (frame["technology"] == technology)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return str(row["investment_from"]), float(row["reference_share_of_peak"])


def edition_investment_per_kw(
    technology: str, edition: str, size_kw: float, *, year: float = 2025
) -> float | None:
    """Investment per kW [EUR/kW] of ``technology`` at ``size_kw`` in ``edition``: the secant of
    its cost curve a·P^b from 0 to the unit's size (what a unit of that size costs per kW); None
    where the edition keeps the default catalogue's linear price.

    >>> round(edition_investment_per_kw("gas_boiler_central", "kww_1.1", 1000.0), 1)
    116.2
    """
    curve = edition_curve(technology, edition)
    if curve is None or not size_kw > 0:
        return None
    code = curve[0]
    known = years(code)
    at = float(min(max(year, known[0]), known[-1]))
    return float(investment_eur(code, size_kw, year=at)) / size_kw


@cache
def funding(programme: str, measure: str) -> float:
    """A funding parameter (share or eligible cost) from ``funding.csv``, e.g. BEW module 2."""
    frame = cached_table(FUNDING_FILE)
    hit = frame[(frame["programme"] == programme) & (frame["measure"] == measure)]
    if hit.empty:
        options = ", ".join(f"{p}/{m}" for p, m in frame[["programme", "measure"]].values)
        raise ValueError(f"no funding entry {programme}/{measure}; known: {options}")
    return float(hit["value"].iloc[0])

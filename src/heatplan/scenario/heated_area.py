"""Heated floor area of buildings whose area is unknown, from demand and TABULA specific demand.

Renovation is costed per m² of heated area. Where the inventory has no ``heated_area_m2`` (no
footprint, storeys or height: e.g. Schutterwald's house points), the area is estimated as the
building's space heating [kWh/a] over the specific space-heating need q_h_nd [kWh/(m²·a)] of
its class: the IWU TABULA DE type of its use and age class (``data/tabula_residential.csv``,
existing state; per m² of the TABULA reference area A_C,ref, close to the heated living area) or
the benchmark of a non-residential use (``data/nonresidential_benchmarks.csv``, per m² net floor
area). An unknown use takes the mean of the residential types of its age class, an unknown age
class the mean over all classes of its use, both unknown the mean of all residential rows — the
same convention as the refurbishment factors (:func:`heatplan.scenario.stock.refurbishment_factor`).
Estimates are flagged (``heated_area_estimated``) and counted in the pathway's notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.reference import table

TABULA = "tabula_residential.csv"
BENCHMARKS = "nonresidential_benchmarks.csv"
SPECIFIC = "space_heating_kwh_per_m2_a"


def specific_space_heating_kwh_per_m2_a(use: pd.Series, age_class: pd.Series) -> np.ndarray:
    """TABULA / benchmark space-heating need of each building's class [kWh/(m²·a)]."""
    tabula = table(TABULA)
    exact = tabula.set_index([col.USE, "age_class"])[SPECIFIC].astype(float)
    found = exact.reindex(pd.MultiIndex.from_arrays([use, age_class])).to_numpy(float)
    bench = table(BENCHMARKS).set_index("category")[SPECIFIC].astype(float)
    found = np.where(np.isnan(found), bench.reindex(use).to_numpy(float), found)
    by_use = tabula.groupby(col.USE)[SPECIFIC].mean().reindex(use).to_numpy(float)
    by_age = tabula.groupby("age_class")[SPECIFIC].mean().reindex(age_class).to_numpy(float)
    overall = float(tabula[SPECIFIC].mean())
    fallback = np.where(np.isnan(by_age), np.where(np.isnan(by_use), overall, by_use), by_age)
    return np.where(np.isnan(found), fallback, found)


def estimate_heated_area(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """``heated_area_m2`` with gaps filled from demand, and which values are estimated.

    Parameters
    ----------
    frame : DataFrame
        ``heated_area_m2`` [m²] (NaN where unknown), ``space_heating_kwh_per_a`` [kWh/a],
        ``use`` and ``age_class``.

    Returns
    -------
    tuple of pandas.Series
        Heated area [m²] (still NaN without space-heating demand) and a boolean flag.
    """
    given = pd.to_numeric(frame[col.HEATED_AREA_M2], errors="coerce")
    space = pd.to_numeric(frame["space_heating_kwh_per_a"], errors="coerce")
    specific = specific_space_heating_kwh_per_m2_a(frame[col.USE], frame["age_class"])
    estimate = (space / specific).where(space > 0)
    estimated = given.isna() & estimate.notna()
    return given.fillna(estimate), estimated.rename("heated_area_estimated")

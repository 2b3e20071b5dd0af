"""Areas with an increased energy-saving potential (WPG § 18 (5)): an additional marking.

§ 18 (5) WPG lets the plan show, besides the supply types, sub-areas with an increased
energy-saving potential. The marking does not change an area's type or likelihood: it is
computed from the buildings alone and no classification rule reads it.

The potential is the renovation model's (:mod:`heatplan.scenario.stock`): each building's
space heating falls to ``factor`` x its value when renovated, ``factor`` the IWU TABULA DE
ratio of the refurbishment package (the scenario's ``renovation_depth``, default 'usual') to
the existing state of its use and age class. Hot water does not change. Per area:

- potential [MWh/a] = sum of space heating x (1 - factor) / 1000;
- share [-] = potential / the area's heat demand;
- density [MWh/(ha·a)] = potential / area.

An area is marked when its share reaches ``saving_share_min`` and its density reaches
``saving_density_vs_town_min`` x the municipality's (total potential / total area of all
areas); both thresholds are labelled planning choices in ``data/wpg_procedures.csv`` and can be
overridden per project.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heatplan.formats import german
from heatplan.plan import columns as col
from heatplan.reference import parameter, table
from heatplan.scenario.stock import UNKNOWN, refurbishment_factor

__all__ = [
    "POTENTIAL_MWH_PER_A",
    "SavingThresholds",
    "area_saving",
    "building_saving_kwh_per_a",
    "thresholds",
]

PARAMETERS = "wpg_procedures.csv"
KWH_PER_MWH = 1000.0
#: Columns the marking adds to ``areas``.
POTENTIAL_MWH_PER_A = "saving_potential_mwh_per_a"
SHARE = "saving_potential_share"
DENSITY = "saving_potential_mwh_per_ha_a"
MARKED = "saving_potential_increased"
REASON = "saving_reason"
REASON_EN = "saving_reason_en"


@dataclass(frozen=True)
class SavingThresholds:
    """Thresholds of the § 18 (5) marking (``data/wpg_procedures.csv``).

    Attributes
    ----------
    share_min : float
        Smallest potential share of the area's heat demand [-].
    density_vs_town_min : float
        Smallest potential density as a multiple of the municipality's [-].
    """

    share_min: float
    density_vs_town_min: float


def thresholds(
    share_min: float | None = None, density_vs_town_min: float | None = None
) -> SavingThresholds:
    """The defaults of data/wpg_procedures.csv, each replaced where a value is given."""
    return SavingThresholds(
        share_min=parameter(PARAMETERS, "saving_share_min") if share_min is None else share_min,
        density_vs_town_min=parameter(PARAMETERS, "saving_density_vs_town_min")
        if density_vs_town_min is None
        else density_vs_town_min,
    )


def renovation_depth() -> str:
    """The refurbishment package of the scenario (``scenario_parameters.csv``)."""
    rows = table("scenario_parameters.csv", as_text=True).set_index("parameter")
    return str(rows.loc["renovation_depth", "value"])


def building_saving_kwh_per_a(buildings: pd.DataFrame, depth: str | None = None) -> pd.Series:
    """Space heating a building saves when renovated to the TABULA package [kWh/a].

    Parameters
    ----------
    buildings : DataFrame
        ``space_heating_kwh_per_a`` [kWh/a] and, where known, ``use`` and ``age_class``
        (missing: unknown, the mean TABULA factor).
    depth : str, optional
        'usual' or 'advanced'; default the scenario's :func:`renovation_depth`.

    Returns
    -------
    Series
        Saving per building [kWh/a]; unknown space heating saves 0.
    """
    index = buildings.index
    use = buildings.get(col.USE, pd.Series("any", index=index)).fillna("any").astype(str)
    age = buildings.get("age_class", pd.Series(UNKNOWN, index=index)).fillna(UNKNOWN).astype(str)
    factor = refurbishment_factor(use, age, depth or renovation_depth())
    space = pd.to_numeric(buildings["space_heating_kwh_per_a"], errors="coerce").fillna(0.0)
    return pd.Series(space.to_numpy(float) * (1.0 - factor), index=index)


def _de(value: float, digits: int = 0) -> str:
    """German number format: 1.234,5."""
    return german(f"{value:,.{digits}f}")


def _ge(sign: str) -> str:
    """The comparison sign as German typesetting writes it (≥, not >=)."""
    return "≥" if sign == ">=" else sign


def _reasons(frame: pd.DataFrame, town: float, limits: SavingThresholds) -> pd.DataFrame:
    de, en = [], []
    for row in frame.itertuples(index=False):
        share, density = float(getattr(row, SHARE)), float(getattr(row, DENSITY))
        if math.isnan(share):
            de.append("Einsparpotenzial unbekannt (kein Wärmebedarf)")
            en.append("saving potential unknown (no heat demand)")
            continue
        mark = bool(getattr(row, MARKED))
        head_de = "§ 18 Abs. 5 WPG: erhöhtes" if mark else "kein erhöhtes"
        head_en = "WPG § 18 (5): increased" if mark else "no increased"
        share_sign = ">=" if share >= limits.share_min else "<"
        ratio = density / town if town > 0 else math.nan
        ratio_sign = ">=" if ratio >= limits.density_vs_town_min else "<"
        potential = float(getattr(row, POTENTIAL_MWH_PER_A))
        de.append(
            f"{head_de} Energieeinsparpotenzial: {_de(potential)} MWh/a durch Sanierung "
            f"({_de(share * 100)} % des Wärmebedarfs {_ge(share_sign)} "
            f"{_de(limits.share_min * 100)} %; {_de(density, 1)} MWh/(ha·a), das "
            f"{_de(ratio, 2)}-fache des Gemeindemittels {_ge(ratio_sign)} "
            f"{_de(limits.density_vs_town_min, 2)})"
        )
        en.append(
            f"{head_en} energy-saving potential: {potential:,.0f} MWh/a by renovation "
            f"({share * 100:.0f} % of the heat demand {share_sign} {limits.share_min * 100:.0f} %; "
            f"{density:,.1f} MWh/(ha·a), {ratio:.2f} x the municipal mean "
            f"{ratio_sign} {limits.density_vs_town_min:.2f})"
        )
    return pd.DataFrame({REASON: de, REASON_EN: en}, index=frame.index)


def area_saving(
    areas: pd.DataFrame,
    buildings: pd.DataFrame,
    limits: SavingThresholds | None = None,
    *,
    depth: str | None = None,
) -> pd.DataFrame:
    """The § 18 (5) marking of every area.

    Parameters
    ----------
    areas : DataFrame
        ``area_id``, ``heat_demand_mwh_per_a`` [MWh/a] and ``area_ha`` [ha].
    buildings : DataFrame
        ``area_id`` and the columns of :func:`building_saving_kwh_per_a`.
    limits : SavingThresholds, optional
        Default: :func:`thresholds`.
    depth : str, optional
        Refurbishment package; default the scenario's.

    Returns
    -------
    DataFrame
        Indexed like ``areas``: ``saving_potential_mwh_per_a`` [MWh/a],
        ``saving_potential_share`` [-], ``saving_potential_mwh_per_ha_a`` [MWh/(ha·a)],
        ``saving_potential_increased`` (bool) and the reason ``saving_reason`` (German) /
        ``saving_reason_en``.

    Examples
    --------
    >>> areas = pd.DataFrame({"area_id": ["A", "B"], "heat_demand_mwh_per_a": [100.0, 100.0],
    ...     "area_ha": [1.0, 4.0]})
    >>> houses = pd.DataFrame({"area_id": ["A", "B"], "space_heating_kwh_per_a": [80e3, 80e3],
    ...     "use": ["sfh", "sfh"], "age_class": ["1860-1918", "1860-1918"]})
    >>> area_saving(areas, houses)["saving_potential_increased"].tolist()
    [True, False]
    """
    limits = limits or thresholds()
    saving = building_saving_kwh_per_a(buildings, depth)
    by_area = saving.groupby(buildings[col.AREA_ID].astype(str).to_numpy()).sum() / KWH_PER_MWH
    ids = areas[col.AREA_ID].astype(str)
    potential = ids.map(by_area).fillna(0.0).astype(float).to_numpy()
    demand = pd.to_numeric(areas[col.HEAT_DEMAND_MWH_PER_A], errors="coerce").to_numpy(float)
    hectares = pd.to_numeric(areas["area_ha"], errors="coerce").to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(demand > 0, potential / demand, np.nan)
        density = np.where(hectares > 0, potential / hectares, np.nan)
    total_ha = float(np.nansum(hectares))
    town = float(potential.sum()) / total_ha if total_ha > 0 else math.nan
    marked = (share >= limits.share_min) & (density >= limits.density_vs_town_min * town)
    frame = pd.DataFrame(
        {
            POTENTIAL_MWH_PER_A: potential,
            SHARE: share,
            DENSITY: density,
            MARKED: np.asarray(marked, dtype=bool),
        },
        index=areas.index,
    )
    return pd.concat([frame, _reasons(frame, town, limits)], axis=1)

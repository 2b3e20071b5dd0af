"""The full-cost comparison the public fact sheets show: medians over at least 5 buildings.

A citizen's fact sheet compares the full cost of heating options for buildings like theirs.
The per-building costs follow from each building's heat demand, so they never leave the
project: the release holds, per group of buildings (same area, use and age class; widening to
the area, then the town), the median over at least :data:`MIN_BUILDINGS_CONSUMPTION` buildings,
rounded to :data:`ROUND_EUR_PER_MWH`. A median is not a sum — no difference of two groups'
figures yields a building's value — and rounding keeps the median building's own value from
being read to the euro.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.publish.rules import MIN_BUILDINGS_CONSUMPTION

__all__ = ["ROUND_EUR_PER_MWH", "SCOPE_KEYS", "option_cost_table"]

#: Rounding base of the published medians [EUR/MWh] (heatplan choice: well inside the spread
#: of the options' full costs, ~100-250 EUR/MWh, and wider than the last digits of one value).
ROUND_EUR_PER_MWH = 5.0
#: Groups from the narrowest to the widest and the columns that define them.
SCOPE_KEYS: dict[str, tuple[str, ...]] = {
    "area_use_age": (col.AREA_ID, col.USE, "age_class"),
    "area_use": (col.AREA_ID, col.USE),
    "area": (col.AREA_ID,),
    "town_use_age": (col.USE, "age_class"),
    "town": (),
}
GROUP_COLUMNS = (col.AREA_ID, col.USE, "age_class")


def option_cost_table(
    rows: pd.DataFrame,
    options: Mapping[str, str],
    *,
    minimum: int = MIN_BUILDINGS_CONSUMPTION,
) -> pd.DataFrame:
    """Released medians of the option costs per group of buildings.

    Parameters
    ----------
    rows : DataFrame
        One row per building: ``area_id``, ``use``, ``age_class`` and the cost columns of
        ``options`` [EUR/MWh]; no building id.
    options : mapping
        Option key -> cost column of ``rows``.
    minimum : int
        Fewest buildings behind a published median [count] (WPG § 10 Abs. 2).

    Returns
    -------
    DataFrame
        ``scope``, ``area_id``, ``use``, ``age_class`` (empty text where not part of the
        scope), ``buildings`` and one column per option key: the rounded median [EUR/MWh],
        NaN where fewer than ``minimum`` buildings have a value. Groups under the minimum are
        not in the table.
    """
    frame = rows.reindex(columns=[*GROUP_COLUMNS, *options.values()]).copy()
    for column in GROUP_COLUMNS:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "").astype(str)
    for column in dict.fromkeys(options.values()):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    parts = [_scope(frame, scope, keys, options, minimum) for scope, keys in SCOPE_KEYS.items()]
    columns = ["scope", *GROUP_COLUMNS, "buildings", *options]
    found = [p for p in parts if len(p)]
    return pd.concat(found, ignore_index=True)[columns] if found else pd.DataFrame(columns=columns)


def _scope(
    frame: pd.DataFrame,
    scope: str,
    keys: tuple[str, ...],
    options: Mapping[str, str],
    minimum: int,
) -> pd.DataFrame:
    """The groups of ``scope`` with at least ``minimum`` buildings and their rounded medians
    (one grouped pass per option: a town of 20,000 buildings has some 9,000 groups)."""
    by = list(keys) or ["_all"]
    grouped = frame.assign(_all="").groupby(by, sort=True)
    sizes = grouped.size()
    sizes = sizes[sizes >= minimum]
    if not len(sizes):
        return pd.DataFrame()
    out = sizes.rename("buildings").reset_index()
    for column in GROUP_COLUMNS:
        if column not in by:
            out[column] = ""
    out.insert(0, "scope", scope)
    for option, column in options.items():
        numbers = grouped[column]
        counts = numbers.count().reindex(sizes.index)
        medians = numbers.median().reindex(sizes.index)
        rounded = np.round(medians.to_numpy(dtype=float) / ROUND_EUR_PER_MWH) * ROUND_EUR_PER_MWH
        out[option] = np.where(counts.to_numpy() >= minimum, rounded, np.nan)
    return out

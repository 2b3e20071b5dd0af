"""WPG § 10 for the cells of a unit x category table (blocks x carriers, blocks x heaters).

A block published as a whole (>= 5 buildings, :func:`heatplan.publish.suppression_mask`) may
still hold a carrier or heater type of one or two buildings: that cell is a single building's
figure. :func:`cell_mask` suppresses such cells, and secondarily further cells so that no
suppressed cell can be recovered by differencing — within a unit (its cells add up to the
unit's total) and within a category across units (they add up to the municipal total, which
includes the units that are hidden as a whole).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from heatplan.publish.rules import MIN_BUILDINGS_CONSUMPTION, suppress_secondary

__all__ = ["HIDDEN_UNIT", "cell_mask"]

#: Label of the pseudo-unit holding, per category, the cells of units hidden as a whole.
HIDDEN_UNIT = "\0hidden"


def cell_mask(
    cells: pd.DataFrame,
    *,
    unit: str,
    category: str,
    count: str = "buildings",
    hidden_units: Collection[object] = (),
    minimum: int = MIN_BUILDINGS_CONSUMPTION,
) -> pd.Series:
    """Cells to suppress (True) in a long table with one row per unit and category.

    Parameters
    ----------
    cells : DataFrame
        Columns ``unit``, ``category`` and ``count`` (buildings behind the cell [count]).
    unit, category, count : str
        Column names.
    hidden_units : collection
        Units suppressed as a whole (their cells are not published): per category they count
        as one hidden cell of the municipal sum, so a published category total cannot reveal
        a small cell by differencing.
    minimum : int
        Fewest buildings a published cell may cover (5; heater counts: 3).

    Returns
    -------
    Series of bool
        Index of ``cells``; rows of hidden units are True.

    Examples
    --------
    >>> cells = pd.DataFrame({"b": [1, 1, 2, 2, 3], "c": ["gas", "oil", "gas", "oil", "oil"],
    ...                       "buildings": [20, 2, 9, 6, 9]})
    >>> cell_mask(cells, unit="b", category="c").tolist()
    [True, True, False, True, False]
    >>> cell_mask(cells, unit="b", category="c", hidden_units=[3]).tolist()
    [True, True, False, False, True]
    """
    hidden = cells[unit].isin(list(hidden_units))
    shown = cells[~hidden]
    pseudo = cells[hidden].groupby(category, as_index=False)[count].sum()
    n = np.concatenate([_numbers(shown[count]), _numbers(pseudo[count])])
    mask = (n > 0) & (n < minimum)
    mask[len(shown) :] = True  # hidden already: they protect the published cells
    labels = [
        np.concatenate([shown[unit].to_numpy(object), np.full(len(pseudo), HIDDEN_UNIT, object)]),
        np.concatenate([shown[category].to_numpy(object), pseudo[category].to_numpy(object)]),
    ]
    changed = True
    while changed:  # as suppression_mask, with the hidden units suppressed from the start
        changed = False
        for label in labels:
            changed |= suppress_secondary(n, mask, label, minimum)
    out = pd.Series(True, index=cells.index, name="suppressed")
    out[~hidden] = mask[: len(shown)]
    return out


def _numbers(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(float))

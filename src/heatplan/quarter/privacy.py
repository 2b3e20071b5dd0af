"""What of the per-apartment meter values may be published: quarter totals and distributions over
at least :data:`MIN_APARTMENTS` apartments, nothing else. A distribution is the count and mean;
its quartiles only from :data:`MIN_FOR_QUARTILES` apartments on (each quarter of the group then
holds at least five); never a minimum or maximum.

Meter data are personal data (GDPR Art. 4 Nr. 1; MsbG § 49 ff. for smart-meter data); the study
keeps per-apartment values in its internal result only.
"""

from __future__ import annotations

import numpy as np

#: Smallest group whose distribution is published (heatplan rule for meter data).
MIN_APARTMENTS = 5
#: Smallest group whose quartiles are published (four bands of at least five apartments).
MIN_FOR_QUARTILES = 4 * MIN_APARTMENTS


def publishable(group: int, population: int, *, min_count: int = MIN_APARTMENTS) -> bool:
    """Whether figures of a group of ``group`` apartments out of ``population`` may be shown: the
    group and the rest must each hold none or at least ``min_count`` apartments (else the quarter
    total minus the group's total would reveal the few apartments left)."""
    rest = population - group
    return group >= min_count and (rest == 0 or rest >= min_count)


def distribution(
    values: np.ndarray, *, population: int | None = None, min_count: int = MIN_APARTMENTS
) -> dict[str, float] | None:
    """Count, mean (and quartiles, see above) of ``values`` (one per apartment); None for fewer
    than ``min_count`` apartments or when the rest of a ``population`` is too small
    (:func:`publishable`)."""
    values = np.asarray(values, dtype=float)
    total = values.size if population is None else population
    if not publishable(values.size, total, min_count=min_count):
        return None
    shown: dict[str, float] = {"apartments": values.size, "mean": float(values.mean())}
    if values.size >= MIN_FOR_QUARTILES:
        q25, q50, q75 = np.percentile(values, [25.0, 50.0, 75.0])
        shown |= {"p25": float(q25), "median": float(q50), "p75": float(q75)}
    return shown


def group_total(
    values: np.ndarray, *, population: int | None = None, min_count: int = MIN_APARTMENTS
) -> float | None:
    """Sum of ``values`` over a group, or None when it may not be shown (:func:`publishable`)."""
    values = np.asarray(values, dtype=float)
    total = values.size if population is None else population
    return float(values.sum()) if publishable(values.size, total, min_count=min_count) else None

"""What of the per-apartment meter values may be published: quarter totals and distributions over
at least :data:`MIN_APARTMENTS` apartments (quartiles, never a minimum or maximum), nothing else.

Meter data are personal data (GDPR Art. 4 Nr. 1; MsbG § 49 ff. for smart-meter data); the study
keeps per-apartment values in its internal result only.
"""

from __future__ import annotations

import numpy as np

#: Smallest group whose distribution is published (heatplan rule for meter data).
MIN_APARTMENTS = 5


def distribution(values: np.ndarray, *, min_count: int = MIN_APARTMENTS) -> dict[str, float] | None:
    """Count, mean and quartiles of ``values`` (one per apartment), or None for fewer than
    ``min_count`` apartments."""
    values = np.asarray(values, dtype=float)
    if values.size < min_count:
        return None
    q25, q50, q75 = np.percentile(values, [25.0, 50.0, 75.0])
    return {
        "apartments": int(values.size),
        "mean": float(values.mean()),
        "p25": float(q25),
        "median": float(q50),
        "p75": float(q75),
    }


def group_total(values: np.ndarray, *, min_count: int = MIN_APARTMENTS) -> float | None:
    """Sum of ``values`` over a group, or None when the group has fewer than ``min_count``."""
    values = np.asarray(values, dtype=float)
    return float(values.sum()) if values.size >= min_count else None

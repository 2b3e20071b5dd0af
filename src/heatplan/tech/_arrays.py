"""Input checks and output shaping shared by the vectorised functions of ``heatplan.tech``.

A function takes scalars, numpy arrays or pandas Series and returns the same kind: a float for
scalars only, a Series (with the index of the first Series argument) if any argument is one, an
array otherwise (as in pvlib).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

Numeric = Any
"""A float, a numpy array or a pandas Series."""


def as_float_array(values: ArrayLike) -> np.ndarray:
    """``values`` as a float numpy array (a Series gives its values)."""
    return np.asarray(values, dtype=float)


def shaped_like(result: ArrayLike, *inputs: object) -> Numeric:
    """``result`` in the kind of the inputs: Series if any input is one, float if all are scalar."""
    for item in inputs:
        if isinstance(item, pd.Series):
            return pd.Series(np.broadcast_to(result, item.shape), index=item.index, dtype=float)
    array = np.asarray(result, dtype=float)
    if array.ndim == 0 and all(np.ndim(np.asarray(item)) == 0 for item in inputs):
        return float(array)
    return array


def require(
    name: str, values: ArrayLike, condition: Callable[[np.ndarray], np.ndarray], rule: str
) -> np.ndarray:
    """``values`` as a float array; raise ValueError naming ``name`` and ``rule`` if any fails.

    NaN fails every rule: a missing value is an error here, never a silent NaN result.
    """
    array = as_float_array(values)
    bad = ~condition(array) | np.isnan(array)
    if np.any(bad):
        shown = np.unique(array[bad])[:5].tolist()
        raise ValueError(f"{name} must be {rule}; got {shown}")
    return array

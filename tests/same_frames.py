"""Equality of two frames as the national tests compare a cluster run with a single process."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def assert_same_frames(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal frames: same rows and columns, numbers to 1e-12 relative, geometries exactly."""
    left, right = left.reset_index(drop=True), right.reset_index(drop=True)
    assert list(left.columns) == list(right.columns)
    for name in left.columns:
        a, b = left[name], right[name]
        if isinstance(a, gpd.GeoSeries) or isinstance(a.dtype, gpd.array.GeometryDtype):
            assert shapely.equals_exact(np.asarray(a), np.asarray(b), tolerance=0).all(), name
        elif pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            np.testing.assert_allclose(
                a.to_numpy(float), b.to_numpy(float), rtol=1e-12, err_msg=name
            )
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), name

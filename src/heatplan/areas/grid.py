"""Regular reference grid (EU/INSPIRE, ETRS89-LAEA) with cells only where buildings are."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.areas.blocks import representative_points

__all__ = ["cell_code", "grid_100m"]


def _resolution_label(cell_size_m: int) -> str:
    """'100m', '1km', '10km' — the resolution part of a grid cell code."""
    if cell_size_m % 1000 == 0:
        return f"{cell_size_m // 1000}km"
    return f"{cell_size_m}m"


def cell_code(north_m: np.ndarray, east_m: np.ndarray, cell_size_m: int = 100) -> np.ndarray:
    """Cell codes of the European reference grid, e.g. ``'100mN26840E43341'``.

    Parameters
    ----------
    north_m, east_m : array-like of int
        Lower-left corner of the cell in ETRS89-LAEA (EPSG:3035) [m].
    cell_size_m : int
        Cell edge length [m].

    Returns
    -------
    numpy.ndarray of str

    Notes
    -----
    Resolution, then northing and easting of the lower-left corner divided by the cell size, as in
    the EEA reference grid and the German census grid (Zensus 2011 ``Gitter_ID_100m``).

    Examples
    --------
    >>> cell_code(np.array([2684000]), np.array([4334100])).tolist()
    ['100mN26840E43341']
    """
    label = _resolution_label(cell_size_m)
    north = (np.asarray(north_m) // cell_size_m).astype("int64").astype(str)
    east = (np.asarray(east_m) // cell_size_m).astype("int64").astype(str)
    return np.char.add(np.char.add(np.char.add(f"{label}N", north), "E"), east)


def grid_100m(
    buildings: gpd.GeoDataFrame, *, cell_size_m: int = 100, crs: str = "EPSG:3035"
) -> tuple[pd.Series, gpd.GeoDataFrame]:
    """Assign buildings to the cells of a regular grid and build those cells.

    Parameters
    ----------
    buildings : GeoDataFrame
        Points or footprints (representative point used), any CRS.
    cell_size_m : int
        Cell edge length [m]; 100 for the EU/INSPIRE 100 m grid.
    crs : str
        Grid CRS; the reference grid is defined in ETRS89-LAEA, EPSG:3035.

    Returns
    -------
    grid_id : pandas.Series
        Cell code per building (name ``grid_id``), indexed like ``buildings``.
    cells : GeoDataFrame
        One square per occupied cell: ``grid_id``, ``north_m``, ``east_m`` (lower-left corner
        [m]), ``area_ha`` [ha], ``geometry`` in ``crs``; sorted by ``grid_id``.
    """
    if buildings.crs is None:
        raise ValueError("buildings have no CRS; set one before gridding")
    if int(cell_size_m) != cell_size_m or cell_size_m <= 0:
        raise ValueError(
            f"cell_size_m must be a positive whole number of metres, got {cell_size_m}"
        )
    xy = shapely.get_coordinates(representative_points(buildings.to_crs(crs)).to_numpy())
    east_m = (np.floor(xy[:, 0] / cell_size_m) * cell_size_m).astype("int64")
    north_m = (np.floor(xy[:, 1] / cell_size_m) * cell_size_m).astype("int64")
    codes = cell_code(north_m, east_m, cell_size_m)
    grid_id = pd.Series(codes, index=buildings.index, name="grid_id", dtype=object)
    corners = (
        pd.DataFrame({"grid_id": codes, "north_m": north_m, "east_m": east_m})
        .drop_duplicates("grid_id")
        .sort_values("grid_id", ignore_index=True)
    )
    squares = shapely.box(
        corners["east_m"],
        corners["north_m"],
        corners["east_m"] + cell_size_m,
        corners["north_m"] + cell_size_m,
    )
    corners["area_ha"] = float(cell_size_m) ** 2 / 10_000.0
    return grid_id, gpd.GeoDataFrame(corners, geometry=squares, crs=crs)

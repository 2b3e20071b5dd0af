"""Regular reference grid (EU/INSPIRE, ETRS89-LAEA) with cells only where buildings are."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from heatplan.areas.blocks import representative_points
from heatplan.plan import columns as col

__all__ = ["cell_code", "grid_100m"]


def cell_code(
    north_m: np.ndarray, east_m: np.ndarray, cell_size_m: int = 100, *, epsg: int = 3035
) -> np.ndarray:
    """Cell codes of the INSPIRE/EU statistical grid, e.g. ``'CRS3035RES100mN2684000E4334100'``.

    Parameters
    ----------
    north_m, east_m : array-like of int
        A point in the cell, usually its lower-left corner, in the grid CRS [m].
    cell_size_m : int
        Cell edge length [m].
    epsg : int
        EPSG code of the grid CRS; 3035 (ETRS89-LAEA) for the European grid.

    Returns
    -------
    numpy.ndarray of str

    Notes
    -----
    ``'CRS'`` + EPSG code, ``'RES'`` + cell size in metres + ``'m'``, then ``'N'`` + northing and
    ``'E'`` + easting of the lower-left cell corner in whole metres: the grid of Regulation (EU)
    No 1089/2010 Annex II 2.2.1 with the cell code of its Annex IV 1.4.1.1 (INSPIRE), as used by
    Regulation (EU) 2018/1799 Art. 3(2) and the German census 2022 (``GITTER_ID_100m``). The
    census 2011 short form ``100mN26840E43341`` and the EEA form ``100mE43341N26840`` differ.

    Examples
    --------
    >>> cell_code(np.array([2684050]), np.array([4334199])).tolist()
    ['CRS3035RES100mN2684000E4334100']
    """
    size = int(cell_size_m)
    north = (np.asarray(north_m) // size * size).astype("int64").astype(str)
    east = (np.asarray(east_m) // size * size).astype("int64").astype(str)
    prefix = f"CRS{int(epsg)}RES{size}mN"
    return np.char.add(np.char.add(np.char.add(prefix, north), "E"), east)


def _epsg(crs: str | CRS) -> int:
    """EPSG code of the grid CRS; the cell code names it."""
    code = CRS.from_user_input(crs).to_epsg()
    if code is None:
        raise ValueError(f"the grid CRS {crs!r} has no EPSG code; use e.g. 'EPSG:3035'")
    return int(code)


def grid_100m(
    buildings: gpd.GeoDataFrame, *, cell_size_m: int = 100, crs: str = "EPSG:3035"
) -> tuple[pd.Series, gpd.GeoDataFrame]:
    """Assign buildings to the cells of a regular grid and build those cells.

    A building on a cell edge belongs to the cell above / to the right of it (lower and left
    edges are part of a cell).

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
        Cell code per building (name ``grid_id``, see :func:`cell_code`), indexed like
        ``buildings``.
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
    size = int(cell_size_m)
    xy = shapely.get_coordinates(representative_points(buildings.to_crs(crs)).to_numpy())
    east_m = (np.floor(xy[:, 0] / size) * size).astype("int64")
    north_m = (np.floor(xy[:, 1] / size) * size).astype("int64")
    codes = cell_code(north_m, east_m, size, epsg=_epsg(crs))
    grid_id = pd.Series(codes, index=buildings.index, name=col.GRID_ID, dtype=object)
    corners = (
        pd.DataFrame({col.GRID_ID: codes, "north_m": north_m, "east_m": east_m})
        .drop_duplicates(col.GRID_ID)
        .sort_values(col.GRID_ID, ignore_index=True)
    )
    squares = shapely.box(
        corners["east_m"],
        corners["north_m"],
        corners["east_m"] + size,
        corners["north_m"] + size,
    )
    corners["area_ha"] = float(size) ** 2 / 10_000.0
    return grid_id, gpd.GeoDataFrame(corners, geometry=squares, crs=crs)

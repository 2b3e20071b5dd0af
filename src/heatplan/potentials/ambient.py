"""Decentral heat pumps per building: ground probes limited by the plot, air units by noise.

Ground: the plot of a building is its parcel (when a parcel layer is given) or its Voronoi cell
among the building centroids, cut to ``plot.max_distance_m`` around the footprint. Probes keep
``probe.boundary_distance_m`` from the plot boundary and ``probe.building_distance_m`` from every
footprint; the probes are counted on a square grid of the VDI 4640 spacing laid into that free
area, and capacity = probes x depth x specific extraction [1]_. A dense field of probes cools
the ground it shares with its neighbours (thermal interference), so each plot's annual ground
heat is capped at a sustainable energy per m² of unbuilt land [3]_; plots do not overlap, so the
sum over any area stays within that density times the area's land.

Air: the outdoor unit of a size for the building's heat demand has the sound power that the
federal funding (BEG) allows from 2026; with the simplified LAI method [2]_ the distance at
which it meets the TA Lärm night limit is compared with the distance to the nearest neighbouring
building (the unit is assumed at the own facade, the neighbour's window at theirs).

All defaults: data/ambient_*.csv, with sources.

References
----------
.. [1] VDI 4640 Blatt 2 (2001): Thermische Nutzung des Untergrundes - Erdgekoppelte
   Wärmepumpenanlagen, Table 2. BibTeX ``VDI4640``.
.. [2] LAI (2023): Leitfaden für die Verbesserung des Schutzes gegen Lärm beim Betrieb von
   stationären Geräten in Gebieten, die dem Wohnen dienen; TA Lärm Nr. 6.1. ``LAI2023``.
.. [3] Walch et al. (2021): Quantifying the technical geothermal potential from shallow
   borehole heat exchangers at regional scale. Renewable Energy 165:369-380. ``Walch2021``.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from heatplan.plan import columns as col
from heatplan.reference import heater_types, parameter_group, table

RESULT_COLUMNS = [
    col.BUILDING_ID,
    "plot_area_m2",
    "free_area_m2",
    "probe_count",
    "ground_probe_capacity_kw",
    "unbuilt_area_m2",
    "ground_heat_capacity_mwh_per_a",
    "ground_heat_limit_mwh_per_a",
    "ground_heat_mwh_per_a",
    "required_ground_heat_mwh_per_a",
    "heating_capacity_kw",
    "required_extraction_kw",
    "ground_ok",
    "ground_sustainable",
    "sound_power_db",
    "night_limit_db",
    "required_distance_m",
    "nearest_neighbour_m",
    "air_ok",
    "reason",
]


def _parameters(group: str) -> dict[str, float]:
    return parameter_group("ambient_parameters.csv", group)


# --------------------------------------------------------------------------- pure functions
def probe_count(free_areas: ArrayLike, *, spacing_m: float, offsets: int = 3) -> np.ndarray:
    """Most probes that fit on a square grid of ``spacing_m`` inside each free area [-].

    The grid is laid from the lower-left corner of the area's bounding box, shifted by
    ``offsets`` x ``offsets`` fractions of the spacing; the best shift counts. Points on the
    boundary count (the boundary already keeps the required distances). A non-empty area in
    which no grid point falls still takes one probe.

    Parameters
    ----------
    free_areas : shapely geometry or array of them
        Areas where a probe may stand, in a metric CRS.
    spacing_m : float
        Smallest distance between probes [m] (VDI 4640-2: 6 m for 50-100 m probes).
    offsets : int
        Grid shifts tried per axis.

    Examples
    --------
    >>> import shapely
    >>> areas = [shapely.box(0, 0, 12, 6), shapely.box(0, 0, 8, 10), shapely.Polygon()]
    >>> probe_count(areas, spacing_m=6.0).tolist()
    [6, 4, 0]
    """
    if spacing_m <= 0:
        raise ValueError(f"spacing_m must be positive, got {spacing_m!r}")
    geometries = np.atleast_1d(np.asarray(free_areas, dtype=object))
    counts = np.zeros(len(geometries), dtype=int)
    usable = np.array([g is not None for g in geometries], dtype=bool)
    usable[usable] = ~shapely.is_empty(geometries[usable]) & (shapely.area(geometries[usable]) > 0)
    chosen = np.flatnonzero(usable)
    for chunk in np.array_split(chosen, max(1, len(chosen) // PROBE_CHUNK)):
        counts[chunk] = _grid_counts(geometries[chunk], spacing_m, offsets)
    return counts


#: Areas whose grid points are tested in one vectorised call (bounds the points held at once).
PROBE_CHUNK = 2000
#: Distance within which a grid point counts as on the area's boundary [m] (floating point).
BOUNDARY_TOL_M = 1e-6


def _axis(start: np.ndarray, stop: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Length and increment of ``np.arange(start, stop, step)`` for each start/stop, as NumPy
    computes them (length ceil((stop - start) / step), increment (start + step) - start)."""
    length = np.maximum(np.ceil((stop - start) / step), 0).astype(np.int64)
    return length, (start + step) - start


def _grid_counts(areas: np.ndarray, spacing: float, offsets: int) -> np.ndarray:
    """Best grid count of each (non-empty) area over the ``offsets`` x ``offsets`` shifts: all
    grid points of all areas and shifts tested in one call against the prepared areas grown by
    :data:`BOUNDARY_TOL_M` (points on the boundary count)."""
    tolerant = shapely.buffer(areas, BOUNDARY_TOL_M)
    shapely.prepare(tolerant)
    bounds = shapely.bounds(areas)
    shifts = np.arange(offsets) * spacing / offsets
    dx, dy = (a.ravel() for a in np.meshgrid(shifts, shifts, indexing="ij"))
    # one grid per (area, shift): area index a, shift k
    a = np.repeat(np.arange(len(areas)), dx.size)
    sx, sy = np.tile(dx, len(areas)), np.tile(dy, len(areas))
    x0, y0 = bounds[a, 0] + sx, bounds[a, 1] + sy
    nx, stepx = _axis(x0, bounds[a, 2] + BOUNDARY_TOL_M, spacing)
    ny, stepy = _axis(y0, bounds[a, 3] + BOUNDARY_TOL_M, spacing)
    size = nx * ny
    grid = np.repeat(np.arange(a.size), size)
    within = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
    i, j = within % nx[grid], within // nx[grid]
    x = x0[grid] + i * stepx[grid]
    y = y0[grid] + j * stepy[grid]
    hit = shapely.intersects_xy(tolerant[a[grid]], x, y)
    per_grid = np.bincount(grid, weights=hit, minlength=a.size).reshape(len(areas), dx.size)
    return np.maximum(per_grid.max(axis=1), 1).astype(int)


def probe_capacity_kw(
    probes: ArrayLike, *, depth_m: float, extraction_w_per_m: float
) -> np.ndarray:
    """Heat extraction capacity of borehole probes = probes x depth x W/m [kW].

    Examples
    --------
    >>> probe_capacity_kw([0, 3], depth_m=100.0, extraction_w_per_m=50.0).tolist()
    [0.0, 15.0]
    """
    probes = np.asarray(probes, dtype=float)
    if (probes < 0).any():
        raise ValueError("number of probes must not be negative")
    return probes * depth_m * extraction_w_per_m / 1000.0


def sustainable_ground_heat_mwh_per_a(
    capacity_kw: ArrayLike,
    unbuilt_area_m2: ArrayLike,
    *,
    full_load_hours_h_per_a: float,
    max_ground_heat_kwh_per_m2_a: float,
) -> np.ndarray:
    """Annual ground heat a plot's probes may extract for good [MWh/a].

    The probes' capacity run for the full-load hours, but at most the sustainable energy
    density of dense borehole fields times the plot's unbuilt land (Walch et al. 2021):
    ``min(capacity x hours, density x land)``.

    Parameters
    ----------
    capacity_kw : numeric
        Extraction capacity of the plot's probes [kW].
    unbuilt_area_m2 : numeric
        Land of the plot not covered by the building [m²].
    full_load_hours_h_per_a : float
        Full-load hours of the probes [h/a] (VDI 4640-2: 2400 h/a with hot water).
    max_ground_heat_kwh_per_m2_a : float
        Sustainable ground heat per m² of land and year [kWh/(m² a)].

    Examples
    --------
    >>> sustainable_ground_heat_mwh_per_a([45.0, 5.0], [500.0, 500.0],
    ...     full_load_hours_h_per_a=2400.0, max_ground_heat_kwh_per_m2_a=15.5).tolist()
    [7.75, 7.75]
    """
    capacity = np.asarray(capacity_kw, dtype=float)
    land = np.asarray(unbuilt_area_m2, dtype=float)
    if (capacity < 0).any() or (land < 0).any():
        raise ValueError("probe capacity and unbuilt area must not be negative")
    if full_load_hours_h_per_a <= 0 or max_ground_heat_kwh_per_m2_a < 0:
        raise ValueError("full-load hours must be positive and the energy density not negative")
    from_probes = capacity * full_load_hours_h_per_a / 1000.0
    return np.minimum(from_probes, land * max_ground_heat_kwh_per_m2_a / 1000.0)


def required_noise_distance_m(
    sound_power_db: ArrayLike,
    limit_db: ArrayLike,
    *,
    reflection_db: float,
    tonality_db: float,
    divergence_db: float,
) -> np.ndarray:
    """Distance at which a point source meets an immission limit [m].

    L = L_WA + K_refl + K_T - (20 lg(d / 1 m) + A_1m) <= limit, hence
    d = 10^((L_WA + K_refl + K_T - A_1m - limit) / 20) (ISO 9613-2 geometric divergence, the
    simplified method of the LAI-Leitfaden stationäre Geräte).

    Examples
    --------
    >>> round(float(required_noise_distance_m(
    ...     60.0, 40.0, reflection_db=6.0, tonality_db=0.0, divergence_db=11.0)), 2)
    5.62
    """
    level = np.asarray(sound_power_db, dtype=float) + reflection_db + tonality_db
    return np.power(10.0, (level - divergence_db - np.asarray(limit_db, dtype=float)) / 20.0)


# --------------------------------------------------------------------------- geometry
def _footprints(buildings: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Polygons as they are; points become circles of footprint_area_m2 (or stay points)."""
    geometry = buildings.geometry
    points = geometry.geom_type == "Point"
    if not points.any():
        return geometry
    area = pd.Series(0.0, index=buildings.index)
    if "footprint_area_m2" in buildings:
        area = pd.to_numeric(buildings["footprint_area_m2"], errors="coerce").fillna(0.0)
    radius = np.sqrt(area.clip(lower=0.0) / math.pi)
    grow = points & (radius > 0)
    if not grow.any():
        return geometry
    circles = geometry[grow].buffer(radius[grow].to_numpy())
    return geometry.where(~grow, circles)


def _voronoi_cells(footprints: gpd.GeoSeries, max_distance_m: float) -> np.ndarray:
    centres = shapely.points(shapely.get_coordinates(footprints.representative_point()))
    frame = shapely.box(*footprints.total_bounds).buffer(10.0 * max_distance_m + 1.0)
    if len(centres) == 1:
        return np.array([frame])
    cells = shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=frame, ordered=True)
    return np.asarray(shapely.get_parts(cells))


def plot_areas(
    buildings: gpd.GeoDataFrame, *, parcels: gpd.GeoDataFrame | None = None
) -> gpd.GeoSeries:
    """Plot of each building (projected CRS in metres).

    With ``parcels``: the parcel containing the building's representative point. Otherwise, and
    for buildings outside every parcel: the building's Voronoi cell among all buildings,
    intersected with the footprint buffered by ``plot.max_distance_m`` (data/ambient_parameters
    .csv), united with the footprint itself.
    """
    footprints = _footprints(buildings)
    max_distance = _parameters("plot")["max_distance_m"]
    cells = _voronoi_cells(footprints, max_distance)
    near = footprints.buffer(max_distance).to_numpy()
    plots = shapely.union(shapely.intersection(cells, near), footprints.to_numpy())
    result = gpd.GeoSeries(plots, index=buildings.index, crs=buildings.crs)
    if parcels is not None and not parcels.empty:
        points = gpd.GeoDataFrame(geometry=footprints.representative_point(), crs=buildings.crs)
        hits = gpd.sjoin(points, parcels[["geometry"]].to_crs(buildings.crs), predicate="within")
        hits = hits[~hits.index.duplicated()]
        parcel_geometry = parcels.geometry.to_crs(buildings.crs)
        result.loc[hits.index] = parcel_geometry.loc[hits["index_right"]].to_numpy()
    return result


def _free_areas(footprints: gpd.GeoSeries, plots: gpd.GeoSeries) -> np.ndarray:
    """Part of each plot where probes may stand (boundary and building distances kept)."""
    probe = _parameters("probe")
    inner = plots.buffer(-probe["boundary_distance_m"]).to_numpy()
    keep_out = footprints.buffer(probe["building_distance_m"]).to_numpy()
    tree = shapely.STRtree(keep_out)
    free = np.empty(len(inner), dtype=object)
    for i, region in enumerate(inner):
        blocked = shapely.union_all(keep_out[tree.query(region)])
        free[i] = shapely.difference(region, blocked)
    return free


def _nearest_neighbour_m(footprints: gpd.GeoSeries) -> np.ndarray:
    geoms = footprints.to_numpy()
    distance = np.full(len(geoms), np.inf)
    if len(geoms) < 2:
        return distance
    tree = shapely.STRtree(geoms)
    (source, _), dist = tree.query_nearest(geoms, exclusive=True, return_distance=True)
    np.minimum.at(distance, source, dist)
    return distance


# --------------------------------------------------------------------------- noise inputs
def _night_limits(buildings: gpd.GeoDataFrame, area_type: str | None) -> pd.Series:
    limits = table("ambient_noise_limits.csv")
    by_type = limits.set_index("area_type")["night_db"].astype(float)
    default = str(limits.loc[limits["is_default"].astype(str).str.lower() == "true"].iloc[0, 0])
    chosen = area_type or default
    types = pd.Series(chosen, index=buildings.index)
    if "noise_area_type" in buildings:
        types = buildings["noise_area_type"].astype("string").fillna(chosen).astype(str)
    unknown = sorted(set(types) - set(by_type.index))
    if unknown:
        raise ValueError(
            f"noise area type(s) {unknown} unknown; use one of {sorted(by_type.index)} "
            "(TA Lärm Nr. 6.1, data/ambient_noise_limits.csv)"
        )
    return types.map(by_type)


def _sound_power_db(capacity_kw: np.ndarray) -> np.ndarray:
    bands = table("ambient_sound_power.csv")
    capacity = np.where(np.isnan(capacity_kw), 0.0, capacity_kw)
    position = np.searchsorted(bands["capacity_to_kw"].to_numpy(float), capacity, side="left")
    inside = position < len(bands)
    levels = bands["sound_power_db"].to_numpy(float)[np.minimum(position, len(bands) - 1)]
    return np.where(inside, levels, np.nan)


def _heat_demand(buildings: gpd.GeoDataFrame) -> np.ndarray:
    if col.HEAT_DEMAND_KWH_PER_A not in buildings:
        return np.full(len(buildings), np.nan)
    demand = pd.to_numeric(buildings[col.HEAT_DEMAND_KWH_PER_A], errors="coerce").to_numpy(float)
    if (demand < 0).any():
        raise ValueError("heat_demand_kwh_per_a must not be negative")
    return demand


# --------------------------------------------------------------------------- study
def decentral_heat_pumps(
    buildings: gpd.GeoDataFrame,
    *,
    parcels: gpd.GeoDataFrame | None = None,
    area_type: str | None = None,
) -> pd.DataFrame:
    """Which buildings can take a ground-source or an air-source heat pump.

    Parameters
    ----------
    buildings : GeoDataFrame
        building_id, geometry (footprints in a metric CRS, e.g. EPSG:25832), optionally
        heat_demand_kwh_per_a [kWh/a], footprint_area_m2 [m²] (for point buildings) and
        noise_area_type (a TA Lärm area type of data/ambient_noise_limits.csv).
    parcels : GeoDataFrame, optional
        Parcel polygons (e.g. ALKIS Flurstücke); without them plots are Voronoi cells.
    area_type : str, optional
        TA Lärm area type for buildings without noise_area_type (default: the row marked
        is_default, general residential, night 40 dB(A)).

    Returns
    -------
    DataFrame
        One row per building: plot_area_m2, probe_count, ground_probe_capacity_kw,
        unbuilt_area_m2, ground_heat_capacity_mwh_per_a (capacity x full-load hours),
        ground_heat_limit_mwh_per_a (sustainable density x unbuilt land),
        ground_heat_mwh_per_a (the smaller of the two), required_ground_heat_mwh_per_a
        (demand x (1 - 1/SPF)), heating_capacity_kw (demand / full-load hours),
        required_extraction_kw (capacity x (1 - 1/SPF)), ground_ok (the probes reach the
        capacity), ground_sustainable (and the plot's sustainable heat covers the annual
        extraction), sound_power_db, night_limit_db,
        required_distance_m, nearest_neighbour_m, air_ok and a reason text.
    """
    if col.BUILDING_ID not in buildings:
        raise ValueError("buildings need a building_id column")
    if buildings.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    if buildings.crs is None or not buildings.crs.is_projected:
        raise ValueError("buildings need a projected CRS in metres (e.g. EPSG:25832)")
    probe = _parameters("probe")
    noise = _parameters("noise")
    footprints = _footprints(buildings)
    plots = plot_areas(buildings, parcels=parcels)
    free = _free_areas(footprints, plots)
    probes = probe_count(free, spacing_m=probe["spacing_m"])
    capacity = probe_capacity_kw(
        probes, depth_m=probe["depth_m"], extraction_w_per_m=probe["extraction_w_per_m"]
    )
    hours = probe["full_load_hours_h_per_a"]
    density = _parameters("field")["max_ground_heat_kwh_per_m2_a"]
    unbuilt = np.clip(plots.area.to_numpy() - footprints.area.to_numpy(), 0.0, None)
    ground_mwh = sustainable_ground_heat_mwh_per_a(
        capacity, unbuilt, full_load_hours_h_per_a=hours, max_ground_heat_kwh_per_m2_a=density
    )
    demand = _heat_demand(buildings)
    heating_kw = demand / hours
    spf = float(np.asarray(heater_types().loc[["heat_pump_ground"], "efficiency"], dtype=float)[0])
    needed_kw = heating_kw * (1.0 - 1.0 / spf)
    needed_mwh = demand * (1.0 - 1.0 / spf) / 1000.0
    ground_ok = np.where(np.isnan(needed_kw), probes > 0, (probes > 0) & (capacity >= needed_kw))
    sustainable = np.where(np.isnan(needed_mwh), probes > 0, ground_ok & (ground_mwh >= needed_mwh))
    sound = _sound_power_db(heating_kw)
    limit = _night_limits(buildings, area_type).to_numpy(float)
    distance = required_noise_distance_m(
        sound,
        limit,
        reflection_db=noise["reflection_db"],
        tonality_db=noise["tonality_db"],
        divergence_db=noise["divergence_db_at_1m"],
    )
    nearest = _nearest_neighbour_m(footprints)
    air_ok = ~np.isnan(distance) & (nearest >= distance)
    frame = pd.DataFrame(
        {
            col.BUILDING_ID: buildings[col.BUILDING_ID].to_numpy(),
            "plot_area_m2": plots.area.to_numpy(),
            "free_area_m2": shapely.area(free),
            "probe_count": probes,
            "ground_probe_capacity_kw": capacity,
            "unbuilt_area_m2": unbuilt,
            "ground_heat_capacity_mwh_per_a": capacity * hours / 1000.0,
            "ground_heat_limit_mwh_per_a": unbuilt * density / 1000.0,
            "ground_heat_mwh_per_a": ground_mwh,
            "required_ground_heat_mwh_per_a": needed_mwh,
            "heating_capacity_kw": heating_kw,
            "required_extraction_kw": needed_kw,
            "ground_ok": ground_ok.astype(bool),
            "ground_sustainable": sustainable.astype(bool),
            "sound_power_db": sound,
            "night_limit_db": limit,
            "required_distance_m": distance,
            "nearest_neighbour_m": nearest,
            "air_ok": air_ok,
        },
        index=buildings.index,
    )
    reasons = [_reason(row, probe | {"density": density}) for row in frame.itertuples()]
    bare_points = (footprints.geom_type == "Point").to_numpy()
    frame["reason"] = [
        f"{text}; point geometry without footprint: distances from the building point"
        if bare
        else text
        for text, bare in zip(reasons, bare_points, strict=True)
    ]
    return frame[RESULT_COLUMNS]


def _reason(row: Any, probe: dict[str, float]) -> str:
    depth, w_per_m = probe["depth_m"], probe["extraction_w_per_m"]
    ground = (
        f"ground: {row.probe_count} probe(s) x {depth:g} m x {w_per_m:g} W/m = "
        f"{row.ground_probe_capacity_kw:.1f} kW"
    )
    if row.probe_count == 0:
        ground = "ground: no probe fits on the plot (boundary and building distances)"
    elif math.isnan(row.required_extraction_kw):
        ground += " (no heat demand: only checked that a probe fits)"
    else:
        sign = ">=" if row.ground_probe_capacity_kw >= row.required_extraction_kw else "<"
        ground += f" {sign} {row.required_extraction_kw:.1f} kW extraction needed"
    if row.probe_count > 0:
        sign = ">=" if row.ground_heat_mwh_per_a >= row.required_ground_heat_mwh_per_a else "<"
        ground += (
            f"; sustainable {row.ground_heat_mwh_per_a:.1f} MWh/a (at most "
            f"{probe['density']:g} kWh/(m² a) x {row.unbuilt_area_m2:.0f} m² unbuilt plot)"
        )
        if not math.isnan(row.required_ground_heat_mwh_per_a):
            ground += f" {sign} {row.required_ground_heat_mwh_per_a:.1f} MWh/a needed"
    if math.isnan(row.sound_power_db):
        air = (
            f"air: {row.heating_capacity_kw:.0f} kW is above the 70 kW of the sound-power "
            "table; needs a noise study"
        )
    else:
        sign = ">=" if row.air_ok else "<"
        near = (
            "no neighbour"
            if math.isinf(row.nearest_neighbour_m)
            else (f"nearest neighbour {row.nearest_neighbour_m:.1f} m")
        )
        air = (
            f"air: {near} {sign} {row.required_distance_m:.1f} m needed for "
            f"{row.sound_power_db:g} dB(A) at night limit {row.night_limit_db:g} dB(A)"
        )
        if math.isnan(row.heating_capacity_kw):
            air += " (no heat demand: smallest unit assumed)"
    return f"{ground}; {air}"

"""An LV grid from GIS layers: cables (lines), transformers and house-connection points.

The layers come mapped to heatplan's attributes (:mod:`heatplan.inputs.lv_grid` reads the
files and the mapping); this module turns them into an :class:`~heatplan.grid.model.LvGrid`:

- **Buses** are the cable ends: ends closer than ``gis_snap_m`` (``grid_parameters.csv``)
  are one bus.
- **Cables**: ``std_type`` (a pandapower standard type, e.g. ``NAYY 4x150 SE``) or the three
  values ``r_ohm_per_km``, ``x_ohm_per_km``, ``max_i_ka``; ``length_m`` or ``length_km``, else
  the drawn length; ``parallel`` (default 1).
- **Transformers** sit on the bus nearest to their point (within ``gis_station_max_m``), rated
  ``sn_kva`` or ``sn_mva``; ``vk_percent`` and ``vkr_percent`` where given, else those of the
  pandapower standard type of that size (20/0.4 kV).
- **Connection points** (optional ``building_id``) sit on the nearest bus within
  ``gis_connection_max_m``; they become the grid's loads, and a building with an id among
  them is linked by id (:func:`heatplan.grid.model.link_buildings`).

Every problem raises :class:`GridInputError` naming the file (and layer), the row (1 = first
feature) and the field.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from heatplan.errors import HeatplanError
from heatplan.formats import FormatProblem, parse_decimal
from heatplan.grid.loads import PARAMETERS
from heatplan.grid.model import BUS_ID, LINE_ID, TRAFO_ID, LvGrid
from heatplan.plan import columns as col
from heatplan.reference import parameter

#: The attributes of each element, the targets of a mapping.
LINE_FIELDS = (LINE_ID, "std_type", "r_ohm_per_km", "x_ohm_per_km", "max_i_ka", "length_m",
               "length_km", "parallel")  # fmt: skip
TRAFO_FIELDS = (TRAFO_ID, "sn_kva", "sn_mva", "vk_percent", "vkr_percent")
CONNECTION_FIELDS = ("connection_id", col.BUILDING_ID)
ELECTRIC = ("r_ohm_per_km", "x_ohm_per_km", "max_i_ka")


class GridInputError(HeatplanError):
    """A GIS layer of an LV grid cannot be used: the message names file, row and field."""


@dataclass(frozen=True)
class Layer:
    """One mapped GIS layer: its frame (attributes renamed to the targets), where it came
    from (``source``: 'file.gpkg, layer kabel') and the file's decimal separator."""

    frame: gpd.GeoDataFrame
    source: str
    decimal: str | None = None


def _fail(layer: Layer, row: int, field: str, problem: str) -> GridInputError:
    return GridInputError(f"{layer.source}, row {row + 1}, field {field}: {problem}")


def _numbers(layer: Layer, field: str, *, positive: bool = True) -> np.ndarray:
    """A numeric column; text in the file's convention (German '0,206' too)."""
    values = layer.frame[field]
    out = np.empty(len(values))
    for row, value in enumerate(values):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            raise _fail(layer, row, field, "empty")
        try:
            number = (
                float(value)
                if isinstance(value, int | float)
                else parse_decimal(value, layer.decimal)
            )
        except FormatProblem as exc:
            raise _fail(layer, row, field, str(exc)) from None
        if positive and not number > 0:
            raise _fail(layer, row, field, f"must be above 0, got {value!r}")
        out[row] = number
    return out


def _std_types(kind: str) -> pd.DataFrame:
    import pandapower as pp

    return pp.available_std_types(pp.create_empty_network(), kind)


def _endpoints(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """First and last point of every cable (x, y) [m]."""
    shapes = layer.frame.geometry.to_numpy()
    starts, ends = np.empty((len(shapes), 2)), np.empty((len(shapes), 2))
    for row, shape in enumerate(shapes):
        if shape is not None and shape.geom_type == "MultiLineString":
            shape = shapely.line_merge(shape)
        if shape is None or shape.is_empty or shape.geom_type != "LineString":
            kind = "empty" if shape is None or shape.is_empty else shape.geom_type
            raise _fail(layer, row, "geometry", f"a cable must be one line, got {kind}")
        coords = np.asarray(shape.coords)
        starts[row], ends[row] = coords[0, :2], coords[-1, :2]
    return starts, ends


def _cable_data(layer: Layer) -> pd.DataFrame:
    """Per cable r, x [Ohm/km], max current [kA] (std type or own values), length, parallel."""
    frame, n = layer.frame, len(layer.frame)
    out = pd.DataFrame(index=range(n))
    has_std = "std_type" in frame.columns
    own = all(field in frame.columns for field in ELECTRIC)
    if not has_std and not own:
        raise GridInputError(
            f"{layer.source}: the cables need a field std_type (pandapower standard type) or "
            f"the fields {', '.join(ELECTRIC)} (map them in the mapping's [lines] columns)"
        )
    values = {field: _numbers(layer, field) if own else np.full(n, np.nan) for field in ELECTRIC}
    if has_std:
        types = _std_types("line")
        table = {field: pd.to_numeric(types[field]).to_numpy(float) for field in ELECTRIC}
        for row, name in enumerate(frame["std_type"]):
            if own and (name is None or str(name).strip() == ""):
                continue
            if str(name) not in types.index:
                raise _fail(
                    layer, row, "std_type",
                    f"unknown cable type {name!r} (a pandapower standard type such as "
                    "'NAYY 4x150 SE', or give r_ohm_per_km, x_ohm_per_km, max_i_ka)",
                )  # fmt: skip
            position = types.index.get_loc(str(name))
            for field in ELECTRIC:
                values[field][row] = table[field][position]
    for field in ELECTRIC:
        out[field] = values[field]
    if "length_m" in frame.columns:
        out["length_km"] = _numbers(layer, "length_m") / 1e3
    elif "length_km" in frame.columns:
        out["length_km"] = _numbers(layer, "length_km")
    else:
        out["length_km"] = frame.geometry.length.to_numpy(float) / 1e3
    out["parallel"] = (
        _numbers(layer, "parallel").round().astype(int) if "parallel" in frame.columns else 1
    )
    out["std_type"] = frame["std_type"].astype(str).to_numpy() if has_std else ""
    return out


def _buses(starts: np.ndarray, ends: np.ndarray, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Bus number of every cable end (ends within ``snap_m`` joined) and each bus's point."""
    points = np.vstack([starts, ends])
    pairs = cKDTree(points).query_pairs(snap_m, output_type="ndarray")
    graph = coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(points), len(points))
    )
    _, label = connected_components(graph, directed=False)
    xy = pd.DataFrame(points).groupby(label).mean().to_numpy()
    return label, xy


def _nearest_bus(
    layer: Layer, tree: cKDTree, max_m: float, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest bus and its distance; an error names the first point too far."""
    shapes = layer.frame.geometry
    if not shapes.geom_type.eq("Point").all():
        row = int(np.flatnonzero(~shapes.geom_type.eq("Point").to_numpy())[0])
        raise _fail(layer, row, "geometry", f"a {what} must be a point")
    xy = np.column_stack([shapes.x.to_numpy(), shapes.y.to_numpy()])
    distance, bus = tree.query(xy)
    far = np.flatnonzero(distance > max_m)
    if far.size:
        row = int(far[0])
        raise _fail(
            layer, row, "geometry",
            f"the {what} lies {distance[row]:.1f} m from the nearest cable end (at most "
            f"{max_m:g} m): draw it on a cable end",
        )  # fmt: skip
    return bus, distance


def _ids(layer: Layer, field: str, prefix: str) -> np.ndarray:
    frame = layer.frame
    if field not in frame.columns:
        return np.array([f"{prefix}{k + 1}" for k in range(len(frame))], dtype=object)
    ids = frame[field].astype(str).to_numpy(dtype=object)
    duplicated = pd.Series(ids).duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise _fail(layer, row, field, f"id {ids[row]!r} appears twice")
    return ids


def _trafo_data(layer: Layer) -> pd.DataFrame:
    frame, n = layer.frame, len(layer.frame)
    if "sn_kva" in frame.columns:
        sn_mva = _numbers(layer, "sn_kva") / 1e3
    elif "sn_mva" in frame.columns:
        sn_mva = _numbers(layer, "sn_mva")
    else:
        raise GridInputError(
            f"{layer.source}: the transformers need their rated power, a field sn_kva (or sn_mva)"
        )
    out = pd.DataFrame({"sn_mva": sn_mva})
    given = all(f in frame.columns for f in ("vk_percent", "vkr_percent"))
    if given:
        out["vk_percent"] = _numbers(layer, "vk_percent")
        out["vkr_percent"] = _numbers(layer, "vkr_percent")
        return out
    types = _std_types("trafo")
    lv = types[(types["vn_lv_kv"] == 0.4) & (types["vn_hv_kv"] == 20.0)]
    for row in range(n):
        match = lv[np.isclose(lv["sn_mva"].astype(float), sn_mva[row])]
        if match.empty:
            raise _fail(
                layer, row, "sn_kva",
                f"no standard transformer of {sn_mva[row] * 1e3:g} kVA (pandapower 20/0.4 kV: "
                f"{', '.join(f'{s * 1e3:g}' for s in sorted(lv['sn_mva'].astype(float)))}); "
                "give vk_percent and vkr_percent",
            )  # fmt: skip
        out.loc[row, "vk_percent"] = float(match["vk_percent"].iloc[0])
        out.loc[row, "vkr_percent"] = float(match["vkr_percent"].iloc[0])
    return out


def from_layers(lines: Layer, trafos: Layer, connections: Layer | None, *, crs: str) -> LvGrid:
    """The :class:`LvGrid` of the mapped layers (module doc), geometry in ``crs``."""
    for layer in (lines, trafos, connections):
        if layer is not None and len(layer.frame) == 0:
            raise GridInputError(f"{layer.source}: no features")
    starts, ends = _endpoints(lines)
    label, xy = _buses(starts, ends, parameter(PARAMETERS, "gis_snap_m"))
    n = len(starts)
    cable = _cable_data(lines)
    lv_kv = parameter(PARAMETERS, "gis_lv_kv")
    points = shapely.points(xy)
    buses = gpd.GeoDataFrame(
        {BUS_ID: np.arange(len(xy)), "vn_kv": np.full(len(xy), lv_kv)}, geometry=points, crs=crs
    )
    from_bus, to_bus = label[:n], label[n:]
    loop = np.flatnonzero(from_bus == to_bus)
    if loop.size:
        raise _fail(lines, int(loop[0]), "geometry", "the cable starts and ends at the same bus")
    line_frame = gpd.GeoDataFrame(
        {
            LINE_ID: _ids(lines, LINE_ID, ""),
            "from_bus": from_bus,
            "to_bus": to_bus,
            **{name: cable[name].to_numpy() for name in ("length_km", *ELECTRIC, "parallel")},
            "std_type": cable["std_type"].to_numpy(),
        },
        geometry=lines.frame.geometry.to_numpy(),
        crs=crs,
    )
    tree = cKDTree(xy)
    station_bus, _ = _nearest_bus(
        trafos, tree, parameter(PARAMETERS, "gis_station_max_m"), "transformer"
    )
    data = _trafo_data(trafos)
    trafo_frame = gpd.GeoDataFrame(
        {
            TRAFO_ID: _ids(trafos, TRAFO_ID, "T"),
            "lv_bus": station_bus,
            "sn_mva": data["sn_mva"].to_numpy(float),
            "vn_lv_kv": np.full(len(data), lv_kv),
            "vk_percent": data["vk_percent"].to_numpy(float),
            "vkr_percent": data["vkr_percent"].to_numpy(float),
            "hv_voltage_pu": np.ones(len(data)),
        },
        geometry=points[station_bus],
        crs=crs,
    )
    return LvGrid(buses, line_frame, trafo_frame, _loads(connections, tree, points, crs))


def _loads(
    connections: Layer | None, tree: cKDTree, points: np.ndarray, crs: str
) -> gpd.GeoDataFrame:
    if connections is None:
        return gpd.GeoDataFrame(
            {"load_name": [], BUS_ID: [], "p_mw": [], "q_mvar": [], col.BUILDING_ID: []},
            geometry=[], crs=crs,
        )  # fmt: skip
    bus, _ = _nearest_bus(
        connections, tree, parameter(PARAMETERS, "gis_connection_max_m"), "connection point"
    )
    frame = connections.frame
    building = (
        frame[col.BUILDING_ID].astype("string").to_numpy(dtype=object)
        if col.BUILDING_ID in frame.columns
        else np.full(len(frame), None, dtype=object)
    )
    return gpd.GeoDataFrame(
        {
            "load_name": _ids(connections, "connection_id", "C"),
            BUS_ID: bus,
            "p_mw": np.zeros(len(frame)),
            "q_mvar": np.zeros(len(frame)),
            col.BUILDING_ID: building,
        },
        geometry=frame.geometry.to_numpy(),
        crs=crs,
    )

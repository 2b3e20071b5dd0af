"""A low-voltage grid as four frames: buses, lines, transformers, loads.

The frames are what the project store keeps (layers ``lv_buses``, ``lv_lines``, ``lv_trafos``,
``lv_loads``) and what the power flow (:mod:`heatplan.grid.flow`) reads. They come from a
pandapower net (:func:`from_pandapower`; the demo's ``lv_schutterwald``, Kisse et al. 2020,
Energies 13:4052, or a town's own pandapower JSON). Lines behind an open line switch are
dropped (the net's operating state); bus-bus switches are not supported (an error says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.errors import HeatplanError
from heatplan.plan import columns as col

#: Coordinates of pandapower's ``geo`` column (GeoJSON, WGS84 lon/lat).
PANDAPOWER_CRS = "EPSG:4326"
BUS_ID, TRAFO_ID, LINE_ID = "bus_id", "trafo_id", "line_id"
#: Layer names of the store, one per frame of :class:`LvGrid`.
LAYERS = ("lv_buses", "lv_lines", "lv_trafos", "lv_loads")


@dataclass(frozen=True)
class LvGrid:
    """A radial low-voltage grid.

    ``buses``: bus_id, vn_kv, geometry. ``lines``: line_id, from_bus, to_bus, length_km,
    r_ohm_per_km, x_ohm_per_km, max_i_ka, parallel, geometry. ``trafos``: trafo_id, hv_bus,
    lv_bus, sn_mva, vn_lv_kv, vk_percent, vkr_percent, hv_voltage_pu (operating voltage on
    the HV side incl. the tap ratio, referred to the LV side) [pu], geometry (LV bus).
    ``loads``: bus_id, p_mw, q_mvar (the file's design load), geometry.
    """

    buses: gpd.GeoDataFrame
    lines: gpd.GeoDataFrame
    trafos: gpd.GeoDataFrame
    loads: gpd.GeoDataFrame

    def frames(self) -> dict[str, gpd.GeoDataFrame]:
        """The four frames by layer name."""
        return dict(zip(LAYERS, (self.buses, self.lines, self.trafos, self.loads), strict=True))


def _points(geo: pd.Series, crs: str) -> gpd.GeoSeries:
    shapes = [shapely.from_geojson(text) if isinstance(text, str) else None for text in geo]
    return gpd.GeoSeries(shapes, index=geo.index, crs=PANDAPOWER_CRS).to_crs(crs)


def _open_lines(net) -> set[int]:
    switch = net.switch
    if len(switch) and (switch["et"] == "b").any():
        raise HeatplanError("bus-bus switches are not supported in an LV grid import")
    return set(switch.loc[(switch["et"] == "l") & ~switch["closed"], "element"].tolist())


def _hv_voltage_pu(net) -> np.ndarray:
    """Per transformer the no-load LV voltage [pu] from the slack on its HV bus and its tap."""
    trafo = net.trafo
    slack = net.ext_grid.set_index("bus")["vm_pu"]
    if not trafo["hv_bus"].isin(slack.index).all():
        raise HeatplanError("every transformer needs an external grid (slack) on its HV bus")
    tap = (
        (trafo["tap_pos"].fillna(0) - trafo["tap_neutral"].fillna(0))
        * trafo["tap_step_percent"].fillna(0)
        / 100.0
    )
    hv_side = trafo["tap_side"].fillna("hv").eq("hv")
    ratio = np.where(hv_side, 1.0 / (1.0 + tap), 1.0 + tap)
    bus_kv = net.bus["vn_kv"]
    nominal = (bus_kv.loc[trafo["hv_bus"]].to_numpy() / trafo["vn_hv_kv"].to_numpy()) * (
        trafo["vn_lv_kv"].to_numpy() / bus_kv.loc[trafo["lv_bus"]].to_numpy()
    )
    return slack.loc[trafo["hv_bus"]].to_numpy(float) * ratio * nominal


def from_pandapower(net, *, crs: str, points: gpd.GeoSeries | None = None) -> LvGrid:
    """The LV grid of a pandapower net, geometry in ``crs`` (loads at their bus); ``points``
    (indexed by the net's bus index, in ``crs``) replaces the net's own ``geo`` column (a
    reference grid without coordinates, :mod:`heatplan.grid.estimate`)."""
    if points is None:
        points = _points(net.bus["geo"], crs)
    line = net.line[net.line["in_service"] & ~net.line.index.isin(_open_lines(net))]
    lv = net.bus["vn_kv"] < 1.0
    buses = gpd.GeoDataFrame(
        {BUS_ID: net.bus.index[lv], "vn_kv": net.bus.loc[lv, "vn_kv"].to_numpy(float)},
        geometry=points[lv].to_numpy(),
        crs=crs,
    )
    lines = gpd.GeoDataFrame(
        {
            LINE_ID: line.index.to_numpy(),
            **{
                name: line[name].to_numpy()
                for name in ("from_bus", "to_bus", "length_km", "r_ohm_per_km", "x_ohm_per_km")
            },
            "max_i_ka": (line["max_i_ka"] * line["df"]).to_numpy(float),
            "parallel": line["parallel"].to_numpy(int),
            "std_type": line["std_type"].astype(str).to_numpy(),
        },
        geometry=shapely.shortest_line(
            points.loc[line["from_bus"]].to_numpy(), points.loc[line["to_bus"]].to_numpy()
        ),
        crs=crs,
    )
    return LvGrid(buses, lines, _trafos(net, points, crs), _loads(net, points, crs))


def _trafos(net, points: gpd.GeoSeries, crs: str) -> gpd.GeoDataFrame:
    trafo = net.trafo[net.trafo["in_service"]]
    return gpd.GeoDataFrame(
        {
            TRAFO_ID: trafo["name"]
            .fillna("")
            .astype(str)
            .where(trafo["name"].notna(), [f"T{i}" for i in trafo.index])
            .to_numpy(),
            "lv_bus": trafo["lv_bus"].to_numpy(),
            **{
                name: trafo[name].to_numpy(float)
                for name in ("sn_mva", "vn_lv_kv", "vk_percent", "vkr_percent")
            },
            "hv_voltage_pu": _hv_voltage_pu(net)[net.trafo["in_service"].to_numpy()],
        },
        geometry=points.loc[trafo["lv_bus"]].to_numpy(),
        crs=crs,
    )


def _loads(net, points: gpd.GeoSeries, crs: str) -> gpd.GeoDataFrame:
    load = net.load[net.load["in_service"]]
    return gpd.GeoDataFrame(
        {
            "load_name": load["name"].astype(str).to_numpy(),
            BUS_ID: load["bus"].to_numpy(),
            "p_mw": load["p_mw"].to_numpy(float),
            "q_mvar": load["q_mvar"].to_numpy(float),
        },
        geometry=points.loc[load["bus"]].to_numpy(),
        crs=crs,
    )


def link_buildings(
    buildings: gpd.GeoDataFrame, grid: LvGrid, *, max_distance_m: float
) -> pd.DataFrame:
    """Each building's connection bus: by id where the grid's loads (connection points) name
    the building (``building_id``), else the nearest load bus (else the nearest LV bus).

    Returns building_id, bus_id, distance_m (0 for a link by id); buildings farther than
    ``max_distance_m`` from every candidate get no bus (NaN) — they are not on this grid.
    """
    candidates = grid.loads.drop_duplicates(BUS_ID)
    if candidates.empty:
        candidates = grid.buses
    target = candidates.to_crs(buildings.crs)
    points = buildings.geometry.representative_point()
    tree = shapely.STRtree(target.geometry.to_numpy())
    nearest, distance = tree.query_nearest(
        points.to_numpy(), return_distance=True, all_matches=False
    )
    frame = pd.DataFrame({col.BUILDING_ID: buildings[col.BUILDING_ID].to_numpy()})
    frame[BUS_ID] = np.nan
    frame.loc[nearest[0], BUS_ID] = target[BUS_ID].to_numpy()[nearest[1]]
    frame["distance_m"] = np.nan
    frame.loc[nearest[0], "distance_m"] = distance
    far = frame["distance_m"] > max_distance_m
    frame.loc[far, BUS_ID] = np.nan
    if col.BUILDING_ID in grid.loads.columns:
        by_id = (
            grid.loads[[col.BUILDING_ID, BUS_ID]]
            .dropna()
            .astype({col.BUILDING_ID: str})
            .drop_duplicates(col.BUILDING_ID)
            .set_index(col.BUILDING_ID)[BUS_ID]
        )
        match = frame[col.BUILDING_ID].astype(str).map(by_id)
        known = match.notna()
        frame.loc[known, BUS_ID] = match[known]
        frame.loc[known, "distance_m"] = 0.0
    return frame


def from_frames(frames: dict[str, pd.DataFrame | None]) -> LvGrid | None:
    """The grid of stored layers (``LAYERS``), or None when a project has none."""
    buses, lines, trafos, loads = (frames.get(name) for name in LAYERS)
    if buses is None or lines is None or trafos is None or len(buses) == 0 or len(trafos) == 0:
        return None
    if loads is None:
        loads = gpd.GeoDataFrame({BUS_ID: [], "p_mw": [], "q_mvar": []}, geometry=[])
    return LvGrid(
        gpd.GeoDataFrame(buses), gpd.GeoDataFrame(lines), gpd.GeoDataFrame(trafos),
        gpd.GeoDataFrame(loads),
    )  # fmt: skip


NO_GRID = (
    "this project has no low-voltage grid: import the town's grid with `heatplan import "
    "lv-grid DIR FILE.json` (pandapower JSON or GIS files with a mapping)"
)

"""Hosting capacity and reinforcement of a low-voltage grid under heat pumps.

Per transformer area and per supply area: the lowest voltage at a customer, the highest cable
and transformer loading over all hours, the heat-pump share of buildings at which the area
first breaks a limit (``grid_limits.csv``: EN 50160 voltage band, thermal ratings) and where,
and what the reinforcement costs at a given share (``grid_costs.csv``: transformer exchange to
the next size, parallel cable per metre).

A supply area owns the buses of its buildings, the transformers that feed them and every cable
on the way from the transformer to one of its buildings (the breadth-first tree from the
transformer: a cable of a closed ring that the tree leaves out belongs to its transformer area
only). Costs of shared equipment are split by the number of buildings behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from heatplan.grid.flow import Extremes, Network, bus_matrix, extremes
from heatplan.grid.loads import BuildingLoads, reactive_factor
from heatplan.reference import parameter

LIMITS = "grid_limits.csv"
COSTS = "grid_costs.csv"
#: Which limit an area broke first.
LIMIT_KINDS = ("voltage", "line", "trafo")


@dataclass(frozen=True)
class Limits:
    """Voltage band at the customer [pu] and loading limits [%] (``grid_limits.csv``)."""

    voltage_min_pu: float
    voltage_max_pu: float
    line_max_percent: float
    trafo_max_percent: float
    busbar_pu: float

    @classmethod
    def from_table(cls) -> Limits:
        """The limits of ``grid_limits.csv``."""
        value = lambda key: parameter(LIMITS, key)  # noqa: E731
        return cls(
            value("voltage_min_pu"),
            value("voltage_max_pu"),
            value("line_loading_max_percent"),
            value("trafo_loading_max_percent"),
            value("busbar_voltage_pu"),
        )


@dataclass(frozen=True)
class Connection:
    """The buildings on the grid: ``bus_map`` (buses x buildings, sums building rows per bus),
    ``building_bus`` (bus position, -1 off the grid), ``line_behind`` (lines x buildings, 1
    where the building lies behind the cable), ``building_area`` (supply area, '' if none)."""

    bus_map: sp.csr_matrix
    building_bus: np.ndarray
    line_behind: sp.csr_matrix
    building_area: np.ndarray


def _tree(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """Per bus its parent bus (-1 under the transformer) and the line to it (-1 none)."""
    n, ends = network.bus_ids.size, network.line_ends
    rows = np.concatenate([ends[:, 0], ends[:, 1], np.full(network.trafo_bus.size, n)])
    cols = np.concatenate([ends[:, 1], ends[:, 0], network.trafo_bus])
    graph = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
    _, pred = breadth_first_order(graph, n, directed=False, return_predecessors=True)
    parent = np.where(pred[:n] == n, -1, pred[:n])
    parent[pred[:n] < 0] = -1
    line_of = pd.Series(
        np.arange(len(ends)), index=pd.MultiIndex.from_arrays([ends[:, 0], ends[:, 1]])
    )
    line_of = pd.concat(
        [
            line_of,
            pd.Series(
                line_of.to_numpy(), index=pd.MultiIndex.from_arrays([ends[:, 1], ends[:, 0]])
            ),
        ]
    )
    line_of = line_of[~line_of.index.duplicated()]
    has = parent >= 0
    parent_line = np.full(n, -1)
    keys = pd.MultiIndex.from_arrays([parent[has], np.flatnonzero(has)])
    parent_line[has] = line_of.reindex(keys).to_numpy()
    return parent, parent_line


def connect(
    network: Network, building_bus_ids: np.ndarray, building_area: np.ndarray
) -> Connection:
    """The :class:`Connection` of buildings with connection bus ids (NaN: off the grid)."""
    bus_map = bus_matrix(network, building_bus_ids)
    position = pd.Series(np.arange(network.bus_ids.size), index=network.bus_ids)
    bus = pd.Series(building_bus_ids).map(position).fillna(-1).to_numpy(int)
    parent, parent_line = _tree(network)
    rows, cols = [], []
    current, building = bus.copy(), np.arange(bus.size)
    alive = current >= 0
    current, building = current[alive], building[alive]
    while current.size:
        line = parent_line[current]
        rows.append(line[line >= 0])
        cols.append(building[line >= 0])
        current = parent[current]
        keep = current >= 0
        current, building = current[keep], building[keep]
    r, c = (np.concatenate(rows), np.concatenate(cols)) if rows else (np.zeros(0, int),) * 2
    behind = sp.csr_matrix((np.ones(r.size), (r, c)), shape=(network.line_ends.shape[0], bus.size))
    return Connection(bus_map, bus, behind, np.asarray(building_area, dtype=object))


def run(
    network: Network,
    connection: Connection,
    total_kw: np.ndarray,
    *,
    source_pu: np.ndarray | None = None,
    hours: np.ndarray | None = None,
) -> Extremes:
    """Extremes of the flow for the buildings' hourly load ``total_kw`` (hours x buildings)
    [kW], over all hours or the selected ``hours`` (positions)."""
    tan_phi = reactive_factor()
    rows = np.arange(total_kw.shape[0]) if hours is None else np.asarray(hours)

    def load_mw(start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        p_mw = np.asarray(connection.bus_map @ total_kw[rows[start:stop]].T.astype(float)) / 1e3
        return p_mw, p_mw * tan_phi

    return extremes(network, load_mw, rows.size, source_pu=source_pu)


def element_violations(network: Network, connection: Connection, ext: Extremes, limits: Limits):
    """Per bus with buildings, line and transformer: the relative excess over its limit
    (> 0: broken) — voltage below the band as a share of the band's lower half, loading as
    the excess over the limit [%/100]."""
    served = np.asarray(connection.bus_map.sum(axis=1)).ravel() > 0
    band = 1.0 - limits.voltage_min_pu  # excess as a share of the lower band
    bus = np.where(served, (limits.voltage_min_pu - ext.vm_min_pu) / band, -np.inf)
    line = (ext.line_max_percent - limits.line_max_percent) / 100.0
    trafo = (ext.trafo_max_percent - limits.trafo_max_percent) / 100.0
    return bus, line, trafo


def screening_hours(
    loads: BuildingLoads, connection: Connection, network: Network, top: int
) -> np.ndarray:
    """The hours that can decide a limit: per transformer area the ``top`` hours of its load
    with all heat pumps and of its load without any (union, sorted)."""
    area_of_building = np.where(
        connection.building_bus >= 0,
        network.area_of_bus[np.maximum(connection.building_bus, 0)],
        -1,
    )
    picked = set()
    for share in (0.0, 1.0):
        total = loads.total_kw(hp_share=share, ev_share=0.0)
        for area in np.unique(area_of_building[area_of_building >= 0]):
            summed = total[:, area_of_building == area].sum(axis=1)
            picked.update(np.argsort(summed)[-top:].tolist())
    return np.array(sorted(picked), dtype=int)


def _membership(network: Network, connection: Connection) -> dict[str, sp.csr_matrix]:
    """Which supply area owns which element: (buses | lines | trafos) x areas, 0/1."""
    areas = pd.Index(sorted({a for a in connection.building_area if a}))
    on_grid = (connection.building_bus >= 0) & pd.Series(connection.building_area).ne("").to_numpy()
    index = np.flatnonzero(on_grid)
    onehot = sp.csr_matrix(
        (np.ones(index.size), (index, areas.get_indexer(connection.building_area[index]))),
        shape=(connection.building_bus.size, areas.size),
    )
    trafo_of_building = trafo_buildings(network, connection)
    return {
        "areas": areas,
        "bus": (connection.bus_map @ onehot).tocsr(),
        "line": (connection.line_behind @ onehot).tocsr(),
        "trafo": (trafo_of_building @ onehot).tocsr(),
    }


def trafo_buildings(network: Network, connection: Connection) -> sp.csr_matrix:
    """Transformers x buildings: 1 where the transformer feeds the building."""
    index = np.flatnonzero(connection.building_bus >= 0)
    return sp.csr_matrix(
        (np.ones(index.size), (network.area_of_bus[connection.building_bus[index]], index)),
        shape=(network.trafo_bus.size, connection.building_bus.size),
    )


@dataclass(frozen=True)
class AreaState:
    """Per group (transformer area or supply area) at one load: lowest customer voltage [pu],
    highest line and transformer loading [%], the worst broken element ('' if none)."""

    vm_min_pu: np.ndarray
    line_max_percent: np.ndarray
    trafo_max_percent: np.ndarray
    broken: np.ndarray  # kind of the worst excess ('' none)
    where: np.ndarray  # element id of the worst excess


def group_extreme(values: np.ndarray, member: sp.csr_matrix, *, low: bool) -> np.ndarray:
    """Min (``low``) or max of ``values`` over each column's member rows (NaN if none)."""
    coo = member.tocoo()
    frame = pd.DataFrame({"group": coo.col, "value": values[coo.row]})
    grouped = frame.groupby("group")["value"]
    result = grouped.min() if low else grouped.max()
    return result.reindex(range(member.shape[1])).to_numpy(float)


def _worst(
    excess: dict[str, np.ndarray], members: dict[str, sp.csr_matrix], ids: dict[str, np.ndarray]
):
    """Per group the kind and id of the element with the largest excess (> 0), else ''."""
    n = members["trafo"].shape[1]
    best, kind, where = np.full(n, 0.0), np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    for name in LIMIT_KINDS:
        coo = members[name].tocoo()
        value = excess[name][coo.row]
        order = np.argsort(-value, kind="stable")
        first = pd.Series(order).groupby(coo.col[order]).first()
        rows = coo.row[first.to_numpy()]
        groups = first.index.to_numpy()
        better = excess[name][rows] > best[groups]
        best[groups[better]] = excess[name][rows[better]]
        kind[groups[better]] = name
        where[groups[better]] = ids[name][rows[better]]
    return kind, where


def group_state(
    ext: Extremes, excess: tuple, members: dict[str, sp.csr_matrix], ids: dict[str, np.ndarray]
) -> AreaState:
    """The :class:`AreaState` of every group for one flow result."""
    kind, where = _worst(dict(zip(LIMIT_KINDS, excess, strict=True)), members, ids)
    vm = np.where(np.isfinite(excess[0]), ext.vm_min_pu, np.inf)
    return AreaState(
        group_extreme(vm, members["voltage"], low=True),
        group_extreme(ext.line_max_percent, members["line"], low=False),
        group_extreme(ext.trafo_max_percent, members["trafo"], low=False),
        kind,
        where,
    )


def element_ids(network: Network, line_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Printable ids of the elements: 'bus 12', 'line 345', 'trafo T_idx_47'."""
    return {
        "voltage": np.array([f"bus {b}" for b in network.bus_ids], dtype=object),
        "line": np.array([f"line {i}" for i in line_ids], dtype=object),
        "trafo": np.array([f"trafo {t}" for t in network.trafo_ids], dtype=object),
    }


def groupings(network: Network, connection: Connection) -> dict[str, dict]:
    """Element membership of the transformer areas and of the supply areas."""
    own = _membership(network, connection)
    n_trafo = network.trafo_bus.size
    by_trafo = {
        "labels": network.trafo_ids,
        "voltage": sp.csr_matrix(
            (np.ones(network.bus_ids.size), (np.arange(network.bus_ids.size), network.area_of_bus)),
            shape=(network.bus_ids.size, n_trafo),
        ),
        "line": sp.csr_matrix(
            (
                np.ones(network.line_ends.shape[0]),
                (
                    np.arange(network.line_ends.shape[0]),
                    network.area_of_bus[network.line_ends[:, 0]],
                ),
            ),
            shape=(network.line_ends.shape[0], n_trafo),
        ),
        "trafo": sp.identity(n_trafo, format="csr"),
    }
    by_area = {
        "labels": np.asarray(own["areas"]),
        "voltage": own["bus"],
        "line": own["line"],
        "trafo": own["trafo"],
    }
    return {"trafo_area": by_trafo, "supply_area": by_area}


def hosting_shares(
    network: Network,
    connection: Connection,
    loads: BuildingLoads,
    limits: Limits,
    ids: dict[str, np.ndarray],
    *,
    shares: np.ndarray,
    ev_share: float,
    hours: np.ndarray | None,
    hp_cap_kw: float | None = None,
    shift: bool = False,
) -> dict[str, pd.DataFrame]:
    """Per group the first heat-pump share of ``shares`` that breaks a limit (NaN: none up to
    the last share), with the kind and the element where."""
    source = np.full(network.bus_ids.size, limits.busbar_pu)
    groups = groupings(network, connection)
    found = {
        name: pd.DataFrame(
            {"hosting_share": np.nan, "first_limit": "", "first_where": ""},
            index=pd.Index(group["labels"], dtype=object),
        )
        for name, group in groups.items()
    }
    for share in shares:
        total = loads.total_kw(
            hp_share=float(share), ev_share=ev_share, hp_cap_kw=hp_cap_kw, shift=shift
        )
        ext = run(network, connection, total, source_pu=source, hours=hours)
        excess = element_violations(network, connection, ext, limits)
        for name, group in groups.items():
            state = group_state(ext, excess, group, ids)
            frame = found[name]
            new = frame["hosting_share"].isna().to_numpy() & (state.broken != "")
            frame.loc[new, "hosting_share"] = float(share)
            frame.loc[new, "first_limit"] = state.broken[new]
            frame.loc[new, "first_where"] = state.where[new]
        if all(frame["hosting_share"].notna().all() for frame in found.values()):
            break
    return found

"""Power flow of a low-voltage grid for all hours at once (fixed-point Z-bus iteration).

The LV buses' admittance matrix ``Y`` (cables, and each transformer's series impedance to a
source at its no-load voltage ``V0``) is factorised once (sparse LU). With constant-power
loads the voltages satisfy ``V = V0 - Y^{-1} conj(S / V)``; iterated from ``V = V0`` for every
hour at once (buses x hours right-hand side) until the voltages change less than a tolerance
(1e-5 pu, in single precision; hours it does not settle finish in double precision)
— the matrix form of the backward-forward sweep of radial feeders [1]_, which also holds for
the odd closed ring. Single-phase equivalent of a balanced three-phase grid, per unit on 1 MVA
and the bus's nominal voltage; cable capacitance and the transformer's no-load losses are left
out (small in LV; the tests measure the difference to pandapower's AC Newton-Raphson).

References
----------
.. [1] Teng, J.-H. (2003): A direct approach for distribution system load flow solutions.
   IEEE Trans. Power Delivery 18(3):882-887 (BIBC/BCBV matrix form of the sweep).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

from heatplan.errors import HeatplanError
from heatplan.grid.model import BUS_ID, TRAFO_ID, LvGrid

#: Base power of the per-unit system [MVA].
S_BASE_MVA = 1.0


@dataclass(frozen=True)
class Network:
    """The grid ordered for the flow: ``bus_ids`` (LV buses, the row order of every load
    matrix), each bus's transformer area (``area_of_bus``, an index into ``trafo_ids``), the
    branch data of lines and transformers, and the factorised bus admittance matrix."""

    bus_ids: np.ndarray
    area_of_bus: np.ndarray
    trafo_ids: np.ndarray
    source_pu: np.ndarray  # no-load voltage of each bus's transformer area [pu]
    line_ends: np.ndarray  # (lines, 2) bus positions of each line's ends
    line_y_pu: np.ndarray  # series admittance of each line [pu]
    line_i_max_ka: np.ndarray  # current limit of each line (parallel cables summed) [kA]
    line_i_base_ka: np.ndarray
    trafo_bus: np.ndarray  # bus position of each transformer's LV bus
    trafo_y_pu: np.ndarray
    trafo_i_max_ka: np.ndarray
    trafo_i_base_ka: np.ndarray
    admittance: sp.csc_matrix

    @property
    def lu(self):
        """Sparse LU of the bus admittance matrix in single precision (factorised on first
        use): float32 carries voltages to 1e-7 pu at less than half the time of float64."""
        return self._factor(np.complex64)

    @property
    def lu_double(self):
        """The LU in double precision, for hours that single precision does not settle."""
        return self._factor(np.complex128)

    def _factor(self, dtype: type):
        key = f"_lu_{np.dtype(dtype).name}"
        if key not in self.__dict__:
            matrix = self.admittance.astype(dtype)
            object.__setattr__(self, key, splu(matrix, permc_spec="MMD_ATA"))
        return self.__dict__[key]


def _areas(n: int, ends: np.ndarray, trafo_bus: np.ndarray) -> np.ndarray:
    """Per bus the transformer that feeds its connected part (the first one if several)."""
    graph = sp.csr_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    _, part = connected_components(graph, directed=False)
    feeder = pd.Series(np.arange(trafo_bus.size), index=part[trafo_bus])
    feeder = feeder[~feeder.index.duplicated()]
    fed = np.isin(part, feeder.index)
    if not fed.all():
        raise HeatplanError(f"{int((~fed).sum())} LV buses are connected to no transformer")
    return feeder.loc[part].to_numpy()


def _line_admittance(lines: pd.DataFrame, z_base: np.ndarray) -> np.ndarray:
    length_km = lines["length_km"].to_numpy(float) / lines["parallel"].to_numpy(float)
    r = lines["r_ohm_per_km"].to_numpy(float) * length_km
    x = lines["x_ohm_per_km"].to_numpy(float) * length_km
    return z_base / (r + 1j * x)


def _trafo_admittance(trafos: pd.DataFrame) -> np.ndarray:
    """Series admittance of the short-circuit impedance (vk, vkr) on the system base [pu]."""
    scale = S_BASE_MVA / trafos["sn_mva"].to_numpy(float)
    z_abs = trafos["vk_percent"].to_numpy(float) / 100.0 * scale
    r = trafos["vkr_percent"].to_numpy(float) / 100.0 * scale
    return 1.0 / (r + 1j * np.sqrt(np.maximum(z_abs**2 - r**2, 0.0)))


def build(grid: LvGrid) -> Network:
    """The flow network of ``grid`` (raises for buses that no transformer feeds)."""
    bus_ids = grid.buses[BUS_ID].to_numpy()
    n = bus_ids.size
    position = pd.Series(np.arange(n), index=bus_ids)
    lines, trafos = grid.lines, grid.trafos.reset_index(drop=True)
    ends = np.column_stack(
        [position.loc[lines["from_bus"]].to_numpy(), position.loc[lines["to_bus"]].to_numpy()]
    ).astype(int)
    trafo_bus = position.loc[trafos["lv_bus"]].to_numpy().astype(int)
    vn_kv = grid.buses["vn_kv"].to_numpy(float)
    i_base = S_BASE_MVA / (np.sqrt(3.0) * vn_kv)
    y_line = _line_admittance(lines, vn_kv[ends[:, 0]] ** 2 / S_BASE_MVA)
    y_trafo = _trafo_admittance(trafos)
    a, b = ends[:, 0], ends[:, 1]
    rows = np.concatenate([a, b, a, b, trafo_bus])
    cols = np.concatenate([a, b, b, a, trafo_bus])
    values = np.concatenate([y_line, y_line, -y_line, -y_line, y_trafo])
    area = _areas(n, ends, trafo_bus)
    return Network(
        bus_ids=bus_ids,
        area_of_bus=area,
        trafo_ids=trafos[TRAFO_ID].to_numpy(),
        source_pu=trafos["hv_voltage_pu"].to_numpy(float)[area],
        line_ends=ends,
        line_y_pu=y_line,
        line_i_max_ka=lines["max_i_ka"].to_numpy(float) * lines["parallel"].to_numpy(float),
        line_i_base_ka=i_base[a],
        trafo_bus=trafo_bus,
        trafo_y_pu=y_trafo,
        trafo_i_max_ka=trafos["sn_mva"].to_numpy(float) / (np.sqrt(3.0) * vn_kv[trafo_bus]),
        trafo_i_base_ka=i_base[trafo_bus],
        admittance=sp.csc_matrix(sp.coo_matrix((values, (rows, cols)), shape=(n, n))),
    )


@dataclass(frozen=True)
class Flow:
    """Voltage of every LV bus [pu], loading of every line and transformer [%] (rows x
    hours), and the number of ``iterations``."""

    vm_pu: np.ndarray
    line_loading_percent: np.ndarray
    trafo_loading_percent: np.ndarray
    iterations: int


def solve(
    network: Network,
    p_mw: np.ndarray,
    q_mvar: np.ndarray,
    *,
    source_pu: np.ndarray | None = None,
    tolerance_pu: float = 1e-5,
    max_iterations: int = 50,
) -> Flow:
    """Fixed-point power flow for every column (hour) of ``p_mw``/``q_mvar`` (buses x hours,
    rows in ``network.bus_ids`` order; load positive) [MW], [Mvar].

    ``V = V_source - Y^{-1} conj(S / V)`` with ``Y`` the LV bus admittance matrix including
    each transformer's series admittance to its source (no shunts, so the no-load voltage is
    the source voltage everywhere in its area). ``source_pu`` overrides the no-load voltage
    of each bus [pu].
    """
    # hours x buses inside (an hour's buses contiguous): the still-changing hours are rows
    s_pu = (np.asarray(p_mw, float).T + 1j * np.asarray(q_mvar, float).T) / S_BASE_MVA
    source = network.source_pu if source_pu is None else np.asarray(source_pu, float)
    v = np.tile(source.astype(np.complex64), (s_pu.shape[0], 1))
    active = np.arange(s_pu.shape[0])  # hours still changing more than the tolerance
    iteration = 0
    while active.size and iteration < max_iterations:
        iteration += 1
        if iteration == max_iterations // 2:  # what single precision has not settled
            v, s_pu = v.astype(np.complex128), s_pu.astype(np.complex128)
        single = v.dtype == np.complex64
        lu = network.lu if single else network.lu_double
        current = np.conj(s_pu[active].astype(v.dtype) / v[active])
        v_new = source.astype(v.real.dtype) - lu.solve(current.T).T  # .T: columns are hours
        change = np.max(np.abs(v_new - v[active]), axis=1, initial=0.0)
        v[active] = v_new
        active = active[change >= tolerance_pu]
    if active.size:
        raise HeatplanError(f"the LV power flow did not converge in {max_iterations} sweeps")
    v = v.T.astype(complex)
    source = source[:, None]
    ends = network.line_ends
    i_line = np.abs((v[ends[:, 0]] - v[ends[:, 1]]) * network.line_y_pu[:, None])
    i_trafo = np.abs(source[network.trafo_bus] - v[network.trafo_bus])
    i_trafo = i_trafo * np.abs(network.trafo_y_pu)[:, None]
    return Flow(
        np.abs(v),
        i_line * (network.line_i_base_ka / network.line_i_max_ka)[:, None] * 100.0,
        i_trafo * (network.trafo_i_base_ka / network.trafo_i_max_ka)[:, None] * 100.0,
        iteration,
    )


def bus_matrix(network: Network, bus_ids: np.ndarray) -> sp.csr_matrix:
    """Sparse map of rows at ``bus_ids`` (e.g. buildings) onto the network's buses:
    ``bus_matrix(...) @ values`` sums each bus's rows. Rows without a bus (NaN) drop out."""
    position = pd.Series(np.arange(network.bus_ids.size), index=network.bus_ids)
    ids = pd.Series(bus_ids)
    known = ids.notna() & ids.isin(position.index)
    cols = np.flatnonzero(known.to_numpy())
    rows = position.loc[ids[known].to_numpy()].to_numpy()
    return sp.csr_matrix((np.ones(cols.size), (rows, cols)), shape=(network.bus_ids.size, len(ids)))


@dataclass(frozen=True)
class Extremes:
    """Over all hours: per bus the lowest voltage [pu], per line and transformer the highest
    loading [%], each with its hour (column index)."""

    vm_min_pu: np.ndarray
    vm_min_hour: np.ndarray
    line_max_percent: np.ndarray
    line_max_hour: np.ndarray
    trafo_max_percent: np.ndarray
    trafo_max_hour: np.ndarray


def _fold(best: np.ndarray, hour: np.ndarray, block: np.ndarray, start: int, *, low: bool):
    pick = block.argmin(axis=1) if low else block.argmax(axis=1)
    value = block[np.arange(block.shape[0]), pick]
    better = value < best if low else value > best
    best[better], hour[better] = value[better], pick[better] + start


def extremes(
    network: Network,
    load_mw: Callable[[int, int], tuple[np.ndarray, np.ndarray]],
    hours: int,
    *,
    source_pu: np.ndarray | None = None,
    chunk_hours: int = 1000,
) -> Extremes:
    """:func:`solve` over ``hours`` in chunks: ``load_mw(start, stop)`` gives the buses'
    ``(p_mw, q_mvar)`` of those hours (buses x hours); the result keeps each bus's lowest
    voltage and each line's and transformer's highest loading (memory: one chunk)."""
    n_bus, n_line = network.bus_ids.size, network.line_ends.shape[0]
    n_trafo = network.trafo_bus.size
    out = Extremes(
        np.full(n_bus, np.inf), np.zeros(n_bus, dtype=int),
        np.full(n_line, -np.inf), np.zeros(n_line, dtype=int),
        np.full(n_trafo, -np.inf), np.zeros(n_trafo, dtype=int),
    )  # fmt: skip
    for start in range(0, hours, chunk_hours):
        stop = min(start + chunk_hours, hours)
        p_mw, q_mvar = load_mw(start, stop)
        flow = solve(network, p_mw, q_mvar, source_pu=source_pu)
        _fold(out.vm_min_pu, out.vm_min_hour, flow.vm_pu, start, low=True)
        _fold(out.line_max_percent, out.line_max_hour, flow.line_loading_percent, start, low=False)
        _fold(
            out.trafo_max_percent, out.trafo_max_hour, flow.trafo_loading_percent, start, low=False
        )
    return out

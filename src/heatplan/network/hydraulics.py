"""Thermo-hydraulic check of a sized network at its design point with pandapipes.

:func:`verify_hydraulics` builds a two-pipe pandapipes model of the sized tree: a supply and a
return junction per node, a supply and a return pipe per pipe (inner and service-pipe outer
diameter, roughness, U' converted to pandapipes' coefficient per outer surface, ground
temperature outside), a heat consumer per building (heat flow and return temperature set) and a
circulation pump with constant pressure lift at the source. The pipeflow runs in mode
"sequential" (hydraulics, then heat) with Colebrook-White friction.

Design point: every building draws its peak load times ``load_factor``, by default the
simultaneity factor of all connected buildings; then no pipe carries more than the flow it was
sized for. Results are checked against the limits; each violation names the pipe or building.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandapipes as pp
import pandas as pd
from pandapipes.pf.pipeflow_setup import PipeflowNotConverged

from heatplan.network.design import DesignParameters, design_parameters, pipe_catalogue
from heatplan.network.sizing import required_pump_head_bar
from heatplan.plan import columns as col
from heatplan.tech import pipes as physics

KELVIN = physics.KELVIN_OFFSET
#: Relative tolerance of the limit checks: the pipeflow solves pressures to 1e-5 bar and the
#: property models of pandapipes and CoolProp differ by well under 0.1 %.
CHECK_RTOL = 1e-3
#: Start of the UserWarning pandapipes emits when a converged pipeflow has negative pressures.
NEGATIVE_PRESSURE_WARNING = "Pipeflow converged, however, the results are physically incorrect"
SIZED_COLUMNS = (
    "pipe_id",
    "from_node",
    "to_node",
    "length_m",
    "kind",
    "diameter_mm",
    "service_outer_diameter_mm",
    "roughness_mm",
    "u_w_per_mk",
    "dn",
    "path_pressure_drop_bar",
)


@dataclass
class HydraulicResult:
    """Outcome of :func:`verify_hydraulics` (pressures [bar], velocities [m/s], temps [°C])."""

    hydraulic_ok: bool
    converged: bool
    min_differential_pressure_bar: float
    pump_head_bar: float
    max_velocity_m_per_s: float
    min_supply_temp_at_consumer_c: float
    source_mass_flow_kg_per_s: float
    load_factor: float
    violations: list[str] = field(default_factory=list)
    consumers: pd.DataFrame = field(default_factory=pd.DataFrame)
    pipes: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, object]:
        """The scalar figures and the violation messages (for JSON output)."""
        keys = (
            "hydraulic_ok",
            "converged",
            "min_differential_pressure_bar",
            "pump_head_bar",
            "max_velocity_m_per_s",
            "min_supply_temp_at_consumer_c",
            "source_mass_flow_kg_per_s",
            "load_factor",
        )
        return {**{key: getattr(self, key) for key in keys}, "violations": list(self.violations)}


@dataclass(frozen=True)
class _Model:
    net: pp.pandapipesNet
    node_ids: pd.Index
    consumer_nodes: np.ndarray
    consumer_buildings: list[str]


def _check_columns(sized_pipes: pd.DataFrame) -> None:
    missing = [c for c in SIZED_COLUMNS if c not in sized_pipes.columns]
    if missing:
        raise ValueError(f"sized_pipes lacks {missing}: pass the output of size_network")


def _consumer_loads(nodes: pd.DataFrame, peak_load_kw: pd.Series) -> pd.DataFrame:
    buildings = nodes.loc[nodes["kind"] == "building", ["node_id", col.BUILDING_ID]].astype(str)
    loads = pd.Series(np.asarray(peak_load_kw, float), index=peak_load_kw.index.astype(str))
    missing = sorted(set(buildings[col.BUILDING_ID]) - set(loads.index))
    if missing:
        raise ValueError(f"peak_load_kw has no value for the connected buildings {missing[:5]}")
    return buildings.assign(peak_load_kw=loads.reindex(buildings[col.BUILDING_ID]).to_numpy())


def _add_pipes(
    net: pp.pandapipesNet,
    sized: pd.DataFrame,
    supply: np.ndarray,
    ret: np.ndarray,
    ids: pd.Index,
    ground_temp_c: float,
) -> None:
    start = ids.get_indexer(pd.Index(sized["from_node"].astype(str)))
    end = ids.get_indexer(pd.Index(sized["to_node"].astype(str)))
    outer_mm = sized["service_outer_diameter_mm"].to_numpy(float)
    common = dict(
        length_km=sized["length_m"].to_numpy(float) / 1000.0,
        inner_diameter_mm=sized["diameter_mm"].to_numpy(float),
        outer_diameter_mm=outer_mm,
        k_mm=sized["roughness_mm"].to_numpy(float),
        text_k=ground_temp_c + KELVIN,
        # pandapipes multiplies its coefficient by pi x outer diameter to get W/(m K)
        u_w_per_m2k=sized["u_w_per_mk"].to_numpy(float) / (np.pi * outer_mm / 1000.0),
    )
    names = sized["pipe_id"].astype(str)
    pp.create_pipes_from_parameters(
        net, supply[start], supply[end], name=(names + ":supply").tolist(), **common
    )
    pp.create_pipes_from_parameters(
        net, ret[end], ret[start], name=(names + ":return").tolist(), **common
    )


def _build(
    sized: pd.DataFrame,
    nodes: pd.DataFrame,
    loads: pd.DataFrame,
    design: DesignParameters,
    head_bar: float,
    load_factor: float,
) -> _Model:
    ids = pd.Index(nodes["node_id"].astype(str))
    net = pp.create_empty_network(fluid="water")
    p_flow = design.holding_pressure_bar + head_bar
    supply = np.asarray(
        pp.create_junctions(net, len(ids), pn_bar=p_flow, tfluid_k=design.supply_temp_c + KELVIN)
    )
    ret = np.asarray(
        pp.create_junctions(
            net,
            len(ids),
            pn_bar=design.holding_pressure_bar,
            tfluid_k=design.return_temp_c + KELVIN,
        )
    )
    _add_pipes(net, sized, supply, ret, ids, design.ground_temp_c)
    at = ids.get_indexer(pd.Index(loads["node_id"]))
    pp.create_heat_consumers(
        net,
        supply[at],
        ret[at],
        qext_w=loads["peak_load_kw"].to_numpy() * 1000.0 * load_factor,
        treturn_k=design.return_temp_c + KELVIN,
        name=loads[col.BUILDING_ID].tolist(),
    )
    source_id = str(nodes.loc[nodes["kind"] == "source", "node_id"].iloc[0])
    source = int(ids.get_indexer(pd.Index([source_id]))[0])
    pp.create_circ_pump_const_pressure(
        net,
        ret[source],
        supply[source],
        p_flow_bar=p_flow,
        plift_bar=head_bar,
        t_flow_k=design.supply_temp_c + KELVIN,
    )
    return _Model(net, ids, at, loads[col.BUILDING_ID].tolist())


def _consumer_results(model: _Model) -> pd.DataFrame:
    junctions = model.net.res_junction
    n = len(model.node_ids)
    supply = junctions.iloc[model.consumer_nodes]
    ret = junctions.iloc[model.consumer_nodes + n]
    return pd.DataFrame(
        {
            col.BUILDING_ID: model.consumer_buildings,
            "node_id": model.node_ids[model.consumer_nodes],
            "differential_pressure_bar": supply["p_bar"].to_numpy() - ret["p_bar"].to_numpy(),
            "supply_temp_c": supply["t_k"].to_numpy() - KELVIN,
            "mass_flow_kg_per_s": model.net.res_heat_consumer["mdot_from_kg_per_s"].to_numpy(),
        }
    )


def _velocity_limits(sized: pd.DataFrame, design: DesignParameters) -> np.ndarray:
    """Velocity limit per pipe [m/s] from its DN (catalogue), tighter for house connections."""
    catalogue = pipe_catalogue(design.insulation_series).set_index("dn")
    dn = sized["dn"].astype(int)
    unknown = sorted(set(dn) - set(catalogue.index))
    if unknown:
        raise ValueError(f"sized_pipes has DN {unknown} that are not in the pipe catalogue")
    limit = catalogue.loc[dn, "max_velocity_m_per_s"].to_numpy(float)
    is_connection = (sized["kind"] == "connection").to_numpy()
    return np.where(is_connection, np.minimum(limit, design.connection_max_velocity_m_per_s), limit)


def _per_metre(values: np.ndarray, length_m: np.ndarray) -> np.ndarray:
    """values / length; 0 for pipes of zero length (a building on the street line)."""
    return np.divide(values, length_m, out=np.zeros_like(values), where=length_m > 0)


def _pipe_results(model: _Model, sized: pd.DataFrame, design: DesignParameters) -> pd.DataFrame:
    res = model.net.res_pipe
    half = len(sized)
    speed = np.maximum(
        res["v_mean_m_per_s"].abs().to_numpy()[:half], res["v_mean_m_per_s"].abs().to_numpy()[half:]
    )
    drop_bar = np.maximum(
        (res["p_from_bar"] - res["p_to_bar"]).abs().to_numpy()[:half],
        (res["p_from_bar"] - res["p_to_bar"]).abs().to_numpy()[half:],
    )
    return pd.DataFrame(
        {
            "pipe_id": sized["pipe_id"].astype(str).to_numpy(),
            "dn": sized["dn"].to_numpy(),
            "velocity_m_per_s": speed,
            "pressure_gradient_pa_per_m": _per_metre(
                drop_bar * physics.PA_PER_BAR, sized["length_m"].to_numpy(float)
            ),
            "max_velocity_m_per_s": _velocity_limits(sized, design),
        }
    )


def _violations(
    consumers: pd.DataFrame, pipes: pd.DataFrame, design: DesignParameters, min_supply_temp_c: float
) -> list[str]:
    found = []
    low_dp = consumers["differential_pressure_bar"] < design.min_differential_pressure_bar * (
        1 - CHECK_RTOL
    )
    found += [
        f"building {b}: differential pressure {dp:.2f} bar < "
        f"{design.min_differential_pressure_bar:.2f} bar"
        for b, dp in consumers.loc[
            low_dp, [col.BUILDING_ID, "differential_pressure_bar"]
        ].itertuples(index=False)
    ]
    cold = consumers["supply_temp_c"] < min_supply_temp_c - CHECK_RTOL
    found += [
        f"building {b}: supply temperature {t:.1f} °C < {min_supply_temp_c:.1f} °C"
        for b, t in consumers.loc[cold, [col.BUILDING_ID, "supply_temp_c"]].itertuples(index=False)
    ]
    fast = pipes["velocity_m_per_s"] > pipes["max_velocity_m_per_s"] * (1 + CHECK_RTOL)
    found += [
        f"pipe {p} (DN{dn}): velocity {v:.2f} m/s > {vmax:.2f} m/s"
        for p, dn, v, vmax in pipes.loc[
            fast, ["pipe_id", "dn", "velocity_m_per_s", "max_velocity_m_per_s"]
        ].itertuples(index=False)
    ]
    limit = design.max_pressure_gradient_pa_per_m
    steep = pipes["pressure_gradient_pa_per_m"] > limit * (1 + CHECK_RTOL)
    found += [
        f"pipe {p} (DN{dn}): pressure gradient {g:.0f} Pa/m > {limit:.0f} Pa/m"
        for p, dn, g in pipes.loc[
            steep, ["pipe_id", "dn", "pressure_gradient_pa_per_m"]
        ].itertuples(index=False)
    ]
    return found


def _negative_pressures(model: _Model) -> list[str]:
    pressure = model.net.res_junction["p_bar"].to_numpy()
    n = len(model.node_ids)
    sides = np.where(np.arange(pressure.size) < n, "supply", "return")
    bad = np.flatnonzero(pressure < 0)
    return [
        f"node {model.node_ids[int(i) % n]} ({sides[i]}): pressure {pressure[i]:.2f} bar < 0 bar "
        "(pump head too low for the pressure drops)"
        for i in bad
    ]


def _run(model: _Model) -> str | None:
    """Run the pipeflow; the reason it failed, or None."""
    try:
        with warnings.catch_warnings():
            # negative pressures are reported as violations by _negative_pressures
            warnings.filterwarnings(
                "ignore", message=NEGATIVE_PRESSURE_WARNING, category=UserWarning
            )
            pp.pipeflow(model.net, mode="sequential", friction_model="colebrook")
    except PipeflowNotConverged as error:
        return f"pandapipes pipeflow did not converge ({error}); check pump head and pipe sizes"
    if not bool(model.net.converged):
        return "pandapipes pipeflow did not converge; check pump head and pipe sizes"
    return None


def verify_hydraulics(
    sized_pipes: pd.DataFrame,
    nodes: pd.DataFrame,
    peak_load_kw: pd.Series,
    *,
    supply_temp_c: float,
    return_temp_c: float,
    ground_temp_c: float | None = None,
    pump_head_bar: float | None = None,
    load_factor: float | None = None,
    min_differential_pressure_bar: float | None = None,
    min_supply_temp_c: float | None = None,
) -> HydraulicResult:
    """Check the design point of a sized network with a pandapipes pipeflow.

    Parameters
    ----------
    sized_pipes : DataFrame
        Output of :func:`heatplan.network.sizing.size_network`.
    nodes : DataFrame
        ``RouteResult.nodes`` (node_id, kind, building_id).
    peak_load_kw : Series
        Peak load per building [kW], indexed by building_id.
    supply_temp_c, return_temp_c : float
        Supply temperature at the plant and return temperature of the consumers [°C].
    ground_temp_c : float, optional
        Soil temperature around the pipes [°C] (default ``network_parameters.csv``).
    pump_head_bar : float, optional
        Pressure lift of the circulation pump [bar]; default: the pressure drop to the worst
        consumer and back (sizing) plus the minimum consumer differential pressure.
    load_factor : float, optional
        Share of each building's peak load drawn [-]; default the simultaneity factor of all
        connected buildings.
    min_differential_pressure_bar, min_supply_temp_c : float, optional
        Limits at the consumers [bar], [°C] (default ``network_parameters.csv``).

    Returns
    -------
    HydraulicResult
        ``hydraulic_ok`` is False when the pipeflow fails or any limit is violated; every
        entry of ``violations`` names the building or pipe and the limit.
    """
    _check_columns(sized_pipes)
    design = design_parameters(
        supply_temp_c=supply_temp_c,
        return_temp_c=return_temp_c,
        ground_temp_c=ground_temp_c,
        min_differential_pressure_bar=min_differential_pressure_bar,
    )
    loads = _consumer_loads(nodes, peak_load_kw)
    factor = float(design.simultaneity_factor(len(loads)) if load_factor is None else load_factor)
    head = float(
        required_pump_head_bar(sized_pipes, design) if pump_head_bar is None else pump_head_bar
    )
    model = _build(sized_pipes, nodes, loads, design, head, factor)
    failure = _run(model)
    if failure is not None:
        return HydraulicResult(
            False, False, np.nan, head, np.nan, np.nan, np.nan, factor, [failure]
        )
    consumers = _consumer_results(model)
    pipes = _pipe_results(model, sized_pipes, design)
    t_min = design.min_supply_temp_at_consumer_c if min_supply_temp_c is None else min_supply_temp_c
    found = _negative_pressures(model) + _violations(consumers, pipes, design, t_min)
    flow = float(model.net.res_circ_pump_pressure["mdot_from_kg_per_s"].abs().sum())
    return HydraulicResult(
        hydraulic_ok=not found,
        converged=True,
        min_differential_pressure_bar=float(consumers["differential_pressure_bar"].min()),
        pump_head_bar=head,
        max_velocity_m_per_s=float(pipes["velocity_m_per_s"].max()),
        min_supply_temp_at_consumer_c=float(consumers["supply_temp_c"].min()),
        source_mass_flow_kg_per_s=flow,
        load_factor=factor,
        violations=found,
        consumers=consumers,
        pipes=pipes,
    )

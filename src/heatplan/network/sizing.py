"""Pipe sizing of a routed heat network and its key figures (a ``RouteResult``).

:func:`size_network` walks the oriented tree once (sparse triangular solves, see
:mod:`heatplan.network.tree`): per pipe it sums the connected buildings and their peak loads
downstream, applies the simultaneity factor of Winter et al. (2001) for that number of buildings,
converts the design load into a mass flow at the design supply/return temperatures and picks the
smallest catalogue DN within the velocity limit (per DN, tighter for house connections) and the
pressure-gradient limit. Water properties for the hydraulics are taken at the return
temperature (higher viscosity: the return pipe has the larger pressure drop). Heat losses use U'
of the chosen DN and insulation series at the design temperatures over the whole year.

:func:`network_summary` turns the sized pipes into the figures of a network variant.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.network import costs
from heatplan.network.design import DesignParameters, design_parameters, pipe_catalogue
from heatplan.network.tree import OrientedTree, oriented_tree
from heatplan.plan import columns as col
from heatplan.tech import pipes as physics

KWH_PER_MWH = 1000.0
#: Hydraulic and thermal columns recomputed from scratch (re-sizing a sized frame replaces them).
DERIVED_COLUMNS = (
    "velocity_m_per_s",
    "pressure_gradient_pa_per_m",
    "heat_loss_w_per_m",
    "heat_loss_mwh_per_a",
)


def _building_values(node_frame: pd.DataFrame, values: pd.Series | None, name: str) -> np.ndarray:
    """``values`` (indexed by building_id) at each building node, 0 elsewhere."""
    is_building = (node_frame["kind"] == "building").to_numpy()
    result = np.zeros(len(node_frame))
    if values is None:
        return result
    ids = node_frame.loc[is_building, col.BUILDING_ID].astype(str)
    series = pd.Series(np.asarray(values, dtype=float), index=values.index.astype(str))
    missing = sorted(set(ids) - set(series.index))
    if missing:
        raise ValueError(f"{name} has no value for the connected buildings {missing[:5]}")
    picked = series.reindex(ids).to_numpy()
    bad = ids[~(picked >= 0)].tolist()
    if bad:
        raise ValueError(f"{name} must be >= 0 and not missing; buildings {bad[:5]}")
    result[is_building] = picked
    return result


def _downstream(
    tree: OrientedTree, nodes: pd.DataFrame, peak: pd.Series, demand: pd.Series | None
) -> pd.DataFrame:
    """Per pipe: buildings, peak load and annual demand downstream of it (itself included)."""
    frame = nodes.assign(node_id=nodes["node_id"].astype(str)).set_index("node_id")
    frame = frame.loc[tree.node_ids]
    values = np.column_stack(
        [
            (frame["kind"] == "building").to_numpy(float),
            _building_values(frame, peak, "peak_load_kw"),
            _building_values(frame, demand, col.HEAT_DEMAND_KWH_PER_A),
        ]
    )
    sums = tree.downstream_sum(values)[tree.pipe_to]
    return pd.DataFrame(
        {
            "downstream_buildings": np.rint(sums[:, 0]).astype(int),
            "downstream_peak_kw": sums[:, 1],
            "downstream_heat_kwh_per_a": sums[:, 2],
        }
    )


#: Capacities per design point and catalogue, computed once per process: every area of a
#: classification sizes its network with the same catalogue at the same design point, and the
#: fixed-point iteration for them was a fifth of laying out an area (issue 20).
_CAPACITIES: dict[tuple[object, ...], tuple[np.ndarray, np.ndarray]] = {}


def _capacities(catalogue: pd.DataFrame, design: DesignParameters) -> tuple[np.ndarray, ...]:
    """Largest mass flow [kg/s] per catalogue DN for mains and for house connections
    (read-only arrays, remembered for the same design point and catalogue values)."""
    key = (
        design,
        *(
            tuple(catalogue[c].to_numpy(float).tolist())
            for c in ("inner_diameter_mm", "roughness_mm", "max_velocity_m_per_s")
        ),
    )
    if key not in _CAPACITIES:
        main, service = _capacities_of(catalogue, design)
        main.flags.writeable = service.flags.writeable = False
        _CAPACITIES[key] = (main, service)
    return _CAPACITIES[key]


def _capacities_of(
    catalogue: pd.DataFrame, design: DesignParameters
) -> tuple[np.ndarray, np.ndarray]:
    rho = physics.water_density_kg_per_m3(design.return_temp_c)
    mu = physics.water_viscosity_pa_s(design.return_temp_c)
    v_max = catalogue["max_velocity_m_per_s"].to_numpy(float)
    common = dict(
        max_pressure_gradient_pa_per_m=design.max_pressure_gradient_pa_per_m,
        density_kg_per_m3=rho,
        viscosity_pa_s=mu,
    )
    inner, rough = catalogue["inner_diameter_mm"], catalogue["roughness_mm"]
    main = physics.max_mass_flow_kg_per_s(
        inner.to_numpy(), rough.to_numpy(), max_velocity_m_per_s=v_max, **common
    )
    service = physics.max_mass_flow_kg_per_s(
        inner.to_numpy(),
        rough.to_numpy(),
        max_velocity_m_per_s=np.minimum(v_max, design.connection_max_velocity_m_per_s),
        **common,
    )
    return np.array(main, dtype=float), np.array(service, dtype=float)


def _choose_dn(
    flow: np.ndarray,
    is_connection: np.ndarray,
    pipe_ids: pd.Series,
    catalogue: pd.DataFrame,
    design: DesignParameters,
) -> np.ndarray:
    main, service = _capacities(catalogue, design)
    index = np.where(
        is_connection,
        physics.select_pipe_index(flow, service),
        physics.select_pipe_index(flow, main),
    )
    too_big = index < 0
    if np.any(too_big):
        worst = [
            f"{pid} ({m:.1f} kg/s)" for pid, m in zip(pipe_ids[too_big], flow[too_big], strict=True)
        ][:5]
        raise ValueError(
            f"no pipe of the catalogue carries the design flow of {worst}; the "
            f"largest (DN{int(catalogue['dn'].iloc[-1])}) takes {main[-1]:.1f} kg/s"
        )
    return index


def _assign_pipes(sized: gpd.GeoDataFrame, design: DesignParameters) -> gpd.GeoDataFrame:
    """Add the smallest catalogue pipe within the limits and its data to every pipe."""
    catalogue = pipe_catalogue(design.insulation_series)
    is_connection = (sized["kind"] == "connection").to_numpy()
    flow = sized["mass_flow_kg_per_s"].to_numpy()
    chosen = catalogue.iloc[_choose_dn(flow, is_connection, sized["pipe_id"], catalogue, design)]
    sized["dn"] = chosen["dn"].to_numpy(int)
    sized["insulation_series"] = design.insulation_series
    sized["diameter_mm"] = chosen["inner_diameter_mm"].to_numpy(float)
    for column in ("service_outer_diameter_mm", "u_w_per_mk", "roughness_mm"):
        sized[column] = chosen[column].to_numpy(float)
    limit = chosen["max_velocity_m_per_s"].to_numpy(float)
    sized["max_velocity_m_per_s"] = np.where(
        is_connection, np.minimum(limit, design.connection_max_velocity_m_per_s), limit
    )
    return sized


def _hydraulics(sized: pd.DataFrame, design: DesignParameters) -> pd.DataFrame:
    rho = physics.water_density_kg_per_m3(design.return_temp_c)
    mu = physics.water_viscosity_pa_s(design.return_temp_c)
    flow = sized["mass_flow_kg_per_s"].to_numpy()
    return pd.DataFrame(
        {
            "velocity_m_per_s": physics.velocity_m_per_s(
                flow, sized["diameter_mm"].to_numpy(), rho
            ),
            "pressure_gradient_pa_per_m": physics.pressure_gradient_pa_per_m(
                flow,
                sized["diameter_mm"].to_numpy(),
                sized["roughness_mm"].to_numpy(),
                density_kg_per_m3=rho,
                viscosity_pa_s=mu,
            ),
        },
        index=sized.index,
    )


def _heat_losses(sized: pd.DataFrame, design: DesignParameters) -> pd.DataFrame:
    per_m = physics.heat_loss_w_per_m(
        sized["u_w_per_mk"].to_numpy(),
        design.supply_temp_c,
        design.return_temp_c,
        design.ground_temp_c,
    )
    per_year = per_m * sized["length_m"].to_numpy() * design.hours_per_year / 1e6
    return pd.DataFrame(
        {"heat_loss_w_per_m": per_m, "heat_loss_mwh_per_a": per_year}, index=sized.index
    )


def _surfaces(pipes: pd.DataFrame, surface: str) -> np.ndarray:
    if "surface" in pipes.columns:
        return pipes["surface"].fillna(surface).astype(str).to_numpy()
    return np.full(len(pipes), surface, dtype=object)


def size_network(
    pipes: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    peak_load_kw: pd.Series,
    heat_demand_kwh_per_a: pd.Series | None,
    *,
    supply_temp_c: float | None = None,
    return_temp_c: float | None = None,
    ground_temp_c: float | None = None,
    insulation_series: str | None = None,
    surface: str = "unpaved",
) -> gpd.GeoDataFrame:
    """Size every pipe of a routed tree; returns a copy of ``pipes`` with the design columns.

    Parameters
    ----------
    pipes, nodes : GeoDataFrame
        ``RouteResult.pipes`` / ``.nodes`` (:mod:`heatplan.network.tree`), oriented from the source.
        A ``surface`` column in ``pipes`` overrides ``surface`` per pipe.
    peak_load_kw : Series
        Peak heat load per building [kW], indexed by building_id.
    heat_demand_kwh_per_a : Series or None
        Annual heat demand per building [kWh/a], indexed by building_id (line density, losses).
    supply_temp_c, return_temp_c, ground_temp_c : float, optional
        Design temperatures [°C]; default ``network_parameters.csv``.
    insulation_series : str, optional
        'std', '1x' or '2x' (default ``network_parameters.csv``).
    surface : str
        Surface type for the trench cost: 'road', 'paved' or 'unpaved'.

    Returns
    -------
    GeoDataFrame
        ``pipes`` plus downstream_buildings, downstream_peak_kw, downstream_heat_kwh_per_a,
        simultaneity, design_load_kw, mass_flow_kg_per_s, dn, diameter_mm,
        service_outer_diameter_mm, u_w_per_mk, roughness_mm, max_velocity_m_per_s,
        velocity_m_per_s, pressure_gradient_pa_per_m, path_pressure_drop_bar (supply side,
        source to pipe end), heat_loss_w_per_m (supply + return), heat_loss_mwh_per_a, surface,
        investment_eur (EUR of :func:`heatplan.network.costs.pipe_price_year`). The design
        parameters are in ``result.attrs["design"]``.
    """
    design = design_parameters(
        supply_temp_c=supply_temp_c,
        return_temp_c=return_temp_c,
        ground_temp_c=ground_temp_c,
        insulation_series=insulation_series,
    )
    if "kind" not in pipes.columns:
        raise ValueError("pipes lacks the column 'kind' ('main' | 'connection')")
    tree = oriented_tree(pipes, nodes)
    sized = pipes.copy()
    sums = _downstream(tree, nodes, peak_load_kw, heat_demand_kwh_per_a)
    for column in sums.columns:
        sized[column] = sums[column].to_numpy()
    sized["simultaneity"] = design.simultaneity_factor(sized["downstream_buildings"].to_numpy())
    sized["design_load_kw"] = sized["downstream_peak_kw"] * sized["simultaneity"]
    sized["mass_flow_kg_per_s"] = physics.mass_flow_kg_per_s(
        sized["design_load_kw"].to_numpy(), design.supply_temp_c, design.return_temp_c
    )
    sized = _assign_pipes(sized.drop(columns=list(DERIVED_COLUMNS), errors="ignore"), design)
    sized = sized.join(_hydraulics(sized, design)).join(_heat_losses(sized, design))
    drop_pa = sized["pressure_gradient_pa_per_m"].to_numpy() * sized["length_m"].to_numpy()
    sized["path_pressure_drop_bar"] = tree.path_sum(drop_pa)[tree.pipe_to] / physics.PA_PER_BAR
    sized["surface"] = _surfaces(pipes, surface)
    sized["investment_eur"] = (
        costs.trench_cost_eur_per_m(sized["diameter_mm"].to_numpy(), sized["surface"].to_numpy())
        * sized["length_m"]
    )
    sized.attrs["design"] = design
    return sized


def _design_of(sized: pd.DataFrame, **overrides: float | None) -> DesignParameters:
    stored = sized.attrs.get("design")
    if isinstance(stored, DesignParameters):
        chosen = {k: v for k, v in overrides.items() if v is not None}
        return design_parameters(**{**stored.__dict__, **chosen})
    return design_parameters(**overrides)


def required_pump_head_bar(sized_pipes: pd.DataFrame, design: DesignParameters) -> float:
    """Pump head [bar]: supply and return pressure drop to the worst consumer + its minimum dp.

    The return path is taken equal to the supply path (same pipes and flows).
    """
    ends = sized_pipes.loc[sized_pipes["kind"] == "connection", "path_pressure_drop_bar"]
    if ends.empty:
        ends = sized_pipes["path_pressure_drop_bar"]
    return float(2.0 * ends.max() + design.min_differential_pressure_bar)


def network_summary(
    sized_pipes: pd.DataFrame,
    *,
    supply_temp_c: float | None = None,
    return_temp_c: float | None = None,
    pump_efficiency: float | None = None,
    heat_pump_kw: float = 0.0,
    storage_kwh: float = 0.0,
    year: float = 2025,
) -> dict[str, float]:
    """Key figures of a sized network (output of :func:`size_network`).

    Returns trench_length_m [m], buildings, peak_load_kw and design_load_kw at the source [kW],
    heat_delivered_mwh_per_a, heat_loss_mwh_per_a [MWh/a], loss_share [-] (loss over heat fed
    in), pump_head_bar [bar], pump_power_kw [kW], pump_energy_mwh_per_a [MWh_el/a] (design
    power over the full-load hours of the delivered heat: an upper bound, a speed-controlled
    pump needs less at part load), investment_pipes_eur (EUR of ``pipe_price_year``),
    investment_substations_eur, investment_heat_pump_eur, investment_storage_eur (technology
    catalogue, ``year``), investment_eur (their sum), line_density_kwh_per_m_a.
    """
    design = _design_of(
        sized_pipes,
        supply_temp_c=supply_temp_c,
        return_temp_c=return_temp_c,
        pump_efficiency=pump_efficiency,
    )
    roots = ~sized_pipes["from_node"].isin(sized_pipes["to_node"])
    buildings = int(sized_pipes.loc[roots, "downstream_buildings"].sum())
    peak_kw = float(sized_pipes.loc[roots, "downstream_peak_kw"].sum())
    design_kw = peak_kw * float(design.simultaneity_factor(buildings))
    delivered_kwh = float(sized_pipes.loc[roots, "downstream_heat_kwh_per_a"].sum())
    loss_mwh = float(sized_pipes["heat_loss_mwh_per_a"].sum())
    length_m = float(sized_pipes["length_m"].sum())
    head_bar = required_pump_head_bar(sized_pipes, design)
    flow = physics.mass_flow_kg_per_s(design_kw, design.supply_temp_c, design.return_temp_c)
    pump_kw = float(
        physics.pump_power_kw(
            flow,
            head_bar,
            density_kg_per_m3=physics.water_density_kg_per_m3(design.return_temp_c),
            efficiency=design.pump_efficiency,
        )
    )
    full_load_h = delivered_kwh / design_kw if design_kw > 0 else 0.0
    connections = sized_pipes.loc[sized_pipes["kind"] == "connection", "downstream_peak_kw"]
    substations = float(np.sum(costs.substation_investment_eur(connections.to_numpy(), year=year)))
    plant = costs.plant_investment_eur(
        heat_pump_kw=heat_pump_kw, storage_kwh=storage_kwh, year=year
    )
    pipes_eur = float(sized_pipes["investment_eur"].sum())
    delivered_mwh = delivered_kwh / KWH_PER_MWH
    return {
        "trench_length_m": length_m,
        "buildings": buildings,
        "peak_load_kw": peak_kw,
        "design_load_kw": design_kw,
        "heat_delivered_mwh_per_a": delivered_mwh,
        "heat_loss_mwh_per_a": loss_mwh,
        "loss_share": loss_mwh / (delivered_mwh + loss_mwh) if delivered_mwh + loss_mwh else 0.0,
        "pump_head_bar": head_bar,
        "pump_power_kw": pump_kw,
        "pump_energy_mwh_per_a": pump_kw * full_load_h / KWH_PER_MWH,
        "investment_pipes_eur": pipes_eur,
        "pipe_price_year": costs.pipe_price_year(),
        "investment_substations_eur": substations,
        **plant,
        "investment_eur": pipes_eur + substations + sum(plant.values()),
        col.LINE_DENSITY_KWH_PER_M_A: delivered_kwh / length_m if length_m else 0.0,
    }

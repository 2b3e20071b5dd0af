"""The grid check of a plan: the LV grid under the buildings' heat pumps, per transformer
area and per supply area (issue 18; WPG Anlage 1 inventory, § 18 realisation risk).

At today's load (no heat pumps) and at the given heat-pump share: lowest customer voltage and
highest loadings over all hours of the plan's weather year; the hosting share (the largest
share tried that breaks no limit) and the first limit broken beyond it; the reinforcement cost
at the given share (transformer exchange, parallel cable for the loading and, for a voltage still
below the band, along the feeder to the worst customer: :mod:`heatplan.grid.reinforce`). The
hosting scan runs on the hours that can decide a limit (per transformer area the top hours of
its load with and without heat pumps); the reported state at a share runs every hour.

Several shares in one call (:func:`check_shares`, the plan's snapshot years) share the loads,
today's state and the hosting scan. § 14a EnWG control caps each heat pump at the floor the
grid operator must leave, cutting the energy above it or shifting it into later hours
(:func:`heatplan.grid.loads.shifted_kw`); with shifting, the cut case is given beside it
(columns ``*_plan_cut``).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from heatplan.areas.assign import assign_areas
from heatplan.grid import flow, hosting, reinforce
from heatplan.grid.loads import PARAMETERS, BuildingLoads, building_loads, cap_kw
from heatplan.grid.model import LvGrid, link_buildings
from heatplan.plan import columns as col
from heatplan.reference import parameter
from heatplan.tech.economics import annualised_investment_eur_per_a

ECONOMICS = "economic_parameters.csv"


def share_step() -> float:
    """Step of the heat-pump shares tried for the hosting capacity [-]."""
    return parameter(PARAMETERS, "hosting_share_step")


@dataclass(frozen=True)
class GridCheck:
    """Result of :func:`check`: one row per transformer area and per supply area."""

    trafo_areas: pd.DataFrame
    supply_areas: pd.DataFrame
    hp_share: float
    ev_share: float
    hours: int
    buildings_on_grid: int
    buildings_off_grid: int
    busbar_pu: float
    flow_seconds: float  # the two full-year flows (today and at hp_share)
    controlled: bool = False  # § 14a EnWG cap on every heat pump
    capped_share: float = 0.0  # share of the heat pumps' electricity the cap cuts off
    grid_source: str = "imported"  # or "estimate" (reference grids, heatplan.grid.estimate)
    shift: bool = False  # § 14a control shifts the held-back heat instead of cutting it
    shift_lost_share: float = 0.0  # share of the electricity lost even with shifting

    @property
    def control(self) -> str:
        """The § 14a EnWG mode: 'none', 'cut' or 'shift'."""
        return "none" if not self.controlled else ("shift" if self.shift else "cut")

    def summary(self) -> dict:
        """JSON-ready summary."""

        def rows(frame: pd.DataFrame) -> list[dict]:
            flat = frame.reset_index().astype(object)
            return [
                {str(k): (None if pd.isna(v) else v) for k, v in row.items()}
                for row in flat.to_dict(orient="records")
            ]

        return {
            "hp_share": self.hp_share,
            "ev_share": self.ev_share,
            "hours": self.hours,
            "buildings_on_grid": self.buildings_on_grid,
            "buildings_off_grid": self.buildings_off_grid,
            "busbar_voltage_pu": self.busbar_pu,
            "flow_seconds": round(self.flow_seconds, 2),
            "controlled_14a": self.controlled,
            "capped_share": round(self.capped_share, 4),
            "control_14a": self.control,
            "shift_lost_share": round(self.shift_lost_share, 4),
            "grid_source": self.grid_source,
            "trafo_areas": rows(self.trafo_areas),
            "supply_areas": rows(self.supply_areas),
        }


def frames(
    result: GridCheck, grid: LvGrid, *, year: int | None, choice: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The result as the plan's frames ``grid_trafo_areas`` (with the drawn area of each
    transformer) and ``grid_supply_areas``, each row with the checked shares and the grid's
    source; ``choice``: per supply area the reference grid of an estimate (its
    ``settlement_type`` and ``reference_network`` join the supply areas)."""
    settings = {
        "year": year,
        "hp_share": result.hp_share,
        "ev_share": result.ev_share,
        "controlled_14a": result.controlled,
        "control_14a": result.control,
        "busbar_voltage_pu": result.busbar_pu,
        "grid_source": result.grid_source,
    }
    trafos = result.trafo_areas.reset_index().assign(**settings)
    hulls = trafo_area_hulls(grid)
    drawn = gpd.GeoDataFrame(
        trafos, geometry=hulls.reindex(trafos["trafo_id"]).to_numpy(), crs=grid.buses.crs
    )
    supply = result.supply_areas.reset_index().assign(**settings)
    if choice is not None:
        chosen = choice.set_index(col.AREA_ID)[["settlement_type", "reference_network"]]
        supply = supply.join(chosen, on=col.AREA_ID)
    return {"grid_trafo_areas": drawn, "grid_supply_areas": pd.DataFrame(supply)}


def year_frames(
    by_year: dict[int, GridCheck], *, choice: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Every year's check as the tables ``grid_trafo_areas_by_year`` and
    ``grid_supply_areas_by_year`` (no geometry; one row per area and year)."""
    trafo, supply = [], []
    for year, result in sorted(by_year.items()):
        settings: dict[str, float | str | None] = {
            "year": year,
            "hp_share": result.hp_share,
            "ev_share": result.ev_share,
            "controlled_14a": result.controlled,
            "control_14a": result.control,
            "grid_source": result.grid_source,
        }
        trafo.append(result.trafo_areas.reset_index().assign(**settings))
        rows = result.supply_areas.reset_index().assign(**settings)
        if choice is not None:
            chosen = choice.set_index(col.AREA_ID)[["settlement_type", "reference_network"]]
            rows = rows.join(chosen, on=col.AREA_ID)
        supply.append(rows)
    return {
        "grid_trafo_areas_by_year": pd.concat(trafo, ignore_index=True),
        "grid_supply_areas_by_year": pd.concat(supply, ignore_index=True),
    }


def trafo_area_hulls(grid: LvGrid) -> gpd.GeoSeries:
    """The drawn area of each transformer: concave hull of its buses, by trafo_id."""
    network = flow.build(grid)
    points = grid.buses.geometry.to_numpy()
    ratio = parameter(PARAMETERS, "area_hull_ratio")
    hulls = [
        shapely.concave_hull(shapely.multipoints(points[network.area_of_bus == k]), ratio=ratio)
        for k in range(network.trafo_bus.size)
    ]
    return gpd.GeoSeries(hulls, index=network.trafo_ids, crs=grid.buses.crs)


def _onehot(connection: hosting.Connection, labels: np.ndarray) -> sp.csr_matrix:
    on = (connection.building_bus >= 0) & pd.Series(connection.building_area).ne("").to_numpy()
    index = np.flatnonzero(on)
    column = pd.Index(labels).get_indexer(pd.Index(connection.building_area[index]))
    return sp.csr_matrix(
        (np.ones(index.size), (index, column)), shape=(connection.building_bus.size, len(labels))
    )


def _split(per_element: np.ndarray, behind: sp.csr_matrix, onehot: sp.csr_matrix) -> np.ndarray:
    """Element costs split onto groups by the buildings behind each element."""
    counts = (behind @ onehot).toarray()
    total = np.asarray(behind.sum(axis=1)).ravel()
    shares = np.divide(counts, total[:, None], out=np.zeros_like(counts), where=total[:, None] > 0)
    return shares.T @ per_element


def _state_frame(state: hosting.AreaState, labels: np.ndarray, suffix: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            f"vm_min_pu_{suffix}": state.vm_min_pu,
            f"line_max_percent_{suffix}": state.line_max_percent,
            f"trafo_max_percent_{suffix}": state.trafo_max_percent,
            f"limit_{suffix}": state.broken,
            f"where_{suffix}": state.where,
        },
        index=pd.Index(labels, dtype=object),
    )


def check(
    grid: LvGrid,
    buildings: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None,
    temp_air_c: pd.Series,
    holidays: list[dt.date],
    *,
    profile_year: int,
    hp_share: float,
    ev_share: float = 0.0,
    controlled: bool = False,
    money: dict[str, float | None] | None = None,
    link: pd.DataFrame | None = None,
    grid_source: str = "imported",
    shift: bool = False,
) -> GridCheck:
    """Check ``grid`` under ``buildings`` today (households only) and at ``hp_share`` of
    buildings with heat pumps and ``ev_share`` of households with a car (module doc);
    ``money``: interest_rate and observation_period_a of the annuity per MWh; ``link``: each
    building's bus (building_id, bus_id) where known, else the nearest load bus;
    ``grid_source``: 'imported' or 'estimate' (:mod:`heatplan.grid.estimate`); ``shift``: the
    § 14a control (``controlled``) shifts the held-back heat to later hours instead of cutting
    it (:func:`heatplan.grid.loads.shifted_kw`), and the result also gives the cut case."""
    return check_shares(
        grid, buildings, areas, temp_air_c, holidays,
        profile_year=profile_year, hp_shares=[hp_share], ev_share=ev_share,
        controlled=controlled, money=money, link=link, grid_source=grid_source, shift=shift,
    )[0]  # fmt: skip


@dataclass(frozen=True)
class _Setup:
    """What every checked share shares: the network, the buildings on it, their loads, the
    element groups, the state today and the hosting shares (both independent of the share)."""

    grid: LvGrid
    network: flow.Network
    connection: hosting.Connection
    loads: BuildingLoads
    ids: dict[str, np.ndarray]
    groups: dict[str, dict]
    limits: hosting.Limits
    source: np.ndarray
    cap: float | None
    shift: bool
    screened: np.ndarray
    today: dict[str, pd.DataFrame]
    found: dict[str, pd.DataFrame]
    today_seconds: float


def _link(buildings: gpd.GeoDataFrame, grid: LvGrid, link: pd.DataFrame | None) -> pd.DataFrame:
    if link is None:
        return link_buildings(
            buildings, grid, max_distance_m=parameter(PARAMETERS, "link_max_distance_m")
        )
    return (
        buildings[[col.BUILDING_ID]]
        .merge(link[[col.BUILDING_ID, "bus_id"]], on=col.BUILDING_ID, how="left")
        .reset_index(drop=True)
    )


def _state(
    setup: _Setup, total_kw: np.ndarray, label: str
) -> tuple[flow.Extremes, dict[str, pd.DataFrame]]:
    """Extremes of the full-year flow at ``total_kw`` and the state frames of every group."""
    ext = hosting.run(setup.network, setup.connection, total_kw, source_pu=setup.source)
    excess = hosting.element_violations(setup.network, setup.connection, ext, setup.limits)
    frames = {
        name: _state_frame(
            hosting.group_state(ext, excess, group, setup.ids), group["labels"], label
        )
        for name, group in setup.groups.items()
    }
    return ext, frames


def _setup(
    grid: LvGrid,
    buildings: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None,
    loads: BuildingLoads,
    *,
    ev_share: float,
    controlled: bool,
    link: pd.DataFrame | None,
    shift: bool = False,
) -> _Setup:
    limits = hosting.Limits.from_table()
    network = flow.build(grid)
    link = _link(buildings, grid, link)
    area = (
        assign_areas(buildings[[col.BUILDING_ID, "geometry"]], areas)[col.AREA_ID]
        if areas is not None and len(areas)
        else pd.Series("", index=buildings.index)
    )
    connection = hosting.connect(
        network, link["bus_id"].to_numpy(), area.fillna("").astype(str).to_numpy()
    )
    ids = hosting.element_ids(network, grid.lines["line_id"].to_numpy())
    groups = hosting.groupings(network, connection)
    source = np.full(network.bus_ids.size, limits.busbar_pu)
    cap = cap_kw(controlled)
    top, step = int(parameter(PARAMETERS, "screen_top_hours")), share_step()
    screened = hosting.screening_hours(loads, connection, network, top)
    found = hosting.hosting_shares(
        network, connection, loads, limits, ids,
        shares=np.round(np.arange(0.0, 1.0 + 1e-9, step), 4),
        ev_share=ev_share, hours=screened, hp_cap_kw=cap, shift=shift and cap is not None,
    )  # fmt: skip
    partial = _Setup(
        grid, network, connection, loads, ids, groups, limits, source, cap, shift, screened, {},
        found,
        0.0,
    )  # fmt: skip
    started = time.perf_counter()
    _, today = _state(partial, loads.total_kw(hp_share=0.0, ev_share=0.0, hp_cap_kw=cap), "today")
    seconds = time.perf_counter() - started
    return _Setup(
        grid, network, connection, loads, ids, groups, limits, source, cap, shift, screened, today,
        found, seconds,
    )  # fmt: skip


def check_shares(
    grid: LvGrid,
    buildings: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None,
    temp_air_c: pd.Series,
    holidays: list[dt.date],
    *,
    profile_year: int,
    hp_shares: list[float],
    ev_share: float = 0.0,
    controlled: bool = False,
    money: dict[str, float | None] | None = None,
    link: pd.DataFrame | None = None,
    grid_source: str = "imported",
    shift: bool = False,
) -> list[GridCheck]:
    """:func:`check` at each of ``hp_shares`` (e.g. the plan's snapshot years) in one call:
    the loads, today's state and the hosting scan are computed once."""
    loads = building_loads(buildings, temp_air_c, year=profile_year, holidays=holidays)
    setup = _setup(
        grid, buildings, areas, loads, ev_share=ev_share, controlled=controlled, link=link,
        shift=shift,
    )  # fmt: skip
    return [
        _at_share(
            setup, buildings, areas, hp_share=share, ev_share=ev_share, controlled=controlled,
            money=money, hours=len(temp_air_c), grid_source=grid_source,
        )
        for share in hp_shares
    ]  # fmt: skip


def _at_share(
    setup: _Setup,
    buildings: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None,
    *,
    hp_share: float,
    ev_share: float,
    controlled: bool,
    money: dict[str, float | None] | None,
    hours: int,
    grid_source: str,
) -> GridCheck:
    """The check at one heat-pump share on a prepared :class:`_Setup`."""
    network, connection, groups, limits = (
        setup.network, setup.connection, setup.groups, setup.limits,
    )  # fmt: skip
    started = time.perf_counter()
    shifting = setup.shift and setup.cap is not None
    total_plan = setup.loads.total_kw(
        hp_share=hp_share, ev_share=ev_share, hp_cap_kw=setup.cap, shift=shifting
    )
    ext_plan, plan = _state(setup, total_plan, "plan")
    seconds = setup.today_seconds + time.perf_counter() - started
    if shifting:  # the same control cutting instead, side by side
        cut_kw = setup.loads.total_kw(hp_share=hp_share, ev_share=ev_share, hp_cap_kw=setup.cap)
        _, cut = _state(setup, cut_kw, "plan_cut")
        plan = {name: pd.concat([plan[name], cut[name]], axis=1) for name in plan}
    after, voltage_extra = _after_reinforcement(
        setup.grid, connection, ext_plan, limits, groups, total_plan, setup.screened
    )
    costs = _costs(network, connection, setup.grid, ext_plan, limits, groups, voltage_extra)
    step = share_step()
    frames = {
        name: pd.concat(
            [setup.today[name], plan[name], setup.found[name].copy(), costs[name], after[name]],
            axis=1,
        )
        for name in groups
    }
    for frame in frames.values():
        first = frame["hosting_share"]
        frame["hosting_share"] = np.where(first.isna(), 1.0, np.round(first - step, 4))
        frame.loc[first.eq(0.0), "hosting_share"] = np.nan  # broken without any heat pump
        frame["first_violation_share"] = first
    on = connection.building_bus >= 0  # buildings behind each group (the privacy release)
    frames["trafo_area"]["buildings"] = np.bincount(
        network.area_of_bus[connection.building_bus[on]], minlength=network.trafo_bus.size
    )
    supply_labels = groups["supply_area"]["labels"]
    frames["supply_area"]["buildings"] = (
        np.asarray(_onehot(connection, supply_labels).sum(axis=0)).ravel().astype(int)
    )
    frames["supply_area"] = _per_heat(frames["supply_area"], areas, dict(money or {}))
    on_grid = int(on.sum())
    return GridCheck(
        frames["trafo_area"].rename_axis("trafo_id"),
        frames["supply_area"].rename_axis(col.AREA_ID),
        hp_share, ev_share, hours, on_grid, len(buildings) - on_grid,
        limits.busbar_pu, seconds, controlled, _capped_share(setup.loads, setup.cap, hp_share),
        grid_source, shifting, _lost_share(setup.loads, setup.cap, hp_share) if shifting else 0.0,
    )  # fmt: skip


def _lost_share(loads: BuildingLoads, cap: float | None, hp_share: float) -> float:
    """Share of the electricity of the heat pumps at ``hp_share`` that shifting still loses
    (the building's reserve full)."""
    if cap is None:
        return 0.0
    chosen = loads.hp_rank < round(hp_share * loads.hp_rank.size)
    total = float(loads.heat_pump_kw[:, chosen].sum(dtype=np.float64))
    lost = float(loads.shifted(cap).lost_kwh[chosen].sum())
    return lost / total if total > 0 else 0.0


def _capped_share(loads, cap: float | None, hp_share: float) -> float:
    """Share of the electricity of the heat pumps at ``hp_share`` that a § 14a cap cuts off
    (0 without control)."""
    if cap is None:
        return 0.0
    chosen = loads.heat_pump_kw[:, loads.hp_rank < round(hp_share * loads.hp_rank.size)]
    total = float(chosen.sum(dtype=np.float64))
    kept = float(np.minimum(chosen, cap).sum(dtype=np.float64))
    return 1.0 - kept / total if total > 0 else 0.0


def reinforcement_eur_per_mwh(
    investment_eur: pd.Series,
    heat_mwh_per_a: pd.Series,
    *,
    interest_rate: float | None = None,
    observation_period_a: float | None = None,
) -> pd.Series:
    """Annuity of a reinforcement (VDI 2067-1, the plan's interest and observation period,
    ``reinforcement_lifetime_a``) per MWh of the area's heat demand [EUR/MWh]: what the grid
    adds to the decentral full cost of heat. Interest and period default to
    ``economic_parameters.csv`` (the project's ``[economics]`` overrides them)."""
    if interest_rate is None:
        interest_rate = parameter(ECONOMICS, "interest_rate")
    if observation_period_a is None:
        observation_period_a = parameter(ECONOMICS, "observation_period_a")
    annual = annualised_investment_eur_per_a(
        investment_eur=investment_eur.to_numpy(float),
        lifetime_a=parameter(PARAMETERS, "reinforcement_lifetime_a"),
        interest_rate=interest_rate,
        observation_period_a=observation_period_a,
    )
    heat = heat_mwh_per_a.to_numpy(float)
    per_mwh = np.divide(annual, heat, out=np.full(heat.size, np.nan), where=heat > 0)
    return pd.Series(per_mwh, index=investment_eur.index)


def _per_heat(
    frame: pd.DataFrame, areas: gpd.GeoDataFrame | None, money: dict[str, float | None]
) -> pd.DataFrame:
    if areas is None or col.HEAT_DEMAND_MWH_PER_A not in areas.columns:
        return frame.assign(reinforcement_eur_per_mwh=np.nan)
    heat = areas.set_index(col.AREA_ID)[col.HEAT_DEMAND_MWH_PER_A].reindex(frame.index)
    per_mwh = reinforcement_eur_per_mwh(frame["reinforcement_eur"], heat, **money)
    return frame.assign(reinforcement_eur_per_mwh=per_mwh)


def _after_reinforcement(
    grid: LvGrid, connection, ext, limits, groups, total_kw: np.ndarray, hours: np.ndarray
) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
    """Lowest customer voltage once the overloaded cables have their parallel cable, the
    transformers their new size and the feeders with a voltage below the band their parallel
    cable to the worst customer (screened hours; :func:`heatplan.grid.reinforce.voltage_cables`),
    per group; and the voltage's extra cables per line."""
    network = flow.build(grid)
    _, _, extra = reinforce.element_costs(
        network, ext, grid.lines, grid.trafos.reset_index(drop=True), limits
    )
    lines, trafos = reinforce.reinforced(
        grid.lines, grid.trafos.reset_index(drop=True), extra, ext, limits
    )
    voltage_extra, vm = reinforce.voltage_cables(
        LvGrid(grid.buses, lines, trafos, grid.loads), connection, total_kw, hours, limits
    )
    result = {}
    for name, group in groups.items():
        low = hosting.group_extreme(vm, group["voltage"], low=True)
        result[name] = pd.DataFrame(
            {
                "vm_min_pu_reinforced": low,
                "voltage_after_reinforcement": np.where(
                    low < limits.voltage_min_pu, "too low, not costed", ""
                ),
            },
            index=pd.Index(group["labels"], dtype=object),
        )
    return result, voltage_extra


def _costs(
    network, connection, grid: LvGrid, ext, limits, groups, voltage_extra: np.ndarray
) -> dict[str, pd.DataFrame]:
    """Reinforcement at the plan share, cost per group [EUR]: transformers, parallel cables
    for the loading and for the voltage (``voltage_extra`` cables per line)."""
    line_eur, trafo_eur, extra = reinforce.element_costs(
        network, ext, grid.lines, grid.trafos.reset_index(drop=True), limits
    )
    length_m = grid.lines["length_km"].to_numpy(float) * 1e3
    voltage_m = voltage_extra * length_m
    voltage_eur = voltage_m * reinforce.cable_eur_per_m()
    line_eur = line_eur + voltage_eur
    by_trafo_area = (
        np.bincount(network.area_of_bus[network.line_ends[:, 0]], line_eur, network.trafo_bus.size)
        + trafo_eur
    )
    labels = groups["supply_area"]["labels"]
    onehot = _onehot(connection, labels)
    trafo_behind = hosting.trafo_buildings(network, connection)
    # a cable with no building behind it (a closed ring's extra cable) is split like its area
    alone = np.asarray(connection.line_behind.sum(axis=1)).ravel() == 0
    line_area = network.area_of_bus[network.line_ends[:, 0]]
    fallback = sp.diags(alone.astype(float)) @ trafo_behind[line_area]
    behind = (connection.line_behind + fallback).tocsr()
    by_area = _split(line_eur, behind, onehot) + _split(trafo_eur, trafo_behind, onehot)
    cable_m = extra * length_m
    serves = (trafo_behind @ onehot).toarray() > 0  # transformer x supply area
    per_area = lambda values: np.bincount(line_area, values, network.trafo_bus.size)  # noqa: E731
    return {
        "trafo_area": pd.DataFrame(
            {
                "reinforcement_eur": by_trafo_area,
                "parallel_cable_m": per_area(cable_m),
                "voltage_cable_m": per_area(voltage_m),
                "voltage_reinforcement_eur": per_area(voltage_eur),
            },
            index=pd.Index(groups["trafo_area"]["labels"], dtype=object),
        ),
        "supply_area": pd.DataFrame(
            {
                "reinforcement_eur": by_area,
                # cable metres split like their cost; transformers exchanged that serve the area
                "parallel_cable_m": _split(cable_m, behind, onehot),
                "voltage_cable_m": _split(voltage_m, behind, onehot),
                "voltage_reinforcement_eur": _split(voltage_eur, behind, onehot),
                "trafos_exchanged": (serves & (trafo_eur > 0)[:, None]).sum(axis=0),
            },
            index=pd.Index(labels, dtype=object),
        ),
    }

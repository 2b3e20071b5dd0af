"""Design a heat network for a set of buildings: route, size, verify, generate, cost.

``heatplan network design`` runs, in one atomic step: the street route from the heat source to
the buildings (Steiner tree on the street graph), pipe sizing with simultaneity, the
thermo-hydraulic check with pandapipes, an hourly generation dispatch sized by a linear program
that meets the WPG renewable share for new networks (§ 30), and the full cost per MWh delivered
(VDI 2067 annuities, BEW funding optional). Every building of the selection also gets the full
cost of its decentral options, so network and decentral supply are compared building by
building (WPG § 18(1) Nr. 1).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.network.hydraulics import verify_hydraulics
from heatplan.network.route import RouteResult, layout_network
from heatplan.network.sizing import network_summary, size_network
from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import Store, open_store
from heatplan.steps import network_inputs as inputs
from heatplan.steps.network_costs import NetworkCost, building_options, network_cost
from heatplan.steps.network_generation import Generation, generation
from heatplan.steps.network_ramp import ramp_years
from heatplan.steps.stages import stage_reporter
from heatplan.tech.pipes import part_load_pump_energy_kwh

log = logging.getLogger(__name__)
ROUTE_LAYERS = ("streets", "gas_networks")


@dataclass
class NetworkDesign:
    """Everything ``network design`` found, and the frames it stores."""

    network_id: str
    summary: dict[str, Any]
    pipes: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    load: pd.DataFrame
    options: pd.DataFrame
    messages: list[str] = field(default_factory=list)


def _network_id(label: str, given: str | None) -> str:
    if given:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", given):
            raise HeatplanError(f"--id {given!r}: use letters, digits, '-', '_' or '.'")
        return given
    return re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")[:40] or "network"


def _route_lines(store: Store) -> gpd.GeoDataFrame:
    """Street lines and, where given, gas-network lines (they lie in the streets)."""
    parts = [store.read(name)[["geometry"]] for name in ROUTE_LAYERS if store.has(name)]
    if not parts:
        raise HeatplanError(
            "the project has no streets: `heatplan import streets` (or gas-network) first"
        )
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def _route(store: Store, buildings: gpd.GeoDataFrame, source: Any) -> RouteResult:
    existing = store.read("heat_networks") if store.has("heat_networks") else None
    try:
        return layout_network(
            _route_lines(store),
            buildings[["building_id", "geometry"]],
            source,
            existing=existing,
        )
    except ValueError as exc:
        raise HeatplanError(f"route layout: {exc}") from exc


def _source(
    store: Store, buildings: gpd.GeoDataFrame, text: str | None, crs: object
) -> tuple[Any, str]:
    if text:
        return inputs.parse_point(text, crs=crs), f"given point {text}"
    return inputs.default_source(store, buildings)


def design_network(
    project_dir: Path,
    *,
    network_id: str | None = None,
    area: str | None = None,
    blocks: list[str] | None = None,
    buildings_file: Path | None = None,
    above_guide: bool = False,
    source: str | None = None,
    year: int | None = None,
    progress: Any = None,
) -> NetworkDesign:
    """Design, verify and cost a network for one selection; store it atomically."""
    say = stage_reporter(log, progress)
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    chosen = inputs.select(
        store,
        area=area,
        blocks=blocks,
        buildings_file=buildings_file,
        above_guide=above_guide,
        connection_rate=config.network.connection_rate,
    )
    ident = _network_id(chosen.label, network_id)
    point, source_label = _source(store, chosen.buildings, source, config.project.crs)
    say(f"route and pipe sizing: {len(chosen.buildings):,} buildings from the {source_label}")
    weather = inputs.weather(config, chosen.all_buildings)
    laid = lay_out(config, store, chosen.buildings, point, weather)
    route, connected, peak, hourly = laid.route, laid.connected, laid.peak, laid.hourly
    sized, summary = laid.sized, laid.summary
    say("pandapipes check")
    hydraulic = _hydraulics(sized, route, peak)
    say("generation dispatch (HiGHS)")
    plant = generation(config, hourly, summary["heat_loss_mwh_per_a"], weather[0], year=year)
    cost = network_cost(config, summary, plant.result.total_cost_eur_per_a, year=year)
    decentral = store.read("decentral_options") if store.has("decentral_options") else None
    options = building_options(config, chosen.buildings, weather, cost, peak, decentral)
    result = _assemble(ident, chosen, source_label, route, summary, hydraulic, plant, cost)
    if config.network.connection_ramp:
        say("phased expansion: generation per ramp year")
        result["ramp"] = ramp_years(config, connected, weather, summary)
    design = NetworkDesign(
        network_id=ident,
        summary=result,
        pipes=_tagged(sized, ident),
        nodes=_tagged(route.nodes, ident),
        load=_load_table(ident, plant),
        options=options.assign(network_id=ident),
        messages=hydraulic.violations[:20],
    )
    say("writing the project store")
    _store(store, design)
    return design


@dataclass
class Layout:
    """A routed and sized network (no hydraulic check, no generation yet)."""

    route: RouteResult
    connected: gpd.GeoDataFrame
    peak: pd.Series
    hourly: pd.Series
    sized: gpd.GeoDataFrame
    summary: dict[str, float]


def lay_out(
    config: ProjectConfig,
    store: Store,
    buildings: gpd.GeoDataFrame,
    source: Any,
    weather: inputs.Weather,
) -> Layout:
    """Route from ``source`` to ``buildings`` and size the pipes; key figures in ``summary``."""
    route = _route(store, buildings, source)
    connected = buildings[buildings["building_id"].isin(route.nodes["building_id"].dropna())]
    peak, hourly = inputs.loads(config, connected, weather)
    annual = connected.set_index("building_id")["heat_demand_kwh_per_a"].astype(float)
    settings = config.network
    try:
        sized = size_network(
            route.pipes,
            route.nodes,
            peak,
            annual,
            supply_temp_c=settings.supply_temp_c,
            return_temp_c=settings.return_temp_c,
            surface=settings.surface,
        )
    except ValueError as exc:
        raise HeatplanError(f"pipe sizing: {exc}") from exc
    summary = network_summary(sized)
    summary["pump_energy_mwh_per_a"] = _pump_energy_mwh(summary, hourly)
    return Layout(route, connected, peak, hourly, sized, summary)


def _hydraulics(sized: gpd.GeoDataFrame, route: RouteResult, peak: pd.Series) -> Any:
    design = sized.attrs["design"]
    return verify_hydraulics(
        sized,
        route.nodes,
        peak,
        supply_temp_c=design.supply_temp_c,
        return_temp_c=design.return_temp_c,
    )


def _pump_energy_mwh(summary: dict[str, float], hourly_kw: pd.Series) -> float:
    """Pump energy over the year at part load (affinity laws) instead of design x hours [MWh]."""
    share = hourly_kw.to_numpy(float) / max(float(hourly_kw.max()), 1e-9)
    return part_load_pump_energy_kwh(summary["pump_power_kw"], share) / 1000.0


def _tagged(frame: gpd.GeoDataFrame, ident: str) -> gpd.GeoDataFrame:
    tagged = frame.copy()
    tagged.insert(0, "network_id", ident)
    return tagged


def _load_table(ident: str, plant: Generation) -> pd.DataFrame:
    table = plant.result.dispatch.copy()
    table.insert(0, "time", table.index.astype(str))
    table.insert(0, "network_id", ident)
    table["demand_kw"] = plant.demand_kw.to_numpy()
    return table.reset_index(drop=True)


def _assemble(
    ident: str,
    chosen: inputs.Selection,
    source_label: str,
    route: RouteResult,
    summary: dict[str, float],
    hydraulic: Any,
    plant: Generation,
    cost: NetworkCost,
) -> dict[str, Any]:
    unconnected = route.unconnected
    return {
        "network_id": ident,
        "selection": chosen.label,
        "source": source_label,
        "buildings_selected": int(len(chosen.buildings) + chosen.not_connecting),
        "buildings_not_connecting": chosen.not_connecting,
        "buildings_without_demand": chosen.without_demand,
        "buildings_connected": int(summary["buildings"]),
        "buildings_unconnected": len(unconnected),
        "unconnected_reasons": unconnected["reason"].value_counts().to_dict(),
        **{k: float(v) for k, v in summary.items()},
        "hydraulic_ok": bool(hydraulic.hydraulic_ok),
        "hydraulics": {k: v for k, v in hydraulic.to_dict().items() if k not in ("violations",)},
        "violations": hydraulic.violations[:50],
        "generation": plant.to_dict(),
        **cost.to_dict(),
    }


def _replace_rows(store: Store, writer: Any, name: str, frame: pd.DataFrame, ident: str) -> None:
    if store.has(name):
        old = store.read(name)
        old = old[old["network_id"].astype(str) != ident]
        if len(old):
            frame = pd.concat([old, frame], ignore_index=True)
            if isinstance(old, gpd.GeoDataFrame):
                frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=old.crs)
    writer.write(name, frame)


def _store(store: Store, design: NetworkDesign) -> None:
    row = pd.DataFrame([_flat(design.summary)])
    with store.transaction(step="network design") as writer:
        for name, frame in (
            ("network_pipes", design.pipes),
            ("network_nodes", design.nodes),
            ("networks", row),
            ("network_load", design.load),
            ("building_options", design.options),
        ):
            _replace_rows(store, writer, name, frame, design.network_id)


def _flat(summary: dict[str, Any]) -> dict[str, Any]:
    """Scalars of the summary as one table row (nested parts as JSON text)."""
    import json

    flat: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, dict | list):
            flat[key] = json.dumps(value, default=float)
        elif isinstance(value, np.generic):
            flat[key] = value.item()
        else:
            flat[key] = value
    return flat

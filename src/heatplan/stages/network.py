"""Design a heat network for a set of buildings: route, size, verify, generate, cost.

The stage behind ``heatplan network design``: the street route from the heat source to
the buildings (Steiner tree on the street graph), pipe sizing with simultaneity, the
thermo-hydraulic check with pandapipes, an hourly generation dispatch sized by a linear program
that meets the WPG renewable share for new networks (§ 30), and the full cost per MWh delivered
(VDI 2067 annuities, BEW funding optional). Every building of the selection also gets the full
cost of its decentral options, so network and decentral supply are compared building by
building (WPG § 18(1) Nr. 1). The designed network's rows replace those of a network with the
same id in the plan's frames ``networks``, ``network_pipes``, ``network_nodes``,
``network_load`` and ``building_options``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.network import selection as inputs
from heatplan.network.economics import (
    NetworkCost,
    alternative_revenue_eur_per_mwh,
    building_options,
    decentral_frame,
    network_cost,
)
from heatplan.network.generation import Generation, generation_options
from heatplan.network.hydraulics import verify_hydraulics
from heatplan.network.layout import lay_out
from heatplan.network.ramp import ramp_years
from heatplan.network.route import RouteResult
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.progress import stage_reporter

log = logging.getLogger(__name__)
#: The frames a network design writes: one row set per network, keyed by ``network_id``.
NETWORK_FRAMES = ("network_pipes", "network_nodes", "networks", "network_load", "building_options")
#: The frames the network design reads.
NEEDS = (
    "buildings",
    "areas",
    "input_areas",
    "street_segments",
    "streets",
    "gas_networks",
    "heat_networks",
    "potentials",
    "decentral_options",
    *NETWORK_FRAMES,
)


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


def _source(
    plan: Plan, buildings: gpd.GeoDataFrame, text: str | None, crs: object
) -> tuple[Any, str]:
    if text:
        return inputs.parse_point(text, crs=crs), f"given point {text}"
    return inputs.default_source(plan, buildings)


def run(
    plan: Plan,
    *,
    network_id: str | None = None,
    area: str | None = None,
    blocks: list[str] | None = None,
    building_ids: list[str] | None = None,
    ids_label: str = "the given buildings",
    above_guide: bool = False,
    source: str | None = None,
    year: int | None = None,
    progress: Any = None,
) -> tuple[Plan, NetworkDesign]:
    """Design, verify and cost a network for one selection of ``plan``'s buildings.

    Exactly one of ``area``, ``blocks``, ``building_ids`` (named ``ids_label`` in messages) and
    ``above_guide`` selects the buildings; ``source`` is a point 'x,y' in the plan's CRS
    (default: the nearest sewage plant, else the demand-weighted centre).
    """
    say = stage_reporter(log, progress)
    config = plan.settings
    chosen = inputs.select(
        plan,
        area=area,
        blocks=blocks,
        building_ids=building_ids,
        ids_label=ids_label,
        above_guide=above_guide,
        connection_rate=config.network.connection_rate,
    )
    ident = _network_id(chosen.label, network_id)
    point, source_label = _source(plan, chosen.buildings, source, config.project.crs)
    say(f"route and pipe sizing: {len(chosen.buildings):,} buildings from the {source_label}")
    weather = inputs.weather(config, chosen.all_buildings)
    laid = lay_out(config, plan, chosen.buildings, point, weather)
    route, connected, peak, hourly = laid.route, laid.connected, laid.peak, laid.hourly
    sized, summary = laid.sized, laid.summary
    say("pandapipes check")
    hydraulic = _hydraulics(sized, route, peak)
    say("generation dispatch (HiGHS)")
    plants = generation_options(
        config, hourly, summary["heat_loss_mwh_per_a"], weather[0], year=year
    )
    costs = decentral_frame(config, chosen.buildings, weather, plan.get("decentral_options"))
    revenue = alternative_revenue_eur_per_mwh(
        costs.loc[costs.index.isin(peak.index)],
        chosen.buildings.set_index(col.BUILDING_ID)[col.HEAT_DEMAND_KWH_PER_A],
    )
    plant, cost = min(
        (
            (option, network_cost(
                config, summary, option.result.total_cost_eur_per_a, year=year,
                generation=option.funding_figures(), revenue_eur_per_mwh=revenue,
            ))
            for option in plants
        ),
        key=lambda pair: pair[1].lcoh_eur_per_mwh,
    )  # fmt: skip
    options = building_options(costs, cost, peak, config.economics.perspective)
    result = _assemble(ident, chosen, source_label, route, summary, hydraulic, plant, cost)
    # what the heat can earn: the buildings' cheapest decentral option, net of VAT (BEW gap)
    result["alternative_revenue_eur_per_mwh"] = revenue
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
    return _with_design(plan, design), design


def _hydraulics(sized: gpd.GeoDataFrame, route: RouteResult, peak: pd.Series) -> Any:
    design = sized.attrs["design"]
    return verify_hydraulics(
        sized,
        route.nodes,
        peak,
        supply_temp_c=design.supply_temp_c,
        return_temp_c=design.return_temp_c,
    )


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


def _replaced(plan: Plan, name: str, frame: pd.DataFrame, ident: str) -> pd.DataFrame:
    """``frame`` after the rows of the plan's frame ``name`` that belong to other networks."""
    old = plan.get(name)
    if old is None:
        return frame
    old = old[old["network_id"].astype(str) != ident]
    if not len(old):
        return frame
    joined = pd.concat([old, frame], ignore_index=True)
    if isinstance(old, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(joined, geometry="geometry", crs=old.crs)
    return joined


def _with_design(plan: Plan, design: NetworkDesign) -> Plan:
    """``plan`` with the design's rows in the network frames (replacing the same id's)."""
    parts = {
        "network_pipes": design.pipes,
        "network_nodes": design.nodes,
        "networks": pd.DataFrame([_flat(design.summary)]),
        "network_load": design.load,
        "building_options": design.options,
    }
    return plan.with_frames(
        **{name: _replaced(plan, name, frame, design.network_id) for name, frame in parts.items()}
    )


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

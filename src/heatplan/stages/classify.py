"""The classification stage (``heatplan classify``): WPG area types and likelihoods per
snapshot year for every area.

Takes the plan's ``areas`` (from the areas stage), evaluates each area (network laid out on its
streets and costed with the town's generation, against the buildings' decentral options;
:mod:`heatplan.classify.evaluate`), applies the rules of :mod:`heatplan.classify.rules` and
gives the plan ``areas`` with the classification columns.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.areas.assign import assign_areas
from heatplan.classify import evaluate as ev
from heatplan.classify import grid_cost, uncertainty
from heatplan.classify.rules import classify
from heatplan.errors import ProjectError
from heatplan.network import selection as inputs
from heatplan.network.economics import NetworkCost, economics_of, network_cost
from heatplan.network.generation import Generation, generation_options, two_plants
from heatplan.options.decentral import PERSPECTIVES, seasonal_factors
from heatplan.options.tariffs import vat_rate
from heatplan.parallel import SecondCore
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.plan.checks import inventory_buildings
from heatplan.progress import stage_reporter
from heatplan.reference import parameter
from heatplan.scenario import saving

log = logging.getLogger(__name__)
AREAS = "area_parameters.csv"
#: The frames the classification reads.
NEEDS = (
    "areas",
    "buildings",
    "decentral_options",
    "input_areas",
    "street_segments",
    "streets",
    "gas_networks",
    "heat_networks",
    "potentials",
    "grid_supply_areas",
)


@dataclass
class AreaOutcome:
    """One area's type and likelihood in the target year, and why."""

    area_id: str
    area_type: str
    likelihood: str
    explanation: str


@dataclass
class ClassifyResult:
    """What the classification found, for the target year."""

    areas: int
    target_year: int
    area_types: dict[str, int]
    likelihoods: dict[str, int]
    areas_detail: list[AreaOutcome]
    mean_network_lcoh_eur_per_mwh: float | None
    buildings_without_area: int = 0
    #: Areas on the shortened path (WPG § 14): no network laid out, costed or dispatched.
    shortened: int = 0
    #: Areas whose network was laid out and costed (the expensive step).
    networks_laid_out: int = 0
    #: Areas marked with an increased energy-saving potential (WPG § 18 (5)).
    increased_saving_potential: int = 0
    procedure: str = "standard"
    store: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["areas_detail"] = [dict(a.__dict__) for a in self.areas_detail]
        return out


def _areas(plan: Plan) -> gpd.GeoDataFrame:
    if not plan.has("areas"):
        raise ProjectError("no supply areas: run `heatplan areas` first")
    return plan.areas.copy()


def _area_inputs(areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> list[ev.AreaInputs]:
    groups = dict(tuple(buildings.groupby(col.AREA_ID)))
    rows = []
    for row in areas.itertuples(index=False):
        shortened = bool(getattr(row, "eignung_shortened", False))
        density = float(getattr(row, col.LINE_DENSITY_KWH_PER_M_A, 0.0) or 0.0)
        rows.append(
            ev.AreaInputs(
                area_id=str(row.area_id),
                geometry=row.geometry,
                buildings=groups.get(row.area_id, buildings.iloc[0:0]),
                shortened=shortened,
                shortened_reason=str(getattr(row, "eignung_reason", "") or ""),
                line_density_kwh_per_m_a=density,
                shortened_reason_en=str(getattr(row, "eignung_reason_en", "") or ""),
            )
        )
    return rows


def _town_generation(
    config: Any,
    layouts: dict[str, Any],
    weather: inputs.Weather,
    second_core: SecondCore | None = None,
) -> list[Generation]:
    """The town plant for the summed load (plus losses) of every area that could get a
    network: sized to the WPG share and, where funding counts, to the BEW's (each area keeps
    the cheaper; the BEW's in ``second_core`` while this process sizes the WPG's)."""
    laid = [layout for layout in layouts.values() if layout is not None]
    if not laid:
        return []
    hourly = sum((layout.hourly for layout in laid), start=laid[0].hourly * 0.0)
    losses = sum(layout.summary["heat_loss_mwh_per_a"] for layout in laid)
    return generation_options(config, hourly, losses, weather[0], second_core=second_core)


#: What the second process imports at once: the layouts and the plant's sizing.
SECOND_CORE_MODULES = ("heatplan.stages.classify", "heatplan.network.generation")
#: The frames a network layout reads (:func:`heatplan.classify.evaluate.network_layout`: the
#: streets it follows, existing heat lines, the sewage-plant potentials as its source).
LAYOUT_FRAMES = ("streets", "heat_networks", "potentials")
#: Least buildings for half the layouts to go to the second process (heatplan choice, measured
#: with ``benchmarks/bench_city_steps.py``: the worker's start, its imports and, then, CoolProp's
#: import cost some 4 CPU seconds, now less; a 20,000-building town's layouts take about 5, a
#: 400-building town's well under one).
MIN_SPLIT_BUILDINGS = 5_000


def lay_out_areas(
    config: Any, plan: Plan, area_list: list[ev.AreaInputs], weather: inputs.Weather
) -> list[Any]:
    """The network of each area of ``area_list`` laid out (None: none), in their order."""
    return [ev.network_layout(config, plan, area, weather) for area in area_list]


def _layouts(
    config: Any,
    plan: Plan,
    area_list: list[ev.AreaInputs],
    weather: inputs.Weather,
    second_core: SecondCore,
) -> dict[str, Any]:
    """Every area's network laid out, by area id in the order of ``area_list``.

    With a second process and at least :data:`MIN_SPLIT_BUILDINGS` buildings, the later areas
    (about half the buildings) are laid out there from the frames a layout reads, while this
    process lays out the earlier ones: each area's layout depends on nothing but its own
    buildings, the streets and the settings.
    """
    if second_core.available and _split_layouts(area_list):
        split = _half_of_the_buildings(area_list)
    else:
        split = len(area_list)
    there = None
    if split < len(area_list):
        frames = plan.without(*(n for n in plan.names if n not in LAYOUT_FRAMES))
        there = second_core.submit(lay_out_areas, config, frames, area_list[split:], weather)
    laid = lay_out_areas(config, plan, area_list[:split], weather)
    if there is not None:
        laid += there.result()
    return {area.area_id: layout for area, layout in zip(area_list, laid, strict=True)}


def _split_layouts(area_list: list[ev.AreaInputs]) -> bool:
    """Whether half the layouts go to the second process (:data:`MIN_SPLIT_BUILDINGS`)."""
    return len(area_list) > 1 and sum(len(a.buildings) for a in area_list) >= MIN_SPLIT_BUILDINGS


def _half_of_the_buildings(area_list: list[ev.AreaInputs]) -> int:
    """The first area of the later half of the buildings (the layout's work grows with them)."""
    counts = np.array([len(area.buildings) for area in area_list], dtype=float)
    if counts.sum() == 0:
        return len(area_list)
    return int(np.searchsorted(np.cumsum(counts), counts.sum() / 2.0)) + 1


def run(plan: Plan, *, progress: Any = None) -> tuple[Plan, ClassifyResult]:
    """Classify every area of ``plan``: a new plan whose ``areas`` carry type and likelihood."""
    say = stage_reporter(log, progress)
    config = plan.settings
    areas = _areas(plan)
    buildings = assign_areas(inventory_buildings(plan, purpose="classify needs the demand"), areas)
    options = plan.get("decentral_options")
    if options is not None:
        buildings = buildings.merge(options[[col.BUILDING_ID, "ground_ok", "air_ok"]], how="left")
    weather = inputs.weather(config, buildings)
    area_list = _area_inputs(areas, buildings)
    split = _split_layouts(area_list)
    with SecondCore(warm=SECOND_CORE_MODULES, start=split or two_plants(config)) as second_core:
        say(f"networks laid out in {len(area_list)} areas")
        layouts = _layouts(config, plan, area_list, weather, second_core)
        say("town generation dispatch (HiGHS)")
        plants = _town_generation(config, layouts, weather, second_core)
    rows, building_costs = _classify_all(config, plan, area_list, layouts, plants, weather)
    classified = areas.drop(
        columns=[c for c in rows.columns if c in areas.columns and c != col.AREA_ID]
    )
    classified = classified.merge(rows, on=col.AREA_ID, how="left")
    classified["explanation"] = with_saving_note(classified)
    summary = _summary(classified, config)
    summary.networks_laid_out = sum(layout is not None for layout in layouts.values())
    return plan.with_frames(areas=classified, building_costs=building_costs), summary


def with_saving_note(areas: pd.DataFrame) -> pd.Series:
    """The German reason with the WPG § 18 (5) marking appended to the marked areas.

    The marking is computed by the areas stage (:mod:`heatplan.scenario.saving`) and read by
    no classification rule: only the reason text says it.
    """
    text = areas["explanation"].fillna("").astype(str)
    if saving.MARKED not in areas.columns or saving.REASON not in areas.columns:
        return text
    marked = areas[saving.MARKED].fillna(False).astype(bool)
    note = areas[saving.REASON].fillna("").astype(str)
    return text.where(~marked, text + " " + note + ".")


def _classify_all(
    config: Any,
    plan: Plan,
    area_list: list[ev.AreaInputs],
    layouts: dict[str, Any],
    plants: list[Generation],
    weather: inputs.Weather,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row of classification columns per area, and the per-building option costs the
    decision rests on (frame ``building_costs``: never public, medians via publish.costs)."""
    years = [*config.project.snapshot_years, config.project.target_year]
    span = range(config.project.price_year, config.project.target_year + 1)
    _, town_hourly = inputs.loads(config, pd.concat([a.buildings for a in area_list]), weather)
    spf = seasonal_factors(weather[0].set_axis(town_hourly.index), town_hourly)
    chosen = config.economics.perspective
    economics = replace(
        economics_of(config), gas_volume=ev.gas_volume_path(plan, config.project.price_year)
    )
    heat_networks = plan.layer("heat_networks")
    potentials = plan.layer("potentials")
    coverage = ev.n1_coverage(plants[0] if plants else None)
    factors = uncertainty.sample_factors(
        period_a=economics.observation_period_a, interest_rate=economics.interest_rate
    )
    grid_areas = plan.get("grid_supply_areas")  # the stored grid check (grid_cost module doc)
    grid_annuity, grid_reasons = (
        grid_cost.annuity_eur_per_mwh(grid_areas),
        grid_cost.reasons(grid_areas),
    )
    town_costs = {
        name: ev.town_decentral_costs(config, area_list, weather, spf, economics.seen_as(name))
        for name in PERSPECTIVES
    }
    rows, costs = [], []
    for number, area in enumerate(area_list):
        per_building = {name: town_costs[name][number] for name in PERSPECTIVES}
        annuity = float(grid_annuity.get(area.area_id, 0.0))
        decentral = {
            name: grid_cost.with_grid(ev.decentral_summary(c), annuity)
            for name, c in per_building.items()
        }
        revenue = decentral["owner"][0] / (1.0 + vat_rate())  # the alternative, net of VAT
        network, network_ghg = _network_figures(
            config, layouts[area.area_id], plants, span, revenue_eur_per_mwh=revenue
        )
        cost = network[chosen]
        other = "economic" if chosen == "owner" else "owner"
        figures = ev.figures(
            area,
            network_lcoh=math.nan if cost is None else cost.lcoh_eur_per_mwh,
            network_ghg_t=network_ghg,
            decentral=decentral[chosen],
            heat_networks=ev.heat_network_lengths(area.geometry, heat_networks),
            potential=ev.nearby_potential(
                area.geometry, potentials, parameter(AREAS, "eignung_potential_reach_m")
            ),
            years=span,
            n1_coverage=coverage,
            grid_path=config.emissions.grid_path,
        )
        other_cost = network[other]
        figures = replace(
            figures,
            perspective=chosen,
            other_network_lcoh_eur_per_mwh=math.nan
            if other_cost is None
            else other_cost.lcoh_eur_per_mwh,
            other_decentral_lcoh_eur_per_mwh=decentral[other][0],
            funding_gap_factor=1.0 if cost is None else cost.funding.gap_factor,
        )
        figures = ev.with_probability(
            figures, ev.cost_parts(cost, decentral[chosen]), factors, config.classify
        )
        rows.append(
            {
                col.AREA_ID: area.area_id,
                **grid_cost.with_reason(
                    classify(figures, years, config.classify), grid_reasons.get(area.area_id)
                ),
                **ev.perspective_columns(network, decentral, chosen),
                **_layout_figures(layouts[area.area_id]),
                grid_cost.COLUMN: annuity if area.area_id in grid_annuity.index else math.nan,
            }
        )
        costs.append(_building_costs(per_building[chosen], area.area_id, figures))
    found = [c for c in costs if c is not None]
    return pd.DataFrame(rows), (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=BUILDING_COSTS)
    )


#: Columns of the frame ``building_costs`` (one row per building with a heat demand).
BUILDING_COSTS = [
    col.BUILDING_ID,
    col.AREA_ID,
    "building_state",
    "lcoh_air_hp_eur_per_mwh",
    "lcoh_ground_hp_eur_per_mwh",
    "lcoh_biomass_eur_per_mwh",
    "lcoh_gas_eur_per_mwh",
    "best_decentral",
    "best_decentral_lcoh_eur_per_mwh",
    "network_lcoh_eur_per_mwh",
]


def _building_costs(costs: pd.DataFrame | None, area_id: str, figures: Any) -> pd.DataFrame | None:
    """The chosen perspective's option costs of an area's buildings, with the area's network
    full cost (the same for each building: the network the area was compared with)."""
    if costs is None:
        return None
    frame = costs.rename_axis(col.BUILDING_ID).reset_index()
    frame[col.AREA_ID] = area_id
    frame["network_lcoh_eur_per_mwh"] = figures.network_lcoh_eur_per_mwh
    return frame.reindex(columns=BUILDING_COSTS)


def _layout_figures(layout: Any) -> dict[str, float]:
    """Trench length [m] and pipe investment [EUR] of the area's laid-out network (NaN: none)."""
    summary = layout.summary if layout is not None else {}
    return {
        "network_trench_length_m": float(summary.get("trench_length_m", math.nan)),
        "network_investment_pipes_eur": float(summary.get("investment_pipes_eur", math.nan)),
    }


def _network_figures(
    config: Any,
    layout: Any,
    plants: list[Generation],
    span: range,
    *,
    revenue_eur_per_mwh: float | None = None,
) -> tuple[dict[str, NetworkCost | None], float]:
    """Network cost (LCOH and its parts) in each perspective and cumulative GHG to the target
    year [t] of one area, with the town plant that gives the area the lower full cost.

    The owner's cost counts the BEW funding (``[economics] with_funding``), capped at the
    funding gap against ``revenue_eur_per_mwh`` (the decentral alternative net of VAT), and
    pays VAT on the heat price; the economic cost counts neither.
    """
    if layout is None or not plants:
        return dict.fromkeys(PERSPECTIVES), math.nan
    summary = layout.summary
    generated = summary["heat_delivered_mwh_per_a"] + summary["heat_loss_mwh_per_a"]
    unfunded = config.model_copy(
        update={"economics": config.economics.model_copy(update={"with_funding": False})}
    )
    settings = {"owner": config, "economic": unfunded}
    out: dict[str, NetworkCost | None] = {}
    ghg = math.nan
    for name in PERSPECTIVES:
        costed = []
        for plant in plants:
            share = generated / plant.result.demand_mwh_per_a
            cost = network_cost(
                settings[name],
                summary,
                share * plant.result.total_cost_eur_per_a,
                year=None,
                generation=plant.funding_figures(share),
                revenue_eur_per_mwh=revenue_eur_per_mwh,
            )
            costed.append((cost, plant))
        cost, plant = min(costed, key=lambda pair: pair[0].lcoh_eur_per_mwh)
        out[name] = ev.in_perspective(cost, name)
        if name == config.economics.perspective:
            ghg = ev.network_ghg_t(plant.result, generated, span, path=config.emissions.grid_path)
    return out, ghg


def _summary(classified: gpd.GeoDataFrame, config: Any) -> ClassifyResult:
    target = config.project.target_year
    column = f"area_type_{target}"
    lcoh = classified["network_lcoh_eur_per_mwh"]
    return ClassifyResult(
        areas=len(classified),
        target_year=target,
        area_types=classified[column].value_counts().to_dict(),
        likelihoods=classified[f"likelihood_{target}"].value_counts().to_dict(),
        areas_detail=[
            AreaOutcome(
                area_id=row.area_id,
                area_type=getattr(row, column),
                likelihood=getattr(row, f"likelihood_{target}"),
                explanation=row.explanation,
            )
            for row in classified.itertuples(index=False)
        ],
        mean_network_lcoh_eur_per_mwh=float(np.nanmean(lcoh)) if lcoh.notna().any() else None,
        shortened=int(
            classified.get("eignung_shortened", pd.Series(dtype=bool)).fillna(False).sum()
        ),
        increased_saving_potential=int(
            classified.get(saving.MARKED, pd.Series(dtype=bool)).fillna(False).sum()
        ),
        procedure=str(config.plan.procedure),
    )

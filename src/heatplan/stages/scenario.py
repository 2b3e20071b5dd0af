"""The scenario stage (``heatplan scenario``): the target scenario (WPG § 17) and the Anlage-2
indicators.

Takes the inventory's buildings, the classified ``areas`` and, where imported, the heater
register (install years of each building's main heater); runs the pathway of every variant
(:mod:`heatplan.scenario`) and gives the plan the long indicator table ``scenario_indicators``
and the variant costs ``scenario_costs``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from heatplan.areas.assign import assign_areas
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.plan.checks import classified_areas, inventory_buildings
from heatplan.progress import stage_reporter
from heatplan.project.config import ProjectConfig
from heatplan.scenario.indicators import anlage2_indicators, indicator_table
from heatplan.scenario.settings import variant_names
from heatplan.scenario.variants import run_variants, variant_costs

log = logging.getLogger(__name__)
INDICATOR_YEARS = (2030, 2035, 2040, 2045)
#: The frames the scenario reads.
NEEDS = ("buildings", "areas", "heaters")


@dataclass
class ScenarioResult:
    """The first variant's indicators, the others', the costs of each and the notes."""

    variant: str
    indicators: dict[str, Any]
    variants: dict[str, dict[str, Any]]
    costs: dict[str, dict[str, Any]]
    notes: list[str]
    store: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _install_years(plan: Plan) -> pd.Series | None:
    """Install year of each building's largest heater (the heater register), if imported."""
    if not plan.has("heaters"):
        return None
    heaters = plan.frame("heaters")
    if not {col.BUILDING_ID, "install_year"} <= set(heaters.columns):
        return None
    order = "capacity_kw" if "capacity_kw" in heaters.columns else "install_year"
    main = heaters.sort_values(order, ascending=False).drop_duplicates(col.BUILDING_ID)
    return main.set_index(col.BUILDING_ID)["install_year"]


def scenario_buildings(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Buildings with area and heater install year, and the classified areas."""
    areas = classified_areas(plan)
    buildings = assign_areas(inventory_buildings(plan, purpose="the scenario starts there"), areas)
    years = _install_years(plan)
    if years is not None:
        buildings["heater_install_year"] = buildings[col.BUILDING_ID].map(years)
    return pd.DataFrame(buildings.drop(columns="geometry")), pd.DataFrame(
        areas.drop(columns="geometry")
    )


def without_unknown_demand(buildings: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """The buildings whose heat demand the inventory knows, and a note on those left out.

    A building of unknown use and age has no modelled demand (NaN, not zero); the inventory's
    totals leave it out, and so does the pathway that starts from them. A negative demand is
    still refused by the pathway's own check.
    """
    demand = pd.to_numeric(buildings[col.HEAT_DEMAND_KWH_PER_A], errors="coerce")
    unknown = demand.isna()
    if not unknown.any():
        return buildings, set()
    note = (
        f"{int(unknown.sum()):,} building(s) without a known heat demand (unknown use or "
        "type) are left out of the pathway, as out of the inventory's totals"
    )
    return buildings[~unknown].reset_index(drop=True), {note}


def _overrides(config: ProjectConfig) -> dict[str, Any]:
    return {
        "base_year": config.project.price_year,
        "target_year": config.project.target_year,
        "connection_share_max": config.network.connection_rate,
        "co2_price_path": config.economics.co2_price_path,
        "grid_emission_path": config.emissions.grid_path,
    }


def run(
    plan: Plan, *, variants: list[str] | None = None, progress: Any = None
) -> tuple[Plan, ScenarioResult]:
    """Pathways of the variants; indicators of the first for 2030/2035/2040/2045."""
    say = stage_reporter(log, progress)
    config = plan.settings
    names = variants or list(variant_names())
    unknown = sorted(set(names) - set(variant_names()))
    if unknown:
        raise ValueError(f"unknown variant(s) {unknown}; known: {', '.join(variant_names())}")
    buildings, areas = scenario_buildings(plan)
    buildings, unknown_note = without_unknown_demand(buildings)
    say(f"pathways of {len(names)} variant(s) for {len(buildings):,} buildings")
    results = run_variants(buildings, areas, names, overrides=_overrides(config))
    indicators = {name: anlage2_indicators(r, years=INDICATOR_YEARS) for name, r in results.items()}
    table = pd.concat(
        [indicator_table(ind, variant=name) for name, ind in indicators.items()], ignore_index=True
    )
    rate = config.economics.interest_rate
    costs = pd.DataFrame(
        [
            {"variant": n, **_scalars(variant_costs(r, areas, interest_rate=rate))}
            for n, r in results.items()
        ]
    )
    first = names[0]
    summary = ScenarioResult(
        variant=first,
        indicators=indicators[first],
        variants={name: indicators[name] for name in names[1:]},
        costs=_by_variant(costs),
        notes=sorted({note for r in results.values() for note in r.notes} | unknown_note),
    )
    return plan.with_frames(scenario_indicators=table, scenario_costs=costs), summary


def _by_variant(costs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    rows = costs.set_index("variant").to_dict(orient="index")
    return {str(name): {str(k): v for k, v in row.items()} for name, row in rows.items()}


def _scalars(costs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (", ".join(v) if isinstance(v, list) else (None if _nan(v) else v))
        for k, v in costs.items()
    }


def _nan(value: Any) -> bool:
    return isinstance(value, float) and bool(np.isnan(value))

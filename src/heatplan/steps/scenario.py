"""``heatplan scenario``: the target scenario (WPG § 17) and the Anlage-2 indicators.

Reads the inventory's buildings, the classified ``areas`` and, where imported, the heater
register (install years of each building's main heater); runs the pathway of every variant
(:mod:`heatplan.scenario`) and stores the long indicator table ``scenario_indicators`` and the
variant costs ``scenario_costs`` in one transaction.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import Store, open_store
from heatplan.scenario.indicators import anlage2_indicators, indicator_table
from heatplan.scenario.variants import run_variants, variant_costs, variant_names
from heatplan.steps.common import assign_areas, classified_areas, inventory_buildings
from heatplan.steps.stages import stage_reporter

log = logging.getLogger(__name__)
INDICATOR_YEARS = (2030, 2035, 2040, 2045)


def _install_years(store: Store) -> pd.Series | None:
    """Install year of each building's largest heater (the heater register), if imported."""
    if not store.has("heaters"):
        return None
    heaters = store.read("heaters")
    if not {"building_id", "install_year"} <= set(heaters.columns):
        return None
    order = "capacity_kw" if "capacity_kw" in heaters.columns else "install_year"
    main = heaters.sort_values(order, ascending=False).drop_duplicates("building_id")
    return main.set_index("building_id")["install_year"]


def scenario_buildings(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Buildings with area and heater install year, and the classified areas."""
    areas = classified_areas(store)
    buildings = assign_areas(inventory_buildings(store, purpose="the scenario starts there"), areas)
    years = _install_years(store)
    if years is not None:
        buildings["heater_install_year"] = buildings["building_id"].map(years)
    return pd.DataFrame(buildings.drop(columns="geometry")), pd.DataFrame(
        areas.drop(columns="geometry")
    )


def _overrides(config: ProjectConfig) -> dict[str, Any]:
    return {
        "base_year": config.project.price_year,
        "target_year": config.project.target_year,
        "connection_share_max": config.network.connection_rate,
    }


def run_scenario(
    project_dir: Path, *, variants: list[str] | None = None, progress: Any = None
) -> dict[str, Any]:
    """Pathways of the variants; indicators of the first for 2030/2035/2040/2045, all stored."""
    say = stage_reporter(log, progress)
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    names = variants or list(variant_names())
    unknown = sorted(set(names) - set(variant_names()))
    if unknown:
        raise ValueError(f"unknown variant(s) {unknown}; known: {', '.join(variant_names())}")
    buildings, areas = scenario_buildings(store)
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
    with store.transaction(step="scenario") as writer:
        writer.write("scenario_indicators", table)
        writer.write("scenario_costs", costs)
    first = names[0]
    return {
        "variant": first,
        "indicators": indicators[first],
        "variants": {name: indicators[name] for name in names[1:]},
        "costs": costs.set_index("variant").to_dict(orient="index"),
        "notes": sorted({note for r in results.values() for note in r.notes}),
    }


def _scalars(costs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (", ".join(v) if isinstance(v, list) else (None if _nan(v) else v))
        for k, v in costs.items()
    }


def _nan(value: Any) -> bool:
    return isinstance(value, float) and bool(np.isnan(value))

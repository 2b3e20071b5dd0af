"""``heatplan grid check`` on a project: the LV grid layers, the buildings, areas and weather
of the plan into :func:`heatplan.grid.check.check`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from heatplan.demand.climate import climate
from heatplan.errors import HeatplanError, ProjectError
from heatplan.grid import check as grid_check
from heatplan.grid import estimate
from heatplan.grid.model import LAYERS, LvGrid, from_frames
from heatplan.plan import Plan

FRAMES = ("buildings", "areas", "scenario_indicators", *LAYERS)


def plan_hp_share(indicators: pd.DataFrame | None, year: int) -> float:
    """Heat-pump share of buildings in ``year`` of the base scenario: the buildings on no heat
    or gas network (an upper bound: the scenario's wood boilers are counted as heat pumps)."""
    if indicators is None or indicators.empty:
        raise HeatplanError("no scenario in this project: give --hp-share (or run `heatplan plan`)")
    rows = indicators[
        indicators["variant"].eq("base")
        & indicators["year"].eq(year)
        & indicators["key"].eq("share:buildings")
    ]
    shares = rows.set_index("indicator")["value"]
    if shares.empty:
        years = sorted(indicators["year"].unique().tolist())
        raise HeatplanError(f"the scenario has no year {year}; years: {years}")
    on_network = shares.get("heat_network_buildings", 0.0) + shares.get(
        "gas_network_buildings", 0.0
    )
    return float(min(max(1.0 - on_network, 0.0), 1.0))


def snapshot_years(indicators: pd.DataFrame | None) -> list[int]:
    """The years of the base scenario's building shares (the plan's snapshot years and its
    target year)."""
    if indicators is None or indicators.empty:
        raise HeatplanError("no scenario in this project: run `heatplan plan` first")
    rows = indicators[indicators["variant"].eq("base") & indicators["key"].eq("share:buildings")]
    return sorted(int(y) for y in rows["year"].unique())


def _grid(plan: Plan) -> tuple[LvGrid, pd.DataFrame | None, str, pd.DataFrame | None]:
    """The imported grid, else the estimate: grid, link, grid_source, estimate choice."""
    grid = from_frames({name: plan.get(name) for name in LAYERS})
    if grid is not None:
        return grid, None, estimate.IMPORTED, None
    guess = estimate.estimate(plan.buildings, plan.get("areas"))
    return guess.grid, guess.link, estimate.ESTIMATE, guess.choice


def _checks(
    plan: Plan, hp_shares: list[float], *, ev_share: float, controlled: bool, shift: bool
) -> tuple[list[grid_check.GridCheck], LvGrid, pd.DataFrame | None]:
    grid, link, source, choice = _grid(plan)
    temperature, holidays = climate(plan.settings, plan.buildings)
    results = grid_check.check_shares(
        grid,
        plan.buildings,
        plan.get("areas"),
        temperature,
        holidays,
        profile_year=plan.settings.project.profile_year,
        hp_shares=hp_shares,
        ev_share=ev_share,
        controlled=controlled,
        money={
            "interest_rate": plan.settings.economics.interest_rate,
            "observation_period_a": plan.settings.economics.observation_period_a,
        },
        link=link,
        grid_source=source,
        shift=shift,
    )
    return results, grid, choice


def _check_inputs(plan: Plan, hp_share: float | None, ev_share: float) -> None:
    if not plan.has("buildings") or plan.buildings.empty:
        raise ProjectError(
            "this project has no buildings: import them first (the grid check, on an imported "
            "grid from `heatplan import lv-grid` or on an estimate, needs them)"
        )
    for name, value in (("--hp-share", hp_share), ("--ev-share", ev_share)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise HeatplanError(f"{name} must lie between 0 and 1, got {value}")


def check_grid(
    project_dir: Path,
    *,
    year: int | None = None,
    hp_share: float | None = None,
    ev_share: float = 0.0,
    controlled: bool = False,
    shift: bool = False,
) -> grid_check.GridCheck:
    """The grid check of a project at the heat-pump share of ``year`` (default: the plan's
    target year) or at ``hp_share``; stored as the frames ``grid_trafo_areas`` and
    ``grid_supply_areas``. Without an imported grid the check runs on an estimate from the
    German reference grids (:mod:`heatplan.grid.estimate`, flagged ``grid_source``).
    ``shift``: § 14a EnWG control that shifts the held-back heat (implies ``controlled``)."""
    plan = Plan.from_project(project_dir, frames=FRAMES)
    _check_inputs(plan, hp_share, ev_share)
    if hp_share is None:
        year = year or plan.settings.project.target_year
        hp_share = plan_hp_share(plan.get("scenario_indicators"), year)
    results, grid, choice = _checks(
        plan, [hp_share], ev_share=ev_share, controlled=controlled or shift, shift=shift
    )
    made = plan.with_frames(**grid_check.frames(results[0], grid, year=year, choice=choice))
    made.to_store(made.settings.store_url(Path(project_dir)), step="grid check")
    return results[0]


def check_grid_years(
    project_dir: Path, *, ev_share: float = 0.0, controlled: bool = False, shift: bool = False
) -> dict[int, grid_check.GridCheck]:
    """The grid check at the heat-pump share of every snapshot year of the scenario in one
    call, by year. Stored: every year's rows in ``grid_trafo_areas_by_year`` and
    ``grid_supply_areas_by_year`` (column ``year``); the target year's (else the last year's)
    as ``grid_trafo_areas`` and ``grid_supply_areas``, which the classification reads."""
    plan = Plan.from_project(project_dir, frames=FRAMES)
    _check_inputs(plan, None, ev_share)
    indicators = plan.get("scenario_indicators")
    years = snapshot_years(indicators)
    shares = [plan_hp_share(indicators, y) for y in years]
    results, grid, choice = _checks(
        plan, shares, ev_share=ev_share, controlled=controlled or shift, shift=shift
    )
    by_year = dict(zip(years, results, strict=True))
    target = plan.settings.project.target_year
    main = target if target in by_year else years[-1]
    made = plan.with_frames(
        **grid_check.frames(by_year[main], grid, year=main, choice=choice),
        **grid_check.year_frames(by_year, choice=choice),
    )
    made.to_store(made.settings.store_url(Path(project_dir)), step="grid check")
    return by_year

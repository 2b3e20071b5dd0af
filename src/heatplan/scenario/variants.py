"""Scenario variants run and set side by side (settings: :mod:`heatplan.scenario.settings`).

Every default comes from ``data/scenario_parameters.csv`` (plus the heat-pump seasonal
performance factors of ``heater_types.csv`` and the household prices of ``energy_prices.csv``);
a variant (``data/scenario_variants.csv``) overrides some of them:

- ``base``: today's renovation rate (0.69 %/a, BuVEG/B+L 2024) to the target year, no hydrogen.
- ``fast_renovation``: the rate ramps to 2 %/a by 2030 (the rate BuVEG names for the targets).
- ``hydrogen``: as base, but the gas network of hydrogen areas is converted (GEG § 71k).

The cost indicators of a variant (:func:`variant_costs`, :mod:`heatplan.scenario.costs`):
cumulative final-energy bills at today's household prices plus the investments in renovation,
heaters, house substations and network pipes, as overnight sums and as annuities (real,
undiscounted, EUR of each source's price year).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from heatplan.scenario.costs import pathway_costs
from heatplan.scenario.indicators import INDICATOR_YEARS, anlage2_indicators, indicator_table
from heatplan.scenario.pathway import Pathway, pathway
from heatplan.scenario.settings import variant_settings


def run_variants(
    buildings: pd.DataFrame,
    areas: pd.DataFrame,
    names: Iterable[str] = ("base", "fast_renovation", "hydrogen"),
    *,
    overrides: Mapping[str, Any] | None = None,
    network_mix: pd.DataFrame | None = None,
) -> dict[str, Pathway]:
    """The pathway of every named variant; ``overrides`` apply to all (e.g. ``base_year``)."""
    extra = dict(overrides or {})
    return {
        name: pathway(buildings, areas, variant_settings(name, **extra), network_mix=network_mix)
        for name in names
    }


def variant_costs(
    result: Pathway, areas: pd.DataFrame | None = None, *, interest_rate: float | None = None
) -> dict[str, Any]:
    """Cost indicators of a pathway [EUR, real, undiscounted, base to target year].

    Energy bills, renovation, heater, connection and network investments and their annuities,
    totals, cumulative CO2 [t], unpriced carriers and the price years:
    :func:`heatplan.scenario.costs.pathway_costs`. ``areas`` (the classified areas) is needed
    for the network pipes (NaN without it).
    """
    return pathway_costs(result, areas, interest_rate=interest_rate)


def side_by_side(
    results: Mapping[str, Pathway],
    years: Iterable[int] = INDICATOR_YEARS,
    areas: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicators (rows: year, indicator, key, unit; one column per variant) and costs.

    Returns the wide indicator table and a cost table indexed by variant.
    """
    chosen = tuple(years)
    long = pd.concat(
        [
            indicator_table(anlage2_indicators(result, years=chosen), variant=name)
            for name, result in results.items()
        ],
        ignore_index=True,
    )
    wide = long.pivot_table(
        index=["year", "indicator", "key", "unit"], columns="variant", values="value", sort=False
    )
    costs = pd.DataFrame({name: variant_costs(r, areas) for name, r in results.items()}).T
    return wide.reindex(columns=list(results)), costs.rename_axis("variant")

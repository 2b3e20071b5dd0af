"""The municipal totals of the inventory as released (WPG Anlage 2 I; § 10 Abs. 2).

The ``totals`` table breaks final energy, emissions and heat generators down by carrier,
sector and heater type. Each breakdown cell over fewer than 5 buildings (generators: 3) is
suppressed, with secondary suppression along every margin, so that no cell follows from its
row or column total. The XLSX workbook, the report and XWärmeplan show this table; the release
audit (:mod:`heatplan.publish.release`) counts its cells among the released figures.
"""

from __future__ import annotations

import pandas as pd

from heatplan.areas.reference import carriers_table, with_unknown
from heatplan.areas.totals import PRIOR_SUFFIX
from heatplan.plan import columns as col
from heatplan.publish.rules import (
    MIN_BUILDINGS_CONSUMPTION,
    MIN_BUILDINGS_HEATER,
    SUPPRESSED_NOTICE,
    suppression_mask,
)

__all__ = ["ALL", "COUNTS", "DIMENSIONS", "UNKNOWN", "normalised", "released_inventory"]

DIMENSIONS = (col.CARRIER, "sector", "heater_type")
ALL = "all"
UNKNOWN = "unknown"
#: Indicators that are counts of buildings (no consumption): never suppressed.
COUNTS = ("buildings", "buildings_without_demand")


def normalised(buildings: pd.DataFrame) -> pd.DataFrame:
    heater = buildings.get("heater_type", pd.Series(UNKNOWN, index=buildings.index))
    return pd.DataFrame(
        {
            col.CARRIER: with_unknown(buildings[col.CARRIER]),
            "sector": with_unknown(
                buildings.get("sector", pd.Series(UNKNOWN, index=buildings.index))
            ),
            "heater_type": with_unknown(heater),
        }
    )


def _cell_counts(cells: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    """Buildings of ``frame`` behind each cell (``'all'`` = any value of that dimension)."""
    cache: dict[tuple[str, ...], pd.Series] = {}
    counts = []
    for row in cells.itertuples(index=False):
        dims = tuple(d for d in DIMENSIONS if getattr(row, d) != ALL)
        if not dims:
            counts.append(len(frame))
            continue
        if dims not in cache:
            cache[dims] = frame.groupby(list(dims)).size()
        key = tuple(getattr(row, d) for d in dims)
        counts.append(int(cache[dims].get(key[0] if len(key) == 1 else key, 0)))
    return pd.Series(counts, index=cells.index, dtype="int64")


def _margin_groups(cells: pd.DataFrame) -> list[pd.Series]:
    """Per dimension: cells that add up to the same margin (other dimensions fixed)."""
    groups = []
    for dim in DIMENSIONS:
        others = [d for d in DIMENSIONS if d != dim]
        label = pd.Series(
            [dim + "|" + "|".join(v) for v in cells[others].itertuples(index=False)],
            index=cells.index,
            dtype=object,
        )
        groups.append(label.where(cells[dim] != ALL))
    return groups


def _suppressed_cells(cells: pd.DataFrame, frame: pd.DataFrame | None, minimum: int) -> pd.Series:
    if frame is None:  # counts unknown: only the municipal totals are safe
        return (cells[list(DIMENSIONS)] != ALL).any(axis=1)
    counts = _cell_counts(cells, frame)
    return suppression_mask(counts, _margin_groups(cells), minimum=minimum)


def released_inventory(totals: pd.DataFrame, buildings: pd.DataFrame | None) -> pd.DataFrame:
    """The ``totals`` table (long format) with labels and WPG § 10 suppression.

    Parameters
    ----------
    totals : DataFrame
        ``indicator``, ``carrier``, ``sector``, ``heater_type``, ``value``, ``unit`` as written
        by the inventory (:func:`heatplan.areas.totals.municipality_totals`).
    buildings : DataFrame or None
        ``carrier``, ``sector`` and optionally ``heater_type`` per building, only to count the
        buildings behind each value; None: every breakdown is suppressed.

    Returns
    -------
    DataFrame
        One row per totals row (dimensions as text); ``value`` is NaN and ``note`` says why
        where suppressed.
    """
    missing = [c for c in ("indicator", *DIMENSIONS, "value", "unit") if c not in totals.columns]
    if missing:
        raise ValueError(f"totals: columns {missing} missing; run `heatplan inventory` first")
    # estimates from Zensus carrier shares stay internal: one building's modelled demand
    estimated = totals["indicator"].astype(str).str.endswith(PRIOR_SUFFIX)
    out = totals[~estimated].reset_index(drop=True).copy()
    out[list(DIMENSIONS)] = out[list(DIMENSIONS)].astype(str)
    frame = normalised(buildings) if buildings is not None else None
    generators = out["indicator"] == "decentral_generators"
    hidden = pd.Series(False, index=out.index)
    for rows, minimum, base in (
        (~generators & ~out["indicator"].isin(COUNTS), MIN_BUILDINGS_CONSUMPTION, frame),
        (generators, MIN_BUILDINGS_HEATER, _decentral(frame)),
    ):
        cells = out.loc[rows, list(DIMENSIONS)].drop_duplicates()
        mask = _suppressed_cells(cells, base, minimum)
        flagged = cells[mask.to_numpy()]
        hit = out[list(DIMENSIONS)].merge(flagged.assign(_hit=True), how="left")["_hit"]
        hidden |= rows & hit.notna().to_numpy()
        out.loc[rows & hidden, "note"] = SUPPRESSED_NOTICE.format(n=minimum)
    out["value"] = out["value"].astype(float).where(~hidden)
    return out


def _decentral(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    network = frame[col.CARRIER].map(carriers_table()["network"])
    return frame[network.ne("heat").to_numpy()]

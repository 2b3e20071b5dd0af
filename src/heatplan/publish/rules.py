"""What may leave the project for the public (WPG §§ 10-12).

Consumption and heater data leave the project only aggregated: a value over fewer than
:data:`MIN_BUILDINGS_CONSUMPTION` buildings (heater counts: :data:`MIN_BUILDINGS_HEATER`) is
suppressed. Suppression is also *secondary*: where published cells add up to a published total
(blocks to their area, areas and segments to the municipality, carrier x sector cells to their
margins), the suppressed cells of each sum hold together either no building or at least the
minimum, so that no suppressed value can be recovered by subtracting the published ones.

Rows marked ``confidential`` (trade secrets, critical infrastructure; WPG § 11 Abs. 4) are never
exported. Layers with one row per building are never exported (:data:`BUILDING_LEVEL_LAYERS`).

Exports, reports and the public web map all go through these rules; nothing public is built
from the store without them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
from geopandas.array import GeometryDtype

from heatplan.plan import columns as col

__all__ = [
    "BUILDING_LEVEL_LAYERS",
    "MIN_BUILDINGS_CONSUMPTION",
    "MIN_BUILDINGS_HEATER",
    "SUPPRESSED_NOTICE",
    "area_suppression",
    "drop_confidential",
    "flags",
    "notices",
    "public_areas",
    "smaller_part",
    "suppress",
    "suppress_area_rows",
    "suppress_secondary",
    "suppression_mask",
]

#: WPG § 10 Abs. 2: consumption only aggregated over at least 5 neighbouring house numbers /
#: meters.
MIN_BUILDINGS_CONSUMPTION = 5
#: WPG § 10 Abs. 2 (single-family houses): heater data aggregated over at least 3 buildings.
MIN_BUILDINGS_HEATER = 3
#: What a suppressed text cell says instead.
SUPPRESSED_NOTICE = "unterdrückt: weniger als {n} Gebäude (§ 10 Abs. 2 WPG)"

#: Layers and tables with one row per building (or per building option): never public.
BUILDING_LEVEL_LAYERS = frozenset(
    {
        "buildings",
        "building_options",
        "building_costs",
        "decentral_options",
        "consumption",
        "heaters",
        "network_nodes",
        "roof_surfaces",
        "network_load",
    }
)

#: Columns of ``areas`` that say nothing about the buildings' consumption or heaters.
AREA_STRUCTURAL = (
    col.AREA_ID,
    "name",
    "block_ids",
    "source",
    "buildings",
    "buildings_without_demand",
    "area_ha",
    "street_length_m",
    "gas_network_m",
    "heat_network_m",
    "nearest_potential_m",
    "nearest_potential_kind",
    "eignung_shortened",
    "predominant_use",
    "predominant_age_class",
    "geometry",
)
#: Classification columns (kept) by prefix; the reason texts carry figures and are replaced.
AREA_CLASSIFICATION_PREFIXES = ("area_type_", "likelihood_", "eignung_")
AREA_TEXT_COLUMNS = (
    "explanation",
    "explanation_en",
    "eignung_reason",
    "eignung_reason_en",
    "saving_reason",
    "saving_reason_en",
)


def suppression_mask(
    counts: pd.Series,
    groups: Sequence[pd.Series] = (),
    *,
    minimum: int = MIN_BUILDINGS_CONSUMPTION,
) -> pd.Series:
    """Rows whose aggregate must be suppressed, primary and secondary.

    Parameters
    ----------
    counts : Series
        Number of buildings behind each row's values [count]. Rows with 0 buildings carry no
        data and are never suppressed.
    groups : sequence of Series
        Each Series labels the rows that add up to one published total (same index as
        ``counts``; missing labels: the row is in no sum of that kind).
    minimum : int
        Fewest buildings a published aggregate may cover [count].

    Returns
    -------
    Series of bool
        True where the row is suppressed: ``0 < count < minimum``, plus, inside every group, the
        smallest further rows until the suppressed rows of the group hold 0 or >= ``minimum``
        buildings.

    Examples
    --------
    >>> counts = pd.Series([2, 7, 9, 0])
    >>> suppression_mask(counts, [pd.Series(["a", "a", "a", "a"])]).tolist()
    [True, True, False, False]
    """
    n = pd.to_numeric(counts, errors="coerce").fillna(0).to_numpy(float)
    mask = (n > 0) & (n < minimum)
    labels = [pd.Series(g, index=counts.index).to_numpy(object) for g in groups]
    changed = True
    while changed:
        changed = False
        for label in labels:
            changed |= suppress_secondary(n, mask, label, minimum)
    return pd.Series(mask, index=counts.index, name="suppressed")


def suppress_secondary(n: np.ndarray, mask: np.ndarray, label: np.ndarray, minimum: int) -> bool:
    """Suppress more rows of each group whose suppressed rows hold 1..minimum-1 buildings."""
    changed = False
    for value in pd.unique(label[pd.notna(label)]):
        members = np.flatnonzero(label == value)
        while 0 < n[members][mask[members]].sum() < minimum:
            open_rows = members[~mask[members] & (n[members] > 0)]
            if not len(open_rows):
                break
            mask[open_rows[np.argmin(n[open_rows])]] = True
            changed = True
    return changed


def suppress(
    frame: pd.DataFrame,
    mask: pd.Series,
    *,
    keep: Collection[str],
    texts: Collection[str] = (),
    minimum: int = MIN_BUILDINGS_CONSUMPTION,
) -> pd.DataFrame:
    """Blank every column but ``keep`` on the masked rows; ``texts`` get the notice instead."""
    out = frame.copy()
    rows = mask.reindex(out.index, fill_value=False).to_numpy(bool)
    if not rows.any():
        return out
    for column in out.columns:
        if column in keep or isinstance(out[column].dtype, GeometryDtype):
            continue
        if column in texts:
            out[column] = out[column].astype(object)
            out.loc[rows, column] = SUPPRESSED_NOTICE.format(n=minimum)
        elif pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(
            out[column]
        ):
            out[column] = out[column].astype(float)
            out.loc[rows, column] = np.nan
        else:
            out[column] = out[column].astype(object)
            out.loc[rows, column] = None
    return out


def drop_confidential(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Rows not flagged ``confidential`` (WPG § 11 Abs. 4) and how many were left out."""
    if "confidential" not in frame.columns:
        return frame, 0
    flagged = flags(frame["confidential"])
    return frame[~flagged].drop(columns="confidential"), int(flagged.sum())


def notices(mask: pd.Series, minimum: int = MIN_BUILDINGS_CONSUMPTION) -> pd.Series:
    """The suppression notice where ``mask`` is True, else None."""
    notice = SUPPRESSED_NOTICE.format(n=minimum)
    return pd.Series([notice if m else None for m in mask], index=mask.index, dtype=object)


def smaller_part(buildings: pd.Series, excluded: pd.Series) -> pd.Series:
    """Buildings a per-building potential rests on, counting differencing [count].

    The sum over the included buildings equals a published total (the demand of the block or
    town) minus the excluded buildings' share, so both parts must reach the minimum: where both
    are positive the smaller one counts, otherwise all ``buildings``.

    Examples
    --------
    >>> smaller_part(pd.Series([29, 29, 6]), pd.Series([0, 2, 6])).tolist()
    [29, 2, 6]
    """
    included = buildings - excluded
    both = (included > 0) & (excluded > 0)
    return buildings.where(~both, included.where(included < excluded, excluded))


#: Texts a flag column may hold (GeoPackage stores a bool column with gaps as text).
FALSE_TEXTS = frozenset({"", "0", "0.0", "false", "no", "nein", "n", "f"})


def flags(values: pd.Series) -> pd.Series:
    """Truth values of a flag column (missing: False), whatever its stored dtype.

    Examples
    --------
    >>> flags(pd.Series([True, "False", "true", 0.0, None, "ja"])).tolist()
    [True, False, True, False, False, True]
    """
    return values.map(_flag).astype(bool)


def _flag(value: object) -> bool:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return False
    if isinstance(value, str):
        return value.strip().casefold() not in FALSE_TEXTS
    return bool(value)


def public_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """The supply areas with the indicators of areas under the minimum suppressed.

    The classification (types, likelihoods, suitability grades) stays: it is the plan. The
    figures and the reason texts (which quote line density and costs) of an area with fewer
    than :data:`MIN_BUILDINGS_CONSUMPTION` buildings — or of the areas needed to protect it
    against differencing with the municipal total — are blanked.
    """
    keep = [c for c in areas.columns if _is_area_structural(c)]
    texts = [c for c in AREA_TEXT_COLUMNS if c in areas.columns]
    return suppress(areas, area_suppression(areas), keep=keep, texts=texts)


def suppress_area_rows(areas: pd.DataFrame, rows: Collection[object]) -> pd.DataFrame:
    """``areas`` with the figures and reason texts of the rows labelled ``rows`` blanked."""
    keep = [c for c in areas.columns if _is_area_structural(c)]
    texts = [c for c in AREA_TEXT_COLUMNS if c in areas.columns]
    mask = pd.Series(areas.index.isin(list(rows)), index=areas.index)
    return suppress(areas, mask, keep=keep, texts=texts)


def area_suppression(areas: pd.DataFrame) -> pd.Series:
    """Areas whose figures are suppressed (under the minimum, or needed against differencing)."""
    if "buildings" not in areas.columns:
        raise ValueError(
            f"areas: column 'buildings' missing (needed for WPG § 10 aggregation), "
            f"got {list(areas.columns)}"
        )
    return suppression_mask(areas["buildings"], [pd.Series("town", index=areas.index)])


def _is_area_structural(column: str) -> bool:
    if column in AREA_STRUCTURAL:
        return True
    return column.startswith(AREA_CLASSIFICATION_PREFIXES) and column not in AREA_TEXT_COLUMNS

"""Final energy by carrier and heaters by type per block: the cells of the XWärmeplan blocks.

WP_EnergieBaublock publishes, per block, the final energy of each carrier and the number of
heat generators of each type; WP_GasNetzBaublock the number of gas connections. Counted on the
buildings, these are consumption and heater data (WPG § 10 Abs. 2): a cell over fewer than 5
buildings (heaters: 3) is suppressed, also against differencing within its block and across
blocks (:func:`heatplan.publish.cells.cell_mask`), and published as the block's "other" cell
(``OTHER``) so that each block's cells still add up. The tables are part of the one release
that :mod:`heatplan.publish.release` audits; the XWärmeplan writer only formats them.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.publish.cells import cell_mask
from heatplan.publish.rules import MIN_BUILDINGS_CONSUMPTION, MIN_BUILDINGS_HEATER

__all__ = ["OTHER", "block_energy_cells", "block_heater_cells", "category_of", "unit_keys"]

#: Category of a block's suppressed cells, summed.
OTHER = "other"
#: Separator of heater type and carrier in a heater category.
SEP = "|"


def unit_keys(values: pd.Series) -> pd.Series:
    """Block ids as text (8, 8.0 and "8" are one block); missing ids: ""."""
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.notna() & (numbers == numbers.round())
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    text = text.where(~whole, numbers.round().astype("Int64").astype(str))
    return text.replace({"nan": "", "None": ""})


def category_of(buildings: pd.DataFrame, kind: str) -> pd.Series:
    """Each building's category: its carrier (``energy``) or heater type and carrier."""
    carrier = buildings[col.CARRIER].astype(object).where(buildings[col.CARRIER].notna(), "unknown")
    if kind == "energy":
        return carrier.astype(str)
    heater = buildings.get("heater_type", pd.Series("unknown", index=buildings.index))
    heater = heater.astype(object).where(heater.notna(), "unknown")
    return heater.astype(str) + SEP + carrier.astype(str)


def _cells(buildings: pd.DataFrame, kind: str, value: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            col.BLOCK_ID: unit_keys(buildings[col.BLOCK_ID]).to_numpy(),
            "category": category_of(buildings, kind).to_numpy(),
            "value": pd.to_numeric(value, errors="coerce").fillna(0.0).to_numpy(),
        }
    )
    frame = frame[frame[col.BLOCK_ID] != ""]
    return frame.groupby([col.BLOCK_ID, "category"], as_index=False).agg(
        buildings=("value", "size"), value=("value", "sum")
    )


def _released(cells: pd.DataFrame, hidden: Collection[str], minimum: int) -> pd.DataFrame:
    """Published cells per shown block, the suppressed ones summed as :data:`OTHER`."""
    cells = cells[cells["value"] > 0].reset_index(drop=True)
    mask = cell_mask(
        cells, unit=col.BLOCK_ID, category="category", hidden_units=hidden, minimum=minimum
    )
    cells = cells.assign(
        category=np.where(mask.to_numpy(), OTHER, cells["category"]),
        suppressed=mask.to_numpy(),
    )
    shown = cells[~cells[col.BLOCK_ID].isin(list(hidden))]
    return shown.groupby([col.BLOCK_ID, "category"], as_index=False, sort=True).agg(
        value=("value", "sum"), buildings=("buildings", "sum")
    )


def block_energy_cells(buildings: pd.DataFrame, hidden: Collection[str]) -> pd.DataFrame:
    """Final energy per block and carrier [kWh/a] (``block_id``, ``category``, ``value``).

    ``buildings`` counts the buildings behind each published cell (the gas connections of
    WP_GasNetzBaublock); an :data:`OTHER` row holds the suppressed cells of the block.
    """
    cells = _cells(buildings, "energy", buildings[col.FINAL_ENERGY_KWH_PER_A])
    return _released(cells, hidden, MIN_BUILDINGS_CONSUMPTION)


def block_heater_cells(buildings: pd.DataFrame, hidden: Collection[str]) -> pd.DataFrame:
    """Heat generators per block and heater type|carrier [count]; suppressed ones :data:`OTHER`."""
    generators = buildings.get("generators", pd.Series(1, index=buildings.index))
    cells = _cells(buildings, "heaters", generators)
    return _released(cells, hidden, MIN_BUILDINGS_HEATER).drop(columns="buildings")

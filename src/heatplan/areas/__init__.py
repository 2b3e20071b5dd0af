"""Planning geometry of the Bestandsanalyse: street segments, building blocks, grid cells.

Derives the spatial units of WPG Anlage 2 (street segments between junctions, building blocks,
a 100 m reference grid), assigns buildings to them and aggregates their indicators.
"""

from heatplan.areas.assign import assign_to_blocks, assign_to_segments
from heatplan.areas.blocks import default_boundary, derive_blocks
from heatplan.areas.grid import cell_code, grid_100m
from heatplan.areas.indicators import (
    block_indicators,
    grid_indicators,
    heat_density_class,
    municipality_totals,
    segment_indicators,
)
from heatplan.areas.segments import street_segments

__all__ = [
    "assign_to_blocks",
    "assign_to_segments",
    "block_indicators",
    "cell_code",
    "default_boundary",
    "derive_blocks",
    "grid_100m",
    "grid_indicators",
    "heat_density_class",
    "municipality_totals",
    "segment_indicators",
    "street_segments",
]

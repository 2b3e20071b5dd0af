"""The one place that decides what may leave the project for the public (WPG §§ 10-12).

Every public output — exports, the public report, the web map's API without login — takes its
tables through these functions: no building-level consumption or heater data, aggregates over
fewer than 5 buildings (heaters: 3) suppressed, also against differencing, confidential rows never.
"""

from heatplan.publish.cells import cell_mask
from heatplan.publish.layers import PUBLIC_LAYERS, Withheld, public_layers
from heatplan.publish.rules import (
    AREA_STRUCTURAL,
    BUILDING_LEVEL_LAYERS,
    MIN_BUILDINGS_CONSUMPTION,
    MIN_BUILDINGS_HEATER,
    SUPPRESSED_NOTICE,
    area_suppression,
    drop_confidential,
    flags,
    notices,
    public_areas,
    smaller_part,
    suppress,
    suppression_mask,
)

__all__ = [
    "AREA_STRUCTURAL",
    "BUILDING_LEVEL_LAYERS",
    "MIN_BUILDINGS_CONSUMPTION",
    "MIN_BUILDINGS_HEATER",
    "PUBLIC_LAYERS",
    "SUPPRESSED_NOTICE",
    "Withheld",
    "area_suppression",
    "cell_mask",
    "drop_confidential",
    "flags",
    "notices",
    "public_areas",
    "public_layers",
    "smaller_part",
    "suppress",
    "suppression_mask",
]

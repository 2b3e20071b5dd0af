"""The map's network layer: a network examined in an area that is not a network area is not
drawn as planned (issue: a planned network inside areas classified decentral in every year)."""

from __future__ import annotations

import geopandas as gpd
import shapely

from heatplan.publish.layers import pipe_status
from heatplan.web.legend import NETWORK_STATUS

CRS = "EPSG:25832"


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "area_id": ["N", "D"],
            "area_type_2030": ["pruefgebiet", "dezentral"],
            "area_type_2045": ["waermenetz_neubau", "dezentral"],
        },
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
        crs=CRS,
    )


def test_pipes_in_areas_never_classified_for_a_network_are_examined() -> None:
    pipes = gpd.GeoDataFrame(
        {"existing": [False, False, True, False]},
        geometry=[
            shapely.LineString([(10, 50), (90, 50)]),  # network area in 2045: planned
            shapely.LineString([(110, 50), (190, 50)]),  # decentral every year: examined
            shapely.LineString([(120, 20), (180, 20)]),  # an existing line stays existing
            shapely.LineString([(300, 50), (390, 50)]),  # outside every area: planned
        ],
        crs=CRS,
    )
    status = pipe_status(pipes, _areas()).tolist()
    assert status == ["planned", "examined", "existing", "planned"]
    assert set(status) <= set(NETWORK_STATUS)  # every status has a legend entry
    # without areas (no classification yet) nothing is called examined
    assert pipe_status(pipes, None).tolist() == ["planned", "planned", "existing", "planned"]

"""A seeded synthetic town for scale benchmarks (synthetic data is allowed for benchmarks only).

A lattice town with 100 m street spacing, eight footprints per block of mixed TABULA uses and
age classes, and metered gas for a third of the buildings. ``unknown=True`` leaves a share of the
uses and age classes unknown, as an incomplete real register would.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.project.config import PlanSettings, load_config, write_config
from heatplan.project.create import create_project
from heatplan.project.store import GeoPackageStore

USES = np.array(["sfh", "sfh", "sfh", "th", "mfh", "ab", "office", "retail"])
AGE_CLASSES = np.array(
    [
        "-1859",
        "1860-1918",
        "1919-1948",
        "1949-1957",
        "1958-1968",
        "1969-1978",
        "1979-1983",
        "1984-1994",
        "1995-2001",
        "2002-2009",
    ]
)


def synthetic_town(
    n: int, seed: int = 1, unknown_share: float = 0.0
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Buildings, streets and metered consumption of a lattice town of ``n`` buildings.

    ``unknown_share`` of the buildings get an unknown use and age class.
    """
    rng = np.random.default_rng(seed)
    per_block = 8
    side = int(np.ceil(np.sqrt(n / per_block)))
    block = np.arange(n) // per_block
    bx, by = block % side, block // side
    slot = np.arange(n) % per_block
    x0 = 400_000 + bx * 100.0 + 15 + (slot % 4) * 20
    y0 = 5_300_000 + by * 100.0 + 15 + (slot // 4) * 45
    w = rng.uniform(8, 14, n)
    footprints = shapely.box(x0, y0, x0 + w, y0 + w * rng.uniform(0.8, 1.4, n))
    ids = np.char.add("B", np.arange(n).astype(str))
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ids,
            "source_file": "synthetic",
            "source_row": np.arange(1, n + 1),
            "use": rng.choice(USES, n),
            "construction_year": np.nan,
            "age_class": rng.choice(AGE_CLASSES, n),
            "floors": rng.integers(1, 6, n).astype(float),
            "footprint_area_m2": shapely.area(footprints),
        },
        geometry=footprints,
        crs="EPSG:25832",
    )
    unknown = rng.random(n) < unknown_share
    buildings.loc[unknown, "use"] = "unknown"
    buildings.loc[unknown, "age_class"] = None
    coords = np.arange(side + 1) * 100.0
    h = [
        shapely.LineString([(400_000, 5_300_000 + c), (400_000 + side * 100.0, 5_300_000 + c)])
        for c in coords
    ]
    v = [
        shapely.LineString([(400_000 + c, 5_300_000), (400_000 + c, 5_300_000 + side * 100.0)])
        for c in coords
    ]
    streets = gpd.GeoDataFrame(geometry=h + v, crs="EPSG:25832")
    metered = rng.random(n) < 1 / 3
    consumption = pd.DataFrame(
        {
            "building_id": np.repeat(ids[metered], 3),
            "year": np.tile([2021, 2022, 2023], int(metered.sum())),
            "carrier": "natural_gas",
            "value": rng.uniform(8_000, 40_000, int(metered.sum()) * 3),
            "unit": "kWh",
        }
    )
    consumption["final_energy_kwh"] = consumption["value"]
    return buildings, streets, consumption


def make_project(folder: Path, n: int, unknown_share: float = 0.0) -> None:
    """A project in ``folder`` with the synthetic town imported (as ``heatplan import`` would)."""
    # a Gemeindeschlüssel of the right form (state 99 does not exist: no real municipality)
    create_project(folder, name=f"synthetic-{n}", key="99000001")
    config = load_config(folder)  # a draft's plan dates as the demo sets them (for XWärmeplan)
    today = dt.date.today()
    config.plan = PlanSettings(
        description="synthetic town (benchmark only)",
        start_decision_date=today,
        adoption_date=today,
        draft=True,
    )
    write_config(folder, config)
    buildings, streets, consumption = synthetic_town(n, unknown_share=unknown_share)
    store = GeoPackageStore(folder / "plan.gpkg")
    with store.transaction(step="synthetic import") as writer:
        writer.write("buildings", buildings)
        writer.write("streets", streets)
        writer.write("consumption", consumption)

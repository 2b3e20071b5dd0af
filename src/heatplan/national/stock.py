"""A synthetic national building stock, for benchmarks only (seeded, never a plan's input).

The stock is statistically plausible by federal state: its residential buildings are split
over the 16 states and their municipalities in proportion to ``data/national_stock_states.csv``
(Zensus 2022 buildings with dwellings, municipalities of the GV-ISys), house types by the state's
shares and construction-age classes by ``data/national_stock_ages.csv``. Each municipality is a
lattice town as in ``benchmarks/bench_inventory_scale.py``: blocks of 100 m between straight
streets, eight footprints (small rectangles around their points) per block, metered gas for
a third of the buildings. Municipality sizes within a state follow a log-normal distribution
(few large towns, many villages). Municipality keys are synthetic 8-digit keys shaped like the
AGS (two digits of the state, six of a running number), not real ones.

:func:`write_stock` writes the stock as GeoParquet partitioned by municipality key
(``buildings/ags=01000001/part-0.parquet``, likewise ``streets`` and ``consumption``), the
input of :func:`heatplan.national.run.run_national`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from heatplan import reference
from heatplan.national.partitions import KEY, write_partition
from heatplan.reference.weather import try_outline

__all__ = [
    "STATES_FILE",
    "StockSummary",
    "inside_germany",
    "municipality_sizes",
    "synthetic_stock",
    "write_stock",
]

STATES_FILE = "national_stock_states.csv"
AGES_FILE = "national_stock_ages.csv"
#: CRS of the synthetic stock (ETRS89 / UTM 32N, the project default).
CRS = "EPSG:25832"
#: Buildings per block and block pitch [m] (benchmark choice, as bench_inventory_scale.py).
PER_BLOCK = 8
BLOCK_M = 100.0
#: Gap between two synthetic towns [m] (benchmark choice).
TOWN_GAP_M = 500.0
#: Share of buildings with three years of metered gas (benchmark choice).
METERED_SHARE = 1 / 3
#: Log-normal shape of the municipality sizes within a state [-] (benchmark choice: a few
#: towns hold most buildings, as in the GV-ISys; not fitted).
SIZE_SIGMA = 1.2
#: Fewest buildings of a synthetic municipality (one block).
MIN_TOWN_BUILDINGS = PER_BLOCK
#: Storeys (low, high inclusive) and footprint edge [m] by house type (benchmark choice).
FLOORS = {"sfh": (1, 2), "th": (2, 3), "mfh": (3, 5), "ab": (5, 8)}
EDGE_M = {"sfh": (8.0, 12.0), "th": (6.0, 9.0), "mfh": (12.0, 16.0), "ab": (14.0, 16.0)}
USES = ("sfh", "th", "mfh", "ab")


@dataclass(frozen=True)
class Town:
    """One synthetic municipality: key, state, buildings and the lower-left corner [m]."""

    key: str
    state_key: str
    buildings: int
    x0_m: float
    y0_m: float


@dataclass
class StockSummary:
    """What :func:`write_stock` wrote."""

    buildings: int
    municipalities: int
    states: int
    folder: str


def states() -> pd.DataFrame:
    """The states' table with codes as text (``01`` … ``16``)."""
    table = reference.table(STATES_FILE)
    table["state_key"] = table["state_key"].astype(int).map("{:02d}".format)
    return table


def municipality_sizes(total: int, seed: int = 1) -> pd.DataFrame:
    """Municipalities (``ags``, ``state_key``, ``buildings``) of a stock of ``total`` buildings.

    Each state gets its share of ``total`` (largest remainder), and as many municipalities as
    its real count scaled by ``total`` / the national stock (at least one); their sizes are
    log-normal, at least :data:`MIN_TOWN_BUILDINGS`.
    """
    table = states()
    share = table["residential_buildings"] / table["residential_buildings"].sum()
    per_state = _largest_remainder(share.to_numpy(float), total)
    scale = total / float(table["residential_buildings"].sum())
    rng = np.random.default_rng(seed)
    rows = []
    for (_, state), n_state in zip(table.iterrows(), per_state, strict=True):
        count = max(1, round(float(state["municipalities"]) * scale))
        count = min(count, max(1, int(n_state) // MIN_TOWN_BUILDINGS))
        weights = rng.lognormal(0.0, SIZE_SIGMA, count)
        extra = _largest_remainder(
            weights / weights.sum(), int(n_state) - MIN_TOWN_BUILDINGS * count
        )
        sizes = extra + MIN_TOWN_BUILDINGS
        for i, size in enumerate(sizes, start=1):
            rows.append((f"{state['state_key']}{i:06d}", state["state_key"], int(size)))
    return pd.DataFrame(rows, columns=[KEY, "state_key", "buildings"])


def towns(total: int, seed: int = 1) -> list[Town]:
    """The municipalities of :func:`municipality_sizes` placed without overlap.

    Towns sit on a lattice of slots as wide as the largest town; the states, smallest number
    of municipalities first, take the free slots nearest their centre.
    """
    sizes = municipality_sizes(total, seed)
    side_m = np.ceil(np.sqrt(sizes["buildings"] / PER_BLOCK)) * BLOCK_M
    pitch = float(side_m.max()) + TOWN_GAP_M
    table = states().set_index("state_key")
    to_utm = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    cx, cy = to_utm.transform(table["centre_lon"].to_numpy(), table["centre_lat"].to_numpy())
    centres = dict(zip(table.index, zip(cx, cy, strict=True), strict=True))
    half = int(np.ceil(np.sqrt(len(sizes)))) + 400_000 // int(pitch) + 2
    grid = np.arange(-half, half + 1) * pitch
    sx, sy = np.meshgrid(grid + float(np.mean(cx)), grid + float(np.mean(cy)))
    slots = np.column_stack([sx.ravel(), sy.ravel()])
    free = inside_germany(slots, pitch)
    if free.sum() < len(sizes):
        raise ValueError(f"{len(sizes)} towns do not fit into Germany's {free.sum()} slots")
    placed: list[Town] = []
    order = sizes.groupby("state_key").size().sort_values(kind="stable").index
    for state_key in order:
        members = sizes[sizes["state_key"] == state_key]
        x, y = centres[state_key]
        distance = np.hypot(slots[:, 0] - x, slots[:, 1] - y)
        distance[~free] = np.inf
        chosen = np.argsort(distance, kind="stable")[: len(members)]
        free[chosen] = False
        for (_, town), slot in zip(members.iterrows(), chosen, strict=True):
            placed.append(
                Town(town[KEY], state_key, int(town["buildings"]), *map(float, slots[slot]))
            )
    return sorted(placed, key=lambda t: t.key)


def inside_germany(corners: np.ndarray, pitch_m: float) -> np.ndarray:
    """Whether each slot (lower-left ``corners`` [m], square of ``pitch_m``) lies in Germany.

    Germany is the union of the DWD TRY 2010 regions, so every town's centre finds its
    weather region (a slot across the border would fail the inventory at 5M buildings).
    """
    outline = try_outline().to_crs(CRS).union_all()
    boxes = shapely.box(
        corners[:, 0], corners[:, 1], corners[:, 0] + pitch_m, corners[:, 1] + pitch_m
    )
    # A slot the border does not reach lies wholly inside or wholly outside: its corner tells
    # which. Only the slots on the border take the full test, on the outline as it is (a
    # prepared outline decides a few of them differently, which would move towns).
    border = shapely.boundary(outline)
    shapely.prepare(border)
    on_border = np.asarray(shapely.intersects(border, boxes), bool)
    inside = np.zeros(len(boxes), bool)
    inside[on_border] = shapely.contains(outline, boxes[on_border])
    off = ~on_border
    inside[off] = shapely.contains_xy(outline, corners[off, 0], corners[off, 1])
    return inside


def synthetic_town(
    town: Town, shares: pd.Series, ages: pd.DataFrame, seed: int = 1
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Buildings, streets and metered consumption of one synthetic municipality.

    ``shares`` are the state's house-type shares (``share_sfh`` …), ``ages`` the age classes
    with their ``share``. The town's own random stream (seed, key) makes it reproducible
    whatever else is generated.
    """
    rng = np.random.default_rng([seed, int(town.key)])
    n = town.buildings
    side = int(np.ceil(np.sqrt(n / PER_BLOCK)))
    block = np.arange(n) // PER_BLOCK
    slot = np.arange(n) % PER_BLOCK
    x0 = town.x0_m + (block % side) * BLOCK_M + 15 + (slot % 4) * 20
    y0 = town.y0_m + (block // side) * BLOCK_M + 15 + (slot // 4) * 45
    p = np.array([shares[f"share_{u}"] for u in USES], float)
    use = rng.choice(np.array(USES), n, p=p / p.sum())
    low = np.array([EDGE_M[u][0] for u in use])
    high = np.array([EDGE_M[u][1] for u in use])
    width = rng.uniform(low, high)
    footprints = shapely.box(x0, y0, x0 + width, y0 + width * rng.uniform(0.8, 1.4, n))
    floors_low = np.array([FLOORS[u][0] for u in use])
    floors_high = np.array([FLOORS[u][1] for u in use])
    age_p = ages["share"].to_numpy(float)
    ids = np.char.add(f"{town.key}-", np.arange(n).astype(str))
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ids,
            "source_file": "synthetic national stock",
            "source_row": np.arange(1, n + 1),
            "use": use,
            "construction_year": np.nan,
            "age_class": rng.choice(ages["age_class"].to_numpy(str), n, p=age_p / age_p.sum()),
            "floors": rng.integers(floors_low, floors_high + 1).astype(float),
            "footprint_area_m2": shapely.area(footprints),
        },
        geometry=footprints,
        crs=CRS,
    )
    edge = side * BLOCK_M
    lines = [
        shapely.LineString([(town.x0_m, town.y0_m + c), (town.x0_m + edge, town.y0_m + c)])
        for c in np.arange(side + 1) * BLOCK_M
    ] + [
        shapely.LineString([(town.x0_m + c, town.y0_m), (town.x0_m + c, town.y0_m + edge)])
        for c in np.arange(side + 1) * BLOCK_M
    ]
    streets = gpd.GeoDataFrame(
        {"street_id": [f"{town.key}-s{i}" for i in range(len(lines))]}, geometry=lines, crs=CRS
    )
    metered = rng.random(n) < METERED_SHARE
    k = int(metered.sum())
    value = rng.uniform(8_000, 40_000, k * 3)
    consumption = pd.DataFrame(
        {
            "building_id": np.repeat(ids[metered], 3),
            "year": np.tile([2021, 2022, 2023], k),
            "carrier": "natural_gas",
            "value": value,
            "unit": "kWh",
            "final_energy_kwh": value,
        }
    )
    return buildings, streets, consumption


def synthetic_stock(
    total: int, seed: int = 1
) -> Iterator[tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]]:
    """Each municipality of a stock of ``total`` buildings: (key, buildings, streets, meters)."""
    if total < MIN_TOWN_BUILDINGS:
        raise ValueError(f"a synthetic stock needs at least {MIN_TOWN_BUILDINGS} buildings")
    shares = states().set_index("state_key")
    ages = reference.table(AGES_FILE)
    for town in towns(total, seed):
        state = shares.loc[[town.state_key]].iloc[0]
        buildings, streets, consumption = synthetic_town(town, state, ages, seed)
        yield town.key, buildings, streets, consumption


def write_stock(folder: Path, total: int, seed: int = 1) -> StockSummary:
    """Write a synthetic stock of ``total`` buildings as GeoParquet partitioned by ``ags``.

    The stock is written under ``FOLDER.partial`` and renamed when complete.
    """
    folder = Path(folder)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    count = 0
    keys: set[str] = set()
    for key, buildings, streets, consumption in synthetic_stock(total, seed):
        write_partition(partial / "buildings", key, buildings)
        write_partition(partial / "streets", key, streets)
        write_partition(partial / "consumption", key, consumption)
        count += len(buildings)
        keys.add(key)
    if folder.exists():
        folder.rmdir()  # an empty folder (callers refuse a non-empty one)
    partial.rename(folder)
    return StockSummary(
        buildings=count,
        municipalities=len(keys),
        states=len({k[:2] for k in keys}),
        folder=str(folder),
    )


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers in proportion to ``shares`` that add up to ``total`` exactly."""
    raw = shares * total
    whole = np.floor(raw).astype(int)
    rest = total - int(whole.sum())
    if rest > 0:
        whole[np.argsort(-(raw - whole), kind="stable")[:rest]] += 1
    return whole

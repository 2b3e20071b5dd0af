"""The national heat map: released aggregates only, every tile within its size budget."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pandas as pd
import pytest
import shapely
from pmtiles.reader import MmapSource, Reader, all_tiles
from tests.test_national import SCHUTTERWALD, _schutterwald
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.national.municipality import plan_municipality
from heatplan.national.partitions import KEY, read_layer, write_partition
from heatplan.national.stock import synthetic_stock
from heatplan.national.tiles import (
    MAX_TILE_BYTES,
    build_pmtiles,
    coarse_grid,
    read_tile,
    tile_bounds,
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Schutterwald and three small synthetic towns planned as a national run's workers do."""
    root = tmp_path_factory.mktemp("tiles")
    frames = {SCHUTTERWALD: _schutterwald()}
    stock = synthetic_stock(2_000, seed=7)
    for _ in range(3):
        key, buildings, streets, consumption = next(stock)
        frames[key] = {"buildings": buildings, "streets": streets, "consumption": consumption}
    for key, layers in frames.items():
        for name, frame in layers.items():
            write_partition(root / "in" / name, key, frame)
        plan_municipality(root / "in", key, root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def archive(run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pmtiles") / "national.pmtiles"
    build_pmtiles(run_dir, path, max_zoom=13)
    return path


def _tiles(path: Path) -> list[tuple[tuple[int, int, int], bytes]]:
    with open(path, "rb") as f:
        return [(zxy, bytes(data)) for zxy, data in all_tiles(MmapSource(f))]


def test_every_tile_keeps_the_size_budget_and_every_zoom_has_tiles(archive: Path) -> None:
    tiles = _tiles(archive)
    assert {z for (z, _, _), _ in tiles} == set(range(14))
    assert max(len(data) for _, data in tiles) <= MAX_TILE_BYTES
    with open(archive, "rb") as f:
        header = Reader(MmapSource(f)).header()
    assert (header["min_zoom"], header["max_zoom"]) == (0, 13)


def test_no_suppressed_cell_appears_in_any_tile(run_dir: Path, archive: Path) -> None:
    cells = read_layer(run_dir / "public_grid_100m")
    suppressed = set(cells.loc[cells["suppressed"], "grid_id"])
    released = set(cells.loc[~cells["suppressed"], "grid_id"])
    assert suppressed  # the towns do have cells of fewer than 5 buildings
    seen: set[str] = set()
    for (z, _, _), data in _tiles(archive):
        layers = mapbox_vector_tile.decode(gzip.decompress(data))
        for name, layer in layers.items():
            for feature in layer["features"]:
                props = feature["properties"]
                if name != "municipalities":
                    assert props["buildings"] >= 5, (z, name, props)
                if name == "grid_100m":
                    seen.add(props["grid_id"])
    assert seen and not seen & suppressed
    assert seen == released  # every released cell is drawn (at zoom 12 and 13)


def test_a_coarse_cell_sums_the_released_cells_only() -> None:
    # hand calculation: two released cells in one 1 km cell, one in its eastern neighbour
    cells = pd.DataFrame(
        {
            KEY: "01000001",
            "grid_id": ["a", "b", "c"],
            "north_m": [3_000_000.0, 3_000_500.0, 3_000_100.0],
            "east_m": [4_000_100.0, 4_000_900.0, 4_001_200.0],
            "buildings": [6, 9, 5],
            "heat_demand_kwh_per_a": [120_000.0, 300_000.0, 80_000.0],
        }
    )
    grid = coarse_grid(cells, 1_000).sort_values("buildings", ignore_index=True)
    assert grid["buildings"].tolist() == [5, 15]
    assert grid["heat_demand_mwh_per_a"].tolist() == [80.0, 420.0]
    assert grid["heat_density_mwh_per_ha_a"].tolist() == [0.8, 4.2]  # over 100 ha
    square = gpd.GeoSeries(grid.geometry, crs=grid.crs).to_crs("EPSG:3035").iloc[1]
    assert square.bounds == pytest.approx((4_000_000, 3_000_000, 4_001_000, 3_001_000), abs=1e-3)


def test_a_dense_city_stays_within_budget_at_every_zoom(tmp_path: Path) -> None:
    """120 x 120 released cells of 100 m (a 12 km city, every cell built): the densest case."""
    n = 120
    east, north = np.meshgrid(4_300_000 + np.arange(n) * 100.0, 2_700_000 + np.arange(n) * 100.0)
    east, north = east.ravel(), north.ravel()
    demand = np.random.default_rng(1).uniform(1e5, 3e6, n * n)
    squares = gpd.GeoSeries(shapely.box(east, north, east + 100, north + 100), crs="EPSG:3035")
    grid = gpd.GeoDataFrame(
        {
            "grid_id": [
                f"CRS3035RES100mN{int(y)}E{int(x)}" for x, y in zip(east, north, strict=True)
            ],
            "north_m": north,
            "east_m": east,
            "area_ha": 1.0,
            "buildings": 20,
            "heat_demand_kwh_per_a": demand,
            "heat_density_mwh_per_ha_a": demand / 1000,
            "suppressed": False,
        },
        geometry=squares.to_crs("EPSG:25832"),
    )
    key = "11000001"
    write_partition(tmp_path / "run" / "public_grid_100m", key, grid)
    outline = shapely.box(*grid.total_bounds)
    town = gpd.GeoDataFrame(
        {
            "buildings": [20 * n * n],
            "heat_demand_kwh_per_a": [demand.sum()],
            "area_ha": [outline.area / 1e4],
            "heat_density_mwh_per_ha_a": [demand.sum() / 1000 / (outline.area / 1e4)],
            "suppressed": [False],
        },
        geometry=[outline],
        crs="EPSG:25832",
    )
    write_partition(tmp_path / "run" / "public_municipalities", key, town)
    summary = build_pmtiles(tmp_path / "run", tmp_path / "city.pmtiles", max_zoom=12)
    assert summary.features["grid_100m"] == n * n
    assert 0 < summary.largest_tile_bytes <= MAX_TILE_BYTES


def test_read_tile_gives_the_layers_of_a_tile(archive: Path) -> None:
    (z, x, y), _ = next(t for t in _tiles(archive) if t[0][0] == 12)
    tile = read_tile(archive, z, x, y)
    assert tile is not None and "grid_100m" in tile
    assert read_tile(archive, 12, 0, 0) is None  # the open Pacific: no tile
    minx, miny, maxx, maxy = tile_bounds(1, 1, 0)
    assert (minx, miny) == (0.0, 0.0) and maxx == maxy == pytest.approx(20_037_508.34, abs=0.01)


def test_cli_stock_and_tiles(run_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app, ["national", "stock", str(tmp_path / "stock"), "--buildings", "300", "--json"]
    )
    assert done.exit_code == 0, done.output
    made = json.loads(done.stdout)
    assert made["buildings"] == 300 and made["states"] == 16
    assert len(list((tmp_path / "stock" / "buildings").iterdir())) == made["municipalities"]
    done = runner.invoke(
        app, ["national", "tiles", str(run_dir), "--out", str(tmp_path / "m.pmtiles"), "--json"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["largest_tile_bytes"] <= MAX_TILE_BYTES
    done = runner.invoke(app, ["national", "tiles", str(tmp_path), "--out", "x.pmtiles"])
    assert done.exit_code == 1 and "no such folder" in done.output

"""The national heat map as vector tiles: released aggregates only, in one PMTiles archive.

Input: the output folder of a national run (:mod:`heatplan.national.run`), whose layers
``public_grid_100m`` and ``public_municipalities`` went through the project's privacy release
per municipality (:func:`heatplan.national.municipality.released_grid`: cells of fewer than 5
buildings and the cells that would give them away by differencing suppressed, then the release
audit). Only cells that are released with a value enter the tiles; a suppressed cell appears at
no zoom, not even as an outline. Coarser grids are sums of released 100 m cells only (a sum of
published figures discloses nothing new), so they too hold at least 5 buildings per cell.

Layers by zoom, so that a tile stays small wherever it is (a tile spans 40,075 km / 2^z at the
equator, about 0.63 of that in Germany): ``grid_10km`` at zoom 0–7, ``grid_1km`` at 8–11,
``grid_100m`` at 12 and deeper (a z12 tile, ~6 km wide here, holds at most ~3,600 cells of
100 m), ``municipalities`` (outline, buildings, heat demand and density where released) from
zoom 6. Each tile is a Mapbox Vector Tile (``mapbox-vector-tile``), gzip-compressed, in a
PMTiles v3 archive (``pmtiles``) that any static file server or MapLibre's pmtiles protocol
serves. :data:`MAX_TILE_BYTES` is the budget a tile must keep (checked when writing).
"""

from __future__ import annotations

import gzip
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pandas as pd
import shapely
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from heatplan.errors import HeatplanError
from heatplan.national.partitions import KEY, read_layer
from heatplan.plan import columns as col

__all__ = [
    "MAX_TILE_BYTES",
    "TileSummary",
    "build_pmtiles",
    "coarse_grid",
    "read_tile",
    "tile_layers",
]

#: Largest tile the archive may hold, gzip-compressed [bytes] (issue 20: "at most a few
#: hundred kB per tile at every zoom").
MAX_TILE_BYTES = 300_000
#: Half the width of the web-mercator world [m] (EPSG:3857).
WORLD_M = 20_037_508.342789244
#: Tile extent in integer units (MVT default).
EXTENT = 4096
#: Zoom ranges (first, last inclusive) of each layer; the last grid layer goes to max zoom.
ZOOMS = {"grid_10km": (0, 7), "grid_1km": (8, 11), "grid_100m": (12, 99), "municipalities": (6, 99)}
#: Edge of each grid layer's cells [m] (EPSG:3035, the INSPIRE grid of the 100 m cells).
CELL_M = {"grid_10km": 10_000, "grid_1km": 1_000, "grid_100m": 100}
GRID_CRS = "EPSG:3035"
WEB_CRS = "EPSG:3857"


class TileError(HeatplanError):
    """The run folder cannot be tiled, or a tile breaks the size budget."""


@dataclass
class TileSummary:
    """What :func:`build_pmtiles` wrote."""

    path: str
    tiles: int
    file_bytes: int
    largest_tile_bytes: int
    largest_tile: str
    features: dict[str, int] = field(default_factory=dict)
    tiles_per_zoom: dict[int, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def released_cells(run_dir: Path) -> pd.DataFrame:
    """The released 100 m cells of a run: key, cell, corner [m, EPSG:3035], buildings, demand."""
    cells = read_layer(Path(run_dir) / "public_grid_100m")
    shown = cells[~cells["suppressed"].astype(bool) & cells[col.HEAT_DEMAND_KWH_PER_A].notna()]
    return pd.DataFrame(
        {
            KEY: shown[KEY].astype(str).to_numpy(),
            col.GRID_ID: shown[col.GRID_ID].astype(str).to_numpy(),
            "north_m": shown["north_m"].to_numpy(float),
            "east_m": shown["east_m"].to_numpy(float),
            "buildings": shown["buildings"].to_numpy(int),
            col.HEAT_DEMAND_KWH_PER_A: shown[col.HEAT_DEMAND_KWH_PER_A].to_numpy(float),
        }
    )


def coarse_grid(cells: pd.DataFrame, size_m: int) -> gpd.GeoDataFrame:
    """Released cells summed into cells of ``size_m`` (EPSG:3035), with their squares.

    Columns: ``buildings``, ``heat_demand_mwh_per_a`` and ``heat_density_mwh_per_ha_a`` (over
    the whole coarse cell); a 100 m cell keeps its ``grid_id``.
    """
    north = np.floor(cells["north_m"].to_numpy(float) / size_m) * size_m
    east = np.floor(cells["east_m"].to_numpy(float) / size_m) * size_m
    frame = pd.DataFrame(
        {
            "north_m": north,
            "east_m": east,
            "buildings": cells["buildings"].to_numpy(int),
            "heat_kwh": cells[col.HEAT_DEMAND_KWH_PER_A].to_numpy(float),
        }
    )
    if size_m == 100:
        frame[col.GRID_ID] = cells[col.GRID_ID].to_numpy()
        grouped = frame.rename(columns={"heat_kwh": "heat_kwh_sum"})
    else:
        grouped = frame.groupby(["north_m", "east_m"], as_index=False).agg(
            buildings=("buildings", "sum"), heat_kwh_sum=("heat_kwh", "sum")
        )
    mwh = grouped["heat_kwh_sum"].to_numpy(float) / 1000
    out = pd.DataFrame(
        {
            "buildings": grouped["buildings"].to_numpy(int),
            col.HEAT_DEMAND_MWH_PER_A: np.round(mwh, 0),
            col.HEAT_DENSITY_MWH_PER_HA_A: np.round(mwh / (size_m * size_m / 1e4), 1),
        }
    )
    if col.GRID_ID in grouped.columns:
        out.insert(0, col.GRID_ID, grouped[col.GRID_ID].to_numpy())
    e, n = grouped["east_m"].to_numpy(float), grouped["north_m"].to_numpy(float)
    squares = shapely.box(e, n, e + size_m, n + size_m)
    return gpd.GeoDataFrame(out, geometry=squares, crs=GRID_CRS).to_crs(WEB_CRS)


def released_municipalities(run_dir: Path) -> gpd.GeoDataFrame:
    """Municipal outlines with buildings, heat demand [MWh/a] and density where released."""
    towns = read_layer(Path(run_dir) / "public_municipalities")
    mwh = towns[col.HEAT_DEMAND_KWH_PER_A].astype(float) / 1000
    out = gpd.GeoDataFrame(
        {
            KEY: towns[KEY].astype(str),
            "buildings": towns["buildings"].astype(int),
            col.HEAT_DEMAND_MWH_PER_A: np.round(mwh, 0),
            col.HEAT_DENSITY_MWH_PER_HA_A: np.round(
                towns[col.HEAT_DENSITY_MWH_PER_HA_A].astype(float), 1
            ),
        },
        geometry=towns.geometry,
        crs=towns.crs,
    )
    return out.to_crs(WEB_CRS)


def tile_layers(run_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    """The map's layers in web mercator, released figures only."""
    cells = released_cells(run_dir)
    layers = {name: coarse_grid(cells, size) for name, size in CELL_M.items()}
    layers["municipalities"] = released_municipalities(run_dir)
    return layers


def build_pmtiles(run_dir: Path, path: Path, *, max_zoom: int = 13) -> TileSummary:
    """Write the national heat map of ``run_dir`` to the PMTiles archive ``path``."""
    if not 0 <= max_zoom <= 16:
        raise TileError(f"max zoom must be between 0 and 16, got {max_zoom}")
    layers = tile_layers(Path(run_dir))
    tiles: dict[int, bytes] = {}
    per_zoom: dict[int, int] = {}
    largest = (0, "")
    for zoom in range(max_zoom + 1):
        active = {n: f for n, f in layers.items() if ZOOMS[n][0] <= zoom <= ZOOMS[n][1]}
        for (x, y), content in _tiles_at(active, zoom).items():
            data = gzip.compress(content, mtime=0)
            if len(data) > MAX_TILE_BYTES:
                raise TileError(
                    f"tile {zoom}/{x}/{y} has {len(data):,} bytes, more than {MAX_TILE_BYTES:,}"
                )
            if len(data) > largest[0]:
                largest = (len(data), f"{zoom}/{x}/{y}")
            tiles[zxy_to_tileid(zoom, x, y)] = data
            per_zoom[zoom] = per_zoom.get(zoom, 0) + 1
    if not tiles:
        raise TileError(f"{run_dir}: no released cell to draw")
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as f:
        writer = Writer(f)
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, tiles[tile_id])
        writer.finalize(_header(layers, max_zoom), _metadata(layers, max_zoom))
    partial.replace(path)
    return TileSummary(
        path=str(path),
        tiles=len(tiles),
        file_bytes=path.stat().st_size,
        largest_tile_bytes=largest[0],
        largest_tile=largest[1],
        features={n: len(f) for n, f in layers.items()},
        tiles_per_zoom=per_zoom,
    )


def read_tile(path: Path, z: int, x: int, y: int) -> dict[str, Any] | None:
    """The decoded tile ``z/x/y`` of a PMTiles archive (None where the map has none)."""
    from pmtiles.reader import MmapSource, Reader

    with open(path, "rb") as f:
        data = Reader(MmapSource(f)).get(z, x, y)
    if data is None:
        return None
    decoded: dict[str, Any] = mapbox_vector_tile.decode(gzip.decompress(data))
    return decoded


def tile_bounds(zoom: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Web-mercator bounds (minx, miny, maxx, maxy) [m] of tile ``zoom/x/y`` (XYZ, y down)."""
    size = 2 * WORLD_M / 2**zoom
    return (
        -WORLD_M + x * size,
        WORLD_M - (y + 1) * size,
        -WORLD_M + (x + 1) * size,
        WORLD_M - y * size,
    )


def _tiles_at(layers: dict[str, gpd.GeoDataFrame], zoom: int) -> dict[tuple[int, int], bytes]:
    """Every tile of ``zoom`` that some feature touches, encoded (not yet compressed)."""
    size = 2 * WORLD_M / 2**zoom
    pixel = size / 256
    parts: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for name, frame in layers.items():
        if frame.empty:
            continue
        geometry = np.asarray(frame.geometry.to_numpy())
        if name == "municipalities":
            geometry = shapely.simplify(geometry, pixel)
        bounds = shapely.bounds(geometry)
        x0 = np.floor((bounds[:, 0] + WORLD_M) / size).astype(int)
        x1 = np.floor((bounds[:, 2] + WORLD_M) / size).astype(int)
        y0 = np.floor((WORLD_M - bounds[:, 3]) / size).astype(int)
        y1 = np.floor((WORLD_M - bounds[:, 1]) / size).astype(int)
        span = (x1 - x0 + 1) * (y1 - y0 + 1)
        row = np.repeat(np.arange(len(frame)), span)
        offset = np.arange(len(row)) - np.repeat(np.cumsum(span) - span, span)
        width = np.repeat(x1 - x0 + 1, span)
        tx = np.repeat(x0, span) + offset % width
        ty = np.repeat(y0, span) + offset // width
        boxes = shapely.box(
            -WORLD_M + tx * size,
            WORLD_M - (ty + 1) * size,
            -WORLD_M + (tx + 1) * size,
            WORLD_M - ty * size,
        )
        clipped = shapely.intersection(geometry[row], boxes)
        keep = ~shapely.is_empty(clipped)
        clipped = _to_tile(clipped, tx, ty, size)
        properties = frame.drop(columns=frame.geometry.name).to_dict(orient="records")
        for i, gx, gy, shape in zip(row[keep], tx[keep], ty[keep], clipped[keep], strict=True):
            props = {k: v for k, v in properties[i].items() if _present(v)}
            parts.setdefault((int(gx), int(gy)), []).append(
                {"layer": name, "geometry": shape, "properties": props}
            )
    out = {}
    for (x, y), features in parts.items():
        by_layer: dict[str, list[dict[str, Any]]] = {}
        for feature in features:
            by_layer.setdefault(feature.pop("layer"), []).append(feature)
        encoded = [{"name": n, "features": f} for n, f in by_layer.items()]
        out[(x, y)] = mapbox_vector_tile.encode(encoded, default_options={"extents": EXTENT})
    return out


def _to_tile(shapes: np.ndarray, tx: np.ndarray, ty: np.ndarray, size: float) -> np.ndarray:
    """Web-mercator shapes in the units of their tiles ``tx``, ``ty`` (0..EXTENT, y up; the
    encoder turns y down), rounded to whole units."""
    out = shapely.transform(shapes, lambda xy: xy)  # copies: set_coordinates works in place
    coords, index = shapely.get_coordinates(out, return_index=True)
    minx = -WORLD_M + tx[index] * size
    miny = WORLD_M - (ty[index] + 1) * size
    local = np.column_stack([coords[:, 0] - minx, coords[:, 1] - miny]) * (EXTENT / size)
    return np.asarray(shapely.set_coordinates(out, np.round(local)))


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _lon_lat_bounds(layers: dict[str, gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    frames = [f for f in layers.values() if len(f)]
    minx, miny, maxx, maxy = (
        gpd.GeoSeries(pd.concat([f.geometry for f in frames]), crs=WEB_CRS)
        .to_crs("EPSG:4326")
        .total_bounds
    )
    return float(minx), float(miny), float(maxx), float(maxy)


def _header(layers: dict[str, gpd.GeoDataFrame], max_zoom: int) -> dict[str, Any]:
    minx, miny, maxx, maxy = _lon_lat_bounds(layers)
    return {
        "tile_type": TileType.MVT,
        "tile_compression": Compression.GZIP,
        "min_lon_e7": int(minx * 1e7),
        "min_lat_e7": int(miny * 1e7),
        "max_lon_e7": int(maxx * 1e7),
        "max_lat_e7": int(maxy * 1e7),
        "center_zoom": min(6, max_zoom),
        "center_lon_e7": int((minx + maxx) / 2 * 1e7),
        "center_lat_e7": int((miny + maxy) / 2 * 1e7),
    }


def _metadata(layers: dict[str, gpd.GeoDataFrame], max_zoom: int) -> dict[str, Any]:
    vector_layers = []
    for name, frame in layers.items():
        first, last = ZOOMS[name]
        fields = {c: "Number" if c != col.GRID_ID and c != KEY else "String" for c in frame.columns}
        fields.pop(frame.geometry.name, None)
        vector_layers.append(
            {"id": name, "minzoom": first, "maxzoom": min(last, max_zoom), "fields": fields}
        )
    return {
        "name": "heatplan national heat map",
        "description": "Released heat-demand aggregates (WPG § 10 Abs. 2: >= 5 buildings)",
        "vector_layers": vector_layers,
    }

"""Fast GeoJSON of the public layers: simplified per zoom band, cut to the map's bbox, cached.

Each layer is reprojected to EPSG:4326 once, simplified in the working CRS at a tolerance per
zoom band, and every feature serialised to its JSON text once; a request then only selects the
features whose bounds meet the bbox (one vectorised comparison) and joins their texts. Answers
are kept in a small LRU cache keyed by layer, zoom band and bbox. No aggregate is computed per
request: a bbox only selects rows of the already suppressed public tables, so two overlapping
requests cannot be differenced into a value the public tables do not already publish.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: (highest zoom of the band, simplification tolerance [m]) — about half a pixel at that zoom.
ZOOM_BANDS = ((11, 25.0), (13, 6.0), (15, 1.5), (99, 0.0))
#: Coordinates rounded to 1e-6 degrees (about 0.1 m).
GRID_DEG = 1e-6
CACHE_ANSWERS = 256
#: Columns never sent to the map (long id lists, internal notes).
DROP_COLUMNS = frozenset({"block_ids", "source"})


def band_of(zoom: float | None) -> int:
    """Index of the zoom band of ``zoom`` (None: the most detailed band)."""
    if zoom is None or not math.isfinite(zoom):
        return len(ZOOM_BANDS) - 1
    for index, (highest, _) in enumerate(ZOOM_BANDS):
        if zoom <= highest:
            return index
    return len(ZOOM_BANDS) - 1


def _value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        number = float(value)
        return round(number, 3) if math.isfinite(number) else None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return None
    return str(value)


def properties(frame: pd.DataFrame) -> list[str]:
    """JSON text of each row's properties (geometry and :data:`DROP_COLUMNS` left out)."""
    columns = [
        c
        for c in frame.columns
        if c not in DROP_COLUMNS and c != getattr(frame, "_geometry_column_name", "geometry")
    ]
    rows = frame[columns].to_dict(orient="records")
    return [
        json.dumps(
            {k: _value(v) for k, v in row.items()},
            ensure_ascii=False,
            allow_nan=False,
            separators=(",", ":"),
        )
        for row in rows
    ]


@dataclass
class Band:
    """The features of one layer at one zoom band."""

    texts: list[str]
    bounds: np.ndarray  # (n, 4) minx, miny, maxx, maxy in degrees


class Layer:
    """One public layer ready to be served as GeoJSON."""

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        props = properties(frame)
        self.bands: list[Band] = []
        projected = frame.crs is not None and frame.crs.is_projected
        for _, tolerance in ZOOM_BANDS:
            geoms = frame.geometry.to_numpy()
            if tolerance and projected:
                geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
            shapes = gpd.GeoSeries(geoms, crs=frame.crs).to_crs("EPSG:4326").to_numpy()
            shapes = shapely.set_precision(shapes, GRID_DEG, mode="pointwise")
            texts = shapely.to_geojson(shapes)
            bounds = shapely.bounds(shapes)
            keep = ~shapely.is_empty(shapes)
            features = [
                f'{{"type":"Feature","geometry":{g},"properties":{p}}}'
                for g, p, k in zip(texts, props, keep, strict=True)
                if k
            ]
            self.bands.append(Band(features, bounds[keep]))
        all_bounds = self.bands[-1].bounds
        self.extent = (
            [float(v) for v in (*all_bounds[:, :2].min(axis=0), *all_bounds[:, 2:].max(axis=0))]
            if len(all_bounds)
            else None
        )

    def geojson(self, bbox: tuple[float, float, float, float] | None, zoom: float | None) -> str:
        band = self.bands[band_of(zoom)]
        if bbox is None or not len(band.texts):
            chosen = band.texts
        else:
            minx, miny, maxx, maxy = bbox
            b = band.bounds
            hit = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
            chosen = [band.texts[i] for i in np.flatnonzero(hit)]
        return '{"type":"FeatureCollection","features":[' + ",".join(chosen) + "]}"


@dataclass(frozen=True)
class Answer:
    """One layer answer as sent: the GeoJSON bytes and the same gzipped (made once)."""

    body: bytes
    gzipped: bytes


class LayerCache:
    """Prepared layers plus an LRU cache of answers, one per public edition."""

    def __init__(self) -> None:
        self._layers: dict[str, Layer] = {}
        self._answers: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._layers.clear()
            self._answers.clear()

    def layer(self, name: str, frame: gpd.GeoDataFrame) -> Layer:
        with self._lock:
            found = self._layers.get(name)
        if found is None:
            found = Layer(frame)
            with self._lock:
                self._layers[name] = found
        return found

    def answer(self, key: tuple[Any, ...]) -> Answer | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def keep(self, key: tuple[Any, ...], answer: Answer) -> None:
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > CACHE_ANSWERS:
                self._answers.popitem(last=False)


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``minx,miny,maxx,maxy`` in degrees, or None; ValueError when malformed."""
    if text is None or not text.strip():
        return None
    parts = [float(p) for p in text.split(",")]
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise ValueError("bbox: four finite numbers minx,miny,maxx,maxy (degrees, EPSG:4326)")
    minx, miny, maxx, maxy = parts
    if minx > maxx or miny > maxy:
        raise ValueError("bbox: minx <= maxx and miny <= maxy, please")
    return minx, miny, maxx, maxy

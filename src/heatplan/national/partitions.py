"""Frames partitioned by municipality key: ``LAYER/ags=KEY/part-0.parquet`` (hive layout).

A national input folder holds one folder per layer (``buildings``, ``streets``,
``consumption`` …) and in it one folder per municipality key, the layout of a pyarrow dataset
partitioned by ``ags`` (``pyarrow.dataset.dataset(folder, partitioning="hive")`` reads a whole
layer at once). Geometry layers are GeoParquet (geopandas ``to_parquet``), tables plain Parquet.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from heatplan.errors import InputFileError

__all__ = [
    "KEY",
    "PART",
    "layer_keys",
    "partition_path",
    "read_layer",
    "read_partition",
    "write_partition",
]

#: The partition column: the municipality key (Amtlicher Gemeindeschlüssel, 8 digits).
KEY = "ags"
#: The file name of a partition's data.
PART = "part-0.parquet"
_KEY_DIR = re.compile(rf"^{KEY}=(\d{{8}})$")


def partition_path(root: Path, key: str) -> Path:
    """The file of municipality ``key`` in layer folder ``root``."""
    return Path(root) / f"{KEY}={key}" / PART


def write_partition(root: Path, key: str, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as the partition ``key`` of layer folder ``root`` (GeoParquet if spatial)."""
    path = partition_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = frame.drop(columns=KEY, errors="ignore")
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(path, index=False)
    else:
        pd.DataFrame(frame).to_parquet(path, index=False)
    return path


def layer_keys(root: Path) -> list[str]:
    """The municipality keys of layer folder ``root``, sorted; an error naming it if none."""
    root = Path(root)
    if not root.is_dir():
        raise InputFileError(root, "no such folder (a layer partitioned by ags=KEY)")
    keys = sorted(m.group(1) for d in root.iterdir() if (m := _KEY_DIR.match(d.name)))
    if not keys:
        raise InputFileError(root, f"no partitions {KEY}=<8-digit key> in this folder")
    return keys


def read_partition(root: Path, key: str) -> pd.DataFrame | None:
    """Partition ``key`` of layer folder ``root`` (None if the municipality has none)."""
    path = partition_path(root, key)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        geo = (table.schema.metadata or {}).get(b"geo")
        if geo is None:
            return table.to_pandas()
        frame = _geo_frame(table, json.loads(geo))
        return gpd.read_parquet(path) if frame is None else frame
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputFileError(path, f"not a readable (Geo)Parquet file: {exc}") from None


def _geo_frame(table: pa.Table, geo: dict[str, Any]) -> gpd.GeoDataFrame | None:
    """A GeoParquet table of one WKB geometry column as a GeoDataFrame (None: another layout,
    left to geopandas).

    The same frame as :func:`geopandas.read_parquet`, without building the CRS from its
    PROJJSON again for every file (a few ms each; most of a small partition's reading).
    """
    columns = geo.get("columns")
    name = geo.get("primary_column")
    if not isinstance(columns, dict) or len(columns) != 1 or name not in columns:
        return None
    meta = columns[name]
    if meta.get("encoding", "WKB").upper() != "WKB":
        return None
    # GeoParquet 1.x: a missing "crs" is OGC:CRS84, an explicit null an unknown CRS
    raw = meta.get("crs", "OGC:CRS84")
    crs = None if raw is None else _crs(json.dumps(raw))
    position = table.schema.get_field_index(name)
    frame = table.drop_columns([name]).to_pandas()
    shapes = shapely.from_wkb(table.column(name).to_numpy(zero_copy_only=False))
    frame.insert(position, name, gpd.GeoSeries(shapes, index=frame.index, crs=crs))
    return gpd.GeoDataFrame(frame, geometry=name, crs=crs)


@lru_cache(maxsize=64)
def _crs(text: str) -> CRS:
    """The CRS of a GeoParquet ``crs`` entry (PROJJSON, as JSON text), built once per process."""
    return CRS.from_user_input(json.loads(text))


def read_layer(root: Path) -> pd.DataFrame:
    """Every partition of layer folder ``root`` in one frame with the column ``ags``."""
    parts = []
    for key in layer_keys(root):
        frame = read_partition(root, key)
        if frame is not None:
            parts.append(frame.assign(**{KEY: key}))
    if not parts:
        raise InputFileError(root, "every partition is empty")
    merged = pd.concat(parts, ignore_index=True)
    if isinstance(parts[0], gpd.GeoDataFrame):
        return gpd.GeoDataFrame(merged, geometry=parts[0].geometry.name, crs=parts[0].crs)
    return merged

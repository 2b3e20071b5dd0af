"""The project store: every layer and table of a project in one GeoPackage file.

Writes are atomic per step (ENGINEERING-NOTES "GeoPackage as the project store"): a step works
on a copy of ``plan.gpkg`` in the same folder and the copy replaces the original only when the
whole step succeeded; on any error the copy is deleted and the original is untouched, byte for
byte. All writes go through pyogrio (GDAL) — including plain attribute tables, which GDAL
registers in ``gpkg_contents`` itself — so two SQLite libraries never write the same file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio

from heatplan import FORMAT_VERSION, __version__
from heatplan.errors import ProjectError

META_TABLE = "heatplan_meta"
RUNS_TABLE = "runs"
_GPKG_OPTIONS = {"VERSION": "1.2"}  # 1.4 output upsets older GDAL/QGIS readers


def _write_frame(
    path: Path, name: str, frame: pd.DataFrame, *, mode: Literal["replace", "append"]
) -> None:
    """Write a GeoDataFrame as a layer or a DataFrame as an attribute table."""
    frame = _gpkg_compatible(frame)
    append = mode == "append" and name in _list_layers(path)
    kwargs: dict[str, object] = {"layer": name, "driver": "GPKG", "append": append}
    if not append:
        kwargs["layer_options"] = {"OVERWRITE": "YES"}
        if not path.exists():
            kwargs["dataset_options"] = _GPKG_OPTIONS
    if isinstance(frame, gpd.GeoDataFrame):
        geometry_type = "Unknown" if frame.empty else None
        pyogrio.write_dataframe(frame, path, geometry_type=geometry_type, **kwargs)
    else:
        pyogrio.write_dataframe(frame, path, **kwargs)


def _gpkg_compatible(frame: pd.DataFrame) -> pd.DataFrame:
    """GeoPackage has no nullable-int or object-bool columns: convert them losslessly."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if isinstance(col.dtype, pd.BooleanDtype):
            out[name] = col.astype("float64")  # NA stays NA; 1.0/0.0 otherwise
        elif isinstance(
            col.dtype, pd.api.extensions.ExtensionDtype
        ) and pd.api.types.is_integer_dtype(col.dtype):
            out[name] = col.astype("float64") if col.isna().any() else col.astype("int64")
        elif isinstance(col.dtype, pd.StringDtype):
            out[name] = col.astype(object).where(col.notna(), None)  # type: ignore[call-overload]
    return out


def _list_layers(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [str(row[0]) for row in pyogrio.list_layers(path)]


class StoreWriter:
    """Writes of one step, made on a working copy of the project file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(
        self, name: str, frame: pd.DataFrame, *, mode: Literal["replace", "append"] = "replace"
    ) -> None:
        _write_frame(self.path, name, frame, mode=mode)

    def read(self, name: str) -> pd.DataFrame:
        return _read(self.path, name)

    def has(self, name: str) -> bool:
        return name in _list_layers(self.path)


def _read(path: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    if name not in _list_layers(path):
        raise ProjectError(
            f"{path}: layer or table {name!r} not found (run the step that makes it)"
        )
    frame = pyogrio.read_dataframe(path, layer=name, columns=columns, use_arrow=True)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return frame


class GeoPackageStore:
    """A project store in one GeoPackage file (opens directly in QGIS)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    # --- reading -------------------------------------------------------------------------
    def layers(self) -> list[str]:
        return _list_layers(self.path)

    def has(self, name: str) -> bool:
        return name in self.layers()

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read a layer (GeoDataFrame) or attribute table (DataFrame)."""
        self._require()
        return _read(self.path, name, columns)

    def meta(self) -> dict[str, str]:
        table = self.read(META_TABLE)
        return dict(zip(table["key"].astype(str), table["value"].astype(str), strict=True))

    # --- writing -------------------------------------------------------------------------
    def create(self, *, crs: str) -> None:
        """Create the store with its metadata table; refuses to overwrite an existing one."""
        if self.path.exists():
            raise ProjectError(f"{self.path} already exists; not overwriting a project store")
        meta = pd.DataFrame(
            {
                "key": ["format_version", "created_by", "created_utc", "crs"],
                "value": [str(FORMAT_VERSION), f"heatplan {__version__}", utc_now(), crs],
            }
        )
        with self.transaction(step="init", allow_create=True) as writer:
            writer.write(META_TABLE, meta)

    @contextlib.contextmanager
    def transaction(self, *, step: str, allow_create: bool = False) -> Iterator[StoreWriter]:
        """Atomic step: write to a copy, replace the original only if everything succeeded."""
        if not allow_create:
            self._require()
        started = utc_now()
        with self._lock(step):
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{self.path.stem}.tmp-", suffix=".gpkg", dir=self.path.parent
            )
            os.close(fd)
            tmp = Path(tmp_name)
            try:
                if self.path.exists():
                    tmp.write_bytes(self.path.read_bytes())
                else:
                    tmp.unlink()
                writer = StoreWriter(tmp)
                yield writer
                _log_run(writer, step=step, started=started)
                with open(tmp, "rb+") as handle:
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            finally:
                tmp.unlink(missing_ok=True)

    # --- helpers -------------------------------------------------------------------------
    def _require(self) -> None:
        if not self.path.is_file():
            raise ProjectError(f"project store {self.path} not found (run `heatplan init`)")

    @contextlib.contextmanager
    def _lock(self, step: str) -> Iterator[None]:
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            raise ProjectError(
                f"{lock} exists: another heatplan step is running on this project "
                "(delete the file if no step is running)"
            ) from None
        try:
            os.write(fd, f"{step} {os.getpid()}\n".encode())
            os.close(fd)
            yield
        finally:
            lock.unlink(missing_ok=True)


def _log_run(writer: StoreWriter, *, step: str, started: str) -> None:
    row = pd.DataFrame(
        {
            "step": [step],
            "started_utc": [started],
            "finished_utc": [utc_now()],
            "heatplan_version": [__version__],
        }
    )
    writer.write(RUNS_TABLE, row, mode="append")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_store(url: str) -> GeoPackageStore:
    """Open the store a project's ``store`` setting names (a GeoPackage path for now)."""
    if url.startswith(("postgresql://", "postgres://")):
        raise ProjectError(
            "PostgreSQL/PostGIS stores are not available in this release; "
            'use a GeoPackage path (store = "plan.gpkg")'
        )
    store = GeoPackageStore(url)
    if store.has(META_TABLE):
        check_format(store)
    return store


def check_format(store: GeoPackageStore) -> None:
    """Refuse a store written by a newer heatplan (its format this release cannot know)."""
    version = int(store.meta().get("format_version", "0"))
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"{store.path} has project format {version}, written by a newer heatplan; this "
            f"release ({__version__}) reads formats up to {FORMAT_VERSION}: upgrade heatplan"
        )

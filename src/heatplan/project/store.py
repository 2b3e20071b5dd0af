"""The project store: every layer and table of a project, in a GeoPackage file or PostgreSQL.

``Store`` is what the steps use; ``open_store(url)`` picks the implementation from the project's
``store`` setting: a GeoPackage path (``GeoPackageStore``, below) or a ``postgresql://`` URL
(``heatplan.project.store_postgis.PostgisStore``, same tables and behaviour).

GeoPackage writes are atomic per step (GDAL links its own SQLite and ignores our locks): a
step works on a copy of ``plan.gpkg`` in the same folder and the copy replaces the original only
when the whole step succeeded; on any error the copy is deleted and the original is untouched,
byte for byte. All writes go through pyogrio (GDAL) — including plain attribute tables, which GDAL
registers in ``gpkg_contents`` itself — so two SQLite libraries never write the same file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from heatplan.errors import ProjectError, StoreBusyError
from heatplan.project.store_base import (
    META_TABLE,
    RUNS_TABLE,
    Store,
    WriteMode,
    Writer,
    check_format,
    log_run,
    meta_dict,
    new_meta,
    storable,
    utc_now,
)

#: The store API: the GeoPackage store here, what both stores share from ``store_base``.
__all__ = [
    "LOCK_WAIT_S",
    "META_TABLE",
    "RUNS_TABLE",
    "GeoPackageStore",
    "Store",
    "StoreWriter",
    "WriteMode",
    "Writer",
    "check_format",
    "is_server_url",
    "log_run",
    "meta_dict",
    "new_meta",
    "open_store",
    "storable",
    "utc_now",
]
_GPKG_OPTIONS = {"VERSION": "1.2"}  # 1.4 output upsets older GDAL/QGIS readers
#: How long a step waits for another step on the same GeoPackage project [s] (heatplan choice:
#: longer than any single edit of the web workspace, short enough to tell a stuck lock).
LOCK_WAIT_S = 60.0


def _write_frame(path: Path, name: str, frame: pd.DataFrame, *, mode: WriteMode) -> None:
    """Write a GeoDataFrame as a layer or a DataFrame as an attribute table."""
    frame = storable(frame)
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


def _list_layers(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [str(row[0]) for row in pyogrio.list_layers(path)]


class StoreWriter:
    """Writes of one step, made on a working copy of the project file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, name: str, frame: pd.DataFrame, *, mode: WriteMode = "replace") -> None:
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

    def __init__(self, path: Path | str, *, lock_wait_s: float = LOCK_WAIT_S) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.lock_wait_s = lock_wait_s

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
        return meta_dict(self.read(META_TABLE))

    def count(self, name: str) -> int:
        """Rows (features) of a layer or table."""
        self._require()
        if name not in self.layers():
            raise ProjectError(f"{self.path}: layer or table {name!r} not found")
        return int(pyogrio.read_info(self.path, layer=name)["features"])

    # --- writing -------------------------------------------------------------------------
    def create(self, *, crs: str) -> None:
        """Create the store with its metadata table; refuses to overwrite an existing one."""
        if self.path.exists():
            raise ProjectError(f"{self.path} already exists; not overwriting a project store")
        with self.transaction(step="init", allow_create=True) as writer:
            writer.write(META_TABLE, new_meta(crs))

    @contextlib.contextmanager
    def transaction(
        self, *, step: str, allow_create: bool = False, wait_s: float | None = None
    ) -> Iterator[StoreWriter]:
        """Atomic step: write to a copy, replace the original only if everything succeeded.

        ``wait_s``: how long to wait for another step (default ``lock_wait_s``).
        """
        if not allow_create:
            self._require()
        started = utc_now()
        with self._lock(step, self.lock_wait_s if wait_s is None else wait_s):
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
                log_run(writer, step=step, started=started)
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
    def _lock(self, step: str, wait_s: float) -> Iterator[None]:
        """Serialise steps on this project: threads of this process, then other processes.

        A step waits up to ``wait_s`` for another one to finish (the web workspace runs
        edits in threads); a lock file left by a process that no longer runs is taken over.
        """
        inner = _process_lock(self.path)
        if not inner.acquire(timeout=wait_s):
            raise StoreBusyError(_busy(self.path, wait_s))
        try:
            with self._file_lock(step, wait_s):
                yield
        finally:
            inner.release()

    @contextlib.contextmanager
    def _file_lock(self, step: str, wait_s: float) -> Iterator[None]:
        lock = self.path.with_name(self.path.name + ".lock")
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                break
            except FileExistsError:
                if _stale(lock):
                    lock.unlink(missing_ok=True)
                    continue
                if time.monotonic() >= deadline:
                    raise StoreBusyError(_busy(self.path, wait_s)) from None
                time.sleep(0.05)
        try:
            os.write(fd, f"{step} {os.getpid()}\n".encode())
            os.close(fd)
            yield
        finally:
            lock.unlink(missing_ok=True)


_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.Lock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(str(path.resolve()), threading.Lock())


def _busy(path: Path, waited_s: float) -> str:
    return (
        f"{path.name}.lock: another heatplan step is running on this project (waited "
        f"{waited_s:g} s; delete the lock file if no step is running)"
    )


def _stale(lock: Path) -> bool:
    """Whether the lock file names a process of this machine that no longer runs."""
    try:
        pid = int(lock.read_text(encoding="utf-8").split()[-1])
    except (OSError, ValueError, IndexError):
        return False  # being written right now, or not ours: wait for it
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def is_server_url(url: str) -> bool:
    """True for a PostgreSQL store URL (``postgresql://``, ``postgres://``, ``postgresql+...``)."""
    return url.startswith(("postgresql://", "postgres://", "postgresql+"))


def open_store(url: str) -> Store:
    """Open the store a project's ``store`` setting names: a GeoPackage path or a
    ``postgresql://user@host:port/db[?schema=name]`` URL (see ``store_postgis``)."""
    store: Store
    if is_server_url(url):
        from heatplan.project.store_postgis import PostgisStore  # needs SQLAlchemy, psycopg

        store = PostgisStore(url)
    else:
        store = GeoPackageStore(url)
    if store.has(META_TABLE):
        check_format(store)
    return store

"""What both project stores share: the store protocol, the metadata and run-log tables, the
frame conversion before a write, and the format check. The GeoPackage store
(:mod:`heatplan.project.store`) and the PostGIS store (:mod:`heatplan.project.store_postgis`)
import it; neither imports the other's module except ``open_store`` choosing one.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

from heatplan import FORMAT_VERSION, __version__
from heatplan.errors import ProjectError

if TYPE_CHECKING:  # pandas is imported where a frame is built: `heatplan info` needs none
    import pandas as pd

META_TABLE = "heatplan_meta"
RUNS_TABLE = "runs"
WriteMode = Literal["replace", "append"]


class Writer(Protocol):
    """The writes (and reads) of one step inside ``Store.transaction``."""

    def write(self, name: str, frame: pd.DataFrame, *, mode: WriteMode = "replace") -> None: ...

    def read(self, name: str) -> pd.DataFrame: ...

    def has(self, name: str) -> bool: ...


class Store(Protocol):
    """A project store: layers (GeoDataFrames) and attribute tables (DataFrames) by name.

    ``transaction`` is atomic (all writes of a step or none) and serialised per project, so a
    read-check-write inside one transaction is safe. ``wait_s`` bounds how long it waits for
    another step's lock (default: the store's own wait) before :class:`StoreBusyError`.
    """

    #: Where the store is: a file path, or a URL without password.
    location: str

    def layers(self) -> list[str]: ...

    def has(self, name: str) -> bool: ...

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame: ...

    def meta(self) -> dict[str, str]: ...

    def count(self, name: str) -> int: ...

    def create(self, *, crs: str) -> None: ...

    def transaction(
        self, *, step: str, allow_create: bool = False, wait_s: float | None = None
    ) -> contextlib.AbstractContextManager[Writer]: ...


def storable(frame: pd.DataFrame) -> pd.DataFrame:
    """No nullable-int or nullable-bool columns in a store: convert them losslessly.

    Both stores use this, so a frame reads back with the same dtypes from either.
    """
    import pandas as pd

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


def new_meta(crs: str) -> pd.DataFrame:
    """The ``heatplan_meta`` table of a new store."""
    import pandas as pd

    return pd.DataFrame(
        {
            "key": ["format_version", "created_by", "created_utc", "crs"],
            "value": [str(FORMAT_VERSION), f"heatplan {__version__}", utc_now(), crs],
        }
    )


def meta_dict(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["key"].astype(str), table["value"].astype(str), strict=True))


def log_run(writer: Writer, *, step: str, started: str) -> None:
    """Append the step to the ``runs`` log (inside its transaction)."""
    import pandas as pd

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


def check_format(store: Store) -> None:
    """Refuse a store written by a newer heatplan (its format this release cannot know)."""
    check_format_version(store.meta(), store.location)


def check_format_version(meta: dict[str, str], location: str) -> None:
    """Refuse a store whose ``heatplan_meta`` names a format newer than this release reads."""
    version = int(meta.get("format_version", "0"))
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"{location} has project format {version}, written by a newer heatplan; this "
            f"release ({__version__}) reads formats up to {FORMAT_VERSION}: upgrade heatplan"
        )

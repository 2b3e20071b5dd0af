"""What the web map reads from and writes to the project store (``heatplan serve``).

Reads open the store afresh (a step run from the command line shows up on the next request);
writes go through the store's transaction API, which waits when another step holds the
project's lock (and raises :class:`heatplan.errors.StoreBusyError` when it waited too long).
The web tables are ``users``, ``sessions`` and ``audit_log``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd

from heatplan.project.config import load_config
from heatplan.project.store import open_store, utc_now
from heatplan.steps.status import ACCOUNT_STEPS, DERIVED_STEPS, RECORD_STEPS

__all__ = [
    "ACCOUNT_STEPS",
    "AUDIT_COLUMNS",
    "DERIVED_STEPS",
    "RECORD_STEPS",
    "SESSION_COLUMNS",
    "USER_COLUMNS",
    "WEB_TABLES",
    "Writer",
    "append_audit",
    "audit",
    "plan_revision",
    "read_store_table",
    "read_table",
    "store_of",
    "store_version",
    "utc_now",
    "write_step",
]

#: Columns of the web tables (the PostgreSQL store fixes them: heatplan/project/schema.py).
USER_COLUMNS = ("username", "password_hash", "role", "created_utc", "disabled")
SESSION_COLUMNS = ("token_hash", "username", "created_utc", "expires_utc", "csrf_token")
AUDIT_COLUMNS = ("id", "at_utc", "username", "action", "target", "detail")
#: The web app's own tables: accounts, sessions and the audit log are not part of the plan.
WEB_TABLES = frozenset({"users", "sessions", "audit_log"})
T = TypeVar("T")


class Writer(Protocol):
    """The writer a store transaction yields."""

    def write(self, name: str, frame: pd.DataFrame, *, mode: Any = "replace") -> None: ...

    def read(self, name: str) -> pd.DataFrame: ...

    def has(self, name: str) -> bool: ...


def store_of(project_dir: Path) -> Any:
    """The project's store (GeoPackage or PostgreSQL, as ``heatplan.toml`` says)."""
    config = load_config(Path(project_dir))
    return open_store(config.store_url(Path(project_dir)))


def store_version(project_dir: Path) -> str:
    """A token that changes whenever the store was written (also by a login: see
    :func:`plan_revision` for the plan's content only)."""
    store = store_of(project_dir)
    path = getattr(store, "path", None)
    if path is not None and Path(path).exists():
        stat = Path(path).stat()
        return f"{stat.st_mtime_ns}-{stat.st_size}"
    if store.has("runs"):
        runs = store.read("runs")
        return f"{len(runs)}-{runs.iloc[-1].to_dict() if len(runs) else ''}"
    return "0"


def plan_revision(project_dir: Path) -> str:
    """A token of the plan's content that ignores logins, logouts and audit entries.

    Every store transaction appends a row to ``runs`` (GeoPackage and PostgreSQL alike); the
    revision counts the rows of every step except :data:`ACCOUNT_STEPS`,
    :data:`RECORD_STEPS` and :data:`DERIVED_STEPS` and hashes the last
    one, so a login leaves it unchanged and any plan write changes it. Safe as a folder name.
    """
    store = store_of(project_dir)
    if not store.has("runs"):
        return "r0"
    runs = pd.DataFrame(store.read("runs", columns=["step", "finished_utc"]))
    plan = runs[~runs["step"].astype(str).isin(ACCOUNT_STEPS | RECORD_STEPS | DERIVED_STEPS)]
    if not len(plan):
        return "r0"
    last = "|".join(str(v) for v in plan.iloc[-1].tolist())
    digest = hashlib.sha256(last.encode()).hexdigest()[:10]
    return f"r{len(plan)}-{digest}"


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def read_table(source: Any, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Table ``name`` of a store or writer (empty with ``columns`` if it does not exist yet)."""
    if not source.has(name):
        return _empty(columns)
    frame = pd.DataFrame(source.read(name))
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return frame


def read_store_table(project_dir: Path, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    return read_table(store_of(project_dir), name, columns)


class _AccountWriter:
    """A writer of an account step: refuses tables outside :data:`WEB_TABLES`."""

    def __init__(self, writer: Writer, step: str) -> None:
        self.writer = writer
        self.step = step

    def write(self, name: str, frame: pd.DataFrame, *, mode: Any = "replace") -> None:
        if name not in WEB_TABLES:
            raise ValueError(f"step {self.step!r} writes only {sorted(WEB_TABLES)}, not {name!r}")
        self.writer.write(name, frame, mode=mode)

    def read(self, name: str) -> pd.DataFrame:
        return self.writer.read(name)

    def has(self, name: str) -> bool:
        return self.writer.has(name)


def write_step(project_dir: Path, step: str, write: Callable[[Writer], T]) -> T:
    """Run ``write`` in one store transaction (step ``web:<step>``).

    The store waits for a step holding the project's lock. A step in :data:`ACCOUNT_STEPS` may
    write only the web tables (it is not a plan change).
    """
    with store_of(project_dir).transaction(step=f"web:{step}") as writer:
        if f"web:{step}" in ACCOUNT_STEPS:
            return write(_AccountWriter(writer, f"web:{step}"))
        return write(writer)


def append_audit(
    writer: Writer,
    *,
    username: str,
    action: str,
    target: str,
    detail: Any = "",
    ip: str = "",
) -> None:
    """Append one entry to ``audit_log`` inside an open transaction.

    ``detail`` (text or anything JSON can hold) is stored as JSON with the client address.
    """
    log = read_table(writer, "audit_log", AUDIT_COLUMNS)
    ids = pd.to_numeric(log["id"], errors="coerce")
    entry_id = int(ids.max()) + 1 if len(log) and ids.notna().any() else 1
    text = json.dumps({"detail": detail, "ip": ip}, default=str, ensure_ascii=False)
    row = pd.DataFrame(
        [
            {
                "id": entry_id,
                "at_utc": utc_now(),
                "username": username,
                "action": action,
                "target": target,
                "detail": text,
            }
        ]
    )
    writer.write("audit_log", row, mode="append")


def audit(
    project_dir: Path,
    *,
    username: str,
    action: str,
    target: str,
    detail: Any = "",
    ip: str = "",
) -> None:
    """Write one audit entry in its own transaction."""
    write_step(
        project_dir,
        "audit",
        lambda w: append_audit(
            w, username=username, action=action, target=target, detail=detail, ip=ip
        ),
    )

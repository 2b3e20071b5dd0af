"""The server store: a project's layers and tables in PostgreSQL + PostGIS.

Same tables and behaviour as the GeoPackage store (``heatplan.project.store``), for the
multi-user web workspace. The project's ``store`` setting (or ``heatplan init --store``) is a URL

    postgresql://USER@HOST:PORT/DATABASE[?schema=NAME]

``schema`` (heatplan's own query parameter, removed before connecting) puts the project in its
own PostgreSQL schema, created if missing; default ``public``. Give the password through
``PGPASSWORD`` or ``~/.pgpass`` rather than in the URL: it would be written to heatplan.toml.
It never appears in ``location`` or in error messages. The database needs the ``postgis``
extension (created by ``create`` when the user may, else ask the database administrator).

Layers are PostGIS tables with a typed geometry column in the CRS's SRID and an integer primary
key ``fid`` that keeps the row order (like a GeoPackage's); attribute tables are plain tables.
The fixed tables of ``heatplan.project.schema`` are made by the alembic migrations when the
store is created and keep their column types: writing one replaces its rows, not the table.
A transaction is one database transaction that first takes a transaction-scoped advisory lock
of the project (``pg_advisory_xact_lock``): steps on one project wait for each other, and any
error rolls everything back.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from heatplan.errors import ProjectError, StoreBusyError
from heatplan.project import pg_frames
from heatplan.project.schema import FIXED_TABLES
from heatplan.project.store_base import (
    META_TABLE,
    WriteMode,
    log_run,
    meta_dict,
    new_meta,
    storable,
    utc_now,
)

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MIGRATIONS = Path(__file__).with_name("migrations")
#: SQLSTATE of a lock wait ended by ``lock_timeout`` (PostgreSQL, Appendix A: 55P03).
LOCK_NOT_AVAILABLE = "55P03"


def parse_url(url: str) -> tuple[URL, str]:
    """SQLAlchemy URL for psycopg 3 and the project's schema from a store URL."""
    try:
        parsed = make_url(url)
    except Exception:  # any parse failure is a user mistake
        raise ProjectError(f"store URL {_hide_password(url)!r} is not a valid URL") from None
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ProjectError(f"store URL {_hide_password(url)!r} is not a postgresql:// URL")
    schema = str(parsed.query.get("schema", "public"))
    if not _SCHEMA_NAME.match(schema):
        raise ProjectError(
            f"store URL: schema {schema!r} must be lower-case letters, digits and _ "
            "(e.g. ?schema=town)"
        )
    parsed = parsed.difference_update_query(["schema"]).set(drivername="postgresql+psycopg")
    return parsed, schema


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1@", url)


def _location(url: URL, schema: str) -> str:
    bare = URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database
    )
    shown = bare.update_query_dict(dict(url.query)).render_as_string(hide_password=False)
    if schema != "public":
        shown += ("&" if "?" in shown else "?") + f"schema={schema}"
    return shown


class PostgisWriter:
    """Writes of one step inside its database transaction."""

    def __init__(self, conn: Connection, schema: str) -> None:
        self.conn = conn
        self.schema = schema

    def write(self, name: str, frame: pd.DataFrame, *, mode: WriteMode = "replace") -> None:
        fixed = FIXED_TABLES.get(name)
        if fixed is not None:
            _write_fixed(self.conn, self.schema, fixed, frame, mode=mode)
        else:
            pg_frames.write(self.conn, self.schema, name, storable(frame), mode=mode)

    def read(self, name: str) -> pd.DataFrame:
        return pg_frames.read(self.conn, self.schema, name)

    def has(self, name: str) -> bool:
        return name in pg_frames.tables(self.conn, self.schema)


class PostgisStore:
    """A project store in a PostgreSQL database with PostGIS (one schema per project)."""

    def __init__(self, url: str) -> None:
        self.url, self.schema = parse_url(url)
        self.location = _location(self.url, self.schema)
        timeout = {} if "connect_timeout" in self.url.query else {"connect_timeout": 10}
        self._engine: Engine = create_engine(self.url, poolclass=NullPool, connect_args=timeout)
        digest = hashlib.blake2b(
            f"heatplan:{self.url.database}:{self.schema}".encode(), digest_size=8
        ).digest()
        self._lock_key = int.from_bytes(digest, "big", signed=True)

    # --- reading -------------------------------------------------------------------------
    def layers(self) -> list[str]:
        with self._connect() as conn:
            return pg_frames.tables(conn, self.schema)

    def has(self, name: str) -> bool:
        return name in self.layers()

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read a layer (GeoDataFrame) or attribute table (DataFrame)."""
        with self._connect() as conn:
            self._require(conn)
            return pg_frames.read(conn, self.schema, name, columns)

    def meta(self) -> dict[str, str]:
        return meta_dict(self.read(META_TABLE))

    def count(self, name: str) -> int:
        """Rows (features) of a layer or table."""
        with self._connect() as conn:
            self._require(conn)
            return pg_frames.count(conn, self.schema, name)

    # --- writing -------------------------------------------------------------------------
    def create(self, *, crs: str) -> None:
        """Create the project's schema, PostGIS, the fixed tables (alembic) and the metadata
        table, in one transaction; refuses a schema that already holds a project."""
        started = utc_now()
        with self._begin() as conn:
            if META_TABLE in pg_frames.tables(conn, self.schema):
                raise ProjectError(
                    f"{self.location} already holds a heatplan project; not overwriting it"
                )
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            _ensure_postgis(conn, self.location)
            _migrate(conn, self.schema)
            writer = PostgisWriter(conn, self.schema)
            writer.write(META_TABLE, new_meta(crs))
            log_run(writer, step="init", started=started)

    @contextlib.contextmanager
    def transaction(
        self, *, step: str, allow_create: bool = False, wait_s: float | None = None
    ) -> Iterator[PostgisWriter]:
        """Atomic, serialised step: one database transaction under the project's lock.

        ``wait_s``: how long to wait for another step's lock (default: as long as it takes);
        then the step fails with :class:`StoreBusyError`.
        """
        with self._begin(wait_s) as conn:
            started = utc_now()
            if not allow_create:
                self._require(conn)
            writer = PostgisWriter(conn, self.schema)
            yield writer
            log_run(writer, step=step, started=started)

    def upgrade(self) -> None:
        """Bring the fixed tables of an existing store to this release's schema (alembic)."""
        with self._begin() as conn:
            self._require(conn)
            _migrate(conn, self.schema)

    # --- helpers -------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            conn = self._engine.connect()
        except (SQLAlchemyError, psycopg.Error) as exc:
            raise self._error(exc, "cannot connect to the PostgreSQL/PostGIS store ") from None
        try:
            with conn:
                yield conn
        except (SQLAlchemyError, psycopg.Error) as exc:
            raise self._error(exc) from None

    @contextlib.contextmanager
    def _begin(self, wait_s: float | None = None) -> Iterator[Connection]:
        """A transaction holding the project's advisory lock (waits for other steps; at most
        ``wait_s`` when given, through PostgreSQL's ``lock_timeout``)."""
        with self._connect() as conn, conn.begin():
            if wait_s is not None:
                timeout_ms = max(1, round(wait_s * 1000))
                conn.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
            try:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": self._lock_key})
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
                raise StoreBusyError(
                    f"{self.location}: another heatplan step is running on this project "
                    f"(waited {wait_s:g} s)"
                ) from None
            if wait_s is not None:
                conn.execute(text("SET LOCAL lock_timeout = 0"))
            yield conn

    def _require(self, conn: Connection) -> None:
        if META_TABLE not in pg_frames.tables(conn, self.schema):
            raise ProjectError(f"project store {self.location} not found (run `heatplan init`)")

    def _error(self, exc: SQLAlchemyError | psycopg.Error, what: str = "") -> ProjectError:
        """The database's own message, without SQL, parameters or the password."""
        orig = getattr(exc, "orig", None)
        message = str(orig if orig is not None else exc).strip().splitlines()
        first = message[0] if message else type(exc).__name__
        if self.url.password:
            first = first.replace(str(self.url.password), "***")
        return ProjectError(f"{what}{self.location}: {first}")


def _ensure_postgis(conn: Connection, location: str) -> None:
    installed = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'"))
    if installed.first() is not None:
        return
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION postgis"))
    except SQLAlchemyError:
        raise ProjectError(
            f"{location}: the database has no PostGIS and this user may not add it; ask the "
            "database administrator to run CREATE EXTENSION postgis"
        ) from None


def _migrate(conn: Connection, schema: str) -> None:
    """Run the alembic migrations to head on ``conn`` (inside the caller's transaction)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = conn
    config.attributes["schema"] = schema
    command.upgrade(config, "head")


def _write_fixed(
    conn: Connection, schema: str, table: Table, frame: pd.DataFrame, *, mode: WriteMode
) -> None:
    """Write a fixed table: its column types stay; ``replace`` swaps the rows."""
    unknown = [str(c) for c in frame.columns if c not in table.c]
    if unknown:
        raise ProjectError(
            f"table {table.name!r} has no column(s) {', '.join(unknown)} "
            "(fixed columns: heatplan/project/schema.py)"
        )
    target = table.to_metadata(MetaData(), schema=schema)
    if mode == "replace":
        conn.execute(target.delete())
    records = _records(target, frame)
    if records:
        conn.execute(target.insert(), records)


def _records(table: Table, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as Python values of the columns' types; all-empty columns with a default left out."""
    values: dict[str, list[Any]] = {}
    for name in frame.columns:
        column = table.c[name]
        series = frame[name]
        if series.isna().all() and (
            column.server_default is not None or column.autoincrement is True
        ):
            continue
        convert = pg_frames.python_type(column.type)
        values[str(name)] = [None if _missing(v) else convert(v) for v in series.tolist()]
    return [dict(zip(values, row, strict=True)) for row in zip(*values.values(), strict=True)]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False

"""pytest plugin: a real PostgreSQL + PostGIS server on loopback for the server-store tests.

Loaded by ``tests/conftest.py`` (``pytest_plugins = ["pg"]``). The session starts one throwaway
cluster: ``initdb`` as the ``postgres`` user
into a fresh temporary folder, ``pg_ctl start`` on a free loopback port with the socket in the
data folder and ``fsync=off``; it is stopped (``-m immediate``) and deleted at the end.

Fixtures
--------
postgis_server
    Session: the running server (``host``, ``port``, ``url(dbname)``, ``create_database()``).
postgis_url
    Session: URL of a database with the ``postgis`` extension (shared by the session's tests).
pg_project_url
    Function: URL of a fresh, empty database with ``postgis`` for one test.

Without PostgreSQL binaries the tests that use these fixtures are skipped with a message, except
on CI (``CI=true``), where that is an error: CI must install ``postgresql-15-postgis-3``.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_PG_USER = "postgres"
_TEMPLATE = "heatplan_template_postgis"


def _pg_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<major>/bin`` that has ``initdb`` and PostGIS."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
        reverse=True,
    )
    for initdb in candidates:
        major = Path(initdb).parent.parent.name
        if glob.glob(f"/usr/share/postgresql/{major}/extension/postgis.control"):
            return Path(initdb).parent
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"{reason}: CI must install postgresql-15-postgis-3 (scripts/bootstrap.sh --test does)",
            pytrace=False,
        )
    pytest.skip(f"{reason} (apt-get install postgresql-15-postgis-3 to run these tests)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*args: str) -> list[str]:
    """Run a server binary as the ``postgres`` user when we are root (initdb refuses root)."""
    return ["runuser", "-u", _PG_USER, "--", *args] if os.geteuid() == 0 else list(args)


@dataclass
class PostgisServer:
    """A running throwaway PostgreSQL cluster on 127.0.0.1."""

    port: int
    data_dir: Path
    host: str = "127.0.0.1"
    start_seconds: float = 0.0
    _template_ready: bool = False
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{_PG_USER}@{self.host}:{self.port}/{dbname}"

    def sql(self, statement: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def drop_database(self, name: str) -> None:
        """Drop a test's database, closing connections a failed test may have left open."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_database(self, prefix: str = "project") -> str:
        """A fresh database with PostGIS (a copy of a template made once); returns its URL."""
        if not self._template_ready:
            self.sql(f'CREATE DATABASE "{_TEMPLATE}"')
            self.sql("CREATE EXTENSION postgis", dbname=_TEMPLATE)
            self._template_ready = True
        name = f"{prefix}_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PostgisServer]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        _unavailable("PostgreSQL with PostGIS not found under /usr/lib/postgresql/*/bin")
        return
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="heatplan-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data_dir, user=_PG_USER, group=_PG_USER)
    try:
        subprocess.run(
            _as_postgres(
                str(bin_dir / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", _PG_USER,
                "--no-sync", "--locale=C", "-E", "UTF8",
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        port = _free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data_dir} -c fsync=off"
        subprocess.run(
            _as_postgres(
                str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(data_dir / "server.log"),
                "-o", options, "-w", "start",
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = data_dir / "server.log"
        output = (exc.stderr or b"").decode(errors="replace")[-2000:]
        output += log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(data_dir, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL for the tests: {output}", pytrace=False)
    server = PostgisServer(port=port, data_dir=data_dir)
    server.start_seconds = time.perf_counter() - started
    try:
        yield server
    finally:
        subprocess.run(
            _as_postgres(
                str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgis_url(postgis_server: PostgisServer) -> str:
    """A database with PostGIS shared by the whole session."""
    return postgis_server.create_database("session")


@pytest.fixture
def pg_project_url(postgis_server: PostgisServer) -> Iterator[str]:
    """A fresh database with PostGIS for one test (dropped afterwards)."""
    url = postgis_server.create_database("project")
    yield url
    postgis_server.drop_database(url.rsplit("/", 1)[1])

"""The server store (PostgreSQL + PostGIS) behaves like the GeoPackage store.

Runs against a real PostgreSQL on loopback (fixtures in tests/pg.py); each test gets a fresh
database with PostGIS (``pg_project_url``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.demo import schutterwald
from heatplan.errors import ProjectError
from heatplan.inputs.imports import import_buildings, import_consumption, import_lines
from heatplan.project.create import create_project
from heatplan.project.schema import FIXED_TABLES, metadata
from heatplan.project.store import GeoPackageStore, Store, open_store
from heatplan.project.store_postgis import PostgisStore, parse_url
from heatplan.steps.core import run_inventory

runner = CliRunner()


def _layer() -> gpd.GeoDataFrame:
    """Every kind of column the steps write, with gaps, and mixed geometry types."""
    return gpd.GeoDataFrame(
        {
            "building_id": ["a", "b", "c"],
            "street": ["Hauptstraße 1", "", None],  # empty text stays empty, missing stays None
            "floors": pd.array([2, None, 4], dtype="Int64"),
            "dwellings": np.array([1, 2, 3], dtype="int64"),
            "listed": pd.array([True, None, False], dtype="boolean"),
            "connected": [True, False, True],
            "area_m2": [150.5, np.nan, 3.0],
            "unknown_kwh": [np.nan, np.nan, np.nan],
            "built_date": ["1990-05-05", None, "2020-01-01"],  # dates as ISO text
            "label": pd.array(["p", None, "q"], dtype="string"),
        },
        geometry=[
            shapely.Point(0, 0),
            shapely.box(0, 0, 10, 10),
            shapely.MultiPolygon([shapely.box(20, 20, 25, 25)]),
        ],
        crs="EPSG:25832",
    )


def _write_all(store: Store) -> dict[str, pd.DataFrame]:
    layer = _layer()
    table = pd.DataFrame(layer.drop(columns="geometry"))
    store.create(crs="EPSG:25832")
    with store.transaction(step="test") as writer:
        writer.write("houses", layer)
        writer.write("houses", layer.iloc[:1], mode="append")
        writer.write("attributes", table)
        writer.write("no_houses", layer.iloc[:0])
        writer.write("no_rows", table.iloc[:0])
    names = ["houses", "attributes", "no_houses", "no_rows", "runs", "heatplan_meta"]
    back = {name: store.read(name) for name in names}
    back["some_columns"] = store.read("houses", columns=["street", "floors"])
    return back


def test_frames_come_back_as_from_the_geopackage(pg_project_url: str, tmp_path: Path) -> None:
    gpkg = _write_all(GeoPackageStore(tmp_path / "plan.gpkg"))
    pg = _write_all(open_store(pg_project_url))
    volatile = ["started_utc", "finished_utc"]
    for name, expected in gpkg.items():
        got = pg[name]
        assert type(got) is type(expected), name
        if name == "heatplan_meta":
            expected, got = expected[expected.key != "created_utc"], got[got.key != "created_utc"]
        if name == "runs":
            expected, got = expected.drop(columns=volatile), got.drop(columns=volatile)
        if isinstance(expected, gpd.GeoDataFrame):
            assert got.crs == expected.crs, name
            assert got.geometry.geom_equals_exact(expected.geometry, 0).all(), name
            expected, got = pd.DataFrame(expected), pd.DataFrame(got)
            expected, got = expected.drop(columns="geometry"), got.drop(columns="geometry")
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    assert pg["houses"]["street"].tolist() == ["Hauptstraße 1", "", None, "Hauptstraße 1"]
    assert pg["houses"]["floors"].dtype == "float64" and pg["houses"]["dwellings"].dtype == "int64"
    assert pg["houses"]["connected"].dtype == bool


def test_layer_keeps_srid_order_and_counts(pg_project_url: str) -> None:
    store = open_store(pg_project_url)
    store.create(crs="EPSG:31467")
    points = gpd.GeoDataFrame(
        {"n": np.arange(500)[::-1]}, geometry=shapely.points(np.arange(500), 0), crs="EPSG:31467"
    )
    with store.transaction(step="test") as writer:
        writer.write("points", points)
        writer.write("points", points.iloc[:3], mode="append")
        with pytest.raises(ProjectError, match="EPSG:25832 to a layer in EPSG:31467"):
            writer.write("points", points.to_crs("EPSG:25832"), mode="append")
    back = store.read("points")
    assert back.crs.to_epsg() == 31467
    assert back["n"].tolist() == [*range(499, -1, -1), 499, 498, 497]
    assert store.count("points") == 503
    assert isinstance(store, PostgisStore)
    engine = create_engine(store.url)
    with engine.connect() as conn:
        keys = inspect(conn).get_pk_constraint("points")["constrained_columns"]
    engine.dispose()
    assert keys == ["fid"]  # QGIS opens the table with a key


def test_create_runs_the_migrations_once(pg_project_url: str) -> None:
    store = open_store(pg_project_url)
    store.create(crs="EPSG:25832")
    assert store.meta()["crs"] == "EPSG:25832"
    assert store.read("runs")["step"].tolist() == ["init"]
    assert isinstance(store, PostgisStore)
    engine = create_engine(store.url)
    with engine.connect() as conn:
        inspector = inspect(conn)
        for name, table in FIXED_TABLES.items():
            columns = [c["name"] for c in inspector.get_columns(name)]
            assert columns == [c.name for c in table.columns], name
            assert store.count(name) == 0
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert version == "0001"
    fixed = [d for d in differences if not (isinstance(d, tuple) and d[0] == "remove_table")]
    assert fixed == []  # the migrations build exactly schema.py's tables
    assert "alembic_version" not in store.layers() and "spatial_ref_sys" not in store.layers()
    with pytest.raises(ProjectError, match="already holds a heatplan project"):
        store.create(crs="EPSG:25832")
    store.upgrade()  # at head already: nothing to do, nothing lost
    assert store.read("runs")["step"].tolist() == ["init"] and store.count("measures") == 0


def test_fixed_tables_keep_their_types(pg_project_url: str, tmp_path: Path) -> None:
    measures = pd.DataFrame(
        {
            "measure_id": ["M01", "M02"],
            "title": ["Wärmenetz Ortsmitte", "Förderprogramm"],
            "cost_eur": [1.5e6, np.nan],
            "effect_buildings_connected": [120, 0],
            "public": [True, False],
            "revision": [1, 3],
            "start_date": ["2026-01-01", None],
        }
    )
    results = {}
    for store in (GeoPackageStore(tmp_path / "plan.gpkg"), open_store(pg_project_url)):
        store.create(crs="EPSG:25832")
        with store.transaction(step="measures") as writer:
            writer.write("measures", measures.iloc[:1])
            writer.write("measures", measures)  # replace: both rows, once
        results[type(store).__name__] = store.read("measures")[measures.columns]
    pd.testing.assert_frame_equal(results["PostgisStore"], results["GeoPackageStore"])
    pg = open_store(pg_project_url)
    with pytest.raises(ProjectError, match="no column"), pg.transaction(step="bad") as writer:
        writer.write("measures", measures.assign(colour="red"))
    audit = pd.DataFrame({"at_utc": ["2026-11-23T10:00:00+00:00"] * 2, "action": ["a", "b"]})
    with pg.transaction(step="audit") as writer:
        writer.write("audit_log", audit, mode="append")
        writer.write("audit_log", audit.iloc[:1], mode="append")
    assert pg.read("audit_log")["id"].tolist() == [1, 2, 3]  # serial


def test_failed_step_leaves_the_store_as_it_was(pg_project_url: str) -> None:
    store = open_store(pg_project_url)
    store.create(crs="EPSG:25832")
    with store.transaction(step="first") as writer:
        writer.write("houses", _layer())
        writer.write("measures", pd.DataFrame({"measure_id": ["M01"], "revision": [1]}))
    before = {name: store.read(name) for name in store.layers()}
    with pytest.raises(RuntimeError, match="half-way"), store.transaction(step="bad") as writer:
        writer.write("houses", _layer().iloc[:1])
        writer.write("blocks", _layer())
        writer.write("measures", pd.DataFrame({"measure_id": ["M09"], "revision": [7]}))
        writer.write("runs", pd.DataFrame({"step": ["x"]}), mode="append")
        raise RuntimeError("failed half-way")
    assert sorted(store.layers()) == sorted(before)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(store.read(name), frame, obj=name)


def test_database_errors_are_user_errors(pg_project_url: str) -> None:
    store = open_store(pg_project_url)
    store.create(crs="EPSG:25832")
    with store.transaction(step="first") as writer:
        writer.write("totals", pd.DataFrame({"indicator": ["x"], "value": [1.5]}))
    extra = pd.DataFrame({"indicator": ["y"], "value": [2.0], "unit": ["kWh"]})
    with pytest.raises(ProjectError, match='column "unit"'), store.transaction(step="x") as w:
        w.write("totals", extra, mode="append")
    assert store.read("totals")["indicator"].tolist() == ["x"]
    with pytest.raises(ProjectError, match="not found"):
        store.read("nothing")
    with pytest.raises(ProjectError, match="not found"):
        open_store(pg_project_url + "?schema=empty").read("runs")


def _increment(url: str, times: int, errors: list[BaseException]) -> None:
    try:
        store = open_store(url)
        for _ in range(times):
            with store.transaction(step="count") as writer:
                value = int(writer.read("counter")["n"].iloc[0])
                writer.write("counter", pd.DataFrame({"n": [value + 1]}))
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def test_concurrent_steps_lose_no_update(pg_project_url: str) -> None:
    store = open_store(pg_project_url)
    store.create(crs="EPSG:25832")
    with store.transaction(step="zero") as writer:
        writer.write("counter", pd.DataFrame({"n": [0]}))
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_increment, args=(pg_project_url, 15, errors)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert store.read("counter")["n"].tolist() == [30]
    assert store.read("runs")["step"].value_counts()["count"] == 30


def _waiting_for_advisory_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
        ).fetchone()
    return bool(row and row[0])


def test_second_step_waits_then_sees_the_first(pg_project_url: str) -> None:
    store = open_store(pg_project_url)
    store.create(crs="EPSG:25832")
    first_in, release, second_in = threading.Event(), threading.Event(), threading.Event()
    seen: list[str] = []

    def first() -> None:
        with store.transaction(step="first") as writer:
            writer.write("note", pd.DataFrame({"by": ["first"]}))
            first_in.set()
            release.wait(timeout=60)

    def second() -> None:
        with open_store(pg_project_url).transaction(step="second") as writer:
            second_in.set()
            seen.extend(writer.read("note")["by"].tolist())

    one, two = threading.Thread(target=first), threading.Thread(target=second)
    one.start()
    assert first_in.wait(timeout=60)
    two.start()
    waiting = False
    for _ in range(200):  # the second step shows up as waiting on the advisory lock
        waiting = _waiting_for_advisory_lock(pg_project_url)
        if waiting:
            break
        threading.Event().wait(0.05)
    assert waiting and not second_in.is_set()
    release.set()
    one.join(timeout=60)
    two.join(timeout=60)
    assert seen == ["first"]
    assert store.read("runs")["step"].tolist() == ["init", "first", "second"]


def test_schemas_keep_projects_apart(pg_project_url: str) -> None:
    town = open_store(pg_project_url + "?schema=town")
    village = open_store(pg_project_url + "?schema=village")
    town.create(crs="EPSG:25832")
    village.create(crs="EPSG:31467")
    with town.transaction(step="test") as writer:
        writer.write("houses", _layer())
    assert town.has("houses") and not village.has("houses")
    assert village.meta()["crs"] == "EPSG:31467"
    assert town.location.endswith("?schema=town")
    assert "measures" in village.layers()
    assert not open_store(pg_project_url).has("heatplan_meta")  # public stays empty


def test_password_is_never_shown(postgis_server: object) -> None:
    url = "postgresql://planner:s3cret-pw@127.0.0.1:1/heat?schema=town"
    store = PostgisStore(url)
    assert "s3cret" not in store.location
    assert store.location == "postgresql://planner@127.0.0.1:1/heat?schema=town"
    with pytest.raises(ProjectError) as caught:
        store.layers()
    message = str(caught.value)
    assert message.startswith("cannot connect to the PostgreSQL/PostGIS store postgresql://")
    assert "s3cret" not in message and "127.0.0.1:1/heat" in message
    with pytest.raises(ProjectError, match="schema 'Town Hall'") as bad:
        parse_url("postgresql://planner:s3cret-pw@host/heat?schema=Town Hall")
    assert "s3cret" not in str(bad.value)
    assert parse_url("postgres://h/db")[0].drivername == "postgresql+psycopg"


def test_cli_init_and_info_on_postgis(pg_project_url: str, tmp_path: Path) -> None:
    project = str(tmp_path / "town")
    created = runner.invoke(
        app, ["init", project, "--name", "Musterstadt", "--store", pg_project_url, "--json"]
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["store"] == pg_project_url
    assert not (tmp_path / "town" / "plan.gpkg").exists()
    info = runner.invoke(app, ["info", project, "--json"])
    assert info.exit_code == 0, info.output
    result = json.loads(info.stdout)
    assert result["store"] == pg_project_url
    assert result["layers"]["heatplan_meta"] == 4 and result["layers"]["measures"] == 0
    assert [run["step"] for run in result["runs"]] == ["init"]
    again = runner.invoke(
        app, ["init", str(tmp_path / "other"), "--store", pg_project_url, "--json"]
    )
    assert again.exit_code == 1
    assert "already holds a heatplan project" in json.loads(again.stdout)["error"]
    assert not (tmp_path / "other" / "heatplan.toml").exists()


@pytest.mark.slow
def test_inventory_on_postgis_matches_geopackage(pg_project_url: str, tmp_path: Path) -> None:
    """Schutterwald (1,506 houses, measured gas): the same inventory on both stores."""
    files = schutterwald.write_inputs(tmp_path / "inputs")
    gpkg_dir, pg_dir = tmp_path / "gpkg", tmp_path / "pg"
    create_project(gpkg_dir, **schutterwald.MUNICIPALITY)
    import_buildings(gpkg_dir, files["buildings"])
    import_consumption(gpkg_dir, files["consumption"])
    import_lines(gpkg_dir, files["streets"], kind="streets")
    create_project(pg_dir, **schutterwald.MUNICIPALITY, store=pg_project_url)
    gpkg, pg = open_store(str(gpkg_dir / "plan.gpkg")), open_store(pg_project_url)
    inputs = [name for name in gpkg.layers() if name not in ("heatplan_meta", "runs")]
    with pg.transaction(step="copy inputs") as writer:  # what the imports wrote, as they did
        for name in inputs:
            writer.write(name, gpkg.read(name))
    on_gpkg, on_pg = run_inventory(gpkg_dir).to_dict(), run_inventory(pg_dir).to_dict()
    assert on_pg.pop("store") == pg_project_url
    on_gpkg.pop("store")
    assert on_pg == on_gpkg
    assert on_pg["buildings"] == 1506 and on_pg["blocks"] > 0
    for name in ("buildings", "blocks", "street_segments", "grid_100m", "totals"):
        a, b = gpkg.read(name), pg.read(name)
        assert list(b.columns) == list(a.columns), name
        pd.testing.assert_frame_equal(
            pd.DataFrame(b).drop(columns="geometry", errors="ignore"),
            pd.DataFrame(a).drop(columns="geometry", errors="ignore"),
            obj=name,
        )

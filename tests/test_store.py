"""The GeoPackage project store: round-trips, atomic steps, clear errors."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from heatplan.errors import ProjectError, StoreBusyError
from heatplan.project.store import GeoPackageStore, open_store
from heatplan.steps.core import run_inventory


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> GeoPackageStore:
    s = GeoPackageStore(tmp_path / "plan.gpkg")
    s.create(crs="EPSG:25832")
    return s


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"building_id": ["a", "b"], "floors": pd.array([2, None], dtype="Int64")},
        geometry=[shapely.Point(0, 0), shapely.box(0, 0, 10, 10)],
        crs="EPSG:25832",
    )


def test_create_writes_metadata(store: GeoPackageStore) -> None:
    meta = store.meta()
    assert meta["format_version"] == "1"
    assert meta["crs"] == "EPSG:25832"
    assert store.read("runs")["step"].tolist() == ["init"]


def test_create_refuses_to_overwrite(store: GeoPackageStore) -> None:
    with pytest.raises(ProjectError, match="already exists"):
        store.create(crs="EPSG:25832")


def test_layer_and_table_round_trip(store: GeoPackageStore) -> None:
    with store.transaction(step="test") as writer:
        writer.write("buildings", _frame())
        writer.write("totals", pd.DataFrame({"indicator": ["x"], "value": [1.5]}))
    back = store.read("buildings")
    assert isinstance(back, gpd.GeoDataFrame)
    assert back["building_id"].tolist() == ["a", "b"]
    assert back["floors"].iloc[0] == 2 and pd.isna(back["floors"].iloc[1])
    assert back.crs.to_epsg() == 25832
    assert not isinstance(store.read("totals"), gpd.GeoDataFrame)


def test_failed_step_leaves_store_byte_for_byte(store: GeoPackageStore) -> None:
    with store.transaction(step="first") as writer:
        writer.write("buildings", _frame())
    before = _digest(store.path)
    with pytest.raises(RuntimeError, match="half-way"), store.transaction(step="bad") as writer:
        writer.write("buildings", _frame().iloc[:1])
        writer.write("blocks", _frame())
        raise RuntimeError("failed half-way")
    assert _digest(store.path) == before
    leftovers = sorted(p.name for p in store.path.parent.iterdir())
    assert leftovers == ["plan.gpkg"]


def test_a_second_thread_waits_for_the_first_step(store: GeoPackageStore) -> None:
    first_inside = threading.Event()
    order: list[str] = []

    def first() -> None:
        with store.transaction(step="one") as writer:
            first_inside.set()
            writer.write("blocks", _frame())
            order.append("one")

    thread = threading.Thread(target=first)
    thread.start()
    first_inside.wait(5)
    with store.transaction(step="two") as writer:
        order.append("two")
        assert writer.has("blocks")  # sees the first step's write: it waited for it
    thread.join()
    assert order == ["one", "two"]


def test_a_lock_left_by_a_dead_process_is_taken_over(store: GeoPackageStore) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    lock = store.path.with_name(store.path.name + ".lock")
    lock.write_text(f"inventory {dead.stdout.strip()}\n", encoding="utf-8")
    store.lock_wait_s = 0.5
    with store.transaction(step="after a crash") as writer:
        writer.write("blocks", _frame())
    assert not lock.exists()
    assert len(store.read("blocks")) == len(_frame())


def test_concurrent_step_waits_then_gives_up(store: GeoPackageStore) -> None:
    store.lock_wait_s = 0.2
    with (
        store.transaction(step="one"),
        pytest.raises(StoreBusyError, match="another heatplan step"),
        store.transaction(step="two"),
    ):
        pass


def test_missing_layer_names_the_step(store: GeoPackageStore) -> None:
    with pytest.raises(ProjectError, match="'blocks' not found"):
        store.read("blocks")


def test_an_unreachable_postgres_store_is_a_clear_error() -> None:
    # port 9 (discard) on loopback: nothing listens there; the password never shows
    with pytest.raises(ProjectError, match="cannot connect") as caught:
        open_store("postgresql://planner:s3cret@127.0.0.1:9/plan")
    assert "s3cret" not in str(caught.value)


def test_store_of_a_newer_format_is_refused(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "plan.gpkg")
    store.create(crs="EPSG:25832")
    meta = store.read("heatplan_meta")
    meta.loc[meta["key"] == "format_version", "value"] = "999"
    with store.transaction(step="test") as writer:
        writer.write("heatplan_meta", meta)
    with pytest.raises(ProjectError, match="newer heatplan"):
        open_store(str(store.path))


def test_a_format_1_project_still_opens_and_runs(tmp_path: Path) -> None:
    """tests/data/format-1: a Schutterwald excerpt (93 houses) as heatplan 0.1 wrote it."""
    project = tmp_path / "format-1"
    shutil.copytree(Path(__file__).parent / "data" / "format-1", project)
    result = run_inventory(project)
    assert result.buildings == 93
    assert result.buildings_by_method == {"measured": 93}

"""The audited public release kept in the project store (issue 20): audited once per content.

Each test works on a copy of the session's Schutterwald demo (``demo_built``). A new process is
simulated by clearing the in-process memo of :func:`heatplan.publish.layers.public_layers`
(``_RELEASES``); :func:`heatplan.publish.layers.audit_release` is counted through monkeypatch.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app
from heatplan.demo.schutterwald import MUNICIPALITY
from heatplan.errors import StoreBusyError
from heatplan.plan import Plan
from heatplan.project.create import create_project
from heatplan.project.store import GeoPackageStore, StoreWriter, open_store
from heatplan.publish import layers
from heatplan.publish.layers import RELEASE_INPUTS, public_layers, release_key
from heatplan.steps import release as release_store
from heatplan.steps.export import run_export
from heatplan.steps.release import RELEASE_TABLE, project_release, read_release
from heatplan.steps.report import run_report
from heatplan.steps.status import WITHHELD_PART, project_info
from heatplan.steps.web import plan_revision
from heatplan.web.public_data import load_public

Counter = Callable[[], int]


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How often the release was audited since the test began; each call is a new process."""
    calls: list[int] = []
    real = layers.audit_release

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(layers, "audit_release", counted)

    def count() -> int:
        layers._RELEASES.clear()  # the next call is a fresh process: nothing in memory
        return len(calls)

    count()
    return count


def _drop_release(project: Path) -> None:
    """The project as before any release was stored (the demo build stores one)."""
    with sqlite3.connect(project / "plan.gpkg") as db:  # a GeoPackage is SQLite: test only
        db.execute(f"DROP TABLE IF EXISTS {RELEASE_TABLE}")
        for table in ("gpkg_contents", "gpkg_ogr_contents"):
            db.execute(f"DELETE FROM {table} WHERE table_name = ?", (RELEASE_TABLE,))


@pytest.fixture
def project(demo_built: tuple[Path, dict], tmp_path: Path) -> Path:
    return copy_demo(demo_built, tmp_path / "schutterwald")


def _inputs(project: Path) -> dict[str, pd.DataFrame]:
    plan = Plan.from_project(project, frames=RELEASE_INPUTS)
    return {name: frame for name in RELEASE_INPUTS if (frame := plan.get(name)) is not None}


def _release_rows(project: Path) -> pd.DataFrame:
    return pd.DataFrame(GeoPackageStore(project / "plan.gpkg").read(RELEASE_TABLE))


def _write_release_rows(project: Path, rows: pd.DataFrame) -> None:
    with GeoPackageStore(project / "plan.gpkg").transaction(step="test: damage") as writer:
        writer.write(RELEASE_TABLE, rows)


def test_the_demo_build_stores_its_release(demo_built: tuple[Path, dict]) -> None:
    """The demo's own report and exports leave one current audited release in the store."""
    status = project_info(demo_built[0])["release"]
    assert status["stored"] and status["current"] is True
    assert status["content_key"] == release_key(_inputs(demo_built[0]))


def test_report_then_export_audit_once(project: Path, audits: Counter) -> None:
    _drop_release(project)
    assert project_info(project)["release"] == {"stored": False, "current": False}
    revision = plan_revision(project)
    run_report(project)
    assert audits() == 1
    assert project_info(project)["release"]["current"] is True
    assert plan_revision(project) == revision  # storing the release changes no plan content
    export = run_export(project, "xlsx", out=project / "a.xlsx")
    assert audits() == 1  # a new process reads the stored release
    assert export["disclosure_audit"]["figures_checked"]["heat_demand"] > 0


def test_the_web_map_reads_the_stored_release(project: Path, audits: Counter) -> None:
    _drop_release(project)
    served = load_public(project)  # the web map's first edition audits and stores
    assert audits() == 1
    export = run_export(project, "gpkg", out=project / "public.gpkg")
    assert audits() == 1
    again = load_public(project)
    assert audits() == 1
    for name in ("areas", "blocks", "street_segments", "grid_100m", "potentials_by_block"):
        pd.testing.assert_frame_equal(served.tables[name], again.tables[name], check_exact=True)
    exported = gpd.read_file(project / "public.gpkg", layer="blocks")
    assert len(exported) == export["layers"]["blocks"] == len(served.tables["blocks"])


def test_stored_and_fresh_releases_are_identical(project: Path, audits: Counter) -> None:
    inputs = _inputs(project)
    fresh_layers, fresh_withheld = public_layers(inputs)
    assert audits() == 1
    stored = read_release(open_store(str(project / "plan.gpkg")), str(release_key(inputs)))
    assert stored is not None and audits() == 1
    stored_layers, stored_withheld = stored
    assert list(stored_layers) == list(fresh_layers)
    for name, fresh in fresh_layers.items():
        kept = stored_layers[name]
        assert type(kept) is type(fresh), name
        pd.testing.assert_frame_equal(kept, fresh, check_exact=True, obj=name)
        assert kept.astype(str).equals(fresh.astype(str)), name  # NaN stays NaN, None None
        if isinstance(fresh, gpd.GeoDataFrame):
            assert kept.crs == fresh.crs and kept.geometry.name == fresh.geometry.name
    assert stored_withheld == fresh_withheld
    assert stored_withheld.audit.suppressed_figures  # the demo's audit suppressed figures


def test_a_changed_building_demand_gives_a_new_audit(project: Path, audits: Counter) -> None:
    store = open_store(str(project / "plan.gpkg"))
    before = _release_rows(project)["content_key"].iloc[0]
    with store.transaction(step="test: corrected demand") as writer:
        buildings = writer.read("buildings")
        row = buildings["heat_demand_kwh_per_a"].idxmax()
        buildings.loc[row, "heat_demand_kwh_per_a"] *= 1.5
        writer.write("buildings", buildings)
    status = project_info(project)["release"]
    assert status["current"] is None and status["plan_steps_since"] == 1
    run_export(project, "xlsx", out=project / "b.xlsx")
    assert audits() == 1
    after = _release_rows(project)["content_key"]
    assert set(after) == {release_key(_inputs(project))} and before not in set(after)
    assert project_info(project)["release"]["current"] is True
    run_export(project, "xlsx", out=project / "c.xlsx")
    assert audits() == 1


def test_rules_and_protection_share_are_part_of_the_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _inputs(project)
    key = release_key(inputs)
    assert release_key(inputs, protection_share=0.15) != key
    assert release_key({**inputs, "scenario_costs": pd.DataFrame({"x": [1]})}) == key
    monkeypatch.setattr(layers, "RELEASE_RULES_VERSION", layers.RELEASE_RULES_VERSION + 1)
    layers.rules_digest.cache_clear()
    try:
        assert release_key(inputs) != key
    finally:
        monkeypatch.undo()
        layers.rules_digest.cache_clear()
    assert release_key(inputs) == key


def _damaged_payload(rows: pd.DataFrame) -> pd.DataFrame:
    at = rows.index[rows["part"] == "blocks"][0]
    payload = rows.at[at, "payload"]
    rows.at[at, "payload"] = payload[:100] + ("A" if payload[100] != "A" else "B") + payload[101:]
    return rows


def _bad_json(rows: pd.DataFrame) -> pd.DataFrame:
    rows.loc[rows["part"] == WITHHELD_PART, "payload"] = '{"format": 1, "layers": '
    return rows


DAMAGES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "a changed byte": _damaged_payload,
    "a missing layer": lambda rows: rows[rows["part"] != "grid_100m"],
    "an unreadable account": _bad_json,
    "no base64": lambda rows: rows.assign(payload="not base64 at all!"),
    "another format": lambda rows: rows.assign(
        payload=rows["payload"].str.replace('"format": 1', '"format": 99', regex=False)
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_release_is_audited_again(
    project: Path, audits: Counter, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(str(project / "plan.gpkg"))
    inputs = _inputs(project)
    intact = read_release(store, str(release_key(inputs)))
    assert intact is not None and audits() == 0
    _write_release_rows(project, DAMAGES[damage](_release_rows(project)))
    assert read_release(store, str(release_key(inputs))) is None
    made, _ = project_release(store, inputs)
    assert audits() == 1
    assert "auditing again" in caplog.text
    repaired = read_release(store, str(release_key(inputs)))  # stored anew, whole
    assert repaired is not None
    for name, frame in intact[0].items():
        pd.testing.assert_frame_equal(made[name], frame, check_exact=True)
        pd.testing.assert_frame_equal(repaired[0][name], frame, check_exact=True)


def test_cli_export_with_a_damaged_release_has_no_traceback(project: Path) -> None:
    _write_release_rows(project, _bad_json(_release_rows(project)))
    out = project / "x.gpkg"
    result = CliRunner().invoke(
        app, ["export", str(project), "--format", "gpkg", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["disclosure_audit"]["status"].startswith("passed")
    info = CliRunner().invoke(app, ["info", str(project)])
    assert info.exit_code == 0 and "Public release: audited" in info.stdout


def test_a_failed_write_leaves_the_stored_release_as_it_was(
    project: Path, audits: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release is written in one transaction: an error midway keeps the old one whole."""
    before = _release_rows(project)
    real = StoreWriter.write

    def interrupted(self: StoreWriter, name: str, frame: pd.DataFrame, **kw: Any) -> None:
        real(self, name, frame, **kw)
        if name == RELEASE_TABLE:
            raise OSError("disk full (test)")

    monkeypatch.setattr(StoreWriter, "write", interrupted)
    inputs = _inputs(project)
    inputs["buildings"] = inputs["buildings"].assign(
        heat_demand_kwh_per_a=inputs["buildings"]["heat_demand_kwh_per_a"] * 1.01
    )
    made, _ = project_release(open_store(str(project / "plan.gpkg")), inputs)
    assert audits() == 1 and len(made["blocks"])
    pd.testing.assert_frame_equal(_release_rows(project), before)


def test_a_busy_store_only_skips_storing(
    project: Path, audits: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    _drop_release(project)
    monkeypatch.setattr(release_store, "RELEASE_WAIT_S", 0.2)
    lock = project / "plan.gpkg.lock"
    lock.write_text("network 1\n", encoding="utf-8")  # pid 1 runs: the lock is not stale
    report = run_export(project, "gpkg", out=project / "busy.gpkg")
    assert audits() == 1 and report["layers"]["blocks"] > 0
    lock.unlink()
    assert project_info(project)["release"]["stored"] is False


def test_release_on_postgis_is_stored_and_read_back(
    project: Path, pg_project_url: str, audits: Counter, tmp_path: Path
) -> None:
    gpkg = GeoPackageStore(project / "plan.gpkg")
    on_pg = tmp_path / "pg"
    create_project(on_pg, **MUNICIPALITY, store=pg_project_url)
    assert project_info(on_pg)["release"] == {"stored": False, "current": False}
    store = open_store(pg_project_url)
    with store.transaction(step="copy the demo") as writer:
        for name in RELEASE_INPUTS:
            if gpkg.has(name):
                writer.write(name, gpkg.read(name))
    inputs = {name: store.read(name) for name in RELEASE_INPUTS if store.has(name)}
    made, withheld = project_release(store, inputs)
    assert audits() == 1
    again, withheld_again = project_release(store, inputs)
    assert audits() == 1
    assert withheld_again == withheld
    status = project_info(on_pg)["release"]
    assert status["current"] is True and status["content_key"] == release_key(inputs)
    for name, frame in made.items():
        pd.testing.assert_frame_equal(again[name], frame, check_exact=True, obj=name)
    on_gpkg = read_release(gpkg, str(release_key(_inputs(project))))
    assert on_gpkg is not None
    pd.testing.assert_frame_equal(
        pd.DataFrame(again["blocks"]).drop(columns="geometry"),
        pd.DataFrame(on_gpkg[0]["blocks"]).drop(columns="geometry"),
        check_exact=False,
        rtol=1e-9,
    )


def test_a_busy_postgis_store_waits_at_most_wait_s(pg_project_url: str) -> None:
    """A release write gives up after ``wait_s`` behind another step (PostgreSQL lock_timeout);
    the lock holder's step is not disturbed and nothing of the waiting one is written."""
    store = open_store(pg_project_url)
    store.create(crs="EPSG:25832")
    holding, done = threading.Event(), threading.Event()

    def long_step() -> None:
        with store.transaction(step="long step") as writer:
            writer.write("note", pd.DataFrame({"by": ["long step"]}))
            holding.set()
            done.wait(timeout=60)

    thread = threading.Thread(target=long_step)
    thread.start()
    try:
        assert holding.wait(timeout=60)
        started = time.monotonic()
        busy = open_store(pg_project_url).transaction(step="publish:release", wait_s=0.3)
        with pytest.raises(StoreBusyError, match="another heatplan step"), busy as writer:
            writer.write(RELEASE_TABLE, pd.DataFrame({"part": ["x"]}))
        assert time.monotonic() - started < 30  # not until the long step ends
    finally:
        done.set()
        thread.join(timeout=60)
    assert not store.has(RELEASE_TABLE)
    assert store.read("runs")["step"].tolist() == ["init", "long step"]
    with store.transaction(step="after", wait_s=0.3) as writer:  # free again: no wait
        writer.write("note", pd.DataFrame({"by": ["after"]}))

"""The national layer: a synthetic stock by state, and the stages mapped over municipalities on
a Dask cluster give each municipality what the single-process plan gives it (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.demo.schutterwald import input_frames
from heatplan.errors import InputFileError
from heatplan.inputs.imports import buildings_frame
from heatplan.inputs.tables import consumption_frame
from heatplan.national.partitions import (
    KEY,
    layer_keys,
    read_layer,
    read_partition,
    write_partition,
)
from heatplan.national.run import (
    STORE_LAYERS,
    ClusterSettings,
    NationalRunError,
    load_cluster_settings,
    run_national,
    write_store,
)
from heatplan.national.stock import (
    CRS,
    MIN_TOWN_BUILDINGS,
    inside_germany,
    municipality_sizes,
    states,
    synthetic_stock,
    towns,
)
from heatplan.plan import Plan
from heatplan.project.store import open_store
from heatplan.stages import areas, inventory
from same_frames import assert_same_frames

#: Schutterwald's municipality key (AGS, Ortenaukreis): the demo town is one partition.
SCHUTTERWALD = "08317122"


# --- the synthetic stock -------------------------------------------------------------------
def test_stock_splits_the_buildings_by_state_as_the_zensus_table() -> None:
    sizes = municipality_sizes(100_000)
    table = states().set_index("state_key")
    assert sizes["buildings"].sum() == 100_000
    by_state = sizes.groupby("state_key")["buildings"].sum()
    # hand calculation: each state's share of the national stock times 100,000 (+-1: rounding)
    expected = table["residential_buildings"] / table["residential_buildings"].sum() * 100_000
    assert np.abs(by_state - expected.reindex(by_state.index)).max() <= 1.0
    # municipalities scale with the real count: Rheinland-Pfalz 2301 x 100000 / 20.13 M = 11.4
    assert (sizes["state_key"] == "07").sum() == 11
    assert (sizes["state_key"] == "11").sum() == 1  # Berlin is one municipality
    assert sizes["buildings"].min() >= MIN_TOWN_BUILDINGS
    assert sizes[KEY].str.fullmatch(r"\d{8}").all() and sizes[KEY].is_unique


def test_a_slot_is_in_germany_as_the_full_test_of_its_square_says() -> None:
    """The quick test (a corner off the border, the full test on it) decides every slot as
    ``contains`` of the unprepared outline and the whole square does: the towns stay put."""
    from heatplan.reference.weather import try_outline

    outline = try_outline().to_crs(CRS).union_all()
    x0, y0, x1, y1 = outline.bounds
    pitch_m = 7_300.0  # no round number: slots fall across the border at every angle
    xs, ys = np.meshgrid(np.arange(x0 - pitch_m, x1, pitch_m), np.arange(y0 - pitch_m, y1, pitch_m))
    corners = np.column_stack([xs.ravel(), ys.ravel()])
    boxes = shapely.box(*corners.T, *(corners + pitch_m).T)
    expected = np.asarray(shapely.contains(outline, boxes), bool)
    inside = inside_germany(corners, pitch_m)
    assert inside.dtype == bool and (inside == expected).all()
    # both kinds of slot are there, and many on the border
    assert 0 < expected.sum() < len(expected)
    assert shapely.intersects(outline.boundary, boxes).sum() > 100


def test_stock_is_seeded_and_towns_do_not_overlap() -> None:
    placed = towns(20_000, seed=3)
    assert placed == towns(20_000, seed=3)
    assert [t.buildings for t in placed] != [t.buildings for t in towns(20_000, seed=4)]
    sides = [np.ceil(np.sqrt(t.buildings / 8)) * 100 for t in placed]
    boxes = shapely.box(
        [t.x0_m for t in placed],
        [t.y0_m for t in placed],
        [t.x0_m + s for t, s in zip(placed, sides, strict=True)],
        [t.y0_m + s for t, s in zip(placed, sides, strict=True)],
    )
    tree = shapely.STRtree(boxes)
    pairs = tree.query(boxes, predicate="intersects")
    assert (pairs[0] == pairs[1]).all()  # each box meets only itself


def test_stock_round_trips_through_partitioned_geoparquet(tmp_path: Path) -> None:
    key, buildings, _, consumption = next(iter(synthetic_stock(2_000, seed=2)))
    write_partition(tmp_path / "buildings", key, buildings)
    write_partition(tmp_path / "consumption", key, consumption)
    assert layer_keys(tmp_path / "buildings") == [key]
    back = read_partition(tmp_path / "buildings", key)
    assert isinstance(back, gpd.GeoDataFrame) and back.crs == buildings.crs
    pd.testing.assert_frame_equal(pd.DataFrame(back), pd.DataFrame(buildings))
    merged = read_layer(tmp_path / "consumption")
    assert (merged[KEY] == key).all() and len(merged) == len(consumption)
    # a third of the buildings metered, three years each (the generator's choice)
    assert len(consumption) / 3 / len(buildings) == pytest.approx(1 / 3, abs=0.08)


def test_a_folder_without_partitions_is_named(tmp_path: Path) -> None:
    (tmp_path / "buildings").mkdir()
    with pytest.raises(InputFileError, match="buildings: no partitions ags="):
        layer_keys(tmp_path / "buildings")


def test_cluster_settings_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "national.toml"
    path.write_text('[cluster]\nscheduler = "tcp://10.0.0.5:8786"\nworkers = 4\n')
    assert load_cluster_settings(path) == ClusterSettings(
        scheduler="tcp://10.0.0.5:8786", workers=4
    )
    path.write_text("[cluster]\nworker = 4\n")
    with pytest.raises(InputFileError, match=r"national.toml: \[cluster\] has unknown keys"):
        load_cluster_settings(path)


# --- a national run equals the single-process plan per municipality -------------------------
def _schutterwald() -> dict[str, pd.DataFrame]:
    raw = input_frames()
    buildings, rejected = buildings_frame(
        raw["buildings"], file=Path("buildings.geojson"), crs="EPSG:25832"
    )
    consumption, rejected_rows = consumption_frame(
        raw["consumption"].astype(str), file=Path("consumption.csv")
    )
    assert rejected.empty and rejected_rows.empty
    return {"buildings": buildings, "consumption": consumption, "streets": raw["streets"]}


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """Schutterwald and two small synthetic municipalities, run on a 2-worker LocalCluster."""
    root = tmp_path_factory.mktemp("national")
    inputs = root / "in"
    frames = {SCHUTTERWALD: _schutterwald()}
    stock = synthetic_stock(400, seed=5)
    for _ in range(2):
        key, buildings, streets, consumption = next(stock)
        frames[key] = {"buildings": buildings, "streets": streets, "consumption": consumption}
    for key, layers in frames.items():
        for name, frame in layers.items():
            write_partition(inputs / name, key, frame)
    result = run_national(
        inputs, root / "out", settings=ClusterSettings(workers=2), with_areas=True
    )
    return root / "out", inputs, {"frames": frames, "result": result}


@pytest.fixture(scope="module")
def alone(national: tuple) -> dict[str, Plan]:
    """Each municipality's in-memory plan in this process, no cluster."""
    plans = {}
    for key, frames in national[2]["frames"].items():
        plan = Plan.from_frames(municipality=key, **frames)
        for stage in (inventory, areas):
            plan, _ = stage.run(plan)
        plans[key] = plan
    return plans


@pytest.mark.parametrize("layer", ["grid_100m", "blocks", "street_segments", "totals", "areas"])
def test_each_municipality_as_in_a_single_process_plan(
    national: tuple, alone: dict[str, Plan], layer: str
) -> None:
    out, _, run = national
    assert run["result"].municipalities == 3
    merged = read_layer(out / layer)
    for key, plan in alone.items():
        mine = merged[merged[KEY] == key].drop(columns=KEY)
        expected = plan.frame(layer)
        if layer == "areas":
            expected = expected.assign(
                block_ids=expected["block_ids"].map(
                    lambda v: ";".join(map(str, v)) if isinstance(v, list) else v
                )
            )
        assert len(mine) == len(expected) > 0, (key, layer)
        others = mine.columns.difference(expected.columns)  # other towns' carriers
        assert mine[others].isna().all().all(), (key, layer)
        assert_same_frames(mine[expected.columns], expected)


def test_the_run_adds_up_and_reports_every_worker(national: tuple) -> None:
    out, _, run = national
    result = run["result"]
    cells = read_layer(out / "grid_100m")
    towns_ = read_layer(out / "municipalities")
    assert result.buildings == sum(len(f["buildings"]) for f in run["frames"].values())
    assert result.grid_cells == len(cells)
    # the municipal totals are the sums of their cells (an independent aggregation)
    by_cell = cells.groupby(KEY)["heat_demand_kwh_per_a"].sum()
    np.testing.assert_allclose(
        towns_.set_index(KEY)["heat_demand_kwh_per_a"].loc[by_cell.index], by_cell, rtol=1e-9
    )
    assert result.workers == 2 and 1 <= len(result.peak_rss_mb_per_worker) <= 2
    assert not (out.parent / "out.partial").exists()


def test_released_cells_hide_every_small_group(national: tuple) -> None:
    out, _, _ = national
    public = read_layer(out / "public_grid_100m")
    shown = public[~public["suppressed"]]
    assert shown["buildings"].min() >= 5
    assert public.loc[public["suppressed"], "heat_demand_kwh_per_a"].isna().all()
    # secondary suppression: per municipality the hidden cells hold 0 or >= 5 buildings
    hidden = public[public["suppressed"]].groupby(KEY)["buildings"].sum()
    assert ((hidden == 0) | (hidden >= 5)).all()


def test_a_second_run_into_the_same_folder_is_refused(national: tuple) -> None:
    out, inputs, _ = national
    with pytest.raises(NationalRunError, match="exists and is not empty"):
        run_national(inputs, out)


def test_cli_reports_a_bad_input_folder_as_json(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["national", "run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"), "--json"]
    )
    assert done.exit_code == 1
    assert "no such folder" in json.loads(done.stdout)["error"]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("store", ["gpkg", "postgis"])
def test_merged_layers_go_to_a_project_store(
    national: tuple, store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    out, _, _ = national
    url = (
        str(tmp_path / "national.gpkg")
        if store == "gpkg"
        else request.getfixturevalue("pg_project_url")
    )
    write_store(out, url)
    stored = open_store(url)
    for name in STORE_LAYERS:
        merged = read_layer(out / name)
        back = stored.read(f"national_{name}")
        assert len(back) == len(merged) > 0, name
        assert sorted(back[KEY].astype(str).unique()) == sorted(merged[KEY].unique())
    towns = stored.read("national_municipalities").sort_values(KEY)
    np.testing.assert_allclose(
        towns["heat_demand_kwh_per_a"].to_numpy(float),
        read_layer(out / "municipalities").sort_values(KEY)["heat_demand_kwh_per_a"],
        rtol=1e-12,
    )


def test_a_failing_municipality_leaves_no_results(tmp_path: Path) -> None:
    key, buildings, streets, _ = next(iter(synthetic_stock(300, seed=9)))
    write_partition(tmp_path / "in" / "buildings", key, buildings)
    write_partition(tmp_path / "in" / "streets", key, streets)
    broken = tmp_path / "in" / "buildings" / "ags=99000001" / "part-0.parquet"
    broken.parent.mkdir()
    broken.write_bytes(b"not parquet")
    with pytest.raises(NationalRunError, match=r"1 municipalities failed \(99000001: .*part-0"):
        run_national(tmp_path / "in", tmp_path / "out", settings=ClusterSettings(workers=1))
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def test_released_cells_and_the_municipal_total_disclose_nothing_together(
    alone: dict[str, Plan],
) -> None:
    """The published cells are audited with the published municipal total: audited again
    together, nothing more needs suppressing."""
    from heatplan.national.municipality import released_grid
    from heatplan.publish.release import audit_release

    for key, plan in alone.items():
        frames = {"buildings": plan.buildings, "totals": plan.frame("totals")}
        public = released_grid(plan.grid_100m, plan.buildings, key, frames["totals"])
        again, report = audit_release({"grid_100m": public.drop(columns="suppressed")}, frames)
        assert sum(report.suppressed_figures.values()) == 0, key
        assert again["grid_100m"]["heat_demand_kwh_per_a"].isna().sum() == (
            public["heat_demand_kwh_per_a"].isna().sum()
        )


@pytest.mark.parametrize("crs", ["EPSG:25832", "EPSG:4326", None])
def test_a_partition_reads_as_geopandas_reads_it(tmp_path: Path, crs: str | None) -> None:
    """The partition reader (its CRS built once per process) gives geopandas' own frame:
    columns in their order (geometry between two columns), types, values and CRS."""
    frame = gpd.GeoDataFrame(
        {
            "building_id": ["a", "b", "c"],
            "geometry": [shapely.Point(1, 2), None, shapely.box(0, 0, 1, 1)],
            "floors": [1.0, np.nan, 3.0],
            "heated": [True, False, True],
        },
        crs=crs,
    )
    path = write_partition(tmp_path / "layer", "08317122", frame)
    mine = read_partition(tmp_path / "layer", "08317122")
    assert isinstance(mine, gpd.GeoDataFrame)
    assert_geodataframe_equal(mine, gpd.read_parquet(path), check_crs=True)
    assert list(mine.columns) == ["building_id", "geometry", "floors", "heated"]
    assert mine.crs == (None if crs is None else pyproj.CRS(crs))
    # a second read gives the same CRS object, not a new one parsed again
    again = read_partition(tmp_path / "layer", "08317122")
    assert again is not None and (crs is None or again.crs is mine.crs)


def test_the_outline_is_the_hull_of_the_union(alone: dict[str, Plan]) -> None:
    """The municipal outline (hull of the shapes' vertices) is the convex hull of their union,
    vertex for vertex: of the blocks, and of the buildings (a town without blocks)."""
    from heatplan.national.municipality import outline_of

    for key, plan in alone.items():
        for shapes in (plan.blocks.geometry, plan.buildings.geometry):
            expected = shapes.union_all().convex_hull
            mine = outline_of(shapes.to_numpy())
            assert shapely.equals_exact(mine, expected, tolerance=0), key
            assert mine.area == pytest.approx(expected.area, rel=1e-15)


def test_every_town_of_a_5m_stock_finds_its_weather_region() -> None:
    """At 5M buildings the slot lattice reached past the border (issue 20: Trier, Vogtland):
    each town's centre must lie in a DWD TRY region, as the inventory's region pick needs."""
    from heatplan.national.stock import BLOCK_M, CRS, PER_BLOCK
    from heatplan.reference.weather import try_outline

    placed = towns(5_000_000)
    side_m = np.ceil(np.sqrt(np.array([t.buildings for t in placed]) / PER_BLOCK)) * BLOCK_M
    x_m = np.array([t.x0_m for t in placed]) + side_m / 2
    y_m = np.array([t.y0_m for t in placed]) + side_m / 2
    centres = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x_m, y_m), crs=CRS)
    hits = centres.sjoin(try_outline().to_crs(CRS), how="left", predicate="within")
    outside = hits.loc[hits["TRY_code"].isna()].index.unique()
    assert len(placed) == 2675
    assert list(outside) == []

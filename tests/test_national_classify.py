"""A national run with ``--classify``: each municipality's areas are classified on the cluster
as the single-process plan classifies them, from what its partitions hold and nothing else
(issue 20)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from heatplan.errors import InputFileError
from heatplan.national.municipality import INPUT_LAYERS, for_municipality, run_stages
from heatplan.national.partitions import KEY, read_layer, write_partition
from heatplan.national.run import (
    NationalResult,
    load_cluster_settings,
    load_plan_settings,
    run_national,
    write_store,
)
from heatplan.national.stock import synthetic_stock
from heatplan.plan import Plan
from heatplan.project.config import ProjectConfig
from heatplan.project.store import open_store
from heatplan.stages import areas, classify, inventory, potentials
from same_frames import assert_same_frames

pytestmark = pytest.mark.slow

#: The classification's columns for the target year (heatplan.classify.rules).
TARGET = ("area_type_2045", "likelihood_2045", "explanation", "network_lcoh_eur_per_mwh")
#: The run's plan settings, from a settings file as a user writes it. Without funding the
#: classification compares one town plant (the WPG share), not a second one sized to the
#: BEW's share: half the dispatch time, which is most of a small town's classification.
#: One worker: a process of its own, as on a cluster, that plans both towns one after the
#: other (so nothing one municipality leaves in a worker may change the next one's plan);
#: with the plans alone in this process that is two busy processes on the two cores, where
#: a second worker would pay its start-up again and wait for a core.
SETTINGS = "[cluster]\nworkers = 1\n\n[economics]\nwith_funding = false\n"


def _towns() -> dict[str, dict[str, pd.DataFrame]]:
    """Two small seeded synthetic municipalities (a few hundred buildings each); the second
    has a gas network along its first street (the only input beyond the stock's)."""
    stock = synthetic_stock(1_500, seed=7)
    towns = {}
    for key, buildings, streets, consumption in stock:
        if 150 <= len(buildings) <= 400:
            towns[key] = {"buildings": buildings, "streets": streets, "consumption": consumption}
        if len(towns) == 2:
            break
    second = list(towns)[1]
    streets = towns[second]["streets"]
    towns[second]["gas_networks"] = gpd.GeoDataFrame(
        {"network": ["Gasnetz Süd"]}, geometry=[streets.geometry.iloc[0]], crs=streets.crs
    )
    return towns


def _alone(frames: dict[str, pd.DataFrame], key: str, settings: ProjectConfig) -> Plan:
    """The single-process plan of one municipality: the stages one after another, no cluster."""
    crs = frames["buildings"].crs.to_string()
    plan = Plan.from_frames(settings=for_municipality(settings, key, crs), **frames)
    for stage in (inventory, potentials, areas, classify):
        plan, _ = stage.run(plan)
    return plan


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, object]:
    """The two towns run with ``with_classify`` on a cluster of one worker; meanwhile (the
    worker is another process) the same towns planned alone in this process."""
    root = tmp_path_factory.mktemp("national_classify")
    towns = _towns()
    for key, layers in towns.items():
        for name, frame in layers.items():
            write_partition(root / "in" / name, key, frame)
    (root / "national.toml").write_text(SETTINGS)
    cluster = load_cluster_settings(root / "national.toml")
    settings = load_plan_settings(root / "national.toml")
    assert settings is not None and not settings.economics.with_funding
    with ThreadPoolExecutor(1) as pool:
        alone = {k: pool.submit(_alone, frames, k, settings) for k, frames in towns.items()}
        result = run_national(
            root / "in", root / "out", settings=cluster, with_classify=True, plan_settings=settings
        )
        plans = {key: future.result() for key, future in alone.items()}
    return root / "out", towns, plans, result


def test_classified_areas_as_in_a_single_process_plan(classified: tuple) -> None:
    out, _, plans, result = classified
    merged = read_layer(out / "areas")
    for key, plan in plans.items():
        mine = merged[merged[KEY] == key].drop(columns=KEY)
        expected = plan.areas.assign(
            block_ids=plan.areas["block_ids"].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, list) else v
            )
        )
        assert len(mine) == len(expected) > 0, key
        assert set(TARGET) <= set(expected.columns)
        assert_same_frames(mine[expected.columns], expected)
    assert result.classified_areas == len(merged) == sum(len(p.areas) for p in plans.values())
    # the counts by type are those of the merged layer's target year
    assert result.area_types == merged["area_type_2045"].value_counts().sort_index().to_dict()


def test_the_classification_names_the_inputs_it_lacked(classified: tuple) -> None:
    """Only the second town has a gas network: its areas see it, and only the first town's
    areas (and the run's count) name ``gas_networks`` as missing."""
    out, towns, _, result = classified
    first, second = towns
    merged = read_layer(out / "areas")
    missing = merged.groupby(KEY)["missing_inputs"].agg(set)
    assert all(len(v) == 1 for v in missing)  # one statement per municipality
    lacked = {k: next(iter(v)).split(";") for k, v in missing.items()}
    assert "gas_networks" in lacked[first] and "gas_networks" not in lacked[second]
    # what neither has: no LV grid check, no heat network, no sewage plant
    for name in ("grid_supply_areas", "heat_networks", "sewage_plants"):
        assert name in lacked[first] and name in lacked[second]
        assert result.missing_inputs[name] == 2
    assert result.missing_inputs["gas_networks"] == 1
    assert "buildings" not in result.missing_inputs and "streets" not in result.missing_inputs
    assert set(lacked[first]) <= set(INPUT_LAYERS)
    # the given gas network is used where given, and only there: known lengths (0 m in an
    # area it does not reach) in the second town, unknown (NaN, not 0 m) in the first
    gas = merged.loc[merged[KEY] == second, "gas_network_m"]
    assert gas.notna().all() and gas.max() > 0
    assert merged.loc[merged[KEY] == first, "gas_network_m"].isna().all()
    # a municipality without the input is not given one: no fabricated heat network, and no
    # claimed absence either
    assert merged["heat_network_m"].isna().all()


def test_classified_areas_go_to_the_store(classified: tuple, tmp_path: Path) -> None:
    out, _, _, _ = classified
    write_store(out, str(tmp_path / "national.gpkg"))
    back = open_store(str(tmp_path / "national.gpkg")).read("national_areas")
    merged = read_layer(out / "areas")
    assert len(back) == len(merged)
    pd.testing.assert_series_equal(
        back.sort_values(["ags", "area_id"])["likelihood_2045"].reset_index(drop=True),
        merged.sort_values(["ags", "area_id"])["likelihood_2045"].reset_index(drop=True),
    )


def test_run_stages_without_classify_leaves_areas_unclassified(classified: tuple) -> None:
    """``with_areas`` alone makes areas, no classes and no potentials."""
    _, towns, _, _ = classified
    key = next(iter(towns))
    plan = run_stages(towns[key], key, with_areas=True)
    assert plan.has("areas") and not plan.has("potentials")
    assert not any(c.startswith("area_type_") for c in plan.areas.columns)


def test_plan_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "national.toml"
    path.write_text("[cluster]\nworkers = 3\n")
    assert load_plan_settings(path) is None  # nothing but the cluster: the defaults
    path.write_text('[classify]\nweight_cost = 0.6\n[project]\ncrs = "EPSG:3035"\n')
    settings = load_plan_settings(path)
    assert settings is not None and settings.classify == {"weight_cost": 0.6}
    # each municipality named by its key, in the CRS of its buildings
    mine = for_municipality(settings, "08317122", "EPSG:25832")
    assert (mine.municipality.name, mine.project.crs) == ("08317122", "EPSG:25832")
    assert mine.classify == {"weight_cost": 0.6}
    path.write_text("[economics]\ninterest_rate = -3\n")
    with pytest.raises(InputFileError, match=r"national.toml: economics.interest_rate"):
        load_plan_settings(path)
    path.write_text('[municipality]\nname = "Schutterwald"\n')
    with pytest.raises(InputFileError, match=r"\[municipality\] is not for a national run"):
        load_plan_settings(path)


def test_cli_says_what_the_classification_lacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``heatplan national run --classify`` passes the settings file's plan settings on and
    names each missing input with what it means (the run itself is stood in for)."""
    from typer.testing import CliRunner

    import heatplan.national.run as national_run
    from heatplan.cli import app

    seen: dict[str, object] = {}

    def fake_run(input_dir: Path, out_dir: Path, **options: object) -> NationalResult:
        seen.update(options)
        return NationalResult(
            municipalities=3,
            buildings=900,
            heat_demand_twh_per_a=0.02,
            grid_cells=40,
            public_grid_cells=30,
            seconds=12.0,
            buildings_per_second=75.0,
            cpu_seconds=20.0,
            workers=2,
            scheduler="local",
            peak_rss_mb_per_worker={"1": 500.0},
            classified_areas=7,
            area_types={"dezentral": 4, "waermenetz_neubau": 3},
            missing_inputs={"gas_networks": 2, "plants": 3},
            output=str(out_dir),
        )

    monkeypatch.setattr(national_run, "run_national", fake_run)
    settings_file = tmp_path / "national.toml"
    settings_file.write_text(SETTINGS)
    command = ["national", "run", str(tmp_path), "--out", str(tmp_path / "o"), "--classify"]
    done = CliRunner().invoke(app, [*command, "--settings", str(settings_file)])
    assert done.exit_code == 0, done.output
    assert seen["with_classify"] is True
    settings = seen["plan_settings"]
    assert isinstance(settings, ProjectConfig) and not settings.economics.with_funding
    text = " ".join(done.output.split())
    assert "7 areas classified (target year: 4 dezentral, 3 waermenetz_neubau)" in text
    assert "without gas_networks in 2 of 3 municipalities: no gas network known" in text
    assert "plants" not in text  # MaStR plants do not enter the classification


def test_input_layers_are_what_the_stages_read() -> None:
    """Every frame the national stages read that none of them makes, and nothing else."""
    from heatplan.national.municipality import STAGES
    from heatplan.plan.frames import frame_info

    needs = [n for s in (inventory, potentials, areas, classify) for n in s.NEEDS]
    made_elsewhere = {n for n in needs if frame_info(n).stage not in STAGES}
    assert set(INPUT_LAYERS) == made_elsewhere
    assert len(INPUT_LAYERS) == len(set(INPUT_LAYERS))

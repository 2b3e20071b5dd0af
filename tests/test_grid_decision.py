"""The LV grid check in the § 18 decision (issue 18): the reinforcement annuity on the
decentral full cost and in the area's reason."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demo_copy import copy_demo
from heatplan.classify import grid_cost
from heatplan.project.store import open_store
from heatplan.steps.core import run_classify

#: Relative tolerance of a sum of float figures read back from the store.
REL = 1e-9


def _grid_areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ["A01", "A02"],
            "reinforcement_eur_per_mwh": [2.26, 0.0],
            "trafos_exchanged": [1, 0],
            "parallel_cable_m": [1234.4, 0.0],
            "hosting_share": [0.35, 1.0],
        }
    )


def test_the_annuity_is_added_to_the_decentral_cost_only_where_the_area_has_grid_data() -> None:
    annuity = grid_cost.annuity_eur_per_mwh(_grid_areas())
    decentral = (150.0, "air_hp", 3.1, 60.0)
    assert grid_cost.with_grid(decentral, float(annuity.get("A01", 0.0))) == (
        150.0 + 2.26,
        "air_hp",
        3.1,
        60.0,
    )
    # an area without grid data keeps its cost
    assert grid_cost.with_grid(decentral, float(annuity.get("A99", 0.0))) == decentral
    assert grid_cost.annuity_eur_per_mwh(None).empty
    assert math.isnan(grid_cost.with_grid((math.nan, "", math.nan, math.nan), 2.0)[0])


def test_the_reason_names_the_reinforcement_in_german_numbers() -> None:
    texts = grid_cost.reasons(_grid_areas())
    de, en = texts["A01"]
    assert de == (
        "Stromnetz: Verstärkung für Wärmepumpen 2,3 EUR/MWh (Trafotausch 1, Kabel 1.234 m), "
        "Aufnahmefähigkeit bis 35 % Wärmepumpen."
    )
    assert "1,234 m" in en and "35 % heat pumps" in en
    columns = grid_cost.with_reason(
        {"explanation": "Ergebnis: X.", "explanation_en": "x"}, texts["A02"]
    )
    assert str(columns["explanation"]).startswith("Ergebnis: X. Stromnetz: ")
    assert "Aufnahmefähigkeit bis 100 %" in str(columns["explanation"])
    assert grid_cost.with_reason({"explanation": "a"}, None) == {"explanation": "a"}


def test_a_broken_limit_without_heat_pumps_is_said() -> None:
    row = _grid_areas().iloc[0].copy()
    row["hosting_share"] = np.nan
    de, en = grid_cost.reason(row)
    assert "schon ohne Wärmepumpen" in de and "without heat pumps" in en


@pytest.fixture(scope="module")
def reclassified(demo_built: tuple[Path, dict]) -> Path:
    """The demo: it classifies again after its grid check (heatplan.demo.run)."""
    return demo_built[0]


def test_the_demo_decision_carries_the_grid_annuity(reclassified: Path) -> None:
    store = open_store(str(reclassified / "plan.gpkg"))
    areas = store.read("areas").set_index("area_id")
    grid = store.read("grid_supply_areas").set_index("area_id")
    costs = store.read("building_costs")
    annuity = pd.to_numeric(grid["reinforcement_eur_per_mwh"]).fillna(0.0)
    assert annuity.gt(0).any(), "the demo needs an area with a reinforcement need"
    # independent: the demand-weighted best decentral cost of the area's buildings (chosen
    # perspective, without the grid) plus the annuity
    costs = costs[costs["best_decentral_lcoh_eur_per_mwh"].notna()]
    demand = store.read("buildings").set_index("building_id")["heat_demand_kwh_per_a"]
    costs = costs.assign(weight=demand.reindex(costs["building_id"]).to_numpy())
    weighted = costs.groupby("area_id").apply(
        lambda g: np.average(g["best_decentral_lcoh_eur_per_mwh"], weights=g["weight"]),
        include_groups=False,
    )
    checked = [a for a in weighted.index if a in annuity.index]
    assert checked
    for area in checked:
        expected = weighted[area] + annuity[area]
        got = float(areas.loc[area, "decentral_lcoh_eur_per_mwh"])
        assert got == pytest.approx(expected, rel=1e-6), area
        assert float(areas.loc[area, "grid_reinforcement_eur_per_mwh"]) == pytest.approx(
            annuity[area], rel=REL
        )
        assert "Stromnetz: Verstärkung für Wärmepumpen" in str(areas.loc[area, "explanation"])
        assert "power grid: reinforcement" in str(areas.loc[area, "explanation_en"])
    # both perspectives carry it: each differs from its no-grid value by the same annuity
    owner = pd.to_numeric(areas["decentral_lcoh_owner_eur_per_mwh"])
    economic = pd.to_numeric(areas["decentral_lcoh_economic_eur_per_mwh"])
    assert owner.notna().all() and economic.notna().all()


def test_areas_without_grid_data_keep_their_cost_and_reason(
    tmp_path_factory: pytest.TempPathFactory, demo_built: tuple[Path, dict]
) -> None:
    project = copy_demo(demo_built, tmp_path_factory.mktemp("no-grid") / "schutterwald")
    store = open_store(str(project / "plan.gpkg"))
    before = store.read("areas").set_index("area_id")
    grid = store.read("grid_supply_areas")
    with store.transaction(step="test: grid check of one area only") as writer:
        writer.write("grid_supply_areas", grid[grid["area_id"].eq(grid["area_id"].iloc[0])])
    run_classify(project)
    after = open_store(str(project / "plan.gpkg")).read("areas").set_index("area_id")
    kept = [a for a in after.index if a != grid["area_id"].iloc[0]]
    assert not after.loc[kept, "explanation"].str.contains("Stromnetz").any()
    assert after.loc[kept, "grid_reinforcement_eur_per_mwh"].isna().all()
    # the demo's decision carried the grid: without it each cost falls by exactly its annuity
    for column in ("decentral_lcoh_owner_eur_per_mwh", "decentral_lcoh_economic_eur_per_mwh"):
        pd.testing.assert_series_equal(
            pd.to_numeric(after.loc[kept, column]),
            pd.to_numeric(before.loc[kept, column])
            - pd.to_numeric(before.loc[kept, "grid_reinforcement_eur_per_mwh"]),
            rtol=REL,
            check_names=False,
        )


def test_public_transformer_areas_are_coarse_classes_and_small_ones_suppressed() -> None:
    from heatplan.publish.grid import hosting_class, public_trafo_areas

    frame = pd.DataFrame(
        {
            "trafo_id": ["t1", "t2", "t3"],
            "buildings": [120, 4, 60],
            "hosting_share": [0.35, 0.9, np.nan],
            "reinforcement_eur": [123_456.0, 5_000.0, 0.0],
            "vm_min_pu_plan": [0.93, 0.97, 0.99],
            "line_max_percent_plan": [140.0, 80.0, 60.0],
        }
    )
    public, hidden = public_trafo_areas(frame)
    assert hidden == 1
    assert "vm_min_pu_plan" not in public.columns and "line_max_percent_plan" not in public.columns
    assert public.loc[0, "hosting_class"] == "25–50 %"
    assert public.loc[0, "reinforcement_needed"] == "ja"
    assert public.loc[0, "reinforcement_eur"] == 123_000.0
    # under the minimum: only id and count stay
    assert pd.isna(public.loc[1, "reinforcement_eur"]) and public.loc[1, "buildings"] == 4
    assert public.loc[2, "hosting_class"] == "ohne Wärmepumpen überlastet"
    assert list(hosting_class(pd.Series([1.0, 0.0, 0.75]))) == ["100 %", "0–25 %", "75–100 %"]


def test_public_supply_area_grid_figures_follow_the_area_suppression() -> None:
    from heatplan.publish.grid import public_supply_areas

    frame = pd.DataFrame(
        {
            "area_id": ["A01", "A02", "A03"],
            "buildings": [200, 150, 3],
            "hosting_share": [0.4, 1.0, 0.5],
            "line_max_percent_plan": [137.0, 64.0, 50.0],
            "vm_min_pu_plan": [0.9349, 0.978, 0.99],
            "reinforcement_eur": [98_765.0, 0.0, 10.0],
            "reinforcement_eur_per_mwh": [1.234, 0.0, 0.1],
        }
    )
    public, hidden = public_supply_areas(frame, {"A02"})
    assert hidden == 2  # A02 hidden by the areas layer, A03 under the minimum
    assert public.loc[0, "line_max_percent_plan"] == pytest.approx(140.0)
    assert public.loc[0, "vm_min_pu_plan"] == pytest.approx(0.93)
    assert public.loc[0, "reinforcement_eur"] == pytest.approx(99_000.0)
    assert public.loc[0, "reinforcement_eur_per_mwh"] == pytest.approx(1.2)
    assert public.loc[[1, 2], "hosting_share"].isna().all()


def test_the_report_grid_table_shows_the_public_figures_in_german() -> None:
    from heatplan.publish.grid import public_supply_areas
    from heatplan.report.grid import area_line, grid_section

    raw = pd.DataFrame(
        {
            "area_id": ["A02", "A01"],
            "buildings": [150, 3],
            "year": [2045, 2045],
            "hp_share": [0.8, 0.8],
            "ev_share": [0.0, 0.0],
            "controlled_14a": [False, False],
            "hosting_share": [0.35, 0.5],
            "line_max_percent_plan": [143.2, 90.0],
            "trafo_max_percent_plan": [276.0, 80.0],
            "vm_min_pu_plan": [0.8149, 0.95],
            "reinforcement_eur": [165_210.4, 10.0],
            "reinforcement_eur_per_mwh": [1.671, 0.0],
        }
    )
    public, _ = public_supply_areas(raw)
    section = grid_section(public, None)
    rows = {r[0]: r[1:] for r in section["table"].rows}
    # independent: 143.2 % -> 140 %, 0.8149 pu -> 81 % Un, 165,210 EUR -> 165.000 EUR
    assert rows["A02"] == ["35 %", "140", "280", "81", "165.000", "1,7"]
    assert set(rows["A01"]) == {"–"}  # under the minimum: suppressed
    assert "80 %" in section["table"].note and "2045" in section["table"].note
    limits = {r[0]: r[1] for r in section["limits"].rows}
    assert limits["Niedrigste zulässige Spannung"] == "90"
    assert all("DIN" in r[3] or "Annahme" in r[3] for r in section["limits"].rows)
    assert set(area_line(public)) == {"A02"}
    assert "Verstärkungskosten 165.000 EUR" in area_line(public)["A02"]
    assert grid_section(None, None) == {"empty": True}


def test_the_heat_pump_costs_carry_the_area_s_grid_annuity() -> None:
    rows = pd.DataFrame(
        {
            "area_id": ["A01", "A01", "A02", "A03"],
            "lcoh_air_hp_eur_per_mwh": [150.0, 160.0, 170.0, 180.0],
            "lcoh_ground_hp_eur_per_mwh": [190.0, 200.0, np.nan, 210.0],
            "lcoh_gas_eur_per_mwh": [140.0, 140.0, 140.0, 140.0],
        }
    )
    annuity = pd.Series({"A01": 2.5, "A02": 0.0, "A03": np.nan})
    got = grid_cost.with_grid_costs(rows, annuity)
    assert got["lcoh_air_hp_eur_per_mwh"].tolist() == [152.5, 162.5, 170.0, 180.0]
    assert got["lcoh_ground_hp_eur_per_mwh"].iloc[:2].tolist() == [192.5, 202.5]
    assert np.isnan(got["lcoh_ground_hp_eur_per_mwh"].iloc[2])
    assert got["lcoh_gas_eur_per_mwh"].equals(rows["lcoh_gas_eur_per_mwh"])  # no heat pump


def test_the_fact_sheet_medians_include_the_grid_share(reclassified: Path) -> None:
    from heatplan.publish.costs import ROUND_EUR_PER_MWH
    from heatplan.web.public_data import load_public

    store = open_store(str(reclassified / "plan.gpkg"))
    areas = store.read("areas").set_index("area_id")
    annuity = pd.to_numeric(areas["grid_reinforcement_eur_per_mwh"]).fillna(0.0)
    costs = store.read("building_costs")
    medians = load_public(reclassified).option_costs
    by_area = medians[medians["scope"] == "area"].set_index("area_id")
    checked = 0
    for area in by_area.index:
        own = pd.to_numeric(costs.loc[costs["area_id"] == area, "lcoh_air_hp_eur_per_mwh"])
        if own.notna().sum() < 5 or annuity.get(area, 0.0) <= 0:
            continue
        # by hand: the annuity is the same for every building of the area, so the median
        # moves by exactly the annuity (then rounded like every public median)
        expected = np.round((own.median() + annuity[area]) / ROUND_EUR_PER_MWH) * ROUND_EUR_PER_MWH
        assert by_area.loc[area, "air_hp"] == pytest.approx(expected), area
        checked += 1
    assert checked, "the demo needs an area with a grid annuity and five buildings"

"""WPG area types and likelihood grades (§§ 18, 19) from full costs, with reasons."""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from heatplan.classify.rules import GRADES, AreaFigures, area_type, classify, grade, yearly
from heatplan.demo.run import run_demo
from heatplan.project.store import open_store
from heatplan.steps.classify import run_classify

YEARS = [2030, 2035, 2040, 2045]
BASE = AreaFigures(
    area_id="A01",
    shortened=False,
    shortened_reason="",
    network_lcoh_eur_per_mwh=100.0,
    decentral_lcoh_eur_per_mwh=140.0,
    best_decentral="air_hp",
    line_density_kwh_per_m_a=2100.0,
    heat_network_in_area_m=0.0,
    distance_to_heat_network_m=math.inf,
    unknown_demand_share=0.0,
    ghg_network_t=1000.0,
    ghg_decentral_t=1200.0,
    nearby_potential="Abwasserwärme (Kläranlage) 1.2 km entfernt",
    buildings_with_demand=40,
)


def test_grades_follow_the_cost_advantage() -> None:
    assert [grade(x) for x in (0.3, 0.05, -0.05, -0.3)] == list(GRADES)
    assert grade(math.nan) == "wahrscheinlich_ungeeignet"


def test_a_cheap_network_far_from_others_is_a_new_network_area() -> None:
    result = yearly(BASE, YEARS)
    assert result["area_type_2045"] == "waermenetz_neubau"
    assert result["likelihood_2045"] == "sehr_wahrscheinlich_geeignet"
    # realisation risk: one grade lower in the first snapshot year
    assert result["likelihood_2030"] == "wahrscheinlich_geeignet"


def test_existing_networks_make_densification_or_extension() -> None:
    inside = dataclasses.replace(BASE, heat_network_in_area_m=350.0)
    near = dataclasses.replace(BASE, distance_to_heat_network_m=200.0)
    assert area_type(inside) == "waermenetz_verdichtung"
    assert area_type(near) == "waermenetz_ausbau"
    assert yearly(inside, YEARS)["likelihood_2030"] == "sehr_wahrscheinlich_geeignet"


def test_low_line_density_costs_a_grade() -> None:
    sparse = dataclasses.replace(BASE, line_density_kwh_per_m_a=900.0)
    assert yearly(sparse, YEARS)["likelihood_2045"] == "wahrscheinlich_geeignet"


def test_close_costs_and_missing_data_make_a_pruefgebiet() -> None:
    close = dataclasses.replace(BASE, network_lcoh_eur_per_mwh=137.0)
    unknown = dataclasses.replace(BASE, unknown_demand_share=0.5)
    assert area_type(close) == "pruefgebiet"
    assert area_type(unknown) == "pruefgebiet"


def test_expensive_networks_and_section_14_areas_are_decentral() -> None:
    dear = dataclasses.replace(BASE, network_lcoh_eur_per_mwh=200.0)
    assert area_type(dear) == "dezentral"
    assert yearly(dear, YEARS)["likelihood_2045"] == "sehr_wahrscheinlich_geeignet"
    short = dataclasses.replace(BASE, shortened=True, shortened_reason="heat density < 70")
    columns = classify(short, YEARS)
    assert columns["area_type_2030"] == "dezentral"
    assert columns["eignung_waermenetz_2045"] == "sehr_wahrscheinlich_ungeeignet"
    assert "§ 14" in str(columns["explanation"])


def test_the_reason_names_the_numbers() -> None:
    columns = classify(BASE, YEARS)
    text = str(columns["explanation"])
    for part in ("2.1 MWh/(m·a)", "100 vs 140 EUR/MWh", "Luft-Wärmepumpe", "1.2 km", "Neubau"):
        assert part in text
    assert "line density 2.1" in str(columns["explanation_en"])
    assert {"eignung_waermenetz_2045", "eignung_wasserstoff_2045", "eignung_dezentral_2045"} <= set(
        columns
    )


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("classify") / "schutterwald"
    run_demo(project)
    store = open_store(str(project / "plan.gpkg"))
    blocks = store.read("blocks").sort_values("heat_density_mwh_per_ha_a", ascending=False)
    blocks["group"] = [i // 20 for i in range(len(blocks))]
    areas = blocks.dissolve("group").reset_index()
    areas["area_id"] = [f"T{i:02d}" for i in range(len(areas))]
    areas["line_density_kwh_per_m_a"] = 1200.0
    areas["eignung_shortened"] = False
    with store.transaction(step="test areas") as writer:
        writer.write(
            "areas", areas[["area_id", "line_density_kwh_per_m_a", "eignung_shortened", "geometry"]]
        )
    run_classify(project)
    return project


def test_every_area_is_classified_for_every_year(classified: Path) -> None:
    areas = open_store(str(classified / "plan.gpkg")).read("areas")
    for year in YEARS:
        assert areas[f"area_type_{year}"].notna().all()
        assert set(areas[f"likelihood_{year}"]) <= set(GRADES)
    assert areas["explanation"].str.contains("EUR/MWh").all()
    assert pd.to_numeric(areas["decentral_lcoh_eur_per_mwh"]).gt(0).all()


def test_classify_rerun_is_idempotent(classified: Path, tmp_path: Path) -> None:
    copy = tmp_path / "again"
    shutil.copytree(classified, copy)
    before = open_store(str(copy / "plan.gpkg")).read("areas")
    run_classify(copy)
    after = open_store(str(copy / "plan.gpkg")).read("areas")
    assert list(after.columns) == list(before.columns)
    pd.testing.assert_series_equal(before["area_type_2045"], after["area_type_2045"])


def test_a_single_building_has_no_network_option() -> None:
    # GEG § 3 (1) Nr. 9a: a building network needs at least two buildings
    alone = dataclasses.replace(
        BASE,
        buildings_with_demand=1,
        network_lcoh_eur_per_mwh=60.0,
        line_density_kwh_per_m_a=math.nan,
    )
    assert area_type(alone) == "dezentral"
    columns = classify(alone, YEARS)
    assert columns["eignung_waermenetz_2045"] == "sehr_wahrscheinlich_ungeeignet"
    assert "Liniendichte - MWh" in str(columns["explanation"])


def test_an_area_without_heated_buildings_is_decentral() -> None:
    empty = dataclasses.replace(
        BASE,
        buildings_with_demand=0,
        network_lcoh_eur_per_mwh=math.nan,
        decentral_lcoh_eur_per_mwh=math.nan,
    )
    assert area_type(empty) == "dezentral"
    assert "Keine beheizten Gebäude" in str(classify(empty, YEARS)["explanation"])
    unknown = dataclasses.replace(empty, unknown_demand_share=1.0)
    assert area_type(unknown) == "pruefgebiet"

"""WPG area types and likelihood grades (§§ 18, 19) from full costs, with reasons."""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from demo_copy import copy_demo
from heatplan.classify.rules import (
    GRADES,
    AreaFigures,
    area_type,
    classify,
    criteria,
    grade,
    score,
    yearly,
)
from heatplan.project.store import open_store
from heatplan.steps.core import run_classify

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
    nearby_potential="Abwasserwärme (Kläranlage) 1,2 km entfernt",
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


def test_the_english_reason_of_a_section_14_area_is_english() -> None:
    """Each language's explanation carries the § 14 reason of its own language
    (heatplan.areas.eignung writes both)."""
    short = dataclasses.replace(
        BASE,
        shortened=True,
        shortened_reason="§ 14 WPG: Wärmedichte 46 < 70 MWh/(ha·a); kein Wärmenetz bekannt",
        shortened_reason_en="WPG § 14: heat density 46 < 70 MWh/(ha·a); no heat network known",
    )
    columns = classify(short, YEARS)
    german, english = str(columns["explanation"]), str(columns["explanation_en"])
    assert "(§ 14 WPG: Wärmedichte 46 < 70 MWh/(ha·a); kein Wärmenetz bekannt)" in german
    assert english.startswith(
        "Shortened procedure under WPG § 14 "
        "(WPG § 14: heat density 46 < 70 MWh/(ha·a); no heat network known) -> "
    )
    assert not {"Wärmedichte", "kein", "bekannt"} & set(english.replace(";", " ").split())
    # without an English reason (a store from before it had one) no German text stands in
    alone = classify(dataclasses.replace(short, shortened_reason_en=""), YEARS)
    assert str(alone["explanation_en"]).startswith("Shortened procedure under WPG § 14 -> ")


def test_the_reason_names_the_numbers() -> None:
    columns = classify(BASE, YEARS)
    text = str(columns["explanation"])
    for part in (
        "2,1 MWh/(m·a)",
        "Wärmenetz 100 EUR/MWh, dezentral 140 EUR/MWh",
        "Luft-Wärmepumpe",
        "1,2 km",
        "Neubau",
    ):
        assert part in text
    assert "line density 2.1" in str(columns["explanation_en"])
    assert {"eignung_waermenetz_2045", "eignung_wasserstoff_2045", "eignung_dezentral_2045"} <= set(
        columns
    )


def test_all_four_section_18_criteria_enter_the_decision() -> None:
    secure = dataclasses.replace(BASE, network_n1_coverage=1.2)
    fragile = dataclasses.replace(BASE, network_n1_coverage=0.4)
    parts = criteria(secure)
    assert parts["cost"] == pytest.approx(40 / 140)
    assert parts["ghg"] == pytest.approx(200 / 1200)
    assert parts["supply_security"] == 0.0  # N-1 met: as secure as one generator per building
    assert criteria(fragile)["supply_security"] == pytest.approx(-0.6)
    assert score(fragile) < score(secure)
    # a cost advantage of 10 % carries a new network only while its generation is N-1 secure
    cheaper = {"network_lcoh_eur_per_mwh": 126.0, "ghg_network_t": 1200.0}
    assert area_type(dataclasses.replace(secure, **cheaper)) == "waermenetz_neubau"
    assert area_type(dataclasses.replace(fragile, **cheaper)) == "pruefgebiet"
    # realisation risk: a new network is one grade less likely in the first snapshot year
    result = yearly(secure, YEARS)
    assert GRADES.index(result["likelihood_2030"]) == GRADES.index(result["likelihood_2045"]) + 1


def test_weights_are_project_configuration() -> None:
    cost_only = {"weight_cost": 1.0, "weight_ghg": 0.0, "weight_supply_security": 0.0}
    fragile = dataclasses.replace(BASE, network_n1_coverage=0.0)
    assert score(fragile, cost_only) == pytest.approx(40 / 140)
    columns = classify(fragile, YEARS, cost_only)
    assert columns["criteria_score"] == pytest.approx(40 / 140)
    assert "(n-1): 0 % der Spitzenlast" in str(columns["explanation"])
    assert "N-1 0 % of peak load" in str(columns["explanation_en"])


def test_an_unknown_classify_setting_is_refused(tmp_path: Path) -> None:
    from heatplan.errors import ProjectError
    from heatplan.project.config import load_config

    (tmp_path / "heatplan.toml").write_text(
        '[municipality]\nname = "X"\nkey = "08317122"\n\n[classify]\nweight_cots = 0.5\n',
        encoding="utf-8",
    )
    with pytest.raises(ProjectError, match="weight_cots"):
        load_config(tmp_path)
    (tmp_path / "heatplan.toml").write_text(
        '[municipality]\nname = "X"\nkey = "08317122"\n\n[classify]\nweight_cost = 0.5\n',
        encoding="utf-8",
    )
    assert load_config(tmp_path).classify == {"weight_cost": 0.5}


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory, demo_built: tuple[Path, dict]) -> Path:
    project = copy_demo(demo_built, tmp_path_factory.mktemp("classify") / "schutterwald")
    store = open_store(str(project / "plan.gpkg"))
    blocks = store.read("blocks").sort_values("heat_density_mwh_per_ha_a", ascending=False)
    blocks = blocks[blocks["heat_density_mwh_per_ha_a"] > 0]  # blocks without houses: no area
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
    # supply security of the town's plant (N-1) is computed and named in every reason
    assert pd.to_numeric(areas["network_n1_coverage"]).between(0.0, 10.0).all()
    assert areas["explanation"].str.contains("Versorgungssicherheit (n-1)", regex=False).all()


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
    assert "Wärmeliniendichte - MWh" in str(columns["explanation"])


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


def test_the_reason_names_the_other_perspective_only_where_it_ranks_otherwise() -> None:
    # owner: network 100 vs decentral 140 -> network cheaper; economic: 120 vs 110 -> decentral
    differs = dataclasses.replace(
        BASE,
        perspective="owner",
        other_network_lcoh_eur_per_mwh=120.0,
        other_decentral_lcoh_eur_per_mwh=110.0,
    )
    reason = str(classify(differs, YEARS)["explanation"])
    assert (
        "(volkswirtschaftlich: dezentral günstiger, Wärmenetz 120 EUR/MWh, dezentral 110 EUR/MWh)"
        in reason
    )
    agrees = dataclasses.replace(differs, other_decentral_lcoh_eur_per_mwh=130.0)
    assert "volkswirtschaftlich" not in str(classify(agrees, YEARS)["explanation"])
    economic = dataclasses.replace(differs, perspective="economic")
    assert "(Eigentümersicht: dezentral günstiger" in str(classify(economic, YEARS)["explanation"])
    # the decision itself rests on the perspective's own figures only
    assert classify(differs, YEARS)["area_type_2045"] == classify(BASE, YEARS)["area_type_2045"]


def test_the_perspective_setting_switches_the_decision_columns(
    classified: Path, tmp_path: Path
) -> None:
    owner = open_store(str(classified / "plan.gpkg")).read("areas")
    assert set(owner["cost_perspective"]) == {"owner"}
    for kind in ("network", "decentral"):
        chosen = pd.to_numeric(owner[f"{kind}_lcoh_eur_per_mwh"])
        pd.testing.assert_series_equal(
            chosen, pd.to_numeric(owner[f"{kind}_lcoh_owner_eur_per_mwh"]), check_names=False
        )
    # the economic perspective leaves VAT and funding out (same order of magnitude)
    decentral_owner = pd.to_numeric(owner["decentral_lcoh_owner_eur_per_mwh"])
    decentral_economic = pd.to_numeric(owner["decentral_lcoh_economic_eur_per_mwh"])
    assert (decentral_economic < decentral_owner * 1.5).all() and decentral_economic.gt(0).all()
    copy = tmp_path / "economic"
    shutil.copytree(classified, copy)
    toml = (copy / "heatplan.toml").read_text(encoding="utf-8")
    if 'perspective = "owner"' in toml:
        toml = toml.replace('perspective = "owner"', 'perspective = "economic"', 1)
    elif "[economics]\n" in toml:
        toml = toml.replace("[economics]\n", '[economics]\nperspective = "economic"\n', 1)
    else:
        toml += '\n[economics]\nperspective = "economic"\n'

    (copy / "heatplan.toml").write_text(toml, encoding="utf-8")
    run_classify(copy)
    economic = open_store(str(copy / "plan.gpkg")).read("areas")
    assert set(economic["cost_perspective"]) == {"economic"}
    for kind in ("network", "decentral"):
        chosen = pd.to_numeric(economic[f"{kind}_lcoh_eur_per_mwh"])
        own = pd.to_numeric(economic[f"{kind}_lcoh_economic_eur_per_mwh"])
        pd.testing.assert_series_equal(chosen, own, check_names=False)
        # both perspectives are stored either way, with the same figures
        pd.testing.assert_series_equal(
            pd.to_numeric(economic[f"{kind}_lcoh_owner_eur_per_mwh"]),
            pd.to_numeric(owner[f"{kind}_lcoh_owner_eur_per_mwh"]),
            check_names=False,
            rtol=1e-9,
        )

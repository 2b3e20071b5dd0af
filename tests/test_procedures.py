"""WPG procedures: § 18 (5) areas with increased saving potential, § 14 shortened planning,
§ 22 simplified procedure as a project mode, and what the report says about them."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from heatplan.areas import eignung as eignung_module
from heatplan.areas.eignung import EignungThresholds, eignung
from heatplan.classify.rules import GRADES
from heatplan.plan import Plan
from heatplan.project.config import Municipality, PlanSettings, ProjectConfig
from heatplan.reference import table
from heatplan.report.procedure import procedure_section
from heatplan.scenario import saving
from heatplan.stages import areas as areas_stage
from heatplan.stages import classify as classify_stage

#: Sums of a handful of floats: exact up to rounding.
RTOL = 1e-9


def _tabula(use: str, age: str, variant: str = "usual") -> float:
    """The TABULA factor read straight from the CSV (independent of refurbishment_factor)."""
    rows = table("tabula_refurbishment.csv")
    hit = rows[(rows["use"] == use) & (rows["age_class"] == age) & (rows["variant"] == variant)]
    return float(hit["space_heating_factor"].iloc[0])


def _hand_made() -> tuple[pd.DataFrame, pd.DataFrame]:
    areas = pd.DataFrame(
        {
            "area_id": ["OLD", "NEW", "EMPTY"],
            "heat_demand_mwh_per_a": [100.0, 100.0, 0.0],
            "area_ha": [2.0, 2.0, 1.0],
        }
    )
    buildings = pd.DataFrame(
        {
            "area_id": ["OLD", "OLD", "NEW"],
            "space_heating_kwh_per_a": [40_000.0, 40_000.0, 80_000.0],
            "use": ["sfh", "mfh", "sfh"],
            "age_class": ["1860-1918", "1860-1918", "2002-2009"],
        }
    )
    return areas, buildings


def test_saving_potential_is_space_heat_times_one_minus_the_tabula_factor() -> None:
    areas, buildings = _hand_made()
    out = saving.area_saving(areas, buildings, saving.thresholds(0.3, 1.0), depth="usual")
    old = 40.0 * (1 - _tabula("sfh", "1860-1918")) + 40.0 * (1 - _tabula("mfh", "1860-1918"))
    new = 80.0 * (1 - _tabula("sfh", "2002-2009"))
    assert out[saving.POTENTIAL_MWH_PER_A].tolist() == pytest.approx([old, new, 0.0], rel=RTOL)
    assert out[saving.SHARE].iloc[0] == pytest.approx(old / 100.0, rel=RTOL)
    assert math.isnan(out[saving.SHARE].iloc[2])  # no demand: share unknown, never marked
    assert out[saving.DENSITY].tolist() == pytest.approx([old / 2, new / 2, 0.0], rel=RTOL)
    # town density = (old + new) / 5 ha; OLD is above it and saves > 30 %, NEW saves less
    assert old / 2 >= (old + new) / 5 and old / 100 >= 0.3 and new / 100 < 0.3
    assert out[saving.MARKED].tolist() == [True, False, False]


def test_thresholds_mark_at_their_edges() -> None:
    areas, buildings = _hand_made()
    share = float(saving.area_saving(areas, buildings, depth="usual")[saving.SHARE].iloc[0])
    at = saving.area_saving(areas, buildings, saving.thresholds(share, 0.0), depth="usual")
    above = saving.area_saving(
        areas, buildings, saving.thresholds(share + 1e-6, 0.0), depth="usual"
    )
    assert bool(at[saving.MARKED].iloc[0]) and not bool(above[saving.MARKED].iloc[0])
    # a density factor no area reaches marks none
    none = saving.area_saving(areas, buildings, saving.thresholds(0.0, 10.0), depth="usual")
    assert not none[saving.MARKED].any()


def test_unknown_age_takes_the_mean_factor_and_advanced_saves_more() -> None:
    areas, buildings = _hand_made()
    buildings = buildings.drop(columns=["use", "age_class"])
    usual = saving.area_saving(areas, buildings, depth="usual")[saving.POTENTIAL_MWH_PER_A]
    assert usual.iloc[1] == pytest.approx(80.0 * (1 - _tabula("any", "unknown")), rel=RTOL)
    advanced = saving.area_saving(areas, buildings, depth="advanced")[saving.POTENTIAL_MWH_PER_A]
    assert (advanced.iloc[:2] > usual.iloc[:2]).all()


def test_the_reason_is_german_with_german_numbers() -> None:
    areas, buildings = _hand_made()
    areas["heat_demand_mwh_per_a"] = [10_000.0, 100.0, 0.0]
    buildings["space_heating_kwh_per_a"] = [4_000_000.0, 4_000_000.0, 80_000.0]
    out = saving.area_saving(areas, buildings, saving.thresholds(0.3, 1.0), depth="usual")
    potential = float(out[saving.POTENTIAL_MWH_PER_A].iloc[0])
    text = out[saving.REASON].iloc[0]
    assert text.startswith("§ 18 Abs. 5 WPG: erhöhtes Energieeinsparpotenzial")
    assert f"{potential:,.0f}".replace(",", ".") + " MWh/a" in text
    assert "des Wärmebedarfs ≥ 30 %" in text
    assert out[saving.REASON].iloc[1].startswith("kein erhöhtes")


def _rural(gas_m: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "heat_density_mwh_per_ha_a": [40.0, 300.0],
            "line_density_kwh_per_m_a": [300.0, 3000.0],
            "heat_network_m": [0.0, 0.0],
            "gas_network_m": [gas_m, gas_m],
            "nearest_potential_m": [math.nan, math.nan],
            "nearest_potential_kind": [None, None],
        }
    )


def test_section_14_3_nr_2_puts_gas_areas_on_the_shortened_path_only_without_hydrogen() -> None:
    areas = _rural(gas_m=1200.0)
    standard = eignung(areas)
    assert standard["eignung_shortened"].tolist() == [False, False]
    assert "Gasnetz im Gebiet (1.200 m)" in standard["eignung_reason"].iloc[0]
    simplified = eignung(areas, hydrogen_prospect=False)
    assert simplified["eignung_shortened"].tolist() == [True, False]  # the dense one stays
    assert "§ 14 Abs. 3 Nr. 2" in simplified["eignung_reason"].iloc[0]
    # without a gas network Nr. 1 applies either way
    assert eignung(_rural(gas_m=0.0))["eignung_shortened"].tolist() == [True, False]


def test_the_procedure_is_a_project_setting() -> None:
    town = Municipality(name="Klein", inhabitants=7_000)
    config = ProjectConfig(municipality=town)
    assert config.plan.procedure == "standard" and config.plan.hydrogen_in_prospect()
    simple = ProjectConfig(municipality=town, plan=PlanSettings(procedure="simplified"))
    assert not simple.plan.hydrogen_in_prospect()
    stated = PlanSettings(procedure="simplified", hydrogen_prospect=True)
    assert stated.hydrogen_in_prospect()
    with pytest.raises(ValidationError, match="fewer than 10,000"):
        ProjectConfig(
            municipality=Municipality(name="Gross", inhabitants=10_000),
            plan=PlanSettings(procedure="simplified"),
        )


def _report_areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ["A01", "A02"],
            "eignung_shortened": [True, False],
            "eignung_reason": ["§ 14 WPG: Wärmedichte 40 < 70 MWh/(ha·a)", "nicht verkürzt"],
            saving.MARKED: [False, True],
            saving.POTENTIAL_MWH_PER_A: [10.0, 1234.4],
            saving.SHARE: [0.1, 0.346],
            saving.DENSITY: [1.0, 61.72],
        }
    )


def test_the_report_says_which_procedure_applies_and_why() -> None:
    town = Municipality(name="Schutterwald", inhabitants=7_000)
    config = ProjectConfig(municipality=town, plan=PlanSettings(procedure="simplified"))
    section = procedure_section(config, _report_areas())
    assert section["name"] == "Vereinfachtes Verfahren (§ 22 WPG)"
    assert "Schutterwald hat 7.000 Einwohner, weniger als 10.000" in section["why"]
    assert any(r.startswith("Beteiligung (§ 7 WPG)") for r in section["rules"])
    assert any("§ 14 Abs. 3 Nr. 2" in r for r in section["rules"])
    assert section["shortened"].column("Gebiet") == ["A01"]
    assert section["marked"].rows == [["A02", "1.234", "35 %", "62"]]
    standard = procedure_section(ProjectConfig(municipality=town), _report_areas())
    assert standard["name"].startswith("Regelverfahren")
    assert "nicht gewählt" in standard["why"]
    assert not any(r.startswith("Beteiligung") for r in standard["rules"])


# --- the stages on the demo -------------------------------------------------------------------


def _with(plan: Plan, procedure: str) -> Plan:
    new = plan.copy()
    new.settings.municipality.inhabitants = 7_000
    new.settings.plan.procedure = procedure  # type: ignore[assignment]
    return new


@pytest.fixture(scope="module")
def strict(demo_plan: Plan) -> tuple[Plan, Plan]:
    """The demo's areas under stricter § 14 (2) thresholds (Schutterwald is too dense for the
    defaults: every area has >= 116 MWh/(ha·a)), in the standard and the simplified procedure."""
    limits = EignungThresholds(
        heat_density_mwh_per_ha_a=180.0, line_density_kwh_per_m_a=3500.0, reach_m=2000.0
    )
    patch = pytest.MonkeyPatch()
    patch.setattr(eignung_module, "thresholds", lambda: limits)
    try:
        standard, _ = areas_stage.run(_with(demo_plan, "standard"))
        simplified, _ = areas_stage.run(_with(demo_plan, "simplified"))
    finally:
        patch.undo()
    return standard, simplified


def test_the_simplified_mode_shortens_gas_areas_and_skips_their_networks(
    strict: tuple[Plan, Plan],
) -> None:
    standard, simplified = strict
    assert not standard.areas["eignung_shortened"].any()  # the gas network keeps them all
    shortened = simplified.areas["eignung_shortened"]
    assert 0 < shortened.sum() < len(shortened)
    # a three-area plan keeps the classification quick: two shortened, one full
    keep = [
        *simplified.areas.loc[shortened, "area_id"].head(2),
        *simplified.areas.loc[~shortened, "area_id"].head(1),
    ]
    small = simplified.with_frames(areas=simplified.areas[simplified.areas.area_id.isin(keep)])
    plan, result = classify_stage.run(small)
    assert result.procedure == "simplified" and result.shortened == 2
    assert result.networks_laid_out == 1  # only the full area's network was laid out
    out = plan.areas.set_index("area_id")
    short = out[out["eignung_shortened"]]
    assert (short["area_type_2045"] == "dezentral").all()
    assert (short["likelihood_2045"] == GRADES[0]).all()
    assert short["explanation"].str.contains("§ 14 WPG").all()
    assert short["network_lcoh_eur_per_mwh"].isna().all()


def test_the_saving_marking_changes_no_classification(demo_plan: Plan) -> None:
    areas, _ = areas_stage.run(_with(demo_plan, "standard"))
    assert areas.areas[saving.MARKED].any() and not areas.areas[saving.MARKED].all()
    three = areas.areas.sort_values(saving.DENSITY).iloc[[0, -2, -1]]  # unmarked and marked
    assert three[saving.MARKED].tolist() == [False, True, True]
    flipped = three.assign(**{saving.MARKED: ~three[saving.MARKED]})
    results = [
        classify_stage.run(areas.with_frames(areas=frame))[0].areas.set_index("area_id")
        for frame in (three, flipped)
    ]
    decided = [c for c in results[0].columns if c.startswith(("area_type_", "likelihood_"))]
    pd.testing.assert_frame_equal(results[0][decided], results[1][decided])
    marked = results[0][results[0][saving.MARKED].astype(bool)]
    assert marked["explanation"].str.contains(". § 18 Abs. 5 WPG: erhöhtes", regex=False).all()
    assert not results[1].loc[marked.index, "explanation"].str.contains("§ 18 Abs. 5").any()


def test_the_demo_takes_the_simplified_procedure(demo_built: tuple[Path, dict]) -> None:
    text = (demo_built[0] / "heatplan.toml").read_text(encoding="utf-8")
    assert 'procedure = "simplified"' in text and "inhabitants = 7000" in text
    report = (demo_built[0] / "report" / "plan.html").read_text(encoding="utf-8")
    assert "Vereinfachtes Verfahren (§ 22 WPG)" in report
    assert "Gebiete mit erhöhtem Energieeinsparpotenzial (§ 18 Abs. 5 WPG)" in report

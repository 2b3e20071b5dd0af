"""BEW funding of a new network by its own rules: Modul 2 (>= 75 % renewable and waste heat,
40 % grant) and Modul 4 (heat pumps by SCOP, solar thermal 1 ct/kWh, 10 years), hand-computed."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatplan.network.economics import NetworkCost, network_cost
from heatplan.network.funding import (
    GenerationFigures,
    bew_funding,
    heat_pump_grid_rate_eur_per_mwh_ambient,
    module_2_check,
    module_4_heat_pump,
    module_4_solar_thermal,
    spread_over_period,
)
from heatplan.project.config import EconomicSettings, Municipality, ProjectConfig

#: A network of 1.0 M EUR pipes and 0.2 M EUR substations delivering 5000 MWh/a.
SUMMARY = {
    "investment_pipes_eur": 1_000_000.0,
    "investment_substations_eur": 200_000.0,
    "pump_energy_mwh_per_a": 10.0,
    "heat_delivered_mwh_per_a": 5_000.0,
}
GENERATION_EUR_PER_A = 400_000.0
#: Defaults of economic_parameters.csv: 3 %/a over 20 a.
RATE, PERIOD = 0.03, 20.0


def _annuity_factor(rate: float, years: float) -> float:
    q = 1.0 + rate
    return (q - 1.0) / (1.0 - q**-years)


def _config(with_funding: bool) -> ProjectConfig:
    return ProjectConfig(
        municipality=Municipality(name="Jena", key="16053000"),
        economics=EconomicSettings(with_funding=with_funding),
    )


def _cost(share: float, with_funding: bool = True, heat_pump_mwh: float = 0.0) -> NetworkCost:
    figures = GenerationFigures(
        renewable_waste_heat_share=share,
        heat_pump_heat_mwh_per_a=heat_pump_mwh,
        heat_pump_scop=3.0,
        electricity_eur_per_mwh=183.3,
    )
    return network_cost(
        _config(with_funding), SUMMARY, GENERATION_EUR_PER_A, year=2025, generation=figures
    )


def test_modul_2_refused_below_75_percent_says_why() -> None:
    check = module_2_check(0.68)
    assert not check.credited
    assert check.reason == "BEW Modul 2: 68 % erneuerbare Wärme und Abwärme < 75 %"
    assert module_2_check(0.75).credited


def test_network_at_65_percent_costs_what_it_costs_unfunded() -> None:
    # WPG § 30 asks 65 %, the BEW 75 %: the network meets the law but gets no BEW grant.
    funded, unfunded = _cost(0.65), _cost(0.65, with_funding=False)
    assert funded.funding_share == 0.0
    assert funded.lcoh_eur_per_mwh == pytest.approx(unfunded.lcoh_eur_per_mwh, rel=1e-12)
    modules = funded.to_dict()["funding"]["modules"]
    assert [m["credited"] for m in modules] == [False, False]
    assert "65 % erneuerbare Wärme und Abwärme < 75 %" in modules[0]["reason"]
    assert "Modul 2" in modules[1]["reason"]


def test_network_at_80_percent_gets_40_percent_of_the_eligible_investment() -> None:
    funded, unfunded = _cost(0.80), _cost(0.80, with_funding=False)
    # The grant F = 0.4 x A0 lowers the first investment only (VDI 2067-1 annuity):
    # 0.4 x 1.2 M EUR x a(3 %, 20 a) = 0.4 x 1.2e6 x 0.0672157 = 32 263.5 EUR/a.
    saved = 0.4 * 1_200_000.0 * _annuity_factor(RATE, PERIOD)
    assert saved == pytest.approx(32_263.5, abs=0.1)
    assert funded.funding_share == 0.4
    drop = unfunded.network_cost_eur_per_a - funded.network_cost_eur_per_a
    assert drop == pytest.approx(saved, rel=1e-9)
    module_2 = funded.to_dict()["funding"]["modules"][0]
    assert module_2["credited"] and module_2["eur_per_a"] == pytest.approx(saved, rel=1e-9)
    assert module_2["eur_per_mwh"] == pytest.approx(saved / 5_000.0, rel=1e-9)


def test_modul_4_heat_pump_by_hand() -> None:
    # SCOP 3: (5.5 - (6.8 - 17/3) x 0.75) x 3/2 = 4.65 x 1.5 = 6.975 ct/kWh of ambient heat.
    assert heat_pump_grid_rate_eur_per_mwh_ambient(3.0) == pytest.approx(69.75)
    # 4000 MWh/a of heat, 2/3 of it from the source: 2666.67 MWh x 69.75 EUR/MWh = 186 000 EUR/a;
    # below 90 % of the electricity cost, 0.9 x 4000/3 MWh x 183.3 EUR/MWh = 219 960 EUR/a.
    paid = module_4_heat_pump(heat_mwh_per_a=4000.0, scop=3.0, electricity_eur_per_mwh=183.3)
    assert paid.credited and paid.eur_per_a == pytest.approx(186_000.0)
    # At 150 EUR/MWh the 90 % cap binds: 0.9 x 1333.33 MWh x 150 EUR/MWh = 180 000 EUR/a.
    capped = module_4_heat_pump(heat_mwh_per_a=4000.0, scop=3.0, electricity_eur_per_mwh=150.0)
    assert capped.eur_per_a == pytest.approx(180_000.0)
    assert "90 % der Stromkosten" in capped.reason


def test_modul_4_heat_pump_needs_scop_2_5() -> None:
    low = module_4_heat_pump(heat_mwh_per_a=4000.0, scop=2.4, electricity_eur_per_mwh=183.3)
    assert not low.credited and low.eur_per_a == 0.0
    assert "SCOP 2.40 < 2.5" in low.reason
    # At SCOP 2.5 the formula gives 5.5 x 2.5/1.5 = 9.17 ct/kWh, just under the 9.2 ct/kWh cap.
    assert heat_pump_grid_rate_eur_per_mwh_ambient(2.5) == pytest.approx(91.6667, abs=1e-3)


def test_modul_4_solar_thermal_1_ct_per_kwh() -> None:
    assert module_4_solar_thermal(1500.0).eur_per_a == pytest.approx(15_000.0)
    assert not module_4_solar_thermal(0.0).credited


def test_ten_years_of_payments_as_an_annuity_over_the_observation_period() -> None:
    # Same present value: 100 EUR/a for 10 a = x EUR/a for 20 a, x = 100 x a(20) / a(10).
    expected = 100.0 * _annuity_factor(RATE, 20.0) / _annuity_factor(RATE, 10.0)
    assert expected == pytest.approx(57.3364, abs=1e-4)
    spread = spread_over_period(100.0, paid_a=10, interest_rate=RATE, observation_period_a=20)
    assert spread == pytest.approx(expected)
    # A period shorter than the 10 years pays every year of it.
    assert spread_over_period(100.0, paid_a=10, interest_rate=RATE, observation_period_a=8) == (
        pytest.approx(100.0)
    )


def test_modul_4_only_with_modul_2() -> None:
    figures = GenerationFigures(0.70, 4000.0, 3.0, 1500.0, 183.3)
    refused = bew_funding(
        figures,
        eligible_investment_grant_eur_per_a=1.0,
        interest_rate=RATE,
        observation_period_a=20,
    )
    assert refused.operating_credit_eur_per_a == 0.0 and refused.investment_grant_share == 0.0
    eligible = GenerationFigures(0.80, 4000.0, 3.0, 1500.0, 183.3)
    granted = bew_funding(
        eligible,
        eligible_investment_grant_eur_per_a=1.0,
        interest_rate=RATE,
        observation_period_a=20,
    )
    ratio = _annuity_factor(RATE, 20.0) / _annuity_factor(RATE, 10.0)
    assert granted.operating_credit_eur_per_a == pytest.approx((186_000.0 + 15_000.0) * ratio)


def test_modul_4_lowers_the_generation_cost_of_a_funded_network() -> None:
    cost = _cost(0.80, heat_pump_mwh=4000.0)
    credit = 186_000.0 * _annuity_factor(RATE, 20.0) / _annuity_factor(RATE, 10.0)
    assert cost.generation_cost_eur_per_a == pytest.approx(GENERATION_EUR_PER_A - credit)
    assert cost.lcoh_generation_eur_per_mwh == pytest.approx(
        (GENERATION_EUR_PER_A - credit) / 5_000.0
    )
    hp = next(
        m for m in cost.to_dict()["funding"]["modules"] if m["module"] == "module_4_heat_pump"
    )
    assert hp["credited"] and hp["eur_per_a"] == pytest.approx(credit)


def test_a_utility_compares_the_wpg_plant_with_the_bew_plant() -> None:
    # with funding, a second plant is sized to the BEW's 75 % (Modul 2); without, only the WPG's
    from tests.test_dispatch_reserve import _winter_fortnight

    from heatplan.network.generation import generation_options

    temperature, load = _winter_fortnight()
    funded = ProjectConfig(municipality=Municipality(name="Test"))
    plants = generation_options(funded, load, 10.0, temperature, year=2025)
    assert [p.min_renewable_share for p in plants] == pytest.approx([0.65, 0.75])
    assert plants[1].result.renewable_share >= 0.75 - 1e-9
    assert plants[1].result.total_cost_eur_per_a > plants[0].result.total_cost_eur_per_a
    unfunded = ProjectConfig(
        municipality=Municipality(name="Test"), economics=EconomicSettings(with_funding=False)
    )
    assert len(generation_options(unfunded, load, 10.0, temperature, year=2025)) == 1


def test_the_demo_network_is_funded_only_within_its_funding_gap(
    demo_built: tuple[Path, dict],
) -> None:
    # Schutterwald's core network costs less than its buildings' alternative earns, so there is
    # no funding gap: the BEW cannot lower it, and the WPG plant (65 %) is the cheaper plant
    network = demo_built[1]["steps"]["network"]
    revenue = network["alternative_revenue_eur_per_mwh"]
    assert 150.0 < revenue < 300.0  # heat pumps' full cost, net of 19 % VAT
    assert network["lcoh_eur_per_mwh"] < revenue
    modules = {m["module"]: m for m in network["funding"]["modules"]}
    assert network["generation"]["min_renewable_share"] == pytest.approx(0.65)
    assert not modules["module_2"]["credited"]
    assert sum(m["eur_per_a"] for m in modules.values()) == 0.0


def test_funding_is_capped_at_the_funding_gap() -> None:
    # Module 2 saves 100, Modul 4 pays 50 EUR/a: 150 in all. A gap of 75 halves every module.
    from heatplan.network.funding import (
        BewFunding,
        ModuleCredit,
        cap_at_funding_gap,
        funding_gap_eur_per_a,
    )

    bew = BewFunding(
        0.4,
        (
            ModuleCredit("module_2", True, 100.0, "m2"),
            ModuleCredit("module_4_heat_pump", True, 50.0, "m4"),
        ),
    )
    # full cost 275 EUR/a for 1 MWh; the alternative earns 200: gap 75
    gap = funding_gap_eur_per_a(
        unfunded_cost_eur_per_a=275.0, delivered_mwh_per_a=1.0, revenue_eur_per_mwh=200.0
    )
    assert gap == 75.0
    capped, factor = cap_at_funding_gap(bew, gap_eur_per_a=gap, revenue_eur_per_mwh=200.0)
    assert factor == 0.5
    assert capped.investment_grant_share == 0.2
    assert [m.eur_per_a for m in capped.modules] == [50.0, 25.0]
    assert capped.operating_credit_eur_per_a == 25.0
    assert "Wirtschaftlichkeitslücke begrenzt (50 %" in capped.notes[0]
    assert capped.capped and capped.gap_factor == 0.5 and not bew.capped
    # a network cheaper than its alternative has no gap: no funding
    none, factor = cap_at_funding_gap(bew, gap_eur_per_a=0.0, revenue_eur_per_mwh=300.0)
    assert factor == 0.0 and none.operating_credit_eur_per_a == 0.0
    # a gap larger than the funding leaves it as it is
    same, factor = cap_at_funding_gap(bew, gap_eur_per_a=1_000.0, revenue_eur_per_mwh=10.0)
    assert factor == 1.0 and same.modules == bew.modules and not same.capped
    assert "innerhalb der Wirtschaftlichkeitslücke (Erlös zum Preis" in same.notes[0]

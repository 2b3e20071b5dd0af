"""The likelihood from uncertainty: Monte Carlo paths, probability bands, drivers, the demo."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from tests.test_classify import BASE

from heatplan.classify import rules, uncertainty
from heatplan.classify.uncertainty import CostParts, Factors
from heatplan.plan import Plan

PARTS = CostParts(
    network_distribution=80.0,
    network_generation=100.0,
    decentral_capital=90.0,
    decentral_energy=110.0,
)


def _factors(**given: list[float]) -> Factors:
    size = len(next(iter(given.values())))
    ones = [1.0] * size
    return Factors(
        **{
            name: np.asarray(given.get(name, ones), dtype=float)
            for name in ("network_capex", "decentral_capex", "connection_share", "electricity")
        }
    )


def test_paths_by_hand() -> None:
    factors = _factors(network_capex=[1.5, 1.0], connection_share=[1.0, 0.5], electricity=[1, 2])
    network, decentral = uncertainty.lcoh_samples(PARTS, factors)
    assert network.tolist() == [80 * 1.5 + 100, 80 / 0.5 + 100 * 2]
    assert decentral.tolist() == [90 + 110, 90 + 110 * 2]
    # network 220 vs 200 (worse), 360 vs 310 (worse): score = 0.7 * (d - n) / d + 0.05
    chance = uncertainty.probability_network_better(
        PARTS, factors, other_criteria=0.05, weight_cost=0.7
    )
    assert chance == 0.0
    cheap = uncertainty.probability_network_better(
        PARTS, _factors(network_capex=[0.5, 1.0]), other_criteria=0.0, weight_cost=0.7
    )
    assert cheap == 1.0  # 140 and 180 against 200


def test_grades_are_ipcc_likelihood_bands() -> None:
    grades = [rules.probability_grade(p) for p in (0.95, 0.9, 0.7, 0.5, 0.4, 0.2, 0.05)]
    assert grades == [
        "sehr_wahrscheinlich_geeignet",
        "sehr_wahrscheinlich_geeignet",
        "wahrscheinlich_geeignet",
        "wahrscheinlich_geeignet",
        "wahrscheinlich_ungeeignet",
        "wahrscheinlich_ungeeignet",
        "sehr_wahrscheinlich_ungeeignet",
    ]


def test_the_area_type_follows_the_probability() -> None:
    # the reference area of the rule tests (network 100 vs 140 EUR/MWh, 2.1 MWh/(m·a))
    figures = replace(BASE, nearby_potential="")
    likely = replace(figures, network_better_probability=0.95, paths=1000)
    even = replace(figures, network_better_probability=0.5, paths=1000)
    unlikely = replace(figures, network_better_probability=0.02, paths=1000)
    assert rules.area_type(likely) == "waermenetz_neubau"
    assert rules.network_grade(likely) == "sehr_wahrscheinlich_geeignet"
    assert rules.area_type(even) == "pruefgebiet"
    assert rules.area_type(unlikely) == "dezentral"
    assert rules._decentral_grade(unlikely) == "sehr_wahrscheinlich_geeignet"
    de, _ = rules.explanation(likely, "waermenetz_neubau", "sehr_wahrscheinlich_geeignet")
    assert "Wärmenetz besser in 95 % von 1.000 Kosten- und Preispfaden" in de


def test_drivers_name_what_the_probability_hangs_on() -> None:
    # a network mostly of capital against heat pumps mostly of power: network 150 + 20 e,
    # decentral 50 + 110 e; better in 2 of 4 paths, in none at the planned price (e = 1)
    parts = CostParts(150.0, 20.0, 50.0, 110.0)
    factors = _factors(electricity=[0.5, 1.0, 1.5, 2.0])
    moves = uncertainty.drivers(parts, factors, other_criteria=0.0, weight_cost=1.0)
    assert moves[0] == ("electricity", 0.5)
    assert all(move == 0 for _, move in moves[1:])


def test_sampling_is_reproducible_and_centred() -> None:
    first = uncertainty.sample_factors(samples=500, seed=7, period_a=20, interest_rate=0.03)
    again = uncertainty.sample_factors(samples=500, seed=7, period_a=20, interest_rate=0.03)
    assert np.array_equal(first.electricity, again.electricity)
    assert first.samples == 500
    assert 0.9 < float(np.mean(first.electricity)) < 1.1  # the price paths keep mean 1
    p = uncertainty.parameters()
    assert first.connection_share.min() >= p["connection_share_low"]


def test_demo_areas_carry_probability_grade_and_reason(demo_plan: Plan) -> None:
    areas = demo_plan.areas
    chance = pd.to_numeric(areas["network_better_probability"])
    laid = chance.notna()
    assert laid.any() and chance[laid].between(0.0, 1.0).all()
    for row in areas[laid].itertuples():
        assert "Kosten- und Preispfaden" in row.explanation
        if row.area_type_2045 == "dezentral":
            assert row.network_better_probability <= uncertainty.parameters()["probability_likely"]


def test_drivers_of_an_area_decided_in_every_path() -> None:
    # network 50 c + 20 e against 100 + 110 e: better on every path (probability 1), so no
    # input moves the probability; the margin's spread comes almost all from the network
    # capex c (0.8 / 1.2), little from the price e (0.95 / 1.05), none from the rest.
    parts = CostParts(50.0, 20.0, 100.0, 110.0)
    factors = _factors(network_capex=[0.8, 1.2, 0.8, 1.2], electricity=[0.95, 0.95, 1.05, 1.05])
    assert (
        uncertainty.probability_network_better(parts, factors, other_criteria=0.0, weight_cost=1.0)
        == 1.0
    )
    moves = uncertainty.drivers(parts, factors, other_criteria=0.0, weight_cost=1.0)
    assert [name for name, _ in moves[:2]] == ["network_capex", "electricity"]
    assert moves[0][1] > 10 * moves[1][1] > 0
    assert all(move == 0 for _, move in moves[2:])


def test_a_network_funded_up_to_its_funding_gap_says_why_it_costs_the_alternative(
    demo_plan: Plan,
) -> None:
    # BEW Nr. 5: the grant ends where the heat price reaches the customers' alternative; the
    # areas whose funding was cut show equal full costs, and the reason explains it
    areas = demo_plan.areas
    network = pd.to_numeric(areas["network_lcoh_owner_eur_per_mwh"])
    decentral = pd.to_numeric(areas["decentral_lcoh_owner_eur_per_mwh"])
    equal = (network - decentral).abs() < 1e-6
    said = areas["explanation"].str.contains("auf die Wirtschaftlichkeitslücke begrenzt")
    # the rule by hand: cut between 0 and 1 -> the capped sentence; 0 -> no funding at all
    from heatplan.classify.rules import _gap_text

    assert _gap_text(1.0) == ("", "") and "begrenzt" in _gap_text(0.4)[0]
    assert "Keine BEW-Förderung" in _gap_text(0.0)[0]
    assert equal.any()
    assert (equal == said).all(), areas.loc[equal != said, "area_id"].tolist()

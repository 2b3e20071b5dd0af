"""Economics after VDI 2067-1 and the technology catalogue: published values, hand calculations,
limits, invariants, and the sources of every catalogue row."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatplan.reference import catalogue
from heatplan.tech.economics import (
    annual_cost_eur_per_a,
    annualised_investment_eur_per_a,
    annuity_factor,
    beg_eligible_cost_eur,
    cost_curve_eur,
    funded_investment_eur,
    lcoh_eur_per_mwh,
    price_dynamic_factor,
    replacements_within,
)

#: Annuity tables print five decimals (VDI 2067-1 Tab. A; any annuity table): half a unit there.
TABLE_ATOL = 5e-6
#: Hand calculations below repeat the formula step by step in floating point.
HAND_RTOL = 1e-9

LCOH_CASE = {
    "investment_eur": 100_000.0,
    "lifetime_a": 20,
    "interest_rate": 0.03,
    "observation_period_a": 20,
    "fixed_om_share_per_a": 0.02,
    "energy_cost_eur_per_a": 5_000.0,
    "price_change_rate": 0.0,
    "heat_mwh_per_a": 100.0,
}


# --- annuity and price-dynamic factors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("interest_rate", "period_a", "table_value"),
    [(0.03, 20, 0.06722), (0.05, 20, 0.08024), (0.06, 15, 0.10296), (0.08, 10, 0.14903)],
)
def test_annuity_factor_matches_the_annuity_tables(
    interest_rate: float, period_a: int, table_value: float
) -> None:
    # Values of the annuity table (VDI 2067-1 Annex; identical in every finance table).
    assert annuity_factor(interest_rate=interest_rate, period_a=period_a) == pytest.approx(
        table_value, abs=TABLE_ATOL
    )


def test_annuity_factor_without_interest_is_one_over_the_period() -> None:
    assert annuity_factor(interest_rate=0.0, period_a=20) == pytest.approx(1 / 20, rel=HAND_RTOL)
    near_zero = annuity_factor(interest_rate=1e-9, period_a=20)
    assert near_zero == pytest.approx(1 / 20, rel=1e-6)


def test_price_dynamic_factor_at_r_equal_q_is_its_limit() -> None:
    limit = price_dynamic_factor(interest_rate=0.03, price_change_rate=0.03, period_a=20)
    assert limit == pytest.approx(20 / 1.03, rel=HAND_RTOL)
    close = price_dynamic_factor(interest_rate=0.03, price_change_rate=0.03 + 1e-7, period_a=20)
    assert close == pytest.approx(limit, rel=1e-5)


def test_price_dynamic_factor_by_hand() -> None:
    q, r, t = 1.03, 1.02, 20
    by_hand = (1 - (r / q) ** t) / (q - r)
    value = price_dynamic_factor(interest_rate=0.03, price_change_rate=0.02, period_a=t)
    assert value == pytest.approx(by_hand, rel=HAND_RTOL)


def test_constant_prices_make_a_times_b_one() -> None:
    a = annuity_factor(interest_rate=0.04, period_a=25)
    b = price_dynamic_factor(interest_rate=0.04, price_change_rate=0.0, period_a=25)
    assert a * b == pytest.approx(1.0, rel=HAND_RTOL)


# --- investment over the observation period ------------------------------------------------------


@pytest.mark.parametrize(
    ("lifetime_a", "expected"), [(15, 1), (20, 0), (10, 1), (7, 2), (30, 0), (6.5, 3)]
)
def test_replacements_within_the_period(lifetime_a: float, expected: int) -> None:
    assert replacements_within(lifetime_a=lifetime_a, observation_period_a=20) == expected


def test_annualised_investment_with_a_replacement_by_hand() -> None:
    # VDI 2067-1 procedure, T = 20 a, T_N = 15 a, i = 5 %, constant prices: one replacement at
    # year 15 and a residual value of 10/15 of it at year 20.
    a0, q, t, tn = 1000.0, 1.05, 20, 15
    a1 = a0 / q**tn
    residual = a0 * (2 * tn - t) / tn / q**t
    by_hand = (a0 + a1 - residual) * (q - 1) / (1 - q**-t)
    value = annualised_investment_eur_per_a(
        investment_eur=a0, lifetime_a=tn, interest_rate=0.05, observation_period_a=t
    )
    assert value == pytest.approx(by_hand, rel=HAND_RTOL)


def test_residual_value_when_the_plant_outlives_the_period() -> None:
    # Without interest the residual 5/25 of the investment is simply not paid for.
    value = annualised_investment_eur_per_a(
        investment_eur=1000.0, lifetime_a=25, interest_rate=0.0, observation_period_a=20
    )
    assert value == pytest.approx(1000.0 * (1 - 5 / 25) / 20, rel=HAND_RTOL)


@settings(max_examples=50, deadline=None)
@given(
    lifetime=st.floats(min_value=1.0, max_value=60.0),
    period=st.integers(min_value=1, max_value=60),
)
def test_without_interest_capital_cost_is_straight_line_depreciation(
    lifetime: float, period: int
) -> None:
    # With i = 0 and constant prices, replacements and residual value make the yearly capital
    # cost exactly A0 / T_N, whatever the observation period.
    value = annualised_investment_eur_per_a(
        investment_eur=1000.0, lifetime_a=lifetime, interest_rate=0.0, observation_period_a=period
    )
    assert value == pytest.approx(1000.0 / lifetime, rel=1e-9)


def test_funding_reduces_the_capital_annuity_by_the_grant() -> None:
    common = {"lifetime_a": 20, "interest_rate": 0.03, "observation_period_a": 20}
    full = annualised_investment_eur_per_a(investment_eur=1e6, **common)
    funded = annualised_investment_eur_per_a(investment_eur=1e6, funding_share=0.4, **common)
    grant = 0.4 * 1e6 * annuity_factor(interest_rate=0.03, period_a=20)
    assert full - funded == pytest.approx(grant, rel=HAND_RTOL)


# --- annual cost and LCOH ------------------------------------------------------------------------


def test_lcoh_by_hand() -> None:
    a = 0.03 / (1 - 1.03**-20)
    by_hand = (100_000 * a + 0.02 * 100_000 + 5_000) / 100
    assert lcoh_eur_per_mwh(**LCOH_CASE) == pytest.approx(by_hand, rel=HAND_RTOL)
    assert lcoh_eur_per_mwh(**LCOH_CASE) == pytest.approx(137.2157, abs=1e-4)


def test_energy_price_change_enters_through_a_times_b() -> None:
    base = annual_cost_eur_per_a(**{k: v for k, v in LCOH_CASE.items() if k != "heat_mwh_per_a"})
    rising = dict(LCOH_CASE, price_change_rate=0.02)
    del rising["heat_mwh_per_a"]
    a = annuity_factor(interest_rate=0.03, period_a=20)
    b = price_dynamic_factor(interest_rate=0.03, price_change_rate=0.02, period_a=20)
    assert annual_cost_eur_per_a(**rising) - base == pytest.approx(5_000 * (a * b - 1), rel=1e-9)


def test_funding_lowers_lcoh() -> None:
    assert lcoh_eur_per_mwh(**LCOH_CASE, funding_share=0.4) < lcoh_eur_per_mwh(**LCOH_CASE)


def test_scalar_array_and_series_give_matching_lcoh() -> None:
    investments = [50_000.0, 100_000.0, 400_000.0]
    scalars = [lcoh_eur_per_mwh(**dict(LCOH_CASE, investment_eur=x)) for x in investments]
    array = lcoh_eur_per_mwh(**dict(LCOH_CASE, investment_eur=np.array(investments)))
    series = lcoh_eur_per_mwh(
        **dict(LCOH_CASE, investment_eur=pd.Series(investments, index=["a", "b", "c"]))
    )
    assert isinstance(scalars[0], float)
    assert isinstance(array, np.ndarray)
    assert isinstance(series, pd.Series)
    assert list(series.index) == ["a", "b", "c"]
    np.testing.assert_allclose(array, scalars, rtol=HAND_RTOL)
    np.testing.assert_allclose(series.to_numpy(), scalars, rtol=HAND_RTOL)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("investment_eur", -1.0, "investment_eur"),
        ("lifetime_a", 0.0, "lifetime_a"),
        ("observation_period_a", -5.0, "observation_period_a"),
        ("interest_rate", -1.0, "interest_rate"),
        ("fixed_om_share_per_a", -0.01, "fixed_om_share_per_a"),
        ("heat_mwh_per_a", 0.0, "heat_mwh_per_a"),
        ("energy_cost_eur_per_a", math.nan, "energy_cost_eur_per_a"),
        ("funding_share", 1.5, "funding_share"),
    ],
)
def test_impossible_inputs_raise(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lcoh_eur_per_mwh(**{**LCOH_CASE, "funding_share": 0.0, field: value})


# --- funding -------------------------------------------------------------------------------------


def test_funding_rates_come_from_the_sourced_table() -> None:
    assert catalogue.funding("BEW", "module_2_network_investment") == 0.40
    with pytest.raises(ValueError, match="no funding entry"):
        catalogue.funding("BEW", "module_9")


def test_beg_eligible_costs_follow_the_staircase() -> None:
    steps = {
        "first_eur": catalogue.funding("BEG_EM", "heating_eligible_cost_first_dwelling"),
        "second_to_sixth_eur": catalogue.funding(
            "BEG_EM", "heating_eligible_cost_dwellings_2_to_6"
        ),
        "from_seventh_eur": catalogue.funding("BEG_EM", "heating_eligible_cost_dwellings_from_7"),
    }
    caps = beg_eligible_cost_eur(np.array([1, 6, 8]), **steps)
    np.testing.assert_allclose(caps, [30_000, 105_000, 121_000])
    with pytest.raises(ValueError, match="dwellings"):
        beg_eligible_cost_eur(0, **steps)


def test_grant_applies_to_eligible_costs_only() -> None:
    net = funded_investment_eur(
        investment_eur=40_000.0, funding_share=0.5, eligible_cost_eur=30_000.0
    )
    assert net == pytest.approx(25_000.0)


# --- technology catalogue ------------------------------------------------------------------------

KW_TECHNOLOGIES = [
    t for t in catalogue.technologies() if catalogue.capacity_unit(t) in catalogue.KW_UNITS
]
KNOWN_PARAMETERS = {
    "specific_investment",
    "invest_a",
    "invest_b",
    "fixed_om_pct_per_a",
    "variable_om_eur_per_mwh",
    "efficiency",
    "efficiency_electric",
    "efficiency_thermal",
    "cop_nameplate",
    "cop_annual",
    "lifetime_a",
    "energy_to_power_ratio_h",
}


def test_every_catalogue_row_has_unit_source_and_a_number() -> None:
    frame = catalogue.catalogue()
    for column in ("unit", "source", "capacity_unit", "label"):
        empty = frame.index[frame[column].astype(str).str.strip().isin(["", "nan"])].tolist()
        assert not empty, f"rows {empty} have no {column}"
    assert frame["value"].notna().all()
    assert set(frame["parameter"]) <= KNOWN_PARAMETERS
    assert set(frame["year"]) <= {2025, 2030, 2040}
    assert not frame.duplicated(["technology", "year", "parameter"]).any()
    money = frame["parameter"].isin(["specific_investment", "invest_a"])
    assert frame.loc[money & ~frame["technology"].str.endswith("_kww"), "price_year"].notna().all()


def test_the_requested_technologies_are_there() -> None:
    wanted = {
        "large_hp_air",
        "large_hp_river_kww",
        "large_hp_water",
        "solar_thermal_field",
        "gas_boiler_central",
        "biomass_boiler_central",
        "electrode_boiler",
        "pit_storage",
        "tank_storage",
        "hp_air_building",
        "hp_ground_building",
        "gas_condensing_boiler_building",
        "house_substation_kww",
        "pv_rooftop",
    }
    assert wanted <= set(catalogue.technologies())


@settings(max_examples=50, deadline=None)
@given(
    technology=st.sampled_from(KW_TECHNOLOGIES),
    small=st.floats(min_value=0.0, max_value=1e5),
    extra=st.floats(min_value=0.0, max_value=1e5),
    year=st.sampled_from([2025, 2030, 2035, 2040]),
)
def test_investment_is_monotone_in_size(
    technology: str, small: float, extra: float, year: int
) -> None:
    try:
        low = catalogue.investment_eur(technology, small, year=year)
    except ValueError:  # the catalogue has no data for this year: nothing to compare
        return
    assert catalogue.investment_eur(technology, small + extra, year=year) >= low


def test_cost_curve_is_vectorised_and_matches_the_kww_curve() -> None:
    sizes = np.array([100.0, 1_000.0, 10_000.0])
    expected = 2848.0 * sizes**0.86  # KWW Technikkatalog v1.1 (Langreder 2024), air HP
    np.testing.assert_allclose(catalogue.investment_eur("large_hp_air_kww", sizes), expected)
    series = catalogue.investment_eur("large_hp_air_kww", pd.Series(sizes))
    np.testing.assert_allclose(series.to_numpy(), expected)
    assert catalogue.investment_eur("large_hp_air_kww", 1_000.0) == pytest.approx(expected[1])
    np.testing.assert_allclose(cost_curve_eur(sizes, a=2848.0, b=0.86), expected)


def test_specific_investment_times_size() -> None:
    spec = catalogue.technology("hp_air_building", 2025)["specific_investment"]
    assert catalogue.investment_eur("hp_air_building", 10.0) == pytest.approx(10 * spec)


def test_years_between_catalogue_years_are_interpolated() -> None:
    low = catalogue.technology("hp_air_building", 2030)
    high = catalogue.technology("hp_air_building", 2040)
    mid = catalogue.technology("hp_air_building", 2035)
    assert mid["specific_investment"] == pytest.approx(
        (low["specific_investment"] + high["specific_investment"]) / 2
    )
    assert mid["fixed_om_share_per_a"] == pytest.approx(mid["fixed_om_pct_per_a"] / 100)


def test_catalogue_refuses_what_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="unknown technology"):
        catalogue.technology("cold_fusion", 2025)
    with pytest.raises(ValueError, match="no data for 2050"):
        catalogue.technology("hp_air_building", 2050)
    with pytest.raises(ValueError, match="sized in kWh_th"):
        catalogue.investment_eur("pit_storage", 1_000.0)
    with pytest.raises(ValueError, match="capacity"):
        catalogue.investment_eur("hp_air_building", -1.0)


def test_storage_is_priced_per_kwh() -> None:
    spec = catalogue.technology("pit_storage", 2025)["specific_investment"]
    assert catalogue.size_investment_eur("pit_storage", 1e6) == pytest.approx(1e6 * spec)

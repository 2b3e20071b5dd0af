"""Tenant power of a quarter: EnWG § 42b allocation keys and the § 42a Mieterstrom bill against
hand calculations, the 90 % price cap, and more PV never lowering self-sufficiency."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heatplan.quarter.power import (
    building_power,
    dynamic_self_kw,
    mieterstrom_price_share,
    participants_mask,
    shared_self_kw,
)
from heatplan.quarter.tariffs import Tariffs, tariffs

# One building, 6 apartments, 4 quarter hours (mean power per quarter hour [kW]).
PV_KW = np.array([0.0, 6.0, 12.0, 3.0])
LOAD_KW = np.array(
    [
        [1.0, 1.0, 2.0, 1.0],
        [1.0, 1.0, 2.0, 1.0],
        [1.0, 1.0, 1.0, 1.0],
        [1.0, 1.0, 1.0, 1.0],
        [1.0, 1.0, 0.0, 1.0],
        [1.0, 1.0, 0.0, 1.0],
    ]
)
AREA_M2 = np.array([100.0, 50.0, 50.0, 50.0, 50.0, 100.0])
RATES = Tariffs(
    basic_energy_eur_per_kwh=0.40,
    basic_base_eur_per_a=120.0,
    mieterstrom_cap_share=0.90,
    shared_pv_price_eur_per_kwh=0.27,
    residual_purchase_eur_per_kwh=0.25,
    vat_rate=0.19,
)


def test_dynamic_key_by_hand() -> None:
    # step 1: PV 6 = load 6, each gets its load; step 2: PV 12 > load 6, each its load;
    # step 3: PV 3 of load 6, each half its load. Energy = kW x 0.25 h.
    used_kwh = dynamic_self_kw(PV_KW, LOAD_KW).sum(axis=1) * 0.25
    expected = np.array([1 + 2 + 0.5, 1 + 2 + 0.5, 1 + 1 + 0.5, 1 + 1 + 0.5, 1.5, 1.5]) * 0.25
    np.testing.assert_allclose(used_kwh, expected, rtol=1e-12)


def test_area_key_by_hand() -> None:
    # keys 100/400 = 0.25 and 50/400 = 0.125. Step 1 (PV 6): shares 1.5 / 0.75, capped at the
    # load 1 -> 1, 0.75. Step 2 (PV 12): shares 3 / 1.5, loads 2,2,1,1,0,0 -> 2, 1.5, 1, 1, 0, 0.
    # Step 3 (PV 3): shares 0.75 / 0.375, all below the load 1.
    used_kwh = shared_self_kw(PV_KW, LOAD_KW, "area", AREA_M2).sum(axis=1) * 0.25
    expected = np.array(
        [
            1 + 2 + 0.75,
            0.75 + 1.5 + 0.375,
            0.75 + 1 + 0.375,
            0.75 + 1 + 0.375,
            0.75 + 0 + 0.375,
            1 + 0 + 0.75,
        ]
    )
    np.testing.assert_allclose(used_kwh, expected * 0.25, rtol=1e-12)


def test_consumption_key_by_hand() -> None:
    # annual energies 5, 5, 4, 4, 3, 3 of 24 (in kW x steps): keys 5/24 ... 3/24.
    used = shared_self_kw(PV_KW, LOAD_KW, "consumption", AREA_M2)
    key = np.array([5, 5, 4, 4, 3, 3]) / 24.0
    # step 2 (PV 12): shares 2.5, 2.5, 2, 2, 1.5, 1.5 capped at loads 2, 2, 1, 1, 0, 0
    np.testing.assert_allclose(used[:, 2], [2, 2, 1, 1, 0, 0])
    # step 3 (PV 3): shares all below the load 1
    np.testing.assert_allclose(used[:, 3], key * 3.0)


def test_mieterstrom_and_shared_bills_by_hand() -> None:
    result = building_power(
        PV_KW,
        LOAD_KW,
        AREA_M2,
        participants=np.ones(6, dtype=bool),
        key="dynamic",
        tariffs=RATES,
        price_share=0.9,
        feed_in_eur_per_kwh=0.0794,
        premium_eur_per_kwh=0.0267,
    )
    # apartment 1: 5 kW-steps = 1.25 kWh; basic supply 0.40 x 1.25 + 120 = 120.50 EUR
    assert result.bill_before_eur[0] == pytest.approx(120.50, abs=1e-9)
    assert result.bill_mieterstrom_eur[0] == pytest.approx(0.9 * 120.50, abs=1e-9)
    # § 42b dynamic: 0.875 kWh PV at 0.27, 0.375 kWh residual at 0.40, base 120
    assert result.bill_shared_eur[0] == pytest.approx(0.27 * 0.875 + 0.40 * 0.375 + 120, abs=1e-9)
    # quarter: PV 21 kW-steps = 5.25 kWh, used 15 -> 3.75 kWh, load 24 -> 6 kWh
    assert result.pv_kwh == pytest.approx(5.25)
    assert result.mieterstrom_feed_in_kwh == pytest.approx(1.5)
    sales = 0.9 * (0.40 * 6.0 + 6 * 120.0) / 1.19
    revenue = sales + 0.0267 * 3.75 + 0.0794 * 1.5 - 0.25 * (6.0 - 3.75)
    assert result.mieterstrom_revenue_eur == pytest.approx(revenue, rel=1e-12)
    shared = 0.27 * 3.75 / 1.19 + 0.0794 * 1.5
    assert result.shared_revenue_eur == pytest.approx(shared, rel=1e-12)


def test_non_participants_keep_the_basic_tariff() -> None:
    mask = participants_mask(6, 0.5)
    assert mask.tolist() == [True, True, True, False, False, False]
    result = building_power(
        PV_KW,
        LOAD_KW,
        AREA_M2,
        participants=mask,
        key="area",
        tariffs=RATES,
        price_share=0.9,
        feed_in_eur_per_kwh=0.0794,
        premium_eur_per_kwh=0.0267,
    )
    outside = ~mask
    np.testing.assert_array_equal(
        result.bill_mieterstrom_eur[outside], result.bill_before_eur[outside]
    )
    np.testing.assert_array_equal(result.bill_shared_eur[outside], result.bill_before_eur[outside])
    assert (result.mieterstrom_self_kwh[outside] == 0).all()


def test_price_above_the_cap_is_refused_and_the_default_is_the_cap() -> None:
    rates = tariffs()
    assert rates.mieterstrom_cap_share == pytest.approx(0.90)  # EnWG § 42a Abs. 4
    assert mieterstrom_price_share(None, rates) == pytest.approx(0.90)
    with pytest.raises(ValueError, match="42a"):
        mieterstrom_price_share(0.95, rates)


loads = st.lists(st.floats(0.0, 5.0), min_size=3 * 8, max_size=3 * 8)
pv = st.lists(st.floats(0.0, 20.0), min_size=8, max_size=8)


@settings(max_examples=60, deadline=None)
@given(loads=loads, pv=pv, share=st.floats(0.0, 0.9))
def test_mieterstrom_bill_never_above_90_percent_of_basic(
    loads: list[float], pv: list[float], share: float
) -> None:
    load_kw = np.array(loads).reshape(3, 8)
    result = building_power(
        np.array(pv),
        load_kw,
        np.ones(3),
        participants=np.ones(3, dtype=bool),
        key="dynamic",
        tariffs=RATES,
        price_share=mieterstrom_price_share(share, RATES),
        feed_in_eur_per_kwh=0.0794,
        premium_eur_per_kwh=0.0267,
    )
    cap = 0.90 * result.bill_before_eur
    assert (result.bill_mieterstrom_eur <= cap + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(
    loads=loads,
    pv=pv,
    factor=st.floats(1.0, 5.0),
    key=st.sampled_from(["dynamic", "area", "consumption"]),
)
def test_more_pv_never_lowers_self_sufficiency(
    loads: list[float], pv: list[float], factor: float, key: str
) -> None:
    load_kw = np.array(loads).reshape(3, 8) + 0.01  # positive consumption for the key
    area = np.array([60.0, 80.0, 45.0])
    small = shared_self_kw(np.array(pv), load_kw, key, area).sum()
    large = shared_self_kw(np.array(pv) * factor, load_kw, key, area).sum()
    assert large >= small - 1e-9
    assert large <= load_kw.sum() + 1e-9  # never more than the load
    dyn_small = dynamic_self_kw(np.array(pv), load_kw).sum()
    dyn_large = dynamic_self_kw(np.array(pv) * factor, load_kw).sum()
    assert dyn_large >= dyn_small - 1e-9


@settings(max_examples=40, deadline=None)
@given(
    heat=st.lists(st.floats(0.0, 50.0), min_size=24, max_size=24),
    surplus=st.lists(st.floats(0.0, 30.0), min_size=24, max_size=24),
    buffer_kwh=st.floats(0.0, 100.0),
)
def test_pv_surplus_never_raises_the_heat_pumps_grid_power(
    heat: list[float], surplus: list[float], buffer_kwh: float
) -> None:
    from heatplan.quarter.heat import run_heat_pump

    heat_kw, cop = np.array(heat), np.linspace(2.0, 4.0, 24)
    without, _ = run_heat_pump(heat_kw, cop, np.zeros(24), capacity_kw=60.0, buffer_kwh=buffer_kwh)
    grid, pv = run_heat_pump(
        heat_kw, cop, np.array(surplus), capacity_kw=60.0, buffer_kwh=buffer_kwh
    )
    assert grid.sum() <= without.sum() + 1e-9
    assert (pv <= np.array(surplus) + 1e-9).all()  # never more PV than the surplus
    np.testing.assert_allclose(without, heat_kw / cop)


def test_leap_years_keep_365_days_of_weather() -> None:
    from heatplan.quarter.power import hold_hourly
    from heatplan.quarter.study import hourly_of_year

    hourly = np.arange(8760.0)
    leap = hold_hourly(hourly, 366 * 96)
    assert leap.size == 366 * 96
    # 29 February repeats 28 February; 1 March follows
    np.testing.assert_array_equal(leap[59 * 96 : 60 * 96], leap[58 * 96 : 59 * 96])
    assert leap[60 * 96] == 59 * 24
    np.testing.assert_array_equal(hourly_of_year(leap), hourly)

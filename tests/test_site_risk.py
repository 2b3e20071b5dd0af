"""Price risk of a site study (heatplan.site.risk): the fixed dispatch re-priced over the price
paths, against a hand case with two paths, a zero-volatility path set and the tariff by hand."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from heatplan.dispatch.prices import Volatility
from heatplan.site import risk
from heatplan.site.inputs import read_site
from heatplan.site.risk import EnergyCosts, PriceFactors, cost_paths, price_factors, price_risk
from heatplan.site.tariffs import gas_price_eur_per_kwh, grid_tariff

DATA = Path(__file__).parent / "data" / "site"


def test_two_paths_by_hand() -> None:
    """Electricity x0.5 and x1.5, gas x1.2 and x0.8: each part scales by its own factor."""
    factors = PriceFactors(electricity=np.array([0.5, 1.5]), natural_gas=np.array([1.2, 0.8]))
    before = EnergyCosts(1000.0, electricity_eur_per_a=400.0, gas_eur_per_a=300.0)
    after = EnergyCosts(900.0, electricity_eur_per_a=100.0, network_heat_eur_per_a=200.0)
    w_el = risk.parameter(risk.RISK_FILE, "network_heat_electricity_weight")
    # path 1: 1000 - 200 + 60 = 860 before; 900 - 50 + 200 x w_el x (-0.5) after
    hand_before = [1000.0 - 200.0 + 60.0, 1000.0 + 200.0 - 60.0]
    hand_after = [900.0 - 50.0 - 100.0 * w_el, 900.0 + 50.0 + 100.0 * w_el]
    np.testing.assert_allclose(cost_paths(before, factors), hand_before, rtol=1e-12)
    np.testing.assert_allclose(cost_paths(after, factors), hand_after, rtol=1e-12)
    result = price_risk(before, after, factors)
    savings = np.subtract(hand_before, hand_after)
    assert result.samples == 2
    assert result.probability_saving == pytest.approx(float(np.mean(savings > 0)))
    assert result.savings_eur_per_a.median == pytest.approx(float(np.median(savings)))
    assert result.before_eur_per_a.p10 == pytest.approx(float(np.percentile(hand_before, 10)))


def test_percentiles_are_ordered_and_the_paths_have_mean_one() -> None:
    factors = price_factors(samples=1000, seed=3)
    # the paths are log-normal with mean 1 in every year: the levelised mean is 1 within
    # four standard errors of 1,000 paths
    for values in (factors.electricity, factors.natural_gas):
        assert abs(values.mean() - 1.0) < 4.0 * values.std() / np.sqrt(values.size)
        assert values.std() > 0.05  # the Destatis volatility is not small
    before = EnergyCosts(1.0e5, electricity_eur_per_a=6.0e4, gas_eur_per_a=2.0e4)
    after = EnergyCosts(0.9e5, electricity_eur_per_a=3.0e4, network_heat_eur_per_a=2.0e4)
    result = price_risk(before, after, factors)
    for spread in (result.before_eur_per_a, result.after_eur_per_a, result.savings_eur_per_a):
        assert spread.p10 <= spread.median <= spread.p90
    assert result.before_eur_per_a.p90 - result.before_eur_per_a.p10 > 0.0
    # less exposure to prices after: the spread of the cost narrows
    width = {
        k: s.p90 - s.p10
        for k, s in (("before", result.before_eur_per_a), ("after", result.after_eur_per_a))
    }
    assert width["after"] < width["before"]


def test_zero_volatility_gives_the_deterministic_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    calm = Volatility(("electricity", "natural_gas"), np.zeros(2), np.eye(2))
    monkeypatch.setattr(risk, "volatility_from_history", lambda: calm)
    factors = price_factors(samples=50)
    np.testing.assert_allclose(factors.electricity, 1.0, rtol=0, atol=1e-12)
    before = EnergyCosts(1234.5, electricity_eur_per_a=1000.0, gas_eur_per_a=200.0)
    after = EnergyCosts(987.6, electricity_eur_per_a=500.0, network_heat_eur_per_a=300.0)
    result = price_risk(before, after, factors)
    assert result.before_eur_per_a.p10 == pytest.approx(1234.5, abs=1e-9)
    assert result.after_eur_per_a.p90 == pytest.approx(987.6, abs=1e-9)
    assert result.savings_eur_per_a.median == pytest.approx(1234.5 - 987.6, abs=1e-9)
    assert result.probability_saving == 1.0


def test_a_site_results_flows_are_priced_with_its_tariffs() -> None:
    """The electricity part is the import times the whole per-kWh price of the grid-fee case;
    gas and network heat with their prices (site_heat.toml has a network at 95 EUR/MWh)."""
    site = read_site(DATA / "site_heat.toml")
    result = {
        "grid_fee_case_before": "from_2500_h", "grid_fee_case_after": "below_2500_h",
        "annual_cost_before_eur_per_a": 2.0e5, "annual_cost_after_eur_per_a": 1.5e5,
        "import_before_kwh_per_a": 4.0e5, "import_after_kwh_per_a": 3.0e5,
        "gas_before_kwh_per_a": 3.1e5, "gas_after_kwh_per_a": 1.0e4,
        "network_heat_kwh_per_a": 2.0e5,
    }  # fmt: skip
    before, after = risk.site_energy_costs(site, result)
    price = grid_tariff("from_2500_h", site.feed_in_case, enwg_14a_module_2=True)
    assert before.electricity_eur_per_a == pytest.approx(4.0e5 * price.import_eur_per_kwh)
    assert before.gas_eur_per_a == pytest.approx(3.1e5 * gas_price_eur_per_kwh())
    assert before.network_heat_eur_per_a == 0.0
    assert after.network_heat_eur_per_a == pytest.approx(2.0e5 * 0.095)
    assert dataclasses.astuple(after)[0] == 1.5e5
    field = risk.site_price_risk(site, result, PriceFactors(np.ones(3), np.ones(3)))
    assert field["savings_eur_per_a"]["median"] == pytest.approx(5.0e4)
    assert "no re-optimisation" in field["note"]

"""Price risk of a quarter's heat options (heatplan.quarter.risk): energy parts by hand, two
paths by hand, ordered percentiles and the deterministic value without volatility."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heatplan.quarter.inputs import Quarter, read_quarter
from heatplan.quarter.risk import option_energy_costs, quarter_price_risk
from heatplan.quarter.tariffs import energy_price
from heatplan.site.risk import PriceFactors

QUARTER = """[quarter]
name = "Test"
lat = 50.885
lon = 11.605
year = 2025

[rent]
cold_rent_eur_per_m2_month = 6.5

[heat_network]
price_eur_per_mwh = 130.0

[electricity]
annual_kwh_per_apartment = 2000.0

[[building]]
name = "Haus A"
living_area_m2 = 500.0
apartments = 6
rent_controlled_share = 0.5
pv_kwp = 20.0
heat_demand_kwh_per_a = 30000.0
"""
AREA_M2 = 500.0


def _quarter(tmp_path: Path) -> Quarter:
    path = tmp_path / "quarter.toml"
    path.write_text(QUARTER, encoding="utf-8")
    return read_quarter(path)


def _summary() -> dict[str, object]:
    option = {"annual_cost_eur_per_a": 10_000.0, "pv_used_kwh_per_a": 0.0}
    rent = {"warm_rent_eur_per_m2_month": 8.0}
    return {
        "living_area_m2": AREA_M2,
        "heat": {
            "options": {
                "gas_today": {**option, "final_energy_kwh_per_a": 40_000.0},
                "heat_pump": {
                    **option, "final_energy_kwh_per_a": 12_000.0, "pv_used_kwh_per_a": 2_000.0,
                },
                "heat_network": {**option, "final_energy_kwh_per_a": 30_000.0},
            }
        },
        "rent_controlled": {
            "concepts": {"gas_today": rent, "heat_pump": rent, "heat_network": rent}
        },
    }  # fmt: skip


def test_energy_parts_by_hand(tmp_path: Path) -> None:
    costs = option_energy_costs(_quarter(tmp_path), _summary())
    gas = energy_price("natural_gas_multifamily_eur_per_mwh")
    assert costs["gas_today"].gas_eur_per_a == pytest.approx(40_000.0 * gas)
    # the heat pump's own PV is valued at the fixed feed-in tariff: only grid power moves
    hp = energy_price("electricity_heat_pump_eur_per_mwh")
    assert costs["heat_pump"].electricity_eur_per_a == pytest.approx(10_000.0 * hp)
    assert costs["heat_network"].network_heat_eur_per_a == pytest.approx(30_000.0 * 0.130)


def test_two_paths_move_the_warm_rent_by_the_heating_cost(tmp_path: Path) -> None:
    quarter = _quarter(tmp_path)
    gas = energy_price("natural_gas_multifamily_eur_per_mwh") * 40_000.0
    factors = PriceFactors(electricity=np.array([1.0, 1.0]), natural_gas=np.array([0.5, 1.5]))
    risk = quarter_price_risk(quarter, _summary(), factors)
    today = risk["options"]["gas_today"]
    # gas x0.5 and x1.5: cost 10,000 -/+ gas/2, rent 8 -/+ gas/2 / area / 12
    assert today["annual_cost_eur_per_a"]["median"] == pytest.approx(10_000.0)
    low = np.percentile([10_000.0 - gas / 2, 10_000.0 + gas / 2], 10)
    assert today["annual_cost_eur_per_a"]["p10"] == pytest.approx(low)
    rent_low = np.percentile([8.0 - gas / 2 / AREA_M2 / 12, 8.0 + gas / 2 / AREA_M2 / 12], 10)
    assert today["warm_rent_eur_per_m2_month"]["p10"] == pytest.approx(rent_low)
    # the heat pump (electricity unchanged) costs 10,000 on both paths: cheaper on the dear one
    assert risk["options"]["heat_pump"]["probability_cheaper_than_today"] == 0.5
    assert "probability_cheaper_than_today" not in today


def test_without_volatility_the_spread_is_the_study_value(tmp_path: Path) -> None:
    ones = PriceFactors(np.ones(4), np.ones(4))
    risk = quarter_price_risk(_quarter(tmp_path), _summary(), ones)
    for o in risk["options"].values():
        assert o["annual_cost_eur_per_a"] == pytest.approx(
            {"p10": 10_000.0, "median": 10_000.0, "p90": 10_000.0}
        )
        assert o["warm_rent_eur_per_m2_month"]["p90"] == pytest.approx(8.0)


def test_the_study_carries_an_ordered_spread(tmp_path: Path) -> None:
    from heatplan.quarter.study import study

    summary = study(_quarter(tmp_path)).summary
    risk = summary["price_risk"]
    assert risk["samples"] == 1000 and set(risk["options"]) == set(summary["heat"]["options"])
    for o in risk["options"].values():
        for spread in (o["annual_cost_eur_per_a"], o["warm_rent_eur_per_m2_month"]):
            assert spread["p10"] <= spread["median"] <= spread["p90"]

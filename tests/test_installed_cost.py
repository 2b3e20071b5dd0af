"""German installed cost of a building's heating (Moritz, Czock & Ruhnau 2024) and the one-
building comparison `heatplan calc decentral`, checked against the cost functions by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.options.installed_cost import installed_cost, installed_investment_eur

#: Same arithmetic written twice.
RTOL = 1e-9


def test_air_heat_pump_of_8_kw_by_hand() -> None:
    load = 8.0
    kw_el = load * 0.73 / 3.0  # capacity at the bivalent point (0.73) at COP 3
    litres_hot_water = load * 1000 / 50 / 30 * 40  # 40 l per occupant, 30 m2 at 50 W/m2
    equipment = (
        7689 * kw_el**0.69  # heat pump, list prices (kW_el)
        + 8.76 * (0.36 * load)
        + 220.17  # heating rod
        + 6.33 * litres_hot_water
        + 714.80  # hot-water store
        + 93.8 * (20 * load) ** 0.5  # buffer store, 20 l/kW
    )
    expected = 1.5 * equipment + 3986 * load**0.68  # margin 50 % + installation
    cost = installed_cost("air_hp", load)
    assert cost.investment_eur == pytest.approx(expected, rel=RTOL)
    assert cost.fixed_om_eur_per_a == pytest.approx(25.0 * load)
    assert cost.price_year == 2023
    assert sum(cost.components_eur.values()) == pytest.approx(cost.investment_eur, rel=RTOL)
    assert all("Moritz, Czock, Ruhnau (2024)" in s for s in cost.sources)


def test_ground_heat_pump_pays_the_borehole_without_the_installer_margin() -> None:
    load = 10.0
    cost = installed_cost("ground_hp", load)
    assert cost.components_eur["borehole"] == pytest.approx(453.19 * load + 19011, rel=RTOL)
    equipment = sum(
        v for k, v in cost.components_eur.items()
        if k not in ("borehole", "installation", "contribution_margin")
    )  # fmt: skip
    assert cost.components_eur["contribution_margin"] == pytest.approx(0.5 * equipment)
    borehole_upkeep = 0.03 * cost.components_eur["borehole"]
    assert cost.fixed_om_eur_per_a == pytest.approx(25.0 * load + borehole_upkeep, rel=RTOL)


def test_gas_boiler_cost_function_changes_at_50_kw() -> None:
    small, large = (installed_cost("gas", p).components_eur["boiler"] for p in (49.0, 60.0))
    assert small == pytest.approx(124.76 * 49 + 3073.75, rel=RTOL)
    assert large == pytest.approx(75.42 * 60 + 8149.98, rel=RTOL)


def test_costs_rise_with_the_load_and_order_as_the_market() -> None:
    loads = np.array([5.0, 8.0, 12.0, 20.0])
    air, _ = installed_investment_eur("air_hp", loads)
    ground, _ = installed_investment_eur("ground_hp", loads)
    gas, _ = installed_investment_eur("gas", loads)
    assert np.all(np.diff(air) > 0) and np.all(np.diff(ground) > 0)
    assert np.all(gas < air) and np.all(air < ground)  # boiler < air < ground: every source
    assert np.all(air / loads > 1500)  # EUR/kW installed: several times the DEA (about 950)


def test_calc_decentral_gives_every_option_with_its_sources() -> None:
    args = ["calc", "decentral", "--heat-mwh-per-a", "20", "--peak-kw", "8", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    options = {o["option"]: o for o in json.loads(result.stdout)["options"]}
    assert set(options) == {"air_hp", "ground_hp", "biomass", "gas"}
    air = options["air_hp"]
    assert air["investment_eur"] == pytest.approx(installed_cost("air_hp", 8.0).investment_eur)
    assert air["grant_eur"] == pytest.approx(0.30 * 30_000)  # BEG EM base, capped eligible cost
    assert air["lcoh_eur_per_mwh"] < air["lcoh_unfunded_eur_per_mwh"]
    assert options["gas"]["grant_eur"] == 0.0
    assert "Pellet" in options["biomass"]["label"] and "Danish" in options["biomass"]["note"]
    for option in options.values():
        assert option["sources"] and any("energy price" in s for s in option["sources"])
    bad = CliRunner().invoke(app, ["calc", "decentral", "--heat-mwh-per-a", "0", "--peak-kw", "8"])
    assert bad.exit_code != 0 and "must be > 0" in bad.output


#: Installed cost of a heat pump for a single-family house as the German market quotes it:
#: "oft im Bereich von 20.000 bis 35.000 Euro" (selbst.de, KfW 458 guide, 2025; secondary, the
#: independent figure at hand offline - BAFA/KfW statistics of funded units could not be read
#: here). Tolerance: 15 % above the band's top, because Moritz et al. price list prices plus a
#: 50 % installer's margin and every store a house needs, the top of what offers hold.
MARKET_BAND_EUR = (20_000.0, 35_000.0)
MARKET_TOLERANCE = 0.15


def test_an_air_heat_pump_for_a_house_costs_what_the_market_quotes() -> None:
    low, high = MARKET_BAND_EUR
    for load_kw in (6.0, 8.0):  # 33 and 40 kEUR
        cost = installed_cost("air_hp", load_kw).investment_eur
        assert low <= cost <= high * (1 + MARKET_TOLERANCE), (load_kw, cost)
    # a known deviation, stated rather than hidden: at 10 kW the function gives 46 kEUR, 32 %
    # above the band's top (the demo's houses have 7-12 kW peak loads)
    assert installed_cost("air_hp", 10.0).investment_eur > high * (1 + MARKET_TOLERANCE)

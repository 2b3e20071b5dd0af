"""Target-scenario pathway, Anlage-2 indicators and variants (heatplan.scenario).

Independent references: TABULA DE q_h_nd of the existing and 'usual' refurbished example
buildings (Loga et al. 2015: SFH.05 265.3 -> 128.1, MFH.06 147.9 -> 72.6, SFH.10 77.5 -> 68.6
kWh/(m² a)); the UBA grid factors 433/386/363 g/kWh (2022-2024, Climate Change 13/2025) with
the straight KSG path to 0 in 2045; the WPG §§ 29-31 minimum shares; GEG § 71 (9) blending
shares; the Danish Energy Agency's water-source heat pump COP 3.82 (2030) and gas DH boiler
efficiency 1.04 (2030); the GEG Anlage 9 factors (oil 310, gas 240 g/kWh).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from heatplan.scenario import stock
from heatplan.scenario.indicators import INDICATOR_YEARS, anlage2_indicators, indicator_table
from heatplan.scenario.network import required_share
from heatplan.scenario.pathway import pathway
from heatplan.scenario.settings import ScenarioSettings, variant_settings
from heatplan.scenario.variants import run_variants, side_by_side, variant_costs

RTOL_ENERGY = 1e-9  # bookkeeping identities: float round-off only
RTOL_HAND = 1e-9  # hand-computed example (same formulas, independent inputs)
COUNT_TOLERANCE = 1  # buildings per year of an evenly spread replacement
SEVEN = {
    "final_energy",
    "ghg_emissions",
    "grid_bound_heat_by_carrier",
    "grid_bound_heat_share",
    "heat_network_buildings",
    "gas_network_final_energy",
    "gas_network_buildings",
}
#: grid_emission_factors.csv, path 'projection' (g CO2e/kWh incl. upstream chains): UBA Climate
#: Change 13/2025 for 2022-2024, then the projection's 2030, 2040 and 2045 points
UBA_YEARS = [2022, 2023, 2024, 2030, 2040, 2045]
UBA_G_PER_KWH = [498.0, 445.0, 427.0, 270.0, 32.0, 28.5]


def _areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ["N", "X", "D", "H"],
            "area_type_2030": ["waermenetz_verdichtung", "dezentral", "dezentral", "pruefgebiet"],
            "area_type_2035": [
                "waermenetz_verdichtung",
                "waermenetz_neubau",
                "dezentral",
                "pruefgebiet",
            ],
            "area_type_2040": [
                "waermenetz_verdichtung",
                "waermenetz_neubau",
                "dezentral",
                "dezentral",
            ],
            "area_type_2045": [
                "waermenetz_verdichtung",
                "waermenetz_neubau",
                "dezentral",
                "wasserstoffnetz",
            ],
        }
    )


def _stock(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    heat = rng.uniform(5_000.0, 80_000.0, n)
    carrier = rng.choice(
        ["natural_gas", "heating_oil", "district_heat", "electricity", "wood", "unknown"],
        n,
        p=[0.55, 0.2, 0.05, 0.1, 0.05, 0.05],
    )
    frame = pd.DataFrame(
        {
            "building_id": [f"B{i:04d}" for i in range(n)],
            "area_id": rng.choice(["N", "X", "D", "H"], n),
            "sector": rng.choice(["households", "commerce"], n, p=[0.8, 0.2]),
            "carrier": carrier,
            "heat_demand_kwh_per_a": heat,
            "space_heating_kwh_per_a": heat * 0.8,
            "hot_water_kwh_per_a": heat * 0.2,
            "age_class": rng.choice(["1919-1948", "1958-1968", "1984-1994", "unknown"], n),
            "heater_type": np.where(carrier == "electricity", "heat_pump_air", "unknown"),
            "use": rng.choice(["sfh", "mfh", "office"], n),
            "heated_area_m2": heat / 140.0,
        }
    )
    frame["heater_install_year"] = np.where(
        rng.random(n) < 0.5, rng.integers(1990, 2025, n), np.nan
    )
    return frame


def _grid(years: np.ndarray) -> np.ndarray:
    return np.interp(years, UBA_YEARS, UBA_G_PER_KWH)


# --- bookkeeping -----------------------------------------------------------------------------
def test_final_energy_by_carrier_sums_to_the_total() -> None:
    result = pathway(_stock(), _areas(), variant_settings("base"))
    by_year = result.energy.groupby("year")["final_energy_kwh_per_a"].sum()
    matrix = result.final_energy_kwh.sum(axis=0)
    np.testing.assert_allclose(by_year.to_numpy(), matrix.to_numpy(), rtol=RTOL_ENERGY)
    for block in anlage2_indicators(result).values():
        values = block["final_energy"]["values"]
        parts = sum(v for k, v in values.items() if k != "total")
        assert parts == pytest.approx(values["total"], rel=RTOL_ENERGY)
        gas = block["gas_network_final_energy"]["values"]
        assert gas["natural_gas"] + gas["hydrogen"] + gas["biomethane"] == pytest.approx(
            gas["total"]
        )


def test_base_year_is_the_inventory() -> None:
    frame = _stock().assign(final_energy_kwh_per_a=lambda f: f["heat_demand_kwh_per_a"] / 0.9)
    result = pathway(frame, _areas(), variant_settings("base"))
    base = result.final_energy_kwh[result.years[0]].to_numpy()
    np.testing.assert_allclose(base, frame["final_energy_kwh_per_a"], rtol=RTOL_ENERGY)


def test_no_renovation_and_no_replacement_keeps_every_year_at_the_base_year() -> None:
    frame = _stock().assign(heater_install_year=2020)  # before the GEG § 71 (9) window
    settings = ScenarioSettings.defaults(
        renovation_rate_start=0.0,
        renovation_rate_end=0.0,
        lifetime_a={"default": 100.0},
        fossil_end_year=2100,
    )
    result = pathway(frame, _areas(), settings)
    first = result.years[0]
    for year in result.years[1:]:
        np.testing.assert_array_equal(result.carrier[year], result.carrier[first])
        np.testing.assert_allclose(result.final_energy_kwh[year], result.final_energy_kwh[first])
    energy = result.energy.set_index(["sector", "carrier"])
    reference = energy[energy["year"] == first]["final_energy_kwh_per_a"]
    for year in result.years:
        current = energy[energy["year"] == year]["final_energy_kwh_per_a"]
        pd.testing.assert_series_equal(current, reference, check_exact=False, rtol=RTOL_ENERGY)


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    low=st.floats(min_value=0.0, max_value=0.05),
    extra=st.floats(min_value=0.0, max_value=0.05),
)
def test_renovation_only_lowers_demand(low: float, extra: float) -> None:
    frame = _stock(60, seed=7)
    slow = ScenarioSettings.defaults(renovation_rate_start=low, renovation_rate_end=low)
    fast = ScenarioSettings.defaults(
        renovation_rate_start=low + extra, renovation_rate_end=low + extra
    )
    heat_slow = pathway(frame, _areas(), slow).heat_kwh.to_numpy()
    heat_fast = pathway(frame, _areas(), fast).heat_kwh.to_numpy()
    assert np.all(heat_fast <= heat_slow * (1 + RTOL_ENERGY))
    assert np.all(np.diff(heat_slow, axis=1) <= 1e-9)
    assert np.all(
        heat_slow <= frame["heat_demand_kwh_per_a"].to_numpy()[:, None] * (1 + RTOL_ENERGY)
    )


def test_buildings_connect_only_in_network_areas() -> None:
    frame = _stock(400)
    result = pathway(frame, _areas(), variant_settings("base"))
    table = stock.prepare_areas(_areas(), frame["area_id"].astype(str))
    types = pd.DataFrame(
        stock.types_by_year(table, result.years), index=table.index, columns=result.years
    )
    newly = (result.carrier == "district_heat") & (
        frame.set_index("building_id")["carrier"] != "district_heat"
    ).to_numpy()[:, None]
    area = frame.set_index("building_id")["area_id"]
    for building, year in zip(*np.nonzero(newly.to_numpy()), strict=True):
        area_type = types.loc[area.iloc[building], result.years[year]]
        assert area_type in stock.NETWORK_TYPES
    assert newly.to_numpy().any()
    assert set(area[newly.any(axis=1)]) <= {"N", "X"}


def test_shares_are_between_zero_and_one() -> None:
    results = run_variants(_stock(), _areas())
    for result in results.values():
        for block in anlage2_indicators(result).values():
            for indicator in block.values():
                for value in indicator.get("shares", {}).values():
                    assert 0.0 <= value <= 1.0
            assert 0.0 <= block["grid_bound_heat_share"]["values"]["grid_bound_heat"] <= 1.0
        assert result.network["renewable_share"].between(0.0, 1.0).all()
        assert result.stock["renovated_share"].between(0.0, 1.0).all()


def test_indicators_for_exactly_the_four_years() -> None:
    result = pathway(_stock(), _areas(), variant_settings("base"))
    indicators = anlage2_indicators(result)
    assert list(indicators) == ["2030", "2035", "2040", "2045"] == [str(y) for y in INDICATOR_YEARS]
    for block in indicators.values():
        assert set(block) == SEVEN
        assert all("unit" in item and "values" in item for item in block.values())
    table = indicator_table(indicators, variant="base")
    assert set(table["year"]) == set(INDICATOR_YEARS)
    assert list(table.columns) == ["variant", "year", "indicator", "key", "value", "unit"]
    with pytest.raises(ValueError, match="outside the pathway"):
        anlage2_indicators(result, years=(2050,))


def test_ghg_of_an_all_heat_pump_stock_falls_with_the_grid_factor() -> None:
    frame = _stock(50).assign(
        carrier="electricity",
        heater_type="heat_pump_air",
        final_energy_kwh_per_a=lambda f: f["heat_demand_kwh_per_a"] / 3.1,
    )
    settings = ScenarioSettings.defaults(renovation_rate_start=0.0, renovation_rate_end=0.0)
    result = pathway(frame, _areas(), settings)
    ghg = result.energy.groupby("year")["co2_t_per_a"].sum()
    expected = frame["final_energy_kwh_per_a"].sum() * _grid(result.years) / 1e6
    np.testing.assert_allclose(ghg.to_numpy(), expected, rtol=RTOL_ENERGY)
    assert np.all(np.diff(ghg.to_numpy()) < 0)
    assert ghg[2045] > 0.0  # the grid's upstream chains stay; the KSG path reads them as zero
    target = ScenarioSettings.defaults(
        renovation_rate_start=0.0, renovation_rate_end=0.0, grid_emission_path="ksg_target"
    )
    zero = pathway(frame, _areas(), target).energy.groupby("year")["co2_t_per_a"].sum()
    assert zero[2045] == pytest.approx(0.0, abs=1e-9)


# --- the hand-computed three-building example -----------------------------------------------
def _three() -> tuple[pd.DataFrame, pd.DataFrame, ScenarioSettings]:
    buildings = pd.DataFrame(
        {
            "building_id": ["A", "B", "C"],
            "area_id": ["N", "D", "D"],
            "sector": ["households", "households", "commerce"],
            "carrier": ["natural_gas", "heating_oil", "electricity"],
            "heat_demand_kwh_per_a": [20_000.0, 30_000.0, 10_000.0],
            "space_heating_kwh_per_a": [16_000.0, 25_000.0, 8_000.0],
            "hot_water_kwh_per_a": [4_000.0, 5_000.0, 2_000.0],
            "age_class": ["1958-1968", "1969-1978", "2002-2009"],
            "use": ["sfh", "mfh", "sfh"],
            "heater_type": ["condensing_boiler", "boiler", "heat_pump_ground"],
            "heater_install_year": [2010, 2012, 2020],
            "final_energy_kwh_per_a": [20_000.0 / 0.9, np.nan, np.nan],
        }
    )
    settings = ScenarioSettings.defaults(
        renovation_rate_start=0.02,
        renovation_rate_end=0.02,
        spf_air=3.0,
        decentral_biomass_share=0.0,
        heat_pump_air_share=1.0,
        network_loss_share=0.1,
        network_renewable_share=((2025, 0.2), (2030, 0.3), (2045, 1.0)),
        network_biomass_share_of_renewable=0.0,
    )
    return buildings, _areas(), settings


def _hand(year: int) -> dict[str, float]:
    renovated = 1.0 - 0.98 ** (year - 2025)
    heat_a = 16_000 * (1 - renovated * (1 - 128.1 / 265.3)) + 4_000
    heat_b = 25_000 * (1 - renovated * (1 - 72.6 / 147.9)) + 5_000
    heat_c = 8_000 * (1 - renovated * (1 - 68.6 / 77.5)) + 2_000
    grid = float(_grid(np.array([year]))[0])
    district = heat_a / 0.98  # substation efficiency 0.98 (DIN V 18599-5)
    share = float(np.interp(year, [2025, 2030, 2045], [0.2, 0.3, 1.0]))
    generated = district / 0.9
    network_co2 = generated * share / 3.82 * grid + generated * (1 - share) / 1.04 * 240
    oil_or_pump = heat_b / 0.85 if year < 2032 else heat_b / 3.0
    b_factor = 310.0 if year < 2032 else grid
    electricity_c = heat_c / 4.1
    return {
        "district_heat": district,
        "oil_or_pump": oil_or_pump,
        "electricity_c": electricity_c,
        "co2_t": (network_co2 + oil_or_pump * b_factor + electricity_c * grid) / 1e6,
    }


@pytest.mark.parametrize("year", [2030, 2035])
def test_three_buildings_by_hand(year: int) -> None:
    result = pathway(*_three())
    hand = _hand(year)
    final = result.final_energy_kwh[year]
    assert result.carrier.loc["A", year] == "district_heat"
    assert final["A"] == pytest.approx(hand["district_heat"], rel=RTOL_HAND)
    assert final["B"] == pytest.approx(hand["oil_or_pump"], rel=RTOL_HAND)
    assert final["C"] == pytest.approx(hand["electricity_c"], rel=RTOL_HAND)
    total = result.energy.loc[result.energy["year"] == year, "co2_t_per_a"].sum()
    assert total == pytest.approx(hand["co2_t"], rel=1e-6)
    block = anlage2_indicators(result, years=(year,))[str(year)]
    assert block["heat_network_buildings"]["values"]["buildings"] == 1
    assert block["heat_network_buildings"]["shares"]["buildings"] == pytest.approx(1 / 3)
    assert block["gas_network_buildings"]["values"]["buildings"] == 0


def test_three_buildings_events() -> None:
    result = pathway(*_three())
    details = result.buildings.set_index("building_id")
    assert details.loc["A", "year_1"] == 2030 and details.loc["A", "system_1"] == "district_heat"
    assert details.loc["B", "year_1"] == 2032 and details.loc["B", "system_1"] == "heat_pump_air"
    assert np.isnan(details.loc["C", "year_1"]) and details.loc["C", "system_1"] == "keep"
    assert result.carrier.loc["A", 2029] == "natural_gas"
    assert result.stock.set_index("year").loc[2029, "buildings_gas_network"] == 1


# --- rules -----------------------------------------------------------------------------------
def test_wpg_minimum_shares() -> None:
    years = np.array([2025, 2030, 2039, 2040, 2045])
    np.testing.assert_allclose(required_share(years, new_network=False), [0, 0.3, 0.3, 0.8, 1.0])
    np.testing.assert_allclose(
        required_share(years, new_network=True), [0.65, 0.65, 0.65, 0.8, 1.0]
    )


def test_gas_heaters_installed_before_the_65_percent_rule_blend_biomethane() -> None:
    frame = _stock(1).assign(
        area_id="D",
        carrier="natural_gas",
        heater_type="condensing_boiler",
        heater_install_year=2024,
    )
    result = pathway(frame, _areas(), variant_settings("base"))
    energy = result.energy.pivot_table(
        index="year", columns="carrier", values="final_energy_kwh_per_a", aggfunc="sum"
    ).fillna(0.0)
    for year, share in [(2028, 0.0), (2030, 0.15), (2035, 0.30), (2040, 0.60)]:
        total = energy.loc[year, ["natural_gas", "biogas"]].sum()
        assert energy.loc[year, "biogas"] == pytest.approx(share * total, rel=RTOL_ENERGY)
    assert result.buildings["year_1"].iloc[0] == 2044  # 2024 + 20 a


def test_unknown_heater_ages_are_replaced_evenly_over_the_lifetime() -> None:
    n = 200
    frame = _stock(n).assign(
        area_id="D",
        carrier="natural_gas",
        heater_type="condensing_boiler",
        heater_install_year=np.nan,
    )
    result = pathway(frame, _areas(), variant_settings("base"))
    counts = result.buildings["year_1"].value_counts().reindex(range(2026, 2046), fill_value=0)
    assert counts.sum() == n
    assert (counts - n / 20).abs().max() <= COUNT_TOLERANCE


def test_network_mix_below_the_wpg_minimum_is_reported() -> None:
    mix = pd.DataFrame({"area_id": ["N", "N"], "year": [2025, 2045], "renewable_share": [0.1, 0.1]})
    result = pathway(_stock(), _areas(), variant_settings("base"), network_mix=mix)
    block = anlage2_indicators(result)["2030"]["grid_bound_heat_by_carrier"]
    assert "N" in block["wpg_checks"]["failing"]
    rows = result.network[(result.network["area_id"] == "N") & (result.network["year"] == 2030)]
    assert not bool(rows["meets_wpg"].iloc[0])


# --- variants --------------------------------------------------------------------------------
def test_variants_side_by_side() -> None:
    results = run_variants(_stock(), _areas())
    wide, costs = side_by_side(results)
    assert list(wide.columns) == ["base", "fast_renovation", "hydrogen"]
    demand = {name: r.heat_kwh[2045].sum() for name, r in results.items()}
    assert demand["fast_renovation"] < demand["base"]
    gas_2045 = wide.loc[(2045, "gas_network_final_energy", "hydrogen", "MWh/a")]
    assert gas_2045["hydrogen"] > 0 and gas_2045["base"] == 0
    assert (
        costs.loc["fast_renovation", "renovation_investment_eur"]
        > costs.loc["base", "renovation_investment_eur"]
    )
    assert variant_costs(results["base"])["unpriced_carriers"] == []


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="sector"), "missing column"),
        (lambda f: f.assign(carrier="peat"), "unknown carrier"),
        (lambda f: f.assign(area_id="nowhere"), "not in areas"),
        (lambda f: f.assign(heat_demand_kwh_per_a=np.nan), "heat_demand_kwh_per_a"),
        (lambda f: f.assign(heater_install_year=2030), "after base_year"),
    ],
)
def test_bad_buildings_raise(change: Callable[[pd.DataFrame], pd.DataFrame], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pathway(change(_stock(5)), _areas(), variant_settings("base"))


def test_bad_areas_and_settings_raise() -> None:
    areas = _areas().assign(area_type_2030="fernwaerme")
    with pytest.raises(ValueError, match="unknown area type"):
        pathway(_stock(5), areas, variant_settings("base"))
    with pytest.raises(ValueError, match="renovation_rate_end"):
        ScenarioSettings.defaults(renovation_rate_end=1.5)
    with pytest.raises(ValueError, match="unknown scenario variant"):
        variant_settings("slowest")


# --- costs (heatplan.scenario.costs) ----------------------------------------------------------
#: KWW Technikkatalog Wärmeplanung v1.1: house substation ~278 EUR/kW (Langreder et al. 2024)
SUBSTATION_EUR_PER_KW = 278.0
#: VDI 4640-2 full-load hours for heating incl. hot water, sizing every new heater [h/a]
FULL_LOAD_H = 2400.0
OWN = ("renovation", "heater", "connection")


def _costed(areas: pd.DataFrame | None = None) -> tuple[dict[str, Any], Any]:
    results = run_variants(_stock(), _areas() if areas is None else areas, ("base",))
    return variant_costs(results["base"], _areas() if areas is None else areas), results["base"]


def test_cost_totals_are_the_sum_of_their_parts() -> None:
    costs, _ = _costed()
    parts = sum(costs[f"{k}_investment_eur"] for k in OWN)
    assert costs["total_cost_eur"] == pytest.approx(costs["energy_cost_eur"] + parts, rel=1e-12)
    annuities = sum(costs[f"{k}_annuity_eur"] for k in OWN)
    assert costs["total_annualised_cost_eur"] == pytest.approx(
        costs["energy_cost_eur"] + annuities, rel=1e-12
    )
    assert costs["investment_eur"] == pytest.approx(
        parts + costs["network_investment_eur"], rel=1e-12
    )
    assert min(costs[f"{k}_investment_eur"] for k in OWN) > 0
    assert "heaters 2020" in costs["price_years"] and "network 2025" in costs["price_years"]


def test_new_heat_pumps_cost_what_the_area_comparison_charges() -> None:
    """The pathway prices a new air or ground heat pump with the German installed cost (EWI,
    Moritz et al. 2024) the § 18 comparison uses, not the catalogue's Danish cost."""
    from heatplan.options import installed_cost
    from heatplan.scenario.costs import heater_events

    costs, result = _costed()
    events = heater_events(result)
    expected = 0.0
    for system, option in (("heat_pump_air", "air_hp"), ("heat_pump_ground", "ground_hp")):
        load_kw = events.loc[events["system"] == system, "heat_kwh_per_a"] / FULL_LOAD_H
        expected += installed_cost.installed_investment_eur(option, load_kw.to_numpy())[0].sum()
    assert expected > 0
    assert costs["heater_investment_eur"] >= expected * (1 - 1e-9)
    assert "2023" in costs["price_years"].split("heaters ")[1].split(",")[0]


def test_connections_cost_the_catalogue_substation_of_each_connecting_building() -> None:
    from heatplan.scenario.costs import heater_events

    costs, result = _costed()
    events = heater_events(result)
    connecting = events[events["system"] == "district_heat"]
    expected = connecting["heat_kwh_per_a"].sum() / FULL_LOAD_H * SUBSTATION_EUR_PER_KW
    assert len(connecting) > 0
    assert costs["connection_investment_eur"] == pytest.approx(expected, rel=1e-9)


def test_network_pipes_of_a_stored_layout_are_built_only_in_new_network_areas() -> None:
    pipes_eur = 1_000_000.0
    areas = _areas().assign(network_investment_pipes_eur=[5e6, pipes_eur, np.nan, np.nan])
    costs, result = _costed(areas)
    reached = result.buildings.loc[result.buildings["area_id"] == "X", "reach_year"]
    assert reached.notna().all()  # the whole area is reached within the build-out
    assert costs["network_investment_eur"] == pytest.approx(pipes_eur, rel=1e-9)
    assert 0 < costs["network_annuity_eur"] < pipes_eur  # 10-20 years of a 30-year annuity


def test_heated_area_is_estimated_from_the_tabula_class_where_missing() -> None:
    """TABULA DE SFH 1958-68: q_h_nd 265.3 kWh/(m² a) -> 26,530 kWh/a heat 100 m²."""
    from heatplan.scenario.heated_area import estimate_heated_area

    frame = pd.DataFrame(
        {
            "heated_area_m2": [np.nan, 80.0, np.nan],
            "space_heating_kwh_per_a": [26_530.0, 26_530.0, np.nan],
            "use": ["sfh", "sfh", "sfh"],
            "age_class": ["1958-1968", "1958-1968", "1958-1968"],
        }
    )
    area, estimated = estimate_heated_area(frame)
    assert area[0] == pytest.approx(100.0, rel=1e-9) and area[1] == 80.0 and np.isnan(area[2])
    assert estimated.tolist() == [True, False, False]


def test_renovation_is_costed_without_any_given_heated_area() -> None:
    results = run_variants(_stock().drop(columns="heated_area_m2"), _areas(), ("base",))
    costs = variant_costs(results["base"], _areas())
    assert costs["renovation_investment_eur"] > 0
    assert any("estimated from their space heating" in n for n in results["base"].notes)


def test_without_a_stored_layout_the_pipes_run_along_the_area_streets() -> None:
    """1,500 MWh/a at 1,500 kWh/(m a) = 1,000 m of trench; Persson & Werner (2011) inner city
    C1 286 EUR/m + C2 2022 EUR/m² x 0.0703 m (DN 65), EUR 2007 x 2.0048 to EUR 2025."""
    per_m = (286.0 + 2022.0 * 0.0703) * 2.0048
    areas = _areas().assign(
        heat_demand_mwh_per_a=[900.0, 1500.0, 700.0, 800.0],
        line_density_kwh_per_m_a=[1200.0, 1500.0, 300.0, 600.0],
    )
    costs, _ = _costed(areas)
    assert costs["network_investment_eur"] == pytest.approx(1000.0 * per_m, rel=1e-3)


def test_energy_bills_follow_the_co2_price_path_by_hand() -> None:
    # the fuel of each year pays today's price plus (CO2 price - 55 EUR/t of 2025) x its priced
    # CO2 (IPCC combustion factors, t/MWh) x 1.19 (VAT); power, wood, heat carry none
    from dataclasses import replace

    priced_t_per_mwh = {"natural_gas": 0.20196, "heating_oil": 0.26676, "lpg": 0.22716}
    _, result = _costed()
    flat = replace(result, settings=replace(result.settings, co2_price_path=None))
    fuel = result.energy[result.energy["carrier"].isin(list(priced_t_per_mwh))]
    assert not set(result.energy["carrier"]) & {"hard_coal", "lignite"}  # none else priced
    surcharge = 0.0
    for row in fuel.itertuples():
        co2 = 55.0 if row.year <= 2025 else min(60.0 + 10.0 * (row.year - 2026), 150.0)
        mwh = row.final_energy_kwh_per_a / 1000.0
        surcharge += mwh * (co2 - 55.0) * priced_t_per_mwh[row.carrier] * 1.19
    assert surcharge > 0
    # gas also pays the network fee of 2025 (22 EUR/MWh net) x (volume_2025 / volume_t - 1),
    # at most 4x, with VAT; the volume is the pathway's own gas use
    import numpy as np

    gas = fuel[fuel["carrier"] == "natural_gas"].groupby("year")["final_energy_kwh_per_a"].sum()
    base = float(np.interp(2025.0, gas.index.to_numpy(float), gas.to_numpy(float)))
    fee = sum(
        kwh / 1000.0 * 22.0 * (min(base / kwh, 4.0) - 1.0) * 1.19 for kwh in gas.to_numpy(float)
    )
    assert fee > 0
    surcharge += fee
    path = variant_costs(result, _areas())["energy_cost_eur"]
    today = variant_costs(flat, _areas())["energy_cost_eur"]
    assert path - today == pytest.approx(surcharge, rel=1e-9)


# --- hydrogen and the emission factor of every carrier ----------------------------------------
#: technology_catalogue.csv electrolysis: Danish Energy Agency '86 AEC 100 MW' hydrogen output
#: per electricity input in 2040 (PyPSA technology-data costs_2040.csv), held after 2040
ELECTROLYSIS_2040 = 0.6532
#: DEA '202 Natural gas boiler' efficiency 2030 (the boiler installed in 2030 below)
BOILER_2030 = 0.98


def _gas_house_in_a_hydrogen_area() -> pd.DataFrame:
    return _stock(1).assign(
        area_id="H",
        carrier="natural_gas",
        heater_type="condensing_boiler",
        heater_install_year=2010,
        heat_demand_kwh_per_a=20_000.0,
        space_heating_kwh_per_a=16_000.0,
        hot_water_kwh_per_a=4_000.0,
    )


@pytest.mark.parametrize(
    ("year", "factor_g_per_kwh"),
    [
        (2039, 240.0),  # natural gas until the conversion (GEG Anlage 9)
        (2040, 32.0 / ELECTROLYSIS_2040),  # 49.0 g: the KEA grid projection's 2040 point
        (2045, 28.5 / ELECTROLYSIS_2040),  # 43.6 g
    ],
)
def test_hydrogen_counts_the_electrolysis_electricity_by_hand(
    year: int, factor_g_per_kwh: float
) -> None:
    settings = variant_settings("hydrogen", renovation_rate_start=0.0, renovation_rate_end=0.0)
    result = pathway(_gas_house_in_a_hydrogen_area(), _areas(), settings)
    details = result.buildings.iloc[0]
    assert details["year_1"] == 2030 and details["system_1"] == "hydrogen_ready"
    final_kwh = 20_000.0 / BOILER_2030  # no renovation: the hydrogen-ready boiler of 2030
    assert result.final_energy_kwh.iloc[0][year] == pytest.approx(final_kwh, rel=RTOL_HAND)
    energy = result.energy[result.energy["year"] == year]
    assert energy["carrier"].tolist() == ["natural_gas" if year < 2040 else "hydrogen"]
    co2_t = energy["co2_t_per_a"].sum()
    assert co2_t == pytest.approx(final_kwh * factor_g_per_kwh / 1e6, rel=RTOL_HAND)
    assert co2_t > 0.0
    ghg = anlage2_indicators(result, years=(year,))[str(year)]["ghg_emissions"]["values"]
    assert ghg["total"] == pytest.approx(co2_t, rel=RTOL_ENERGY)
    if year >= 2040:
        assert any("hydrogen counted at 49.0 g CO2e/kWh in 2040" in n for n in result.notes)


def test_a_given_hydrogen_factor_replaces_the_electrolysis_one() -> None:
    settings = variant_settings(
        "hydrogen",
        renovation_rate_start=0.0,
        renovation_rate_end=0.0,
        hydrogen_co2_g_per_kwh=100.0,
    )
    result = pathway(_gas_house_in_a_hydrogen_area(), _areas(), settings)
    co2_t = result.energy.set_index("year").loc[2045, "co2_t_per_a"]
    assert co2_t == pytest.approx(20_000.0 / BOILER_2030 * 100.0 / 1e6, rel=RTOL_HAND)
    with pytest.raises(ValueError, match="hydrogen_co2_g_per_kwh"):
        variant_settings("hydrogen", hydrogen_co2_g_per_kwh=-1.0)


def test_a_carrier_without_a_factor_is_an_error_not_a_zero() -> None:
    frame = _stock(20).assign(carrier="unknown")
    settings = variant_settings("base", unknown_carrier="unknown")  # carriers.csv: no factor
    with pytest.raises(ValueError, match="no emission factor for carrier"):
        pathway(frame, _areas(), settings)


@pytest.mark.parametrize("name", ["base", "fast_renovation", "hydrogen"])
def test_every_carrier_of_every_variant_carries_its_factor(name: str) -> None:
    """No carrier is summed as zero: CO2 / final energy is each carrier's sourced factor."""
    result = pathway(_stock(), _areas(), variant_settings(name))
    energy = result.energy[result.energy["final_energy_kwh_per_a"] > 0]
    geg = {"natural_gas": 240.0, "heating_oil": 310.0, "wood": 20.0, "biogas": 140.0}
    electrolysis = np.interp(energy["year"], [2025, 2030, 2040], [0.5874, 0.6217, 0.6532])
    grid = _grid(energy["year"].to_numpy(float))
    expected = energy["carrier"].map(geg).to_numpy(float)
    expected = np.where(energy["carrier"] == "electricity", grid, expected)
    expected = np.where(energy["carrier"] == "hydrogen", grid / electrolysis, expected)
    factor = energy["co2_t_per_a"] * 1e6 / energy["final_energy_kwh_per_a"]
    fixed = energy["carrier"] != "district_heat"  # the network's mix: the three-building test
    np.testing.assert_allclose(factor[fixed], expected[fixed], rtol=RTOL_ENERGY)
    assert (factor > 0).all()
    if name == "hydrogen":
        assert (energy["carrier"] == "hydrogen").any()


def test_the_report_states_the_hydrogen_factor_it_counted() -> None:
    from heatplan.report.fmt import number
    from heatplan.report.scenario import hydrogen_basis_de, scenario_section

    text = hydrogen_basis_de([2040, 2045])
    # 32 / 0.6532 and 28.5 / 0.6532 g CO2e/kWh, German decimal comma
    assert "2040: 49,0, 2045: 43,6 g CO2e/kWh" in text and "2040: 0,65" in text
    assert "kein grüner Wasserstoff" not in text
    early = hydrogen_basis_de([2030, 2040])  # 270 / 0.6217 = 434.3 g > 101.52 g (RED II)
    assert "2030: 434,3, 2040: 49,0 g" in early
    assert "In 2030 über den 101,5 g CO2e/kWh" in early and "kein grüner Wasserstoff" in early
    results = run_variants(_stock(), _areas())
    table = pd.concat(
        [indicator_table(anlage2_indicators(r), variant=n) for n, r in results.items()],
        ignore_index=True,
    )
    section = scenario_section(table, None, base_by_carrier=None, base_ghg_t=None, base_year=2025)
    assert section["hydrogen_basis"] == hydrogen_basis_de([2040, 2045])
    assert section["cites"] == ["DEA_RenewableFuels", "PyPSATechData"]
    rows = section["variants"].rows
    first = [row[0] for row in rows].index("Variante Wasserstoffnetz")
    ghg_row = rows[first + 1]
    assert ghg_row[1] == "THG [t CO2e/a]"
    hydrogen_t = results["hydrogen"].energy.groupby("year")["co2_t_per_a"].sum()
    assert hydrogen_t[2045] > 0
    assert ghg_row[2:] == [number(hydrogen_t[y]) for y in INDICATOR_YEARS]
    base_only = table[table["variant"] == "base"]
    section = scenario_section(
        base_only, None, base_by_carrier=None, base_ghg_t=None, base_year=2025
    )
    assert "hydrogen_basis" not in section and section["cites"] == []


def test_hydrogen_from_a_fossil_grid_is_flagged_as_not_green() -> None:
    # 2030: 270 g (KEA grid projection) / 0.6217 (DEA electrolysis 2030) = 434.3 g CO2e/kWh;
    # 2038: (270 - 0.8 x 238) / (0.6217 + 0.8 x 0.0315) = 79.6 / 0.6469 = 123.0 g, above
    # 0.3 x 94 g/MJ x 3.6 = 101.52 g (RED II Art. 25 (2)); 2039: 55.8 / 0.6501 = 85.8 g, below
    early = variant_settings("hydrogen", hydrogen_from_year=2030)
    result = pathway(_gas_house_in_a_hydrogen_area(), _areas(), early)
    assert any("hydrogen counted at 434.3 g CO2e/kWh in 2030" in n for n in result.notes)
    flagged = [n for n in result.notes if "not green hydrogen" in n]
    assert len(flagged) == 1 and "hydrogen in 2030-2038 is above the 101.5 g" in flagged[0]
    late = pathway(_gas_house_in_a_hydrogen_area(), _areas(), variant_settings("hydrogen"))
    assert not [n for n in late.notes if "not green hydrogen" in n]

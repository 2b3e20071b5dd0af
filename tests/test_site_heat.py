"""Heat, cold and EV charging in the site LP (heatplan.site): balances in every step against the
COP/EER series, hand-computed optima, smart charging within the sessions, § 14a EnWG module 2,
and clear messages for bad inputs (sessions, German clock changes, meter headers)."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from heatplan.site.inputs import Site, SiteInputError, read_meter_rows, read_site
from heatplan.site.loads import chiller_eer, heat_pump_cop, read_sessions
from heatplan.site.optimize import Charging, Dispatch, HeatCold, SiteProblem, optimize
from heatplan.site.study import charging_model, heat_cold_model, uncontrolled_charging_kw
from heatplan.site.tariffs import GridTariff, grid_tariff, heat_costs, site_costs

DATA = Path(__file__).parent / "data" / "site"
DT_H = 0.25
WEEK = 7 * 96
#: A January week (Monday 6 January 2025): heating season, working days and a weekend.
START = 5 * 96
BALANCE_TOL_KW = 1e-5
HAND_RTOL = 1e-6


@cache
def _site() -> Site:
    return read_site(DATA / "site_heat.toml")


def _week(heat: HeatCold) -> HeatCold:
    part = slice(START, START + WEEK)
    return dataclasses.replace(
        heat,
        heat_kw=heat.heat_kw[part],
        cold_kw=heat.cold_kw[part],
        heat_pump_cop=heat.heat_pump_cop[part],
        chiller_eer=heat.chiller_eer[part],
    )


def _week_charging(site: Site) -> Charging:
    ev = charging_model(site)
    assert ev is not None
    inside = (ev.start >= START) & (ev.end <= START + WEEK)
    return Charging(
        ev.start[inside] - START, ev.end[inside] - START, ev.energy_kwh[inside], ev.power_kw[inside]
    )


def _solve(
    heat: HeatCold | None, ev: Charging | None, tariff: GridTariff, **kw: object
) -> Dispatch:
    site = _site()
    load = site.load_kw[START : START + WEEK]
    options = {"max_pv_kwp": 0.0, "battery_allowed": False, **kw}
    problem = SiteProblem(load, np.zeros(WEEK), tariff, site_costs(), heat=heat, charging=ev,
                          **options)  # type: ignore[arg-type]  # fmt: skip
    result = optimize(problem)
    assert result is not None
    return result


def test_the_heat_site_reads_standard_profiles_and_the_fleet() -> None:
    site = _site()
    assert site.heat is not None and site.ev is not None
    assert site.heat.heat_kw.sum() * DT_H == pytest.approx(300_000.0, rel=1e-9)
    assert site.heat.cold_kw.sum() * DT_H == pytest.approx(100_000.0, rel=1e-9)
    # 6 vans x 261 working days of 2025 (Mon-Fri), 30 kWh at the battery / 0.92 from the grid
    assert site.ev.start.size == 6 * 261
    assert site.ev.energy_kwh[0] == pytest.approx(30.0 / 0.92)
    assert site.heat.network_eur_per_kwh == pytest.approx(0.095)


def test_cop_and_eer_follow_the_lorenz_model_and_the_air() -> None:
    costs = heat_costs()
    cold_air, warm_air = np.array([-10.0]), np.array([30.0])
    # Lorenz: sink 40->55 °C, source air -10 -> -15 °C, eta 0.5 (site_costs.csv)
    t_sink = (55.0 - 40.0) / np.log((55.0 + 273.15) / (40.0 + 273.15))
    t_src = 5.0 / np.log((-10.0 + 273.15) / (-15.0 + 273.15))
    hand = 0.5 * t_sink / (t_sink - t_src)
    assert heat_pump_cop(cold_air, 55.0, 40.0, costs)[0] == pytest.approx(hand, rel=1e-9)
    assert (
        heat_pump_cop(warm_air, 55.0, 40.0, costs)[0]
        > heat_pump_cop(cold_air, 55.0, 40.0, costs)[0]
    )
    # cold side 12 -> 6 °C, condenser air 30 -> 40 °C: EER = eta T_c / (T_h - T_c)
    t_c = 6.0 / np.log((12.0 + 273.15) / (6.0 + 273.15))
    t_h = 10.0 / np.log((40.0 + 273.15) / (30.0 + 273.15))
    assert chiller_eer(warm_air, 6.0, 12.0, costs)[0] == pytest.approx(
        0.5 * t_c / (t_h - t_c), rel=1e-9
    )
    # below the minimum condensing air (20 °C) the EER stays at its 20 °C value
    assert chiller_eer(np.array([-5.0]), 6.0, 12.0, costs)[0] == pytest.approx(
        chiller_eer(np.array([20.0]), 6.0, 12.0, costs)[0], rel=1e-12
    )


def test_heat_cold_and_charging_balance_in_every_step() -> None:
    site = _site()
    heat = _week(heat_cold_model(site, heat_costs()))  # type: ignore[arg-type]
    ev = _week_charging(site)
    result = _solve(heat, ev, grid_tariff("from_2500_h"), max_pv_kwp=120.0, battery_allowed=True)
    s = result.series
    produced = (
        s["heat_pump_el_kw"] * heat.heat_pump_cop + s["boiler_heat_kw"] + s["network_heat_kw"]
        - s["store_in_kw"] + s["store_out_kw"]
    )  # fmt: skip
    np.testing.assert_allclose(produced, heat.heat_kw, atol=BALANCE_TOL_KW)
    np.testing.assert_allclose(s["chiller_el_kw"] * heat.chiller_eer, heat.cold_kw, atol=1e-6)
    keep = 1.0 - heat.store_loss_per_h * DT_H
    store = np.roll(s["store_content_kwh"], 1) * keep + DT_H * (
        s["store_in_kw"] - s["store_out_kw"]
    )
    np.testing.assert_allclose(s["store_content_kwh"], store, atol=BALANCE_TOL_KW)
    electricity = (
        s["import_kw"] - s["export_kw"] + s["pv_used_kw"] - s["charge_kw"] + s["discharge_kw"]
        - s["heat_pump_el_kw"] - s["chiller_el_kw"] - s["ev_kw"]
    )  # fmt: skip
    np.testing.assert_allclose(electricity, site.load_kw[START : START + WEEK], atol=BALANCE_TOL_KW)
    sizes = result.sizes
    assert (s["heat_pump_el_kw"] * heat.heat_pump_cop <= sizes["heat_pump_kw"] + 1e-6).all()
    assert sizes["chiller_kw"] == pytest.approx(float((heat.cold_kw).max()), rel=1e-6)
    assert result.simultaneous_steps == 0
    # every session gets its energy, never faster than its charger
    assert s["ev_kw"].sum() * DT_H == pytest.approx(ev.energy_kwh.sum(), rel=1e-9)
    assert s["ev_kw"].max() <= ev.power_kw.sum() + 1e-6


def test_network_or_boiler_whichever_the_hand_calculation_finds_cheaper() -> None:
    """Flat 100 kW heat, no heat pump or store: the LP takes the cheaper of boiler and network."""
    base = _week(heat_cold_model(_site(), heat_costs()))  # type: ignore[arg-type]
    flat = np.full(WEEK, 100.0)
    tariff = GridTariff("test", 0.2, 0.0, 0.0)
    energy_kwh_per_a = 100.0 * 8760.0
    for network_price in (0.05, 0.09):
        heat = dataclasses.replace(
            base, heat_kw=flat, cold_kw=np.zeros(WEEK), heat_pump_allowed=False,
            store_allowed=False, network_eur_per_kwh=network_price,
        )  # fmt: skip
        result = _solve(heat, None, tariff)
        boiler = (
            100.0 * heat.boiler_eur_per_kw_a
            + energy_kwh_per_a * heat.fuel_eur_per_kwh / heat.boiler_efficiency
        )
        network = 100.0 * heat.network_eur_per_kw_a + energy_kwh_per_a * network_price
        grid = result.cost_terms_eur_per_a["import_kw"] + result.cost_terms_eur_per_a["chiller_kw"]
        assert result.annual_cost_eur_per_a - grid == pytest.approx(
            min(boiler, network), rel=HAND_RTOL
        )
        assert (result.sizes["network_kw"] > 0) == (network < boiler)


def test_a_free_heat_pump_and_store_are_taken_and_replace_the_boiler() -> None:
    """A zero-cost option is taken up to its limit: a free heat pump with COP > fuel/price ratio
    covers all heat, the free boiler is not used."""
    base = _week(heat_cold_model(_site(), heat_costs()))  # type: ignore[arg-type]
    heat = dataclasses.replace(base, heat_pump_eur_per_kw_a=0.0, network_eur_per_kwh=None)
    tariff = GridTariff("test", 0.05, 0.0, 0.0)  # cheap power: heat pump heat < 0.05/2.5 EUR/kWh
    result = _solve(heat, None, tariff)
    assert result.series["boiler_heat_kw"].sum() == pytest.approx(0.0, abs=1e-6)
    assert result.sizes["boiler_kw"] == pytest.approx(0.0, abs=1e-6)


def test_smart_charging_lowers_the_peak_below_uncontrolled_charging() -> None:
    site = _site()
    night = _week_charging(site)
    # the vans come back at 12:00 instead of 17:00: charging at once would add to the noon peak
    ev = dataclasses.replace(night, start=night.start - 5 * 4)
    tariff = grid_tariff("from_2500_h")
    result = _solve(None, ev, tariff)
    load = site.load_kw[START : START + WEEK]
    dumb = load + uncontrolled_charging_kw(ev, WEEK)
    assert uncontrolled_charging_kw(ev, WEEK).sum() * DT_H == pytest.approx(ev.energy_kwh.sum())
    assert result.sizes["peak_kw"] < dumb.max() - 1.0
    assert result.sizes["peak_kw"] >= load.max() - 1e-6


def test_paragraph_14a_module_2_lowers_the_cost_by_the_reduction_on_every_charged_kwh() -> None:
    site = _site()
    ev = _week_charging(site)
    plain = _solve(None, ev, grid_tariff("from_2500_h"))
    reduced_tariff = grid_tariff("from_2500_h", enwg_14a_module_2=True)
    reduced = _solve(None, ev, reduced_tariff)
    # 60 % of the 12 EUR/MWh grid energy price (site_tariffs.csv) on the week's kWh scaled to a year
    kwh_per_a = ev.energy_kwh.sum() * 8760.0 / (WEEK * DT_H)
    assert reduced_tariff.controllable_reduction_eur_per_kwh == pytest.approx(0.6 * 0.012)
    assert plain.annual_cost_eur_per_a - reduced.annual_cost_eur_per_a == pytest.approx(
        0.6 * 0.012 * kwh_per_a, rel=1e-6
    )


def test_sessions_read_german_times_and_numbers() -> None:
    ev = read_sessions(DATA / "sessions_sample.csv", 2025, 11.0)
    assert list(ev.start) == [5 * 96 + 17 * 4, 5 * 96 + 18 * 4 + 1]
    assert list(ev.end) == [6 * 96 + 7 * 4, 6 * 96 + 6 * 4 + 2]
    assert list(ev.energy_kwh) == [32.5, 40.0]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("06.01.2025 17:00;06.01.2025 16:00;10,0;LP1", "row 2, field 'Abfahrt'.*not after"),
        ("06.01.2025 17:00;07.01.2025 07:00;1.020,0;LP1", "row 2, field 'kWh'.*1020 kWh cannot"),
        ("06.01.2025 17:00;07.01.2025 07:00;viel;LP1", "row 2, field 'kWh'.*not a number"),
        ("6.1.25 17h;07.01.2025 07:00;10,0;LP1", "row 2, field 'Ankunft'"),
        (
            "06.01.2025 17:00;07.01.2025 07:00;10,0;LP1\n06.01.2025 20:00;06.01.2025 22:00;5;LP1",
            "row 3, field 'Ladepunkt'.*'LP1' is already in use by row 2",
        ),
    ],
)
def test_bad_sessions_name_file_row_and_field(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text("Ankunft;Abfahrt;kWh;Ladepunkt\n" + row + "\n", encoding="utf-8")
    with pytest.raises(SiteInputError, match=message) as error:
        read_sessions(path, 2025, 11.0)
    assert "sessions.csv" in str(error.value)


def _meter(tmp_path: Path, rows: list[str], header: str = "Datum;Uhrzeit;Wirkleistung kW") -> Path:
    path = tmp_path / "meter.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_summer_time_shift_is_named(tmp_path: Path) -> None:
    rows = ["30.03.2025;01:30;5,0", "30.03.2025;01:45;5,0", "30.03.2025;03:00;5,0"]
    with pytest.raises(SiteInputError, match=r"row 4.*gap: 75 min.*summer time.*23-hour day"):
        read_meter_rows(_meter(tmp_path, rows))


def test_the_winter_time_shift_is_named(tmp_path: Path) -> None:
    rows = ["26.10.2025;02:30;5,0", "26.10.2025;02:45;5,0", "26.10.2025;02:00;5,0"]
    with pytest.raises(SiteInputError, match=r"row 4.*duplicate.*winter time.*25-hour day"):
        read_meter_rows(_meter(tmp_path, rows))


def test_kw_and_kwh_columns_together_or_unknown_are_refused(tmp_path: Path) -> None:
    both = _meter(
        tmp_path, ["01.01.2025;00:00;1,0;0,25"], "Datum;Uhrzeit;Wirkleistung kW;Energie kWh"
    )
    with pytest.raises(SiteInputError, match=r"header.*exactly one value column.*kWh = kW / 4"):
        read_meter_rows(both)
    unknown = _meter(tmp_path, ["01.01.2025;00:00;1,0"], "Datum;Uhrzeit;Leistung kWh")
    with pytest.raises(SiteInputError, match=r"found \['Leistung kWh'\]"):
        read_meter_rows(unknown)


def test_a_heat_meter_in_kwh_becomes_kw(tmp_path: Path) -> None:
    path = _meter(
        tmp_path, ["01.01.2025;00:00;12,5", "01.01.2025;00:15;1.000,0"], "Datum;Uhrzeit;Wärme kWh"
    )
    assert list(read_meter_rows(path)[1]) == [50.0, 4000.0]


def test_a_bad_heat_section_names_the_field(tmp_path: Path) -> None:
    text = (DATA / "site_heat.toml").read_text(encoding="utf-8")
    path = tmp_path / "site.toml"
    path.write_text(text.replace("annual_kwh = 300000", "annual_kwh = -3"), encoding="utf-8")
    with pytest.raises(SiteInputError, match=r"site.toml: \[heat\] annual_kwh"):
        read_site(path)
    path.write_text(text.replace('arrive = "17:00"', 'arrive = "abends"'), encoding="utf-8")
    with pytest.raises(SiteInputError, match=r"\[ev\] arrive"):
        read_site(path)


def _plan_with_areas(tmp_path: Path) -> Path:
    import geopandas as gpd
    from shapely.geometry import box

    from heatplan.project.create import create_project
    from heatplan.project.store import open_store

    project = tmp_path / "town"
    create_project(project, "Schutterwald", "08317122")
    areas = gpd.GeoDataFrame(
        {
            "area_id": ["A1", "A2"],
            "network_lcoh_economic_eur_per_mwh": [88.5, float("nan")],
            "network_lcoh_owner_eur_per_mwh": [97.2, float("nan")],
        },
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
        crs="EPSG:25832",
    )
    with open_store(str(project / "plan.gpkg")).transaction(step="test areas") as writer:
        writer.write("areas", areas)
    return project


def test_the_network_price_comes_from_the_plan_area(tmp_path: Path) -> None:
    from heatplan.site.loads import network_price

    _plan_with_areas(tmp_path)
    site_file = tmp_path / "site.toml"
    price, source = network_price({"plan": "town", "area": "A1"}, site_file)
    # the owner perspective (with BEW funding), net of the 19 % VAT a company deducts
    assert price == pytest.approx(0.0972 / 1.19)
    assert "area A1" in source and "owner perspective" in source and "UStG § 15" in source
    price, source = network_price(
        {"plan": "town", "area": "A1", "perspective": "economic"}, site_file
    )
    assert price == pytest.approx(0.0885)
    assert "network_lcoh_economic_eur_per_mwh" in source
    with pytest.raises(SiteInputError, match=r"\[heat\] perspective.*'gross'"):
        network_price({"plan": "town", "area": "A1", "perspective": "gross"}, site_file)
    with pytest.raises(
        SiteInputError, match=r"site.toml: \[heat\] area.*'A2' has no network price"
    ):
        network_price({"plan": "town", "area": "A2"}, site_file)
    with pytest.raises(SiteInputError, match=r"\[heat\] plan.*cannot read"):
        network_price({"plan": "nowhere", "area": "A1"}, site_file)


def test_site_and_quarter_read_the_area_price_through_one_reader(tmp_path: Path) -> None:
    """heatplan.plan.prices is the one reader: the quarter gets the same owner price as the
    site, and the same economic one when asked."""
    from heatplan.plan import Plan
    from heatplan.plan.prices import AreaPriceError, area_network_price_eur_per_mwh
    from heatplan.quarter.inputs import QuarterInputError, network_price_from_plan

    project = _plan_with_areas(tmp_path)
    plan = Plan.from_project(project, frames=["areas"])
    assert area_network_price_eur_per_mwh(plan, "A1") == pytest.approx(97.2)
    assert area_network_price_eur_per_mwh(plan, "A1", "economic") == pytest.approx(88.5)
    assert network_price_from_plan(project, "A1") == pytest.approx(97.2)
    assert network_price_from_plan(project, "A1", "economic") == pytest.approx(88.5)
    with pytest.raises(AreaPriceError, match=r"no area 'A9'; areas: A1, A2"):
        area_network_price_eur_per_mwh(plan, "A9")
    with pytest.raises(QuarterInputError, match=r"'A2' has no network price"):
        network_price_from_plan(project, "A2")


def test_today_is_grid_power_and_a_gas_boiler_by_hand() -> None:
    """The 'before' case of a study: load, chiller and full-power charging from the grid, all heat
    from a gas boiler sized to the peak heat."""
    from heatplan.site.study import _before

    site = _site()
    heat = heat_cold_model(site, heat_costs())
    ev = charging_model(site)
    assert heat is not None and ev is not None
    tariffs = [grid_tariff(case) for case in ("below_2500_h", "from_2500_h")]
    imports, tariff, bill, heat_cost, gas_kwh = _before(site, heat, ev, tariffs)
    expected = site.load_kw + heat.cold_kw / heat.chiller_eer + uncontrolled_charging_kw(ev, 35040)
    np.testing.assert_allclose(imports, expected, rtol=1e-12)
    assert gas_kwh == pytest.approx(300_000.0 / heat.boiler_efficiency, rel=1e-9)
    hand = (
        gas_kwh * heat.fuel_eur_per_kwh
        + heat.heat_kw.max() * heat.boiler_eur_per_kw_a
        + heat.cold_kw.max() * heat.chiller_eur_per_kw_a
    )
    assert heat_cost == pytest.approx(hand, rel=1e-12)
    bills = [
        imports.sum() * DT_H * t.import_eur_per_kwh + imports.max() * t.demand_eur_per_kw_a
        for t in tariffs
    ]
    assert bill == pytest.approx(min(bills), rel=1e-12)
    assert tariff.case == tariffs[int(np.argmin(bills))].case


def test_the_cli_summary_reads_without_pv_or_payback() -> None:
    from heatplan.cli.site import summary_lines

    result = {
        "site": "Werk, Nord", "sizes": {"pv_kwp": 0.0, "heat_pump_kw": 1234.5},
        "simple_payback_a": None, "investment_eur": 1.0e5,
        "annual_cost_before_eur_per_a": 2.0e5, "annual_cost_after_eur_per_a": 1.5e5,
        "savings_eur_per_a": 5.0e4, "peak_before_kw": 100.0, "peak_after_kw": 90.0,
        "self_sufficiency": 0.0, "self_consumption": None, "co2_before_t_per_a": 10.0,
        "co2_after_t_per_a": 5.0,
        "solver": {
            "method": "simplex", "status": ["Optimal"], "solve_time_s": [1.5], "mip_gap": 0.0,
        },
    }  # fmt: skip
    lines = summary_lines(result)
    assert lines[0] == "Werk, Nord: PV 0.0 kWp, heat pump 1,234.5 kW"
    assert "payback -" in lines[1] and "self-consumption -" in lines[2]
    assert lines[3] == "Solver simplex: Optimal, solve 1.5 s, gap 0"

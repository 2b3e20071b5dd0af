"""The site LP (heatplan.site): a hand-computed peak-shaving optimum, energy balances in every
step, properties of the sizes, and clear messages for bad meter data and site files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from heatplan.site.inputs import SiteInputError, read_meter_csv, read_meter_rows, read_site
from heatplan.site.optimize import Dispatch, SiteProblem, optimize
from heatplan.site.tariffs import Costs, GridTariff, site_costs

DATA = Path(__file__).parent / "data" / "site"
DT_H = 0.25
#: One week of quarter hours: short enough for a fast test, scaled to a year by the LP.
WEEK = 7 * 96
#: HiGHS primal feasibility tolerance is 1e-7; sums of a few terms stay well inside this.
BALANCE_TOL_KW = 1e-5
#: Relative tolerance of an LP optimum against the hand-computed vertex.
HAND_RTOL = 1e-6


def _costs(battery_eur_per_kwh_a: float) -> Costs:
    return dataclasses.replace(
        site_costs(),
        battery_eur_per_kwh_a=battery_eur_per_kwh_a,
        battery_eur_per_kw_a=0.0,
        charge_efficiency=0.95,
        discharge_efficiency=0.9,
        max_c_rate_per_h=1.0,
    )


def _spike_case(demand_eur_per_kw_a: float) -> tuple[Dispatch, dict[str, float]]:
    """Flat 100 kW with one 15-minute spike to 200 kW, no PV; the hand optimum of a battery."""
    base, spike, price, c_e = 100.0, 100.0, 0.20, 50.0
    eta_c, eta_d, c_rate = 0.95, 0.9, 1.0
    load = np.full(WEEK, base)
    load[300] += spike
    tariff = GridTariff("test", price, demand_eur_per_kw_a, 0.0)
    result = optimize(
        SiteProblem(load, np.zeros(WEEK), tariff, _costs(c_e), max_pv_kwp=0.0, battery_allowed=True)
    )
    scale = 8760.0 / (WEEK * DT_H)
    # shaving x kW at the spike costs c_e / c_rate per kW (the 1C limit sizes the battery, not the
    # x * dt / eta_d kWh drawn) plus the losses of recharging, bought at the energy price
    breakeven = c_e / c_rate + price * scale * DT_H * (1.0 / (eta_c * eta_d) - 1.0)
    # recharging the x * dt / eta_d kWh over the other steps lifts them by
    # r = x / (eta_c eta_d (T-1));
    # full shaving stops where the spike and the lifted steps meet
    x = spike / (1.0 + 1.0 / (eta_c * eta_d * (WEEK - 1)))
    hand = {
        "breakeven": breakeven,
        "x": x,
        "price": price,
        "scale": scale,
        "c_e": c_e,
        "energy_kwh": load.sum() * DT_H,
        "loss": 1.0 / (eta_c * eta_d) - 1.0,
    }
    return result, hand


def test_battery_shaves_the_spike_exactly_when_the_demand_charge_beats_the_hand_breakeven() -> None:
    _, hand = _spike_case(0.0)
    above, _ = _spike_case(hand["breakeven"] * 1.2)
    x = hand["x"]
    assert above.sizes["peak_kw"] == pytest.approx(200.0 - x, rel=HAND_RTOL)
    assert above.sizes["battery_kw"] == pytest.approx(x, rel=HAND_RTOL)
    assert above.sizes["battery_kwh"] == pytest.approx(x, rel=HAND_RTOL)  # 1C: 1 kWh per kW
    losses_kwh = x * DT_H * hand["loss"]
    cost = (
        hand["price"] * hand["scale"] * (hand["energy_kwh"] + losses_kwh)
        + hand["breakeven"] * 1.2 * (200.0 - x)
        + hand["c_e"] * x
    )
    assert above.annual_cost_eur_per_a == pytest.approx(cost, rel=HAND_RTOL)
    below, _ = _spike_case(hand["breakeven"] * 0.8)
    assert below.sizes["battery_kwh"] == pytest.approx(0.0, abs=1e-6)
    assert below.sizes["peak_kw"] == pytest.approx(200.0, rel=HAND_RTOL)


def _pv_case(
    *,
    max_pv_kwp: float,
    battery: bool,
    price: float = 0.25,
    demand: float = 100.0,
    feed_in: float = 0.06,
) -> tuple[np.ndarray, np.ndarray, Dispatch]:
    rng = np.random.default_rng(7)
    hours = np.arange(WEEK) * DT_H
    load = 40.0 + 20.0 * rng.random(WEEK) + 30.0 * ((hours % 24 > 7) & (hours % 24 < 17))
    # about 1,000 kWh/kWp a year: 0.7 kW/kWp at noon, sin² over 6-18 h
    pv = np.clip(np.sin((hours % 24 - 6.0) / 12.0 * np.pi), 0.0, None) ** 2 * 0.7
    tariff = GridTariff("test", price, demand, feed_in)
    return (
        load,
        pv,
        optimize(
            SiteProblem(
                load, pv, tariff, site_costs(), max_pv_kwp=max_pv_kwp, battery_allowed=battery
            )
        ),
    )


def test_energy_balances_hold_in_every_step() -> None:
    load, pv, result = _pv_case(max_pv_kwp=80.0, battery=True)
    s, sizes = result.series, result.sizes
    balance = s["import_kw"] - s["export_kw"] + s["pv_used_kw"] - s["charge_kw"] + s["discharge_kw"]
    np.testing.assert_allclose(balance, load, atol=BALANCE_TOL_KW)
    soc_change = (
        np.roll(s["soc_kwh"], 1) + 0.95 * DT_H * s["charge_kw"] - DT_H / 0.95 * s["discharge_kw"]
    )
    costs = site_costs()
    assert (costs.charge_efficiency, costs.discharge_efficiency) == (0.95, 0.95)
    np.testing.assert_allclose(s["soc_kwh"], soc_change, atol=BALANCE_TOL_KW)
    assert (s["pv_used_kw"] <= pv * sizes["pv_kwp"] + BALANCE_TOL_KW).all()
    assert (s["export_kw"] <= s["pv_used_kw"] + BALANCE_TOL_KW).all()
    assert (s["import_kw"] <= sizes["peak_kw"] + BALANCE_TOL_KW).all()
    assert (s["soc_kwh"] <= sizes["battery_kwh"] + BALANCE_TOL_KW).all()
    assert result.status == "Optimal"
    assert result.simultaneous_steps == 0


def test_pv_never_exceeds_the_roof_and_grows_with_the_electricity_price() -> None:
    # no feed-in: PV pays only through the import it saves, so its size follows the price
    *_, cheap = _pv_case(max_pv_kwp=500.0, battery=False, price=0.10, feed_in=0.0)
    *_, dear = _pv_case(max_pv_kwp=500.0, battery=False, price=0.30, feed_in=0.0)
    *_, roof = _pv_case(max_pv_kwp=10.0, battery=False, price=0.30, feed_in=0.0)
    assert roof.sizes["pv_kwp"] <= 10.0 + 1e-9
    assert dear.sizes["pv_kwp"] > cheap.sizes["pv_kwp"]


def test_allowing_a_battery_never_raises_the_peak_or_the_cost() -> None:
    *_, without = _pv_case(max_pv_kwp=0.0, battery=False, demand=200.0)
    *_, with_battery = _pv_case(max_pv_kwp=0.0, battery=True, demand=200.0)
    assert with_battery.sizes["peak_kw"] < without.sizes["peak_kw"]
    assert with_battery.annual_cost_eur_per_a <= without.annual_cost_eur_per_a


def test_the_meter_sample_reads_with_decimal_commas_and_thousands_dots() -> None:
    index, load_kw = read_meter_rows(DATA / "meter_sample.csv")
    assert list(load_kw) == [12.4, 11.9, 1012.0, 12.1]
    assert index[1].minute == 15


def _meter(tmp_path: Path, rows: list[str], column: str = "Wirkleistung kW") -> Path:
    path = tmp_path / "meter.csv"
    path.write_text(f"Datum;Uhrzeit;{column}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["01.01.2025;00:00;1,0", "01.01.2025;00:30;1,0"], "row 3.*gap"),
        (["01.01.2025;00:00;1,0", "01.01.2025;00:00;1,0"], "row 3.*duplicate"),
        (["01.01.2025;00:00;1,0", "01.01.2025;00:15;-2,0"], "row 3.*negative"),
        (["01.01.2025;00:00;1,0", "01.01.2025;00:15;zwei"], "row 3.*'Wirkleistung kW'.*number"),
        (["01.01.2025;00:00;1,0", "32.01.2025;00:15;1,0"], "row 3.*Datum"),
    ],
)
def test_bad_meter_rows_name_file_row_and_field(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    with pytest.raises(SiteInputError, match=message) as error:
        read_meter_rows(_meter(tmp_path, rows))
    assert "meter.csv" in str(error.value)


def test_kwh_per_quarter_hour_becomes_kw_and_a_part_year_is_refused(tmp_path: Path) -> None:
    path = _meter(tmp_path, ["01.01.2025;00:00;2,5", "01.01.2025;00:15;3,0"], "Energie kWh")
    assert list(read_meter_rows(path)[1]) == [10.0, 12.0]
    with pytest.raises(SiteInputError, match=r"full year.*35040 rows"):
        read_meter_csv(path)


def test_the_sample_site_reads_with_the_bdew_profile_and_roof_limit() -> None:
    site = read_site(DATA / "site_sample.toml", m2_per_kwp=5.0)
    assert site.load_kw.size == 35040
    assert site.load_kw.sum() * DT_H == pytest.approx(250_000.0, rel=1e-9)
    assert site.max_pv_kwp == pytest.approx(120.0)
    assert site.battery_allowed


def test_a_bad_site_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nlat = "north"\nlon = 11.0\n[load]\nprofile = "G1"\nannual_kwh = 1\n')
    with pytest.raises(SiteInputError, match=r"site.toml: \[site\] lat"):
        read_site(path)
    path.write_text('[site]\nlat = 50.0\nlon = 11.0\n[load]\nprofile = "X9"\nannual_kwh = 1\n')
    with pytest.raises(SiteInputError, match=r"\[load\] profile.*X9"):
        read_site(path)


def test_the_quarter_hour_pv_yield_sums_to_the_annual_yield_of_potentials_solar() -> None:
    from heatplan.potentials.solar import pv_study
    from heatplan.site.study import pv_kw_per_kwp

    site = read_site(DATA / "site_sample.toml")
    yield_kw = pv_kw_per_kwp(site, 35040)
    reference = pv_study(kwp=1.0, tilt=30.0, azimuth=180.0, lat=site.lat, lon=site.lon)
    # pv_study rounds to 0.1 kWh/kWp
    assert yield_kw.sum() * DT_H == pytest.approx(reference["yield_kwh_per_kwp"], abs=0.05)
    leap = pv_kw_per_kwp(site, 35136)
    np.testing.assert_array_equal(leap[58 * 96 : 59 * 96], leap[59 * 96 : 60 * 96])


def test_the_two_grid_fee_pairs_cost_the_same_at_the_switch() -> None:
    """StromNEV Anlage 4: the pairs meet at 2,500 h, so the bill is the cheaper pair (study)."""
    from heatplan.site.tariffs import grid_tariff, utilisation_switch_h_per_a

    hours = utilisation_switch_h_per_a()
    below, above = grid_tariff("below_2500_h"), grid_tariff("from_2500_h")
    at_switch = [t.import_eur_per_kwh * hours + t.demand_eur_per_kw_a for t in (below, above)]
    assert at_switch[0] == pytest.approx(at_switch[1], rel=1e-12)
    assert below.demand_eur_per_kw_a < above.demand_eur_per_kw_a


def test_site_plan_reports_a_bad_file_as_one_json_error(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from heatplan.cli import app

    path = tmp_path / "site.toml"
    path.write_text("[site]\nlat = 50.0\nlon = 11.0\n[load]\nannual_kwh = 1000\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["site", "plan", str(path), "--json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert "site.toml" in error and "[load]" in error

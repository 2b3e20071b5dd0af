"""The quarter study end to end: bad inputs give one clear message and exit 1, the public summary
holds no single apartment's meter values, the heat pump and rent levy against hand values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.quarter.heat import hourly_heat_kw, run_heat_pump
from heatplan.quarter.inputs import QuarterInputError, read_quarter
from heatplan.quarter.rent import levy_eur_per_m2_month
from heatplan.quarter.tariffs import RentRules, feed_in_eur_per_kwh, rent_rules

DATA = Path(__file__).parent / "data" / "quarter"
EXAMPLE = Path(__file__).parents[1] / "examples" / "quarter_lobeda" / "quarter.toml"

HEAD = """[quarter]
name = "Test"
lat = 50.885
lon = 11.605
year = 2025

[rent]
cold_rent_eur_per_m2_month = 6.5

[heat_network]
price_eur_per_mwh = 130.0
"""


def _building(**fields: object) -> str:
    values = {
        "name": '"Haus A"',
        "living_area_m2": 400.0,
        "apartments": 6,
        "rent_controlled_share": 0.5,
        "pv_kwp": 20.0,
        "heat_demand_kwh_per_a": 30000.0,
    }
    values.update({k: v for k, v in fields.items()})
    body = "\n".join(f"{k} = {v}" for k, v in values.items() if v is not None)
    return f"\n[[building]]\n{body}\n"


def _run(path: Path, *extra: str) -> tuple[int, str]:
    """Exit code and stdout (``--json``) or the whole output (messages)."""
    result = CliRunner().invoke(app, ["quarter", "study", str(path), *extra])
    return result.exit_code, result.stdout if "--json" in extra else result.output


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "quarter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_field_names_file_section_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + _building(living_area_m2=None))
    code, text = _run(path, "--json")
    assert code == 1
    error = json.loads(text)
    assert "quarter.toml" in error["error"] and "[building 1] living_area_m2" in error["error"]
    assert "missing" in error["error"]


def test_negative_area_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + _building(living_area_m2=-400.0))
    code, text = _run(path)
    assert code == 1
    assert "living_area_m2" in text and "-400" in text and "Traceback" not in text


def test_a_german_number_in_quotes_is_refused_not_misread(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + _building(living_area_m2='"3.250"'))
    with pytest.raises(
        QuarterInputError, match=r"living_area_m2: a number is required, got '3.250'"
    ):
        read_quarter(path)


def test_price_above_the_legal_cap_is_refused(tmp_path: Path) -> None:
    text = HEAD + "[tenant_power]\nmieterstrom_price_share = 0.95\n[electricity]\n"
    path = _write(tmp_path, text + "annual_kwh_per_apartment = 2000.0\n" + _building())
    code, out = _run(path)
    assert code == 1 and "42a" in out


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("meter_gap.csv", ("row 5", "gap")),
        ("meter_clock_change.csv", ("row 5", "duplicate or backward time", "summer/winter")),
        ("meter_negative.csv", ("row 3", "Energie kWh", "negative")),
    ],
)
def test_bad_meter_file_names_file_row_and_field(
    tmp_path: Path, fixture: str, expected: tuple[str, ...]
) -> None:
    meters = tmp_path / "meters"
    meters.mkdir()
    for i in range(1, 7):
        (meters / f"w{i:02d}.csv").write_bytes((DATA / fixture).read_bytes())
    path = _write(tmp_path, HEAD + _building(meter_dir='"meters"'))
    code, text = _run(path)
    assert code == 1 and "Traceback" not in text
    assert "w01.csv" in text, text
    for part in expected:
        assert part in text, text


def test_wrong_number_of_meter_files(tmp_path: Path) -> None:
    meters = tmp_path / "meters"
    meters.mkdir()
    (meters / "w01.csv").write_bytes((DATA / "meter_gap.csv").read_bytes())
    path = _write(tmp_path, HEAD + _building(meter_dir='"meters"'))
    with pytest.raises(QuarterInputError, match="1 meter CSV files for 6 apartments"):
        read_quarter(path)


def _write_meters(folder: Path, annual_kwh: list[float]) -> None:
    """One full-year German meter export per apartment: the BDEW H0 profile (demandlib) scaled."""
    from heatplan.site.inputs import bdew_profile_kw

    folder.mkdir()
    profile = bdew_profile_kw("H0", 1000.0, 2025)
    stamps = pd.date_range("2025-01-01", periods=profile.size, freq="15min")
    for i, kwh in enumerate(annual_kwh):
        values = [f"{v:.4f}".replace(".", ",") for v in profile * kwh / 1000.0]
        frame = pd.DataFrame(
            {
                "Datum": stamps.strftime("%d.%m.%Y"),
                "Uhrzeit": stamps.strftime("%H:%M"),
                "Wirkleistung kW": values,
            }
        )
        frame.to_csv(folder / f"w{i + 1:02d}.csv", sep=";", index=False)


def test_public_summary_shows_no_single_apartment(tmp_path: Path) -> None:
    annual = [1234.0, 2345.0, 3456.0, 1789.0, 2901.0, 4012.0]
    _write_meters(tmp_path / "meters", annual)
    text = HEAD + "[tenant_power]\nparticipation_share = 0.5\n" + _building(meter_dir='"meters"')
    path = _write(tmp_path, text)
    from heatplan.quarter.study import study

    result = study(read_quarter(path))
    summary = json.loads(json.dumps(result.summary))
    # 6 apartments: the distribution over all is published (>= 5) ...
    dist = summary["tenant_power"]["electricity_per_apartment_kwh_per_a"]
    assert dist["apartments"] == 6
    assert dist["mean"] == pytest.approx(np.mean(annual), rel=1e-3)
    # ... but 3 participants and 3 rent-controlled flats are too few to show anything
    for concept in ("mieterstrom", "shared_supply"):
        c = summary["tenant_power"][concept]
        assert c["participants"] == 3
        assert c["saving_per_participant_eur_per_a"] is None
        assert c["tenant_saving_eur_per_a"] is None and c["self_sufficiency"] is None
        assert summary["rent_controlled"]["electricity_saving_eur_per_m2_month"][concept] is None
    # no single apartment's annual consumption anywhere in the public document
    numbers = _all_numbers(summary)
    for kwh in annual:
        assert not any(abs(x - kwh) < 1.0 for x in numbers), kwh
    # the internal table still has them
    internal = result.apartments
    np.testing.assert_allclose(internal["electricity_kwh_per_a"], annual, rtol=1e-3)


def _all_numbers(document: object) -> list[float]:
    if isinstance(document, dict):
        return [x for v in document.values() for x in _all_numbers(v)]
    if isinstance(document, list):
        return [x for v in document for x in _all_numbers(v)]
    if isinstance(document, int | float) and not isinstance(document, bool):
        return [float(document)]
    return []


def test_heat_pump_buffer_by_hand() -> None:
    # hour 0: need 2 kW heat at COP 2 -> 1 kW from PV; 2 kW PV left -> 4 kWh heat into the
    # buffer (room 4); hours 1 and 2 are served from the buffer: no grid power at all.
    grid, pv = run_heat_pump(
        np.array([2.0, 2.0, 2.0]),
        np.array([2.0, 2.0, 2.0]),
        np.array([3.0, 0.0, 0.0]),
        capacity_kw=10.0,
        buffer_kwh=4.0,
    )
    np.testing.assert_allclose(grid, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(pv, [3.0, 0.0, 0.0])
    # without PV the buffer stays empty and the grid supplies heat / COP
    grid, pv = run_heat_pump(
        np.array([2.0, 3.0]), np.array([2.0, 3.0]), np.zeros(2), capacity_kw=10.0, buffer_kwh=4.0
    )
    np.testing.assert_allclose(grid, [1.0, 1.0])
    assert pv.sum() == 0.0


def test_hourly_heat_follows_the_bdew_profile_and_keeps_the_annual_energy() -> None:
    from heatplan.potentials.solar import try_weather

    temp = try_weather(4)["temp_air_c"].to_numpy(float)
    space, water = hourly_heat_kw(temp, 100_000.0, 15_000.0, "2016-")
    # the normalised BDEW profile sums to 1 within 1e-6 (demandlib)
    assert space.sum() + water.sum() == pytest.approx(100_000.0, rel=1e-5)
    assert (space >= 0).all() and (water >= 0).all()
    # the hot water is flat (15,000 kWh / 8,760 h) wherever the profile allows it
    assert np.median(water) == pytest.approx(15_000.0 / 8760)
    # colder hours need more space heat: January above July
    assert space[:744].mean() > 5 * space[4344:5088].mean()


def test_gas_option_by_hand() -> None:
    from heatplan.quarter.heat import gas_option

    # 1,000 kWh heat, efficiency 0.975 on Hi, Hs/Hi 1.11, 0.10 EUR per kWh Hs
    option = gas_option(np.array([400.0, 600.0]), 0.10)
    assert option.final_energy_kwh_per_a == pytest.approx(1000.0 / 0.975 * 1.11)
    om = option.investment_eur * 0.066243  # DEA fixed O&M 6.6243 %/a (catalogue)
    assert option.tenant_cost_eur_per_a == pytest.approx(1000.0 / 0.975 * 1.11 * 0.10 + om)
    assert option.capacity_kw == 600.0 and option.levy_base_eur == 0.0


def test_levy_rule_of_bgb_559e() -> None:
    rules = rent_rules()
    assert rules == RentRules(
        levy_share_per_a=0.10, maintenance_share=0.15, cap_eur_per_m2_month=0.5
    )
    # 10,000 EUR on 1,000 m²: 10,000 x 0.85 x 0.10 / 1,000 / 12
    assert levy_eur_per_m2_month(10_000.0, 1000.0, rules) == pytest.approx(0.0708333, rel=1e-5)
    assert levy_eur_per_m2_month(1e6, 1000.0, rules) == 0.5  # the cap of § 559e Abs. 3


def test_feed_in_is_weighted_by_capacity_tiers() -> None:
    # 40 kWp: 10 kWp at 7.94 ct, 30 kWp at 6.88 ct (EEG 2023 § 48 Abs. 2)
    assert feed_in_eur_per_kwh(40.0) == pytest.approx((10 * 0.0794 + 30 * 0.0688) / 40)
    assert feed_in_eur_per_kwh(5.0) == pytest.approx(0.0794)


def test_the_lobeda_example_runs() -> None:
    code, out = _run(EXAMPLE, "--json")
    assert code == 0, out
    summary = json.loads(out)
    assert summary["apartments"] == 250
    assert summary["rent_controlled"]["apartments"] == 125
    rents = summary["rent_controlled"]["concepts"]
    assert set(rents) == {"gas_today", "heat_pump", "heat_network"}
    for rent in rents.values():
        parts = rent["cold_rent_eur_per_m2_month"] + rent["levy_eur_per_m2_month"]
        assert rent["warm_rent_eur_per_m2_month"] == pytest.approx(
            parts + rent["heating_eur_per_m2_month"]
        )
    power = summary["tenant_power"]["mieterstrom"]
    assert 0.0 < power["self_consumption"] <= 1.0 and 0.0 < power["self_sufficiency"] <= 1.0
    # operator: revenue less PV annuity and 50 EUR/a per participant (quarter_costs.csv)
    pv_annual = summary["tenant_power"]["pv_annual_cost_eur_per_a"]
    assert power["operator_cost_eur_per_a"] == pytest.approx(pv_annual + 150 * 50.0)
    assert power["operator_net_eur_per_a"] == pytest.approx(
        power["operator_revenue_eur_per_a"] - power["operator_cost_eur_per_a"]
    )
    park = summary["car_park"]  # 60 cars, smart charging under § 14a module 2
    assert park["cars"] == 60
    assert park["smart"]["energy_kwh_per_a"] == pytest.approx(
        park["uncontrolled"]["energy_kwh_per_a"], rel=1e-6
    )
    assert park["smart"]["peak_kw"] < park["uncontrolled"]["peak_kw"]
    assert park["saving_eur_per_a"] > 0.0


def _plan_with_areas(project: Path) -> None:
    """A heatplan project whose classified ``areas`` frame holds two areas' network costs."""
    import geopandas as gpd
    from shapely.geometry import box

    from heatplan.plan import Plan
    from heatplan.project.create import create_project

    config = create_project(project, "Jena", "16053000")
    areas = gpd.GeoDataFrame(
        {
            "area_id": ["A01", "A02"],
            "network_lcoh_owner_eur_per_mwh": [118.5, float("nan")],
            "network_lcoh_economic_eur_per_mwh": [99.6, float("nan")],
        },
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
        crs="EPSG:25832",
    )
    plan = Plan.from_project(project).with_frames(areas=areas)
    plan.to_store(config.store_url(project), step="test")


def test_network_price_is_read_from_the_plan_area(tmp_path: Path) -> None:
    _plan_with_areas(tmp_path / "plan")
    electricity = "[electricity]\nannual_kwh_per_apartment = 2000.0\n"
    head = HEAD.replace("price_eur_per_mwh = 130.0", 'plan = "plan"\narea = "A01"')
    quarter = read_quarter(_write(tmp_path, head + electricity + _building()))
    assert quarter.heat.network_price_eur_per_mwh == 118.5  # owner perspective by default
    assert "area A01" in (quarter.heat.network_price_basis or "")
    assert "owner perspective" in (quarter.heat.network_price_basis or "")
    economic = head.replace('area = "A01"', 'area = "A01"\nperspective = "economic"')
    quarter = read_quarter(_write(tmp_path, economic + electricity + _building()))
    assert quarter.heat.network_price_eur_per_mwh == 99.6
    for area, message in (("A02", "has no network price"), ("A09", "no area 'A09'; areas: A01")):
        path = _write(tmp_path, head.replace('"A01"', f'"{area}"') + electricity + _building())
        code, out = _run(path)
        assert code == 1 and message in out, out


def test_groups_and_their_rest_need_five_apartments() -> None:
    from heatplan.quarter.privacy import distribution, group_total, publishable

    assert publishable(5, 5) and publishable(5, 10) and publishable(6, 12)
    # 5 of 6: the quarter total minus the group's would reveal the sixth apartment
    assert not publishable(5, 6) and not publishable(4, 10) and not publishable(0, 10)
    values = np.array([1000.0, 2000.0, 3000.0, 4000.0, 5000.0])
    assert distribution(values, population=6) is None
    assert group_total(values, population=6) is None
    # 5 apartments: count and mean only (a quartile of five values is one apartment's value)
    assert distribution(values, population=10) == {"apartments": 5, "mean": 3000.0}
    shown = distribution(np.arange(1.0, 21.0))
    assert shown == {"apartments": 20, "mean": 10.5, "p25": 5.75, "median": 10.5, "p75": 15.25}
    assert shown is not None and "min" not in shown and "max" not in shown


def test_internal_table_only_where_asked(tmp_path: Path) -> None:
    electricity = "[electricity]\nannual_kwh_per_apartment = 2000.0\n"
    path = _write(tmp_path, HEAD + electricity + _building())
    internal = tmp_path / "internal.csv"
    code, out = _run(path, "--json", "--internal-csv", str(internal))
    assert code == 0, out
    table = pd.read_csv(internal)
    assert len(table) == 6 and table["rent_controlled"].sum() == 3
    assert table["electricity_kwh_per_a"].to_numpy() == pytest.approx(2000.0, rel=1e-3)
    summary = json.loads(out)
    assert "apartments" in summary and "building" not in json.dumps(summary["tenant_power"])

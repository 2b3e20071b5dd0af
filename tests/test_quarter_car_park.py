"""The quarter's car park: nightly sessions, uncontrolled against smart charging by hand, the
same bill from the LP and from the charging series, privacy and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heatplan.quarter.car_park import (
    DT_H,
    CarPark,
    _bill,
    default_kwh_per_car_day,
    sessions,
    smart,
    summary,
    uncontrolled,
)
from heatplan.quarter.inputs import QuarterInputError, read_quarter
from heatplan.quarter.tariffs import cost
from heatplan.site.tariffs import grid_tariff

STEPS = 365 * 96
EXAMPLE = Path(__file__).parents[1] / "examples" / "quarter_lobeda" / "quarter.toml"
SMALL = """[quarter]
name = "Test"
lat = 50.885
lon = 11.605

[rent]
cold_rent_eur_per_m2_month = 6.5

[electricity]
annual_kwh_per_apartment = 2000.0

[[building]]
name = "Haus A"
living_area_m2 = 400.0
apartments = 6
rent_controlled_share = 0.5
pv_kwp = 20.0
heat_demand_kwh_per_a = 30000.0

"""


def _park(**changes: object) -> CarPark:
    values: dict[str, object] = {
        "cars": 10,
        "charger_kw": 11.0,
        "kwh_per_car_day": 11.0,
        "arrive_h": 20.0,
        "arrive_latest_h": 20.0,
        "depart_h": 6.0,
        "enwg_14a_module_2": False,
    }
    values.update(changes)
    return CarPark(**values)  # type: ignore[arg-type]


def test_sessions_cover_every_night_with_the_cars_energy() -> None:
    park = _park(cars=12, arrive_h=17.0, arrive_latest_h=20.0)
    start, end, energy, power = sessions(park, STEPS)
    assert start.size == 365 * 4  # four hourly groups a night
    assert energy.sum() == pytest.approx(365 * 12 * 11.0)
    assert power[:4] == pytest.approx([33.0] * 4)  # three cars of 11 kW per group
    assert list(start[:4]) == [68, 72, 76, 80]  # 17:00 .. 20:00 on 1 January
    assert set(end[:4]) == {96 + 24}  # 06:00 the next morning


def test_uncontrolled_and_smart_charging_by_hand() -> None:
    """Ten cars plug in at 20:00 and need 11 kWh by 06:00. Charging on arrival draws 110 kW for
    one hour; spread over the ten hours the car park needs 11 kW (flat energy price, a demand
    price > 0, no PV): the annual peak falls by 99 kW and the bill by 99 kW x demand price."""
    no_pv = np.zeros(STEPS)
    park = _park()
    before, after = uncontrolled(park, no_pv), smart(park, no_pv)
    assert before.peak_kw == pytest.approx(110.0)
    assert after.peak_kw == pytest.approx(11.0, rel=1e-6)
    energy = 10 * 11.0 * 365
    assert before.energy_kwh_per_a == pytest.approx(energy)
    assert after.energy_kwh_per_a == pytest.approx(energy, rel=1e-9)
    tariff = grid_tariff(after.grid_fee_case)
    hand = energy * tariff.import_eur_per_kwh + 11.0 * tariff.demand_eur_per_kw_a
    assert after.bill_eur_per_a == pytest.approx(hand, rel=1e-6)
    assert before.bill_eur_per_a > after.bill_eur_per_a


@pytest.mark.parametrize("module_2", [False, True])
def test_the_lp_bill_equals_the_bill_of_its_charging_series(module_2: bool) -> None:
    """The smart bill is taken from the LP's objective with corrections; recomputed from the
    charging series it must be the same (PV valued at the forgone feed-in, § 14a on grid kWh)."""
    hours = np.arange(STEPS) * DT_H % 24
    pv = np.where((hours > 16) & (hours < 20), 30.0, 0.0)  # evening sun in the car park
    park = _park(arrive_h=17.0, arrive_latest_h=19.0, enwg_14a_module_2=module_2)
    result = smart(park, pv)
    tariff = grid_tariff(result.grid_fee_case, enwg_14a_module_2=module_2)
    bill, pv_kwh, peak = _bill(result.charging_kw, pv, tariff, module_2)
    assert result.bill_eur_per_a == pytest.approx(bill, rel=1e-6)
    assert result.pv_kwh_per_a == pytest.approx(pv_kwh, rel=1e-6)
    assert result.peak_kw == pytest.approx(peak, rel=1e-6)
    assert result.bill_eur_per_a <= uncontrolled(park, pv).bill_eur_per_a + 1e-6
    assert result.pv_kwh_per_a > 0.0


def test_fewer_than_five_cars_are_not_shown() -> None:
    assert summary(_park(cars=4), np.zeros(STEPS)) is None


def test_default_energy_from_mileage_and_consumption() -> None:
    from heatplan.site.tariffs import heat_costs

    hand = 12320.0 * cost("ev_battery_kwh_per_km") / 365.0 / heat_costs().ev_charging_efficiency
    assert cost("ev_km_per_car_a") == 12320.0  # KBA 2023
    assert default_kwh_per_car_day() == pytest.approx(hand)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ('cars = 10\narrive = "25:00"', "[car_park] arrive"),
        ('cars = 10\ndepart = "21:00"', "[car_park] depart"),
        ('cars = 10\narrive = "20:00"\narrive_latest = "18:00"', "[car_park] arrive_latest"),
        ("cars = 10\nkwh_per_car_day = 200.0", "[car_park] kwh_per_car_day"),
        ('cars = 10\nenwg_14a_module_2 = "yes"', "[car_park] enwg_14a_module_2"),
        ('cars = "10"', "[car_park] cars"),
        ("cars = 2.5", "[car_park] cars"),
    ],
)
def test_bad_car_park_names_file_and_field(tmp_path: Path, section: str, expected: str) -> None:
    path = tmp_path / "quarter.toml"
    path.write_text(SMALL + "[car_park]\n" + section + "\n", encoding="utf-8")
    with pytest.raises(QuarterInputError) as error:
        read_quarter(path)
    assert str(path) in str(error.value) and expected in str(error.value)

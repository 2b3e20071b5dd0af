"""§ 19 (2) StromNEV atypical grid use (heatplan.site.atypical): hand cases of the LP with the
demand charge on the window peak, the thresholds of BK4-13-739 met and missed, the windows file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heatplan.site.atypical import WindowError, check, read_windows, thresholds, window_mask
from heatplan.site.inputs import SiteInputError, read_site
from heatplan.site.optimize import Charging, SiteProblem, optimize
from heatplan.site.tariffs import grid_tariff, site_costs

DATA = Path(__file__).parent / "data" / "site"
DT_H = 0.25
#: Steps 0-3 in the high-load window, 4-7 outside.
MASK = np.array([True] * 4 + [False] * 4)
COST_RTOL = 1e-7


def _plan(window_load_kw: float, mask: np.ndarray | None) -> tuple[float, np.ndarray]:
    """Load ``window_load_kw`` in the window and 300 kW outside; one van needs 40 kWh at up to
    40 kW (a full hour of charging) in the 2 hours. Returns the annual cost and the import."""
    load = np.array([window_load_kw] * 4 + [300.0] * 4)
    van = Charging(np.array([0]), np.array([8]), np.array([40.0]), np.array([40.0]))
    result = optimize(SiteProblem(
        load, np.zeros(8), grid_tariff("below_2500_h"), site_costs(), max_pv_kwp=0.0,
        battery_allowed=False, charging=van, dt_h=DT_H, peak_mask=mask))  # fmt: skip
    return result.annual_cost_eur_per_a, result.series["import_kw"]


def test_charging_outside_the_windows_lowers_the_bill_by_the_hand_computed_demand_charge() -> None:
    """Published fee: the van fills the window steps below 300 kW, peak 300 kW. Window peak
    charged: the van charges outside (import 340 kW there), window peak 200 kW: the bill falls
    by 100 kW x the demand price; the plan meets 100 kW and 30 % (140 kW = 41 % of 340 kW)
    and saves 140 kW x the demand price against the published fee."""
    tariff = grid_tariff("below_2500_h")
    published, imports = _plan(200.0, None)
    assert imports.max() == pytest.approx(300.0, rel=1e-9)
    individual, imports = _plan(200.0, MASK)
    assert imports[MASK].max() == pytest.approx(200.0, rel=1e-9)
    assert imports.max() == pytest.approx(340.0, rel=1e-9)
    demand = tariff.demand_eur_per_kw_a
    assert published - individual == pytest.approx(100.0 * demand, rel=COST_RTOL)
    found = check(imports, MASK, tariff, thresholds("NS"), DT_H)
    assert found.met and found.reason == "thresholds met"
    assert found.reduction_kw == pytest.approx(140.0, rel=1e-9)
    assert found.saving_eur_per_a == pytest.approx(140.0 * demand, rel=1e-9)
    assert found.fee_floor_eur_per_a == 0.0


def test_a_reduction_below_100_kw_gets_no_individual_fee() -> None:
    """Window load 250 kW: the van still charges outside (340 kW), 90 kW < 100 kW."""
    _, imports = _plan(250.0, MASK)
    found = check(imports, MASK, grid_tariff("below_2500_h"), thresholds("NS"), DT_H)
    assert found.reduction_kw == pytest.approx(90.0, rel=1e-9)
    assert not found.met and "< 100 kW" in found.reason
    assert found.saving_eur_per_a == 0.0
    assert found.individual_fee_eur_per_a == found.published_fee_eur_per_a


def test_the_relative_threshold_depends_on_the_voltage_level() -> None:
    """600 kW annual peak, 480 kW in the windows: 120 kW = 20 % meets MS, not NS (30 %)."""
    imports = np.array([480.0] * 4 + [600.0] * 4)
    tariff = grid_tariff("from_2500_h")
    assert check(imports, MASK, tariff, thresholds("MS"), DT_H).met
    low = check(imports, MASK, tariff, thresholds("NS"), DT_H)
    assert not low.met and "20% < 30%" in low.reason


def test_the_20_percent_floor_binds_when_the_window_peak_is_tiny() -> None:
    """Window peak 0: the individual fee is 20 % of the published one (grid energy 0 here)."""
    tariff = grid_tariff("below_2500_h")
    imports = np.array([0.0] * 4 + [500.0] * 4)
    found = check(imports, MASK, tariff, thresholds("NS"), DT_H)
    published = (
        500.0 * tariff.demand_eur_per_kw_a + 1000.0 * DT_H * tariff.grid_energy_eur_per_kwh * 2
    )
    assert found.published_fee_eur_per_a == pytest.approx(published, rel=1e-12)
    assert found.individual_fee_eur_per_a == pytest.approx(0.2 * published, rel=1e-12)
    assert found.fee_floor_eur_per_a > 0.0


def test_window_mask_on_working_days_only() -> None:
    windows = read_windows()
    mask = window_mask(2025, 365 * 96, windows)
    monday, saturday = 5 * 96, 10 * 96  # 6 and 11 January 2025
    assert mask[monday + 8 * 4] and mask[monday + 11 * 4 + 3]
    assert not mask[monday + 12 * 4]  # the window ends at 12:00
    assert not mask[saturday + 8 * 4]


def test_a_bad_window_row_names_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "windows.csv"
    path.write_text(
        "season,first_month,last_month,start,end,source\nwinter,12,2,8 Uhr,12:00,Preisblatt\n",
        encoding="utf-8",
    )
    with pytest.raises(WindowError, match=r"windows.csv: row 2: start: '8 Uhr'"):
        read_windows(path)


def test_the_site_file_option_and_its_errors(tmp_path: Path) -> None:
    text = (DATA / "site_sample.toml").read_text(encoding="utf-8")
    good = tmp_path / "site.toml"
    good.write_text(text + 'atypical_grid_use = true\nvoltage_level = "MS"\n', encoding="utf-8")
    site = read_site(good)
    assert site.atypical is not None and site.atypical.voltage_level == "MS"
    bad = tmp_path / "bad.toml"
    bad.write_text(text + 'atypical_grid_use = true\nvoltage_level = "Mittel"\n', encoding="utf-8")
    with pytest.raises(SiteInputError, match=r"bad.toml: \[tariff\] voltage_level"):
        read_site(bad)

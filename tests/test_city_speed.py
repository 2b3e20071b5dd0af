"""Issue 20: the faster classification gives the same plan, and the caches it rests on are safe.

``tests/data/classify_demo_areas_reference.csv`` is the Schutterwald demo's ``areas`` frame as
commit 211fad5 (before the speed-ups) computed it (``heatplan demo``, every column but the
geometry). Where the method has not changed, the demo built today must give the same costs
(to 1e-9, relative) and the same types, likelihoods and reasons. A change of the method (e.g.
new costs in the decision) regenerates the file from the demo with a note in the commit: build
the demo with the code before the speed-up under test (``git archive <ref> src``), then::

    python -c "import geopandas as g; g.read_file('DEMO/plan.gpkg', layer='areas')
    .drop(columns='geometry').to_csv('tests/data/classify_demo_areas_reference.csv',
    index=False, float_format='%.17g')"
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatplan.demand.profiles import class_profiles, german_holidays
from heatplan.plan import Plan
from heatplan.reference import parameter, table

REFERENCE = Path(__file__).parent / "data" / "classify_demo_areas_reference.csv"
#: Columns a later method change may add; compared where both frames have them.
RTOL = 1e-9


def test_the_demo_areas_are_those_of_the_per_area_method(demo_plan: Plan) -> None:
    reference = pd.read_csv(
        REFERENCE, dtype={"area_id": str}, keep_default_na=False, na_values=[""]
    )
    areas = pd.DataFrame(demo_plan.areas.drop(columns="geometry"))
    areas["area_id"] = areas["area_id"].astype(str)
    merged = reference.merge(
        areas, on="area_id", how="outer", suffixes=("_ref", ""), indicator=True
    )
    assert (merged["_merge"] == "both").all(), "the demo's areas are not the reference's areas"
    checked = 0
    for column in reference.columns.drop("area_id"):
        if column not in areas.columns:
            continue
        old, new = merged[f"{column}_ref"], merged[column]
        if pd.api.types.is_numeric_dtype(old) and not pd.api.types.is_bool_dtype(old):
            np.testing.assert_allclose(
                new.to_numpy(float), old.to_numpy(float), rtol=RTOL, atol=1e-9, err_msg=column
            )
        else:
            assert new.fillna("").astype(str).tolist() == old.fillna("").astype(str).tolist(), (
                column
            )
        checked += 1
    assert checked >= 60


def test_a_memoised_parameter_is_the_table_value() -> None:
    frame = table("area_parameters.csv", as_text=True)
    key = "eignung_potential_reach_m"
    expected = float(frame.loc[frame["parameter"] == key, "value"].iloc[0])
    assert parameter("area_parameters.csv", key) == expected
    assert parameter("area_parameters.csv", key) == expected  # the second call from the memo


def test_a_missing_or_twice_listed_parameter_is_refused() -> None:
    with pytest.raises(KeyError):
        parameter("area_parameters.csv", "no_such_parameter")
    frame = table("site_tariffs.csv", as_text=True)
    twice = frame["parameter"][frame["parameter"].duplicated()].iloc[0]
    with pytest.raises(ValueError, match="more than once"):
        parameter("site_tariffs.csv", twice)


def _temperature(year: int, shift_c: float = 0.0) -> pd.Series:
    index = pd.date_range(f"{year}-01-01", periods=8760, freq="h")
    hours = np.arange(8760)
    return pd.Series(8.0 - 10.0 * np.cos(2 * np.pi * hours / 8760) + shift_c, index=index)


def test_cached_class_profiles_are_those_computed_afresh_and_cannot_be_changed() -> None:
    from heatplan.demand import profiles

    temperature = _temperature(2019)
    holidays = german_holidays(2019)
    profiles._PROFILES.clear()
    first = class_profiles(["EFH_bc01_w0", "GKO_bc00_w0"], temperature, holidays=holidays)
    first.iloc[:, 0] = -1.0  # a caller changing its copy changes nothing in the cache
    again = class_profiles(["EFH_bc01_w0", "MFH_bc02_w0"], temperature, holidays=holidays)
    profiles._PROFILES.clear()
    fresh = class_profiles(["EFH_bc01_w0", "MFH_bc02_w0"], temperature, holidays=holidays)
    pd.testing.assert_frame_equal(again, fresh, check_exact=True)
    assert again["EFH_bc01_w0"].sum() == pytest.approx(1.0, rel=1e-3)  # annual demand 1


def test_another_weather_gives_other_profiles() -> None:
    cold = class_profiles(["EFH_bc01_w0"], _temperature(2019, -3.0))
    warm = class_profiles(["EFH_bc01_w0"], _temperature(2019, 3.0))
    # the same normalised year, but a colder winter puts more of it into January
    assert cold["EFH_bc01_w0"].iloc[:744].sum() != pytest.approx(
        warm["EFH_bc01_w0"].iloc[:744].sum(), rel=1e-6
    )
    no_holidays = class_profiles(["GKO_bc00_w0"], _temperature(2019))
    holidays = class_profiles(["GKO_bc00_w0"], _temperature(2019), holidays=german_holidays(2019))
    assert not np.allclose(no_holidays.to_numpy(), holidays.to_numpy())


def test_the_scenario_leaves_out_buildings_of_unknown_demand(demo_plan: Plan) -> None:
    """A town with buildings of unknown use (no modelled demand) gets its pathway (it exited
    1 before): the same pathway as the town without those buildings, with a note."""
    from heatplan.stages import scenario

    buildings = demo_plan.buildings.copy()
    unknown = buildings.index[::150]  # every 150th house: use and demand unknown
    buildings.loc[unknown, "use"] = "unknown"
    for column in ("heat_demand_kwh_per_a", "space_heating_kwh_per_a", "hot_water_kwh_per_a"):
        buildings.loc[unknown, column] = np.nan
    with_unknown = demo_plan.with_frames(buildings=buildings)
    without = demo_plan.with_frames(buildings=buildings.drop(index=unknown))
    _, result = scenario.run(with_unknown, variants=["base"])
    _, expected = scenario.run(without, variants=["base"])
    assert any(note.startswith(f"{len(unknown)} building(s) without") for note in result.notes)
    assert result.indicators == expected.indicators


def test_cli_help_imports_no_numpy() -> None:
    """``heatplan --help`` answers without importing numpy, pandas or the network stack."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from heatplan.cli import app\n"
        "heavy = {'numpy', 'pandas', 'geopandas', 'CoolProp', 'pandapipes', 'weasyprint'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_json_output_turns_numpy_values_into_plain_ones() -> None:
    from heatplan.console import _plain

    document = {"a": np.float64(1.5), "b": np.int64(3), "c": np.float64("nan"), "d": [np.bool_(1)]}
    assert _plain(document) == {"a": 1.5, "b": 3, "c": None, "d": [True]}


def test_the_kind_filter_is_str_contains() -> None:
    from heatplan.network.selection import _kind_matches

    kind = pd.Series(["pv_roof", "sewage_plant_effluent", None, "sewer", "effluent", np.nan] * 3)
    expected = kind.astype(str).str.contains("sewage|effluent")
    pd.testing.assert_series_equal(
        _kind_matches(kind, "sewage|effluent"), expected, check_names=False
    )


def test_water_properties_of_one_temperature_are_the_arrays_values() -> None:
    from heatplan.tech import pipes

    for temp_c in (80.0, 45.5):
        one = pipes.water_heat_capacity_j_per_kgk(temp_c)
        assert one == pipes.water_heat_capacity_j_per_kgk(np.array([temp_c]))[0]

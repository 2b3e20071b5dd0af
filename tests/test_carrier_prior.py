"""The Zensus 2022 carrier shares as the prior of the inventory's carrier breakdown: expected
values by share for residential buildings without a carrier of their own, never for others,
and never in the public release (WPG § 10: the estimate is one building's modelled demand)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from heatplan.areas.totals import municipality_totals
from heatplan.demand.carrier_prior import (
    PRIOR_SOURCE,
    carrier_breakdown,
    carrier_sources,
    prior_heater_types,
    prior_shares,
)
from heatplan.publish.inventory import released_inventory
from heatplan.reference import carriers

#: Relative tolerance of sums of a few floats.
RTOL = 1e-12
SHARES = json.dumps({"natural_gas": 0.5, "heating_oil": 0.3, "wood": 0.0, "none": 0.2})


def _buildings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "building_id": ["prior", "metered", "registered", "office", "no_cell"],
            "use": ["sfh", "sfh", "mfh", "office", "sfh"],
            "carrier": ["unknown", "natural_gas", "wood", "unknown", "unknown"],
            "sector": ["households", "households", "households", "commerce", "households"],
            "heater_type": ["unknown", "unknown", "stove", "unknown", "unknown"],
            "heat_demand_kwh_per_a": [16_000.0, 20_000.0, 9_000.0, 30_000.0, 12_000.0],
            "final_energy_kwh_per_a": [np.nan, 22_000.0, 12_000.0, np.nan, np.nan],
            "co2_t_per_a": [np.nan, 5.28, 0.24, np.nan, np.nan],
            "generators": [0, 1, 1, 0, 0],
            "zensus_carrier_shares": [SHARES, SHARES, SHARES, SHARES, None],
            "zensus_heating_system": ["central", "central", "stoves", None, None],
        }
    )


def _with_sources(frame: pd.DataFrame) -> pd.DataFrame:
    measured = frame["building_id"].eq("metered")
    registered = frame["building_id"].eq("registered")
    return frame.assign(
        carrier_source=carrier_sources(frame, measured=measured, registered=registered)
    )


def test_shares_leave_out_no_carrier_and_renormalise() -> None:
    shares = prior_shares(pd.Series([SHARES, "kein JSON", None]))
    # 0.5 and 0.3 of the 0.8 that heat with a carrier
    assert shares.loc[0, "natural_gas"] == pytest.approx(0.625, rel=RTOL)
    assert shares.loc[0, "heating_oil"] == pytest.approx(0.375, rel=RTOL)
    assert shares.loc[0].sum() == pytest.approx(1.0, rel=RTOL)
    assert shares.loc[[1, 2]].isna().all().all()


def test_only_residential_buildings_without_own_data_take_the_prior() -> None:
    sources = _with_sources(_buildings()).set_index("building_id")["carrier_source"]
    assert sources.to_dict() == {
        "prior": PRIOR_SOURCE,
        "metered": "measured",
        "registered": "register",
        "office": "unknown",  # the Zensus counts buildings with dwellings only
        "no_cell": "unknown",  # no shares: unknown stays unknown
    }


def test_breakdown_is_the_expected_split_and_keeps_own_data() -> None:
    frame = _with_sources(_buildings())
    breakdown = carrier_breakdown(frame)
    table = carriers()
    prior = breakdown[breakdown["building_id"] == "prior"].set_index("carrier")
    for carrier, share in (("natural_gas", 0.625), ("heating_oil", 0.375)):
        final = 16_000.0 * share / float(table.loc[carrier, "default_efficiency"])
        co2 = final * float(table.loc[carrier, "co2_g_per_kwh"]) / 1e6
        assert prior.loc[carrier, "final_energy_kwh_per_a"] == pytest.approx(final, rel=RTOL)
        assert prior.loc[carrier, "co2_t_per_a"] == pytest.approx(co2, rel=RTOL)
        assert prior.loc[carrier, "generators"] == pytest.approx(share, rel=RTOL)
    assert set(prior.index) == {"natural_gas", "heating_oil"}  # a share of 0 gives no row
    assert set(prior["heater_type"]) == {"boiler"}  # fuels in a cell of central heating
    own = breakdown[breakdown["building_id"] != "prior"].set_index("building_id")
    assert own.loc["metered", "final_energy_kwh_per_a"] == 22_000.0
    assert (own.loc["registered", "carrier"], own.loc["registered", "share"]) == ("wood", 1.0)
    # the building's own columns are untouched: its carrier stays unknown, its final energy empty
    assert frame.set_index("building_id").loc["prior", "carrier"] == "unknown"


@pytest.mark.parametrize(
    ("carrier", "heating", "heater_type"),
    [
        ("district_heat", "stoves", "substation"),  # the carrier's rule wins
        ("ambient_heat", "central", "heat_pump_air"),
        ("electricity", None, "electric_storage"),
        ("wood", "stoves", "stove"),
        ("heating_oil", "central", "boiler"),
        ("natural_gas", None, "boiler"),
    ],
)
def test_prior_heater_type_by_carrier_and_cell(
    carrier: str, heating: str, heater_type: str
) -> None:
    found = prior_heater_types(pd.Series([carrier]), pd.Series([heating], dtype=object))
    assert found.tolist() == [heater_type]


def test_totals_show_the_prior_apart_and_the_release_leaves_it_out() -> None:
    frame = _with_sources(_buildings())
    totals = municipality_totals(frame)
    gas = totals[(totals["carrier"] == "natural_gas") & (totals["sector"] == "all")]
    gas = gas[gas["heater_type"] == "all"].set_index("indicator")["value"]
    assert gas["final_energy"] == pytest.approx(22_000.0, rel=RTOL)  # measured only
    expected = 16_000.0 * 0.625 / float(carriers().loc["natural_gas", "default_efficiency"])
    assert gas["final_energy_zensus_prior"] == pytest.approx(expected, rel=RTOL)
    released = released_inventory(totals, frame)
    assert not released["indicator"].str.endswith("_zensus_prior").any()
    assert len(released) == (~totals["indicator"].str.endswith("_zensus_prior")).sum()

"""Area indicators and municipal totals of the Bestandsanalyse (WPG Anlage 2).

Expected values are worked out by hand in the comments; the property tests check that energy
and building counts are conserved through every aggregation (property tests).
"""

from __future__ import annotations

import math
from importlib.resources import files

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Polygon, box

from heatplan.areas import (
    assign_to_blocks,
    assign_to_segments,
    block_indicators,
    derive_blocks,
    grid_100m,
    grid_indicators,
    heat_density_class,
    municipality_totals,
    segment_indicators,
    street_segments,
)

#: Relative tolerance of energy sums compared between aggregation levels [-].
RTOL_ENERGY = 1e-9
#: Absolute tolerance of energy sums, for totals that are zero [kWh/a].
ATOL_ENERGY_KWH = 1e-6
#: Tolerance of shares [-].
ATOL_SHARE = 1e-12

UTM = "EPSG:25832"
LAEA = "EPSG:3035"
NAN = float("nan")

#: KEA-BW Leitfaden Kommunale Wärmeplanung (2020): heat density class bounds [MWh/(ha·a)].
KEA_BW_BOUNDS = (70.0, 175.0, 415.0, 1050.0)
#: Bavarian energy atlas guide value of the heat line density [kWh/(m·a)].
LINE_DENSITY_GUIDE = 1500.0


def _reference(name: str) -> pd.DataFrame:
    with files("heatplan.data").joinpath(name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle)


CARRIERS = _reference("carriers.csv")
CARRIER_CODES = sorted(CARRIERS["carrier"])
HEATER_TYPES = sorted(_reference("heater_types.csv")["heater_type"])
HEAT_NETWORK_CARRIERS = set(CARRIERS.loc[CARRIERS["network"] == "heat", "carrier"])


def _close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=RTOL_ENERGY, abs_tol=ATOL_ENERGY_KWH)


def _squares(n: int) -> list[Polygon]:
    return [box(100.0 * i, 0.0, 100.0 * (i + 1), 100.0) for i in range(n)]


# --- heat density classes ------------------------------------------------------------------------
def test_heat_density_class_boundaries() -> None:
    below = [np.nextafter(bound, 0.0) for bound in KEA_BW_BOUNDS]
    values = pd.Series([0.0, *below, *KEA_BW_BOUNDS, 1e6, NAN])
    classes = heat_density_class(values)
    assert classes.name == "heat_density_class"
    assert classes.iloc[:5].tolist() == [
        "no_network_potential",
        "no_network_potential",  # just below 70
        "new_build_networks",  # just below 175
        "low_temperature_existing",  # just below 415
        "conventional_networks",  # just below 1050
    ]
    assert classes.iloc[5:10].tolist() == [  # lower bounds are inclusive
        "new_build_networks",
        "low_temperature_existing",
        "conventional_networks",
        "very_high",
        "very_high",
    ]
    assert pd.isna(classes.iloc[10])


def test_heat_density_class_keeps_the_index() -> None:
    values = pd.Series([500.0, 10.0], index=["x", "y"])
    classes = heat_density_class(values)
    assert classes.to_dict() == {"x": "conventional_networks", "y": "no_network_potential"}


# --- block indicators ----------------------------------------------------------------------------
@pytest.fixture
def areas_buildings() -> pd.DataFrame:
    """Hand-made buildings of five blocks (10..50) plus an empty block 40."""
    return pd.DataFrame(
        {
            "building_id": list("abcdefgh"),
            "block_id": [10, 10, 10, 20, 20, 30, 50, 50],
            "heat_demand_kwh_per_a": [100e3, 50e3, NAN, 300e3, NAN, NAN, 600e3, 600e3],
            "final_energy_kwh_per_a": [120e3, 60e3, NAN, 0.0, 40e3, NAN, 0.0, 0.0],
            "carrier": [
                "natural_gas",
                "heating_oil",
                None,
                "district_heat",
                "wood",
                "unknown",
                "natural_gas",
                "natural_gas",
            ],
            "generators": [1, 2, NAN, 0, 1, 0, 1, 1],
            "use": ["SFH", "SFH", "MFH", "MFH", None, None, "SFH", "MFH"],
            "age_class": [
                "1949-1957",
                "1958-1968",
                None,
                None,
                None,
                "1969-1978",
                "1958-1968",
                "1949-1957",
            ],
        }
    )


@pytest.fixture
def areas_block_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"block_id": [10, 20, 30, 40, 50], "area_ha": [0.5, 2.0, 1.0, 4.0, 1.0]},
        geometry=_squares(5),
        crs=UTM,
    )


def test_block_indicators_by_hand(
    areas_buildings: pd.DataFrame, areas_block_frame: gpd.GeoDataFrame
) -> None:
    out = block_indicators(areas_buildings, areas_block_frame).set_index("block_id")
    # demand: 10: 100 + 50 MWh (c unknown); 20: 300 MWh; 30: none known; 40: empty; 50: 1200
    assert out["heat_demand_kwh_per_a"].tolist() == [150e3, 300e3, 0.0, 0.0, 1200e3]
    assert out["buildings"].tolist() == [3, 2, 1, 0, 2]
    assert out["buildings_without_demand"].tolist() == [1, 1, 1, 0, 0]
    # density = MWh / ha: 150/0.5 = 300, 300/2 = 150, 0, 0, 1200/1 = 1200
    assert np.allclose(out["heat_density_mwh_per_ha_a"], [300.0, 150.0, 0.0, 0.0, 1200.0])
    assert out["heat_density_class"].tolist() == [
        "low_temperature_existing",
        "new_build_networks",
        "no_network_potential",
        "no_network_potential",
        "very_high",
    ]
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == UTM


def test_block_carrier_shares_by_hand(
    areas_buildings: pd.DataFrame, areas_block_frame: gpd.GeoDataFrame
) -> None:
    out = block_indicators(areas_buildings, areas_block_frame).set_index("block_id")
    # block 10: gas 120 MWh, oil 60 MWh of 180 MWh; building c has no final energy
    assert math.isclose(out.at[10, "share_natural_gas"], 2 / 3, abs_tol=ATOL_SHARE)
    assert math.isclose(out.at[10, "share_heating_oil"], 1 / 3, abs_tol=ATOL_SHARE)
    assert out.at[10, "share_unknown"] == 0.0
    # block 20: district heat with 0 kWh and wood 40 MWh
    assert out.at[20, "share_wood"] == 1.0 and out.at[20, "share_district_heat"] == 0.0
    # blocks 30 (unknown final energy), 40 (empty) and 50 (0 kWh): no shares
    shares = [c for c in out.columns if c.startswith("share_")]
    assert out.loc[[30, 40, 50], shares].isna().all().all()
    assert np.allclose(out.loc[[10, 20], shares].sum(axis=1), 1.0, atol=ATOL_SHARE)


def test_block_generator_counts_by_hand(
    areas_buildings: pd.DataFrame, areas_block_frame: gpd.GeoDataFrame
) -> None:
    out = block_indicators(areas_buildings, areas_block_frame).set_index("block_id")
    assert out["generators"].tolist() == [3, 1, 0, 0, 2]
    assert out["generators_natural_gas"].tolist() == [1, 0, 0, 0, 2]
    assert out["generators_heating_oil"].tolist() == [2, 0, 0, 0, 0]
    assert out["generators_wood"].tolist() == [0, 1, 0, 0, 0]
    assert out["generators"].dtype == np.int64


def test_predominant_use_and_age_class(
    areas_buildings: pd.DataFrame, areas_block_frame: gpd.GeoDataFrame
) -> None:
    out = block_indicators(areas_buildings, areas_block_frame).set_index("block_id")
    # 10: SFH 2 x, MFH 1 x -> SFH; ages 1 + 1 known and 1 unknown: unknown is as frequent
    #     as the top known value -> unknown
    # 20: MFH 1 x, unknown 1 x -> unknown; ages all unknown -> unknown
    # 30: use unknown; age 1969-1978 once, no unknown -> 1969-1978
    # 40: no buildings -> unknown
    # 50: SFH/MFH and two ages once each, nothing unknown -> alphabetically first
    assert out["predominant_use"].tolist() == ["SFH", "unknown", "unknown", "unknown", "MFH"]
    assert out["predominant_age_class"].tolist() == [
        "unknown",
        "unknown",
        "1969-1978",
        "unknown",
        "1949-1957",
    ]


def test_block_indicators_reject_bad_input(
    areas_buildings: pd.DataFrame, areas_block_frame: gpd.GeoDataFrame
) -> None:
    with pytest.raises(ValueError, match="Erdgas"):
        block_indicators(areas_buildings.assign(carrier="Erdgas"), areas_block_frame)
    with pytest.raises(ValueError, match="use"):
        block_indicators(areas_buildings.drop(columns="use"), areas_block_frame)
    with pytest.raises(ValueError, match="not in the area frame"):
        block_indicators(areas_buildings, areas_block_frame[areas_block_frame["block_id"] != 50])


# --- segment and grid indicators -----------------------------------------------------------------
def test_line_density_is_demand_per_length() -> None:
    segments = gpd.GeoDataFrame(
        {"segment_id": [1, 2, 3], "length_m": [100.0, 200.0, 50.0]},
        geometry=_squares(3),
        crs=UTM,
    )
    buildings = pd.DataFrame(
        {
            "segment_id": [1, 1, 1, 2],
            "heat_demand_kwh_per_a": [100e3, 50e3, NAN, 299_999.0],
        }
    )
    out = segment_indicators(buildings, segments).set_index("segment_id")
    # 150,000 kWh / 100 m = 1,500 kWh/(m·a): exactly the guide value, which counts as above
    assert out["line_density_kwh_per_m_a"].tolist() == [1500.0, 299_999.0 / 200.0, 0.0]
    assert out["above_line_density_guide"].tolist() == [True, False, False]
    assert out["buildings"].tolist() == [3, 1, 0]
    assert out["buildings_without_demand"].tolist() == [1, 0, 0]
    assert LINE_DENSITY_GUIDE == 1500.0  # the value the assertions above were computed for


def test_grid_heat_density_from_the_cell_area() -> None:
    cells = gpd.GeoDataFrame(
        {"grid_id": ["A", "B"], "area_ha": [1.0, 1.0]},
        geometry=[box(4_334_100, 2_684_000, 4_334_200, 2_684_100), box(0, 0, 100, 100)],
        crs=LAEA,
    )
    buildings = pd.DataFrame({"grid_id": ["A", "A", "A"], "heat_demand_kwh_per_a": [2e5, 3e5, NAN]})
    out = grid_indicators(buildings, cells).set_index("grid_id")
    # 500 MWh in 1 ha
    assert out["heat_density_mwh_per_ha_a"].tolist() == [500.0, 0.0]
    assert out["buildings"].tolist() == [3, 0]
    assert out["buildings_without_demand"].tolist() == [1, 0]


def test_buildings_without_a_key_are_in_no_area() -> None:
    cells = gpd.GeoDataFrame({"grid_id": ["A"]}, geometry=[box(0, 0, 100, 100)], crs=LAEA)
    buildings = pd.DataFrame({"grid_id": ["A", None], "heat_demand_kwh_per_a": [1e5, 2e5]})
    out = grid_indicators(buildings, cells)
    assert out["heat_demand_kwh_per_a"].tolist() == [1e5]
    with pytest.raises(ValueError, match="grid_id"):
        grid_indicators(buildings.fillna("B"), cells)


# --- municipal totals ----------------------------------------------------------------------------
@pytest.fixture
def areas_municipality() -> pd.DataFrame:
    """Nine hand-made buildings with carriers, heater types and sectors."""
    rows = [
        # carrier, heater_type, sector, final kWh, t CO2e, generators, heat demand kWh
        ("natural_gas", "condensing_boiler", "private_households", 10e3, 2.4, 1, 9e3),
        ("natural_gas", "boiler", "private_households", 20e3, 4.8, 1, 17e3),
        ("natural_gas", "condensing_boiler", "commerce", 30e3, 7.2, 2, 27e3),
        ("heating_oil", "boiler", "private_households", 5e3, 1.55, 1, 4250.0),
        ("wood", "stove", "private_households", 4e3, 0.08, 3, NAN),
        ("district_heat", "substation", "commerce", 8e3, 1.44, 1, 7840.0),
        ("electricity", "heat_pump_air", "private_households", 3e3, 1.68, 1, 9300.0),
        (None, None, None, NAN, NAN, NAN, NAN),
        ("waste_heat", "substation", "industry", 2e3, 0.08, 0, 2e3),
    ]
    columns = ["carrier", "heater_type", "sector", "final_energy_kwh_per_a", "co2_t_per_a"]
    return pd.DataFrame(rows, columns=[*columns, "generators", "heat_demand_kwh_per_a"])


def _value(
    totals: pd.DataFrame,
    indicator: str,
    carrier: str = "all",
    sector: str = "all",
    heater_type: str = "all",
) -> float:
    rows = totals[
        (totals["indicator"] == indicator)
        & (totals["carrier"] == carrier)
        & (totals["sector"] == sector)
        & (totals["heater_type"] == heater_type)
    ]
    assert len(rows) == 1, f"{len(rows)} rows for {indicator}/{carrier}/{sector}/{heater_type}"
    return float(rows["value"].iloc[0])


def test_totals_table_layout(areas_municipality: pd.DataFrame) -> None:
    totals = municipality_totals(areas_municipality)
    assert totals.columns.tolist() == [
        "indicator",
        "carrier",
        "sector",
        "heater_type",
        "value",
        "unit",
    ]
    keys = ["indicator", "carrier", "sector", "heater_type"]
    assert not totals.duplicated(keys).any()
    assert totals["value"].dtype == float


def test_final_energy_and_emissions_by_hand(areas_municipality: pd.DataFrame) -> None:
    t = municipality_totals(areas_municipality)
    assert _value(t, "final_energy") == 82e3  # 60 + 5 + 4 + 8 + 3 + 2 MWh
    assert _value(t, "final_energy", carrier="natural_gas") == 60e3
    assert _value(t, "final_energy", carrier="unknown") == 0.0
    assert _value(t, "final_energy", sector="private_households") == 42e3  # 10+20+5+4+3
    assert _value(t, "final_energy", sector="commerce") == 38e3  # 30 + 8
    assert _value(t, "final_energy", "natural_gas", "private_households") == 30e3
    assert _value(t, "final_energy", "natural_gas", "commerce") == 30e3
    assert math.isclose(_value(t, "co2e"), 19.23, rel_tol=RTOL_ENERGY)
    assert math.isclose(_value(t, "co2e", carrier="natural_gas"), 14.4, rel_tol=RTOL_ENERGY)
    # renewable: wood 4 MWh + unavoidable waste heat 2 MWh of 82 MWh (data/carriers.csv)
    assert math.isclose(_value(t, "renewable_share"), 6e3 / 82e3, rel_tol=RTOL_ENERGY)
    # grid-bound heat: the carriers delivered by a heat network
    grid_bound = t[t["indicator"] == "grid_bound_heat"].set_index("carrier")["value"]
    assert grid_bound.to_dict() == {"district_heat": 8e3, "waste_heat": 2e3}
    assert _value(t, "buildings") == 9.0
    assert _value(t, "buildings_without_demand") == 2.0
    assert _value(t, "heat_demand") == 76_390.0  # 9 + 17 + 27 + 4.25 + 7.84 + 9.3 + 2 MWh


def test_decentral_generators_by_carrier_and_heater_type(areas_municipality: pd.DataFrame) -> None:
    t = municipality_totals(areas_municipality)
    g = t[t["indicator"] == "decentral_generators"]
    assert (g["unit"] == "count").all() and (g["sector"] == "all").all()
    # heat-network carriers (district heat, waste heat) have no decentral generators
    assert not g["carrier"].isin(["district_heat", "waste_heat"]).any()
    assert "substation" not in set(g["heater_type"])
    by_both = g[(g["carrier"] != "all") & (g["heater_type"] != "all")]
    assert by_both.set_index(["carrier", "heater_type"])["value"].to_dict() == {
        ("electricity", "heat_pump_air"): 1.0,
        ("heating_oil", "boiler"): 1.0,
        ("natural_gas", "boiler"): 1.0,
        ("natural_gas", "condensing_boiler"): 3.0,
        ("unknown", "unknown"): 0.0,
        ("wood", "stove"): 3.0,
    }
    by_carrier = g[(g["carrier"] != "all") & (g["heater_type"] == "all")]
    assert by_carrier.set_index("carrier")["value"].to_dict() == {
        "electricity": 1.0,
        "heating_oil": 1.0,
        "natural_gas": 4.0,
        "unknown": 0.0,
        "wood": 3.0,
    }
    by_type = g[(g["carrier"] == "all") & (g["heater_type"] != "all")]
    assert by_type.set_index("heater_type")["value"].to_dict() == {
        "boiler": 2.0,
        "condensing_boiler": 3.0,
        "heat_pump_air": 1.0,
        "stove": 3.0,
        "unknown": 0.0,
    }
    assert _value(t, "decentral_generators") == 9.0


def test_frames_without_heater_type_count_as_unknown(areas_municipality: pd.DataFrame) -> None:
    t = municipality_totals(areas_municipality.drop(columns="heater_type"))
    assert _value(t, "decentral_generators", heater_type="unknown") == 9.0
    assert _value(t, "decentral_generators", "natural_gas", heater_type="unknown") == 4.0
    assert _value(t, "decentral_generators", carrier="natural_gas") == 4.0
    assert set(t["heater_type"]) == {"all", "unknown"}


def test_unknown_codes_raise(areas_municipality: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="Erdgas"):
        municipality_totals(areas_municipality.assign(carrier="Erdgas"))
    with pytest.raises(ValueError, match="gas_boiler"):
        municipality_totals(areas_municipality.assign(heater_type="gas_boiler"))
    with pytest.raises(ValueError, match="co2_t_per_a"):
        municipality_totals(areas_municipality.drop(columns="co2_t_per_a"))


def test_totals_of_no_buildings(areas_municipality: pd.DataFrame) -> None:
    t = municipality_totals(areas_municipality.iloc[:0])
    assert _value(t, "final_energy") == 0.0
    assert _value(t, "buildings") == 0.0
    assert _value(t, "decentral_generators") == 0.0
    assert math.isnan(_value(t, "renewable_share"))


# --- property tests: energy and buildings are conserved through aggregation --------------------
_demand = st.one_of(st.floats(0.0, 1e7, allow_nan=False), st.just(NAN))
_building = st.tuples(
    _demand,  # heat demand [kWh/a]
    _demand,  # final energy [kWh/a]
    st.sampled_from([*CARRIER_CODES, None]),
    st.sampled_from([*HEATER_TYPES, "unknown", None]),
    st.one_of(st.integers(0, 4), st.just(NAN)),  # generators
    st.integers(0, 5),  # block key
    st.integers(0, 3),  # segment key
    st.sampled_from(["cell_a", "cell_b", "cell_c"]),
    st.sampled_from(["SFH", "MFH", None]),
    st.sampled_from(["private_households", "commerce", None]),
)
_COLUMNS = [
    "heat_demand_kwh_per_a",
    "final_energy_kwh_per_a",
    "carrier",
    "heater_type",
    "generators",
    "block_id",
    "segment_id",
    "grid_id",
    "use",
    "sector",
]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    buildings = pd.DataFrame(rows, columns=_COLUMNS)
    buildings["age_class"] = buildings["use"].map({"SFH": "1958-1968", "MFH": "1969-1978"})
    buildings["co2_t_per_a"] = buildings["final_energy_kwh_per_a"] * 2e-4
    return buildings


def _areas() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    blocks = gpd.GeoDataFrame(
        {"block_id": range(7), "area_ha": [0.5 + i for i in range(7)]}, geometry=_squares(7)
    )
    segments = gpd.GeoDataFrame(
        {"segment_id": range(5), "length_m": [10.0 + i for i in range(5)]}, geometry=_squares(5)
    )
    cells = gpd.GeoDataFrame(
        {"grid_id": ["cell_a", "cell_b", "cell_c", "cell_d"]}, geometry=_squares(4), crs=LAEA
    )
    return blocks.set_crs(UTM), segments.set_crs(UTM), cells


@settings(max_examples=50, deadline=None)
@given(st.lists(_building, min_size=0, max_size=40))
def test_aggregation_conserves_energy_and_buildings(rows: list[tuple]) -> None:
    buildings = _frame(rows)
    blocks, segments, cells = _areas()
    total_kwh = float(np.nansum(buildings["heat_demand_kwh_per_a"]))
    unknown_n = int(buildings["heat_demand_kwh_per_a"].isna().sum())
    outputs = [
        block_indicators(buildings, blocks),
        segment_indicators(buildings, segments),
        grid_indicators(buildings, cells),
    ]
    for out in outputs:
        assert _close(out["heat_demand_kwh_per_a"].sum(), total_kwh)
        assert out["buildings"].sum() == len(buildings)
        assert out["buildings_without_demand"].sum() == unknown_n
    totals = municipality_totals(buildings)
    assert _close(_value(totals, "heat_demand"), total_kwh)
    assert _value(totals, "buildings") == len(buildings)
    assert _value(totals, "buildings_without_demand") == unknown_n


@settings(max_examples=50, deadline=None)
@given(st.lists(_building, min_size=1, max_size=40))
def test_block_shares_and_generators_add_up(rows: list[tuple]) -> None:
    buildings = _frame(rows)
    blocks, _, _ = _areas()
    out = block_indicators(buildings, blocks).set_index("block_id")
    final_kwh = buildings.groupby("block_id")["final_energy_kwh_per_a"].sum()
    final_kwh = final_kwh.reindex(out.index, fill_value=0.0)
    shares = out[[c for c in out.columns if c.startswith("share_")]]
    with_energy = final_kwh > 0
    assert np.allclose(shares[with_energy].sum(axis=1), 1.0, rtol=0, atol=ATOL_SHARE * 1e3)
    assert shares[~with_energy].isna().all().all()
    assert ((shares[with_energy] >= 0) & (shares[with_energy] <= 1 + ATOL_SHARE)).all().all()
    generators_n = int(np.nansum(buildings["generators"]))
    assert out["generators"].sum() == generators_n
    by_carrier = out[[c for c in out.columns if c.startswith("generators_")]]
    assert (by_carrier.sum(axis=1) == out["generators"]).all()


def _rows(totals: pd.DataFrame, indicator: str, **fixed: str) -> pd.DataFrame:
    rows = totals[totals["indicator"] == indicator]
    for column in ("carrier", "sector", "heater_type"):
        wanted = fixed.get(column, "all")
        rows = rows[rows[column] != "all"] if wanted == "each" else rows[rows[column] == wanted]
    return rows


@settings(max_examples=50, deadline=None)
@given(st.lists(_building, min_size=0, max_size=40))
def test_totals_breakdowns_add_up(rows: list[tuple]) -> None:
    buildings = _frame(rows)
    t = municipality_totals(buildings)
    final_kwh = float(np.nansum(buildings["final_energy_kwh_per_a"]))
    assert _close(_value(t, "final_energy"), final_kwh)
    for breakdown in (
        {"carrier": "each"},
        {"sector": "each"},
        {"carrier": "each", "sector": "each"},
    ):
        assert _close(_rows(t, "final_energy", **breakdown)["value"].sum(), final_kwh)
    assert _close(_rows(t, "co2e", carrier="each")["value"].sum(), _value(t, "co2e"))
    # decentral generators: all buildings whose carrier is not delivered by a heat network
    decentral = ~buildings["carrier"].isin(HEAT_NETWORK_CARRIERS)
    generators_n = float(np.nansum(buildings.loc[decentral, "generators"]))
    assert _value(t, "decentral_generators") == generators_n
    for breakdown in (
        {"carrier": "each"},
        {"heater_type": "each"},
        {"carrier": "each", "heater_type": "each"},
    ):
        assert _rows(t, "decentral_generators", **breakdown)["value"].sum() == generators_n
    share = _value(t, "renewable_share")
    assert math.isnan(share) if final_kwh == 0 else 0.0 <= share <= 1.0 + ATOL_SHARE


# --- the whole chain on Schutterwald -------------------------------------------------------------
def test_schutterwald_demand_is_conserved_over_blocks_segments_and_cells(
    areas_schutterwald: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    streets, buildings = areas_schutterwald
    frame = buildings.assign(
        final_energy_kwh_per_a=buildings["heat_demand_kwh_per_a"] / 0.9,
        carrier="natural_gas",
        generators=1,
        use=None,
        age_class=None,
    )
    blocks = derive_blocks(streets, buildings)
    segments = street_segments(streets)
    frame["block_id"] = assign_to_blocks(buildings, blocks)
    frame["segment_id"] = assign_to_segments(buildings, segments)
    frame["grid_id"], cells = grid_100m(buildings)
    total_kwh = float(buildings["heat_demand_kwh_per_a"].sum())
    for out in (
        block_indicators(frame, blocks),
        segment_indicators(frame, segments),
        grid_indicators(frame, cells),
    ):
        assert _close(out["heat_demand_kwh_per_a"].sum(), total_kwh)
        assert out["buildings"].sum() == 1506

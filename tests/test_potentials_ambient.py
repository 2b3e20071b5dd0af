"""Decentral heat pumps (ground probes by plot, air units by noise) and industrial waste heat."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from heatplan.potentials.ambient import (
    decentral_heat_pumps,
    plot_areas,
    probe_capacity_kw,
    probe_count,
    required_noise_distance_m,
    sustainable_ground_heat_mwh_per_a,
)
from heatplan.potentials.waste_heat import waste_heat_potentials

#: VDI 4640-2 (2001) Table 2: 50 W/m at 2400 h/a for normal ground, 100 m probes, 6 m apart.
W_PER_M, DEPTH_M = 50.0, 100.0
#: heater_types.csv: seasonal performance factor of ground-source heat pumps (Fraunhofer ISE).
SPF_GROUND = 4.1
#: Shapely approximates round buffers by polygons (8 segments per quarter circle).
BUFFER_ABS_M2 = 0.05


def _houses(geometries: list, demand: list[float | None] | None = None) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"building_id": [f"b{i}" for i in range(len(geometries))]},
        geometry=geometries,
        crs="EPSG:25832",
    )
    if demand is not None:
        frame["heat_demand_kwh_per_a"] = demand
    return frame


def test_probe_capacity_is_probes_times_length_times_w_per_m() -> None:
    np.testing.assert_allclose(
        probe_capacity_kw([0, 1, 3], depth_m=DEPTH_M, extraction_w_per_m=W_PER_M),
        [0.0, 5.0, 15.0],
    )
    with pytest.raises(ValueError, match="negative"):
        probe_capacity_kw([-1], depth_m=DEPTH_M, extraction_w_per_m=W_PER_M)


def test_probe_grid_count_on_rectangles() -> None:
    # 6 m grid: 12 x 6 m holds 3 x 2 corners; 13 x 14 m holds 3 x 3
    areas = [
        shapely.box(0, 0, 12, 6),
        shapely.box(0, 0, 13, 14),
        shapely.Polygon(),
        shapely.box(0, 0, 0.5, 0.5),
    ]
    assert probe_count(areas, spacing_m=6.0).tolist() == [6, 9, 0, 1]
    with pytest.raises(ValueError, match="spacing"):
        probe_count(areas, spacing_m=0.0)


def test_noise_distance_by_hand() -> None:
    # L = L_WA + 6 dB (wall) - 20 lg d - 11 dB <= 40 dB(A)  ->  d = 10^((60 + 6 - 11 - 40)/20)
    expected = 10 ** (15 / 20)
    distance = required_noise_distance_m(
        [60.0, 55.0], 40.0, reflection_db=6.0, tonality_db=0.0, divergence_db=11.0
    )
    np.testing.assert_allclose(distance, [expected, 10 ** (10 / 20)])
    # check back: the level at that distance equals the limit
    level = 60 + 6 - 20 * np.log10(distance[0]) - 11
    assert level == pytest.approx(40.0)


def test_terraced_houses_are_flagged_for_air_and_detached_is_not() -> None:
    row = [shapely.box(i * 14, 0, i * 14 + 10, 10) for i in range(3)]
    detached = shapely.box(300, 0, 312, 10)
    buildings = _houses([*row, detached], demand=[20_000.0, 20_000.0, 20_000.0, 30_000.0])
    result = decentral_heat_pumps(buildings).set_index("building_id")
    # 20,000 kWh/a / 2400 h = 8.3 kW -> 6-12 kW band: BEG 2026 limit 70 - 10 = 60 dB(A)
    assert result.loc["b0", "heating_capacity_kw"] == pytest.approx(20_000 / 2400)
    assert result.loc["b0", "sound_power_db"] == 60.0
    assert result.loc["b0", "required_distance_m"] == pytest.approx(10 ** (15 / 20))
    assert result.loc["b1", "nearest_neighbour_m"] == pytest.approx(4.0)
    assert not result.loc[["b0", "b1", "b2"], "air_ok"].any()
    # 30,000 kWh/a -> 12.5 kW -> 68 dB(A) -> 14.1 m, neighbours far away
    assert result.loc["b3", "sound_power_db"] == 68.0
    assert result.loc["b3", "air_ok"]
    assert "4.0 m < 5.6 m" in result.loc["b1", "reason"]
    # ground: extraction needed = capacity x (1 - 1/SPF)
    assert result.loc["b0", "required_extraction_kw"] == pytest.approx(
        20_000 / 2400 * (1 - 1 / SPF_GROUND)
    )
    assert result["ground_ok"].all()
    np.testing.assert_allclose(
        result["ground_probe_capacity_kw"], result["probe_count"] * DEPTH_M * W_PER_M / 1000
    )


def test_quieter_area_needs_more_distance() -> None:
    buildings = _houses([shapely.box(0, 0, 10, 10), shapely.box(17, 0, 27, 10)], [20_000.0] * 2)
    general = decentral_heat_pumps(buildings)
    pure = decentral_heat_pumps(buildings, area_type="pure_residential")
    # 35 instead of 40 dB(A) at night: distance x 10^(5/20) = 1.78
    np.testing.assert_allclose(
        pure["required_distance_m"], general["required_distance_m"] * 10 ** (5 / 20)
    )
    assert general["air_ok"].all() and not pure["air_ok"].any()  # 7 m vs 5.6 m / 10.0 m
    by_column = decentral_heat_pumps(buildings.assign(noise_area_type=["mixed", None]))
    assert list(by_column["night_limit_db"]) == [45.0, 40.0]
    with pytest.raises(ValueError, match="noise area type"):
        decentral_heat_pumps(buildings, area_type="quiet")


def test_probes_on_a_given_parcel_by_hand() -> None:
    # parcel 30 x 20 m, house 10 x 10 m at x 2..12, y 5..15. Probes keep 3 m from the parcel
    # boundary (x 3..27, y 3..17) and 2 m from the house (blocks x 0..14, y 3..17):
    # free 14..27 x 3..17 = 13 x 14 m, plus the two rounded corners of the 2 m house buffer
    # that reach into it (2 x (2² - pi 2²/4) m²) -> grid 6 m: 3 x 3 = 9 probes = 45 kW.
    house = _houses([shapely.box(2, 5, 12, 15)], demand=[15_000.0])
    parcels = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 30, 20)], crs="EPSG:25832")
    result = decentral_heat_pumps(house, parcels=parcels).iloc[0]
    assert result["plot_area_m2"] == pytest.approx(600.0)
    assert result["free_area_m2"] == pytest.approx(13 * 14 + 2 * (4 - np.pi), abs=BUFFER_ABS_M2)
    assert result["probe_count"] == 9
    assert result["ground_probe_capacity_kw"] == pytest.approx(45.0)
    assert result["ground_ok"]
    assert result["air_ok"]  # no neighbour


def test_dense_block_has_no_room_for_probes() -> None:
    # 3 x 3 houses 10 x 10 m, 1 m apart: the Voronoi plots leave no ground 3 m from the plot
    # boundary and 2 m from every house for the inner house
    grid = [
        shapely.box(i * 11, j * 11, i * 11 + 10, j * 11 + 10) for i in range(3) for j in range(3)
    ]
    result = decentral_heat_pumps(_houses(grid, demand=[25_000.0] * 9)).set_index("building_id")
    inner = result.loc["b4"]
    assert inner["probe_count"] == 0 and not inner["ground_ok"]
    assert "no probe fits" in inner["reason"]
    assert not result["air_ok"].any()


def test_missing_demand_and_bad_inputs() -> None:
    buildings = _houses([shapely.box(0, 0, 10, 10), shapely.box(40, 0, 50, 10)], [None, 5_000.0])
    result = decentral_heat_pumps(buildings)
    assert np.isnan(result.loc[0, "heating_capacity_kw"])
    assert result.loc[0, "sound_power_db"] == 55.0  # smallest unit assumed
    assert "no heat demand" in result.loc[0, "reason"]
    with pytest.raises(ValueError, match="negative"):
        decentral_heat_pumps(buildings.assign(heat_demand_kwh_per_a=[-1.0, 1.0]))
    with pytest.raises(ValueError, match="projected"):
        decentral_heat_pumps(buildings.to_crs(4326))
    with pytest.raises(ValueError, match="building_id"):
        decentral_heat_pumps(buildings.drop(columns="building_id"))
    assert decentral_heat_pumps(buildings.iloc[:0]).empty


def test_real_village_points(areas_schutterwald) -> None:  # type: ignore[no-untyped-def]
    """Schutterwald (Kisse et al. 2020): 1,506 houses as points with measured gas demand."""
    _, buildings = areas_schutterwald
    sample = buildings.iloc[:300]
    result = decentral_heat_pumps(sample)
    assert len(result) == len(sample)
    assert result["ground_ok"].any()
    assert (result["nearest_neighbour_m"] > 0).all()
    assert result["reason"].str.startswith("ground:").all()


def test_waste_heat_register() -> None:
    register = pd.DataFrame(
        {
            "Unternehmen": ["Glaswerk", "Rechenzentrum"],
            "Temperatur": [120.0, 35.0],
            "Leistung_kW": [800.0, 250.0],
            "Betriebsstunden": [6000.0, 8760.0],
            "x": [1.0, 2.0],
        }
    )
    result = waste_heat_potentials(register, temp_supply_c=80.0)
    # capacity x hours: 800 kW x 6000 h = 4,800 MWh; 250 kW x 8760 h = 2,190 MWh
    np.testing.assert_allclose(result["heat_mwh_per_a"], [4800.0, 2190.0])
    assert list(result["direct_use"]) == [True, False]
    assert list(result["x"]) == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"row 2, field hours_per_a"):
        waste_heat_potentials(register.assign(Betriebsstunden=[100.0, 9000.0]))
    with pytest.raises(ValueError, match=r"row 1, field capacity_kw"):
        waste_heat_potentials(register.assign(Leistung_kW=[-5.0, 1.0]))
    with pytest.raises(ValueError, match="missing column"):
        waste_heat_potentials(register.drop(columns="Temperatur"))


# --- sustainable ground heat of dense borehole fields (Walch et al. 2021) --------------------
#: Walch et al. (2021), Renewable Energy 165:369: at most 15.5 kWh/(m² a) of unbuilt land.
DENSITY_KWH_PER_M2_A = 15.5
HOURS_H_PER_A = 2400.0


def test_sustainable_ground_heat_by_hand() -> None:
    # 45 kW x 2400 h = 108 MWh/a from the probes; 500 m² x 15.5 kWh = 7.75 MWh/a of land
    # 5 kW x 2400 h = 12 MWh/a; 1000 m² -> 15.5 MWh/a: the probes limit
    got = sustainable_ground_heat_mwh_per_a(
        pd.Series([45.0, 5.0, 0.0]),
        pd.Series([500.0, 1000.0, 800.0]),
        full_load_hours_h_per_a=HOURS_H_PER_A,
        max_ground_heat_kwh_per_m2_a=DENSITY_KWH_PER_M2_A,
    )
    np.testing.assert_allclose(got, [7.75, 12.0, 0.0])
    scalar = sustainable_ground_heat_mwh_per_a(
        10.0, 100.0, full_load_hours_h_per_a=2400.0, max_ground_heat_kwh_per_m2_a=15.5
    )
    assert float(scalar) == pytest.approx(1.55)
    with pytest.raises(ValueError, match="negative"):
        sustainable_ground_heat_mwh_per_a(
            [-1.0], [1.0], full_load_hours_h_per_a=2400.0, max_ground_heat_kwh_per_m2_a=15.5
        )


def test_parcel_field_is_capped_by_its_land() -> None:
    # the 30 x 20 m parcel of test_probes_on_a_given_parcel_by_hand: 9 probes = 45 kW would
    # run 108 MWh/a; its 600 - 100 m² unbuilt land sustains 500 x 15.5 = 7.75 MWh/a, less
    # than the 15,000 x (1 - 1/4.1) = 11.34 MWh/a the house's heat pump draws
    house = _houses([shapely.box(2, 5, 12, 15)], demand=[15_000.0])
    parcels = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 30, 20)], crs="EPSG:25832")
    row = decentral_heat_pumps(house, parcels=parcels).iloc[0]
    assert row["ground_heat_capacity_mwh_per_a"] == pytest.approx(108.0)
    assert row["unbuilt_area_m2"] == pytest.approx(500.0)
    assert row["ground_heat_mwh_per_a"] == pytest.approx(7.75)
    assert row["required_ground_heat_mwh_per_a"] == pytest.approx(15.0 * (1 - 1 / SPF_GROUND))
    assert row["ground_ok"] and not row["ground_sustainable"]
    assert "sustainable 7.8 MWh/a" in row["reason"] and "< 11.3 MWh/a needed" in row["reason"]
    small = decentral_heat_pumps(house.assign(heat_demand_kwh_per_a=8_000.0), parcels=parcels)
    assert small.iloc[0]["ground_sustainable"]  # 8 x (1 - 1/4.1) = 6.05 <= 7.75 MWh/a


def test_area_total_stays_within_density_times_land() -> None:
    # a 4 x 4 block of detached houses: plots (Voronoi cells) do not overlap, so the sum of the
    # capped heat stays within 15.5 kWh/(m² a) x the land of the plots, while the uncapped
    # probe capacity exceeds it many times over
    houses = [
        shapely.box(i * 30, j * 30, i * 30 + 10, j * 30 + 10) for i in range(4) for j in range(4)
    ]
    result = decentral_heat_pumps(_houses(houses, demand=[12_000.0] * 16))
    plots = plot_areas(_houses(houses))
    land_m2 = plots.union_all().area - sum(h.area for h in houses)
    assert result["ground_heat_mwh_per_a"].sum() <= land_m2 * DENSITY_KWH_PER_M2_A / 1000 + 1e-6
    assert (
        result["ground_heat_capacity_mwh_per_a"].sum() > 5 * result["ground_heat_mwh_per_a"].sum()
    )
    assert (result["ground_heat_mwh_per_a"] <= result["ground_heat_capacity_mwh_per_a"]).all()


def _probe_count_by_loop(area: shapely.Geometry, spacing: float, offsets: int = 3) -> int:
    """The grid count area by area, shift by shift (the straightforward reference)."""
    if area is None or area.is_empty or area.area <= 0:
        return 0
    tolerant = area.buffer(1e-6)
    minx, miny, maxx, maxy = area.bounds
    best = 0
    for dx in np.arange(offsets) * spacing / offsets:
        for dy in np.arange(offsets) * spacing / offsets:
            xs, ys = np.meshgrid(
                np.arange(minx + dx, maxx + 1e-6, spacing),
                np.arange(miny + dy, maxy + 1e-6, spacing),
            )
            best = max(best, int(shapely.intersects_xy(tolerant, xs, ys).sum()))
    return max(best, 1)


def test_vectorised_probe_count_equals_the_loop_on_irregular_areas() -> None:
    """Plots minus house buffers: holes, several parts, slivers, points on the boundary."""
    rng = np.random.default_rng(7)
    areas = []
    for _ in range(150):
        x, y = rng.uniform(0, 1000, 2)
        w, h = rng.uniform(2, 60, 2)
        plot = shapely.box(x, y, x + w, y + h)
        hx, hy = x + rng.uniform(0, w), y + rng.uniform(0, h)
        house = shapely.box(hx, hy, hx + rng.uniform(3, 20), hy + rng.uniform(3, 20)).buffer(3)
        areas.append(plot.difference(house))
    areas += [shapely.box(0, 0, 12, 6), shapely.Polygon(), None]
    expected = [_probe_count_by_loop(a, 6.0) for a in areas]
    assert probe_count(np.array(areas, dtype=object), spacing_m=6.0).tolist() == expected


def test_town_centre_is_the_centroid_of_the_footprints_union() -> None:
    from heatplan.potentials.solar import town_centre

    footprints = gpd.GeoSeries(
        [shapely.box(0, 0, 10, 10), shapely.box(20, 0, 50, 5), shapely.box(0, 30, 4, 34)]
    )
    union = footprints.union_all().centroid
    centre = town_centre(footprints)
    assert (centre.x, centre.y) == pytest.approx((union.x, union.y), abs=1e-9)
    points = gpd.GeoSeries([shapely.Point(0, 0), shapely.Point(4, 2)])
    assert (town_centre(points).x, town_centre(points).y) == pytest.approx((2.0, 1.0))

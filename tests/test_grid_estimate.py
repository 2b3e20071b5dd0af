"""The LV grid estimate for a town without grid data (issue 18): German reference grids
(Kerber 2011, Dickert et al. 2013, as pandapower ships them) per supply area, scaled to the
area's buildings, flagged ``grid_source = estimate``. Run on Schutterwald's houses (the
``areas_schutterwald`` fixture) and on a copy of the demo with its grid removed."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.classify import grid_cost
from heatplan.cli import app
from heatplan.grid import estimate, flow, loads
from heatplan.grid.model import LAYERS
from heatplan.project.store import open_store

#: Fast flow vs pandapower AC on a reference grid: voltage [pu], loading [percentage points].
VOLTAGE_TOL_PU = 0.005
LOADING_TOL_PP = 2.0
runner = CliRunner()


def test_the_rule_picks_the_settlement_type_by_dwellings_and_density() -> None:
    rules = estimate.reference_table().set_index("settlement_type")
    dorf_min = float(rules.loc["dorfnetz", "buildings_per_ha_min"])
    vorstadt_min = float(rules.loc["vorstadtnetz", "buildings_per_ha_min"])
    flats_min = float(rules.loc["multi_dwelling", "dwellings_per_building_min"])
    pick = lambda dw, ha: estimate.settlement_type(dw, ha)["settlement_type"]  # noqa: E731
    assert pick(flats_min, 1.0) == "multi_dwelling"
    assert pick(1.0, vorstadt_min + 1.0) == "vorstadtnetz"
    assert pick(1.0, dorf_min) == "dorfnetz"
    assert pick(1.0, dorf_min - 0.5) == "landnetz"
    assert rules["source"].str.len().gt(40).all()


def _two_areas(houses: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The town cut into a west and an east area at the median house."""
    x_mid, bounds = houses.geometry.x.median(), houses.total_bounds
    return gpd.GeoDataFrame(
        {"area_id": ["W", "E"]},
        geometry=[
            shapely.box(bounds[0] - 1, bounds[1] - 1, x_mid, bounds[3] + 1),
            shapely.box(x_mid, bounds[1] - 1, bounds[2] + 1, bounds[3] + 1),
        ],
        crs=houses.crs,
    )


@pytest.fixture(scope="module")
def guessed(areas_schutterwald):  # type: ignore[no-untyped-def]
    _, houses = areas_schutterwald
    areas = _two_areas(houses)
    return houses, areas, estimate.estimate(houses, areas)


def test_the_estimate_scales_the_reference_grid_to_each_area(guessed) -> None:  # type: ignore[no-untyped-def]
    houses, areas, result = guessed
    choice = result.choice.set_index("area_id")
    assert sorted(choice.index) == ["E", "W"]
    for area_id, row in choice.iterrows():
        # by hand: buildings per hectare of the area's box, the rule's grid, copies to fit
        inside = houses.within(areas.set_index("area_id").geometry[area_id])
        n = int(inside.sum())
        ha = areas.set_index("area_id").geometry[area_id].area / 1e4
        assert row["buildings"] == n and row["buildings_per_ha"] == pytest.approx(n / ha)
        rule = estimate.settlement_type(1.0, n / ha)
        assert row["settlement_type"] == rule["settlement_type"]
        net = estimate.reference_net(rule)
        assert row["copies"] == math.ceil(n / len(net.load))
    # each copy is the whole reference grid: cable length and transformers add up
    total_km = sum(
        r["copies"]
        * estimate.reference_net(estimate.settlement_type(1.0, r["buildings_per_ha"]))
        .line["length_km"]
        .sum()
        for _, r in result.choice.iterrows()
    )
    assert result.grid.lines["length_km"].sum() == pytest.approx(total_km)
    assert len(result.grid.trafos) == choice["copies"].sum()
    assert result.grid.trafos["trafo_id"].is_unique
    # every house on its own connection of a load bus, and every bus fed by a transformer
    assert sorted(result.link["building_id"]) == sorted(houses["building_id"])
    assert result.link["bus_id"].is_unique
    assert set(result.link["bus_id"]) <= set(result.grid.loads["bus_id"])
    network = flow.build(result.grid)
    assert np.bincount(network.area_of_bus).min() > 0


def test_the_fast_flow_on_an_estimated_copy_matches_pandapower(guessed) -> None:  # type: ignore[no-untyped-def]
    import pandapower as pp

    _, _, result = guessed
    first = result.grid.trafos.iloc[0]
    network = flow.build(result.grid)
    area = network.area_of_bus == 0
    # the heaviest hour of a winter: 12 kW at every linked house of the first copy
    linked = np.isin(network.bus_ids, result.link["bus_id"]) & area
    p_mw = np.where(linked, 0.012, 0.0)[:, None]
    fast = flow.solve(network, p_mw, p_mw * loads.reactive_factor())
    rule = estimate.settlement_type(1.0, float(result.choice["buildings_per_ha"].iloc[0]))
    net = estimate.reference_net(rule)
    copy_bus = (
        network.bus_ids[area]
        - int(network.bus_ids[area].min())
        + int(net.bus.index[net.bus["vn_kv"] < 1.0].min())
    )
    net.load["p_mw"] = 0.0
    net.load["q_mvar"] = 0.0
    on = pd.Series(p_mw[area, 0], index=copy_bus)
    net.load["p_mw"] = on.reindex(net.load["bus"]).fillna(0.0).to_numpy()
    net.load["q_mvar"] = net.load["p_mw"] * loads.reactive_factor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp.runpp(net, numba=False)
    ac_vm = net.res_bus["vm_pu"].loc[copy_bus].to_numpy()
    assert np.max(np.abs(fast.vm_pu[area, 0] - ac_vm)) <= VOLTAGE_TOL_PU
    assert fast.vm_pu[area, 0].min() < 0.99  # the load is felt
    ac_trafo = net.res_trafo["loading_percent"].iloc[0]
    assert abs(fast.trafo_loading_percent[0, 0] - ac_trafo) <= LOADING_TOL_PP
    assert first["sn_mva"] == pytest.approx(net.trafo["sn_mva"].iloc[0])


def _without_grid(project: Path, keep_areas: set[str]) -> None:
    """Remove the grid layers of a project and keep only the buildings of ``keep_areas``."""
    store = open_store(str(project / "plan.gpkg"))
    buildings = store.read("buildings")
    areas = store.read("areas")
    small = areas[areas["area_id"].isin(keep_areas)]
    inside = gpd.sjoin(buildings, small[["geometry"]], predicate="within").index.unique()
    with store.transaction(step="test: no grid") as writer:
        writer.write("buildings", buildings.loc[inside], mode="replace")
        for name in LAYERS:
            writer.write(name, gpd.GeoDataFrame({"bus_id": []}, geometry=[], crs=buildings.crs))


@pytest.mark.slow
def test_a_demo_copy_without_grid_is_checked_on_the_estimate(demo_built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyogrio

    project = copy_demo(demo_built, tmp_path / "no-grid")
    _without_grid(project, {"A11", "A12", "A13"})
    result = runner.invoke(app, ["grid", "check", str(project), "--hp-share", "1", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["grid_source"] == "estimate" and doc["buildings_off_grid"] == 0
    stored = pyogrio.read_dataframe(project / "plan.gpkg", layer="grid_supply_areas")
    kept = stored[stored["buildings"] > 0]
    assert set(kept["area_id"]) == {"A11", "A12", "A13"}
    assert (stored["grid_source"] == "estimate").all()
    assert kept["settlement_type"].notna().all()
    trafos = pyogrio.read_dataframe(project / "plan.gpkg", layer="grid_trafo_areas")
    assert (trafos["grid_source"] == "estimate").all()
    de, en = grid_cost.reason(kept.iloc[0])
    assert "geschätzt" in de and "estimated" in en


def test_the_public_layers_say_in_german_that_the_grid_is_estimated() -> None:
    from heatplan.publish.grid import public_supply_areas, public_trafo_areas

    supply = pd.DataFrame(
        {
            "area_id": ["A01"],
            "buildings": [40],
            "grid_source": [estimate.ESTIMATE],
            "settlement_type": ["dorfnetz"],
            "hosting_share": [0.6],
            "reinforcement_eur": [12_345.0],
        }
    )
    public, _ = public_supply_areas(supply)
    assert public.loc[0, "grid_source"] == "geschätzt aus Referenznetzen"
    assert public.loc[0, "settlement_type"] == "Dorfnetz (Kerber)"
    trafos = supply.rename(columns={"area_id": "trafo_id"}).assign(grid_source="imported")
    public, _ = public_trafo_areas(trafos)
    assert public.loc[0, "grid_source"] == "Netzdaten des Netzbetreibers"

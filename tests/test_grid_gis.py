"""An LV grid from GIS layers with a mapping (issue 18): the sample in tests/data/lv_grid/ is
one transformer area of the real Schutterwald grid (T_idx_45, 250 kVA, 60 cables, 31 house
connections; ``scripts/make_lv_grid_sample.py``) with German column names and German numbers.
The imported grid must carry the same power flow as the pandapower net it came from."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.grid import flow, gis, model
from heatplan.grid.model import from_frames
from heatplan.inputs.lv_grid import read_gis_grid
from heatplan.project.store import open_store

DATA = Path(__file__).parent / "data" / "lv_grid"
SAMPLE, MAPPING = DATA / "schutterwald_t45.gpkg", DATA / "mapping.toml"
CRS = "EPSG:25832"
#: Imported vs pandapower-derived grid: voltage [pu] (lengths in the sample rounded to 0.1 m).
VOLTAGE_TOL_PU = 1e-4
runner = CliRunner()


def _read(file: Path = SAMPLE, mapping: Path = MAPPING) -> model.LvGrid:
    return read_gis_grid(
        file, mapping=mapping, trafos=None, connections=None, crs=None, project_crs=CRS
    )


def _reference() -> tuple[model.LvGrid, flow.Network, int]:
    import pandapower.networks as pn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = model.from_pandapower(pn.lv_schutterwald(), crs=CRS)
    network = flow.build(grid)
    return grid, network, int(np.flatnonzero(network.trafo_ids == "T_idx_45")[0])


def test_the_cli_imports_the_layers_with_the_mapping(tmp_path: Path) -> None:
    project = tmp_path / "town"
    runner.invoke(app, ["init", str(project)])
    args = ["import", "lv-grid", str(project), str(SAMPLE), "--mapping", str(MAPPING), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["lv_buses"], counts["lv_lines"], counts["lv_trafos"], counts["lv_loads"]) == (
        61, 60, 1, 31,
    )  # fmt: skip
    store = open_store(str(project / "plan.gpkg"))
    stored = from_frames({name: store.read(name) for name in model.LAYERS})
    assert stored is not None and stored.trafos["trafo_id"].tolist() == ["T_idx_45"]
    assert stored.trafos["sn_mva"].iloc[0] == pytest.approx(0.25)


def test_the_imported_area_carries_the_flow_of_the_pandapower_net() -> None:
    grid = _read()
    ref_grid, ref_net, k = _reference()
    net = flow.build(grid)
    # German lengths '27,3' read as 27.3 m: the cable length adds up to the net's
    area_lines = ref_grid.lines[
        ref_grid.lines["from_bus"].isin(ref_net.bus_ids[ref_net.area_of_bus == k])
    ]
    assert grid.lines["length_km"].sum() == pytest.approx(area_lines["length_km"].sum(), abs=0.003)
    assert set(grid.lines["std_type"]) == set(area_lines["std_type"])
    # 6 kW at every house connection in both grids, busbar at 1.0 pu
    ref_loads = ref_grid.loads[
        ref_grid.loads["bus_id"].isin(ref_net.bus_ids[ref_net.area_of_bus == k])
    ]
    ref_p = np.isin(ref_net.bus_ids, ref_loads["bus_id"]) * 0.006
    ref = flow.solve(
        ref_net, ref_p[:, None], 0.3 * ref_p[:, None], source_pu=np.ones(ref_net.bus_ids.size)
    )
    p = np.isin(net.bus_ids, grid.loads["bus_id"]) * 0.006
    got = flow.solve(net, p[:, None], 0.3 * p[:, None], source_pu=np.ones(net.bus_ids.size))
    # the same buses by position: every bus of the import lies on a bus of the net
    xy = np.column_stack([grid.buses.geometry.x, grid.buses.geometry.y])
    ref_xy = np.column_stack([ref_grid.buses.geometry.x, ref_grid.buses.geometry.y])
    from scipy.spatial import cKDTree

    distance, match = cKDTree(ref_xy).query(xy)
    assert distance.max() < 0.01
    assert np.abs(got.vm_pu[:, 0] - ref.vm_pu[match, 0]).max() <= VOLTAGE_TOL_PU
    assert got.vm_pu.min() < 0.99  # the load is felt
    assert got.trafo_loading_percent[0, 0] == pytest.approx(
        ref.trafo_loading_percent[k, 0], abs=0.1
    )


def test_buildings_link_by_id_before_the_nearest_point() -> None:
    grid = _read()
    loads = grid.loads
    first = loads.iloc[0]
    other = loads.iloc[5]
    # a house named by the first connection, drawn at the sixth: the id wins
    houses = gpd.GeoDataFrame(
        {"building_id": [first["building_id"], "no-such-id"]},
        geometry=[other.geometry, other.geometry],
        crs=CRS,
    )
    link = model.link_buildings(houses, grid, max_distance_m=150.0)
    assert link["bus_id"].tolist() == [first["bus_id"], other["bus_id"]]
    assert link["distance_m"].iloc[0] == 0.0


def _edited(tmp_path: Path, layer: str, edit) -> Path:  # type: ignore[no-untyped-def]
    target = tmp_path / "edited.gpkg"
    shutil.copy(SAMPLE, target)
    frame = gpd.read_file(target, layer=layer)
    gpd.GeoDataFrame(edit(frame), crs=frame.crs).to_file(target, layer=layer, driver="GPKG")
    return target


def test_a_wrong_cable_type_names_file_row_and_field(tmp_path: Path) -> None:
    def bad(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[6, "Kabeltyp"] = "NAYY 4x999"
        return frame

    file = _edited(tmp_path, "kabel", bad)
    with pytest.raises(
        gis.GridInputError, match=r"edited.gpkg, layer kabel, row 7, field std_type"
    ):
        _read(file)


def test_a_connection_point_off_the_cables_names_its_row(tmp_path: Path) -> None:
    def moved(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        point = frame.geometry.iloc[2]
        frame.loc[2, "geometry"] = shapely.Point(point.x + 40.0, point.y)  # 40 m off its cable
        return frame

    file = _edited(tmp_path, "hausanschluesse", moved)
    with pytest.raises(gis.GridInputError, match=r"layer hausanschluesse, row 3, field geometry"):
        _read(file)


def test_german_thousands_are_not_read_as_decimals(tmp_path: Path) -> None:
    def long(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, "Laenge_m"] = "1.500"  # 1,500 m in a German file
        return frame

    grid = _read(_edited(tmp_path, "kabel", long))
    assert grid.lines["length_km"].iloc[0] == pytest.approx(1.5)


def test_a_bad_mapping_says_which_column_is_missing(tmp_path: Path) -> None:
    project = tmp_path / "town"
    runner.invoke(app, ["init", str(project)])
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        MAPPING.read_text(encoding="utf-8").replace("Kabeltyp =", "Typ ="), encoding="utf-8"
    )
    args = ["import", "lv-grid", str(project), str(SAMPLE), "--mapping", str(mapping), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert "'Typ'" in error and "kabel" in error
    assert not open_store(str(project / "plan.gpkg")).has("lv_buses")  # nothing half-written

"""Shared fixtures. Fixtures of the areas tests start with ``areas_``."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.plan import Plan

#: Run by Debian's /usr/bin/python3 (PyQGIS) in a subprocess, never imported by pytest
#: (--doctest-modules would import it into the venv, which has no qgis module).
collect_ignore = ["qgis_render.py"]

sys.path.insert(0, str(Path(__file__).parent))  # tests/pg.py, a plugin (--import-mode=importlib)
pytest_plugins = ["pg"]

#: Gas billing conversion, kWh (Hi) per m³ natural gas (data/unit_conversions.csv).
GAS_KWH_PER_M3 = 9.5


def _schutterwald_net():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandapipes
        import pandapipes.networks

        path = (
            Path(pandapipes.networks.__file__).parent
            / "network_files"
            / "gas_net_schutterwald_1bar.json"
        )
        return pandapipes.from_json(str(path))


@pytest.fixture(scope="session")
def areas_schutterwald() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Streets and buildings of Schutterwald from the pandapipes gas network (Kisse et al. 2020).

    Streets are the gas pipes without the house-connection pipes (those ending in a sink
    junction); buildings are the sink junctions with ``heat_demand_kwh_per_a`` = measured
    ``demand_m3_per_a`` x 9.5 kWh/m³. Coordinates: Gauss-Krüger zone 3 (EPSG:31467) reprojected
    to EPSG:25832.
    """
    net = _schutterwald_net()
    xy = net.junction_geodata[["x", "y"]]
    sink_junctions = set(net.sink["junction"])
    pipes = net.pipe
    street_pipes = pipes[
        ~(pipes["from_junction"].isin(sink_junctions) | pipes["to_junction"].isin(sink_junctions))
    ]
    start = xy.loc[street_pipes["from_junction"]].to_numpy()
    end = xy.loc[street_pipes["to_junction"]].to_numpy()
    lines = shapely.linestrings([[tuple(a), tuple(b)] for a, b in zip(start, end, strict=True)])
    streets = gpd.GeoDataFrame(geometry=lines, crs="EPSG:31467").to_crs("EPSG:25832")
    sink_xy = xy.loc[net.sink["junction"]].to_numpy()
    buildings = gpd.GeoDataFrame(
        {
            "building_id": net.sink["name"].to_numpy(),
            "heat_demand_kwh_per_a": net.sink["demand_m3_per_a"].to_numpy() * GAS_KWH_PER_M3,
        },
        geometry=shapely.points(sink_xy),
        crs="EPSG:31467",
    ).to_crs("EPSG:25832")
    return streets.reset_index(drop=True), buildings.reset_index(drop=True)


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The Schutterwald demo built once a session by ``heatplan demo --json``: its folder and
    the printed summary. Read only: a test that changes the project works on :func:`copy_demo`."""
    out = tmp_path_factory.mktemp("demo-session") / "schutterwald"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


@pytest.fixture(scope="session")
def demo_plan(demo_built: tuple[Path, dict]) -> Plan:
    """The session's Schutterwald demo as an in-memory :class:`Plan` (every frame), read once.
    Read only: a test that changes it works on ``demo_plan.copy()``."""
    return Plan.from_project(demo_built[0])

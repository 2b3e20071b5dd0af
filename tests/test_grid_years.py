"""The LV grid check at every snapshot year of the scenario in one call (issue 18), on a copy
of the demo (Schutterwald's real grid) reduced to the houses of three areas to stay quick."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app
from heatplan.project.store import open_store
from heatplan.steps.grid import plan_hp_share

runner = CliRunner()
KEEP = {"A09", "A10", "A11"}


def _fewer_buildings(project: Path) -> None:
    store = open_store(str(project / "plan.gpkg"))
    buildings, areas = store.read("buildings"), store.read("areas")
    small = areas[areas["area_id"].isin(KEEP)]
    inside = gpd.sjoin(buildings, small[["geometry"]], predicate="within").index.unique()
    with store.transaction(step="test: fewer buildings") as writer:
        writer.write("buildings", buildings.loc[inside], mode="replace")


@pytest.mark.slow
def test_every_snapshot_year_in_one_call(demo_built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = copy_demo(demo_built, tmp_path / "years")
    _fewer_buildings(project)
    result = runner.invoke(app, ["grid", "check", str(project), "--all-years", "--json"])
    assert result.exit_code == 0, result.output
    years = json.loads(result.stdout)["years"]
    assert list(years) == ["2030", "2035", "2040", "2045"]
    store = open_store(str(project / "plan.gpkg"))
    indicators = store.read("scenario_indicators")
    for year, summary in years.items():
        assert summary["hp_share"] == pytest.approx(plan_hp_share(indicators, int(year)))
    by_year = store.read("grid_supply_areas_by_year")
    trafo_years = store.read("grid_trafo_areas_by_year")
    assert sorted(by_year["year"].unique()) == [2030, 2035, 2040, 2045]
    assert len(trafo_years) == 4 * trafo_years["trafo_id"].nunique()
    # nested shares: a later year's heat pumps include the earlier ones, so the highest
    # transformer loading and the reinforcement never fall from one year to the next
    wide = trafo_years.pivot(index="trafo_id", columns="year", values="trafo_max_percent_plan")
    assert (np.diff(wide.to_numpy(), axis=1) >= -1e-6).all()
    cost = trafo_years.groupby("year")["reinforcement_eur"].sum()
    assert (np.diff(cost.to_numpy()) >= 0).all()
    # the classification's frame is the target year's
    main = store.read("grid_supply_areas").set_index("area_id").sort_index()
    last = by_year[by_year["year"] == 2045].set_index("area_id").sort_index()
    assert (main["year"] == 2045).all()
    np.testing.assert_allclose(main["reinforcement_eur"], last["reinforcement_eur"])
    assert set(last.loc[last["buildings"] > 0].index) == KEEP

"""A plan computed from frames in memory, with no project folder and no store: what a
country-scale runner does per partition. It must give the figures the CLI stores for the demo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from heatplan.demo.schutterwald import input_frames
from heatplan.inputs.imports import buildings_frame
from heatplan.inputs.tables import consumption_frame
from heatplan.plan import Plan
from heatplan.stages import areas, classify, inventory, potentials, scenario


@pytest.fixture(scope="module")
def planned(demo_plan: Plan) -> Plan:
    raw = input_frames(crs=demo_plan.settings.project.crs)
    crs = demo_plan.settings.project.crs
    buildings, rejected = buildings_frame(raw["buildings"], file=Path("buildings.geojson"), crs=crs)
    consumption, rejected_rows = consumption_frame(
        raw["consumption"].astype(str), file=Path("consumption.csv")
    )
    assert rejected.empty and rejected_rows.empty
    plan = Plan.from_frames(
        settings=demo_plan.settings,  # the demo's heatplan.toml, as data
        buildings=buildings,
        consumption=consumption,
        streets=raw["streets"],
        gas_networks=raw["gas_network"],
        # the LV grid check the demo stored (heatplan grid check): its reinforcement annuity
        # enters the decentral full cost of the classification, as in the CLI
        grid_supply_areas=demo_plan.get("grid_supply_areas"),
    )
    for stage in (inventory, potentials, areas, classify, scenario):
        plan, _ = stage.run(plan)
    return plan


def test_the_stages_need_no_project_folder(planned: Plan) -> None:
    assert planned.source == ""  # never read from or written to a store
    assert {"blocks", "areas", "potentials", "scenario_costs"} <= set(planned.names)


def test_frames_in_memory_plan_what_the_cli_stored(planned: Plan, demo_plan: Plan) -> None:
    total = planned.buildings["heat_demand_kwh_per_a"].sum()
    assert total == pytest.approx(demo_plan.buildings["heat_demand_kwh_per_a"].sum(), rel=1e-9)
    columns = ["area_id", "buildings", "area_type_2045", "likelihood_2045"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(planned.areas[columns]), pd.DataFrame(demo_plan.areas[columns])
    )
    lcoh = "network_lcoh_eur_per_mwh"
    assert planned.areas[lcoh].to_numpy() == pytest.approx(
        demo_plan.areas[lcoh].to_numpy(), rel=1e-6, nan_ok=True
    )

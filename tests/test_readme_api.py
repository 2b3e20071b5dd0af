"""The README's Python API example runs as written, and in memory it plans what the CLI plans."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from tests.demo_copy import copy_demo

from heatplan.plan import Plan

README = Path(__file__).resolve().parents[1] / "README.md"
MARK = "<!-- api-example:"


def readme_example() -> str:
    """The python block after the ``api-example`` mark in the README."""
    text = README.read_text(encoding="utf-8")
    after = text[text.index(MARK) :]
    found = re.search(r"```python\n(.*?)```", after, flags=re.S)
    assert found is not None, "README: no python block after the api-example mark"
    return found.group(1)


@pytest.fixture(scope="module")
def ran(
    demo_built: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("readme-api")
    copy_demo(demo_built, folder / "schutterwald")
    here = Path.cwd()
    os.chdir(folder)
    try:
        names: dict[str, object] = {}
        exec(compile(readme_example(), str(README), "exec"), names)
    finally:
        os.chdir(here)
    return folder, names


def test_the_example_plans_the_town_as_the_cli_does(
    ran: tuple[Path, dict[str, object]], demo_built: tuple[Path, dict]
) -> None:
    _, names = ran
    plan = names["plan"]
    assert isinstance(plan, Plan)
    cli = Plan.from_project(demo_built[0], frames=["areas", "scenario_costs"])
    columns = ["area_id", "area_type_2045", "likelihood_2045", "network_lcoh_eur_per_mwh"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(plan.areas[columns]), pd.DataFrame(cli.areas[columns]), rtol=1e-9
    )
    costs = cli.frame("scenario_costs").set_index("variant")["total_cost_eur"]
    assert names["summary"].costs["base"]["total_cost_eur"] == pytest.approx(costs["base"])  # type: ignore[attr-defined]


def test_the_example_writes_one_new_store_with_what_it_made(
    ran: tuple[Path, dict[str, object]],
) -> None:
    folder, names = ran
    copy = Plan.from_store(folder / "schutterwald-copy.gpkg")
    made = {"blocks", "street_segments", "grid_100m", "totals", "potentials", "areas"}
    assert made <= set(copy.names)
    assert {"network_pipes", "measures"}.isdisjoint(copy.names)  # only what the example made
    assert copy.areas["area_type_2045"].notna().all()
    assert names["plan"].changed == set()  # type: ignore[attr-defined]

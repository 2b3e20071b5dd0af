"""The public edition audited as one release: attacks on the demo and on generated towns.

The intruder (tests/attacks.py) is written apart from heatplan.publish: it knows which buildings
stand behind each published figure and tries differences, peeling, linear combinations and
linear programs. Without the audit (the layers' own rules only) it recovers single buildings
of Schutterwald; with it, nothing over fewer than 5 buildings (heaters: 3).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from typer.testing import CliRunner

from attacks import (
    category_sums,
    demand_sums,
    differences,
    lp_intervals,
    peeled,
    single_buildings_in_row_space,
    small_category_groups,
)
from heatplan.cli import app
from heatplan.project.store import GeoPackageStore
from heatplan.publish.audit import audit_sums
from heatplan.publish.costs import ROUND_EUR_PER_MWH, option_cost_table
from heatplan.publish.layers import RELEASE_INPUTS, public_layers
from heatplan.publish.release import PROTECTION_SHARE
from web_demo import web_demo

MIN = 5


def test_exact_disclosure_of_a_nested_difference() -> None:
    # a block of 6 and a 100 m cell with 5 of them: the sixth building is their difference
    members = sparse.csr_matrix(np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0.0]]))
    found = audit_sums(members, np.arange(1.0, 7.0), np.arange(6), minimum=5, protection_share=0.1)
    assert [(d.kind, d.contributors, d.value) for d in found.disclosures] == [("exact", 1, 6.0)]
    # both figures take part: suppressing either one protects the building
    assert sorted(found.disclosures[0].figures.tolist()) == [0, 1]


def test_union_of_two_small_groups_is_found() -> None:
    # items: a, b (2 buildings each), c (10 buildings); A = a+b+c, C = c + d (d: 6 buildings),
    # D = d. a and b alone are hidden (a+e and b+f are not published), but a+b = A - C + D.
    owners = np.arange(20)
    rows = [list(range(0, 14)), list(range(4, 20)), list(range(14, 20))]
    dense = np.zeros((3, 20))
    for i, r in enumerate(rows):
        dense[i, r] = 1.0
    found = audit_sums(
        sparse.csr_matrix(dense), np.ones(20), owners, minimum=5, protection_share=0.1
    )
    exact = [d for d in found.disclosures if d.kind == "exact"]
    assert len(exact) == 1 and exact[0].contributors == 4


def test_interval_disclosure_from_non_negativity() -> None:
    # a (1 building, 100) hides in F1 = a + b (b: 6 buildings, 1 in total); F2 = b + c = 1.5 caps
    # b, so a lies in [99.5, 101]: no exact combination, but inside a 10 % protection interval
    owners = np.arange(13)
    values = np.r_[100.0, np.full(6, 1 / 6), np.full(6, 0.5 / 6)]
    dense = np.zeros((2, 13))
    dense[0, :7] = 1
    dense[1, 1:] = 1
    found = audit_sums(sparse.csr_matrix(dense), values, owners, minimum=5, protection_share=0.1)
    assert [(d.kind, d.contributors) for d in found.disclosures] == [("interval", 1)]
    d = found.disclosures[0]
    assert d.lower == pytest.approx(99.5) and d.upper == pytest.approx(101.0)
    wide = audit_sums(sparse.csr_matrix(dense), values, owners, minimum=5, protection_share=0.001)
    assert not wide.disclosures


# --- the demo ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return web_demo(tmp_path_factory)


@pytest.fixture(scope="module")
def frames(demo: Path) -> dict[str, pd.DataFrame]:
    store = GeoPackageStore(demo / "plan.gpkg")
    return {n: store.read(n) for n in RELEASE_INPUTS if store.has(n)}


def test_the_three_attacks_work_without_the_audit(frames: dict[str, pd.DataFrame]) -> None:
    naive, withheld = public_layers({n: f for n, f in frames.items() if n != "buildings"})
    assert withheld.audit.status != "passed"
    sums = demand_sums(naive, frames)
    pairs = differences(sums, MIN)
    # block minus 100 m cell: a group under the minimum (three houses in the demo)
    assert any(
        o.startswith("blocks") and i.startswith("grid_100m") and n < MIN for o, i, n in pairs
    )
    # block minus street segment: one house
    assert any(
        o.startswith("blocks") and i.startswith("street_segments") and n == 1 for o, i, n in pairs
    )
    # the air heat-pump potential of a block is its demand: it differences like the block
    assert any(o.startswith("potentials_by_block") for o, i, n in pairs)
    assert single_buildings_in_row_space(sums)


def test_no_attack_works_on_the_release(frames: dict[str, pd.DataFrame]) -> None:
    layers, withheld = public_layers(frames)
    audit = withheld.audit
    assert audit.status == "passed"
    assert audit.figures_checked["heat_demand"] > 300 and audit.lp_solves > 0
    assert sum(audit.suppressed_figures.values()) > 0
    sums = demand_sums(layers, frames)
    assert len(sums) > 300  # the release still says a lot
    assert differences(sums, MIN) == []
    assert peeled(sums, MIN) == []
    assert single_buildings_in_row_space(sums) == []
    assert audit.unenforced == {}
    for family, minimum in (("heaters", 3), ("energy", MIN)):
        cells, truth = category_sums(layers, frames, family)
        assert cells and small_category_groups(cells, truth, minimum) == [], family


def test_public_pipes_are_mains_of_at_least_five_buildings(frames: dict[str, pd.DataFrame]) -> None:
    layers, _ = public_layers(frames)
    pipes = frames["network_pipes"].set_index("pipe_id")
    public = layers["network_pipes"]
    assert len(public) and "downstream_buildings" not in public.columns
    downstream = pipes.loc[public["pipe_id"], "downstream_buildings"]
    assert (downstream >= MIN).all()
    assert (pipes["downstream_buildings"] < MIN).sum() > len(pipes) - len(public) - 1


def test_export_json_and_report_carry_the_audit(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.gpkg"
    result = CliRunner().invoke(app, ["export", str(demo), "--format", "gpkg", "--out", str(out),
                                      "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    audit = json.loads(result.stdout)["disclosure_audit"]
    assert audit["status"] == "passed" and audit["suppressed_figures"]
    project = tmp_path / "demo"
    shutil.copytree(demo, project, ignore=shutil.ignore_patterns("report", "export", ".heatplan*"))
    result = CliRunner().invoke(app, ["report", str(project)])
    assert result.exit_code == 0, result.output
    html = (project / "report" / "plan.html").read_text(encoding="utf-8")
    assert "Offenlegungsprüfung aller veröffentlichten Werte zusammen" in html


# --- generated towns --------------------------------------------------------------------------

CARRIERS = ("natural_gas", "heating_oil", "heat_pump")


@st.composite
def towns(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """Buildings in blocks, street segments and 100 m cells that cut across each other."""
    n = draw(st.integers(12, 60))
    blocks = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    segment_shift = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    cell_shift = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    demand = draw(st.lists(st.floats(2_000, 90_000), min_size=n, max_size=n))
    carriers = draw(st.lists(st.sampled_from(CARRIERS), min_size=n, max_size=n))
    heaters = draw(st.lists(st.sampled_from(("boiler", "condensing")), min_size=n, max_size=n))
    buildings = pd.DataFrame(
        {
            "building_id": [f"B{i}" for i in range(n)],
            "block_id": blocks,
            "segment_id": [b * 2 + s for b, s in zip(blocks, segment_shift, strict=True)],
            "grid_id": [f"c{(b + s) // 2}-{s}" for b, s in zip(blocks, cell_shift, strict=True)],
            "heat_demand_kwh_per_a": demand,
            "carrier": carriers,
            "heater_type": heaters,
            "final_energy_kwh_per_a": [d / 0.9 for d in demand],
            "generators": 1,
        }
    )
    return _frames(buildings, areas=[[0, 1, 2], [3, 4, 5]])


def _sums(buildings: pd.DataFrame, key: str) -> pd.DataFrame:
    grouped = buildings.groupby(key)
    table = grouped.agg(
        buildings=("building_id", "size"), heat_demand_kwh_per_a=("heat_demand_kwh_per_a", "sum")
    )
    table["buildings_without_demand"] = 0
    return table.reset_index()


def _frames(buildings: pd.DataFrame, areas: list[list[int]]) -> dict[str, pd.DataFrame]:
    blocks = _sums(buildings, "block_id")
    counts = pd.crosstab(buildings["block_id"], buildings["carrier"]).add_prefix("generators_")
    blocks = blocks.join(counts, on="block_id")
    blocks["generators"] = blocks["buildings"]
    rows = []
    for i, members in enumerate(areas):
        inside = buildings[buildings["block_id"].isin(members)]
        rows.append({
            "area_id": f"A{i}",
            "block_ids": ",".join(str(b) for b in members),
            "buildings": len(inside),
            "heat_demand_mwh_per_a": inside["heat_demand_kwh_per_a"].sum() / 1000,
        })  # fmt: skip
    totals = [{"indicator": "heat_demand", "carrier": "all",
               "value": buildings["heat_demand_kwh_per_a"].sum()}]  # fmt: skip
    for carrier, count in buildings["carrier"].value_counts().items():
        totals.append({"indicator": "decentral_generators", "carrier": carrier, "value": count})
    return {
        "buildings": buildings,
        "blocks": blocks,
        "street_segments": _sums(buildings, "segment_id"),
        "grid_100m": _sums(buildings, "grid_id"),
        "areas": pd.DataFrame(rows),
        "totals": pd.DataFrame(totals),
    }


def _heater_differences(layers: dict[str, pd.DataFrame], buildings: pd.DataFrame) -> list[str]:
    """Heater counts of 1-2 heaters read off a block cell, or a block total minus its cells."""
    found = []
    blocks = layers["blocks"]
    for carrier in CARRIERS:
        column = f"generators_{carrier}"
        if column not in blocks.columns:
            continue
        shown = blocks[column].dropna()
        found += [f"{column}@{b}" for b, v in shown.items() if 0 < v < 3]
        others = [
            f"generators_{c}" for c in CARRIERS if c != carrier and f"generators_{c}" in blocks
        ]
        rest = blocks["generators"] - blocks[others].sum(axis=1, min_count=len(others))
        hidden = blocks[column].isna() & rest.notna() & (rest > 0) & (rest < 3)
        found += [f"{column}=total-others@{b}" for b in blocks.index[hidden]]
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(towns())
def test_generated_towns_resist_every_attack(town: dict[str, pd.DataFrame]) -> None:
    layers, withheld = public_layers(town)
    # a tiny town whose total is dominated by a few buildings cannot hide them behind the
    # municipal total (never suppressed): the audit says so instead of claiming protection
    assert withheld.audit.status.startswith("passed")
    assert set(withheld.audit.unenforced) <= {"totals"}
    sums = demand_sums(layers, town)
    assert differences(sums, MIN) == []
    assert peeled(sums, MIN) == []
    assert single_buildings_in_row_space(sums) == []
    demand = town["buildings"].set_index("building_id")["heat_demand_kwh_per_a"]
    for building, (low, high) in lp_intervals(sums, list(demand.index)).items():
        value = demand[building]
        assert (
            low <= value * (1 - PROTECTION_SHARE) + 1e-6
            or high >= value * (1 + PROTECTION_SHARE) - 1e-6
        ), building
    assert _heater_differences(layers, town["buildings"]) == []
    for family, minimum in (("heaters", 3), ("energy", MIN)):
        cells, truth = category_sums(layers, town, family)
        assert small_category_groups(cells, truth, minimum) == [], family


def test_option_costs_are_rounded_medians_of_five_or_more() -> None:
    rows = pd.DataFrame(
        {
            "area_id": ["A"] * 6 + ["B"] * 3,
            "use": ["sfh"] * 9,
            "age_class": ["1949-1978"] * 4 + ["1979-1994"] * 2 + ["1949-1978"] * 3,
            "lcoh": [141.3, 152.9, 163.2, 171.0, 180.4, 199.9, 120.0, 130.0, 125.0],
        }
    )
    table = option_cost_table(rows, {"air_hp": "lcoh"})
    # no group of fewer than 5 buildings: A's age classes (4 and 2) and area B (3) are not there
    assert set(table["scope"]) == {"area_use", "area", "town_use_age", "town"}
    assert (table["buildings"] >= 5).all()
    area = table[table["scope"] == "area"].iloc[0]
    assert area["area_id"] == "A" and area["air_hp"] == 165.0  # median 167.1 -> 165
    assert (table["air_hp"] % ROUND_EUR_PER_MWH == 0).all()
    assert not set(table["air_hp"]) & set(rows["lcoh"])


def test_inventory_cells_the_audit_hides_take_their_emissions_along(tmp_path: Path) -> None:
    # Testdorf (tests/test_export_xwp_content.py): its carrier x sector table gives one gas
    # building away by the four-cell difference gas - all - gas households + all households,
    # which the table's own margin rule does not see; the audit hides the cells it needs.
    from heatplan.project.config import load_config
    from heatplan.project.store import open_store
    from test_export_xwp_content import make_project

    project = make_project(tmp_path)
    store = open_store(load_config(project).store_url(project))
    frames = {n: store.read(n) for n in RELEASE_INPUTS if store.has(n)}
    layers, withheld = public_layers(frames)
    assert withheld.audit.suppressed_figures.get("inventory", 0) > 0
    inventory = layers["inventory"]
    dims = ["carrier", "sector", "heater_type"]
    energy = inventory[inventory["indicator"] == "final_energy"].set_index(dims)["value"]
    co2 = inventory[inventory["indicator"] == "co2e"].set_index(dims)["value"]
    both = energy.index.intersection(co2.index)
    assert len(both)
    assert (energy[both].isna() == co2[both].isna()).all()


def test_the_release_is_remembered_by_content_only() -> None:
    buildings = pd.DataFrame(
        {
            "building_id": [f"B{i}" for i in range(12)],
            "block_id": [0] * 6 + [1] * 6,
            "segment_id": [0] * 12,
            "grid_id": ["c0"] * 12,
            "heat_demand_kwh_per_a": np.linspace(10_000, 21_000, 12),
            "carrier": "natural_gas",
            "generators": 1,
        }
    )
    town = _frames(buildings, areas=[[0, 1]])
    total = float(buildings["heat_demand_kwh_per_a"].sum())
    first, _ = public_layers(town)
    first["blocks"]["heat_demand_kwh_per_a"] = 0.0  # a caller's edit stays the caller's
    again, _ = public_layers(town)
    assert again["blocks"]["heat_demand_kwh_per_a"].sum() == pytest.approx(total)
    town["buildings"].loc[0, "heat_demand_kwh_per_a"] += 500.0
    town["blocks"].loc[town["blocks"]["block_id"] == 0, "heat_demand_kwh_per_a"] += 500.0
    changed, _ = public_layers(town)
    assert changed["blocks"]["heat_demand_kwh_per_a"].sum() == pytest.approx(total + 500.0)


def test_a_subtraction_leaving_four_atoms_is_found() -> None:
    # a 100 m cell holds a block of 6 houses and 4 houses that each lie in a street segment of
    # their own with 5 others: cell minus block gives the 4 houses' sum, a union of 4 atoms
    # (beyond the pairs and triples of the null-space search)
    houses = 6 + 4 + 4 * 5
    owners = np.arange(houses)
    dense = np.zeros((6, houses))
    dense[0, :10] = 1  # the cell: block + the 4 houses
    dense[1, :6] = 1  # the block
    for k in range(4):  # each of the 4 houses with 5 houses outside the cell
        others = 10 + 5 * k + np.arange(5)
        dense[2 + k, [6 + k, *others]] = 1
    found = audit_sums(
        sparse.csr_matrix(dense), np.arange(1.0, houses + 1), owners, minimum=5,
        protection_share=0.1,
    )  # fmt: skip
    exact = [d for d in found.disclosures if d.kind == "exact"]
    assert [(d.contributors, sorted(d.figures.tolist())) for d in exact] == [(4, [0, 1])]
    assert exact[0].value == pytest.approx(7.0 + 8 + 9 + 10)


#: Run in a fresh interpreter: the audit forks only where no other thread runs, and the test
#: process has threads of earlier tests.
TWO_PROCESSES = """
import json, pickle, sys
import pandas as pd
from heatplan.project.store import GeoPackageStore
from heatplan.publish import layers, release
from heatplan.publish.layers import RELEASE_INPUTS, public_layers

store = GeoPackageStore(sys.argv[1])
frames = {n: store.read(n) for n in RELEASE_INPUTS if store.has(n)}
pools = []


class Pool(release.ProcessPoolExecutor):
    def __init__(self, *args, **kwargs):
        pools.append(self)
        super().__init__(*args, **kwargs)


release.ProcessPoolExecutor = Pool
editions = []
for threshold in (0, 10**9):  # two processes, then this one
    release.PARALLEL_FIGURES = threshold
    layers._RELEASES.clear()
    editions.append(public_layers(frames))
(parallel, held_parallel), (serial, held_serial) = editions
for name in serial:
    pd.testing.assert_frame_equal(parallel[name], serial[name])
print(json.dumps({
    "pools": len(pools),
    "same_account": held_parallel.audit == held_serial.audit,
    "same_layers": sorted(parallel) == sorted(serial),
    "rounds": held_serial.audit.rounds,
    "suppressed": sum(held_serial.audit.suppressed_figures.values()),
}))
"""


def test_the_families_audited_in_two_processes_give_the_same_release(demo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", TWO_PROCESSES, str(demo / "plan.gpkg")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HEATPLAN_WORKERS": ""},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["pools"] == 1  # the first edition was audited in two processes
    assert outcome["same_account"] and outcome["same_layers"]
    assert outcome["rounds"] > 1 and outcome["suppressed"] > 0

"""The public edition as one release of figures, audited as a whole before anything leaves.

Each public layer follows its own rules first (:mod:`heatplan.publish.layers`: rows over fewer
than 5 buildings suppressed, secondary suppression within a layer). Together, though, the
layers overlap: a block and a 100 m cell, a block and a street segment, the air heat-pump
potential of a block (it *is* the block's heat demand without the excluded buildings), the
heat a planned network delivers, the municipal totals. :func:`audit_release` registers every
released figure with the buildings behind it, audits the whole set with
:func:`heatplan.publish.audit.audit_sums` — exact differencing of any combination and the LP
protection interval — and suppresses further figures until nothing discloses fewer than 5
buildings (heater figures: 3). It reports what it checked and how many figures it suppressed
(counts, never values).

Two families of protected values are audited:

- ``heat_demand``: each building's heat demand [kWh/a] — blocks, street segments, 100 m cells,
  supply areas, air heat-pump potentials per block, planned networks, the municipal total;
- ``heaters``: each building's heaters by carrier [count] — per block by carrier and in total,
  the municipal totals by carrier.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from heatplan.parallel import WORKERS_ENV
from heatplan.plan import columns as col
from heatplan.publish.audit import Disclosure, audit_sums
from heatplan.publish.block_cells import OTHER, unit_keys
from heatplan.publish.figures import WHOLE_ROW, BuildingIndex, Cell, Family
from heatplan.publish.figures import families as released_figures
from heatplan.publish.intervals import KeptLps
from heatplan.publish.rules import (
    MIN_BUILDINGS_CONSUMPTION,
    MIN_BUILDINGS_HEATER,
    SUPPRESSED_NOTICE,
    suppress_area_rows,
)

__all__ = ["PROTECTION_SHARE", "ReleaseAudit", "audit_release"]

#: Share of a protected sum its feasible interval must reach below and above [-]: p = 10 % of
#: the p%-rule as used in the worked examples of Hundepool et al. (2012), Statistical
#: Disclosure Control, Wiley, § 4.2.2. Not a project setting: one rule for every public
#: edition (the API's ``protection_share`` arguments are for tests and studies).
PROTECTION_SHARE = 0.10
#: The order in which figures are given up to protect a group (first: least needed by the
#: plan; the municipal totals of WPG Anlage 2 are never given up).
SUPPRESSION_ORDER = (
    "grid_100m",
    "street_segments",
    "potentials_by_block",
    "block_heaters",
    "block_energy",
    "networks",
    "blocks",
    "inventory",
    "areas",
)
#: Figures of a combination up to which every one of them counts as taking part [count].
LOCAL_FIGURES = 8
#: Layers whose figures the plan itself states (WPG Anlage 2): given up for a long
#: combination only if no finer figure of the whole combination can break it.
PLAN_LEVEL = ("inventory", "areas")
#: Figures of a release above which its families are audited in two processes [count] (the
#: 5,000-building town has 15,000; a process costs about a second to start).
PARALLEL_FIGURES = 8_000
#: Most rounds of audit and suppression (each round suppresses at least one figure).
MAX_ROUNDS = 200
#: Inventory indicators that restate one cell's final energy (CO2e: a factor per carrier).
CONSUMPTION_INDICATORS = ("final_energy", "co2e")
#: Block x category tables: a suppressed cell joins the block's :data:`OTHER` cell.
CELL_TABLES = ("block_energy", "block_heaters")


@dataclass
class ReleaseAudit:
    """What the audit of the public edition checked and what it suppressed (counts only)."""

    status: str = "passed"
    minimum_buildings: int = MIN_BUILDINGS_CONSUMPTION
    minimum_heater_buildings: int = MIN_BUILDINGS_HEATER
    protection_share: float = PROTECTION_SHARE
    rounds: int = 0
    figures_checked: dict[str, int] = field(default_factory=dict)
    atoms: dict[str, int] = field(default_factory=dict)
    lp_solves: int = 0
    #: per family, the last round's components with a small atom and the largest one's atoms
    components: dict[str, int] = field(default_factory=dict)
    disclosures_found: dict[str, int] = field(default_factory=dict)
    suppressed_figures: dict[str, int] = field(default_factory=dict)
    #: figures the audit would suppress in a table outside the release (should stay empty)
    unenforced: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def note_de(self) -> str:
        """One German sentence for the plan's notes (counts, never values)."""
        if not self.status.startswith("passed"):
            return f"Offenlegungsprüfung nicht durchgeführt: {self.status}."
        checked = sum(self.figures_checked.values())
        hidden = sum(self.suppressed_figures.values())
        share = f"{self.protection_share * 100:.0f}".replace(".", ",")
        caveat = ""
        if self.unenforced:
            caveat = (
                f" {sum(self.unenforced.values())} Wert(e) der Gesamtbilanz bleiben "
                "veröffentlicht, obwohl wenige Gebäude sie prägen (Anlage 2 WPG verlangt sie)."
            )
        return (
            f"Offenlegungsprüfung aller veröffentlichten Werte zusammen: {checked} Summen "
            f"geprüft (Differenzen, Linearkombinationen und Schutzintervall ± {share} % per "
            f"linearer Optimierung); {hidden} weitere Werte unterdrückt, damit kein Wert über "
            f"weniger als {self.minimum_buildings} Gebäude (Heizungsdaten: "
            f"{self.minimum_heater_buildings}) erschlossen werden kann (§ 10 Abs. 2 WPG).{caveat}"
        )


def audit_release(
    layers: dict[str, pd.DataFrame],
    frames: Mapping[str, pd.DataFrame],
    *,
    protection_share: float = PROTECTION_SHARE,
) -> tuple[dict[str, pd.DataFrame], ReleaseAudit]:
    """Audit the public ``layers`` together and suppress until no small group is disclosed.

    Parameters
    ----------
    layers : dict
        The public layers (after each layer's own rules), name -> frame.
    frames : mapping
        The project's frames the layers were made from; ``buildings`` (with ``block_id``,
        ``segment_id``, ``grid_id``, ``heat_demand_kwh_per_a``, ``carrier``, ``generators``),
        and where present ``potentials``, ``network_nodes`` and ``totals`` say which
        buildings stand behind each figure.
    protection_share : float
        Protection interval as a share of each protected sum [-].

    Returns
    -------
    (layers, ReleaseAudit)
        The layers with the further suppressions, and the audit's account.
    """
    report = ReleaseAudit(protection_share=protection_share)
    buildings = frames.get("buildings")
    if buildings is None or not len(buildings):
        report.status = "no buildings in the project: nothing building-level to protect"
        return layers, report
    families = released_figures(layers, frames, BuildingIndex(buildings))
    for family in families:
        report.figures_checked[family.name] = len(family.cells)
    for family, (suppressed, part) in zip(
        families, _audit_families(families, protection_share), strict=True
    ):
        family.suppressed = suppressed
        _merge(report, part)
    return _apply(layers, families, report), report


def _audit_families(families: list[Family], share: float) -> list[tuple[set[int], ReleaseAudit]]:
    """Each family audited round after round until a round changes nothing.

    The families share no figure, so a large release audits them in two forked processes (the
    largest first). A small release, one in a process that forking could harm (threads
    running, a daemon such as a Dask worker) or with ``HEATPLAN_WORKERS=1``, is audited here;
    so is everything if the pool breaks.
    """
    figures = sum(len(f.cells) for f in families)
    if (
        figures < PARALLEL_FIGURES
        or len(families) < 2
        or (os.cpu_count() or 1) < 2
        or os.environ.get(WORKERS_ENV, "").strip() == "1"
        or threading.active_count() > 1
        or multiprocessing.current_process().daemon
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [_audit_family(f, share) for f in families]
    largest_first = sorted(range(len(families)), key=lambda i: -len(families[i].cells))
    _FORKED.clear()
    _FORKED.extend(families)  # the forked workers read them from memory, nothing is pickled
    try:
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {i: pool.submit(_audit_forked, i, share) for i in largest_first}
            return [futures[i].result() for i in range(len(families))]
    except (BrokenProcessPool, OSError):
        return [_audit_family(f, share) for f in families]
    finally:
        _FORKED.clear()


#: Carry the exact test's quiet atoms from round to round (False: every round searches every
#: triple; the same release, tests/test_publish_audit_scale.py).
CARRY_QUIET = True

#: Keep the LPs of large blocks from round to round (False: each round builds and solves its
#: own; the same disclosures in every audit and the same release, tests/
#: test_publish_audit_scale.py).
KEEP_LPS = True

#: The families of the release being audited, for the forked workers.
_FORKED: list[Family] = []


def _audit_forked(index: int, share: float) -> tuple[set[int], ReleaseAudit]:
    return _audit_family(_FORKED[index], share)


def _audit_family(family: Family, share: float) -> tuple[set[int], ReleaseAudit]:
    """Audit and suppress in ``family`` until nothing is disclosed: its suppressed figures
    and its part of the account."""
    part = ReleaseAudit(protection_share=share)
    lps = KeptLps() if KEEP_LPS else None
    for part.rounds in range(1, MAX_ROUNDS + 1):
        if not _round(family, part, share, lps):
            return family.suppressed, part
    raise RuntimeError("disclosure audit did not converge; please report this project")


def _merge(report: ReleaseAudit, part: ReleaseAudit) -> None:
    """Add one family's account to the release's (its keys are the family's own)."""
    report.rounds = max(report.rounds, part.rounds)
    report.lp_solves += part.lp_solves
    report.atoms.update(part.atoms)
    report.components.update(part.components)
    report.disclosures_found.update(part.disclosures_found)


def _round(family: Family, report: ReleaseAudit, share: float, lps: KeptLps | None = None) -> bool:
    """One audit of ``family``; suppress a figure per disclosure (``lps``: the LPs of its
    large blocks, kept from round to round). True if anything changed."""
    active = [i for i in range(len(family.cells)) if i not in family.suppressed]
    matrix = family.matrix(active)
    args = (matrix, family.values, family.owners)
    kept = np.array([family.cells[i].layer in PLAN_LEVEL for i in active], dtype=bool)
    found = audit_sums(
        *args,
        minimum=family.minimum,
        protection_share=share,
        intervals=False,
        kept=kept,
        quiet=family.quiet if CARRY_QUIET else (),
        known=family.low,
    )
    family.quiet, family.low = found.quiet, found.low  # figures: a superset of the next round's
    if not found.disclosures:
        found = audit_sums(
            *args,
            minimum=family.minimum,
            protection_share=share,
            exact=False,
            protected=family.protected,
            lps=lps,
        )
        family.protected.update(found.protected)
        report.lp_solves += found.lp_solves
    report.atoms[family.name] = found.atoms
    for name, count in (("components", found.components), ("largest", found.largest_component)):
        report.components[f"{family.name}:{name}"] = count
    before = set(family.suppressed)
    holding = sparse.csc_matrix(matrix)
    for disclosure in found.disclosures:
        key = f"{family.name}:{disclosure.kind}"
        report.disclosures_found[key] = report.disclosures_found.get(key, 0) + 1
        figures = _resting_on(disclosure, holding)
        if family.suppressed - before & {active[f] for f in figures}:
            continue  # a figure it rests on is gone already: the next round looks again
        _suppress_one(family, disclosure, active, figures)
    return family.suppressed != before


def _resting_on(disclosure: Disclosure, members: sparse.csc_matrix) -> np.ndarray:
    """The figures a disclosure rests on: all of a short combination; of a long one (the
    least-norm weights of a whole-table combination spread over every figure, most of them
    rerouted around at will) the figures that hold one of the disclosed items."""
    if len(disclosure.figures) <= LOCAL_FIGURES:
        return disclosure.figures
    holding = np.zeros(members.shape[0], dtype=bool)
    holding[members[:, disclosure.items].indices] = True
    local = disclosure.figures[holding[disclosure.figures]]
    return local if len(local) else disclosure.figures


def _suppress_one(
    family: Family, disclosure: Disclosure, active: list[int], figures: np.ndarray
) -> None:
    """Suppress the least needed released figure of ``figures`` (those of ``disclosure`` it
    rests on)."""
    candidates = [active[f] for f in figures if family.cells[active[f]].suppressible]
    if not candidates:  # only unsuppressible totals take part: give up a figure holding it
        holders = [
            i for i in active
            if family.cells[i].suppressible and np.isin(family.rows[i], disclosure.items).any()
        ]  # fmt: skip
        candidates = holders
    if not candidates:  # the municipal totals alone give the group away: they cannot be public
        candidates = [f for f in (active[i] for i in disclosure.figures)]
    order = {name: rank for rank, name in enumerate(SUPPRESSION_ORDER)}

    def need(i: int) -> tuple[int, int]:
        return order.get(family.cells[i].layer, 99), len(family.rows[i])

    best = min(candidates, key=need)
    if need(best)[0] >= order[PLAN_LEVEL[0]]:  # a plan-level figure: any other of the whole
        others = [  # combination breaks it too, and the plan keeps its figures
            active[f] for f in disclosure.figures if family.cells[active[f]].suppressible
        ]
        best = min([best, *(_inside(family, best, others) or others)], key=need)
    family.suppressed.add(best)


def _inside(family: Family, outer: int, figures: list[int]) -> list[int]:
    """The ``figures`` that share buildings with figure ``outer`` (an area): giving up one of
    them widens the hidden part of that area, where giving up one far away moves the problem
    there (measured on a 20,000-building town: 31 rounds instead of 6)."""
    within = np.zeros(len(family.values), dtype=bool)
    within[family.rows[outer]] = True
    return [i for i in figures if within[family.rows[i]].any()]


def _apply(
    layers: dict[str, pd.DataFrame], families: list[Family], report: ReleaseAudit
) -> dict[str, pd.DataFrame]:
    out = dict(layers)
    cells: dict[str, list[Cell]] = {}
    for family in families:
        for i in sorted(family.suppressed):
            cell = family.cells[i]
            if cell.layer not in out:  # a table that keeps its own rules: say so, never hide it
                report.unenforced[cell.layer] = report.unenforced.get(cell.layer, 0) + 1
                report.status = "passed with unenforced suppressions (see unenforced)"
                continue
            cells.setdefault(cell.layer, []).append(cell)
            report.suppressed_figures[cell.layer] = report.suppressed_figures.get(cell.layer, 0) + 1
    for layer, blanked in cells.items():
        out[layer] = _blank_all(out[layer], blanked)
    for name in CELL_TABLES:
        if name in out:
            out[name] = _regrouped(out[name])
    return out


def _blank_all(frame: pd.DataFrame, cells: list[Cell]) -> pd.DataFrame:
    """``frame`` with every figure of ``cells`` (one layer) blanked, in one pass per kind."""
    whole = [c.row for c in cells if c.columns == WHOLE_ROW]
    if whole:
        frame = suppress_area_rows(frame, whole)
    dropped = {
        str(c.row).removeprefix("total:")
        for c in cells
        if isinstance(c.row, str) and c.row.startswith("total:")
    }
    rest = [c for c in cells if c.columns != WHOLE_ROW and not str(c.row).startswith("total:")]
    rest = [c for c in rest if c.row in frame.index]
    if rest and rest[0].layer == "inventory":
        for cell in rest:
            frame = _blank_inventory(frame, cell.row)
    elif rest:
        frame = frame.copy()
        by_columns: dict[tuple[str, ...], list[Any]] = {}
        for cell in rest:
            by_columns.setdefault(cell.columns, []).append(cell.row)
        for columns, rows in by_columns.items():
            if rest[0].layer in CELL_TABLES and columns == ("value",):
                frame.loc[rows, "category"] = OTHER
            else:
                _blank_cells(frame, rows, columns)
    if dropped:  # a block's whole table (a block x category table without the block)
        frame = frame[~unit_keys(frame[col.BLOCK_ID]).isin(dropped)]
    return frame


def _blank_cells(frame: pd.DataFrame, rows: list[Any], columns: tuple[str, ...]) -> None:
    """Blank ``columns`` of ``rows`` in place (numbers to NaN, other values to None)."""
    for column in columns:
        if column not in frame.columns:
            continue
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        if numeric and not pd.api.types.is_bool_dtype(frame[column]):
            frame[column] = frame[column].astype(float)
            frame.loc[rows, column] = np.nan
        else:
            frame[column] = frame[column].astype(object)
            frame.loc[rows, column] = None


def _regrouped(table: pd.DataFrame) -> pd.DataFrame:
    """A block x category table with the cells the audit moved to :data:`OTHER` summed."""
    if not len(table):
        return table
    grouped = table.groupby([col.BLOCK_ID, "category"], as_index=False, sort=True)
    columns: dict[str, tuple[str, Any]] = {"value": ("value", "sum")}
    if "buildings" in table.columns:
        columns["buildings"] = ("buildings", lambda b: b.sum(min_count=len(b)))
    out = grouped.agg(**columns)
    if "buildings" in out.columns:
        out.loc[out["category"] == OTHER, "buildings"] = np.nan
    return out


def _blank_inventory(frame: pd.DataFrame, row: Any) -> pd.DataFrame:
    """Blank an inventory cell and the cells that restate it: the emissions of a final-energy
    cell (a fixed factor per carrier) and the other way round."""
    dims = [col.CARRIER, "sector", "heater_type"]
    same = (frame[dims] == frame.loc[row, dims]).all(axis=1)
    counts = frame["indicator"] == "decentral_generators"
    group = same & (counts if counts[row] else frame["indicator"].isin(CONSUMPTION_INDICATORS))
    group.loc[row] = True
    minimum = MIN_BUILDINGS_HEATER if counts[row] else MIN_BUILDINGS_CONSUMPTION
    frame = frame.copy()
    frame.loc[group, "value"] = np.nan
    frame.loc[group, "note"] = SUPPRESSED_NOTICE.format(n=minimum)
    return frame

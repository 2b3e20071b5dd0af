"""The disclosure audit at scale: per component, scaled LP, the same result as one audit.

``audit_sums`` audits every connected component of the figures–atoms graph on its own and
scales the interval LP (heatplan.publish.audit). The reference is the same audit run on the
whole system at once (``decompose=False``), on seeded random tables of blocks, street segments
and 100 m cells that cut across each other; and hand-calculated intervals on badly scaled sums.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from heatplan.publish.audit import Disclosure, audit_sums

#: Seeded random systems compared per seed (property-style; three seeds).
CASES = 100


def _table(rng: np.random.Generator) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, int]:
    """1-4 independent towns, each with 2-3 partitions of its items (blocks, segments, cells),
    sometimes a weighted figure (a CO2 sum) and a town total; values with zeros and owners
    with several items."""
    rows: list[np.ndarray] = []
    coefficients: list[np.ndarray] = []
    start = 0
    for _ in range(int(rng.integers(1, 5))):
        n = int(rng.integers(4, 16))
        items = start + np.arange(n)
        for _ in range(int(rng.integers(2, 4))):
            groups = rng.integers(0, int(rng.integers(1, 5)), n)
            for g in np.unique(groups):
                rows.append(items[groups == g])
                coefficients.append(np.ones(int((groups == g).sum())))
        if rng.random() < 0.3:
            rows.append(items)
            coefficients.append(rng.choice([0.2, 0.25, 0.3], n))
        if rng.random() < 0.5:
            rows.append(items)
            coefficients.append(np.ones(n))
        start += n
    dense = np.zeros((len(rows), start))
    for i, (r, c) in enumerate(zip(rows, coefficients, strict=True)):
        dense[i, r] = c
    values = rng.uniform(1.0, 100.0, start) * (rng.random(start) > 0.15)
    owners = rng.integers(0, max(1, int(start * 0.8)), start)
    minimum = int(rng.choice([3, 5]))
    return sparse.csr_matrix(dense), values, owners, minimum


def _canonical(found: list[Disclosure], share: float) -> list[tuple[object, ...]]:
    """A disclosure as comparable facts; of an interval the side that misses protection."""
    out = []
    for d in found:
        side: tuple[bool, ...] = ()
        if d.kind == "interval":
            slack = share * d.value - 1e-9 * max(1.0, d.value)
            side = (bool(d.value - d.lower < slack), bool(d.upper - d.value < slack))
        figures = tuple(sorted(int(f) for f in d.figures))
        out.append((d.kind, d.atoms, tuple(d.items.tolist()), d.contributors,
                    round(d.value, 9), figures, side))  # fmt: skip
    return sorted(out, key=repr)


def _same(split: list[Disclosure], whole: list[Disclosure], share: float) -> None:
    """The same disclosures; the bound an interval disclosure misses within 1e-6 [relative]."""
    assert _canonical(split, share) == _canonical(whole, share)
    bounds = {d.atoms: d for d in whole if d.kind == "interval"}
    for d in (d for d in split if d.kind == "interval"):
        slack = share * d.value - 1e-9 * max(1.0, d.value)
        if d.value - d.lower < slack:
            assert d.lower == pytest.approx(bounds[d.atoms].lower, rel=1e-6, abs=1e-9)
        if d.upper - d.value < slack:
            assert d.upper == pytest.approx(bounds[d.atoms].upper, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("seed", [20, 21, 22])
def test_the_audit_per_component_equals_the_audit_of_the_whole_system(seed: int) -> None:
    rng = np.random.default_rng(seed)
    disclosed = components = 0
    kinds: set[tuple[str, int]] = set()
    for case in range(CASES):
        members, values, owners, minimum = _table(rng)
        args = (members, values, owners)
        split = audit_sums(*args, minimum=minimum, protection_share=0.1)
        whole = audit_sums(*args, minimum=minimum, protection_share=0.1, decompose=False)
        _same(split.disclosures, whole.disclosures, 0.1)
        assert (split.atoms, split.small_atoms) == (whole.atoms, whole.small_atoms), case
        disclosed += len(split.disclosures)
        components += split.components > 1
        kinds |= {(d.kind, min(len(d.atoms), 2)) for d in split.disclosures}
    # the cases exercise what they compare: disclosures of every kind, many split systems
    assert disclosed > CASES and components > CASES // 3
    assert kinds >= {("exact", 1), ("exact", 2), ("interval", 1)}


def test_a_component_without_a_small_atom_is_not_audited() -> None:
    # two blocks of 6 and 7 buildings, each its own figure: no small atom, no component, no LP
    dense = np.zeros((3, 19))
    dense[0, :6] = 1
    dense[1, 6:13] = 1
    dense[2, 13:] = 1  # a third block of 6 with a 100 m cell holding 5 of them
    cell = np.zeros((1, 19))
    cell[0, 13:18] = 1
    members = sparse.csr_matrix(np.vstack([dense, cell]))
    found = audit_sums(members, np.arange(1.0, 20.0), np.arange(19), minimum=5,
                       protection_share=0.1)  # fmt: skip
    assert found.components == 1 and found.largest_component == 2  # the third block only
    d = found.disclosures
    assert [(d.kind, d.items.tolist(), d.value) for d in d] == [("exact", [18], 19.0)]


def _interval_system(scale: float, noise: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The interval example of tests/test_publish_audit.py (a = 100 hidden in F1 = a + b, F2 =
    b + c = 1.5 caps b) times ``scale``, beside a town of badly scaled sums ``noise``."""
    values = np.r_[100.0, np.full(6, 1 / 6), np.full(6, 0.5 / 6)] * scale
    dense = np.zeros((2, 13))
    dense[0, :7] = 1
    dense[1, 1:] = 1
    n = len(noise)
    town = np.zeros((0, n))
    for k in (3, 4, 5):  # blocks, segments and cells of 5-9 houses cutting across each other
        groups = np.arange(n) % k if k != 4 else np.arange(n) // (n // 4)
        for g in np.unique(groups):
            town = np.vstack([town, (groups == g).astype(float)])
    town = np.vstack([town, np.ones(n)])
    return sparse.csr_matrix(sparse.block_diag([dense, town])), np.r_[values, noise]


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e7])
def test_badly_scaled_sums_audit_with_the_hand_calculated_interval(scale: float) -> None:
    # sums from 1e-3 to 1e9 (the unscaled warm-started LP of the previous audit ended
    # "infeasible" on systems like it); the hidden atom's interval is [99.5, 101] x scale
    rng = np.random.default_rng(7)
    noise = 10 ** rng.uniform(3.0, 6.0, 36)
    noise[[3, 17, 29]] = [1e-3, 2e-2, 5e-3]
    noise[[8, 22]] = [1e9, 3e8]
    members, values = _interval_system(scale, noise)
    owners = np.arange(len(values))
    found = audit_sums(members, values, owners, minimum=5, protection_share=0.1)
    interval = [d for d in found.disclosures if d.atoms == (0,)]
    assert [(d.kind, d.contributors) for d in interval] == [("interval", 1)]
    assert interval[0].lower == pytest.approx(99.5 * scale, rel=1e-6)
    assert interval[0].upper == pytest.approx(101.0 * scale, rel=1e-6)
    assert found.components == 2
    whole = audit_sums(members, values, owners, minimum=5, protection_share=0.1,
                       decompose=False)  # fmt: skip
    _same(found.disclosures, whole.disclosures, 0.1)


def test_the_docstring_example_holds() -> None:
    members = sparse.csr_matrix(np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]]))
    values = np.array([10.0, 12, 9, 30, 8, 21])
    found = audit_sums(members, values, np.arange(6), minimum=5, protection_share=0.1)
    assert [(d.kind, d.contributors, d.value) for d in found.disclosures] == [("exact", 1, 21.0)]
    assert sorted(found.disclosures[0].figures.tolist()) == [0, 1]


def test_a_long_combination_rests_on_the_figures_holding_the_group() -> None:
    # a group disclosed by a whole-table combination (least-norm weights on 12 figures): the
    # release suppresses among the figures holding its items, and a suppression elsewhere in
    # the same round does not put it off to the next round
    from heatplan.publish.release import LOCAL_FIGURES, _resting_on

    items = np.arange(24)
    rows = [items[2 * k : 2 * k + 2] for k in range(12)]
    dense = np.zeros((12, 24))
    for i, r in enumerate(rows):
        dense[i, r] = 1
    members = sparse.csc_matrix(dense)
    long = Disclosure((0,), np.array([4, 5]), 1, "exact", 1.0, 1.0, 1.0, np.arange(12)[::-1])
    assert len(long.figures) > LOCAL_FIGURES
    assert _resting_on(long, members).tolist() == [2]
    short = Disclosure((0,), np.array([4]), 1, "exact", 1.0, 1.0, 1.0, np.array([7, 2]))
    assert _resting_on(short, members).tolist() == [7, 2]


def test_a_long_combination_keeps_the_plans_area_figure_if_a_finer_one_breaks_it() -> None:
    """Only the area's figure still holds the disclosed building (its grid cell is gone), but
    the combination runs through 100 m cells too: one of those is given up, not the area."""
    from heatplan.publish.figures import Cell, Family
    from heatplan.publish.release import _resting_on, _suppress_one

    family = Family("heat_demand", 5, np.ones(40), np.arange(40))
    family.add(Cell("areas", "A01", ("heat_demand_mwh_per_a",)), np.arange(40))
    for k in range(1, 10):  # cells of 4 buildings each, not holding building 0
        family.add(Cell("grid_100m", k, ("heat_demand_kwh_per_a",)), np.arange(4 * k, 4 * k + 4))
    active = list(range(len(family.cells)))
    members = sparse.csc_matrix(family.matrix(active))
    long = Disclosure((0,), np.array([0]), 1, "exact", 1.0, 1.0, 1.0, np.arange(10))
    figures = _resting_on(long, members)
    assert figures.tolist() == [0]  # the area alone holds building 0
    _suppress_one(family, long, active, figures)
    assert family.suppressed and 0 not in family.suppressed
    assert all(family.cells[i].layer == "grid_100m" for i in family.suppressed)


def _exact_facts(found: list[Disclosure]) -> list[tuple[object, ...]]:
    """An exact disclosure as comparable facts (the combination named may differ)."""
    return sorted((d.atoms, d.contributors, round(d.value, 9)) for d in found if d.kind == "exact")


@pytest.mark.parametrize(
    ("seed", "patch_atoms", "walk_atoms", "patch_limit"),
    [(30, 7, 64, 2000), (31, 7, 64, 2000), (32, 1, 0, 2000), (33, 7, 64, 0)],
)
def test_the_sketched_exact_test_finds_what_the_dense_one_finds(
    seed: int,
    patch_atoms: int,
    walk_atoms: int,
    patch_limit: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The null-space sketch (heatplan.publish.nullspace) against the dense eigendecomposition:
    patches of 7 atoms, so that the triple search crosses many patch borders; and patches of
    one atom without neighbours, or patches over the size limit, so that atoms are searched
    against every atom."""
    from heatplan.publish import audit, nullspace

    rng = np.random.default_rng(seed)
    kinds: set[int] = set()
    for case in range(CASES):
        members, values, owners, minimum = _table(rng)
        args = (members, values, owners)
        monkeypatch.setattr(audit, "DENSE_LIMIT", 10**9)
        dense = audit_sums(*args, minimum=minimum, protection_share=0.1, intervals=False)
        monkeypatch.setattr(audit, "DENSE_LIMIT", 0)
        monkeypatch.setattr(nullspace, "PATCH_ATOMS", patch_atoms)
        monkeypatch.setattr(nullspace, "LOCAL_FIGURE_ATOMS", walk_atoms)
        monkeypatch.setattr(nullspace, "PATCH_LIMIT", patch_limit)
        sketched = audit_sums(*args, minimum=minimum, protection_share=0.1, intervals=False)
        assert _exact_facts(sketched.disclosures) == _exact_facts(dense.disclosures), case
        for d in sketched.disclosures:  # every combination named adds up to the group
            assert len(d.figures), case
        kinds |= {len(d.atoms) for d in dense.disclosures}
    assert kinds >= {1, 2, 3}  # singles, pairs and triples were compared


def test_protection_found_before_carries_over_to_fewer_figures() -> None:
    """Atoms protected in an interval audit stay protected when figures are taken away (the
    feasible set only grows): the audit with the carried protection finds the same, with
    fewer LPs."""
    rng = np.random.default_rng(40)
    saved = carried_total = 0
    for _ in range(CASES):
        members, values, owners, minimum = _table(rng)
        first = audit_sums(members, values, owners, minimum=minimum, protection_share=0.1)
        keep = np.flatnonzero(rng.random(members.shape[0]) > 0.2)  # suppress about a fifth
        fewer = sparse.csr_matrix(members)[keep]
        fresh = audit_sums(fewer, values, owners, minimum=minimum, protection_share=0.1)
        carried = audit_sums(
            fewer, values, owners, minimum=minimum, protection_share=0.1, protected=first.protected
        )
        _same(carried.disclosures, fresh.disclosures, 0.1)
        saved += fresh.lp_solves - carried.lp_solves
        carried_total += len(first.protected)
    assert carried_total > CASES and saved > 0


@pytest.mark.parametrize(
    ("seed", "patch_limit", "with_known"),
    [(50, 2000, True), (51, 2000, False), (55, 0, True), (57, 0, False)],
)
def test_quiet_atoms_carried_to_fewer_figures_lose_no_disclosure(
    seed: int, patch_limit: int, with_known: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Atoms an exact test found in no small group of the row space head no triple search in
    an audit of fewer figures (the row space only shrinks): the same exact disclosures as a
    fresh audit, on the sketched path with patches of 7 atoms; with no patch at all (every
    head searched across, partnered with the quiet atoms: all of them, or with the atoms known
    before, only the new atoms, merged by the suppression)."""
    from heatplan.publish import audit, nullspace

    monkeypatch.setattr(audit, "DENSE_LIMIT", 0)
    monkeypatch.setattr(nullspace, "PATCH_ATOMS", 7)
    monkeypatch.setattr(nullspace, "PATCH_LIMIT", patch_limit)
    rng = np.random.default_rng(seed)
    quiet_total = triples = 0
    for case in range(CASES):
        members, values, owners, minimum = _table(rng)
        first = audit_sums(members, values, owners, minimum=minimum, protection_share=0.1,
                           intervals=False)  # fmt: skip
        keep = np.flatnonzero(rng.random(members.shape[0]) > 0.2)  # suppress about a fifth
        fewer = sparse.csr_matrix(members)[keep]
        args = (fewer, values, owners)
        fresh = audit_sums(*args, minimum=minimum, protection_share=0.1, intervals=False)
        carried = audit_sums(
            *args, minimum=minimum, protection_share=0.1, intervals=False, quiet=first.quiet,
            known=first.low if with_known else (),
        )  # fmt: skip
        assert _exact_facts(carried.disclosures) == _exact_facts(fresh.disclosures), case
        quiet_total += len(first.quiet)
        triples += sum(len(d.atoms) == 3 for d in fresh.disclosures)
    assert quiet_total > CASES and triples > 0  # atoms were carried; triples were compared


def test_intervals_given_away_around_the_atom_need_no_lp_of_the_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An atom whose bound misses protection in the LP of the short figures around it misses
    it in the block's LP (fewer rows only widen the feasible set): the same disclosures, each
    bound on the safe side of the block's (lower no higher, upper no lower)."""
    from heatplan.publish import intervals

    rng = np.random.default_rng(60)
    settled = 0
    for case in range(CASES):
        members, values, owners, minimum = _table(rng)
        args = (members, values, owners)
        near = audit_sums(*args, minimum=minimum, protection_share=0.1)
        with monkeypatch.context() as patch:
            patch.setattr(intervals.ScaledLp, "local", lambda *_: None)
            block = audit_sums(*args, minimum=minimum, protection_share=0.1)
        assert _canonical(near.disclosures, 0.1) == _canonical(block.disclosures, 0.1), case
        bounds = {d.atoms: d for d in block.disclosures if d.kind == "interval"}
        for d in (d for d in near.disclosures if d.kind == "interval"):
            assert d.lower <= bounds[d.atoms].lower * (1 + 1e-9) + 1e-9, case
            assert d.upper >= bounds[d.atoms].upper * (1 - 1e-9) - 1e-9, case
            settled += (d.lower, d.upper) != (bounds[d.atoms].lower, bounds[d.atoms].upper)
    assert settled > 0  # some bounds came from the short figures alone


def test_joint_lps_solved_cold_find_what_warm_ones_find(monkeypatch: pytest.MonkeyPatch) -> None:
    """A joint LP only settles atoms it brings to their protection (any feasible release
    proves that); the bounds of the atoms given away come from their own LPs: cold or warm
    joint solves give the same disclosures and bounds."""
    from heatplan.publish import intervals

    rng = np.random.default_rng(70)
    found = 0
    for _ in range(CASES):
        members, values, owners, minimum = _table(rng)
        args = (members, values, owners)
        with monkeypatch.context() as patch:
            patch.setattr(intervals, "COLD_ATOMS", 0)
            cold = audit_sums(*args, minimum=minimum, protection_share=0.1)
        with monkeypatch.context() as patch:
            patch.setattr(intervals, "COLD_ATOMS", 10**9)
            warm = audit_sums(*args, minimum=minimum, protection_share=0.1)
        _same(cold.disclosures, warm.disclosures, 0.1)
        found += sum(d.kind == "interval" for d in warm.disclosures)
    assert found > 0


def test_lps_kept_from_audit_to_audit_find_what_fresh_lps_find(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The LP of a block kept from an audit to the next of fewer figures (their rows freed,
    an atom's objective over its finer atoms) is the new block's LP: twice fewer figures, the
    same disclosures and bounds as fresh LPs, with most solves in the kept LP."""
    from heatplan.publish import intervals

    monkeypatch.setattr(intervals, "KEPT_ATOMS", 0)  # every block kept
    original = intervals._Kept.solve
    mapped = declined = 0

    def counted(self: intervals._Kept, *args: object, **kwargs: object) -> object:
        nonlocal mapped, declined
        out = original(self, *args, **kwargs)  # type: ignore[arg-type]
        mapped += out[0]
        declined += not out[0]
        return out

    monkeypatch.setattr(intervals._Kept, "solve", counted)
    rng = np.random.default_rng(90)
    found = 0
    for case in range(CASES):
        members, values, owners, minimum = _table(rng)
        lps = intervals.KeptLps()
        audit_sums(members, values, owners, minimum=minimum, protection_share=0.1, lps=lps)
        keep = np.arange(members.shape[0])
        for _ in range(2):  # suppress about a fifth, twice
            keep = keep[rng.random(len(keep)) > 0.2]
            args = (sparse.csr_matrix(members)[keep], values, owners)
            kept = audit_sums(*args, minimum=minimum, protection_share=0.1, lps=lps)
            fresh = audit_sums(*args, minimum=minimum, protection_share=0.1)
            _same(kept.disclosures, fresh.disclosures, 0.1)
            assert _canonical(kept.disclosures, 0.1) == _canonical(fresh.disclosures, 0.1), case
            found += sum(d.kind == "interval" for d in fresh.disclosures)
    assert found > 0 and mapped > max(CASES, 10 * declined)


@pytest.mark.parametrize(("seed", "steps"), [(80, (2, 2, 4)), (81, (1,))])
def test_atoms_moved_around_them_are_protected_in_the_block(
    seed: int, steps: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An LP of the atoms around an open atom, with every other atom at its true sum, is a
    restriction of the block's LP: an atom it moves to its protection is protected. With it
    on every block (and small patches), the same disclosures and bounds as without it."""
    from heatplan.publish import intervals, nullspace

    rng = np.random.default_rng(seed)
    moved = 0
    original = intervals.ScaledLp.around

    def counted(self: intervals.ScaledLp, atoms: np.ndarray, *args: object) -> np.ndarray:
        nonlocal moved
        ok = original(self, atoms, *args)  # type: ignore[arg-type]
        moved += int(ok[atoms].sum())
        return ok

    for _ in range(CASES):
        members, values, owners, minimum = _table(rng)
        args = (members, values, owners)
        with monkeypatch.context() as patch:
            patch.setattr(intervals, "AROUND_ATOMS", 0)
            patch.setattr(intervals, "AROUND_PASSES", tuple((2, k) for k in steps))
            patch.setattr(nullspace, "LOCAL_FIGURE_ATOMS", 4)  # long figures cross patches
            patch.setattr(intervals.ScaledLp, "around", counted)
            around = audit_sums(*args, minimum=minimum, protection_share=0.1)
        with monkeypatch.context() as patch:
            patch.setattr(intervals, "AROUND_ATOMS", 10**9)
            block = audit_sums(*args, minimum=minimum, protection_share=0.1)
        _same(around.disclosures, block.disclosures, 0.1)
    assert moved > CASES  # atoms were settled around them


def test_the_preconditioned_sketch_is_the_plain_cgls_sketch() -> None:
    """The sketch and the least-norm weights from conjugate gradients preconditioned with the
    LU of the figures' Gram matrix (heatplan.publish.nullspace.normal_preconditioner) equal
    plain CGLS's (the same stopping rule on the true residual), in far fewer steps."""
    from heatplan.publish import nullspace

    rng = np.random.default_rng(60)
    members, *_ = _table(rng)
    while members.shape[1] < 40:
        members, *_ = _table(rng)
    scaled, _ = nullspace.scaled_rows(members)
    rhs = rng.standard_normal((members.shape[1], 3))
    plain_w, plain_r, plain_done = nullspace.cgls(scaled, rhs)
    precondition = nullspace.normal_preconditioner(scaled)
    assert precondition is not None
    steps = 1
    while True:  # the fewest preconditioned steps that solve every column
        w, r, done = nullspace.cgls(scaled, rhs, steps, precondition=precondition)
        if done.all():
            break
        steps += 1
    assert plain_done.all() and steps < 12
    np.testing.assert_allclose(r, plain_r, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(scaled @ r, axis=0), 0.0, atol=nullspace.CG_TOL)
    np.testing.assert_allclose(w, plain_w, atol=1e-7)  # least norm: no part in the null space


def test_the_sketch_without_its_preconditioner_finds_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the sparse LU fails, plain CGLS sketches: the same exact disclosures."""
    from heatplan.publish import audit, nullspace

    rng = np.random.default_rng(61)
    monkeypatch.setattr(audit, "DENSE_LIMIT", 0)
    monkeypatch.setattr(nullspace, "PATCH_ATOMS", 7)
    for case in range(CASES // 4):
        members, values, owners, minimum = _table(rng)
        args = (members, values, owners)
        with_lu = audit_sums(*args, minimum=minimum, protection_share=0.1, intervals=False)
        with monkeypatch.context() as m:
            m.setattr(nullspace, "normal_preconditioner", lambda *_, **__: None)
            plain = audit_sums(*args, minimum=minimum, protection_share=0.1, intervals=False)
        assert _exact_facts(with_lu.disclosures) == _exact_facts(plain.disclosures), case


def test_equal_weights_rank_their_figures_in_order() -> None:
    """Figures of equal weight (to the solvers' rounding) keep their order; larger first."""
    from heatplan.publish.nullspace import _ranked

    figures = np.array([10, 11, 12, 13, 14])
    weights = np.array([0.5, 1.0 - 3e-11, 1.0, 0.5 + 2e-11, 1e-12])
    assert _ranked(figures, weights).tolist() == [11, 12, 10, 13]


@pytest.mark.parametrize("carried", ["KEEP_LPS", "CARRY_QUIET"])
def test_a_release_audited_with_what_rounds_carry_is_the_release_audited_afresh(
    carried: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round after round, the release audit carries the kept LPs and the quiet atoms of the
    last round: it suppresses the same figures as rounds that start afresh (every block's LP
    kept; the sketched exact test on small patches). The kept LPs meet few interval rounds in
    such small tables: their LPs are compared audit by audit in
    test_lps_kept_from_audit_to_audit_find_what_fresh_lps_find."""
    from heatplan.publish import audit, intervals, nullspace, release

    monkeypatch.setattr(intervals, "KEPT_ATOMS", 0)
    monkeypatch.setattr(audit, "DENSE_LIMIT", 0)
    monkeypatch.setattr(nullspace, "PATCH_ATOMS", 7)
    rng = np.random.default_rng(95)
    suppressed = rounds = 0
    for case in range(CASES // 2):
        table = _table(rng)
        with monkeypatch.context() as patch:
            patch.setattr(release, carried, True)
            carrying = _audited_release(table)
        with monkeypatch.context() as patch:
            patch.setattr(release, carried, False)
            fresh = _audited_release(table)
        assert carrying[0] == fresh[0], case
        suppressed += len(fresh[0])
        rounds += fresh[1] > 2
    assert suppressed > CASES and rounds > 0  # figures suppressed over several rounds


def _audited_release(
    table: tuple[sparse.csr_matrix, np.ndarray, np.ndarray, int], share: float = 0.1
) -> tuple[set[int], int]:
    """The figures the release audit suppresses in a table (each row a figure of one of four
    layers), and its rounds."""
    from heatplan.publish import release
    from heatplan.publish.figures import Cell, Family

    members, values, owners, minimum = table
    layers = ("grid_100m", "street_segments", "blocks", "areas")
    family = Family("table", minimum, values, owners)
    for i in range(members.shape[0]):
        family.add(Cell(layers[i % len(layers)], i, ("value",)), members[i].indices)
    found, part = release._audit_family(family, share)
    return found, part.rounds

"""Disclosure audit of a set of released sums (WPG § 10 Abs. 2; secondary cell suppression).

A public edition releases sums of protected values: each figure is the sum over a set of
*items* (a building's heat demand; a building's heaters of one carrier). Knowing every released
figure, and that values are never negative, an intruder solves for combinations of items. The
audit finds what such an intruder learns about groups of fewer than ``minimum`` contributors
(buildings with a non-zero value), as a statistical office audits a table before release:

1. **Atoms.** Items that lie in exactly the same released figures cannot be told apart; only
   their sum is a variable of the system ``A y = b`` (A: figures x atoms, 0/1).
2. **Exact disclosure.** The sum of an atom, or of a union of two or three atoms, with fewer
   than ``minimum`` contributors is a linear combination of released figures: its indicator
   lies in the row space of ``A`` (its component in the null space of ``A`` is zero). Groups
   of any size an intruder gets by subtraction are checked too: a figure minus a figure nested
   in it, and a figure minus the disjoint figures nested in it (largest first) — a 100 m cell
   minus the block inside it can leave four houses that are four atoms.
3. **Interval disclosure.** For every remaining small atom a linear program (HiGHS) finds the
   smallest and largest sum compatible with all released figures and ``y >= 0``. The feasible
   interval must reach at least ``protection_share`` of the true value below and above it —
   the protection interval of secondary cell suppression (Hundepool et al. 2012, *Statistical
   Disclosure Control*, Wiley, ch. 4.2-4.3, the p%-rule and its protection levels).

The result names, for every disclosure, the released figures that take part in it, so that
the caller can suppress one of them and audit again (:mod:`heatplan.publish.release`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import highspy
import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

__all__ = ["AuditResult", "Disclosure", "audit_sums"]

#: Relative size below which a null-space component counts as zero [-] (numerical choice: the
#: system has 0/1 coefficients; genuine components are of order 1/sqrt(atoms) > 1e-4).
NULL_TOL = 1e-8
#: Most atoms of a union the exact test tries (pairs and triples of small atoms).
MAX_UNION = 3


@dataclass(frozen=True)
class Disclosure:
    """A group of fewer than the minimum contributors whose sum the release gives away."""

    atoms: tuple[int, ...]
    items: np.ndarray  # item positions (columns of ``members``)
    contributors: int
    kind: Literal["exact", "interval"]
    value: float
    lower: float
    upper: float
    figures: np.ndarray  # released figures (rows of ``members``) taking part, most used first


@dataclass
class AuditResult:
    """What one audit checked and found."""

    figures: int = 0
    items: int = 0
    atoms: int = 0
    small_atoms: int = 0
    lp_solves: int = 0
    disclosures: list[Disclosure] = field(default_factory=list)


@dataclass(frozen=True)
class _System:
    matrix: np.ndarray  # figures x atoms: each figure's coefficient on each atom
    atom_of: np.ndarray  # per item: atom index, -1 where the item is in no figure
    sums: np.ndarray  # per atom: true sum of its values
    contributors: np.ndarray  # per atom: buildings with a non-zero value


def audit_sums(
    members: sparse.spmatrix,
    values: np.ndarray,
    owners: np.ndarray,
    *,
    minimum: int,
    protection_share: float,
    intervals: bool = True,
    exact: bool = True,
) -> AuditResult:
    """Audit released sums for groups of fewer than ``minimum`` contributors.

    Parameters
    ----------
    members : sparse matrix
        Figures x items: the coefficient of each item in each figure (1 for a plain sum; a
        CO2 figure has the emission factor of the item's carrier).
    values : array
        True value of each item [any unit, >= 0].
    owners : array
        Building of each item (contributors are distinct owners with a non-zero value).
    minimum : int
        Fewest contributors a disclosed sum may cover [count] (WPG § 10: 5; heaters: 3).
    protection_share : float
        Share of the true value the feasible interval must reach below and above [-].
    intervals : bool
        Run the interval (LP) audit.
    exact : bool
        Run the exact (row-space) test; False when the caller has just run it on the same
        figures and found nothing.

    Returns
    -------
    AuditResult

    Examples
    --------
    A block of six buildings and a 100 m cell holding five of them give the sixth away:

    >>> members = sparse.csr_matrix(np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]]))
    >>> values = np.array([10.0, 12, 9, 30, 8, 21])
    >>> found = audit_sums(members, values, np.arange(6), minimum=5, protection_share=0.1)
    >>> [(d.kind, d.contributors, d.value) for d in found.disclosures]
    [('exact', 1, 21.0)]
    """
    values = np.asarray(values, dtype=float)
    system = _system(sparse.csr_matrix(members), values, np.asarray(owners))
    small = np.flatnonzero((system.contributors > 0) & (system.contributors < minimum))
    result = AuditResult(
        figures=system.matrix.shape[0],
        items=int((system.atom_of >= 0).sum()),
        atoms=system.matrix.shape[1],
        small_atoms=len(small),
    )
    if not len(small):
        return result
    found_exact = _exact(system, minimum) if exact else []
    result.disclosures.extend(found_exact)
    if intervals:
        found = {a for d in found_exact for a in d.atoms}
        todo = np.array([a for a in small if a not in found], dtype=int)
        result.disclosures.extend(_intervals(system, todo, protection_share, result))
    return result


def _system(members: sparse.csr_matrix, values: np.ndarray, owners: np.ndarray) -> _System:
    """Atoms of the released figures and the figures x atoms matrix.

    Items with the same coefficients in every figure form one atom; a figure's coefficient on
    the atom is the one its items share (1 for a plain sum).
    """
    csc = sparse.csc_matrix(members, dtype=float)
    csc.eliminate_zeros()
    csc.sort_indices()
    keys = np.array(
        [
            csc.indices[csc.indptr[j] : csc.indptr[j + 1]].tobytes()
            + csc.data[csc.indptr[j] : csc.indptr[j + 1]].tobytes()
            for j in range(csc.shape[1])
        ],
        dtype=object,
    )
    covered = np.diff(csc.indptr) > 0
    atom_of = np.full(csc.shape[1], -1, dtype=np.int64)
    first = np.zeros(0, dtype=np.int64)
    if covered.any():
        _, index, atom_of[covered] = np.unique(
            keys[covered], return_index=True, return_inverse=True
        )
        first = np.flatnonzero(covered)[index]
    n_atoms = len(first)
    items = np.flatnonzero(covered)
    matrix = csc[:, first].toarray()
    sums = np.bincount(atom_of[items], weights=values[items], minlength=n_atoms)
    positive = items[values[items] > 0]
    pairs = np.unique(np.column_stack([atom_of[positive], _codes(owners[positive])]), axis=0)
    contributors = np.bincount(pairs[:, 0], minlength=n_atoms) if len(pairs) else None
    if contributors is None:
        contributors = np.zeros(n_atoms, dtype=int)
    return _System(matrix, atom_of, sums, contributors.astype(int))


def _codes(values: np.ndarray) -> np.ndarray:
    return np.unique(values.astype(str), return_inverse=True)[1]


def _exact(system: _System, minimum: int) -> list[Disclosure]:
    """Atoms and unions of up to three atoms with < minimum contributors in the row space."""
    c = system.contributors
    rows, cols = _core(system.matrix, c < minimum)
    core = system.matrix[np.ix_(rows, cols)]
    # a few hundred figures: BLAS threads only get in each other's way (measured here: SVD of
    # 364 x 554 in 0.03 s on one thread, 0.13 s on two, seconds beside a busy HiGHS)
    with threadpool_limits(limits=1, user_api="blas"):
        u, sigma, vt = np.linalg.svd(core, full_matrices=True)
    rank = int((sigma > NULL_TOL * max(1.0, sigma.max(initial=0.0))).sum())
    null = np.zeros((system.matrix.shape[1], core.shape[1] - rank))
    null[cols] = vt[rank:].T  # the null space of the figures (rows of the core's atoms)
    # A^T w = indicator, least norm: which figures (weights w) make up a disclosed sum
    solve = np.zeros(system.matrix.shape)
    solve[np.ix_(rows, cols)] = (u[:, :rank] / sigma[:rank]) @ vt[:rank]
    norms = np.linalg.norm(null, axis=1)
    candidates = cols[c[cols] < minimum]  # zero-contributor atoms may join a union
    found: list[Disclosure] = []
    seen: set[int] = set()
    for atom in candidates[norms[candidates] < NULL_TOL]:
        if c[atom] > 0:
            found.append(_disclosure(system, (int(atom),), "exact", solve=solve))
            seen.add(int(atom))
    rest = np.array([a for a in candidates if norms[a] >= NULL_TOL], dtype=int)
    for size in range(2, MAX_UNION + 1):
        for group in _null_unions(null, rest, c, size, minimum):
            if c[list(group)].sum() > 0 and not seen.intersection(group):
                found.append(_disclosure(system, group, "exact", solve=solve))
                seen.update(group)
    for group, figures in _subtractions(system.matrix, c, minimum):
        if not seen.intersection(group):
            found.append(_disclosure(system, group, "exact", figures=figures))
            seen.update(group)
    return found


def _subtractions(
    matrix: np.ndarray, contributors: np.ndarray, minimum: int
) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Groups an intruder isolates by subtraction, with 1 .. minimum-1 contributors, and the
    figures that isolate them (the outer figure first).

    For every figure: each figure nested in it (its atoms a subset), and the disjoint nested
    figures taken largest first; where the nested figures weigh their atoms as the outer one
    does and the outer weighs the rest alike, the remainder's plain sum is released.
    """
    support = sparse.csr_matrix(matrix != 0, dtype=np.int32)
    sizes = np.asarray(support.sum(axis=1)).ravel()
    overlap = (support @ support.T).tocoo()
    nested: dict[int, list[int]] = {}
    for inner, outer, shared in zip(overlap.row, overlap.col, overlap.data, strict=True):
        if inner != outer and shared == sizes[inner] and sizes[inner] < sizes[outer]:
            nested.setdefault(int(outer), []).append(int(inner))
    found = []
    for outer, inners in nested.items():
        by_size = sorted(inners, key=lambda r: -sizes[r])
        options = [[r] for r in by_size] + [_disjoint(matrix, by_size)]
        for taken in options:
            group = _remainder(matrix, outer, taken)
            if group and 0 < contributors[list(group)].sum() < minimum:
                found.append((group, np.array([outer, *taken])))
    return found


def _disjoint(matrix: np.ndarray, rows: list[int]) -> list[int]:
    """Figures of ``rows`` (in order) that share no atom with one taken before."""
    used = np.zeros(matrix.shape[1], dtype=bool)
    taken = []
    for row in rows:
        atoms = matrix[row] != 0
        if not (used & atoms).any():
            taken.append(row)
            used |= atoms
    return taken


def _remainder(matrix: np.ndarray, outer: int, inners: list[int]) -> tuple[int, ...]:
    """Atoms of ``outer`` outside ``inners`` if subtracting them leaves a plain sum, else ()."""
    row = matrix[outer]
    covered = np.zeros(matrix.shape[1], dtype=bool)
    for inner in inners:
        atoms = matrix[inner] != 0
        ratio = row[atoms] / matrix[inner, atoms]
        if not np.allclose(ratio, ratio[0]):
            return ()
        covered |= atoms
    rest = np.flatnonzero((row != 0) & ~covered)
    if not len(rest) or not np.allclose(row[rest], row[rest[0]]):
        return ()
    return tuple(int(a) for a in rest)


def _core(matrix: np.ndarray, small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Figures and atoms that can take part in an exact disclosure of small atoms.

    A figure with an atom of its own (in no other figure) that is not small can absorb any
    change of its other atoms: no combination that discloses small atoms uses it (its weight
    would have to be zero on that atom), so the figure and its own atoms drop out; atoms left
    in no figure are free. Repeated until nothing changes, this keeps the dense factorisation
    to the part of the table that matters.
    """
    live_rows = np.ones(matrix.shape[0], dtype=bool)
    live_cols = np.ones(matrix.shape[1], dtype=bool)
    nonzero = matrix != 0
    while True:
        counts = nonzero[live_rows].sum(axis=0)
        own = live_cols & ~small & (counts == 1)
        drop_rows = live_rows & nonzero[:, own].any(axis=1)
        free = live_cols & (counts == 0)
        if not drop_rows.any() and not free.any():
            break
        live_rows &= ~drop_rows
        live_cols &= ~(free | own)
    return np.flatnonzero(live_rows), np.flatnonzero(live_cols)


def _null_unions(
    null: np.ndarray, atoms: np.ndarray, contributors: np.ndarray, size: int, minimum: int
) -> list[tuple[int, ...]]:
    """Groups of ``size`` atoms (fewer than ``minimum`` contributors) whose null rows cancel.

    A random projection of the null-space rows turns the test into a search for sums of
    scalars equal to zero (sorted search over the heads of ``size - 1`` atoms); every hit is
    checked on the full rows.
    """
    if len(atoms) < size or null.shape[1] == 0:
        return []
    projection = null[atoms] @ np.random.default_rng(0).standard_normal(null.shape[1])
    c = contributors[atoms]
    if size == 2:
        heads = np.arange(len(atoms))[:, None]
    else:
        heads = np.column_stack(np.triu_indices(len(atoms), k=1))
    heads = heads[c[heads].sum(axis=1) < minimum]
    order = np.argsort(projection)
    ranked = projection[order]
    target = -projection[heads].sum(axis=1)
    lo = np.searchsorted(ranked, target - 1e-7)
    hi = np.searchsorted(ranked, target + 1e-7)
    groups: list[tuple[int, ...]] = []
    for row in np.flatnonzero(hi > lo):
        head = heads[row]
        for last in order[lo[row] : hi[row]]:
            if last <= head.max() or c[head].sum() + c[last] >= minimum:
                continue
            group = tuple(int(atoms[i]) for i in (*head, last))
            if np.linalg.norm(null[list(group)].sum(axis=0)) < NULL_TOL:
                groups.append(group)
    return groups


def _intervals(
    system: _System, atoms: np.ndarray, share: float, result: AuditResult
) -> list[Disclosure]:
    """Small atoms whose feasible interval misses the protection interval (HiGHS LP).

    Every solution of the LP is a feasible release: any atom it puts at least ``share`` below
    (above) its true value is protected on that side without an LP of its own. One LP over the
    weighted sum of all open atoms settles most of them; the rest get their own bound.
    """
    if not len(atoms):
        return []
    solver = _lp(system)
    values = system.sums
    bounds = {}
    for sign in (1.0, -1.0):  # 1: how low can the atom go, -1: how high
        goal = values * (1.0 - sign * share)
        tol = 1e-9 * np.maximum(1.0, values)
        safe = _protected_check(goal, sign, tol)
        weights = np.zeros(len(values))
        weights[atoms] = sign / np.maximum(values[atoms], 1e-9)
        open_atoms = [a for a in atoms if not safe(_solve(solver, weights, result))[a]]
        extreme = {}
        while open_atoms:
            atom = open_atoms.pop()
            unit = np.zeros(len(values))
            unit[atom] = sign
            solution = _solve(solver, unit, result)
            extreme[atom] = solution[atom]
            ok = safe(solution)
            open_atoms = [a for a in open_atoms if not ok[a]]
        bounds[sign] = extreme
    found = []
    for atom in atoms:
        lower = bounds[1.0].get(atom, -np.inf)
        upper = bounds[-1.0].get(atom, np.inf)
        slack = share * values[atom] - 1e-9 * max(1.0, values[atom])
        if values[atom] - lower < slack or upper - values[atom] < slack:
            found.append(_disclosure(system, (int(atom),), "interval", lower, upper))
    return found


def _protected_check(
    goal: np.ndarray, sign: float, tol: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """Which atoms a feasible solution puts beyond their protection level (on one side)."""

    def safe(y: np.ndarray) -> np.ndarray:
        return np.asarray(sign * (y - goal) <= tol)

    return safe


def _solve(solver: highspy.Highs, cost: np.ndarray, result: AuditResult) -> np.ndarray:
    """The atoms' sums at the optimum of ``min cost @ y``; ``y`` unchanged if unbounded."""
    n = solver.getNumCol()
    solver.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    solver.run()
    result.lp_solves += 1
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"disclosure audit: LP status {solver.getModelStatus()}")
    return np.asarray(solver.getSolution().col_value)


def _lp(system: _System) -> highspy.Highs:
    matrix = sparse.csc_matrix(system.matrix)
    rhs = system.matrix @ system.sums
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = np.zeros(matrix.shape[1])
    lp.col_lower_ = np.zeros(matrix.shape[1])
    lp.col_upper_ = np.full(matrix.shape[1], highspy.kHighsInf)
    lp.row_lower_ = rhs
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    # one model, many objectives: a warm-started simplex without presolve is fastest here
    solver.setOptionValue("presolve", "off")
    solver.passModel(lp)
    return solver


def _disclosure(
    system: _System,
    atoms: tuple[int, ...],
    kind: Literal["exact", "interval"],
    lower: float | None = None,
    upper: float | None = None,
    *,
    solve: np.ndarray | None = None,
    figures: np.ndarray | None = None,
) -> Disclosure:
    value = float(system.sums[list(atoms)].sum())
    indicator = np.zeros(system.matrix.shape[1])
    indicator[list(atoms)] = 1.0
    if figures is None and kind == "exact" and solve is not None:
        weights = solve @ indicator
        figures = np.flatnonzero(np.abs(weights) > 1e-9)
        figures = figures[np.argsort(-np.abs(weights[figures]))]
    elif figures is None:
        figures = np.flatnonzero(system.matrix[:, list(atoms)].sum(axis=1) > 0)
    return Disclosure(
        atoms=atoms,
        items=np.flatnonzero(np.isin(system.atom_of, atoms)),
        contributors=int(system.contributors[list(atoms)].sum()),
        kind=kind,
        value=value,
        lower=value if lower is None else lower,
        upper=value if upper is None else upper,
        figures=figures,
    )

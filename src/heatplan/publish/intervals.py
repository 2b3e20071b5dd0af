"""Interval disclosure: how closely the released figures pin each small atom's sum (HiGHS LPs).

Step 3 of the audit (:mod:`heatplan.publish.audit`): for every small atom of a block, the
smallest and largest sum compatible with all released figures and ``y >= 0`` must reach the
protection interval below and above its true sum. The LP is scaled (:class:`ScaledLp`): each
atom's sum in units of its true sum, each figure in units of its released value, so that the
true release is all ones. Any solution of the LP is a feasible release, so one LP settles every
atom it moves to its protection; most atoms of a large block are settled in one LP of all of
them, then in small LPs around them, and only the rest get LPs of the whole block.

An audit after a suppression asks the same block with fewer figures. :class:`KeptLps` keeps
the LP of a large block from one audit to the next and frees the rows of the figures gone, so
that the next audit's LPs start from the last basis instead of from scratch.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import highspy
import numpy as np
from scipy import sparse

from heatplan.publish import nullspace

__all__ = ["KeptLps", "ScaledLp", "Tally", "missed"]

#: Upper bound of a maximised atom in the scaled LP [-] (a share of at most 100 % is asked).
CAP = 2.0
#: Share of the open atoms a joint LP must settle to be tried again before single LPs [-].
GROUP_GAIN = 0.05
#: HiGHS options of the scaled LP. One model, many objectives: a warm-started simplex without
#: presolve; a new objective leaves the basis primal feasible, so the primal simplex (strategy
#: 4) goes on from it (measured on the 5,000-building town: 15 re-solves in 0.2 s, dual 2.2 s);
#: rows and columns are scaled already, HiGHS's own scaling on top of it loses feasibility on
#: sums of 1e-3 to 1e9 (tests/test_publish_audit_scale.py).
BASE_OPTIONS: tuple[tuple[str, str | int], ...] = (
    ("presolve", "off"),
    ("simplex_strategy", 4),
    ("simplex_scale_strategy", 0),
    ("solver", "simplex"),
)
#: What a solve that ends neither optimal nor unbounded tries next: warm, then cold with
#: HiGHS's choice of simplex, then with presolve and HiGHS's scaling, then interior point.
RETRIES: tuple[tuple[tuple[str, str | int], ...], ...] = (
    (),
    (("simplex_strategy", 0),),
    (("presolve", "on"), ("simplex_scale_strategy", 1)),
    (("solver", "ipm"),),
)
#: Open atoms of a joint LP above which it is solved cold (HiGHS's choice of simplex, from
#: its crash basis) instead of warm from the last optimum [count]. Measured on the
#: 50,000-building town (31,526 atoms): all 31,159 atoms raised at once 15.0 s warm, 0.4 s
#: cold; 10,186 lowered 9.4 s warm, 3.2 s cold; 40 atoms 0.2 s warm, 2.1 s cold.
COLD_ATOMS = 500
#: Atoms of a block above which the atoms one joint LP leaves open are moved in small LPs
#: around them (:meth:`ScaledLp.around`) before any further LP of the whole block [count].
AROUND_ATOMS = 2_000
#: Passes of :meth:`ScaledLp.around` over the atoms still open: open atoms per LP, and steps
#: from them to the edge of its patch [count]. A pass after the second goes on only while it
#: settles a share :data:`GROUP_GAIN` of the atoms open.
AROUND_PASSES: tuple[tuple[int, int], ...] = ((60, 2), (60, 2), (60, 4))
#: Atoms of a block from which its LP is kept for the audits of fewer figures
#: (:class:`KeptLps`) [count]. Measured on the 50,000-building town (31,520 atoms): the first
#: LP of the block in the next audit 2.5 s from scratch, 0.2 s from the kept basis.
KEPT_ATOMS = 2_000
#: Relative feasibility the scaled LP's solution must keep [-] (HiGHS default 1e-7).
LP_FEASIBILITY_TOL = 1e-9


@dataclass
class Tally:
    """LPs solved [count]."""

    solves: int = 0


def missed(
    lp: ScaledLp, atoms: np.ndarray, share: float, tally: Tally
) -> list[tuple[int, float, float]]:
    """The ``atoms`` (block positions) whose feasible interval misses the protection interval,
    each with its lowest and highest feasible sum (in the atom's unit; infinite: no bound).

    Every solution of the LP is a feasible release: any atom it puts at least ``share`` below
    (above) its true value is protected on that side without an LP of its own. One LP over the
    sum of all open atoms (scaled) settles most of them; the rest get their own bound.
    """
    if not len(atoms):
        return []
    bounds = {}
    for sign in (1.0, -1.0):  # 1: how low can the atom go, -1: how high
        goal = 1.0 - sign * share  # scaled: the true value is 1
        ok = np.zeros(len(lp.scale), dtype=bool)
        open_atoms = list(atoms)
        extreme: dict[int, float] = {}
        if len(lp.scale) > AROUND_ATOMS:
            open_atoms = _settled_around(lp, atoms, sign, goal, extreme, tally)
        grouped = True
        while open_atoms:
            if grouped:  # all open atoms at once, again while that settles enough of them
                cost = np.zeros(len(lp.scale))
                cost[open_atoms] = sign
                joint = lp.solve(cost, tally, cold=len(open_atoms) > COLD_ATOMS)
                if joint is None:  # unbounded: the atoms' own LPs say which
                    grouped = False
                    continue
                ok = sign * (joint - goal) <= LP_FEASIBILITY_TOL
                still = [a for a in open_atoms if not ok[a]]
                grouped = len(still) < (1.0 - GROUP_GAIN) * len(open_atoms)
                open_atoms = still
                continue
            atom = open_atoms.pop()
            near = lp.local(atom, sign, tally)  # a relaxation: its bound is never tighter
            if near is not None and sign * (near - goal) > LP_FEASIBILITY_TOL:
                extreme[atom] = near * lp.scale[atom]  # given away already around the atom
                continue
            unit = np.zeros(len(lp.scale))
            unit[atom] = sign
            solution = lp.solve(unit, tally)
            if solution is None:  # no upper bound: protected above
                extreme[atom] = np.inf
                continue
            extreme[atom] = solution[atom] * lp.scale[atom]
            ok = sign * (solution - goal) <= LP_FEASIBILITY_TOL
            open_atoms = [a for a in open_atoms if not ok[a]]
        bounds[sign] = extreme
    found = []
    for atom in atoms:
        value = lp.sums[atom]
        lower = bounds[1.0].get(atom, -np.inf)
        upper = bounds[-1.0].get(atom, np.inf)
        slack = share * value - 1e-9 * max(1.0, value)
        if value - lower < slack or upper - value < slack:
            found.append((int(atom), float(lower), float(upper)))
    return found


def _settled_around(
    lp: ScaledLp,
    atoms: np.ndarray,
    sign: float,
    goal: float,
    extreme: dict[int, float],
    tally: Tally,
) -> list[int]:
    """The ``atoms`` of a large block that neither one joint LP (where many are open) nor
    the LPs around them (:meth:`ScaledLp.around`) bring to ``goal``, nor the LP of the short
    figures around them (:meth:`ScaledLp.local`) shows given away (their bounds go to
    ``extreme``): what needs LPs of the whole block."""
    ok = np.zeros(len(lp.scale), dtype=bool)
    if len(atoms) > COLD_ATOMS:
        cost = np.zeros(len(lp.scale))
        cost[atoms] = sign
        joint = lp.solve(cost, tally, cold=True)
        if joint is not None:
            ok = sign * (joint - goal) <= LP_FEASIBILITY_TOL
    ok |= lp.around(atoms[~ok[atoms]], sign, goal, tally)
    rest = []
    for atom in atoms[~ok[atoms]]:
        bound = lp.local(int(atom), sign, tally)
        if bound is not None and sign * (bound - goal) > LP_FEASIBILITY_TOL:
            extreme[int(atom)] = bound * lp.scale[atom]  # given away already around it
        else:
            rest.append(int(atom))
    return rest


class ScaledLp:
    """The feasible releases of a block as a scaled HiGHS LP: ``z = y / s``, rows over rhs.

    Variables: each atom's sum in units of its true sum ``s`` (1 where the sum is 0); rows:
    each figure divided by its released value (a plain sum reads ``sum(s_j / b * z_j) = 1``),
    so that the true release is ``z = 1`` whatever the units and sizes of the figures.

    A figure with an atom of its own (in no other figure of the block) that is not small
    turns into an inequality and that atom leaves the LP. Proof: let atom ``o`` lie in figure
    ``f`` only, with coefficient ``a_fo > 0``. For any ``y' >= 0`` of the other atoms meeting
    every other figure, ``y_o = (b_f - a_f . y') / a_fo`` completes a feasible release if and
    only if ``a_f . y' <= b_f`` (``y_o >= 0``); ``y_o`` enters no objective (it is not small)
    and no other row. So the projection of the feasible set onto the other atoms is exactly
    the set with ``a_f . y' <= b_f`` in place of the equation: every bound is unchanged.
    (Dropping the figure altogether, as the exact test may, would be wrong here: the
    inequality still caps the other atoms — in ``F1 = a + b``, ``F2 = b + c`` with ``c`` not
    small, ``F2`` bounds ``b`` and with it ``a``.)

    Parameters
    ----------
    matrix : sparse matrix
        The block's figures x atoms.
    sums, contributors : array
        Per atom: its true sum and its contributors [count].
    minimum : int
        Fewest contributors of a protected sum [count].
    name : int
        The block's number (for errors).
    """

    def __init__(
        self,
        matrix: sparse.spmatrix,
        sums: np.ndarray,
        contributors: np.ndarray,
        minimum: int,
        name: int = 0,
    ) -> None:
        matrix = sparse.csc_matrix(matrix)
        rhs = np.asarray(matrix @ sums, dtype=float)
        self.name = name
        self.sums = np.asarray(sums, dtype=float)
        self.scale = np.where(self.sums > 0, self.sums, 1.0)
        support = matrix != 0
        counts = np.diff(sparse.csc_matrix(support).indptr)
        c = contributors
        own = (
            (counts == 1)
            & ~((c > 0) & (c < minimum))
            & (np.asarray(matrix.max(axis=0).todense()).ravel() > 0)
        )
        own = own & (matrix.min(axis=0).toarray().ravel() >= 0)
        inequality = np.asarray(support[:, own].sum(axis=1)).ravel() > 0
        self.keep = np.flatnonzero(~own)
        row_scale = np.where(rhs > 0, rhs, 1.0)
        self.scaled = sparse.csc_matrix(
            sparse.diags(1.0 / row_scale)
            @ matrix[:, self.keep]
            @ sparse.diags(self.scale[self.keep])
        )
        target = rhs / row_scale
        self.row_lower = np.where(inequality, -highspy.kHighsInf, target)
        self.row_upper = target
        self.rows = sparse.csr_matrix(self.scaled)
        self.column = np.full(len(self.sums), -1)
        self.column[self.keep] = np.arange(len(self.keep))
        self.by_column = sparse.csr_matrix(self.scaled.T)
        self.short = np.diff(self.rows.indptr) <= nullspace.LOCAL_FIGURE_ATOMS
        #: a kept LP this block's LPs are solved in (:class:`KeptLps`), with this block's
        #: position of each of its atoms
        self.kept: tuple[_Kept, np.ndarray] | None = None
        self._solver: highspy.Highs | None = None

    @property
    def solver(self) -> highspy.Highs:
        """The block's HiGHS model (built at its first solve)."""
        if self._solver is None:
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = self.scaled.shape[1], self.scaled.shape[0]
            lp.col_cost_ = np.zeros(self.scaled.shape[1])
            lp.col_lower_ = np.zeros(self.scaled.shape[1])
            lp.col_upper_ = np.full(self.scaled.shape[1], highspy.kHighsInf)
            lp.row_lower_, lp.row_upper_ = self.row_lower, self.row_upper
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = self.scaled.indptr
            lp.a_matrix_.index_ = self.scaled.indices
            lp.a_matrix_.value_ = self.scaled.data
            self._solver = highspy.Highs()
            self._solver.setOptionValue("output_flag", False)
            for key, value in BASE_OPTIONS:
                self._solver.setOptionValue(key, value)
            self._solver.setOptionValue("simplex_strategy", 0)  # the first solve: HiGHS's choice
            self._solver.passModel(lp)
        return self._solver

    def solve(self, cost: np.ndarray, tally: Tally, *, cold: bool = False) -> np.ndarray | None:
        """Scaled sums of the block's atoms at the optimum of ``min cost @ z``, None if the
        objective is unbounded (an atom so small beside its figures that HiGHS drops its
        coefficients, below ``small_matrix_value``: it can grow without bound).

        A warm start that loses feasibility is solved again cold, then with presolve on. In a
        kept LP where this block's objective has its terms there (:meth:`_Kept.solve`).
        """
        if self.kept is not None:
            kept, position = self.kept
            mapped, z = kept.solve(self, position, cost, tally, cold=cold)
            if mapped:
                return z
        n = self.solver.getNumCol()
        self.solver.changeColsCost(n, np.arange(n, dtype=np.int32), cost[self.keep])
        # an atom maximised needs no more than CAP (its protection ends at 1 + share): capped,
        # a tiny atom beside huge figures cannot run off along a ray of near-zero coefficients
        raised = np.flatnonzero(cost[self.keep] < 0).astype(np.int32)
        self._bound(raised, CAP)
        if cold:
            self.solver.clearSolver()
            self.solver.setOptionValue("simplex_strategy", 0)
        try:
            return self._run(n, tally)
        finally:
            self._bound(raised, highspy.kHighsInf)

    def local(self, atom: int, sign: float, tally: Tally) -> float | None:
        """The atom's scaled bound (``sign`` 1: lowest, -1: highest) in the LP of only the
        short figures within two steps of it (:data:`heatplan.publish.nullspace.
        LOCAL_FIGURE_ATOMS`), or None (no such figure, unbounded, not solved).

        Fewer rows only widen the feasible set: an atom whose bound misses its protection
        here misses it in the block's LP too. Most atoms still open after the joint LP are
        such atoms (a house beside a large building capped by a second figure), settled here
        in a few rows instead of an LP over the whole block.
        """
        j = self.column[atom]
        if j < 0:
            return None
        own = nullspace.rows_of(self.by_column, np.array([j]))[1]
        own = own[self.short[own]]
        if not len(own):
            return None
        neighbours = np.unique(nullspace.rows_of(self.rows, own)[1])
        second = nullspace.rows_of(self.by_column, neighbours)[1]
        rows = np.union1d(own, second[self.short[second]])
        starts, index, value = nullspace.rows_of(self.rows, rows)
        cols, index = np.unique(index, return_inverse=True)
        matrix = sparse.csr_matrix((value, index, starts), shape=(len(rows), len(cols)))
        target = int(np.searchsorted(cols, j))
        cost = np.zeros(len(cols))
        cost[target] = sign
        upper = np.full(len(cols), highspy.kHighsInf)
        if sign < 0:
            upper[target] = CAP
        z = small_lp(matrix, cost, upper, self.row_lower[rows], self.row_upper[rows], tally)
        return None if z is None else float(z[target])

    def around(self, atoms: np.ndarray, sign: float, goal: float, tally: Tally) -> np.ndarray:
        """Per block position: an atom a feasible release moves to ``goal`` (``sign`` 1: below,
        -1: above), found in small LPs with every atom outside a patch held at its true sum.

        Atoms in compact chunks (:func:`heatplan.publish.nullspace.grown_patches`) are taken
        :data:`AROUND_PASSES` at a time; each LP has them and their neighbours through short
        figures as variables, every figure they lie in as a row (a long figure less its atoms
        outside the patch, at their true sums), and the sum of the open atoms as objective.
        Its solution with the true sums outside is a solution of the block's LP (a
        restriction: every row holds), so an atom it moves to the goal is protected on that
        side. The converse of :meth:`local`; what neither settles gets an LP of the block.
        """
        ok = np.zeros(len(self.scale), dtype=bool)
        open_cols = self.column[atoms]
        open_cols = open_cols[open_cols >= 0]
        adjacency = self._adjacency()
        for number, (size, steps) in enumerate(AROUND_PASSES):  # new, wider patches
            before = len(open_cols)
            for chunk, patch in nullspace.grown_patches(adjacency, open_cols, size, steps):
                z = self._restricted(patch, np.isin(patch, chunk), sign, tally)
                if z is not None:
                    ok[self.keep[patch[sign * (z - goal) <= LP_FEASIBILITY_TOL]]] = True
            open_cols = open_cols[~ok[self.keep[open_cols]]]
            if len(open_cols) > (1.0 - GROUP_GAIN) * before and number > 1:
                break
        return ok

    def free_rows(self, rows: np.ndarray) -> None:
        """Drop the figures ``rows`` (their rows unbounded; the basis stays)."""
        if len(rows):
            self.row_lower[rows], self.row_upper[rows] = -highspy.kHighsInf, highspy.kHighsInf
            if self._solver is not None:
                for row in rows:  # a few figures per audit
                    self._solver.changeRowBounds(int(row), -highspy.kHighsInf, highspy.kHighsInf)

    def _adjacency(self) -> sparse.csr_matrix:
        """Kept atoms x kept atoms: sharing a short figure."""
        support = sparse.csr_matrix(self.rows[np.flatnonzero(self.short)] != 0, dtype=np.int32)
        return sparse.csr_matrix(support.T @ support)

    def _restricted(
        self, patch: np.ndarray, objective: np.ndarray, sign: float, tally: Tally
    ) -> np.ndarray | None:
        """The patch's scaled sums at the optimum of ``sign * sum(z[objective])`` with every
        other atom at its true sum (1), or None if not solved."""
        rows = np.unique(self.by_column[patch].indices)
        part = self.rows[rows]
        inner = sparse.csc_matrix(part[:, patch])
        outside = np.asarray(part.sum(axis=1)).ravel() - np.asarray(inner.sum(axis=1)).ravel()
        cost = np.where(objective, sign, 0.0)
        upper = np.where(objective & (sign < 0), CAP, highspy.kHighsInf)
        lower_rows, upper_rows = self.row_lower[rows] - outside, self.row_upper[rows] - outside
        return small_lp(inner, cost, upper, lower_rows, upper_rows, tally)

    def _bound(self, cols: np.ndarray, upper: float) -> None:
        if len(cols):
            lower = np.zeros(len(cols))
            self.solver.changeColsBounds(len(cols), cols, lower, np.full(len(cols), upper))

    def _run(self, n: int, tally: Tally) -> np.ndarray | None:
        status = highspy.HighsModelStatus.kNotset
        for attempt in RETRIES:
            if attempt:
                self.solver.clearSolver()
            for key, value in attempt:
                self.solver.setOptionValue(key, value)
            self.solver.run()
            tally.solves += 1
            status = self.solver.getModelStatus()
            if status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
                break
        for key, value in BASE_OPTIONS:
            self.solver.setOptionValue(key, value)
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
            raise RuntimeError(
                f"disclosure audit: LP of component {self.name} ({n} atoms) ended with status "
                f"{self.solver.modelStatusToString(status)}"
            )
        if status == highspy.HighsModelStatus.kUnbounded:
            return None
        z = np.ones(len(self.scale))  # atoms outside the LP are never asked about
        z[self.keep] = np.asarray(self.solver.getSolution().col_value)
        return z


class KeptLps:
    """The LPs of one table's large blocks, kept from an audit to the next of fewer figures.

    An audit after a suppression has a subset of the figures over the same items and values.
    Items alike in every figure are alike in fewer, so each atom now is a union of atoms of
    the kept LP, and each block lies within a kept block (blocks only fall apart). The kept
    LP with the rows of the figures gone unbounded is the new block's LP over those finer
    atoms: a new atom's sum is the sum of its parts, and an objective over it the sum of
    theirs. Its solves start from the last basis (:data:`KEPT_ATOMS`: 0.2 s instead of
    2.5 s).

    The parts of a new atom have proportional columns in every bounded row: only their sum
    enters the LP. An objective over the new atom, weighted by the parts' sums, has its
    optimum at the new atom's optimum; capped part by part at :data:`CAP`, the sum is capped
    at no less than :data:`CAP` times the new atom's sum, more than its protection asks. An
    atom with a part the kept LP eliminated (a part in one figure only, not small: of no
    contributor) is solved in the block's own LP.
    """

    def __init__(self) -> None:
        self._kept: list[_Kept] = []

    def attach(
        self,
        lp: ScaledLp,
        atom_of_item: np.ndarray,
        row_keys: Sequence[bytes],
        present: Collection[bytes],
    ) -> None:
        """Solve ``lp`` in the kept LP that holds its block, or keep it for the next audits.

        Parameters
        ----------
        lp : ScaledLp
            A block's LP (of :data:`KEPT_ATOMS` atoms or more).
        atom_of_item : array
            Per item of the table: the block position of its atom, -1 outside the block.
        row_keys : sequence of bytes
            Per row of the block: its figure's items and coefficients (:func:`figure_keys`).
        present : collection of bytes
            The keys of every figure of this audit.
        """
        inside = atom_of_item >= 0
        for kept in self._kept:
            if len(kept.position) != len(atom_of_item) or (kept.position[inside] < 0).any():
                continue
            if not set(row_keys) <= kept.rows:  # a figure the kept LP never had: not a subset
                self._kept.remove(kept)
                break
            gone = ~kept.free & np.array([key not in present for key in kept.keys], dtype=bool)
            kept.lp.free_rows(np.flatnonzero(gone))
            kept.free |= gone
            lp.kept = (kept, atom_of_item[kept.first])
            return
        items = np.flatnonzero(inside)
        first = np.full(len(lp.scale), -1, dtype=np.int64)
        first[atom_of_item[items]] = items  # an item of each atom
        self._kept.append(
            _Kept(lp, atom_of_item.copy(), first, list(row_keys), np.zeros(len(row_keys), bool))
        )


@dataclass
class _Kept:
    """A kept LP: per item its atom (-1: none), an item per atom, each row's figure key, and
    the rows freed so far."""

    lp: ScaledLp
    position: np.ndarray
    first: np.ndarray
    keys: list[bytes]
    free: np.ndarray
    rows: set[bytes] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = set(self.keys)

    def solve(
        self, block: ScaledLp, position: np.ndarray, cost: np.ndarray, tally: Tally, *, cold: bool
    ) -> tuple[bool, np.ndarray | None]:
        """``block``'s :meth:`ScaledLp.solve` in the kept LP (``position``: per kept atom its
        block position, -1 outside): (False, None) where the objective does not map."""
        inside = position >= 0
        terms = np.flatnonzero(inside & (cost[np.maximum(position, 0)] != 0))
        if (self.lp.column[terms] < 0).any():  # a part the kept LP eliminated
            return False, None
        weights = np.zeros(len(self.lp.scale))
        weights[terms] = cost[position[terms]] * self.lp.scale[terms] / block.scale[position[terms]]
        z = self.lp.solve(weights, tally, cold=cold)
        if z is None:
            return True, None
        sums = np.bincount(
            position[inside], weights=self.lp.scale[inside] * z[inside], minlength=len(block.scale)
        )
        return True, sums / block.scale


def figure_keys(members: sparse.csr_matrix) -> list[bytes]:
    """Per figure (row of ``members``, items x coefficients): its items and coefficients."""
    members = sparse.csr_matrix(members, dtype=float)
    members.sort_indices()
    bounds = members.indptr
    return [
        members.indices[a:b].astype(np.int64).tobytes() + members.data[a:b].tobytes()
        for a, b in pairwise(bounds)
    ]


def small_lp(
    matrix: sparse.csc_matrix | sparse.csr_matrix,
    cost: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    tally: Tally,
) -> np.ndarray | None:
    """``min cost @ z`` over ``0 <= z <= upper``, ``row_lower <= matrix z <= row_upper``: a
    small LP with HiGHS's defaults; its solution, or None if not solved to optimality."""
    lp = highspy.HighsLp()
    lp.num_row_, lp.num_col_ = matrix.shape
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(matrix.shape[1]), upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    rowwise = sparse.isspmatrix_csr(matrix)
    lp.a_matrix_.format_ = (
        highspy.MatrixFormat.kRowwise if rowwise else highspy.MatrixFormat.kColwise
    )
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    solver = _small_solver()
    solver.passModel(lp)
    solver.run()
    tally.solves += 1
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(solver.getSolution().col_value)


#: One HiGHS instance per process for the small LPs (a new one costs as much as solving one).
_SMALL: dict[int, highspy.Highs] = {}


def _small_solver() -> highspy.Highs:
    """This process's HiGHS instance for small LPs (with HiGHS's defaults, silent); a forked
    process makes its own."""
    pid = os.getpid()
    if pid not in _SMALL:
        _SMALL.clear()
        _SMALL[pid] = highspy.Highs()
        _SMALL[pid].setOptionValue("output_flag", False)
    return _SMALL[pid]

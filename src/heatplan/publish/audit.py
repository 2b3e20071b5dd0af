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

**Scale.** The system falls apart into independent blocks: the connected components of the
bipartite graph figures–atoms. A combination of figures that isolates a group of atoms only
uses figures of the atoms' components (the row space, the null space and the feasible set of
the LP are direct sums over the components), so every test runs per component, on a dense
matrix of that component only, and a component without a small atom needs no test at all.
The exact test factorises the component's core once (economy SVD: an orthonormal basis of the
row space; the null-space part of a group is its indicator minus its projection on that
basis). The interval LP is scaled: each atom's sum is measured in units of its true sum and
each figure in units of its released value, so the true release is all ones.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from threadpoolctl import threadpool_limits

from heatplan.publish import intervals as interval_lp
from heatplan.publish import nullspace

__all__ = ["AuditResult", "Disclosure", "atom_key", "audit_sums"]

#: Relative size below which a null-space component counts as zero [-] (numerical choice: the
#: system has 0/1 coefficients; genuine components are of order 1/sqrt(atoms) > 1e-4).
NULL_TOL = 1e-8
#: Eigenvalue of the Gram matrix, relative to the largest, below which it counts as zero [-].
GRAM_TOL = 1e-12
#: Smaller dimension of a component's core above which the exact test sketches the null space
#: instead of factorising the core (:mod:`heatplan.publish.nullspace`) [count]; below it the
#: dense eigendecomposition takes well under a second.
DENSE_LIMIT = 1_200
#: Most atoms of a union the exact test tries (pairs and triples of small atoms).
MAX_UNION = 3
#: Squared null-space part below which the explicit residual is computed [-] (screening: the
#: squared part ``1 - |q|^2`` is exact to ~1e-15; genuine parts are > 1e-8 squared).
SCREEN_TOL = 1e-10
#: Single atoms whose residuals or weights are computed in one matrix product [count].
BATCH = 256
#: Pairs of heads searched at once for triples (bounds the memory of the search) [count].
HEAD_CHUNK = 2_000_000


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
    #: small atoms (their items, :func:`atom_key`) the interval audit found protected
    protected: list[bytes] = field(default_factory=list)
    #: small atoms (:func:`atom_key`) the exact test of a large component found in no small group
    #: of the row space (``audit_sums(quiet=...)`` of fewer figures)
    quiet: list[bytes] = field(default_factory=list)
    #: atoms (:func:`atom_key`) with fewer contributors than the minimum, zero included: the
    #: ``known`` of an audit of fewer figures
    low: list[bytes] = field(default_factory=list)
    #: components of the figures–atoms graph holding a small atom (each audited on its own)
    components: int = 0
    #: atoms of the largest such component
    largest_component: int = 0
    disclosures: list[Disclosure] = field(default_factory=list)


@dataclass(frozen=True)
class _System:
    matrix: sparse.csc_matrix  # figures x atoms: each figure's coefficient on each atom
    atom_of: np.ndarray  # per item: atom index, -1 where the item is in no figure
    sums: np.ndarray  # per atom: true sum of its values
    contributors: np.ndarray  # per atom: buildings with a non-zero value

    @cached_property
    def items_by_atom(self) -> tuple[np.ndarray, np.ndarray]:
        """The covered items ordered by atom, and where each atom's items start."""
        items = np.flatnonzero(self.atom_of >= 0)
        order = items[np.argsort(self.atom_of[items], kind="stable")]
        starts = np.searchsorted(self.atom_of[order], np.arange(self.matrix.shape[1] + 1))
        return order, starts


@dataclass(frozen=True)
class _Block:
    """One connected component of the figures–atoms graph (original numbering kept)."""

    index: int
    rows: np.ndarray  # its figures (rows of the system)
    cols: np.ndarray  # its atoms (columns of the system)
    matrix: sparse.csr_matrix  # rows x cols
    sums: np.ndarray  # per column: true sum
    contributors: np.ndarray  # per column: contributors


@dataclass(frozen=True)
class _Basis:
    """The row space of a block's core: ``basis`` (rank x core atoms) orthonormal rows."""

    rows: np.ndarray  # core figures (block numbering)
    cols: np.ndarray  # core atoms (block numbering)
    u: np.ndarray  # core figures x rank
    sigma: np.ndarray  # rank
    basis: np.ndarray  # rank x core atoms

    def null_norm(self, group: np.ndarray) -> float:
        """Norm of the null-space part of the indicator of ``group`` (positions in ``cols``).

        ``|P e|^2 = |e|^2 - |Q^T e|^2`` screens; near zero the part is computed explicitly.
        """
        if self.basis.shape[0] == len(self.cols):  # full column rank: no null space
            return 0.0
        head = self.basis[:, group].sum(axis=1)
        squared = len(group) - float(head @ head)
        if squared >= SCREEN_TOL:
            return float(np.sqrt(squared))
        return float(np.linalg.norm(self.null_part(group)))

    def single_null_norms(self, positions: np.ndarray) -> np.ndarray:
        """Norms of the null-space parts of single atoms (screened; near zero in batches)."""
        if self.basis.shape[0] == len(self.cols):  # full column rank: no null space
            return np.zeros(len(positions))
        squared = 1.0 - (self.basis[:, positions] ** 2).sum(axis=0)
        norms = np.sqrt(np.maximum(squared, 0.0))
        near = np.flatnonzero(squared < SCREEN_TOL)
        for start in range(0, len(near), BATCH):
            chunk = near[start : start + BATCH]
            parts = -(self.basis.T @ self.basis[:, positions[chunk]])
            parts[positions[chunk], np.arange(len(chunk))] += 1.0
            norms[chunk] = np.linalg.norm(parts, axis=0)
        return norms

    def single_figures(self, positions: np.ndarray) -> list[np.ndarray]:
        """Per single atom, the core figures of its least-norm combination, most used first
        (block numbering)."""
        out = []
        for start in range(0, len(positions), BATCH):
            chunk = positions[start : start + BATCH]
            weights = self.u @ (self.basis[:, chunk] / self.sigma[:, None])
            for column in weights.T:
                used = np.flatnonzero(np.abs(column) > 1e-9)
                out.append(self.rows[used[np.argsort(-np.abs(column[used]), kind="stable")]])
        return out

    def null_part(self, group: np.ndarray) -> np.ndarray:
        """Null-space part of the indicator of ``group`` (positions in ``cols``)."""
        indicator = np.zeros(len(self.cols))
        indicator[group] = 1.0
        return indicator - self.basis.T @ (self.basis[:, group].sum(axis=1))

    def weights(self, group: np.ndarray) -> np.ndarray:
        """Least-norm weights of the core figures that make up the group's sum."""
        return self.u @ (self.basis[:, group].sum(axis=1) / self.sigma)


def audit_sums(
    members: sparse.spmatrix,
    values: np.ndarray,
    owners: np.ndarray,
    *,
    minimum: int,
    protection_share: float,
    intervals: bool = True,
    exact: bool = True,
    decompose: bool = True,
    kept: np.ndarray | None = None,
    protected: Collection[bytes] = (),
    quiet: Collection[bytes] = (),
    known: Collection[bytes] = (),
    lps: interval_lp.KeptLps | None = None,
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
    decompose : bool
        Audit each connected component of the figures–atoms graph on its own (the same
        result as one audit of the whole system, which False runs: for tests).
    kept : array of bool, optional
        Per figure: one the caller gives up last (the plan's own figures). A group in a large
        component held by no other small figure is named with its least-norm combination
        (:func:`heatplan.publish.nullspace.combinations`).
    protected : collection of bytes
        Atoms (:func:`atom_key` of their items) an earlier interval audit of a superset of
        these figures found protected: they stay protected (fewer figures only widen every
        feasible interval) and get no LP.
    quiet : collection of bytes
        Atoms (:func:`atom_key`) that an earlier exact test of a superset of these figures found
        in no small group of its row space (:attr:`AuditResult.quiet`). Fewer figures only
        shrink the row space, so a group of such atoms alone, unchanged, is not in it now: the
        triple search starts from the other atoms only (a group in the row space now is one
        then; less its atoms in the row space then, it is a group found then or empty). A
        quiet atom may still be a member, but only beside a new atom (one fewer figures merged
        from two): a group of atoms all known then was found then.
    known : collection of bytes
        Atoms (:func:`atom_key`) below the minimum in that earlier test (:attr:`AuditResult.
        low`); an atom not among them is new. Empty: every atom counts as new.
    lps : KeptLps, optional
        The LPs of large blocks kept from an earlier interval audit of a superset of these
        figures (the same items and values): solved here from their last basis, with the
        figures gone freed (:class:`heatplan.publish.intervals.KeptLps`); a large block
        without one has its LP kept there.

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
    is_small = (system.contributors > 0) & (system.contributors < minimum)
    result = AuditResult(
        figures=system.matrix.shape[0],
        items=int((system.atom_of >= 0).sum()),
        atoms=system.matrix.shape[1],
        small_atoms=int(is_small.sum()),
    )
    if not result.small_atoms:
        return result
    blocks = _blocks(system, is_small) if decompose else [_whole(system)]
    result.components = len(blocks)
    result.largest_component = max(len(b.cols) for b in blocks)
    kept_rows = np.zeros(system.matrix.shape[0], dtype=bool) if kept is None else np.asarray(kept)
    settled = _known(system, is_small, protected if intervals else ())
    was_quiet = _known(system, is_small, quiet if exact else ())
    is_low = system.contributors < minimum
    is_new = ~_known(system, is_low, known if exact and quiet else ())
    quiet_now: list[int] = []
    large = lps is not None and result.largest_component >= interval_lp.KEPT_ATOMS
    keys = interval_lp.figure_keys(members) if large and intervals else []
    for block in blocks:
        result.disclosures.extend(
            _audit_block(
                system, block, minimum, protection_share, intervals, exact, result,
                kept_rows, settled, was_quiet, is_new, quiet_now, lps, keys,
            )
        )  # fmt: skip
    result.quiet = _atom_keys(system, quiet_now)
    result.low = _atom_keys(system, np.flatnonzero(is_low)) if exact else []
    return result


def _known(system: _System, is_small: np.ndarray, keys: Collection[bytes]) -> np.ndarray:
    """Per atom: an atom of ``is_small`` whose :func:`atom_key` is one of ``keys``."""
    out = np.zeros(system.matrix.shape[1], dtype=bool)
    if keys:
        small = np.flatnonzero(is_small)
        known = set(keys)
        out[small] = [key in known for key in _atom_keys(system, small)]
    return out


def _audit_block(
    system: _System,
    block: _Block,
    minimum: int,
    share: float,
    intervals: bool,
    exact: bool,
    result: AuditResult,
    kept: np.ndarray,
    settled: np.ndarray,
    was_quiet: np.ndarray,
    is_new: np.ndarray,
    quiet_now: list[int],
    lps: interval_lp.KeptLps | None,
    keys: list[bytes],
) -> list[Disclosure]:
    """Exact and interval disclosures of one block (in the system's numbering); the block's
    quiet atoms (:attr:`AuditResult.quiet`) are added to ``quiet_now``."""
    found = (
        _exact(
            system,
            block,
            minimum,
            kept[block.rows],
            was_quiet[block.cols],
            is_new[block.cols],
            quiet_now,
        )
        if exact
        else []
    )
    if intervals:
        c = block.contributors
        done = {a for d in found for a in d.atoms}
        todo = np.array(
            [
                j
                for j in np.flatnonzero((c > 0) & (c < minimum))
                if block.cols[j] not in done and not settled[block.cols[j]]
            ],
            dtype=int,
        )
        disclosed = _intervals(system, block, todo, share, minimum, result, lps, keys)
        found = found + disclosed
        hit = {a for d in disclosed for a in d.atoms}
        result.protected += _atom_keys(
            system, [block.cols[j] for j in todo if block.cols[j] not in hit]
        )
    return found


def atom_key(items: np.ndarray) -> bytes:
    """An atom as the sorted positions of its items (the same across audits of one table)."""
    return np.sort(np.asarray(items, dtype=np.int64)).tobytes()


def _atom_keys(system: _System, atoms: Sequence[int] | np.ndarray) -> list[bytes]:
    """:func:`atom_key` of each atom."""
    if not len(atoms):
        return []
    order, starts = system.items_by_atom
    return [atom_key(order[starts[a] : starts[a + 1]]) for a in atoms]


def _system(members: sparse.csr_matrix, values: np.ndarray, owners: np.ndarray) -> _System:
    """Atoms of the released figures and the figures x atoms matrix (sparse).

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
    matrix = sparse.csc_matrix(csc[:, first])
    sums = np.bincount(atom_of[items], weights=values[items], minlength=n_atoms)
    positive = items[values[items] > 0]
    pairs = np.unique(np.column_stack([atom_of[positive], _codes(owners[positive])]), axis=0)
    contributors = np.bincount(pairs[:, 0], minlength=n_atoms) if len(pairs) else None
    if contributors is None:
        contributors = np.zeros(n_atoms, dtype=int)
    return _System(matrix, atom_of, sums, contributors.astype(int))


def _codes(values: np.ndarray) -> np.ndarray:
    return np.unique(values.astype(str), return_inverse=True)[1]


def _blocks(system: _System, is_small: np.ndarray) -> list[_Block]:
    """Connected components of the figures–atoms graph that hold a small atom."""
    support = sparse.csr_matrix(system.matrix != 0, dtype=np.int8)
    n_rows = support.shape[0]
    graph = sparse.bmat([[None, support], [support.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    row_label, col_label = labels[:n_rows], labels[n_rows:]
    wanted = np.unique(col_label[is_small])
    row_order = np.argsort(row_label, kind="stable")
    col_order = np.argsort(col_label, kind="stable")
    row_split = np.searchsorted(row_label[row_order], wanted)
    row_end = np.searchsorted(row_label[row_order], wanted, side="right")
    col_split = np.searchsorted(col_label[col_order], wanted)
    col_end = np.searchsorted(col_label[col_order], wanted, side="right")
    csr = sparse.csr_matrix(system.matrix)
    return [
        _block(system, csr, k, row_order[r0:r1], col_order[c0:c1])
        for k, (r0, r1, c0, c1) in enumerate(
            zip(row_split, row_end, col_split, col_end, strict=True)
        )
    ]


def _whole(system: _System) -> _Block:
    rows = np.arange(system.matrix.shape[0])
    cols = np.arange(system.matrix.shape[1])
    return _block(system, sparse.csr_matrix(system.matrix), 0, rows, cols)


def _block(
    system: _System, csr: sparse.csr_matrix, index: int, rows: np.ndarray, cols: np.ndarray
) -> _Block:
    matrix = sparse.csr_matrix(csr[rows][:, cols])
    matrix.sort_indices()
    return _Block(index, rows, cols, matrix, system.sums[cols], system.contributors[cols])


def _exact(
    system: _System,
    block: _Block,
    minimum: int,
    kept: np.ndarray,
    was_quiet: np.ndarray,
    is_new: np.ndarray,
    quiet_now: list[int],
) -> list[Disclosure]:
    """Atoms and unions of up to three atoms with < minimum contributors in the row space:
    from a dense factorisation of a small core, from a null-space sketch of a large one (whose
    quiet atoms go to ``quiet_now``; ``was_quiet``, ``is_new`` per block position)."""
    c = block.contributors
    rows, cols = _core(block.matrix, c < minimum)
    if min(len(rows), len(cols)) > DENSE_LIMIT:
        sketched = _exact_sketched(
            system, block, minimum, rows, cols, kept[rows], was_quiet[cols], is_new[cols]
        )
        if sketched is not None:
            found, quiet = sketched
            quiet_now.extend(int(a) for a in block.cols[cols[quiet]])
            return found
    return _exact_dense(system, block, minimum)


def _exact_sketched(
    system: _System,
    block: _Block,
    minimum: int,
    rows: np.ndarray,
    cols: np.ndarray,
    kept: np.ndarray,
    was_quiet: np.ndarray,
    is_new: np.ndarray,
) -> tuple[list[Disclosure], np.ndarray] | None:
    """The exact test of a large core (:mod:`heatplan.publish.nullspace`) and its quiet atoms
    (core positions); None if its least-squares solver did not converge. Atoms quiet in an
    earlier test of more figures (``was_quiet``) head no triple search and partner only the
    new atoms (``is_new``) in the search of atoms without a local null vector."""
    core = sparse.csr_matrix(block.matrix[rows][:, cols])
    sketch = nullspace.null_sketch(core)
    if sketch is None:
        return None
    c = block.contributors[cols]
    candidates = np.flatnonzero(c < minimum)
    size = np.abs(sketch[candidates]).max(axis=1)
    singles = candidates[(size < nullspace.UNCLEAR_TOL) & (c[candidates] > 0)]
    proposed: list[tuple[int, ...]] = [(int(a),) for a in singles]
    rest = candidates[size >= nullspace.ZERO_TOL]  # the dense test's "not a single" in doubt too
    proposed += nullspace.sketch_pairs(sketch, rest, c, minimum)
    proposed += nullspace.local_triples(
        core, sketch, rest, c, minimum, heads=~was_quiet, new=is_new
    )
    proposed.sort(key=lambda g: (len(g), g))  # singles, pairs, triples: the dense test's order
    unclear = [g for g in proposed if nullspace.sketch_size(sketch, g) >= nullspace.ZERO_TOL]
    verdicts = nullspace.in_row_space(core, unclear)
    dropped = {g for g, ok in zip(unclear, verdicts, strict=True) if not ok}
    groups: list[tuple[int, ...]] = []
    seen: set[int] = set()  # core positions already disclosed
    for group in proposed:
        if group in dropped or (len(group) > 1 and (not c[list(group)].sum() or seen & set(group))):
            continue
        groups.append(group)
        seen.update(group)
    found: list[Disclosure] = []
    for group, figures in zip(groups, nullspace.combinations(core, groups, kept), strict=True):
        found.append(
            _disclosure(
                system, _atoms(block, cols[list(group)]), "exact", figures=block.rows[rows[figures]]
            )
        )
    done = {int(cols[a]) for a in seen}  # block positions
    for group, figures in _subtractions(block.matrix, block.contributors, minimum):
        if not done.intersection(group):
            found.append(
                _disclosure(system, _atoms(block, group), "exact", figures=block.rows[figures])
            )
            done.update(group)
    in_groups = np.zeros(len(cols), dtype=bool)
    in_groups[[a for g in proposed for a in g]] = True
    quiet = candidates[(size >= nullspace.UNCLEAR_TOL) & ~in_groups[candidates]]
    return found, quiet


def _atoms(block: _Block, positions: Sequence[int] | np.ndarray) -> tuple[int, ...]:
    """Atoms (system numbering) of block positions."""
    return tuple(int(block.cols[a]) for a in positions)


def _exact_dense(system: _System, block: _Block, minimum: int) -> list[Disclosure]:
    """The exact test from an orthonormal basis of the core's row space."""
    c = block.contributors
    found: list[Disclosure] = []
    seen: set[int] = set()

    def add(group: tuple[int, ...], figures: np.ndarray | None, solved: bool) -> None:
        found.append(_exact_disclosure(system, block, group, figures, basis if solved else None))
        seen.update(group)

    basis = _row_space(block, c < minimum)
    local = np.full(len(c), -1)
    local[basis.cols] = np.arange(len(basis.cols))
    candidates = basis.cols[c[basis.cols] < minimum]  # zero-contributor atoms may join a union
    norms = basis.single_null_norms(local[candidates])
    singles = candidates[(norms < NULL_TOL) & (c[candidates] > 0)]
    for atom, figures in zip(singles, basis.single_figures(local[singles]), strict=True):
        add((int(atom),), figures, solved=False)
    rest_atoms = candidates[norms >= NULL_TOL]
    projection = _projection(basis, local[rest_atoms])
    for size in range(2, MAX_UNION + 1):
        for group in _null_unions(basis, local, projection, rest_atoms, c, size, minimum):
            if c[list(group)].sum() > 0 and not seen.intersection(group):
                add(group, None, solved=True)
    for group, figures in _subtractions(block.matrix, c, minimum):
        if not seen.intersection(group):
            add(group, figures, solved=False)
    return found


def _row_space(block: _Block, small: np.ndarray) -> _Basis:
    """An orthonormal basis of the row space of the block's core, from the eigenvectors of
    the smaller Gram matrix (``A A^T`` or ``A^T A``, sparse products): singular vectors and
    values of ``A`` without a dense SVD of ``A`` (5,000-building town: 5 s instead of 26 s).

    Squaring the singular values halves the digits that tell rank: an eigenvalue counts above
    ``GRAM_TOL`` times the largest (singular values above 1e-6 of the largest; on the towns
    measured the smallest kept is 0.08 and the next 1e-14).
    """
    rows, cols = _core(block.matrix, small)
    core = sparse.csr_matrix(block.matrix[rows][:, cols])
    wide = core.shape[0] <= core.shape[1]
    gram = (core @ core.T if wide else core.T @ core).toarray()
    # BLAS threads only get in each other's way beside the other sessions' work (measured
    # here: SVD of 364 x 554 in 0.03 s on one thread, 0.13 s on two)
    with threadpool_limits(limits=1, user_api="blas"):
        eigenvalues, vectors = np.linalg.eigh(gram)
    keep = eigenvalues > GRAM_TOL * max(1.0, eigenvalues.max(initial=0.0))
    sigma = np.sqrt(eigenvalues[keep])[::-1]
    vectors = vectors[:, keep][:, ::-1]
    if wide:  # vectors: left singular vectors
        u = vectors
        basis = np.asarray(core.T @ u).T / sigma[:, None]
    else:  # vectors: right singular vectors
        basis = vectors.T
        u = np.asarray(core @ vectors) / sigma
    return _Basis(rows, cols, np.ascontiguousarray(u), sigma, np.ascontiguousarray(basis))


def _projection(basis: _Basis, positions: np.ndarray) -> np.ndarray:
    """A random projection of the null-space parts of the atoms at ``positions``."""
    g = np.random.default_rng(0).standard_normal(len(basis.cols))
    p = g - basis.basis.T @ (basis.basis @ g)
    return np.asarray(p[positions])


def _exact_disclosure(
    system: _System,
    block: _Block,
    group: tuple[int, ...],
    figures: np.ndarray | None,
    basis: _Basis | None,
) -> Disclosure:
    """An exact disclosure of ``group`` (block columns), figures in the system's numbering."""
    if figures is None and basis is not None:
        position = np.searchsorted(basis.cols, np.array(group))
        weights = basis.weights(position)
        used = np.flatnonzero(np.abs(weights) > 1e-9)
        figures = basis.rows[used[np.argsort(-np.abs(weights[used]), kind="stable")]]
    assert figures is not None
    atoms = tuple(int(block.cols[a]) for a in group)
    return _disclosure(system, atoms, "exact", figures=block.rows[figures])


def _subtractions(
    matrix: sparse.csr_matrix, contributors: np.ndarray, minimum: int
) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Groups an intruder isolates by subtraction, with 1 .. minimum-1 contributors, and the
    figures that isolate them (the outer figure first).

    For every figure: each figure nested in it (its atoms a subset), and the disjoint nested
    figures taken largest first; where the nested figures weigh their atoms as the outer one
    does and the outer weighs the rest alike, the remainder's plain sum is released.
    """
    support = sparse.csr_matrix(matrix != 0, dtype=np.int32)
    sizes = np.diff(support.indptr)
    weight = support @ np.asarray(contributors, dtype=np.int64)  # per figure: its contributors
    overlap = (support @ support.T).tocoo()
    inner, outer = overlap.row, overlap.col
    is_nested = (inner != outer) & (overlap.data == sizes[inner]) & (sizes[inner] < sizes[outer])
    inner, outer = inner[is_nested], outer[is_nested]
    # a remainder's contributors are the outer's minus the inner's: only small ones are formed
    rest = weight[outer] - weight[inner]
    small = (rest > 0) & (rest < minimum)
    order = np.lexsort((inner, -sizes[inner], outer))
    found = []
    for start, stop in _runs(outer[order]):
        run = order[start:stop]
        by_size = [int(r) for r in inner[run]]
        taken_all = _disjoint(matrix, by_size)
        options = [[int(r)] for r in inner[run[small[run]]]]
        left = int(weight[outer[run[0]]] - weight[taken_all].sum())
        if 0 < left < minimum:
            options.append(taken_all)
        for taken in options:
            group = _remainder(matrix, int(outer[run[0]]), taken)
            if len(group) and 0 < contributors[group].sum() < minimum:
                found.append((tuple(int(a) for a in group), np.array([outer[run[0]], *taken])))
    return found


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """Start and stop of each run of equal values in sorted ``keys``."""
    if not len(keys):
        return []
    edges = np.flatnonzero(np.diff(keys)) + 1
    starts = np.concatenate([[0], edges])
    stops = np.concatenate([edges, [len(keys)]])
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _row(matrix: sparse.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Atoms (sorted) and coefficients of one figure."""
    span = slice(matrix.indptr[row], matrix.indptr[row + 1])
    return matrix.indices[span], matrix.data[span]


def _disjoint(matrix: sparse.csr_matrix, rows: list[int]) -> list[int]:
    """Figures of ``rows`` (in order) that share no atom with one taken before."""
    used = np.zeros(matrix.shape[1], dtype=bool)
    taken = []
    for row in rows:
        atoms = _row(matrix, row)[0]
        if not used[atoms].any():
            taken.append(row)
            used[atoms] = True
    return taken


def _remainder(matrix: sparse.csr_matrix, outer: int, inners: list[int]) -> np.ndarray:
    """Atoms of ``outer`` outside ``inners`` if subtracting them leaves a plain sum, else none."""
    atoms, coefficients = _row(matrix, outer)
    covered = np.zeros(len(atoms), dtype=bool)
    for inner in inners:
        inner_atoms, inner_coefficients = _row(matrix, inner)
        position = np.searchsorted(atoms, inner_atoms)  # nested: every atom is in ``outer``
        ratio = coefficients[position] / inner_coefficients
        if not np.allclose(ratio, ratio[0]):
            return np.zeros(0, dtype=int)
        covered[position] = True
    rest = np.flatnonzero(~covered)
    if not len(rest) or not np.allclose(coefficients[rest], coefficients[rest[0]]):
        return np.zeros(0, dtype=int)
    return np.asarray(atoms[rest], dtype=int)


def _core(matrix: sparse.csr_matrix, small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Figures and atoms that can take part in an exact disclosure of small atoms.

    A figure with an atom of its own (in no other figure) that is not small can absorb any
    change of its other atoms: no combination that discloses small atoms uses it (its weight
    would have to be zero on that atom), so the figure and its own atoms drop out; atoms left
    in no figure are free. Repeated until nothing changes, this keeps the dense factorisation
    to the part of the table that matters.
    """
    support = sparse.csr_matrix(matrix != 0, dtype=np.int64)
    live_rows = np.ones(matrix.shape[0], dtype=bool)
    live_cols = np.ones(matrix.shape[1], dtype=bool)
    while True:
        counts = support.T @ live_rows.astype(np.int64)
        own = live_cols & ~small & (counts == 1)
        drop_rows = live_rows & (support @ own.astype(np.int64) > 0)
        free = live_cols & (counts == 0)
        if not drop_rows.any() and not free.any():
            break
        live_rows &= ~drop_rows
        live_cols &= ~(free | own)
    return np.flatnonzero(live_rows), np.flatnonzero(live_cols)


def _null_unions(
    basis: _Basis,
    local: np.ndarray,
    projection: np.ndarray,
    atoms: np.ndarray,
    contributors: np.ndarray,
    size: int,
    minimum: int,
) -> list[tuple[int, ...]]:
    """Groups of ``size`` atoms (fewer than ``minimum`` contributors) whose null parts cancel.

    A random projection of the null-space parts turns the test into a search for sums of
    scalars equal to zero (sorted search over the heads of ``size - 1`` atoms); every hit is
    checked on the full null-space part.
    """
    if len(atoms) < size or basis.basis.shape[0] == len(basis.cols):
        return []
    c = contributors[atoms]
    order = np.argsort(projection, kind="stable")
    ranked = projection[order]
    groups: list[tuple[int, ...]] = []
    for heads in _heads(len(atoms), size, c, minimum):
        target = -projection[heads].sum(axis=1)
        lo = np.searchsorted(ranked, target - 1e-7)
        hi = np.searchsorted(ranked, target + 1e-7)
        for row in np.flatnonzero(hi > lo):
            head = heads[row]
            for last in np.sort(order[lo[row] : hi[row]]):
                if last <= head.max() or c[head].sum() + c[last] >= minimum:
                    continue
                group = tuple(int(atoms[i]) for i in (*head, last))
                if basis.null_norm(local[list(group)]) < NULL_TOL:
                    groups.append(group)
    return groups


def _heads(n: int, size: int, c: np.ndarray, minimum: int) -> Iterator[np.ndarray]:
    """Heads of ``size - 1`` atoms (positions, ascending) in chunks, fewest contributors."""
    if size == 2:
        heads = np.arange(n)[:, None]
        yield heads[c[heads].sum(axis=1) < minimum]
        return
    per_chunk = max(1, HEAD_CHUNK // max(n, 1))
    for start in range(0, n, per_chunk):
        firsts = np.arange(start, min(n, start + per_chunk))
        count = n - 1 - firsts
        i = np.repeat(firsts, count)
        j = np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count) + i + 1
        heads = np.column_stack([i, j])
        yield heads[c[heads].sum(axis=1) < minimum]


def _intervals(
    system: _System,
    block: _Block,
    atoms: np.ndarray,
    share: float,
    minimum: int,
    result: AuditResult,
    lps: interval_lp.KeptLps | None,
    keys: list[bytes],
) -> list[Disclosure]:
    """Small atoms whose feasible interval misses the protection interval
    (:func:`heatplan.publish.intervals.missed`); a large block's LP solved in, or kept in,
    ``lps`` (``keys``: each figure's :func:`heatplan.publish.intervals.figure_keys`)."""
    if not len(atoms):
        return []
    lp = interval_lp.ScaledLp(block.matrix, block.sums, block.contributors, minimum, block.index)
    if lps is not None and len(block.cols) >= interval_lp.KEPT_ATOMS:
        position = np.full(system.matrix.shape[1], -1)
        position[block.cols] = np.arange(len(block.cols))
        atom_of_item = np.where(system.atom_of >= 0, position[system.atom_of], -1)
        lps.attach(lp, atom_of_item, [keys[r] for r in block.rows], set(keys))
    tally = interval_lp.Tally()
    found = interval_lp.missed(lp, atoms, share, tally)
    result.lp_solves += tally.solves
    return [
        _disclosure(
            system,
            (int(block.cols[atom]),),
            "interval",
            lower,
            upper,
            block.rows[np.flatnonzero(block.matrix[:, [atom]].toarray().ravel())],
        )
        for atom, lower, upper in found
    ]


def _disclosure(
    system: _System,
    atoms: tuple[int, ...],
    kind: Literal["exact", "interval"],
    lower: float | None = None,
    upper: float | None = None,
    figures: np.ndarray | None = None,
) -> Disclosure:
    value = float(system.sums[list(atoms)].sum())
    if figures is None:
        figures = np.flatnonzero(np.asarray(system.matrix[:, list(atoms)].sum(axis=1)).ravel() > 0)
    return Disclosure(
        atoms=atoms,
        items=_items(system, atoms),
        contributors=int(system.contributors[list(atoms)].sum()),
        kind=kind,
        value=value,
        lower=value if lower is None else lower,
        upper=value if upper is None else upper,
        figures=figures,
    )


def _items(system: _System, atoms: tuple[int, ...]) -> np.ndarray:
    """The items of ``atoms`` (sorted positions)."""
    order, starts = system.items_by_atom
    return np.sort(np.concatenate([order[starts[a] : starts[a + 1]] for a in atoms]))

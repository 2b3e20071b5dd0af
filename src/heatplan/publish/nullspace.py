"""The exact disclosure test of a large component, without a dense factorisation.

:mod:`heatplan.publish.audit` asks which small groups of atoms (one, two or three) have a sum
that is a linear combination of the released figures: whose indicator ``e_G`` lies in the row
space of the figures x atoms matrix ``A``, i.e. is orthogonal to its null space. A small
component answers that from a dense eigendecomposition (exact, O(figures^3)); a town of 20,000
buildings has one component of 6,439 figures x 12,020 atoms, whose eigendecomposition alone took
four minutes per audit round. Here the same questions are answered in time about linear in the
component:

1. **A sketch of the null space.** ``k`` random vectors projected on the null space of ``A``
   (:func:`null_sketch`): the residuals of the least-squares problems ``min |A^T w - g|`` for
   Gaussian ``g``, solved by CGLS (conjugate gradients on the normal equations; Hestenes and
   Stiefel 1952; Bjorck 1996, *Numerical Methods for Least Squares Problems*, SIAM, § 7.4).
   Figures are scaled to unit norm first: that leaves the row space unchanged and conditions
   the system. An atom in the row space has a zero in every sketch vector; any other atom has a
   zero in all ``k`` with probability zero. A group's sketch is the sum of its atoms'.
2. **Search.** Single atoms: sketch rows near zero. Pairs: a sorted search for two opposite
   sketch values. Triples: the partners of an atom ``i`` are searched near it only when that
   is exhaustive — if a null vector that is zero outside a patch of atoms around ``i`` is not
   zero at ``i`` (:func:`local_triples`), every null vector with ``z_i != 0`` forces a partner
   into its support, so one partner lies in the patch; the third is found by a sorted search.
   A triple with such an atom is found from it; the atoms without a local null vector are
   therefore paired only with each other and with the atoms that head no search (the third
   is again any atom).
3. **Confirmation.** The sketch only proposes. Every group is confirmed by a least-squares
   combination of figures that reproduces its indicator to :data:`CONFIRM_TOL`
   (:func:`confirm_groups`): first from the figures around it (a small dense problem, which
   also names the few figures an intruder would use), else from all figures (CGLS).

The result equals the dense test's (``tests/test_publish_audit.py`` compares both on towns
where both run); only the combination named for a group may differ (a local one instead of the
least-norm one over the whole component).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from scipy import linalg, sparse
from scipy.sparse import linalg as splinalg
from scipy.sparse.csgraph import reverse_cuthill_mckee

__all__ = [
    "combinations",
    "grown_patches",
    "in_row_space",
    "local_triples",
    "null_sketch",
    "rows_of",
    "sketch_pairs",
    "sketch_size",
]

#: Random vectors of the null-space sketch [count] (a false zero needs all of them to vanish).
SKETCH_VECTORS = 4
#: Half width of the window in which the search proposes a group (sum of the first sketch
#: vector) [-].
SKETCH_TOL = 1e-6
#: A group whose sketch sums stay below this in every vector is in the row space [-]. Measured
#: on the 20,000-building town: atoms in the row space at most 1.3e-12, all others above 3e-2.
ZERO_TOL = 1e-8
#: Between :data:`ZERO_TOL` and this the sketch is not clear: CGLS decides (:func:`in_row_space`).
UNCLEAR_TOL = 1e-3
#: CGLS stops when the normal-equation residual ``|A r|`` of the scaled system is below this [-].
CG_TOL = 1e-12
#: Shift of the figures' Gram matrix in the preconditioner (scaled rows: its diagonal is 1) [-].
#: Small against its smallest non-zero eigenvalue (few steps), large against the LU's rounding
#: (``eps / shift``: 1e-10 relative in the weights of :func:`_least_norm`, below
#: :data:`WEIGHT_TOL`).
PRECONDITION_SHIFT = 1e-6
#: Preconditioned steps after which the columns still open go to plain CGLS [count]
#: (50,000 buildings: 5).
PRECONDITIONED_ITER = 200
#: CGLS stops when the residual itself is below this (a consistent system: the group's
#: indicator is reached) [-].
CONSISTENT_TOL = 1e-11
#: Iterations after which CGLS gives up [count] (20,000 buildings: 1,638).
CG_MAX_ITER = 60_000
#: A group counts as a combination of figures if the residual is below this [-] (as the dense
#: test's ``NULL_TOL``).
CONFIRM_TOL = 1e-8
#: Figures with more atoms than this are not walked through when patches and neighbourhoods
#: are grown (areas, the municipal total); they still constrain every local problem [count].
LOCAL_FIGURE_ATOMS = 64
#: Atoms per patch of the triple search (before its margin) [count].
PATCH_ATOMS = 120
#: Atoms of a patch with its margin above which its atoms are searched against every atom
#: instead (its dense null space would cost more) [count].
PATCH_LIMIT = 2_000
#: Least-norm weight, relative to the largest, below which a figure takes no part [-] (CGLS
#: solves to a residual of 1e-11; genuine weights of a 0/1 system are far above).
WEIGHT_TOL = 1e-7
#: Head-partner pairs searched at once for a third atom [count] (bounds the search's memory).
TRIPLE_QUERIES = 2_000_000
#: Digits of a relative weight that rank the figures of a combination [-] (the solvers round at
#: about 1e-11; equal weights, most of them 1 or 1/2, keep the figures' order).
RANK_DIGITS = 8
#: Groups confirmed by one batched CGLS run [count].
CONFIRM_BATCH = 64


def scaled_rows(matrix: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """``matrix`` with each row divided by its norm, and the factors (same row space)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    factor = 1.0 / np.where(norms > 0, norms, 1.0)
    return sparse.csr_matrix(sparse.diags(factor) @ matrix), factor


def cgls(
    matrix: sparse.csr_matrix,
    rhs: np.ndarray,
    max_iter: int = CG_MAX_ITER,
    *,
    precondition: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares ``min |matrix^T w - rhs|`` for every column of ``rhs`` (CGLS from zero).

    With ``precondition`` (an approximate inverse of ``matrix matrix^T``,
    :func:`normal_preconditioner`) the conjugate gradients on the normal equations are
    preconditioned; without it this is plain CGLS. Either way a column is solved only when the
    true normal-equation residual ``|matrix r|``, recomputed from the residual each step, is
    below :data:`CG_TOL` (or ``r`` itself below :data:`CONSISTENT_TOL`): the preconditioner
    changes the number of steps, never what counts as solved.

    Returns the weights ``w`` (rows x columns), the residuals ``rhs - matrix^T w`` (the null-space
    parts of the columns when solved) and per column whether it converged.
    """
    transposed = sparse.csr_matrix(matrix.T)
    weights = np.zeros((matrix.shape[0], rhs.shape[1]))
    residual = np.array(rhs, dtype=float)
    s = matrix @ residual
    z = s if precondition is None else precondition(s)
    p = z.copy()
    gamma = (s * z).sum(axis=0)
    done = np.zeros(rhs.shape[1], dtype=bool)
    for _ in range(max_iter):
        done = (np.linalg.norm(s, axis=0) <= CG_TOL) | (
            np.linalg.norm(residual, axis=0) <= CONSISTENT_TOL
        )
        if done.all():
            break
        q = transposed @ p
        qq = (q * q).sum(axis=0)
        alpha = np.where(done | (qq <= 0), 0.0, gamma / np.where(qq > 0, qq, 1.0))
        weights += alpha * p
        residual -= alpha * q
        s = matrix @ residual
        z = s if precondition is None else precondition(s)
        gamma_next = (s * z).sum(axis=0)
        beta = np.where(gamma > 0, gamma_next / np.where(gamma > 0, gamma, 1.0), 0.0)
        p = z + beta * p
        gamma = gamma_next
    return weights, residual, done


def normal_preconditioner(
    matrix: sparse.csr_matrix, shift: float = PRECONDITION_SHIFT
) -> Callable[[np.ndarray], np.ndarray] | None:
    """``(matrix matrix^T + shift I)^-1`` by a sparse LU (SuperLU), or None if it fails.

    The figures' Gram matrix is as sparse as the figures' overlaps (20,000 buildings: 6,439
    figures, 69,667 non-zeros). It is singular wherever figures are redundant (an area and its
    blocks); the shift makes it regular and changes only the preconditioner, not the solution
    (:func:`cgls`). Its eigenvalues ``lambda`` become ``lambda / (lambda + shift)`` on the
    figures' row space, so a shift far below the smallest non-zero one leaves a few steps
    (50,000 buildings: 5 instead of 1,537).
    """
    gram = sparse.csc_matrix(matrix @ matrix.T + shift * sparse.identity(matrix.shape[0]))
    try:
        lu = splinalg.splu(gram)
    except (RuntimeError, MemoryError):
        return None
    return lu.solve


def null_sketch(core: sparse.csr_matrix, vectors: int = SKETCH_VECTORS) -> np.ndarray | None:
    """``vectors`` random vectors of the null space of ``core`` (atoms x vectors), seeded; None
    if CGLS did not converge (the caller falls back to the dense test)."""
    scaled, _ = scaled_rows(core)
    gauss = np.random.default_rng(0).standard_normal((core.shape[1], vectors))
    _, residual, done = _least_squares(scaled, gauss)
    return residual if done.all() else None


def _least_squares(
    scaled: sparse.csr_matrix, rhs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`cgls` preconditioned (:func:`normal_preconditioner`); columns the preconditioned
    steps leave unsolved within :data:`PRECONDITIONED_ITER` go to plain CGLS."""
    precondition = normal_preconditioner(scaled)
    if precondition is not None:
        weights, residual, done = cgls(scaled, rhs, PRECONDITIONED_ITER, precondition=precondition)
        if done.all():
            return weights, residual, done
        rest = np.flatnonzero(~done)
        weights[:, rest], residual[:, rest], done[rest] = cgls(scaled, rhs[:, rest])
        return weights, residual, done
    return cgls(scaled, rhs)


def sketch_pairs(
    sketch: np.ndarray, atoms: np.ndarray, contributors: np.ndarray, minimum: int
) -> list[tuple[int, int]]:
    """Pairs of ``atoms`` (fewer than ``minimum`` contributors together) whose sketches cancel."""
    z = sketch[atoms]
    order = np.argsort(z[:, 0], kind="stable")
    ranked = z[order, 0]
    lo = np.searchsorted(ranked, -z[:, 0] - SKETCH_TOL)
    hi = np.searchsorted(ranked, -z[:, 0] + SKETCH_TOL)
    c = contributors[atoms]
    pairs = []
    for i in np.flatnonzero(hi > lo):
        for j in order[lo[i] : hi[i]]:
            if j > i and c[i] + c[j] < minimum and _cancels(z[i] + z[j]):
                pairs.append((int(atoms[i]), int(atoms[j])))
    return pairs


def _cancels(total: np.ndarray) -> bool:
    return bool(np.abs(total).max() < UNCLEAR_TOL)


def sketch_size(sketch: np.ndarray, group: tuple[int, ...]) -> float:
    """Largest entry of the group's summed sketch (zero for a group in the row space)."""
    return float(np.abs(sketch[list(group)].sum(axis=0)).max())


def local_triples(
    core: sparse.csr_matrix,
    sketch: np.ndarray,
    atoms: np.ndarray,
    contributors: np.ndarray,
    minimum: int,
    *,
    heads: np.ndarray | None = None,
    new: np.ndarray | None = None,
) -> list[tuple[int, int, int]]:
    """Triples of ``atoms`` (fewer than ``minimum`` contributors) whose sketches cancel; with
    ``heads`` (per atom of ``core``) only triples holding at least one atom marked there, and
    an atom not marked only beside an atom marked in ``new`` (``audit_sums(known=...)``).

    Patches of atoms follow a bandwidth-reducing order of the atoms' adjacency through small
    figures; each patch with a margin of neighbours gets its local null space ``N`` (null
    vectors of ``core`` that are zero outside the patch). For an atom ``i`` of the patch with
    ``N_i != 0`` every triple ``{i, j, k}`` in the row space has ``N_i + N_j + N_k = 0``: both
    partners in the patch, or one partner ``j`` with ``N_j = -N_i`` and the third anywhere
    (module doc). A triple with such a member is found from it, so the atoms with ``N_i = 0``
    need as partners only each other, and the new ones the atoms that head nothing (the
    third is any atom).
    """
    if len(atoms) < 3:
        return []
    search = _Search(sketch, atoms, contributors, minimum)
    may_head = search.candidate & (True if heads is None else heads)
    if not may_head.any():
        return []
    adjacency = _adjacency(core)
    uncovered: list[np.ndarray] = []
    everyone = np.arange(adjacency.shape[0])
    for chunk, patch in grown_patches(adjacency, everyone, PATCH_ATOMS, 1):
        first = chunk[may_head[chunk]]  # every triple is searched from each of its heads
        if not len(first):
            continue
        if len(patch) > PATCH_LIMIT:  # a dense neighbourhood: searched against every atom
            uncovered.append(first)
            continue
        basis = _local_null_space(core, patch)
        position = np.searchsorted(patch, first)
        covered = np.linalg.norm(basis[position], axis=1) > SKETCH_TOL
        uncovered.append(first[~covered])
        search.within(patch, basis, first[covered])
    rest = np.concatenate(uncovered) if uncovered else np.zeros(0, dtype=int)
    if len(rest):  # a triple with a member searched from a patch is found: partners among
        # the atoms searched from no patch (the uncovered heads; for a new one, those that head
        # nothing too)
        search.across(rest, rest)
        newcomers = rest if new is None else rest[new[rest]]
        if len(newcomers):
            search.across(newcomers, atoms[~may_head[atoms]])
    return sorted(search.found)


class _Search:
    """Triples whose sketches cancel, searched from head atoms (results in ``found``)."""

    def __init__(
        self, sketch: np.ndarray, atoms: np.ndarray, contributors: np.ndarray, minimum: int
    ) -> None:
        self.z = sketch
        self.c = contributors
        self.minimum = minimum
        self.candidate = np.zeros(len(sketch), dtype=bool)
        self.candidate[atoms] = True
        order = np.argsort(sketch[:, 0], kind="stable")
        self.order = order[self.candidate[order]]
        self.ranked = sketch[self.order, 0]
        self.found: set[tuple[int, int, int]] = set()

    def within(self, patch: np.ndarray, basis: np.ndarray, heads: np.ndarray) -> None:
        """Triples of covered ``heads`` with partners found from the patch's null space."""
        if not len(heads) or not basis.shape[1]:
            return
        local = patch[self.candidate[patch]]
        p = basis[np.searchsorted(patch, local)] @ np.random.default_rng(1).standard_normal(
            basis.shape[1]
        )
        head_p = p[np.searchsorted(local, heads)]
        # one partner in the patch, the third anywhere: N_j = -N_i
        order = np.argsort(p, kind="stable")
        lo = np.searchsorted(p[order], -head_p - SKETCH_TOL)
        hi = np.searchsorted(p[order], -head_p + SKETCH_TOL)
        pairs = [
            (h, local[order[t]]) for h, a, b in zip(heads, lo, hi, strict=True) for t in range(a, b)
        ]
        if pairs:
            i, j = np.array(pairs).T
            self.third(i, j)
        # both partners in the patch: p_j + p_k = -p_i
        j, k = np.triu_indices(len(local), 1)
        sums = p[j] + p[k]
        order = np.argsort(sums, kind="stable")
        lo = np.searchsorted(sums[order], -head_p - SKETCH_TOL)
        hi = np.searchsorted(sums[order], -head_p + SKETCH_TOL)
        for head, a, b in zip(heads, lo, hi, strict=True):
            for t in order[a:b]:
                self.add(int(head), int(local[j[t]]), int(local[k[t]]))

    def across(self, heads: np.ndarray, partners: np.ndarray) -> None:
        """Triples of ``heads`` with any partner and any third atom."""
        for start in range(0, len(heads), max(1, TRIPLE_QUERIES // max(1, len(partners)))):
            chunk = heads[start : start + max(1, TRIPLE_QUERIES // max(1, len(partners)))]
            self.third(np.repeat(chunk, len(partners)), np.tile(partners, len(chunk)))

    def third(self, i: np.ndarray, j: np.ndarray) -> None:
        """For pairs ``(i, j)``, every third atom whose sketch cancels theirs."""
        keep = (i != j) & (self.c[i] + self.c[j] < self.minimum)
        i, j = i[keep], j[keep]
        target = -(self.z[i, 0] + self.z[j, 0])
        lo = np.searchsorted(self.ranked, target - SKETCH_TOL)
        hi = np.searchsorted(self.ranked, target + SKETCH_TOL)
        for row in np.flatnonzero(hi > lo):
            for k in self.order[lo[row] : hi[row]]:
                self.add(int(i[row]), int(j[row]), int(k))

    def add(self, a: int, b: int, k: int) -> None:
        if len({a, b, k}) < 3 or self.c[a] + self.c[b] + self.c[k] >= self.minimum:
            return
        if _cancels(self.z[a] + self.z[b] + self.z[k]):
            self.found.add(tuple(sorted((a, b, k))))  # type: ignore[arg-type]


def grown_patches(
    adjacency: sparse.csr_matrix, atoms: np.ndarray, size: int, steps: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``atoms`` in compact chunks of ``size``, each with its patch: the atoms within
    ``steps`` steps of it in ``adjacency`` (sorted).

    A chunk grows breadth-first through the atoms not yet taken from a seed, the first free
    atom in a bandwidth-reducing order (reverse Cuthill-McKee), and takes the next free seed
    where its region runs out. A ball keeps its margin small at any size of town: ``size``
    consecutive atoms of the order itself form a sliver across the order's front, which grows
    with the town (a margin of 347 atoms instead of 281 around 120 at 50,000 buildings
    against 20,000, and the patch's SVD with the cube of it).
    """
    ordering = reverse_cuthill_mckee(adjacency, symmetric_mode=True)
    free = np.zeros(adjacency.shape[0], dtype=bool)
    free[atoms] = True
    rank = np.empty(adjacency.shape[0], dtype=np.int64)
    rank[ordering] = np.arange(len(ordering))
    seeds = ordering[free[ordering]]
    cursor = 0
    while cursor < len(seeds):
        taken: list[np.ndarray] = []
        count, frontier = 0, np.zeros(0, dtype=np.int64)
        while count < size:
            if len(frontier):
                reached = _neighbours(adjacency, frontier)
                reached = reached[free[reached]]
                frontier = reached[np.argsort(rank[reached], kind="stable")]
            else:
                while cursor < len(seeds) and not free[seeds[cursor]]:
                    cursor += 1
                if cursor == len(seeds):
                    break
                frontier = seeds[cursor : cursor + 1]
            frontier = frontier[: size - count]
            free[frontier] = False
            taken.append(frontier)
            count += len(frontier)
        if not count:
            return
        chunk = patch = np.sort(np.concatenate(taken))
        for _ in range(steps):
            patch = np.union1d(patch, adjacency[patch].indices)
        yield chunk, patch


def _neighbours(adjacency: sparse.csr_matrix, atoms: np.ndarray) -> np.ndarray:
    """The distinct atoms adjacent to any of ``atoms`` (sorted)."""
    return np.unique(rows_of(adjacency, atoms)[1])


def rows_of(
    matrix: sparse.csr_matrix, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``rows`` of a CSR matrix one after the other: their start pointers, column indices
    and values (the arrays of ``matrix[rows]``, without scipy's indexing: a small slice costs
    microseconds instead of a tenth of a millisecond)."""
    first = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - first
    starts = np.concatenate([[0], np.cumsum(lengths)])
    positions = np.repeat(first - starts[:-1], lengths) + np.arange(starts[-1])
    return starts, matrix.indices[positions], matrix.data[positions]


def _adjacency(core: sparse.csr_matrix) -> sparse.csr_matrix:
    """Atoms x atoms: sharing a figure of at most :data:`LOCAL_FIGURE_ATOMS` atoms."""
    support = sparse.csr_matrix(core != 0, dtype=np.int32)
    small = np.diff(support.indptr) <= LOCAL_FIGURE_ATOMS
    walk = support[np.flatnonzero(small)]
    return sparse.csr_matrix(walk.T @ walk)


def _local_null_space(core: sparse.csr_matrix, patch: np.ndarray) -> np.ndarray:
    """Orthonormal null vectors of ``core`` that are zero outside ``patch`` (patch x d)."""
    columns = sparse.csc_matrix(core[:, patch])
    rows = np.unique(columns.indices)
    return _null_space(columns[rows].toarray())


def _null_space(matrix: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the null space (SVD; LAPACK's gesvd where gesdd fails)."""
    try:
        _, sigma, vh = linalg.svd(matrix, full_matrices=True)
    except linalg.LinAlgError:
        _, sigma, vh = linalg.svd(matrix, full_matrices=True, lapack_driver="gesvd")
    tol = max(matrix.shape) * np.finfo(float).eps * (sigma.max(initial=0.0))
    rank = int((sigma > tol).sum())
    return np.asarray(vh[rank:].T)


def in_row_space(core: sparse.csr_matrix, groups: list[tuple[int, ...]]) -> list[bool]:
    """Per group: its indicator is a combination of rows of ``core`` (CGLS, batched; for the
    few groups whose sketch is near zero without being clearly zero). A group CGLS does not
    settle within its iterations counts as given away (the release then protects it)."""
    out: list[bool] = []
    for _, residual, done in _solved(core, groups):
        reached = np.linalg.norm(residual, axis=0) < CONFIRM_TOL
        out.extend((reached | ~done).tolist())  # not solved: counted as given away
    return out


def _solved(
    core: sparse.csr_matrix, groups: list[tuple[int, ...]]
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per batch of groups: CGLS for their indicators on the scaled rows — the weights of the
    rows of ``core`` (unscaled), the residuals and whether each converged."""
    if not groups:
        return
    scaled, factor = scaled_rows(core)
    for start in range(0, len(groups), CONFIRM_BATCH):
        batch = groups[start : start + CONFIRM_BATCH]
        rhs = np.zeros((core.shape[1], len(batch)))
        for column, group in enumerate(batch):
            rhs[list(group), column] = 1.0
        weights, residual, done = _least_squares(scaled, rhs)
        yield weights * factor[:, None], residual, done


def combinations(
    core: sparse.csr_matrix, groups: list[tuple[int, ...]], kept: np.ndarray
) -> list[np.ndarray]:
    """Per group (in the row space), the figures of a combination that makes up its sum.

    Giving up a figure breaks every combination of the group exactly when the figure has a
    weight in the least-norm one (the row space without figure ``f`` holds ``e_G`` if and only
    if ``(A^+ e_f) . e_G = 0``, the least-norm weight of ``f``). In a large component that
    combination spreads over nearly every figure, so:

    - a group held by a small figure the caller may give up (``kept`` False): the holders come
      first — those taking part in the combination of the small figures around the group, most
      weight first, where one exists (a dense least-norm problem), else every holder, smallest
      first — then every other figure; the release gives up the least needed holder;
    - a group held only by large or kept figures (an area minus the blocks and cells around a
      suppressed group): its least-norm combination (CGLS on the scaled rows, batched), whose
      every figure breaks it.
    """
    support = sparse.csr_matrix(core != 0, dtype=np.int32)
    by_atom = sparse.csr_matrix(support.T)
    sizes = np.diff(support.indptr)
    small = sizes <= LOCAL_FIGURE_ATOMS
    is_holder = np.zeros(core.shape[0], dtype=bool)
    out: list[np.ndarray | None] = []
    wide: list[int] = []
    for position, group in enumerate(groups):
        holders = np.unique(by_atom[list(group)].indices)
        if not (small[holders] & ~kept[holders]).any():
            wide.append(position)
            out.append(None)
            continue
        figures = _local_figures(support, by_atom, small, group)
        local = _local_combination(core, figures, group) if len(figures) else None
        if local is not None and np.isin(local, holders).any():
            first = local[np.isin(local, holders)]
        else:
            first = holders[np.argsort(sizes[holders], kind="stable")]
        is_holder[holders] = True
        out.append(np.concatenate([first, np.flatnonzero(~is_holder)]))
        is_holder[holders] = False
    for position, figures in zip(wide, _least_norm(core, [groups[p] for p in wide]), strict=True):
        out[position] = figures
    return [f for f in out if f is not None]


def _least_norm(core: sparse.csr_matrix, groups: list[tuple[int, ...]]) -> list[np.ndarray]:
    """Figures of each group's least-norm combination of the scaled rows, most weight first."""
    figures = np.arange(core.shape[0])
    return [
        _ranked(figures, column, WEIGHT_TOL)
        for weights, _, _ in _solved(core, groups)
        for column in weights.T
    ]


def _local_figures(
    support: sparse.csr_matrix,
    by_atom: sparse.csr_matrix,
    small: np.ndarray,
    group: tuple[int, ...],
) -> np.ndarray:
    """The small figures within two steps of ``group`` (a large figure spans the town: a
    combination that needs one is named otherwise)."""
    own = by_atom[list(group)].indices
    own = own[small[own]]
    second = by_atom[support[own].indices].indices
    return np.union1d(own, second[small[second]])


def _local_combination(
    core: sparse.csr_matrix, figures: np.ndarray, group: tuple[int, ...]
) -> np.ndarray | None:
    """Least-norm combination of ``figures`` equal to the group's indicator, or None."""
    rows = sparse.csr_matrix(core[figures])
    atoms = np.unique(rows.indices)
    dense = rows[:, atoms].toarray()
    target = np.isin(atoms, group).astype(float)
    weights, *_ = np.linalg.lstsq(dense.T, target, rcond=None)
    if np.linalg.norm(dense.T @ weights - target) >= CONFIRM_TOL:
        return None
    return _ranked(figures, weights)


def _ranked(figures: np.ndarray, weights: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """The figures with a weight (above ``tol`` of the largest), most weight first; equal
    weights (to :data:`RANK_DIGITS`) in the figures' order, not in that of the solver's
    rounding."""
    magnitude = np.abs(weights) / max(1.0, float(np.abs(weights).max(initial=0.0)))
    used = np.flatnonzero(magnitude > tol)
    order = np.argsort(-np.round(magnitude[used], RANK_DIGITS), kind="stable")
    return np.asarray(figures[used[order]])

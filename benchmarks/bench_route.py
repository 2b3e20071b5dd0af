"""Route layout: our scipy.sparse Steiner heuristic vs networkx's Mehlhorn on the same graph.

heatplan's performance target: >= 30x faster than
``networkx.algorithms.approximation.steiner_tree(G, terminals, method="mehlhorn")`` on a
grid-like street graph of ~25,000 nodes and ~15,000 terminals, total length no longer.

Synthetic data (allowed for scale benchmarks only): a square street grid of 100 m blocks with a
share of its edges removed at random and lengths jittered by +-20 %; terminals are drawn from
the largest connected component. Seeds are fixed. Times are medians over ``--repeat`` runs
(networkx over ``--peer-repeat`` runs); graph conversion is not timed for either side.

    python benchmarks/bench_route.py [--side 158] [--terminals 15000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import networkx as nx
import numpy as np
from networkx.algorithms.approximation import steiner_tree as nx_steiner_tree
from scipy import sparse
from scipy.sparse import csgraph

from heatplan.network.steiner import steiner_tree

BLOCK_M = 100.0


def grid_graph(side: int, removed_share: float, jitter: float, seed: int) -> sparse.csr_matrix:
    """Symmetric weight matrix [m] of a ``side`` x ``side`` street grid with edges removed."""
    rng = np.random.default_rng(seed)
    index = np.arange(side * side).reshape(side, side)
    rows = np.concatenate([index[:, :-1].ravel(), index[:-1, :].ravel()])
    cols = np.concatenate([index[:, 1:].ravel(), index[1:, :].ravel()])
    keep = rng.random(rows.size) >= removed_share
    rows, cols = rows[keep], cols[keep]
    length = BLOCK_M * rng.uniform(1 - jitter, 1 + jitter, rows.size)
    n = side * side
    return sparse.csr_matrix(
        (np.r_[length, length], (np.r_[rows, cols], np.r_[cols, rows])), (n, n)
    )


def pick_terminals(graph: sparse.csr_matrix, count: int, seed: int) -> np.ndarray:
    """``count`` distinct nodes of the largest connected component."""
    _, label = csgraph.connected_components(graph, directed=False)
    largest = np.flatnonzero(label == np.argmax(np.bincount(label)))
    return np.random.default_rng(seed).choice(largest, size=count, replace=False)


def to_networkx(graph: sparse.csr_matrix) -> nx.Graph:
    upper = sparse.triu(graph).tocoo()
    g = nx.Graph()
    edges = zip(upper.row.tolist(), upper.col.tolist(), upper.data.tolist(), strict=True)
    g.add_weighted_edges_from(edges)
    return g


def timed(function: Callable[[], object], repeat: int) -> tuple[object, float]:
    """Last result and median wall time [s] of ``repeat`` calls."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--side", type=int, default=158, help="grid side (158^2 = 24,964 nodes)")
    parser.add_argument("--terminals", type=int, default=15_000)
    parser.add_argument("--removed-share", type=float, default=0.1)
    parser.add_argument("--jitter", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of ours (median)")
    parser.add_argument("--peer-repeat", type=int, default=3, help="timed runs of networkx")
    args = parser.parse_args()
    graph = grid_graph(args.side, args.removed_share, args.jitter, args.seed)
    terminals = pick_terminals(graph, args.terminals, args.seed + 1)
    g = to_networkx(graph)
    print(
        f"graph: {graph.shape[0]:,} nodes ({g.number_of_nodes():,} with edges), "
        f"{g.number_of_edges():,} edges, {terminals.size:,} terminals"
    )
    steiner_tree(graph, terminals)  # warm-up (imports, caches)
    ours, ours_s = timed(lambda: steiner_tree(graph, terminals), args.repeat)
    peer, peer_s = timed(
        lambda: nx_steiner_tree(g, terminals.tolist(), method="mehlhorn"), args.peer_repeat
    )
    ours_m = ours.total_weight  # type: ignore[attr-defined]
    peer_m = peer.size(weight="weight")  # type: ignore[attr-defined]
    print(f"networkx mehlhorn : {peer_s:8.4f} s  total length {peer_m:14,.1f} m")
    print(f"heatplan steiner  : {ours_s:8.4f} s  total length {ours_m:14,.1f} m")
    print(f"speed-up          : {peer_s / ours_s:8.1f} x  (target >= 30 x)")
    print(f"length ours/peer  : {ours_m / peer_m:8.5f}    (target <= 1)")


if __name__ == "__main__":
    main()

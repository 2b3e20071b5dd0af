"""Sums over an oriented pipe tree without recursion: subtree sums and path sums from the source.

The routed network (``RouteResult``) is a tree oriented from the source outward. Numbering
the nodes in breadth-first order puts every parent before its children, so the incidence
relations become triangular sparse systems:

- subtree ("downstream") sums s solve (I - A) s = v with A[parent, child] = 1 (upper triangular),
- path sums from the source x solve (I - A^T) x = w (lower triangular).

Both are one ``scipy.sparse.linalg.spsolve_triangular`` call: linear in the number of pipes and
safe for chains of any length (no Python recursion, no per-level loop).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order
from scipy.sparse.linalg import spsolve_triangular

PIPE_COLUMNS = ("pipe_id", "from_node", "to_node", "length_m")
NODE_COLUMNS = ("node_id", "kind")


@dataclass(frozen=True)
class OrientedTree:
    """Node numbering of a source-rooted pipe tree.

    ``node_ids`` in breadth-first order from the source (position 0); ``pipe_from`` and
    ``pipe_to`` give, per pipe row, the positions of its end nodes; ``parent_pipe`` gives, per
    node position, the pipe row that feeds it (-1 at the source).
    """

    node_ids: pd.Index
    pipe_from: np.ndarray
    pipe_to: np.ndarray
    parent_pipe: np.ndarray

    @property
    def size(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    def _incidence(self) -> sp.csr_matrix:
        """I - A with A[parent, child] = 1, upper triangular in breadth-first numbering."""
        n = self.size
        rows = np.concatenate([np.arange(n), self.pipe_from])
        cols = np.concatenate([np.arange(n), self.pipe_to])
        data = np.concatenate([np.ones(n), -np.ones(self.pipe_from.size)])
        return sp.csr_matrix((data, (rows, cols)), shape=(n, n))

    def downstream_sum(self, node_values: np.ndarray) -> np.ndarray:
        """Per node: its own value plus the values of every node downstream of it."""
        values = np.asarray(node_values, dtype=float).reshape(self.size, -1)
        sums = spsolve_triangular(self._incidence(), values, lower=False, unit_diagonal=True)
        return np.asarray(sums).reshape(np.shape(node_values))

    def path_sum(self, pipe_values: np.ndarray) -> np.ndarray:
        """Per node: the sum of ``pipe_values`` over the pipes from the source to that node."""
        at_node = np.zeros(self.size)
        at_node[self.pipe_to] = np.asarray(pipe_values, dtype=float)
        transposed = self._incidence().T.tocsr()
        return np.asarray(spsolve_triangular(transposed, at_node, lower=True, unit_diagonal=True))


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing} (see RouteResult)")


def _source_id(nodes: pd.DataFrame) -> str:
    sources = nodes.loc[nodes["kind"] == "source", "node_id"].tolist()
    if len(sources) != 1:
        raise ValueError(f"nodes must have exactly one node of kind 'source'; got {sources}")
    return str(sources[0])


def _check_ends(pipes: pd.DataFrame, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    start = ids.get_indexer(pd.Index(pipes["from_node"].astype(str)))
    end = ids.get_indexer(pd.Index(pipes["to_node"].astype(str)))
    unknown = pipes.loc[(start < 0) | (end < 0), "pipe_id"].tolist()
    if unknown:
        raise ValueError(f"pipes {unknown[:5]} end at a node that is not in nodes")
    fed_twice = pipes.loc[pd.Series(end).duplicated(keep=False).to_numpy(), "pipe_id"].tolist()
    if fed_twice:
        raise ValueError(
            f"pipes {fed_twice[:5]} feed the same node: the network must be a tree "
            "oriented from the source outward"
        )
    return start, end


def _bfs_order(
    start: np.ndarray, end: np.ndarray, n: int, source: int, ids: pd.Index
) -> np.ndarray:
    graph = sp.csr_matrix((np.ones(start.size), (start, end)), shape=(n, n))
    order = breadth_first_order(graph, source, directed=True, return_predecessors=False)
    if order.size != n:
        cut_off = sorted(set(ids) - set(ids[order]))
        raise ValueError(
            f"nodes {cut_off[:5]} cannot be reached from the source along the pipe "
            "directions (pipes must run from the source outward)"
        )
    return np.asarray(order)


def oriented_tree(pipes: pd.DataFrame, nodes: pd.DataFrame) -> OrientedTree:
    """Check ``pipes`` / ``nodes`` of a route and number the nodes breadth-first from the source.

    Raises ValueError when a pipe ends at an unknown node, a node is fed by two pipes, the source
    is fed, or a node cannot be reached from the source along the pipe directions.
    """
    _require_columns(pipes, PIPE_COLUMNS, "pipes")
    _require_columns(nodes, NODE_COLUMNS, "nodes")
    if nodes["node_id"].duplicated().any():
        raise ValueError(
            f"node_id must be unique; repeated: "
            f"{nodes.loc[nodes['node_id'].duplicated(), 'node_id'].tolist()[:5]}"
        )
    ids = pd.Index(nodes["node_id"].astype(str))
    source = int(ids.get_indexer(pd.Index([_source_id(nodes)]))[0])
    start, end = _check_ends(pipes, ids)
    if np.any(end == source):
        raise ValueError("a pipe feeds the source node; pipes must run from the source outward")
    order = _bfs_order(start, end, len(ids), int(source), ids)
    position = np.empty(len(ids), dtype=int)
    position[order] = np.arange(len(ids))
    parent_pipe = np.full(len(ids), -1)
    parent_pipe[position[end]] = np.arange(end.size)
    return OrientedTree(ids[order], position[start], position[end], parent_pipe)

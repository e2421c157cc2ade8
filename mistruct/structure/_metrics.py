"""Scores of a learned structure against the true one.

Graphs are read edge by edge as *marks* on unordered pairs of nodes:

* ``u -> v``: a DiGraph edge (u, v) without (v, u);
* ``u - v`` (undirected): an edge of an ``nx.Graph``, or a DiGraph holding
  both (u, v) and (v, u) -- the way CPDAGs and PDAGs are stored;
* nothing.

Structural Hamming distance (SHD)
    The number of unordered pairs whose marks differ: each missing edge,
    each extra edge and each wrongly oriented edge counts once.  A reversed
    edge (``u -> v`` for ``v -> u``) is one reversal, not a deletion plus an
    addition; an undirected edge where the other graph has a directed one
    (or the reverse) also counts one.  This is the SHD of Tsamardinos et al.
    (2006) and of R's pcalg ``shd``.  A skeleton scored against a DAG thus
    pays one for every edge, even a correct one; ``skeleton_shd`` ignores
    orientation and counts only additions and deletions.

Skeleton precision / recall / F1
    Over unordered adjacent pairs, ignoring orientation.

Arrowhead precision / recall
    Over directed edges only: an arrowhead ``u -> v`` of the learned graph
    is correct when the true graph has ``u -> v``.  Precision divides by the
    learned arrowheads, recall by the true ones.  Undirected edges have no
    arrowhead.

A ratio whose denominator is 0 is NaN (e.g. arrowhead precision of an
undirected skeleton): "not defined" rather than 0 or 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import networkx as nx

from mistruct.exceptions import InvalidInputError

__all__ = ["StructureMetrics", "structure_metrics"]

_NAN = float("nan")


@dataclass(frozen=True)
class StructureMetrics:
    """Comparison of a learned graph with the true one (see :mod:`.metrics`).

    Attributes
    ----------
    shd : int
        Structural Hamming distance: additions + deletions + reorientations.
    skeleton_shd : int
        Additions + deletions only (orientation ignored).
    extra, missing, reversed, misoriented : int
        Learned edges absent from the truth; true edges absent from the
        learned graph; directed edges pointing the wrong way; pairs adjacent
        in both whose marks differ otherwise (directed vs undirected).
        ``shd = extra + missing + reversed + misoriented``.
    skeleton_precision, skeleton_recall, skeleton_f1 : float
    arrowhead_precision, arrowhead_recall : float
    n_learned_edges, n_true_edges : int
        Adjacent pairs in each graph.

    See Also
    --------
    structure_metrics : computes it.
    """

    shd: int
    skeleton_shd: int
    extra: int
    missing: int
    reversed: int
    misoriented: int
    skeleton_precision: float
    skeleton_recall: float
    skeleton_f1: float
    arrowhead_precision: float
    arrowhead_recall: float
    n_learned_edges: int
    n_true_edges: int

    def as_dict(self) -> dict:
        """The metrics as a plain dict."""
        return asdict(self)


def _marks(graph, role: str) -> dict:
    """frozenset({u, v}) -> (u, v) for u -> v, or None for an undirected edge."""
    if not isinstance(graph, nx.Graph):
        raise InvalidInputError(
            f"{role} must be a networkx Graph or DiGraph, got {type(graph).__name__}."
        )
    if graph.is_multigraph():
        raise InvalidInputError(f"{role} is a multigraph; pass a simple Graph or DiGraph.")
    loops = list(nx.selfloop_edges(graph))
    if loops:
        raise InvalidInputError(
            f"{role} has self-loops at {sorted({u for u, _ in loops}, key=str)}; remove them."
        )
    marks = {}
    for u, v in graph.edges():
        pair = frozenset((u, v))
        if not graph.is_directed() or graph.has_edge(v, u):
            marks[pair] = None
        else:
            marks[pair] = (u, v)
    return marks


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else _NAN


def structure_metrics(learned, true) -> StructureMetrics:
    """Structural Hamming distance and precision / recall of a learned graph.

    Parameters
    ----------
    learned : networkx.Graph or networkx.DiGraph
        A skeleton (Graph), a DAG, or a CPDAG stored as a DiGraph with both
        directions for undirected edges.
    true : networkx.Graph or networkx.DiGraph
        The reference, read the same way.  Every node of ``learned`` must be
        a node of ``true``.

    Returns
    -------
    StructureMetrics
        See :mod:`mistruct.structure._metrics` for the definitions.

    See Also
    --------
    pc, chow_liu_tree : learners whose graphs it scores.

    Examples
    --------
    >>> import networkx as nx
    >>> true = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> learned = nx.DiGraph([("a", "b"), ("c", "b"), ("a", "d")])
    >>> m = structure_metrics(learned, true)
    >>> m.shd, m.extra, m.missing, m.reversed
    (3, 1, 1, 1)
    >>> round(m.skeleton_f1, 3), round(m.arrowhead_precision, 3)
    (0.667, 0.333)
    >>> structure_metrics(nx.Graph(true), true).shd  # a correct skeleton, no arrows
    3
    """
    learned_marks = _marks(learned, "learned")
    true_marks = _marks(true, "true")
    unknown = [node for node in learned.nodes if node not in true]
    if unknown:
        raise InvalidInputError(
            f"learned graph node(s) {', '.join(map(repr, unknown[:10]))} are not in the true "
            "graph; both graphs must use the same node labels."
        )
    learned_pairs, true_pairs = set(learned_marks), set(true_marks)
    common = learned_pairs & true_pairs
    extra = len(learned_pairs - true_pairs)
    missing = len(true_pairs - learned_pairs)
    reversed_ = misoriented = 0
    for pair in common:
        a, b = learned_marks[pair], true_marks[pair]
        if a == b:
            continue
        if a is not None and b is not None:
            reversed_ += 1
        else:
            misoriented += 1
    learned_arrows = {m for m in learned_marks.values() if m is not None}
    true_arrows = {m for m in true_marks.values() if m is not None}
    correct_arrows = len(learned_arrows & true_arrows)
    precision = _ratio(len(common), len(learned_pairs))
    recall = _ratio(len(common), len(true_pairs))
    if precision != precision or recall != recall:  # NaN
        f1 = _NAN
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return StructureMetrics(
        shd=extra + missing + reversed_ + misoriented,
        skeleton_shd=extra + missing,
        extra=extra,
        missing=missing,
        reversed=reversed_,
        misoriented=misoriented,
        skeleton_precision=precision,
        skeleton_recall=recall,
        skeleton_f1=f1,
        arrowhead_precision=_ratio(correct_arrows, len(learned_arrows)),
        arrowhead_recall=_ratio(correct_arrows, len(true_arrows)),
        n_learned_edges=len(learned_pairs),
        n_true_edges=len(true_pairs),
    )

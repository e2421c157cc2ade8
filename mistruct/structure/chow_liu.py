"""Chow-Liu trees and forests, and tree-augmented naive Bayes (TAN).

A Chow-Liu tree is the maximum spanning tree of the mutual information
matrix (Chow & Liu 1968): among all trees over the columns it is the one
whose product-of-pairwise-factors distribution is closest to the data in KL
divergence.  Every pairwise contingency table comes from one chunked one-hot
matrix product (:func:`mistruct.counts.pairwise_counts`), so the rows are
read once whatever the number of columns.

Tie-breaking
------------
Kruskal's algorithm considers the pairs in one total order: by decreasing MI,
then by the sorted order of the column names (the pair whose smaller name
sorts first wins, then the pair whose larger name sorts first).  The MI
matrix is symmetrized so each pair's value does not depend on where its
columns sit in the table.  Together these make the tree independent of the
order of the columns, ties included.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from mistruct.continuous import mutual_information_auto
from mistruct.counts import PairwiseCounts, pairwise_counts
from mistruct.data import (
    MISSING_POLICIES,
    EncodedTable,
    as_frame,
    column_kinds,
    encode,
    select_columns,
)
from mistruct.estimators import ESTIMATORS
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError, MissingValuesError
from mistruct.independence._by_kind import STRUCTURE_TEST_METHODS
from mistruct.information import (
    NUMERIC_MATRIX_ESTIMATORS,
    _mi_matrix_nats,
    mutual_information_from_table,
    mutual_information_matrix,
)

__all__ = ["chow_liu_forest", "chow_liu_tree", "tan"]

_LN2 = float(np.log(2.0))

#: Tests accepted by :func:`chow_liu_forest`.
FOREST_TESTS = STRUCTURE_TEST_METHODS

#: Estimators of tables with float columns (kNN, Gaussian), as in
#: :func:`mistruct.mutual_information_matrix`; ``"auto"`` is the plug-in on discrete tables.
NUMERIC_ESTIMATORS = NUMERIC_MATRIX_ESTIMATORS


# ---------------------------------------------------------------- shared helpers
# (private, also used by aracne.py and dpi.py)


@dataclass(frozen=True)
class _MIState:
    """The symmetrized MI matrix (nats) of a table, and what it was computed from.

    Discrete tables keep their encoding and all-pairs counts (``table``,
    ``counts``), which the tests and DPI checks reuse.  Tables with float
    columns keep the checked columns instead (``frame``): their MI comes
    from the kNN or Gaussian estimators, and their tests from
    :func:`mistruct.ci_test` with a numeric method.
    """

    names: tuple
    n_rows: int
    mi_nats: np.ndarray
    estimator: str
    table: EncodedTable | None = None
    counts: PairwiseCounts | None = None
    frame: pd.DataFrame | None = None

    @property
    def numeric(self) -> bool:
        return self.table is None

    def mi_bits(self) -> np.ndarray:
        return self.mi_nats / _LN2


def _select(data, columns, what: str = "data") -> pd.DataFrame:
    """The (unmodified) columns of ``data`` to work on."""
    return select_columns(as_frame(data, what=what), columns, what=what)


def _check_column(frame: pd.DataFrame, name, role: str):
    if name not in frame.columns:
        available = ", ".join(repr(c) for c in frame.columns[:20])
        more = " ..." if frame.shape[1] > 20 else ""
        raise ColumnNotFoundError(
            f"{role}={name!r} is not a column of the data; available columns: {available}{more}"
        )


def check_structure_estimator(estimator) -> str:
    """``estimator`` if the structure learners take it: a discrete or a numeric one."""
    if estimator in NUMERIC_ESTIMATORS:
        return estimator
    if estimator not in ESTIMATORS:
        raise InvalidInputError(
            f"estimator={estimator!r} is not an option; use one of "
            f"{', '.join(repr(e) for e in (*NUMERIC_ESTIMATORS, *ESTIMATORS))}."
        )
    return estimator


def uses_numeric_estimator(frame: pd.DataFrame, estimator: str) -> bool:
    """Whether ``estimator`` on ``frame`` takes the numeric (kNN / Gaussian) path.

    ``"auto"`` does when a column is float; ``"ksg"``, ``"mixed"`` and
    ``"gaussian"`` always do; the discrete estimators never do.
    """
    if estimator == "auto":
        return "continuous" in column_kinds(frame).values()
    return estimator in NUMERIC_ESTIMATORS


def _numeric_rows(frame: pd.DataFrame, missing: str) -> pd.DataFrame:
    """The rows and values the numeric estimators see, under the ``missing`` policy."""
    if missing not in MISSING_POLICIES:
        raise InvalidInputError(
            f"missing={missing!r} is not an option; use one of {', '.join(MISSING_POLICIES)}."
        )
    if missing == "drop":
        return frame.dropna()
    if missing == "category":
        kinds = column_kinds(frame)
        discrete = [c for c in frame.columns if kinds[c] == "discrete" and frame[c].isna().any()]
        if discrete:
            frame = frame.copy()
            for name in discrete:
                # A level of its own, as the discrete encoder makes it.
                frame[name] = frame[name].astype(object).where(frame[name].notna(), "<missing>")
    return frame


def _mi_state(
    frame: pd.DataFrame,
    *,
    estimator: str,
    missing: str,
    chunk_size: int = 4096,
    k: int = 3,
    seed=None,
) -> _MIState:
    if not uses_numeric_estimator(frame, estimator):
        resolved = "plugin" if estimator == "auto" else estimator
        table = encode(frame, missing=missing)
        counts = pairwise_counts(table.codes, table.cardinalities, chunk_size=chunk_size)
        mi = _symmetrize(_mi_matrix_nats(counts, resolved))
        return _MIState(
            names=table.names,
            n_rows=table.n_rows,
            mi_nats=mi,
            estimator=resolved,
            table=table,
            counts=counts,
        )
    frame = _numeric_rows(frame, missing)
    matrix = mutual_information_matrix(frame, estimator=estimator, base=np.e, k=k, seed=seed)
    return _MIState(
        names=tuple(frame.columns),
        n_rows=len(frame),
        mi_nats=_symmetrize(matrix.to_numpy()),
        estimator=estimator,
        frame=frame,
    )


def _symmetrize(matrix: np.ndarray) -> np.ndarray:
    # M[i, j] and M[j, i] sum the same cells in a different order; their mean is the
    # same float whatever the column order, which makes every result order-free.
    return (matrix + matrix.T) / 2


def _name_ranks(names) -> np.ndarray:
    """Rank of each name in sorted order (mixed types sort by type name, then text)."""
    positions = range(len(names))
    try:
        order = sorted(positions, key=lambda j: names[j])
    except TypeError:
        order = sorted(positions, key=lambda j: (type(names[j]).__name__, str(names[j])))
    ranks = np.empty(len(names), dtype=np.int64)
    ranks[order] = np.arange(len(names))
    return ranks


def _maximum_spanning_tree(weights: np.ndarray, names) -> nx.Graph:
    """Maximum spanning tree of a complete graph, ties broken by column names.

    Every pair gets an edge, even with weight 0, so every column is a node of
    the (connected) tree.
    """
    p = len(names)
    tree = nx.Graph()
    tree.add_nodes_from(names)
    if p < 2:
        return tree
    ranks = _name_ranks(names)
    rows, cols = np.triu_indices(p, k=1)
    low = np.minimum(ranks[rows], ranks[cols])
    high = np.maximum(ranks[rows], ranks[cols])
    order = np.lexsort((high, low, -weights[rows, cols]))
    complete = nx.Graph()
    complete.add_nodes_from(names)
    n_pairs = len(order)
    # Kruskal on unique ranks = Kruskal in exactly our order, whatever networkx does with ties.
    complete.add_edges_from(
        (names[rows[e]], names[cols[e]], {"_rank": n_pairs - position})
        for position, e in enumerate(order)
    )
    for u, v in nx.maximum_spanning_edges(complete, weight="_rank", data=False):
        tree.add_edge(u, v)
    return tree


def _orient(undirected: nx.Graph, roots_by_preference, names) -> tuple[nx.DiGraph, list]:
    """Direct every component away from its root.

    The root of a component is the first node of ``roots_by_preference`` in it
    (the requested root first, then the columns in table order).
    """
    directed = nx.DiGraph()
    directed.add_nodes_from(names)
    seen, roots = set(), []
    for candidate in roots_by_preference:
        if candidate in seen:
            continue
        roots.append(candidate)
        component = nx.node_connected_component(undirected, candidate)
        seen |= component
        for u, v in nx.bfs_edges(undirected, candidate):
            directed.add_edge(u, v, **undirected.edges[u, v])
    return directed, roots


def _check_alpha(alpha):
    if not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be a number between 0 and 1, got {alpha!r}.")
    return float(alpha)


def _ci_results(
    state: _MIState, queries, *, method, alpha, n_permutations, estimator, seed, progress=False
) -> pd.DataFrame:
    """Run mistruct's CI test on (x, y, given) index queries of the encoded table.

    Uses :func:`mistruct.independence.ci_tests_encoded`, so the table is not
    encoded again.  Returns a DataFrame with columns ``statistic``, ``cmi``,
    ``pvalue`` and ``dof``, one row per query, in query order.
    """
    try:
        from mistruct.independence import ci_tests_encoded
    except ImportError as exc:  # pragma: no cover - the module ships with mistruct
        raise InvalidInputError(
            f"method={method!r} needs mistruct.independence, which could not be imported "
            f"({exc}); use method='g-test'."
        ) from None
    results = ci_tests_encoded(
        state.table,
        [(x, y, tuple(given)) for x, y, given in queries],
        method=method,
        alpha=alpha,
        n_permutations=n_permutations,
        estimator=estimator,
        seed=seed,
        progress=progress,
    )
    return _results_frame(results)


def _results_frame(results) -> pd.DataFrame:
    """``statistic``, ``cmi``, ``pvalue``, ``dof`` of CI test results, one row each."""
    return pd.DataFrame(
        {
            "statistic": [float(r.statistic) for r in results],
            "cmi": [float(r.cmi) for r in results],
            "pvalue": [float(r.pvalue) for r in results],
            "dof": [None if r.dof is None else int(r.dof) for r in results],
        },
        columns=["statistic", "cmi", "pvalue", "dof"],
    )


def _g_pvalues(state: _MIState, pairs) -> pd.DataFrame:
    """Asymptotic G-test of I(X;Y) = 0 for index pairs, straight from the counts.

    G = 2 N I(X;Y) (plug-in, nats); degrees of freedom (|X|-1)(|Y|-1) with
    the levels observed in the data, as :func:`mistruct.independence.ci_test`
    counts them (for one pair, "g-test" and "g-test-adjusted" agree).
    """
    from scipy.stats import chi2

    if not pairs:
        return pd.DataFrame(columns=["statistic", "pvalue", "dof"])
    plugin = _symmetrize(_mi_matrix_nats(state.counts, "plugin"))
    observed = np.array(
        [np.count_nonzero(state.counts.marginal(j)) for j in range(len(state.names))],
        dtype=np.int64,
    )
    i, j = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    statistic = 2.0 * state.counts.n_rows * plugin[i, j]
    dof = np.maximum(observed[i] - 1, 0) * np.maximum(observed[j] - 1, 0)
    # dof = 0: one of the variables is constant, so it is independent of anything.
    pvalue = np.where(dof > 0, chi2.sf(statistic, np.maximum(dof, 1)), 1.0)
    return pd.DataFrame({"statistic": statistic, "pvalue": pvalue, "dof": dof})


def _check_forest_test(frame: pd.DataFrame, test: str, knn_permutations):
    """Errors for a test the columns cannot take, before any work."""
    from mistruct.independence._by_kind import check_knn_permutations, check_test_fits

    check_knn_permutations(knn_permutations)
    check_test_fits(frame, test, "test")


def _tests_by_kind(frame, edges, *, test, alpha, n_permutations, knn_permutations, seed):
    """Each edge's test chosen by its columns' kinds, as a results table."""
    from mistruct.independence._by_kind import ci_tests_by_kind

    outcomes = ci_tests_by_kind(
        frame,
        [(u, v, ()) for u, v in edges],
        method=test,
        alpha=alpha,
        n_permutations=n_permutations,
        knn_permutations=knn_permutations,
        seed=seed,
    )
    return _results_frame(outcomes)


# ---------------------------------------------------------------- public API


def chow_liu_tree(
    data,
    *,
    root=None,
    estimator: str = "auto",
    columns=None,
    missing: str = "error",
    chunk_size: int = 4096,
    k: int = 3,
    seed=None,
) -> nx.DiGraph:
    """Chow-Liu tree: the maximum spanning tree of the mutual information matrix.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Float columns are continuous, the others discrete.  Never modified.
    root : column label, optional
        The node the edges point away from; by default the first column.
        The undirected tree does not depend on it.
    estimator : {"auto", "plugin", "miller-madow", "shrinkage", "chao-shen", \
"ksg", "mixed", "gaussian"}
        MI estimator for the edge weights.  ``"auto"``: the plug-in on a
        table of discrete columns (all pairs from one count, see
        :mod:`mistruct.estimators` for the other discrete ones); with float
        columns, KSG for pairs of float columns, Gao et al. for mixed pairs
        and the plug-in for discrete pairs
        (:func:`mistruct.continuous.knn_mutual_information_matrix`).
        ``"ksg"``, ``"mixed"``, ``"gaussian"``: that estimator for every
        pair (see :func:`mistruct.mutual_information_matrix`).
    columns : list, optional
        Columns to use (all by default).
    missing : {"error", "drop", "category"}
        Handling of NaN/None; ``"drop"`` drops every row with a missing value.
    chunk_size : int, default 4096
        Rows per matrix product when counting (bounds memory).
    k : int, default 3
        Neighbour rank of the kNN estimators.
    seed : None, int or numpy.random.Generator
        Seeds the tie noise of the KSG estimator.

    Returns
    -------
    networkx.DiGraph
        A spanning tree: every column is a node, even one independent of all
        others (it hangs on the tree by an edge of MI 0; use
        :func:`chow_liu_forest` to cut such edges).  Edge attributes:
        ``mi`` and ``weight``, both the mutual information in bits.
        Graph attributes: ``method`` (``"chow-liu"``), ``root``,
        ``estimator`` (what ran: ``"plugin"`` for ``"auto"`` on discrete
        columns), ``n_rows``.

    Notes
    -----
    Ties between pairs of equal MI are broken by the sorted order of the
    column names (see the module documentation), so the tree does not
    depend on the order of the columns.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [0, 0, 1, 1, 0, 1], "b": [0, 0, 1, 1, 1, 1],
    ...                       "c": [1, 1, 0, 0, 1, 0]})
    >>> tree = chow_liu_tree(frame)
    >>> sorted(tree.edges())
    [('a', 'b'), ('a', 'c')]
    >>> round(tree.edges["a", "c"]["mi"], 3)
    1.0
    >>> chow_liu_tree(frame, root="c").graph["root"]
    'c'

    Float columns take the kNN estimators:

    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(1000)
    >>> mixed = pd.DataFrame({"x": x, "y": x + rng.standard_normal(1000),
    ...                       "sign": np.where(x > 0, "+", "-")})
    >>> sorted(chow_liu_tree(mixed, seed=0).to_undirected().edges())
    [('x', 'sign'), ('x', 'y')]
    """
    check_structure_estimator(estimator)
    frame = _select(data, columns)
    if root is not None:
        _check_column(frame, root, "root")
    state = _mi_state(
        frame, estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    return _tree_from_state(state, root=root)


def _tree_from_state(state: _MIState, *, root) -> nx.DiGraph:
    names = state.names
    mi_bits = state.mi_bits()
    undirected = _maximum_spanning_tree(mi_bits, names)
    index = {name: j for j, name in enumerate(names)}
    for u, v in undirected.edges():
        value = float(mi_bits[index[u], index[v]])
        undirected.edges[u, v].update(mi=value, weight=value)
    root = names[0] if root is None else root
    tree, _ = _orient(undirected, [root, *names], names)
    tree.graph.update(method="chow-liu", root=root, estimator=state.estimator, n_rows=state.n_rows)
    return tree


def chow_liu_forest(
    data,
    *,
    alpha: float = 0.05,
    test: str = "auto",
    root=None,
    estimator: str = "auto",
    columns=None,
    missing: str = "error",
    n_permutations: int = 1000,
    seed=None,
    progress: bool = False,
    chunk_size: int = 4096,
    k: int = 3,
    knn_permutations: int = 200,
) -> nx.DiGraph:
    """Chow-Liu forest: the Chow-Liu tree without its non-significant edges.

    Each edge of the Chow-Liu tree is tested for independence of its two
    columns; edges whose test does not reject independence at ``alpha``
    (p-value > alpha) are removed, so columns independent of the rest stay
    unconnected.

    Parameters
    ----------
    data : DataFrame or 2-D array
    alpha : float, default 0.05
        Significance level of each edge test (no multiple-testing correction:
        there are ``p - 1`` tests).
    test : {"auto", "g-test", "g-test-adjusted", "permutation", "sequential", \
"knn-permutation", "gaussian"}
        ``"g-test"``: G = 2·N·I(X;Y) (plug-in MI in nats) against χ² with
        (|X|-1)(|Y|-1) degrees of freedom (levels observed in the data),
        computed from the all-pairs counts already at hand (no recount).
        For a pair without conditioning, ``"g-test-adjusted"`` is the same
        test.  ``"permutation"`` and ``"sequential"``
        run :func:`mistruct.independence.ci_test` on each tree edge (all in
        one batch on the encoded table).  ``"auto"``: ``"g-test"`` on an
        edge between discrete columns, the kNN permutation test
        (:func:`mistruct.knn_independence.knn_ci_test`, ``knn_permutations``
        surrogates) on an edge with a float column; ``"knn-permutation"``
        the same with ``"permutation"`` between discrete columns;
        ``"gaussian"``: correlation test on every edge (numeric columns).
    root : column label, optional
        Root of the component that holds it (default: the first column);
        every other component is directed away from its first column in
        table order.
    estimator : str, default "auto"
        MI estimator for the tree's edge weights (as in
        :func:`chow_liu_tree`).  The asymptotic tests always use the plug-in
        MI, for which G has its χ² distribution.
    columns, missing, chunk_size, k
        As in :func:`chow_liu_tree`.
    knn_permutations : int, default 200
        Surrogates of each kNN test.
    n_permutations : int, default 1000
        Permutations per edge for the permutation tests.
    seed : int or numpy.random.Generator, optional
        For the permutation tests.
    progress : bool, default False
        Progress bar over the permutation tests.

    Returns
    -------
    networkx.DiGraph
        Every column is a node.  Edge attributes: ``mi``, ``weight`` (bits),
        ``statistic`` (G), ``pvalue``, ``dof`` (None for the kNN and
        Gaussian tests).  Graph attributes:
        ``method`` (``"chow-liu-forest"``), ``root``, ``roots`` (one per
        component), ``alpha``, ``test``, ``estimator``, ``n_rows`` and
        ``removed``: the dropped tree edges as ``(u, v, pvalue)`` tuples.

    Examples
    --------
    >>> from mistruct.datasets import sample_network
    >>> example = sample_network("asia", 500, seed=0)
    >>> forest = chow_liu_forest(example.data, alpha=0.01)
    >>> forest.number_of_nodes(), forest.number_of_edges() < 7
    (8, True)
    >>> all(forest.edges[e]["pvalue"] <= 0.01 for e in forest.edges)
    True
    """
    alpha = _check_alpha(alpha)
    if test not in FOREST_TESTS:
        raise InvalidInputError(
            f"test={test!r} is not an option; use one of {', '.join(map(repr, FOREST_TESTS))}."
        )
    check_structure_estimator(estimator)
    frame = _select(data, columns)
    if root is not None:
        _check_column(frame, root, "root")
    _check_forest_test(frame, test, knn_permutations)
    state = _mi_state(
        frame, estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    tree = _tree_from_state(state, root=root)
    names = state.names
    index = {name: j for j, name in enumerate(names)}
    edges = list(tree.edges())
    if state.numeric or test == "gaussian":
        results = _tests_by_kind(
            _numeric_rows(frame, missing) if state.frame is None else state.frame,
            edges,
            test=test,
            alpha=alpha,
            n_permutations=n_permutations,
            knn_permutations=knn_permutations,
            seed=seed,
        )
    elif test in ("auto", "g-test", "g-test-adjusted"):
        results = _g_pvalues(state, [(index[u], index[v]) for u, v in edges])
    else:
        results = _ci_results(
            state,
            [(index[u], index[v], ()) for u, v in edges],
            method="permutation" if test == "knn-permutation" else test,
            alpha=alpha,
            n_permutations=n_permutations,
            estimator="plugin",
            seed=seed,
            progress=progress,
        )
    undirected = nx.Graph()
    undirected.add_nodes_from(names)
    removed = []
    for (u, v), row in zip(edges, results.itertuples(index=False), strict=True):
        attributes = dict(tree.edges[u, v])
        attributes.update(statistic=float(row.statistic), pvalue=float(row.pvalue), dof=row.dof)
        if row.pvalue <= alpha:
            undirected.add_edge(u, v, **attributes)
        else:
            removed.append((u, v, float(row.pvalue)))
    root = names[0] if root is None else root
    forest, roots = _orient(undirected, [root, *names], names)
    forest.graph.update(
        method="chow-liu-forest",
        root=root,
        roots=roots,
        alpha=alpha,
        test=test,
        estimator=state.estimator,
        n_rows=state.n_rows,
        removed=removed,
    )
    return forest


def tan(
    data,
    class_column,
    *,
    root=None,
    estimator: str = "auto",
    columns=None,
    missing: str = "error",
    chunk_size: int = 4096,
    k: int = 3,
    seed=None,
) -> nx.DiGraph:
    """Tree-augmented naive Bayes (Friedman, Geiger & Goldszmidt 1997).

    A Chow-Liu tree over the features weighted by the class-conditional
    mutual information I(Xi; Xj | C), plus an edge from the class to every
    feature.

    The conditional MI of every pair comes from one all-pairs count per
    class: the rows of each class go through
    :func:`mistruct.counts.pairwise_counts` and the per-class MI matrices
    are averaged with weights P(C = c), i.e.
    ``I(Xi; Xj | C) = sum_c P(c) I(Xi; Xj | C = c)``.  With an estimator
    other than the plug-in, it is applied within each class.  Float
    features take the kNN estimators within each class the same way (the
    class must be discrete, with more than ``k + 1`` rows per class); the
    MI of the class and a float feature then comes from Gao et al.'s mixed
    estimator.

    Parameters
    ----------
    data : DataFrame or 2-D array
    class_column : column label
        The class variable; it is the parent of every feature and never the
        root of the feature tree.
    root : column label, optional
        Root of the feature tree (default: the first feature column).
    estimator, columns, missing, chunk_size, k, seed
        As in :func:`chow_liu_tree`; ``columns`` lists the features (the
        class column is added if it is not among them).

    Returns
    -------
    networkx.DiGraph
        Class -> feature edges carry ``mi`` = I(C; Xi) (bits); feature tree
        edges carry ``cmi`` = I(Xi; Xj | C) (bits).  Both carry ``weight``
        (the same number).  Graph attributes: ``method`` (``"tan"``),
        ``root``, ``class_column``, ``estimator``, ``n_rows``.

    Examples
    --------
    >>> from mistruct.datasets import sample_network
    >>> data = sample_network("asia", 500, seed=0).data
    >>> model = tan(data, "dysp")
    >>> sorted(model.successors("dysp"))[:3]
    ['asia', 'bronc', 'either']
    >>> model.number_of_edges()  # 7 class edges + 6 tree edges
    13
    >>> model.graph["root"]
    'asia'

    Float features are welcome (here y and z depend on each other within
    each class):

    >>> rng = np.random.default_rng(0)
    >>> label = rng.choice(["a", "b"], 600)
    >>> y = rng.standard_normal(600) + (label == "a")
    >>> table = pd.DataFrame({"label": label, "y": y, "z": y + rng.standard_normal(600),
    ...                       "w": rng.standard_normal(600)})
    >>> model = tan(table, "label", root="y", seed=0)
    >>> model.has_edge("y", "z"), model.graph["estimator"]
    (True, 'auto')
    """
    check_structure_estimator(estimator)
    frame = as_frame(data)
    _check_column(frame, class_column, "class_column")
    if columns is not None:
        columns = [columns] if np.isscalar(columns) else list(columns)
        if class_column not in columns:
            columns = [*columns, class_column]
    frame = _select(frame, columns)
    features = [c for c in frame.columns if c != class_column]
    if not features:
        raise InvalidInputError("tan needs at least one feature column besides the class.")
    if root is not None:
        _check_column(frame, root, "root")
        if root == class_column:
            raise InvalidInputError(
                f"root={root!r} is the class column; the root must be a feature "
                "(the class is the parent of every feature already)."
            )
    if uses_numeric_estimator(frame, estimator):
        return _numeric_tan(frame, class_column, features, root, estimator, missing, k, seed)
    estimator = "plugin" if estimator == "auto" else estimator
    table = encode(frame, missing=missing)
    c = table.names.index(class_column)
    f = [table.names.index(name) for name in features]
    class_codes = table.codes[:, c].astype(np.int64)
    feature_codes = table.codes[:, f]
    feature_cards = table.cardinalities[f]
    n = table.n_rows
    order = np.argsort(class_codes, kind="stable")
    sorted_codes = feature_codes[order]
    class_sizes = np.bincount(class_codes, minlength=int(table.cardinalities[c]))
    bounds = np.concatenate([[0], np.cumsum(class_sizes)])
    p = len(f)
    cmi = np.zeros((p, p))
    by_class = np.zeros((len(class_sizes), int(feature_cards.sum())), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(feature_cards)])
    for k, size in enumerate(class_sizes):
        if size == 0:
            continue
        stratum = sorted_codes[bounds[k] : bounds[k + 1]]
        counts = pairwise_counts(stratum, feature_cards, chunk_size=chunk_size)
        cmi += (size / n) * _symmetrize(_mi_matrix_nats(counts, estimator))
        for j in range(p):
            by_class[k, offsets[j] : offsets[j + 1]] = counts.marginal(j)
    class_mi = [
        mutual_information_from_table(
            by_class[:, offsets[j] : offsets[j + 1]], base=2, estimator=estimator
        )
        for j in range(p)
    ]
    root = features[0] if root is None else root
    model = _tan_graph(features, cmi / _LN2, class_column, class_mi, root, table.names)
    model.graph.update(
        method="tan", root=root, class_column=class_column, estimator=estimator, n_rows=n
    )
    return model


def _tan_graph(features, cmi_bits, class_column, class_mi_bits, root, names) -> nx.DiGraph:
    """The TAN model: class -> every feature, and the feature tree of the conditional MI."""
    undirected = _maximum_spanning_tree(cmi_bits, tuple(features))
    for u, v in undirected.edges():
        value = float(cmi_bits[features.index(u), features.index(v)])
        undirected.edges[u, v].update(cmi=value, weight=value)
    tree, _ = _orient(undirected, [root, *features], features)
    model = nx.DiGraph()
    model.add_nodes_from(names)
    for name, value in zip(features, class_mi_bits, strict=True):
        model.add_edge(class_column, name, mi=float(value), weight=float(value))
    model.add_edges_from(tree.edges(data=True))
    return model


def _numeric_tan(frame, class_column, features, root, estimator, missing, k, seed):
    """TAN with float features: kNN (or Gaussian) MI matrices within each class."""
    if column_kinds(frame[[class_column]])[class_column] == "continuous":
        raise InvalidInputError(
            f"class_column {class_column!r} is float; TAN needs a discrete class. Cast it "
            "to str or int if its values are labels, or bin it with mistruct.Discretizer."
        )
    rows = _numeric_rows(frame, missing)
    if rows[class_column].isna().any():
        raise MissingValuesError(
            f"class_column {class_column!r} has missing values; use missing='drop' or "
            "'category', or fill them."
        )
    groups = list(rows.groupby(class_column, sort=True, observed=True))
    small = [(label, len(group)) for label, group in groups if len(group) <= k + 1]
    if small:
        label, size = small[0]
        raise InvalidInputError(
            f"class {label!r} of {class_column!r} has {size} rows; the kNN estimators need "
            f"more than k + 1 = {k + 1} rows in every class. Lower k, merge rare classes, "
            "or use a discrete estimator on binned features (mistruct.Discretizer)."
        )
    n = len(rows)
    cmi = np.zeros((len(features), len(features)))
    for _, group in groups:
        within = mutual_information_matrix(
            group[features], estimator=estimator, base=np.e, k=k, seed=seed
        )
        cmi += (len(group) / n) * _symmetrize(within.to_numpy())
    # Class-to-feature MI: Gao et al. for float features, the plug-in for discrete ones.
    class_mi = [
        mutual_information_auto(rows[class_column], rows[name], base=2, k=k, seed=seed).value
        for name in features
    ]
    root = features[0] if root is None else root
    model = _tan_graph(features, cmi / _LN2, class_column, class_mi, root, list(frame.columns))
    model.graph.update(
        method="tan", root=root, class_column=class_column, estimator=estimator, n_rows=n
    )
    return model

"""Chow-Liu trees and forests, and tree-augmented naive Bayes (TAN).

A Chow-Liu tree is the maximum spanning tree of the mutual information
matrix (Chow & Liu 1968): among all trees over the columns it is the one
whose product-of-pairwise-factors distribution is closest to the data in KL
divergence.  Every pairwise contingency table comes from one chunked one-hot
matrix product (:func:`mistruct.counting.pairwise_counts`), so the rows are
read once whatever the number of columns.

Tie-breaking
------------
Kruskal's algorithm considers the pairs in one total order: by decreasing MI,
then by the sorted order of the column labels
(numbers by value, then text, then any other label, NaN included; the pair
whose smaller label sorts first wins, then the pair whose larger label sorts
first).  The MI matrix is symmetrized so each pair's value does not depend on
where its columns sit in the table.  Together these make the tree
independent of the order of the columns, ties included.

Labels and seeds
----------------
The learners work on column positions and put the labels on at the end, so
any label works, NaN (which is not equal to itself) included.  Every learner
that draws (kNN tie noise, permutation tests) takes ``seed``, which defaults
to :data:`DEFAULT_SEED` (0): results are reproducible unless ``seed=None``
is asked for.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from mistruct._validation import check_alpha, check_bool
from mistruct.counting import pairwise_counts
from mistruct.data import apply_missing, as_frame, encode
from mistruct.exceptions import InvalidInputError, MissingValuesError
from mistruct.independence import (
    asymptotic_fits,
    check_test_fits,
    ci_tests_by_kind,
    g_dof,
    g_pvalue,
    g_statistic,
)
from mistruct.measures import mi_matrix_nats, mutual_information, mutual_information_matrix
from mistruct.structure._common import (
    _LN2,
    DEFAULT_SEED,
    _check_column,
    _check_common,
    _ci_results,
    _door,
    _is_float,
    _label_list,
    _mi_state,
    _MIState,
    _name_ranks,
    _pinned,
    _position,
    _results_frame,
    _symmetrize,
    check_ci_test,
    encoded_test,
    permutation_counts,
    uses_numeric_estimator,
)
from mistruct.structure._dask import dask_dispatch, is_dask_collection

__all__ = ["chow_liu_forest", "chow_liu_tree", "tan"]

#: Most surrogates of each kNN test of the forest when ``n_permutations=None``.
DEFAULT_KNN_PERMUTATIONS = 200


def _spanning_pairs(weights: np.ndarray, names) -> list:
    """Maximum spanning tree of a complete graph as (i, j) position pairs.

    Kruskal's algorithm on column positions (labels such as NaN, which is
    not equal to itself, never reach a dictionary or a union-find), the pairs
    taken by decreasing weight, ties broken by the sorted labels: the pair
    whose smaller label sorts first wins, then the pair whose larger label
    sorts first.
    """
    p = len(names)
    if p < 2:
        return []
    ranks = _name_ranks(names)
    rows, cols = np.triu_indices(p, k=1)
    low = np.minimum(ranks[rows], ranks[cols])
    high = np.maximum(ranks[rows], ranks[cols])
    # Exact weights: the matrix is symmetrized, so a pair's value is the same float
    # whatever the column order, and the tree keeps the exact maximum-spanning property
    # (a Chow-Liu tree never shows a negative DPI slack, not even by a rounding error).
    key = np.nan_to_num(weights[rows, cols], nan=-np.inf)
    order = np.lexsort((high, low, -key))
    parent = np.arange(p)

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    pairs = []
    for e in order:
        i, j = int(rows[e]), int(cols[e])
        a, b = find(i), find(j)
        if a != b:
            parent[a] = b
            pairs.append((i, j))
            if len(pairs) == p - 1:
                break
    return pairs


def _orient(pairs, p: int, roots_by_preference) -> tuple[list, list]:
    """Direct every component of the (i, j) position pairs away from its root.

    The root of a component is the first position of ``roots_by_preference``
    in it.  Returns the directed (parent, child) pairs in breadth-first order
    and the roots.
    """
    undirected = nx.Graph()
    undirected.add_nodes_from(range(p))
    undirected.add_edges_from(pairs)
    seen, roots, directed = set(), [], []
    for candidate in roots_by_preference:
        if candidate in seen:
            continue
        roots.append(candidate)
        seen |= nx.node_connected_component(undirected, candidate)
        directed.extend(nx.bfs_edges(undirected, candidate))
    return directed, roots


def _labelled(directed_pairs, names, attributes) -> nx.DiGraph:
    """A DiGraph on the labels: every column a node, ``attributes[(i, j)]`` on each edge.

    ``attributes`` is keyed by the sorted position pair.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for u, v in directed_pairs:
        graph.add_edge(names[u], names[v], **attributes[(min(u, v), max(u, v))])
    return graph


def _tests_by_kind(frame, edges, *, ci_test, alpha, n_permutations, knn_permutations, seed):
    """Each edge's test chosen by its columns' kinds, as a results table."""
    outcomes = ci_tests_by_kind(
        frame,
        [(u, v, ()) for u, v in edges],
        method=ci_test,
        alpha=alpha,
        n_permutations=n_permutations,
        knn_permutations=knn_permutations,
        seed=seed,
    )
    return _results_frame(outcomes)


def _pair_tests(state: _MIState, pairs, *, method, alpha, n_permutations, seed, progress):
    """The test of each (i, j) position pair of a discrete table, as a results table.

    The G statistic, its degrees of freedom and whether the pair can show
    dependence at all come from the all-pairs counts at hand (no recount,
    memory linear in the rows whatever the levels): a pair with a column
    whose every value occurs once (an ID) carries no evidence (p-value NaN),
    a constant column is independent of anything (p-value 1).  The G-tests
    take their p-value from the chi-squared law; ``"auto"`` keeps it where the
    law fits the counts (:func:`mistruct.independence.asymptotic_fits`, the
    rule of the independence layer's ``"auto"``); the other pairs go to
    :func:`mistruct.independence.ci_tests_encoded` in one batch.
    """
    columns = ["statistic", "cmi", "pvalue", "dof", "no_evidence"]
    if not pairs:
        return pd.DataFrame(columns=columns)
    counts = state.counts
    n = counts.n_rows
    plugin = _symmetrize(mi_matrix_nats(counts, "plugin"))
    margins = [counts.marginal(j) for j in range(len(state.names))]
    observed = np.array([np.count_nonzero(m) for m in margins], dtype=np.int64)
    repeats = np.array([m.max(initial=0) > 1 for m in margins], dtype=bool)
    i, j = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    statistic = np.asarray(g_statistic(plugin[i, j], n), dtype=float)
    dof = np.asarray(g_dof(observed[i], observed[j]), dtype=np.int64)
    pvalue = np.asarray(g_pvalue(statistic, dof), dtype=float)
    # A variable whose every value occurs once gives the same G under every permutation:
    # the data carry no evidence either way, and no p-value is made up.
    silent = (dof > 0) & ~(repeats[i] & repeats[j])
    pvalue[silent] = np.nan
    if method not in ("g-test", "g-test-adjusted"):
        rest = []
        for t in np.flatnonzero((dof > 0) & ~silent):
            a, b = margins[i[t]], margins[j[t]]
            if method != "auto" or not asymptotic_fits(a[a > 0][None], b[b > 0][None])[0]:
                rest.append(int(t))
        if rest:
            results = _ci_results(
                state,
                [(int(i[t]), int(j[t]), ()) for t in rest],
                method=method,
                alpha=alpha,
                n_permutations=n_permutations,
                estimator="plugin",
                seed=seed,
                progress=progress,
            )
            statistic[rest] = results["statistic"].to_numpy(dtype=float)
            pvalue[rest] = results["pvalue"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "statistic": statistic,
            "cmi": plugin[i, j] / _LN2,
            "pvalue": pvalue,
            "dof": [int(d) for d in dof],
            "no_evidence": silent,
        },
        columns=columns,
    )


# ---------------------------------------------------------------- public API


def chow_liu_tree(
    data,
    *,
    root=None,
    estimator: str = "auto",
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    chunk_size: int = 4096,
    k: int = 3,
    seed=DEFAULT_SEED,
) -> nx.DiGraph:
    """Chow-Liu tree: the maximum spanning tree of the mutual information matrix.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Continuous columns (see ``discrete``, ``continuous``) take the kNN
        estimators, the others are discrete.  Never modified.
    root : column label, optional
        The node the edges point away from; by default the first column.
        The undirected tree does not depend on it.
    estimator : {"auto", "plugin", "miller-madow", "shrinkage", "chao-shen", \
"ksg", "mixed", "gaussian"}
        MI estimator for the edge weights.  ``"auto"``: the plug-in on a
        table of discrete columns (all pairs from one count, see
        :mod:`mistruct.measures._estimators` for the other discrete ones); with
        continuous columns, KSG for pairs of continuous columns, Gao et
        al. for mixed pairs and the plug-in for discrete pairs
        (:func:`mistruct.measures.mutual_information_matrix`).
        ``"ksg"``, ``"mixed"``, ``"gaussian"``: that estimator for every
        pair (see :func:`mistruct.mutual_information_matrix`).
    columns : list, optional
        Columns to use (all by default).
    exclude : list, optional
        Columns to leave out, such as an ID column.
    discrete, continuous : list of column labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (float columns
        and integer columns with many levels for the rows, such as
        measurements, are continuous; the others discrete).
    missing : {"error", "drop", "category"}
        Handling of NaN/None; ``"drop"`` drops every row with a missing value.
    chunk_size : int, default 4096
        Rows per matrix product when counting (bounds memory).
    k : int, default 3
        Neighbour rank of the kNN estimators.
    seed : int, numpy.random.Generator or None, default 0
        Seeds the tie-breaking noise of the kNN estimators.  The fixed
        default makes the tree reproducible; ``None`` draws fresh entropy
        (not reproducible).

    Returns
    -------
    networkx.DiGraph
        A spanning tree: every column is a node, even one independent of all
        others.  Edge attributes ``mi`` and ``weight`` (bits).  Graph
        attributes: ``method`` (``"chow-liu"``), ``root``, ``estimator``,
        ``n_rows``.

    Warns
    -----
    IDColumnWarning
        A column looks like a row identifier
        (:func:`mistruct.data.near_unique_columns`): it would be the hub of
        a star.  Leave it out with ``exclude``.

    Notes
    -----
    Ties (pairs with equal MI) are broken by the sorted column labels, so the
    tree does not depend on the order of the columns.  Any hashable label
    works, NaN included: the tree is built on column positions and labelled
    at the end.

    See Also
    --------
    chow_liu_forest : the tree without its non-significant edges.
    tan : the tree of the features given a class.
    mistruct.measures.mutual_information_matrix : the edge weights.

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
    >>> sorted(chow_liu_tree(mixed).to_undirected().edges())
    [('x', 'sign'), ('x', 'y')]
    """
    seed = _check_common(
        estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    if is_dask_collection(data):  # counted distributed (issue 16)
        return dask_dispatch(
            "chow_liu_tree", data, root=root, estimator=estimator, columns=columns,
            exclude=exclude, discrete=discrete, continuous=continuous, missing=missing,
            chunk_size=chunk_size,
        )
    frame = _door(
        data,
        columns=columns,
        exclude=exclude,
        discrete=discrete,
        continuous=continuous,
        keep=() if root is None else (root,),
        learner="Chow-Liu tree",
    )
    root_at = 0 if root is None else _position(frame, root, "root")
    state = _mi_state(
        frame, estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    return _tree_graph(state, root_at)


def _tree_graph(state: _MIState, root_at: int) -> nx.DiGraph:
    """The Chow-Liu tree of the state's MI matrix, directed away from position ``root_at``."""
    pairs, attributes = _tree_pairs(state)
    directed, _ = _orient(pairs, len(state.names), [root_at, *range(len(state.names))])
    tree = _labelled(directed, state.names, attributes)
    tree.graph.update(
        method="chow-liu",
        root=state.names[root_at],
        estimator=state.estimator,
        n_rows=state.n_rows,
    )
    return tree


def _tree_pairs(state: _MIState) -> tuple[list, dict]:
    """The spanning tree's position pairs and each one's ``mi`` / ``weight`` (bits)."""
    mi_bits = state.mi_bits()
    pairs = _spanning_pairs(mi_bits, state.names)
    attributes = {}
    for i, j in pairs:
        value = float(mi_bits[i, j])
        attributes[(min(i, j), max(i, j))] = {"mi": value, "weight": value}
    return pairs, attributes


def chow_liu_forest(
    data,
    *,
    alpha: float = 0.05,
    ci_test: str = "auto",
    root=None,
    estimator: str = "auto",
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    n_permutations: int | None = None,
    seed=DEFAULT_SEED,
    progress: bool = False,
    chunk_size: int = 4096,
    k: int = 3,
) -> nx.DiGraph:
    """Chow-Liu forest: the Chow-Liu tree without its non-significant edges.

    Each edge of the Chow-Liu tree is tested for independence of its two
    columns; edges whose test does not reject independence at ``alpha``
    (p-value > alpha) are removed, so columns independent of the rest stay
    unconnected.  So is a tree edge whose test carries no evidence either way
    (p-value NaN, e.g. any pair with a column whose every value occurs once,
    such as a row ID).

    Parameters
    ----------
    data : DataFrame or 2-D array
    alpha : float, default 0.05
        Significance level of each edge test (no multiple-testing correction:
        there are ``p - 1`` tests).
    ci_test : {"auto", "g-test", "g-test-adjusted", "permutation", "sequential", \
"knn", "gaussian"} or a test object
        The test of each tree edge, as in :func:`mistruct.independence.ci_tests`
        (all discrete edges in one batch on the encoded table).  ``"auto"``
        has its one meaning: between discrete columns, the G-test where its
        chi-squared law fits the counts and the exact sequential test where it
        does not; the kNN permutation test
        (:func:`mistruct.independence.knn_ci_test`) on an edge with a
        continuous column.  ``"g-test"``: G = 2·N·I(X;Y) (plug-in MI in
        nats) against χ² with (|X|-1)(|Y|-1) degrees of freedom (for a pair,
        ``"g-test-adjusted"`` is the same test).  ``"knn"``: the kNN test
        on every edge with a continuous column and the exact
        ``"permutation"`` test between discrete columns; ``"gaussian"``:
        correlation test on every edge (numeric columns).  Any test
        registered with :func:`mistruct.independence.register_ci_test`
        (by name), or a test object, runs on every edge the same way.
    root : column label, optional
        Root of the component that holds it (default: the first column);
        every other component is directed away from its first column in
        table order.
    estimator : str, default "auto"
        MI estimator for the tree's edge weights (as in
        :func:`chow_liu_tree`).  The tests always use their own statistic
        (the plug-in MI for the G-test, for which G has its χ² law).
    columns, exclude, discrete, continuous, missing, chunk_size, k
        As in :func:`chow_liu_tree`.
    n_permutations : int or None, default None
        Null replicates of each permutation test; ``None``: 1000 for the
        discrete permutation tests, 200 surrogates for the kNN test (each
        costs a pass over the rows).
    seed : int, numpy.random.Generator or None, default 0
        For the permutation tests and the kNN tie noise; the fixed default
        makes the forest reproducible, ``None`` does not.
    progress : bool, default False
        Progress bar over the permutation tests.

    Returns
    -------
    networkx.DiGraph
        Every column is a node.  Edge attributes: ``mi``, ``weight`` (bits),
        ``statistic``, ``pvalue``, ``dof`` (None for the kNN and Gaussian
        tests).  Graph attributes: ``method`` (``"chow-liu-forest"``),
        ``root``, ``roots`` (one per component), ``alpha``, ``ci_test``,
        ``estimator``, ``n_rows`` and ``removed``: the dropped tree edges as
        ``(u, v, pvalue)`` tuples.

    Warns
    -----
    IDColumnWarning
        As in :func:`chow_liu_tree`.

    See Also
    --------
    chow_liu_tree : the tree before its edges are tested.
    pc : the CPDAG from conditional independence tests.
    mistruct.independence.ci_tests : the tests, one by one.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> example = sample_network("asia", 500, seed=0)
    >>> forest = chow_liu_forest(example.data, alpha=0.01)
    >>> forest.number_of_nodes(), forest.number_of_edges() < 7
    (8, True)
    >>> all(forest.edges[e]["pvalue"] <= 0.01 for e in forest.edges)
    True
    """
    alpha = check_alpha(alpha)
    check_ci_test(ci_test)
    seed = _check_common(
        estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    n_discrete, n_knn = permutation_counts(n_permutations, DEFAULT_KNN_PERMUTATIONS)
    check_bool(progress, "progress")
    if is_dask_collection(data):  # counted distributed (issue 16)
        return dask_dispatch(
            "chow_liu_forest", data, alpha=alpha, ci_test=ci_test, root=root,
            estimator=estimator, columns=columns, exclude=exclude, discrete=discrete,
            continuous=continuous, missing=missing, n_permutations=n_discrete, seed=seed,
            progress=progress, chunk_size=chunk_size,
        )
    frame = _door(
        data,
        columns=columns,
        exclude=exclude,
        discrete=discrete,
        continuous=continuous,
        keep=() if root is None else (root,),
        learner="Chow-Liu forest",
    )
    root_at = 0 if root is None else _position(frame, root, "root")
    check_test_fits(frame, ci_test, "ci_test")
    state = _mi_state(
        frame, estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    names = state.names
    pairs, attributes = _tree_pairs(state)
    pairs = [(min(i, j), max(i, j)) for i, j in pairs]
    if state.numeric or encoded_test(ci_test) is None:
        tested = apply_missing(frame, missing) if state.frame is None else state.frame
        # Tests address columns by label and key their random streams by the labels' sorted
        # order: the labels' ranks stand in for them, safe for any label (NaN included) and
        # sorted the same way.
        ranks = _name_ranks(names)
        results = _tests_by_kind(
            tested.set_axis(ranks, axis=1),
            [(int(ranks[i]), int(ranks[j])) for i, j in pairs],
            ci_test=ci_test,
            alpha=alpha,
            n_permutations=n_discrete,
            knn_permutations=n_knn,
            seed=seed,
        )
    else:
        results = _pair_tests(
            state,
            pairs,
            method=encoded_test(ci_test),
            alpha=alpha,
            n_permutations=n_discrete,
            seed=seed,
            progress=progress,
        )
    return _forest_graph(state, pairs, attributes, results, root_at, alpha=alpha,
                         ci_test=ci_test)


def _forest_graph(state: _MIState, pairs, attributes, results, root_at: int, *, alpha,
                  ci_test) -> nx.DiGraph:
    """The forest of the tree's sorted position ``pairs`` whose test rejects at ``alpha``.

    ``results`` holds each pair's test (a row per pair, in order); every
    component is directed away from ``root_at`` or its first position.
    """
    names = state.names
    kept, removed = [], []
    for (i, j), row in zip(pairs, results.itertuples(index=False), strict=True):
        # A test that carries no evidence has no p-value to report (it is not "independent").
        pvalue = np.nan if row.no_evidence else float(row.pvalue)
        attributes[(i, j)].update(statistic=float(row.statistic), pvalue=pvalue, dof=row.dof)
        # An edge is kept only on evidence: a test that carries none (p-value NaN) drops it.
        if pvalue <= alpha:
            kept.append((i, j))
        else:
            removed.append((i, j, pvalue))
    directed, roots = _orient(kept, len(names), [root_at, *range(len(names))])
    forest = _labelled(directed, names, attributes)
    forest.graph.update(
        method="chow-liu-forest",
        root=names[root_at],
        roots=[names[r] for r in roots],
        alpha=alpha,
        # The name, not a test object: graph attributes are written to files.
        ci_test=getattr(ci_test, "name", ci_test),
        estimator=state.estimator,
        n_rows=state.n_rows,
        removed=[(names[i], names[j], p) for i, j, p in removed],
    )
    return forest


def tan(
    data,
    class_column,
    *,
    root=None,
    estimator: str = "auto",
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    chunk_size: int = 4096,
    k: int = 3,
    seed=DEFAULT_SEED,
) -> nx.DiGraph:
    """Tree-augmented naive Bayes (Friedman, Geiger & Goldszmidt 1997).

    A Chow-Liu tree over the features weighted by the class-conditional
    mutual information I(Xi; Xj | C), plus an edge from the class to every
    feature.

    The conditional MI of every pair comes from all-pairs counts
    (:func:`mistruct.counting.pairwise_counts`), one count per class: the
    per-class MI matrices are averaged with weights P(C = c), i.e.
    ``I(Xi; Xj | C) = sum_c P(c) I(Xi; Xj | C = c)``.  With the plug-in
    estimator and more classes times feature levels than rows, one count of
    the features paired with the class (each feature's observed (level,
    class) combinations) gives the same numbers, with memory and time
    linear in the rows whatever the number of classes.
    Continuous features take the kNN estimators within each class the same
    way (the class must be discrete, with more than ``k + 1`` rows per
    class); the MI of the class and a continuous feature then comes from
    Gao et al.'s mixed estimator.

    Parameters
    ----------
    data : DataFrame or 2-D array
    class_column : column label
        The class variable; it is the parent of every feature and never the
        root of the feature tree.  An integer class column is discrete
        whatever its number of levels (unless named in ``continuous``).
    root : column label, optional
        Root of the feature tree (default: the first feature column).
    estimator, columns, exclude, discrete, continuous, missing, chunk_size, k, seed
        As in :func:`chow_liu_tree`; ``columns`` lists the features (the
        class column is added if it is not among them).

    Returns
    -------
    networkx.DiGraph
        Class -> feature edges carry ``mi`` = I(C; Xi) (bits); feature tree
        edges carry ``cmi`` = I(Xi; Xj | C) (bits).  Both carry ``weight``
        (the same number).  Graph attributes: ``method`` (``"tan"``),
        ``root``, ``class_column``, ``estimator``, ``n_rows``.

    Warns
    -----
    IDColumnWarning
        As in :func:`chow_liu_tree`.

    See Also
    --------
    chow_liu_tree : the same tree without a class.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
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

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> label = rng.choice(["a", "b"], 600)
    >>> y = rng.standard_normal(600) + (label == "a")
    >>> table = pd.DataFrame({"label": label, "y": y, "z": y + rng.standard_normal(600),
    ...                       "w": rng.standard_normal(600)})
    >>> model = tan(table, "label", root="y")
    >>> model.has_edge("y", "z"), model.graph["estimator"]
    (True, 'auto')
    """
    seed = _check_common(
        estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    raw = as_frame(data)
    _check_column(raw, class_column, "class_column")
    if columns is not None:
        columns = _label_list(columns, "columns")
        if class_column not in columns:
            columns = [*columns, class_column]
    forced = _label_list(discrete, "discrete")
    series = raw[class_column]
    if (
        class_column not in forced
        and class_column not in _label_list(continuous, "continuous")
        and not _is_float(series)
    ):
        # A class is a label: an integer class with many levels stays discrete.
        forced = [*forced, class_column]
    frame = _door(
        raw,
        columns=columns,
        exclude=exclude,
        discrete=forced or None,
        continuous=continuous,
        keep=(class_column,) if root is None else (class_column, root),
        learner="TAN",
    )
    c = _position(frame, class_column, "class_column")
    features = [j for j in range(frame.shape[1]) if j != c]
    if not features:
        raise InvalidInputError("tan needs at least one feature column besides the class.")
    root_at = features[0]
    if root is not None:
        root_at = _position(frame, root, "root")
        if root_at == c:
            raise InvalidInputError(
                f"root={root!r} is the class column; the root must be a feature "
                "(the class is the parent of every feature already)."
            )
    if uses_numeric_estimator(frame, estimator):
        return _numeric_tan(frame, c, features, root_at, estimator, missing, k, seed)
    estimator = "plugin" if estimator == "auto" else estimator
    table = encode(frame, missing=missing)
    n = table.n_rows
    codes, cards = table.codes, table.cardinalities
    # I(C; Xi) for every feature, from one all-pairs count of the class and the features.
    with_class = pairwise_counts(
        codes[:, [c, *features]], cards[[c, *features]], chunk_size=chunk_size
    )
    class_mi = _symmetrize(mi_matrix_nats(with_class, estimator))[0, 1:] / _LN2
    n_classes = int(cards[c])
    if estimator == "plugin" and n_classes * int(cards[features].sum()) > n:
        # Many classes: one count per class would cost classes x levels; the folded
        # count stays linear in the rows.  Few classes: the per-class counts are smaller.
        cmi = _plugin_cmi_given(codes[:, features], cards[features], codes[:, c], chunk_size)
    else:
        cmi = _per_class_cmi(
            codes[:, features], cards[features], codes[:, c], n_classes, estimator, chunk_size
        )
    model = _tan_graph(features, cmi / _LN2, c, class_mi, root_at, table.names)
    model.graph.update(
        method="tan",
        root=table.names[root_at],
        class_column=table.names[c],
        estimator=estimator,
        n_rows=n,
    )
    return model


def _plugin_cmi_given(codes, cards, class_codes, chunk_size) -> np.ndarray:
    """Plug-in I(Xi; Xj | C) in nats for every pair of columns of ``codes``.

    Each column is folded with the class into the (level, class)
    combinations observed in the data; the all-pairs count of the folded
    columns then holds n(c, a, b) in block (i, j) (folded levels of
    different classes never meet in a row), and its diagonal n(c, a).  So
    ``I = sum n(c,a,b)/n log(n(c,a,b) n(c) / (n(c,a) n(c,b)))`` needs one
    count whose size is linear in the rows and levels, whatever the number
    of classes.
    """

    n, p = codes.shape
    class_codes = class_codes.astype(np.int64)
    class_sizes = np.bincount(class_codes).astype(float)
    folded = np.empty((n, p), dtype=np.int64)
    class_of_level, sizes = [], []
    for j in range(p):
        combined = class_codes * int(cards[j]) + codes[:, j]
        observed, folded[:, j] = np.unique(combined, return_inverse=True)
        class_of_level.append(observed // int(cards[j]))
        sizes.append(len(observed))
    counts = pairwise_counts(folded, sizes, chunk_size=chunk_size)
    rows, cols, values = counts.nonzero()
    column_of_level = np.repeat(np.arange(p), sizes)
    class_of_level = np.concatenate(class_of_level)
    level_counts = counts.marginals().astype(float)
    terms = values * np.log(
        values * class_sizes[class_of_level[rows]] / (level_counts[rows] * level_counts[cols])
    )
    block = column_of_level[rows] * p + column_of_level[cols]
    cmi = np.bincount(block, weights=terms, minlength=p * p).reshape(p, p) / n
    np.fill_diagonal(cmi, 0.0)
    return _symmetrize(np.maximum(cmi, 0.0))


def _per_class_cmi(codes, cards, class_codes, n_classes, estimator, chunk_size) -> np.ndarray:
    """I(Xi; Xj | C) in nats with ``estimator`` applied within each class, weighted by P(c)."""
    n, p = codes.shape
    class_codes = class_codes.astype(np.int64)
    order = np.argsort(class_codes, kind="stable")
    sorted_codes = codes[order]
    class_sizes = np.bincount(class_codes, minlength=n_classes)
    bounds = np.concatenate([[0], np.cumsum(class_sizes)])
    cmi = np.zeros((p, p))
    for label, size in enumerate(class_sizes):
        if size == 0:
            continue
        stratum = sorted_codes[bounds[label] : bounds[label + 1]]
        counts = pairwise_counts(stratum, cards, chunk_size=chunk_size)
        cmi += (size / n) * _symmetrize(mi_matrix_nats(counts, estimator))
    return cmi


def _tan_graph(features, cmi_bits, c, class_mi_bits, root_at, names) -> nx.DiGraph:
    """The TAN model: class -> every feature, and the feature tree of the conditional MI.

    ``features``, ``c`` and ``root_at`` are column positions in ``names``;
    ``cmi_bits`` is indexed like ``features``.
    """
    feature_names = [names[j] for j in features]
    local = _spanning_pairs(cmi_bits, feature_names)
    pairs = [(features[a], features[b]) for a, b in local]
    attributes = {}
    for a, b in local:
        value = float(cmi_bits[a, b])
        i, j = features[a], features[b]
        attributes[(min(i, j), max(i, j))] = {"cmi": value, "weight": value}
    directed, _ = _orient(pairs, len(names), [root_at, *features])
    model = nx.DiGraph()
    model.add_nodes_from(names)
    for j, value in zip(features, class_mi_bits, strict=True):
        model.add_edge(names[c], names[j], mi=float(value), weight=float(value))
    for u, v in directed:
        model.add_edge(names[u], names[v], **attributes[(min(u, v), max(u, v))])
    return model


def _numeric_tan(frame, c, features, root_at, estimator, missing, k, seed):
    """TAN with continuous features: kNN (or Gaussian) MI matrices within each class."""
    names = tuple(frame.columns)
    class_column = names[c]
    if _is_float(frame.iloc[:, c]):
        raise InvalidInputError(
            f"class_column {class_column!r} is float (continuous); TAN needs a discrete "
            "class. Name it in discrete=[...] if its values are labels, or bin it with "
            "mistruct.Discretizer."
        )
    # Positions as labels below: any label (NaN included) is then safe.
    rows = apply_missing(frame.set_axis(range(len(names)), axis=1), missing)
    # Within a class there are fewer rows, so an automatic rule could call an integer
    # column continuous there; pinned as categories, the discrete columns stay discrete.
    rows = _pinned(rows, estimator)
    if rows[c].isna().any():
        raise MissingValuesError(
            f"class_column {class_column!r} has missing values; use missing='drop' or "
            "'category', or fill them."
        )
    groups = list(rows.groupby(c, sort=True, observed=True))
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
    # Class-to-feature MI: Gao et al. for continuous features, the plug-in for discrete ones.
    class_mi = [mutual_information(rows[c], rows[j], base=2, k=k, seed=seed) for j in features]
    model = _tan_graph(features, cmi / _LN2, c, class_mi, root_at, names)
    model.graph.update(
        method="tan",
        root=names[root_at],
        class_column=class_column,
        estimator=estimator,
        n_rows=n,
    )
    return model

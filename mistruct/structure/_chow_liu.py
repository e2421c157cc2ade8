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

import warnings
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from mistruct.counting._contingency import PairwiseCounts, check_chunk_size, pairwise_counts
from mistruct.data._table import (
    MISSING_POLICIES,
    EncodedTable,
    apply_kinds,
    as_frame,
    column_kinds,
    encode,
    near_unique_columns,
    select_columns,
)
from mistruct.exceptions import (
    ColumnNotFoundError,
    IDColumnWarning,
    InvalidInputError,
    MissingValuesError,
)
from mistruct.independence._by_kind import STRUCTURE_TEST_METHODS
from mistruct.measures._continuous import mutual_information_auto
from mistruct.measures._discrete import (
    NUMERIC_MATRIX_ESTIMATORS,
    _mi_matrix_nats,
    mutual_information_matrix,
)
from mistruct.measures._estimators import ESTIMATORS

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


#: Seed of every learner when none is given: results are reproducible by default.
DEFAULT_SEED = 0


def _check_seed(seed):
    """``seed`` if numpy can seed a generator with it, else a clear error (before any work)."""
    if seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InvalidInputError(
            f"seed must be a non-negative integer, a numpy.random.Generator or None, "
            f"got {seed!r} of type {type(seed).__name__}."
        )
    if seed < 0:
        raise InvalidInputError(f"seed must be a non-negative integer, got {seed}.")
    return seed


def _check_positive_int(value, name: str, what: str = "") -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidInputError(f"{name} must be a positive integer{what}, got {value!r}.")
    return int(value)


def _check_missing(missing):
    if not isinstance(missing, str) or missing not in MISSING_POLICIES:
        raise InvalidInputError(
            f"missing={missing!r} is not an option; use one of {', '.join(MISSING_POLICIES)}."
        )
    return missing


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _check_common(*, estimator, missing, chunk_size, k, seed):
    """The options every learner shares, checked before any work."""
    check_structure_estimator(estimator)
    _check_missing(missing)
    check_chunk_size(chunk_size)
    _check_positive_int(k, "k", " (neighbour rank of the kNN estimators)")
    return _check_seed(seed)


def _label_list(labels, name: str) -> list:
    """``labels`` (one label or a list of them) as a list."""
    if labels is None:
        return []
    if (
        isinstance(labels, (str, bytes, tuple))
        or np.isscalar(labels)
        or not hasattr(labels, "__iter__")
    ):
        return [labels]
    return list(labels)


def _door(
    data,
    *,
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    keep=(),
    learner=None,
    what: str = "data",
) -> pd.DataFrame:
    """The table a learner works on: read, selected, ID columns reported, kinds applied.

    This is the one place a learner reads its table: columns are selected
    (``columns``, then ``exclude``), ID-like columns are warned about
    (``learner`` names the learner; ``None`` skips the check) and
    :func:`mistruct.data.apply_kinds` fixes every column's kind in its dtype
    (float = continuous), so nothing below decides kinds again.  ``keep``
    lists labels that ``exclude`` may not remove.
    """
    frame = select_columns(as_frame(data, what=what), columns, what=what)
    dropped = _label_list(exclude, "exclude")
    if dropped:
        absent = [label for label in dropped if label not in frame.columns]
        if absent:
            raise ColumnNotFoundError(
                f"exclude names column(s) {', '.join(map(repr, absent))} that are not in the "
                f"{what}; available columns: {', '.join(map(repr, frame.columns[:20]))}"
                f"{' ...' if frame.shape[1] > 20 else ''}"
            )
        kept = [label for label in keep if label in dropped]
        if kept:
            raise InvalidInputError(
                f"exclude names {kept[0]!r}, which this learner needs (it is the class or the "
                "root); leave it out of exclude."
            )
        gone = {frame.columns.get_loc(label) for label in dropped}
        frame = frame.iloc[:, [j for j in range(frame.shape[1]) if j not in gone]]
        if frame.shape[1] == 0:
            raise InvalidInputError(f"exclude leaves no column of the {what} to learn from.")
    if learner is not None:
        _warn_id_columns(frame, learner)
    applied = apply_kinds(frame, discrete=discrete, continuous=continuous, what=what)
    # apply_kinds leaves an integer column named in discrete= as integers, which a rule
    # applied further down (the kNN estimators', the tests') could call continuous again:
    # as a category it stays discrete everywhere.
    forced = [
        label
        for label in _label_list(discrete, "discrete")
        if pd.api.types.is_integer_dtype(applied[label].dtype)
    ]
    if forced:
        applied = applied.copy()  # the caller's frame is never modified
        for label in forced:
            applied.isetitem(applied.columns.get_loc(label), applied[label].astype("category"))
    return applied


def _warn_id_columns(frame: pd.DataFrame, learner: str):
    """An :class:`~mistruct.exceptions.IDColumnWarning` for ID-like columns, before learning.

    A column with a distinct value in (nearly) every row has the largest MI
    with every other column (I(ID; X) = H(X)), so it would become the hub
    of a star that says nothing about the data.
    """
    ids = near_unique_columns(frame)
    if not ids:
        return
    described = ", ".join(
        f"{label!r} ({frame[label].nunique(dropna=True)} distinct values)" for label in ids
    )
    warnings.warn(
        IDColumnWarning(
            f"column(s) {described} in {len(frame)} rows look like row identifiers: an ID "
            f"column carries all the information of every other column and becomes a hub of "
            f"the {learner}. Leave it out with exclude=[{', '.join(map(repr, ids))}] (or the "
            "columns= list)."
        ),
        stacklevel=4,  # the user's call of the learner (learner -> _door -> here)
    )


def _position(frame: pd.DataFrame, name, role: str) -> int:
    """Position of column ``name`` (NaN labels included), or a clear error."""
    _check_column(frame, name, role)
    location = frame.columns.get_loc(name)
    if not isinstance(location, (int, np.integer)):  # pragma: no cover - labels are unique
        raise InvalidInputError(f"{role}={name!r} matches more than one column.")
    return int(location)


def _check_column(frame: pd.DataFrame, name, role: str):
    try:
        present = name in frame.columns
    except TypeError:  # an unhashable label
        present = False
    if not present:
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

    ``"auto"`` does when a column is continuous (float, once
    :func:`mistruct.data.apply_kinds` has run at the door); ``"ksg"``,
    ``"mixed"`` and ``"gaussian"`` always do; the discrete estimators never do.
    """
    if estimator == "auto":
        return any(_is_float(frame.iloc[:, j]) for j in range(frame.shape[1]))
    return estimator in NUMERIC_ESTIMATORS


def _is_float(series: pd.Series) -> bool:
    dtype = series.dtype
    return not isinstance(dtype, pd.CategoricalDtype) and pd.api.types.is_float_dtype(dtype)


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
    matrix = mutual_information_matrix(
        _pinned(frame, estimator), estimator=estimator, base=np.e, k=k, seed=seed
    )
    return _MIState(
        names=tuple(frame.columns),
        n_rows=len(frame),
        mi_nats=_symmetrize(matrix.to_numpy()),
        estimator=estimator,
        frame=frame,
    )


def _pinned(frame: pd.DataFrame, estimator: str) -> pd.DataFrame:
    """``frame`` with its integer and bool columns as categories, for ``estimator="auto"``.

    The kinds were fixed at the door (integer columns left are discrete);
    as categories they stay discrete in the estimators below whatever rule
    those apply, e.g. to a column forced discrete, or to the fewer rows of a
    class.  Other estimators take every column as it is.
    """
    if estimator != "auto":
        return frame
    pinned = [
        j
        for j in range(frame.shape[1])
        if pd.api.types.is_integer_dtype(frame.iloc[:, j].dtype)
        or pd.api.types.is_bool_dtype(frame.iloc[:, j].dtype)
    ]
    if not pinned:
        return frame
    frame = frame.copy()  # the caller's frame is never modified
    for j in pinned:
        frame.isetitem(j, frame.iloc[:, j].astype("category"))
    return frame


def _symmetrize(matrix: np.ndarray) -> np.ndarray:
    # M[i, j] and M[j, i] sum the same cells in a different order; their mean is the
    # same float whatever the column order, which makes every result order-free.
    return (matrix + matrix.T) / 2


def _sort_key(label):
    """A total order over labels of any types (NaN and None included).

    Numbers order by value, strings by text; other types, NaN and None come
    after them, by type name and text.  Used only to break ties, so that the
    result does not depend on where a column sits in the table.
    """
    if isinstance(label, (bool, np.bool_)):
        return (2, "bool", str(label), 0.0)
    # NaN is the one number not equal to itself; it goes with the other labels.
    if isinstance(label, (int, float, np.integer, np.floating)) and label == label:
        return (0, "", "", label)
    if isinstance(label, str):
        return (1, "", label, 0.0)
    return (2, type(label).__name__, str(label), 0.0)


def _name_ranks(names) -> np.ndarray:
    """Rank of each label in the order of :func:`_sort_key` (ties: position, never met)."""
    order = sorted(range(len(names)), key=lambda j: (_sort_key(names[j]), j))
    ranks = np.empty(len(names), dtype=np.int64)
    ranks[order] = np.arange(len(names))
    return ranks


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
    # A variable whose every value occurs once (an ID) gives the same G under every
    # permutation: the data carry no evidence either way, and no p-value is made up.
    n = state.counts.n_rows
    no_evidence = (dof > 0) & ((observed[i] >= n) | (observed[j] >= n))
    pvalue = np.where(no_evidence, np.nan, pvalue)
    return pd.DataFrame(
        {"statistic": statistic, "pvalue": pvalue, "dof": dof, "no_evidence": no_evidence}
    )


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
        (:func:`mistruct.measures.knn_mutual_information_matrix`).
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
    test: str = "auto",
    root=None,
    estimator: str = "auto",
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    n_permutations: int = 1000,
    seed=DEFAULT_SEED,
    progress: bool = False,
    chunk_size: int = 4096,
    k: int = 3,
    knn_permutations: int = 200,
) -> nx.DiGraph:
    """Chow-Liu forest: the Chow-Liu tree without its non-significant edges.

    Each edge of the Chow-Liu tree is tested for independence of its two
    columns; edges whose test does not reject independence at ``alpha``
    (p-value > alpha) are removed, so columns independent of the rest stay
    unconnected.  So is a tree edge whose test carries no evidence either way
    (p-value NaN): with the G-test, any pair with a column whose every value
    occurs once, such as a row ID.

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
        (:func:`mistruct.independence.knn_ci_test`, ``knn_permutations``
        surrogates) on an edge with a continuous column;
        ``"knn-permutation"`` the same with ``"permutation"`` between
        discrete columns; ``"gaussian"``: correlation test on every edge
        (numeric columns).
    root : column label, optional
        Root of the component that holds it (default: the first column);
        every other component is directed away from its first column in
        table order.
    estimator : str, default "auto"
        MI estimator for the tree's edge weights (as in
        :func:`chow_liu_tree`).  The asymptotic tests always use the plug-in
        MI, for which G has its χ² distribution.
    columns, exclude, discrete, continuous, missing, chunk_size, k
        As in :func:`chow_liu_tree`.
    n_permutations : int, default 1000
        Permutations per edge for the permutation tests.
    seed : int, numpy.random.Generator or None, default 0
        For the permutation tests and the kNN tie noise; the fixed default
        makes the forest reproducible, ``None`` does not.
    progress : bool, default False
        Progress bar over the permutation tests.
    knn_permutations : int, default 200
        Surrogates of each kNN test.

    Returns
    -------
    networkx.DiGraph
        Every column is a node.  Edge attributes: ``mi``, ``weight`` (bits),
        ``statistic`` (G), ``pvalue``, ``dof`` (None for the kNN and
        Gaussian tests).  Graph attributes:
        ``method`` (``"chow-liu-forest"``), ``root``, ``roots`` (one per
        component), ``alpha``, ``test``, ``estimator``, ``n_rows`` and
        ``removed``: the dropped tree edges as ``(u, v, pvalue)`` tuples.

    Warns
    -----
    IDColumnWarning
        As in :func:`chow_liu_tree`.

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
    alpha = _check_alpha(alpha)
    if not isinstance(test, str) or test not in FOREST_TESTS:
        raise InvalidInputError(
            f"test={test!r} is not an option; use one of {', '.join(map(repr, FOREST_TESTS))}."
        )
    seed = _check_common(
        estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    _check_positive_int(n_permutations, "n_permutations")
    _check_bool(progress, "progress")
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
    _check_forest_test(frame, test, knn_permutations)
    state = _mi_state(
        frame, estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    names = state.names
    pairs, attributes = _tree_pairs(state)
    pairs = [(min(i, j), max(i, j)) for i, j in pairs]
    if state.numeric or test == "gaussian":
        tested = _numeric_rows(frame, missing) if state.frame is None else state.frame
        # Tests address columns by label and key their random streams by the labels' sorted
        # order: the labels' ranks stand in for them, safe for any label (NaN included) and
        # sorted the same way.
        ranks = _name_ranks(names)
        results = _tests_by_kind(
            tested.set_axis(ranks, axis=1),
            [(int(ranks[i]), int(ranks[j])) for i, j in pairs],
            test=test,
            alpha=alpha,
            n_permutations=n_permutations,
            knn_permutations=knn_permutations,
            seed=seed,
        )
    elif test in ("auto", "g-test", "g-test-adjusted"):
        results = _g_pvalues(state, pairs)
    else:
        results = _ci_results(
            state,
            [(i, j, ()) for i, j in pairs],
            method="permutation" if test == "knn-permutation" else test,
            alpha=alpha,
            n_permutations=n_permutations,
            estimator="plugin",
            seed=seed,
            progress=progress,
        )
    kept, removed = [], []
    for (i, j), row in zip(pairs, results.itertuples(index=False), strict=True):
        attributes[(i, j)].update(
            statistic=float(row.statistic), pvalue=float(row.pvalue), dof=row.dof
        )
        # An edge is kept only on evidence: a test that carries none (p-value NaN) drops it.
        if row.pvalue <= alpha:
            kept.append((i, j))
        else:
            removed.append((i, j, float(row.pvalue)))
    directed, roots = _orient(kept, len(names), [root_at, *range(len(names))])
    forest = _labelled(directed, names, attributes)
    forest.graph.update(
        method="chow-liu-forest",
        root=names[root_at],
        roots=[names[r] for r in roots],
        alpha=alpha,
        test=test,
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
    class_mi = _symmetrize(_mi_matrix_nats(with_class, estimator))[0, 1:] / _LN2
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
        cmi += (size / n) * _symmetrize(_mi_matrix_nats(counts, estimator))
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
    rows = _numeric_rows(frame.set_axis(range(len(names)), axis=1), missing)
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
    class_mi = [
        mutual_information_auto(rows[c], rows[j], base=2, k=k, seed=seed).value for j in features
    ]
    model = _tan_graph(features, cmi / _LN2, c, class_mi, root_at, names)
    model.graph.update(
        method="tan",
        root=names[root_at],
        class_column=class_column,
        estimator=estimator,
        n_rows=n,
    )
    return model

"""ARACNE: a mutual information network pruned by the data processing inequality.

Margolin et al. (2006): start from every pair of columns whose mutual
information passes a threshold; then, in every triangle (A, B, C) of that
network, the weakest edge is taken to be an indirect interaction and goes
when it is weaker than the other two by more than a tolerance:

* additive (as in R's minet, ``eps``): remove A-B when
  ``I(A;B) < min(I(A;C), I(B;C)) - tolerance``;
* multiplicative (the original ARACNE): remove A-B when
  ``I(A;B) < (1 - tolerance) * min(I(A;C), I(B;C))``.

Every comparison is made on the original MI matrix, never on a partly
pruned network, so the result does not depend on the order of the columns.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from mistruct._validation import check_alpha, check_missing, check_n_permutations, check_seed
from mistruct.exceptions import InvalidInputError
from mistruct.structure._common import (
    DEFAULT_SEED,
    _check_common,
    _door,
    _mi_state,
    _name_ranks,
    uses_numeric_estimator,
)
from mistruct.structure._dask import dask_dispatch, is_dask_collection

__all__ = ["aracne", "permutation_mi_threshold"]

TOLERANCE_TYPES = ("additive", "multiplicative")

#: Elements of the (chunk, p, p) array of triangle minima built at a time.
_TRIANGLE_BLOCK = 2**24

#: Cells of the stack of random tables drawn at a time for the permutation null.
_NULL_BLOCK = 2**22


def _dpi_keep(mi: np.ndarray, present: np.ndarray, tolerance: float, kind: str) -> np.ndarray:
    """Edges of ``present`` that no triangle of ``present`` removes.

    For each pair (a, b), ``best[a, b] = max over c of min(I(a;c), I(b;c))``
    over the c joined to both; the removal conditions are increasing in that
    minimum, so "some triangle removes a-b" is the same as "the best one does".
    """
    p = mi.shape[0]
    weights = np.where(present, mi, -np.inf)
    np.fill_diagonal(weights, -np.inf)  # c = a or c = b never counts
    best = np.full((p, p), -np.inf)
    chunk = max(1, _TRIANGLE_BLOCK // max(p * p, 1))
    for start in range(0, p, chunk):
        rows = weights[start : start + chunk]
        minima = np.minimum(rows[:, None, :], weights[None, :, :])  # (chunk, p, p)
        best[start : start + chunk] = minima.max(axis=2)
    limit = best - tolerance if kind == "additive" else (1.0 - tolerance) * best
    remove = present & np.isfinite(best) & (mi < limit)
    return present & ~remove


def permutation_mi_threshold(
    data,
    *,
    alpha: float = 0.05,
    n_permutations: int = 1000,
    columns=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    seed=DEFAULT_SEED,
) -> float:
    """MI threshold (bits) from a permutation null, as ARACNE's global threshold.

    Draws ``n_permutations`` pairs of distinct columns at random; for each,
    the rows of one column are permuted against the other and the plug-in
    MI of the permuted pair is computed.  Permuting one column keeps both
    margins and draws the joint table uniformly among tables with those
    margins, so the permuted table is drawn directly with
    :func:`scipy.stats.random_table` (Patefield's algorithm) at a cost that
    does not grow with the number of rows.  The threshold is the
    ``1 - alpha`` quantile of these null MIs: a pair of independent columns,
    drawn at random, has MI above it with probability about ``alpha``.

    The null pools pairs of different cardinalities, as the original ARACNE
    does; pairs with many levels have larger null MIs than pairs of binary
    columns.

    Parameters
    ----------
    data : DataFrame or 2-D array
    alpha : float, default 0.05
    n_permutations : int, default 1000
        Number of permuted pairs.
    columns, discrete, continuous, missing
        As in :func:`aracne`; the columns must be discrete.
    seed : int, numpy.random.Generator or None, default 0
        The fixed default makes the threshold reproducible; ``None`` does not.

    Returns
    -------
    float

    See Also
    --------
    aracne : uses it with ``mi_threshold="permutation"``.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> data = sample_network("asia", 500, seed=0).data
    >>> threshold = permutation_mi_threshold(data, n_permutations=200, seed=0)
    >>> 0 < threshold < 0.05
    True
    """
    alpha = check_alpha(alpha)
    check_n_permutations(n_permutations)
    check_missing(missing)
    seed = check_seed(seed)
    frame = _door(data, columns=columns, discrete=discrete, continuous=continuous)
    state = _mi_state(frame, estimator="plugin", missing=missing)
    return _permutation_threshold(state, alpha, n_permutations, seed)


def _permutation_threshold(state, alpha: float, n_permutations: int, seed) -> float:
    from scipy.stats import random_table

    rng = np.random.default_rng(seed)
    p = len(state.names)
    if p < 2:
        return 0.0
    n = state.counts.n_rows
    # Pairs are drawn among the columns in sorted-label order (and visited in that order),
    # so the threshold does not depend on the order of the columns.
    by_rank = np.argsort(_name_ranks(state.names))
    first = rng.integers(0, p, size=n_permutations)
    second = (first + rng.integers(1, p, size=n_permutations)) % p  # never equal to first
    pairs, draws = np.unique(np.stack([first, second], axis=1), axis=0, return_counts=True)
    null = []
    for (a, b), count in zip(pairs, draws, strict=True):
        i, j = by_rank[a], by_rank[b]
        rows = state.counts.marginal(int(i))
        cols = state.counts.marginal(int(j))
        rows, cols = rows[rows > 0], cols[cols > 0]
        count = int(count)
        if len(rows) < 2 or len(cols) < 2:
            null.extend([0.0] * count)
        elif len(rows) * len(cols) > n:
            # A dense table would outgrow the rows: permute the rows instead (memory
            # linear in the rows, whatever the number of levels; same null distribution).
            null.extend(_permuted_mi_bits(state, int(i), int(j), count, rng))
        else:
            sampler = random_table(rows, cols, seed=rng)
            batch = max(1, _NULL_BLOCK // (len(rows) * len(cols)))
            for start in range(0, count, batch):
                size = min(batch, count - start)
                null.extend(_plugin_mi_bits(sampler.rvs(size=size), rows, cols, n))
    return float(np.quantile(np.asarray(null), 1 - alpha))


def _permuted_mi_bits(state, i: int, j: int, count: int, rng) -> list:
    """Plug-in MI (bits) of column i against ``count`` row permutations of column j."""
    x = state.table.codes[:, i].astype(np.int64)
    y = state.table.codes[:, j].astype(np.int64)
    n = len(x)
    n_x = np.bincount(x).astype(float)
    n_y = np.bincount(y).astype(float)
    k_y = int(state.table.cardinalities[j])
    values = []
    for _ in range(count):
        permuted = y[rng.permutation(n)]
        cells, counts = np.unique(x * k_y + permuted, return_counts=True)
        counts = counts.astype(float)
        ratio = counts * n / (n_x[cells // k_y] * n_y[cells % k_y])
        values.append(max(float(np.sum(counts * np.log(ratio))) / n / np.log(2.0), 0.0))
    return values


def _plugin_mi_bits(tables: np.ndarray, rows, cols, n: int) -> np.ndarray:
    """Plug-in MI (bits) of a stack of tables with the given margins."""
    expected = np.outer(rows, cols) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(tables > 0, tables * np.log(tables / expected), 0.0)
    return np.maximum(terms.sum(axis=(1, 2)) / n / np.log(2.0), 0.0)


def aracne(
    data,
    *,
    tolerance: float = 0.0,
    tolerance_type: str = "additive",
    mi_threshold=None,
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "auto",
    columns=None,
    exclude=None,
    discrete=None,
    continuous=None,
    missing: str = "error",
    seed=DEFAULT_SEED,
    chunk_size: int = 4096,
    k: int = 3,
) -> nx.Graph:
    """ARACNE network: MI edges pruned by the data processing inequality.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Continuous columns (see ``discrete``, ``continuous``) take the kNN
        estimators, the others are discrete.  Never modified.
    tolerance : float, default 0.0
        Additive: in bits, ``>= 0``.  Multiplicative: a fraction in ``[0, 1)``
        (the original ARACNE used 0.0 to 0.15).  0 removes the weakest edge
        of every triangle whose three MIs are not tied.
    tolerance_type : {"additive", "multiplicative"}, default "additive"
        See the module documentation.
    mi_threshold : None, float >= 0 or "permutation"
        Candidate edges are the pairs with MI above this many bits.  ``None``:
        every pair with MI > 0.  ``"permutation"``: the threshold of
        :func:`permutation_mi_threshold` (``alpha``, ``n_permutations``,
        ``seed``).  Triangles are formed from candidate edges only, as in the
        original ARACNE.  ``"permutation"`` needs discrete columns.
    alpha : float in (0, 1), default 0.05
        For ``mi_threshold="permutation"`` (checked whatever the threshold).
    n_permutations : int >= 1, default 1000
        For ``mi_threshold="permutation"`` (checked whatever the threshold).
    estimator : str, default "auto"
        MI estimator, as in :func:`~mistruct.structure.chow_liu_tree`: the
        plug-in on discrete columns, kNN estimators with float columns.
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
    seed : int, numpy.random.Generator or None, default 0
        For ``mi_threshold="permutation"`` and the kNN tie noise.  The fixed
        default makes the network reproducible; ``None`` does not.
    chunk_size : int, default 4096
        Rows per counting product.
    k : int, default 3
        Neighbour rank of the kNN estimators.

    Returns
    -------
    networkx.Graph
        Every column is a node.  Edge attributes: ``mi`` and ``weight``
        (bits).  Graph attributes: ``method`` (``"aracne"``), ``tolerance``,
        ``tolerance_type``, ``mi_threshold`` (the number used, bits),
        ``estimator``, ``n_rows``.

    Warns
    -----
    IDColumnWarning
        A column looks like a row identifier
        (:func:`mistruct.data.near_unique_columns`).  Leave it out with
        ``exclude``.

    Notes
    -----
    The triangle test is vectorized: for each pair it takes the maximum over
    third columns of ``min(I(A;C), I(B;C))``, in blocks of rows so memory
    stays bounded for hundreds of columns.

    See Also
    --------
    permutation_mi_threshold : the permutation threshold of the candidate edges.
    chow_liu_tree : the maximum-MI spanning tree.
    learn_skeleton : one entry point for the undirected learners.

    Examples
    --------
    A chain a -> b -> c: the indirect a-c edge is the weakest of the triangle.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 2, 2000)
    >>> b = np.where(rng.random(2000) < 0.1, 1 - a, a)
    >>> c = np.where(rng.random(2000) < 0.1, 1 - b, b)
    >>> sorted(aracne(pd.DataFrame({"a": a, "b": b, "c": c})).edges())
    [('a', 'b'), ('b', 'c')]
    """
    if not isinstance(tolerance_type, str) or tolerance_type not in TOLERANCE_TYPES:
        raise InvalidInputError(
            f"tolerance_type={tolerance_type!r} is not an option; use 'additive' or "
            "'multiplicative'."
        )
    if (
        isinstance(tolerance, (bool, np.bool_))
        or not isinstance(tolerance, (int, float, np.integer, np.floating))
        or not math.isfinite(float(tolerance))
    ):
        raise InvalidInputError(f"tolerance must be a number, got {tolerance!r}.")
    if tolerance < 0 or (tolerance_type == "multiplicative" and tolerance >= 1):
        allowed = ">= 0 (bits)" if tolerance_type == "additive" else "in [0, 1)"
        raise InvalidInputError(
            f"tolerance={tolerance!r} is out of range: a {tolerance_type} tolerance must be "
            f"{allowed}."
        )
    # Every option is checked, used or not: a wrong value is a mistake either way.
    alpha = check_alpha(alpha)
    check_n_permutations(n_permutations)
    if isinstance(mi_threshold, str):
        if mi_threshold != "permutation":
            raise InvalidInputError(
                f"mi_threshold={mi_threshold!r} is not an option; use None, a number of bits "
                "or 'permutation'."
            )
    elif mi_threshold is not None and (
        isinstance(mi_threshold, (bool, np.bool_))
        or not isinstance(mi_threshold, (int, float, np.integer, np.floating))
        or not math.isfinite(float(mi_threshold))
    ):
        raise InvalidInputError(
            f"mi_threshold must be None, a number of bits or 'permutation', got {mi_threshold!r}."
        )
    elif mi_threshold is not None and mi_threshold < 0:
        raise InvalidInputError(
            f"mi_threshold={mi_threshold!r} is negative; MI is never below 0 bits, so give a "
            "threshold >= 0 (None keeps every pair with MI > 0)."
        )
    seed = _check_common(
        estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    if is_dask_collection(data):  # counted distributed (issue 16)
        return dask_dispatch(
            "aracne", data, tolerance=tolerance, tolerance_type=tolerance_type,
            mi_threshold=mi_threshold, estimator=estimator, columns=columns, exclude=exclude,
            discrete=discrete, continuous=continuous, missing=missing, chunk_size=chunk_size,
        )
    frame = _door(
        data,
        columns=columns,
        exclude=exclude,
        discrete=discrete,
        continuous=continuous,
        learner="ARACNE network",
    )
    if mi_threshold == "permutation" and uses_numeric_estimator(frame, estimator):
        raise InvalidInputError(
            "mi_threshold='permutation' draws the null from contingency tables, so it needs "
            "discrete columns and a discrete estimator; with continuous columns give a "
            "threshold in bits, or discretize them first (mistruct.Discretizer)."
        )
    state = _mi_state(
        frame, estimator=estimator, missing=missing, chunk_size=chunk_size, k=k, seed=seed
    )
    mi = state.mi_bits()
    if mi_threshold is None:
        threshold = 0.0
    elif mi_threshold == "permutation":
        threshold = _permutation_threshold(state, alpha, n_permutations, seed)
    else:
        threshold = float(mi_threshold)
    return _aracne_graph(state, mi, threshold, tolerance, tolerance_type)


def _aracne_graph(state, mi, threshold: float, tolerance, tolerance_type: str) -> nx.Graph:
    """The pairs of ``mi`` (bits) above ``threshold`` that survive the DPI pruning, as a graph."""
    present = mi > threshold
    np.fill_diagonal(present, False)
    keep = _dpi_keep(mi, present, float(tolerance), tolerance_type)
    names = state.names
    graph = nx.Graph()
    graph.add_nodes_from(names)
    rows, cols = np.nonzero(np.triu(keep, k=1))
    graph.add_edges_from(
        (names[i], names[j], {"mi": float(mi[i, j]), "weight": float(mi[i, j])})
        for i, j in zip(rows, cols, strict=True)
    )
    graph.graph.update(
        method="aracne",
        tolerance=float(tolerance),
        tolerance_type=tolerance_type,
        mi_threshold=threshold,
        estimator=state.estimator,
        n_rows=state.n_rows,
    )
    return graph

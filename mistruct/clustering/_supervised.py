"""Scores that compare two clusterings of the same samples, from information theory.

Drop-in replacements for the clustering scores of ``sklearn.metrics``: same
names, arguments, defaults and numbers (mutual information in nats), with
labels of any hashable type and the exact expected mutual information
computed over the distinct cluster sizes only, so the adjusted mutual
information stays fast with thousands of clusters. Where scikit-learn returns
an arbitrary number (AMI with ``average_method="min"`` when one labelling is
all singletons) these functions return the chance-level value 0; see
``docs/clustering.md`` for every edge case.
"""

import math
import numbers
import sys
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mistruct.clustering._expected_mi import expected_mutual_info_from_sums
from mistruct.exceptions import InvalidInputError, MissingValuesError

__all__ = [
    "adjusted_mutual_info_score",
    "clustering_entropy",
    "completeness_score",
    "contingency_matrix",
    "expected_mutual_information",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "v_measure_score",
    "variation_of_information",
]

_AVERAGE_METHODS = ("min", "geometric", "arithmetic", "max")
# Integer labels spanning at most this many values (or n, if larger) are used
# as codes directly, which skips hashing every label.
_MIN_DIRECT_RANGE = 1 << 16
# A dense joint histogram is used while it holds at most this many cells per
# sample (or 2^16 cells); past that, sorting the occupied cells is faster.
_DENSE_CELLS_PER_SAMPLE = 4


# ---------------------------------------------------------------------------
# Input validation and counting
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Codes:
    """A labelling as integer codes in ``range(n_bins)``; some bins may be empty.

    ``uniques`` holds the label of each bin, or is None when the bins are
    consecutive integers starting at the smallest label.
    """

    codes: np.ndarray
    n_bins: int
    uniques: object


def _check_labels(labels, name):
    """Validate one labelling and encode it as integer codes.

    Raises
    ------
    InvalidInputError
        If the labels are not 1-D, are empty, are not hashable or contain +-inf
        ("contains infinity", as scikit-learn says).
    MissingValuesError
        If a label is NaN or None.
    """
    values = _as_1d(labels, name)
    if len(values) == 0:
        raise InvalidInputError(f"{name} is empty; clustering scores need at least one sample.")
    if isinstance(values, np.ndarray) and values.dtype.kind in "biu":
        codes = _integer_codes(values)
        if codes is not None:
            return codes
    try:
        codes, uniques = pd.factorize(values)
    except TypeError as exc:
        raise InvalidInputError(
            f"{name} must hold hashable labels (numbers, strings, ...): {exc}."
        ) from exc
    missing = np.flatnonzero(codes < 0)
    if missing.size:
        # "contains NaN" is scikit-learn's phrase; scripts match on it.
        raise MissingValuesError(
            f"{name} contains NaN: {missing.size} missing value(s) (NaN or None), the first "
            f"at position {missing[0]}; drop those samples from both labellings, or give "
            "them a label of their own."
        )
    infinite = [u for u in np.asarray(uniques, dtype=object) if _is_infinite(u)]
    if infinite:
        first = int(np.flatnonzero(np.isin(codes, [list(uniques).index(u) for u in infinite]))[0])
        raise InvalidInputError(
            f"{name} contains infinity ({infinite[0]!r} at position {first}); an infinite "
            "label is almost always a numeric error upstream: fix or drop those samples, or "
            "give them a string label."
        )
    return _Codes(codes.astype(np.int64, copy=False), len(uniques), uniques)


def _is_infinite(label) -> bool:
    """Whether a label is a real number that is +inf or -inf (floats of any kind)."""
    if isinstance(label, bool | str | bytes) or not isinstance(label, numbers.Real):
        return False
    try:
        return math.isinf(float(label))
    except (TypeError, ValueError, OverflowError):
        return False


def _as_1d(labels, name):
    """The labels as a 1-D array (or pandas 1-D object), without copying when possible."""
    if isinstance(labels, pd.Series | pd.Index):
        # NumPy-backed columns go on as arrays (fast paths); others as pandas arrays.
        return labels.to_numpy() if isinstance(labels.dtype, np.dtype) else labels.array
    if isinstance(labels, pd.api.extensions.ExtensionArray):
        return labels
    try:
        values = np.asarray(labels)
    except ValueError as exc:  # ragged nested sequences
        raise InvalidInputError(
            f"{name} must be a 1-D sequence with one label per sample; got a nested "
            "sequence of unequal lengths."
        ) from exc
    if values.ndim != 1:
        raise InvalidInputError(
            f"{name} must be 1-D with one label per sample; got shape {values.shape}. "
            "Pass a single column, e.g. df['cluster'] or array[:, 0]."
        )
    if (
        values.dtype.kind in "SU"
        and not isinstance(labels, np.ndarray)
        and not all(isinstance(label, str | bytes) for label in labels)
    ):
        # NumPy turns [1, "1"] into ["1", "1"], merging two different labels.
        values = np.array(labels, dtype=object)
    return values


def _integer_codes(values):
    """Codes ``label - min`` for integer labels of a small range, else None."""
    lowest, highest = int(values.min()), int(values.max())
    n_bins = highest - lowest + 1
    if n_bins > max(values.size, _MIN_DIRECT_RANGE):
        return None
    if values.dtype.kind == "u":  # subtract before widening: uint64 may not fit int64
        codes = (values - values.dtype.type(lowest)).astype(np.int64)
    else:
        # int64 labels from 0 are their own codes: no copy (codes are never written to).
        codes = values.astype(np.int64, copy=False)
        if lowest:
            codes = codes - lowest
    return _Codes(codes, n_bins, None)


def _check_clusterings(labels_true, labels_pred):
    """Validate two labellings of the same samples; return their codes."""
    true = _check_labels(labels_true, "labels_true")
    pred = _check_labels(labels_pred, "labels_pred")
    if true.codes.size != pred.codes.size:
        raise InvalidInputError(
            f"labels_true and labels_pred must label the same samples; got "
            f"{true.codes.size} and {pred.codes.size} labels."
        )
    return true, pred


def _check_average_method(average_method):
    if average_method not in _AVERAGE_METHODS:
        raise InvalidInputError(
            f"average_method must be one of {', '.join(map(repr, _AVERAGE_METHODS))}; "
            f"got {average_method!r}."
        )


def _check_beta(beta):
    if not isinstance(beta, numbers.Real) or not 0 <= beta < math.inf:
        raise InvalidInputError(f"beta must be a finite number >= 0; got {beta!r}.")


@dataclass(frozen=True)
class _Table:
    """The non-empty cells and margins of a contingency table, and its total."""

    n: float
    rows: np.ndarray
    cols: np.ndarray
    cells: np.ndarray

    # sum(c log c) of each part, computed once: every score is made of these.
    @cached_property
    def rows_xlogx(self):
        return _xlogx(self.rows)

    @cached_property
    def cols_xlogx(self):
        return _xlogx(self.cols)

    @cached_property
    def cells_xlogx(self):
        return _xlogx(self.cells)

    @property
    def entropy_rows(self):
        return _entropy(self.rows.size, self.rows_xlogx, self.n)

    @property
    def entropy_cols(self):
        return _entropy(self.cols.size, self.cols_xlogx, self.n)

    @property
    def entropy_joint(self):
        return _entropy(self.cells.size, self.cells_xlogx, self.n)

    @property
    def mutual_info(self):
        if self.rows.size < 2 or self.cols.size < 2:
            return 0.0
        excess = self.cells_xlogx - self.rows_xlogx - self.cols_xlogx
        return max(math.log(self.n) + excess / self.n, 0.0)


def _xlogx(counts):
    """``sum(c * log(c))`` over positive counts."""
    return float(np.dot(counts, np.log(counts)))


def _entropy(k, xlogx, n):
    """Shannon entropy (nats) of ``k`` positive counts summing to ``n``, from ``sum(c log c)``."""
    if k < 2:
        return 0.0
    return math.log(n) - xlogx / n


def _nonzero_bincount(codes, n_bins):
    counts = np.bincount(codes, minlength=n_bins)
    return counts[counts > 0]


def _table(true, pred):
    """Count the contingency table of two encoded labellings."""
    n = true.codes.size
    joint = true.codes * pred.n_bins
    joint += pred.codes
    n_cells = true.n_bins * pred.n_bins
    if n_cells <= max(_DENSE_CELLS_PER_SAMPLE * n, 1 << 16):
        cells = _nonzero_bincount(joint, n_cells)
    else:  # too many cells for a dense histogram: count only the ones that occur
        cells = np.unique(joint, return_counts=True)[1]
    return _Table(
        n=n,
        rows=_nonzero_bincount(true.codes, true.n_bins),
        cols=_nonzero_bincount(pred.codes, pred.n_bins),
        cells=cells,
    )


def _table_from_contingency(contingency):
    """Validate a user's contingency table (dense or sparse) and summarise it."""
    if sp.issparse(contingency):
        matrix = sp.csr_matrix(contingency, dtype=np.float64, copy=True)
        matrix.sum_duplicates()
        entries = matrix.data
        shape = matrix.shape
    else:
        try:
            matrix = np.asarray(contingency, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                "contingency must be a 2-D table of counts (array or sparse matrix)."
            ) from exc
        entries = matrix.ravel()
        shape = matrix.shape
    if len(shape) != 2:
        raise InvalidInputError(f"contingency must be 2-D; got shape {shape}.")
    if not np.all(np.isfinite(entries)) or np.any(entries < 0):
        raise InvalidInputError("contingency must hold finite counts >= 0.")
    rows = np.asarray(matrix.sum(axis=1)).ravel()
    cols = np.asarray(matrix.sum(axis=0)).ravel()
    n = float(rows.sum())
    if n <= 0:
        raise InvalidInputError("contingency is empty (all counts are 0); it needs a sample.")
    return _Table(n=n, rows=rows[rows > 0], cols=cols[cols > 0], cells=entries[entries > 0])


def _generalized_mean(u, v, average_method):
    if average_method == "min":
        return min(u, v)
    if average_method == "max":
        return max(u, v)
    if average_method == "geometric":
        return math.sqrt(u * v)
    return (u + v) / 2.0


def _sorted_codes(labels):
    """Codes ``0..k-1`` of the labels present, in sorted label order.

    Labels that do not compare with each other (e.g. numbers mixed with
    strings) keep the order of their first appearance.
    """
    if labels.uniques is None:  # integer bins are in label order; drop the empty ones
        present = np.bincount(labels.codes, minlength=labels.n_bins) > 0
        rank = np.cumsum(present) - 1
        return rank[labels.codes], int(present.sum())
    try:
        order = np.argsort(np.asarray(labels.uniques), kind="stable")
    except TypeError:
        return labels.codes, labels.n_bins
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[labels.codes], labels.n_bins


# ---------------------------------------------------------------------------
# Public scores
# ---------------------------------------------------------------------------


def contingency_matrix(labels_true, labels_pred, *, eps=None, sparse=False, dtype=np.int64):
    """Count how many samples each pair of (true class, predicted cluster) holds.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth class of each sample: any hashable labels (numbers,
        strings, mixed objects, a pandas Categorical or Series).
    labels_pred : array-like of shape (n_samples,)
        Cluster of each sample, same kinds of labels.
    eps : float, optional
        Added to every cell of a dense table (e.g. to avoid log(0)); the
        result is then of float dtype.
    sparse : bool, default False
        Return a ``scipy.sparse.csr_matrix`` instead of a dense array.
    dtype : numpy dtype, default np.int64
        Type of the counts.

    Returns
    -------
    ndarray or scipy.sparse.csr_matrix of shape (n_classes, n_clusters)
        Row ``i``, column ``j`` counts the samples of the ``i``-th class and the
        ``j``-th cluster, classes and clusters in sorted order (in order of
        first appearance when the labels cannot be sorted, e.g. numbers mixed
        with strings).

    Raises
    ------
    InvalidInputError
        For labels that are not 1-D, empty, of different lengths, or hold
        NaN/None; or when ``eps`` is given with ``sparse=True``.

    See Also
    --------
    mistruct.counting.contingency_table : the same counts, for any two columns.

    Examples
    --------
    >>> from mistruct.clustering import contingency_matrix
    >>> contingency_matrix(["a", "a", "b", "b"], [0, 1, 1, 1])
    array([[1, 1],
           [0, 2]])
    """
    if eps is not None and sparse:
        raise InvalidInputError(
            "eps cannot be added to a sparse contingency matrix; pass sparse=False or eps=None."
        )
    true, pred = _check_clusterings(labels_true, labels_pred)
    rows, n_rows = _sorted_codes(true)
    cols, n_cols = _sorted_codes(pred)
    joint = rows * n_cols + cols
    if sparse:
        cells, counts = np.unique(joint, return_counts=True)
        return sp.csr_matrix(
            (counts.astype(dtype), (cells // n_cols, cells % n_cols)),
            shape=(n_rows, n_cols),
            dtype=dtype,
        )
    table = np.bincount(joint, minlength=n_rows * n_cols).reshape(n_rows, n_cols)
    table = table.astype(dtype, copy=False)
    return table if eps is None else table + eps


def mutual_info_score(labels_true, labels_pred, *, contingency=None):
    """Mutual information (nats) between two clusterings of the same samples.

    ``MI(U, V) = sum_ij (n_ij / n) log(n n_ij / (a_i b_j))`` with ``n_ij``
    the contingency table and ``a_i``, ``b_j`` its row and column sums. It is
    symmetric, 0 for independent labellings, and not adjusted for chance: see
    :func:`adjusted_mutual_info_score`.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
        The two labellings (any hashable labels). Ignored when
        ``contingency`` is given.
    contingency : array-like or sparse matrix of shape (n_classes, n_clusters), optional
        A contingency table to use instead of the labels. Its entries are
        taken as they are (scikit-learn truncates non-integer entries to
        integers).

    Returns
    -------
    float
        The mutual information in nats, >= 0.

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`) or a contingency
        table that is not 2-D, has negative or non-finite entries, or sums to 0.

    See Also
    --------
    normalized_mutual_info_score : scaled to [0, 1].
    adjusted_mutual_info_score : corrected for chance.
    mistruct.measures.mutual_information : in bits, with any estimator.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, chapter 2.

    Examples
    --------
    >>> from mistruct.clustering import mutual_info_score
    >>> round(mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), 6)  # log(2)
    0.693147
    >>> round(mutual_info_score(None, None, contingency=[[2, 0], [0, 2]]), 6)
    0.693147
    """
    if contingency is None:
        table = _table(*_check_clusterings(labels_true, labels_pred))
    else:
        table = _table_from_contingency(contingency)
    return table.mutual_info


def clustering_entropy(labels):
    """Shannon entropy (nats) of a labelling: ``-sum_k p_k log p_k`` over its clusters.

    This is ``sklearn.metrics.cluster.entropy``, named apart from the
    information-theory entropy of mistruct. Unlike scikit-learn, which
    returns 1.0 for no labels, empty input is an error.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Any hashable labels.

    Returns
    -------
    float
        The entropy in nats; 0 for a single cluster, ``log(n)`` for ``n``
        singletons.

    Raises
    ------
    InvalidInputError
        If the labels are not 1-D, are empty or hold NaN/None.

    See Also
    --------
    variation_of_information : uses it.

    Examples
    --------
    >>> from mistruct.clustering import clustering_entropy
    >>> round(clustering_entropy(["x", "x", "y", "y"]), 6)  # log(2)
    0.693147
    """
    labels = _check_labels(labels, "labels")
    counts = _nonzero_bincount(labels.codes, labels.n_bins)
    return _entropy(counts.size, _xlogx(counts), labels.codes.size)


def normalized_mutual_info_score(labels_true, labels_pred, *, average_method="arithmetic"):
    """Mutual information scaled to [0, 1] by a mean of the two entropies.

    ``NMI = MI(U, V) / mean(H(U), H(V))``, where the mean is chosen by
    ``average_method``. It is 1 when the labellings are the same partition
    (whatever the label names) and is not adjusted for chance: random
    labellings with many clusters score well above 0.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
        The two labellings (any hashable labels).
    average_method : {"min", "geometric", "arithmetic", "max"}, default "arithmetic"
        How to average ``H(U)`` and ``H(V)`` in the denominator.

    Returns
    -------
    float
        The score in [0, 1]. As in scikit-learn, 1 when both labellings put
        every sample in a single cluster (n = 1 included), 0 when exactly one
        does (MI is 0).

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`) or an unknown
        ``average_method``.

    See Also
    --------
    adjusted_mutual_info_score : corrected for chance.
    mutual_info_score : unnormalised, in nats.

    References
    ----------
    .. [1] A. Strehl and J. Ghosh, "Cluster ensembles -- a knowledge reuse
       framework for combining multiple partitions", JMLR 3:583-617, 2002.
    .. [2] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures
       for clusterings comparison: variants, properties, normalization and
       correction for chance", JMLR 11:2837-2854, 2010.

    Examples
    --------
    >>> from mistruct.clustering import normalized_mutual_info_score
    >>> normalized_mutual_info_score(["a", "a", "b", "b"], [1, 1, 0, 0])
    1.0
    >>> round(normalized_mutual_info_score([0, 0, 1, 1], [0, 0, 0, 1], average_method="max"), 6)
    0.311278
    """
    _check_average_method(average_method)
    table = _table(*_check_clusterings(labels_true, labels_pred))
    if table.rows.size == table.cols.size == 1:
        return 1.0
    mi = table.mutual_info
    if mi == 0.0:
        return 0.0
    normalizer = _generalized_mean(table.entropy_rows, table.entropy_cols, average_method)
    # MI <= min(H(U), H(V)) <= any of the means; clip the last-bit rounding excess.
    return min(mi / normalizer, 1.0)


def expected_mutual_information(contingency, n_samples):
    """Exact expected mutual information (nats) of two labellings with given cluster sizes.

    The expectation is over the permutation (hypergeometric) model: both
    labellings keep their cluster sizes (the row and column sums of
    ``contingency``) and the samples are paired at random (Vinh, Epps &
    Bailey 2010). It depends on the sizes only, so the sum runs over the
    distinct row sums times the distinct column sums, and for each pair over
    the overlaps that carry all but ``2e-26`` of their probability.

    Parameters
    ----------
    contingency : array-like or sparse matrix of shape (n_classes, n_clusters)
        Contingency table of counts (e.g. from :func:`contingency_matrix`);
        only its row and column sums matter. Empty rows and columns are ignored.
    n_samples : int
        Number of samples; must equal the sum of the table.

    Returns
    -------
    float
        The expected mutual information; 0 when either labelling has a single
        cluster.

    Raises
    ------
    InvalidInputError
        If the table is not a 2-D table of non-negative integer counts, or
        ``n_samples`` is not its sum.

    See Also
    --------
    adjusted_mutual_info_score : uses it.

    References
    ----------
    .. [1] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures
       for clusterings comparison: is a correction for chance necessary?",
       ICML 2009.
    .. [2] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures
       for clusterings comparison: variants, properties, normalization and
       correction for chance", JMLR 11:2837-2854, 2010.

    Examples
    --------
    >>> from mistruct.clustering import contingency_matrix, expected_mutual_information
    >>> a = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]
    >>> b = [1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 3, 1, 3, 3, 3, 2, 2]
    >>> round(expected_mutual_information(contingency_matrix(a, b), len(a)), 10)
    0.1504248026
    """
    table = _table_from_contingency(contingency)
    if np.any(table.rows % 1) or np.any(table.cols % 1):
        raise InvalidInputError(
            "contingency must hold integer counts to define the expected mutual information."
        )
    if n_samples != table.n:
        raise InvalidInputError(
            f"n_samples must be the number of samples counted in contingency ({table.n:.0f}); "
            f"got {n_samples}."
        )
    if table.rows.size < 2 or table.cols.size < 2:
        return 0.0
    return expected_mutual_info_from_sums(
        table.rows.astype(np.int64), table.cols.astype(np.int64), int(table.n)
    )


def adjusted_mutual_info_score(labels_true, labels_pred, *, average_method="arithmetic"):
    """Mutual information adjusted for chance: 0 on average for random labellings, 1 at best.

    ``AMI = (MI - E[MI]) / (mean(H(U), H(V)) - E[MI])``, with the exact
    expected mutual information of :func:`expected_mutual_information`.

    When one labelling is trivial -- a single cluster, or every sample in a
    cluster of its own -- every pairing of the samples gives the same MI, so
    MI equals its expectation and no agreement beyond chance is possible.
    The score is then 1 if the two labellings are the same partition (both a
    single cluster, n = 1 included, or both all singletons) and 0 otherwise.
    This agrees with scikit-learn except for ``average_method="min"`` with
    all singletons on one side only, where scikit-learn divides 0 by 0 and
    returns arbitrary values (0.4, 2.0, 0.6 for n = 6, 7, 8).

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
        The two labellings (any hashable labels).
    average_method : {"min", "geometric", "arithmetic", "max"}, default "arithmetic"
        How to average ``H(U)`` and ``H(V)`` in the denominator.

    Returns
    -------
    float
        The score: 1 for the same partition, about 0 (possibly negative) for
        labellings that agree no more than chance.

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`) or an unknown
        ``average_method``.

    See Also
    --------
    normalized_mutual_info_score : not corrected for chance.
    expected_mutual_information : the chance term.

    References
    ----------
    .. [1] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures
       for clusterings comparison: variants, properties, normalization and
       correction for chance", JMLR 11:2837-2854, 2010.

    Examples
    --------
    >>> from mistruct.clustering import adjusted_mutual_info_score
    >>> a = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]
    >>> b = [1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 3, 1, 3, 3, 3, 2, 2]
    >>> round(adjusted_mutual_info_score(a, b), 10)
    0.2782096466
    >>> adjusted_mutual_info_score([0, 1, 2, 3], [0, 0, 1, 1])  # singletons: chance level
    0.0
    """
    _check_average_method(average_method)
    table = _table(*_check_clusterings(labels_true, labels_pred))
    n, k_true, k_pred = table.n, table.rows.size, table.cols.size
    if k_true in (1, n) or k_pred in (1, n):
        return 1.0 if k_true == k_pred else 0.0
    mi = table.mutual_info
    emi = expected_mutual_info_from_sums(table.rows, table.cols, n)
    normalizer = _generalized_mean(table.entropy_rows, table.entropy_cols, average_method)
    # The normalizer exceeds E[MI] for non-trivial labellings; keep rounding
    # from making the denominator 0, preserving its sign (as scikit-learn does).
    denominator = normalizer - emi
    tiny = sys.float_info.epsilon
    denominator = min(denominator, -tiny) if denominator < 0 else max(denominator, tiny)
    return (mi - emi) / denominator


def homogeneity_completeness_v_measure(labels_true, labels_pred, *, beta=1.0):
    """Homogeneity, completeness and V-measure of a clustering, computed at once.

    Homogeneity ``1 - H(C|K) / H(C)`` is 1 when each cluster holds one class
    only; completeness ``1 - H(K|C) / H(K)`` is 1 when each class falls in
    one cluster; the V-measure is their weighted harmonic mean
    ``(1 + beta) h c / (beta h + c)``. With ``H(C) = 0`` (a single class)
    homogeneity is 1, with ``H(K) = 0`` completeness is 1, and the V-measure
    is 0 when both scores are 0 -- as in scikit-learn.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes (any hashable labels).
    labels_pred : array-like of shape (n_samples,)
        Clusters to evaluate.
    beta : float, default 1.0
        Weight of homogeneity against completeness in the V-measure
        (beta > 1 weighs completeness more).

    Returns
    -------
    homogeneity, completeness, v_measure : float
        Each in [0, 1].

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`) or a negative ``beta``.

    See Also
    --------
    homogeneity_score, completeness_score, v_measure_score : one of the three.

    References
    ----------
    .. [1] A. Rosenberg and J. Hirschberg, "V-Measure: a conditional
       entropy-based external cluster evaluation measure", EMNLP-CoNLL 2007.

    Examples
    --------
    >>> from mistruct.clustering import homogeneity_completeness_v_measure
    >>> tuple(round(v, 6) for v in homogeneity_completeness_v_measure([0, 0, 1, 1], [0, 1, 2, 3]))
    (1.0, 0.5, 0.666667)
    """
    _check_beta(beta)
    table = _table(*_check_clusterings(labels_true, labels_pred))
    mi = table.mutual_info
    h_true, h_pred = table.entropy_rows, table.entropy_cols
    # MI <= each entropy; clip the last-bit rounding excess.
    homogeneity = min(mi / h_true, 1.0) if h_true else 1.0
    completeness = min(mi / h_pred, 1.0) if h_pred else 1.0
    if homogeneity + completeness == 0.0:
        return homogeneity, completeness, 0.0
    v_measure = (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    return homogeneity, completeness, v_measure


def homogeneity_score(labels_true, labels_pred):
    """Homogeneity: 1 when every cluster holds samples of a single class.

    ``1 - H(C|K) / H(C)``, 1 when there is a single class. Not symmetric:
    swapping the arguments gives :func:`completeness_score`.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes (any hashable labels).
    labels_pred : array-like of shape (n_samples,)
        Clusters to evaluate.

    Returns
    -------
    float
        The score in [0, 1].

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`).

    See Also
    --------
    homogeneity_completeness_v_measure : the three at once.

    References
    ----------
    .. [1] A. Rosenberg and J. Hirschberg, "V-Measure: a conditional
       entropy-based external cluster evaluation measure", EMNLP-CoNLL 2007.

    Examples
    --------
    >>> from mistruct.clustering import homogeneity_score
    >>> homogeneity_score([0, 0, 1, 1], [0, 1, 2, 3])  # splitting classes is fine
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[0]


def completeness_score(labels_true, labels_pred):
    """Completeness: 1 when all samples of each class fall in the same cluster.

    ``1 - H(K|C) / H(K)``, 1 when there is a single cluster. Not symmetric:
    swapping the arguments gives :func:`homogeneity_score`.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes (any hashable labels).
    labels_pred : array-like of shape (n_samples,)
        Clusters to evaluate.

    Returns
    -------
    float
        The score in [0, 1].

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`).

    See Also
    --------
    homogeneity_completeness_v_measure : the three at once.

    References
    ----------
    .. [1] A. Rosenberg and J. Hirschberg, "V-Measure: a conditional
       entropy-based external cluster evaluation measure", EMNLP-CoNLL 2007.

    Examples
    --------
    >>> from mistruct.clustering import completeness_score
    >>> completeness_score([0, 0, 1, 1], [0, 0, 0, 0])  # merging classes is fine
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[1]


def v_measure_score(labels_true, labels_pred, *, beta=1.0):
    """V-measure: weighted harmonic mean of homogeneity and completeness.

    With ``beta=1`` it equals :func:`normalized_mutual_info_score` with
    ``average_method="arithmetic"``.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes (any hashable labels).
    labels_pred : array-like of shape (n_samples,)
        Clusters to evaluate.
    beta : float, default 1.0
        Weight of homogeneity against completeness (beta > 1 weighs
        completeness more).

    Returns
    -------
    float
        The score in [0, 1].

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`) or a negative ``beta``.

    See Also
    --------
    homogeneity_completeness_v_measure : the three at once.

    References
    ----------
    .. [1] A. Rosenberg and J. Hirschberg, "V-Measure: a conditional
       entropy-based external cluster evaluation measure", EMNLP-CoNLL 2007.

    Examples
    --------
    >>> from mistruct.clustering import v_measure_score
    >>> v_measure_score([0, 0, 1, 1], [0, 0, 1, 2])
    0.8
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred, beta=beta)[2]


def variation_of_information(labels_true, labels_pred, *, normalized=False):
    """Variation of information (nats): a distance between two partitions.

    ``VI(U, V) = H(U|V) + H(V|U) = H(U) + H(V) - 2 MI(U, V)`` (Meila 2007),
    a metric on partitions: 0 exactly for the same partition, at most
    ``log(n)``. With ``normalized=True`` it is divided by the joint entropy,
    ``VI / H(U, V) = 1 - MI / H(U, V)`` (Vinh, Epps & Bailey's ``D_joint``),
    which is still a metric and lies in [0, 1]; it is 0 when both labellings
    are a single cluster (then ``H(U, V) = 0`` and the partitions agree).

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
        The two labellings (any hashable labels); VI is symmetric.
    normalized : bool, default False
        Divide by the joint entropy ``H(U, V)``.

    Returns
    -------
    float
        The distance, >= 0 (<= 1 when normalized).

    Raises
    ------
    InvalidInputError
        For invalid labels (see :func:`contingency_matrix`).

    See Also
    --------
    mutual_info_score : the shared part.
    clustering_entropy : the entropy of one labelling.

    References
    ----------
    .. [1] M. Meila, "Comparing clusterings -- an information based
       distance", Journal of Multivariate Analysis 98(5):873-895, 2007.
    .. [2] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures
       for clusterings comparison: variants, properties, normalization and
       correction for chance", JMLR 11:2837-2854, 2010.

    Examples
    --------
    >>> from mistruct.clustering import variation_of_information
    >>> round(variation_of_information([0, 0, 1, 1], [0, 0, 0, 0]), 6)  # log(2)
    0.693147
    >>> variation_of_information([0, 0, 1, 1], [0, 1, 0, 1], normalized=True)
    1.0
    """
    table = _table(*_check_clusterings(labels_true, labels_pred))
    # 2 H(U,V) - H(U) - H(V), with the log(n) terms cancelled exactly.
    vi = (table.rows_xlogx + table.cols_xlogx - 2.0 * table.cells_xlogx) / table.n
    vi = max(vi, 0.0)
    if not normalized:
        return vi
    joint_entropy = table.entropy_joint
    return min(vi / joint_entropy, 1.0) if joint_entropy else 0.0

"""Counting kernels: the only layer that reads every row.

Everything above this module works on count tables.  Three kernels:

* :func:`joint_codes` folds several discrete columns into one code per row
  (mixed radix, compacted to the observed combinations when the product of
  cardinalities outgrows the number of rows);
* :func:`contingency_table` and :func:`stratified_tables` count (x, y) and
  (stratum, x, y) with one ``bincount``;
* :func:`pairwise_counts` builds every pairwise contingency table at once
  from one matrix product of one-hot blocks, ``O.T @ O``, in row chunks so
  memory stays bounded whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from mistruct._validation import check_int
from mistruct.exceptions import InvalidInputError, StateSpaceTooLargeError

__all__ = [
    "JointCodes",
    "PairwiseCounts",
    "combine",
    "contingency_table",
    "joint_codes",
    "pairwise_counts",
    "stratified_tables",
]

_INTEGER_KINDS = "biu"

#: Largest dense count table (cells) built before giving up with an error.
MAX_DENSE_CELLS = 2**27

#: Largest sum of cardinalities for which the all-pairs matrix is dense.
MAX_DENSE_LEVELS = 4096

#: float32 adds integers exactly up to 2**24, so a chunk may not exceed that.
_MAX_FLOAT32_CHUNK = 2**24


def check_chunk_size(chunk_size) -> int:
    """``chunk_size`` as an int if it is a positive integer, else a clear error.

    Parameters
    ----------
    chunk_size : int
        Rows per counting product, as the counting functions take it.
    """
    return check_int(chunk_size, "chunk_size", hint="(rows per counting product)")


def _check_cardinalities(cardinalities, n_columns: int, what: str) -> np.ndarray:
    try:
        cards = np.asarray(cardinalities)
    except (TypeError, ValueError):
        cards = np.asarray([], dtype=object)
    if cards.ndim == 0:
        cards = cards.reshape(1)
    if cards.size == 0:
        cards = cards.astype(np.int64)
    if cards.ndim != 1 or cards.dtype.kind not in _INTEGER_KINDS or cards.dtype.kind == "b":
        raise InvalidInputError(
            f"{what}: cardinalities must be a sequence of non-negative integers, "
            f"got {cardinalities!r}."
        )
    if len(cards) != n_columns:
        raise InvalidInputError(
            f"{what}: {len(cards)} cardinalities for {n_columns} code column(s); "
            "give one cardinality per column."
        )
    if len(cards) and cards.min() < 0:
        raise InvalidInputError(
            f"{what}: cardinalities must be >= 0, got {cards.tolist()}."
        )
    return cards.astype(np.int64)


def _check_codes(codes, cardinalities, what: str, *, ndim=(1, 2)):
    """``codes`` (2-D) and ``cardinalities`` after checking every code is in range.

    Out-of-range codes would land in another column's or level's cell of a
    count array without any error, so they are refused here.
    """
    codes = np.asarray(codes)
    if codes.ndim not in ndim:
        raise InvalidInputError(
            f"{what}: codes must be a {' or '.join(f'{d}-D' for d in ndim)} array of integers, "
            f"got {codes.ndim} dimension(s)."
        )
    if codes.size == 0:
        codes = codes.astype(np.int64)  # np.asarray([]) is float; no code to check
    if codes.dtype.kind not in _INTEGER_KINDS:
        raise InvalidInputError(
            f"{what}: codes must be integers (0 .. cardinality - 1), got dtype {codes.dtype}; "
            "encode the data first (mistruct.data.encode)."
        )
    if codes.ndim == 1:
        codes = codes[:, None]
    if codes.dtype.kind == "b":
        codes = codes.astype(np.int8)
    cards = _check_cardinalities(cardinalities, codes.shape[1], what)
    if codes.shape[0] and codes.shape[1]:
        low, high = codes.min(axis=0), codes.max(axis=0)
        bad = np.flatnonzero((low < 0) | (high >= cards))
        if len(bad):
            j = int(bad[0])
            raise InvalidInputError(
                f"{what}: column {j} has codes from {int(low[j])} to {int(high[j])}, outside "
                f"0 .. {int(cards[j]) - 1} (cardinality {int(cards[j])}); codes must lie in "
                "0 .. cardinality - 1."
            )
    return codes, cards


def _check_code_vector(values, states, name: str, what: str) -> np.ndarray:
    if isinstance(states, (bool, np.bool_)) or not isinstance(states, (int, np.integer)):
        raise InvalidInputError(
            f"{what}: {name}_states must be a non-negative integer, got {states!r}."
        )
    codes, _ = _check_codes(values, [int(states)], f"{what} ({name})", ndim=(1,))
    return codes[:, 0].astype(np.int64, copy=False)


@dataclass(frozen=True)
class JointCodes:
    """One code per row for a joint variable.

    Attributes
    ----------
    codes : ndarray of int64, shape (n_rows,)
        Codes ``0 .. n_states - 1``.
    n_states : int
        Number of codes in use: the product of the cardinalities, or the
        number of observed combinations once compacted.
    n_possible : int
        Product of the cardinalities (a Python int: it may be huge).  This is
        the size of the full state space, which estimators such as James-Stein
        shrinkage and degrees of freedom refer to.

    See Also
    --------
    joint_codes : returns it.
    """

    codes: np.ndarray
    n_states: int
    n_possible: int


def joint_codes(codes, cardinalities) -> JointCodes:
    """Fold the columns of ``codes`` into one code per row.

    Columns combine in mixed radix (``code = c0 * k1 + c1`` ...).  When the
    running product of cardinalities would exceed the number of rows (so a
    count array indexed by it would be mostly empty) or 2**62, the codes are
    compacted to the observed combinations with ``np.unique``, so ``n_states``
    never exceeds ``max(n_rows, product)`` and never overflows.

    Parameters
    ----------
    codes : array of shape (n_rows, n_columns) or (n_rows,)
        Integer codes, column ``j`` in ``0 .. cardinalities[j] - 1``.
    cardinalities : sequence of int

    See Also
    --------
    combine : join several joint codes.

    Examples
    --------
    >>> joint = joint_codes(np.array([[0, 1], [1, 2], [1, 0]]), [2, 3])
    >>> joint.codes.tolist(), joint.n_states, joint.n_possible
    ([1, 5, 3], 6, 6)
    """
    codes, cards = _check_codes(codes, cardinalities, "joint_codes")
    cardinalities = [int(k) for k in cards]
    n_rows = codes.shape[0]
    n_possible = int(np.prod([max(k, 1) for k in cardinalities], dtype=object))
    if codes.shape[1] == 0:
        return JointCodes(np.zeros(n_rows, dtype=np.int64), 1, 1)
    folded = codes[:, 0].astype(np.int64)
    n_states = max(cardinalities[0], 1)
    # Count arrays up to this length are cheap; past it, keep only observed combinations.
    limit = max(n_rows, 2**20)
    for j in range(1, codes.shape[1]):
        k = max(cardinalities[j], 1)
        if n_states * k > limit:
            folded, n_states = _compact(folded)
        folded = folded * k + codes[:, j]
        n_states *= k
    if n_states > limit:
        folded, n_states = _compact(folded)
    return JointCodes(folded, int(n_states), n_possible)


def combine(*joints: JointCodes) -> JointCodes:
    """The joint variable of several already-folded variables.

    Parameters
    ----------
    *joints : JointCodes
        The variables to combine, each with one code per row of the same
        rows; the first varies slowest in the combined code.

    See Also
    --------
    joint_codes : code one joint variable.

    Examples
    --------
    >>> a = joint_codes(np.array([0, 1, 1]), [2])
    >>> b = joint_codes(np.array([2, 0, 2]), [3])
    >>> both = combine(a, b)
    >>> both.codes.tolist(), both.n_possible
    ([2, 3, 5], 6)
    """
    folded = joint_codes(np.column_stack([j.codes for j in joints]), [j.n_states for j in joints])
    n_possible = 1
    for j in joints:
        n_possible *= j.n_possible
    return JointCodes(folded.codes, folded.n_states, n_possible)


def _compact(codes):
    uniques, inverse = np.unique(codes, return_inverse=True)
    return inverse.astype(np.int64, copy=False), len(uniques)


def _check_cells(n_cells: int, what: str):
    if n_cells > MAX_DENSE_CELLS:
        raise StateSpaceTooLargeError(
            f"the {what} would have {n_cells:,} cells (limit {MAX_DENSE_CELLS:,}); "
            "use fewer levels (e.g. a Discretizer with fewer bins, or merge rare levels) "
            "or a smaller conditioning set."
        )


def contingency_table(x, y, x_states: int, y_states: int) -> np.ndarray:
    """Count table of two code arrays: ``table[a, b] = #{rows: x == a, y == b}``.

    Parameters
    ----------
    x, y : 1-D array_like of int
        One code per row of each variable, paired row by row.
    x_states, y_states : int
        Number of states of ``x`` / ``y``: codes lie in ``0 .. x_states - 1``
        (``0 .. y_states - 1``), and they give the table's shape.

    See Also
    --------
    stratified_tables : one table per stratum of a conditioning set.
    pairwise_counts : every pair of columns at once.

    Examples
    --------
    >>> contingency_table(np.array([0, 0, 1]), np.array([1, 1, 0]), 2, 2).tolist()
    [[0, 2], [1, 0]]
    """
    x = _check_code_vector(x, x_states, "x", "contingency_table")
    y = _check_code_vector(y, y_states, "y", "contingency_table")
    if len(x) != len(y):
        raise InvalidInputError(
            f"contingency_table: x has {len(x)} codes and y {len(y)}; they must pair row by row."
        )
    _check_cells(x_states * y_states, "contingency table")
    flat = x * y_states + y
    counts = np.bincount(flat, minlength=x_states * y_states)
    return counts.reshape(x_states, y_states)


def stratified_tables(
    x, y, given, x_states: int, y_states: int, given_states: int
) -> np.ndarray:
    """Count (given, x, y) into one (x, y) table per *observed* stratum of ``given``.

    ``given`` holds the stratum code of each row (the joint code of the
    conditioning set, as :func:`joint_codes` returns it).  Returns an array of
    shape ``(n_observed_strata, x_states, y_states)``; strata that never occur
    are left out, so the result is never larger than ``n_rows`` tables whatever
    ``given_states`` is.

    Parameters
    ----------
    x, y : 1-D array_like of int
        One code per row of each variable, paired row by row.
    given : 1-D array_like of int
        The stratum code of each row, paired with ``x`` and ``y``.
    x_states, y_states : int
        Number of states of ``x`` / ``y``: the shape of each table.
    given_states : int
        Number of possible strata: codes of ``given`` lie in
        ``0 .. given_states - 1``.

    See Also
    --------
    contingency_table : the unconditional table.

    Examples
    --------
    >>> stratified_tables([0, 1, 1], [0, 1, 1], [2, 2, 0], 2, 2, 3).tolist()
    [[[0, 0], [0, 1]], [[1, 0], [0, 1]]]
    """
    x = _check_code_vector(x, x_states, "x", "stratified_tables")
    y = _check_code_vector(y, y_states, "y", "stratified_tables")
    strata = _check_code_vector(given, given_states, "given", "stratified_tables")
    if not len(x) == len(y) == len(strata):
        raise InvalidInputError(
            f"stratified_tables: x, y and given have {len(x)}, {len(y)} and {len(strata)} codes; "
            "they must pair row by row."
        )
    present = np.bincount(strata, minlength=given_states) > 0
    strata = (np.cumsum(present) - 1)[strata]  # renumber the observed strata 0 .. n_strata-1
    n_strata = int(present.sum())
    cells = x_states * y_states
    _check_cells(n_strata * cells, "stratified count table")
    flat = (strata * x_states + x) * y_states + y
    counts = np.bincount(flat, minlength=n_strata * cells)
    return counts.reshape(n_strata, x_states, y_states)


@dataclass(frozen=True)
class PairwiseCounts:
    """Every pairwise contingency table of a set of discrete columns.

    ``matrix`` is the Gram matrix of the one-hot encoding: rows and columns
    are the levels of all columns, laid end to end (column ``j`` occupies
    ``offsets[j] : offsets[j + 1]``).  The block of columns ``i`` and ``j`` is
    their contingency table; diagonal blocks are diagonal, holding each
    column's level counts.

    Attributes
    ----------
    matrix : ndarray or scipy.sparse.csr_array of shape (K, K)
    offsets : ndarray of shape (n_columns + 1,)
    n_rows : int

    See Also
    --------
    pairwise_counts : returns it.
    """

    matrix: np.ndarray | sp.csr_array
    offsets: np.ndarray
    n_rows: int

    @property
    def cardinalities(self) -> np.ndarray:
        return np.diff(self.offsets)

    def table(self, i: int, j: int) -> np.ndarray:
        """Contingency table of columns ``i`` (rows) and ``j`` (columns)."""
        block = self.matrix[
            self.offsets[i] : self.offsets[i + 1], self.offsets[j] : self.offsets[j + 1]
        ]
        return block.toarray() if sp.issparse(block) else np.asarray(block)

    @cached_property
    def _level_counts(self) -> np.ndarray:
        # The diagonal of the whole matrix, read once: O(number of levels), where densifying
        # a column's diagonal block would cost the square of its levels.
        diagonal = self.matrix.diagonal()
        return np.asarray(diagonal, dtype=np.int64)

    def nonzero(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rows, cols, counts)`` of the observed cells of the matrix, dense or sparse.

        The estimators sum over observed cells only, so memory stays linear in
        what the data hold, whatever the columns' cardinalities.
        """
        if sp.issparse(self.matrix):
            coo = self.matrix.tocoo()
            keep = coo.data > 0
            return coo.row[keep], coo.col[keep], coo.data[keep].astype(float)
        rows, cols = np.nonzero(self.matrix)
        return rows, cols, self.matrix[rows, cols].astype(float)

    def marginals(self) -> np.ndarray:
        """Level counts of every column, laid end to end as the matrix's levels."""
        return self._level_counts.copy()

    def marginal(self, i: int) -> np.ndarray:
        """Level counts of column ``i``.

        Read from the diagonal, so memory stays linear in the column's levels.
        """
        return self._level_counts[self.offsets[i] : self.offsets[i + 1]].copy()


def _pairwise_dense(codes, offsets, chunk_size):
    from threadpoolctl import threadpool_limits

    # One BLAS thread: these products are small, and a second thread contending for a
    # busy core makes OpenBLAS 30x slower (measured here), for a small gain when idle.
    with threadpool_limits(limits=1, user_api="blas"):
        return _pairwise_dense_loop(codes, offsets, chunk_size)


def _pairwise_dense_loop(codes, offsets, chunk_size):
    n_levels = int(offsets[-1])
    total = np.zeros((n_levels, n_levels), dtype=np.int64)
    onehot = np.zeros((chunk_size, n_levels), dtype=np.float32)
    # Flat index of each row's 1 for each column: row * n_levels + offset + code.
    base = np.arange(chunk_size, dtype=np.int64)[:, None] * n_levels + offsets[:-1]
    for start in range(0, codes.shape[0], chunk_size):
        block = codes[start : start + chunk_size]
        m = block.shape[0]
        rows = onehot[:m]
        rows.fill(0)
        rows.ravel()[(base[:m] + block).ravel()] = 1.0
        # float32 GEMM: exact for integer sums below 2**24, twice the speed of float64.
        total += (rows.T @ rows).astype(np.int64)
    return total


def _pairwise_sparse(codes, offsets, chunk_size):
    n_levels = int(offsets[-1])
    n_columns = codes.shape[1]
    total = sp.csr_array((n_levels, n_levels), dtype=np.int64)
    for start in range(0, codes.shape[0], chunk_size):
        block = codes[start : start + chunk_size] + offsets[:-1]
        m = block.shape[0]
        onehot = sp.csr_array(
            (
                np.ones(m * n_columns, dtype=np.int64),
                block.ravel(),
                np.arange(0, m * n_columns + 1, n_columns),
            ),
            shape=(m, n_levels),
        )
        total = total + (onehot.T @ onehot).tocsr()
    return total


def pairwise_counts(
    codes, cardinalities, *, chunk_size: int = 4096, sparse=None
) -> PairwiseCounts:
    """All pairwise contingency tables from one chunked one-hot matrix product.

    Parameters
    ----------
    codes : array of shape (n_rows, n_columns)
        Integer codes, column ``j`` in ``0 .. cardinalities[j] - 1``.
    cardinalities : sequence of int
    chunk_size : int, default 4096
        Rows per matrix product.  Peak memory is about
        ``chunk_size * sum(cardinalities) * 4`` bytes plus the result,
        whatever the number of rows.
    sparse : bool, optional
        Use a sparse one-hot matrix and a sparse result.  By default sparse
        is chosen when the total number of levels exceeds
        :data:`MAX_DENSE_LEVELS` (high-cardinality columns).

    See Also
    --------
    contingency_table : one pair.
    mistruct.measures.mutual_information_matrix : MI from these counts.

    Examples
    --------
    >>> counts = pairwise_counts(np.array([[0, 1], [1, 1], [1, 0]]), [2, 2])
    >>> counts.table(0, 1).tolist()
    [[0, 1], [1, 1]]
    """
    chunk_size = check_chunk_size(chunk_size)
    codes, cardinalities = _check_codes(codes, cardinalities, "pairwise_counts", ndim=(2,))
    n_rows, n_columns = codes.shape
    offsets = np.concatenate([[0], np.cumsum(cardinalities)])
    n_levels = int(offsets[-1])
    if sparse is None:
        sparse = n_levels > MAX_DENSE_LEVELS
    chunk_size = int(min(chunk_size, _MAX_FLOAT32_CHUNK, max(n_rows, 1)))
    if sparse:
        total = _pairwise_sparse(codes, offsets, chunk_size)
    else:
        total = _pairwise_dense(codes, offsets, chunk_size)
    return PairwiseCounts(matrix=total, offsets=offsets, n_rows=n_rows)

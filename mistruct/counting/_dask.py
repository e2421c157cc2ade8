"""Counts of a Dask table: each partition counted by the kernels here, the small tables summed.

Counts add over rows, so a table's counts are the sums of its row blocks'
counts.  Each function below is one pass over the partitions
(:func:`mistruct.data.run_pass`): every partition is encoded against the
global levels of a :class:`mistruct.data.DaskTable`, counted by the
existing kernels (:func:`pairwise_counts`, :func:`stratified_tables`,
:func:`contingency_table`) into small tables, and the tables are summed in a
tree.  Only the tables travel; the results equal the counts of the
computed DataFrame, cell by cell, so everything computed from them equals
the pandas path.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from mistruct.counting._contingency import (
    MAX_DENSE_LEVELS,
    PairwiseCounts,
    contingency_table,
    pairwise_counts,
    stratified_tables,
)
from mistruct.data import DaskTable, run_pass
from mistruct.exceptions import InvalidInputError, StateSpaceTooLargeError

__all__ = [
    "StratumCounts",
    "dask_joint_counts",
    "dask_moments",
    "dask_pairwise_counts",
    "dask_stratified_counts",
]

#: Largest mixed-radix code of a conditioning set counted distributed (int64 keys).
_MAX_KEY = 2**62


def _check_table(table) -> DaskTable:
    if not isinstance(table, DaskTable):
        raise InvalidInputError(
            f"expected a DaskTable (mistruct.data.dask_table), got {type(table).__name__}."
        )
    return table


def _light(table: DaskTable) -> DaskTable:
    """The table without its Dask DataFrame: what each task needs to encode a partition."""
    return replace(table, frame=None)


# ---------------------------------------------------------------- all pairs


def _pairwise_part(part, table, chunk_size, sparse):
    codes = table.encode_partition(part)
    if codes.shape[0] == 0:
        return None
    counts = pairwise_counts(codes, table.cardinalities, chunk_size=chunk_size, sparse=sparse)
    return counts.matrix, counts.n_rows


def _sum_pairs(results):
    results = [r for r in results if r is not None]
    if not results:
        return None
    total = results[0][0]
    for matrix, _ in results[1:]:
        total = total + matrix
    return total, sum(n for _, n in results)


def dask_pairwise_counts(
    table: DaskTable, *, chunk_size: int = 4096, sparse=None
) -> PairwiseCounts:
    """All pairwise contingency tables of a Dask table, in one pass.

    Each partition's all-pairs matrix comes from :func:`pairwise_counts`;
    the matrices (size: the total number of levels, squared) are summed.

    Parameters
    ----------
    table : mistruct.data.DaskTable
        From :func:`mistruct.data.dask_table`.
    chunk_size : int, default 4096
        Rows per matrix product within a partition.
    sparse : bool, optional
        As in :func:`pairwise_counts` (default: sparse past
        ``MAX_DENSE_LEVELS`` levels).

    Returns
    -------
    PairwiseCounts
        Equal to :func:`pairwise_counts` of the computed table's codes.

    See Also
    --------
    pairwise_counts : the same in memory.

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd
    >>> from mistruct.data import dask_table
    >>> frame = dd.from_pandas(pd.DataFrame({"a": [0, 1, 1], "b": [1, 1, 0]}), npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     counts = dask_pairwise_counts(dask_table(frame))
    >>> counts.table(0, 1).tolist()
    [[0, 1], [1, 1]]
    """
    table = _check_table(table)
    offsets = np.concatenate([[0], np.cumsum(table.cardinalities)])
    if sparse is None:
        sparse = int(offsets[-1]) > MAX_DENSE_LEVELS
    result = run_pass(
        table.frame,
        _pairwise_part,
        (_light(table), chunk_size, bool(sparse)),
        _sum_pairs,
        description="all-pairs counts",
    )
    n_levels = int(offsets[-1])
    if result is None:
        matrix = (
            sp.csr_array((n_levels, n_levels), dtype=np.int64)
            if sparse
            else np.zeros((n_levels, n_levels), dtype=np.int64)
        )
        return PairwiseCounts(matrix=matrix, offsets=offsets, n_rows=0)
    matrix, n_rows = result
    if sp.issparse(matrix):
        matrix = sp.csr_array(matrix)
    return PairwiseCounts(matrix=matrix, offsets=offsets, n_rows=int(n_rows))


# ---------------------------------------------------------------- stratified tables


class StratumCounts:
    """The (stratum, x, y) counts of one query, observed strata only, in stratum-code order.

    Attributes
    ----------
    keys : ndarray of int64
        The mixed-radix code of each observed stratum of the conditioning
        set (its columns in the order given), increasing.
    tables : ndarray of int64, shape (n_strata, kx, ky)
        One count table per observed stratum: the same array, in the same
        order, as :func:`stratified_tables` of the computed table's codes.
    n_possible : int
        Product of the conditioning columns' cardinalities.
    """

    def __init__(self, keys, tables, n_possible):
        self.keys = keys
        self.tables = tables
        self.n_possible = n_possible


def _radix(table: DaskTable, given) -> int:
    product = 1
    for g in given:
        product *= max(int(table.cardinalities[g]), 1)
    return product


def _strata_part(part, table, queries):
    codes = table.encode_partition(part)
    cards = table.cardinalities
    # Many unconditional pairs (PC's level 0): one one-hot product counts them all.
    pairs = [(x, y) for x, y, given in queries if not given]
    product = None
    if len(pairs) >= 8 and codes.shape[0]:
        used = sorted({c for pair in pairs for c in pair})
        product = ({c: i for i, c in enumerate(used)}, pairwise_counts(codes[:, used], cards[used]))
    out = []
    for x, y, given in queries:
        kx, ky = int(cards[x]), int(cards[y])
        if not given and product is not None:
            where, counted = product
            out.append((np.zeros(1, dtype=np.int64), counted.table(where[x], where[y])[None]))
            continue
        xc, yc = codes[:, x].astype(np.int64), codes[:, y].astype(np.int64)
        if not given:
            tables = contingency_table(xc, yc, kx, ky)[None]
            out.append((np.zeros(1, dtype=np.int64), tables))
            continue
        key = np.zeros(codes.shape[0], dtype=np.int64)
        for g in given:
            key = key * max(int(cards[g]), 1) + codes[:, g]
        radix = _radix(table, given)
        if radix <= max(len(key), 2**20):
            # A count array over every stratum is small here: no sort.
            keys = np.flatnonzero(np.bincount(key, minlength=radix))
            tables = stratified_tables(xc, yc, key, kx, ky, radix)
        else:
            keys, local = np.unique(key, return_inverse=True)
            tables = stratified_tables(xc, yc, local.reshape(-1), kx, ky, max(len(keys), 1))
        out.append((keys, tables))
    return out


def _merge_strata(results):
    merged = []
    for per_query in zip(*results, strict=True):
        keys = np.concatenate([k for k, _ in per_query])
        tables = np.concatenate([t for _, t in per_query])
        if len(per_query) == 1:
            merged.append((keys, tables))
            continue
        unique, inverse = np.unique(keys, return_inverse=True)
        summed = np.zeros((len(unique), *tables.shape[1:]), dtype=np.int64)
        np.add.at(summed, inverse.reshape(-1), tables)
        merged.append((unique, summed))
    return merged


def dask_stratified_counts(table: DaskTable, queries) -> list:
    """The stratified tables of many ``(x, y, given)`` queries, all in one pass.

    Parameters
    ----------
    table : mistruct.data.DaskTable
        From :func:`mistruct.data.dask_table`.
    queries : list of tuples
        ``(x, y, given)`` with column positions of ``table``; ``given`` a
        tuple of positions (the order fixes the strata's order, as in
        :func:`mistruct.counting.joint_codes`).

    Returns
    -------
    list of StratumCounts
        One per query, in order.  An unconditional query has one stratum.

    See Also
    --------
    stratified_tables : the same for rows in memory.

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd
    >>> from mistruct.data import dask_table
    >>> frame = dd.from_pandas(pd.DataFrame({"x": [0, 1, 1], "y": [0, 1, 1], "z": [2, 2, 0]}),
    ...                        npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     (counts,) = dask_stratified_counts(dask_table(frame), [(0, 1, (2,))])
    >>> counts.tables.tolist()
    [[[0, 0], [0, 1]], [[1, 0], [0, 1]]]
    """
    table = _check_table(table)
    queries = [(int(x), int(y), tuple(int(g) for g in given)) for x, y, given in queries]
    if not queries:
        return []
    for _, _, given in queries:
        if _radix(table, given) > _MAX_KEY:
            raise StateSpaceTooLargeError(
                f"the conditioning set {given} has more than 2**62 possible configurations; "
                "a distributed count needs fewer (merge levels or use a smaller set)."
            )
    found = run_pass(
        table.frame,
        _strata_part,
        (_light(table), queries),
        _merge_strata,
        description=f"stratified counts of {len(queries)} test(s)",
    )
    out = []
    for (_, _, given), (keys, tables) in zip(queries, found, strict=True):
        present = tables.sum(axis=(1, 2)) > 0
        out.append(StratumCounts(keys[present], tables[present], _radix(table, given)))
    return out


# ---------------------------------------------------------------- joint counts


def _joint_part(part, table, groups):
    codes = table.encode_partition(part)
    cards = table.cardinalities
    out = []
    for group in groups:
        key = np.zeros(codes.shape[0], dtype=np.int64)
        for g in group:
            key = key * max(int(cards[g]), 1) + codes[:, g]
        radix = _radix(table, group)
        if radix <= max(len(key), 2**20):
            counts = np.bincount(key, minlength=radix)
            keys = np.flatnonzero(counts)
            out.append((keys, counts[keys]))
        else:
            out.append(np.unique(key, return_counts=True))
    return out


def _merge_joint(results):
    merged = []
    for per_group in zip(*results, strict=True):
        keys = np.concatenate([k for k, _ in per_group])
        counts = np.concatenate([c for _, c in per_group]).astype(np.int64)
        unique, inverse = np.unique(keys, return_inverse=True)
        merged.append((unique, np.bincount(inverse.reshape(-1), weights=counts,
                                           minlength=len(unique)).astype(np.int64)))
    return merged


def dask_joint_counts(table: DaskTable, groups) -> list:
    """Counts of the observed joint states of several column groups, in one pass.

    Parameters
    ----------
    table : mistruct.data.DaskTable
        From :func:`mistruct.data.dask_table`.
    groups : list of tuples of int
        Column positions of each joint variable (the first varies slowest).

    Returns
    -------
    list of (keys, counts)
        For each group, its observed mixed-radix codes (increasing) and their
        counts: the non-zero entries of ``bincount`` of
        :func:`mistruct.counting.joint_codes`, in the same order.

    See Also
    --------
    dask_stratified_counts : count tables of (x, y) given a set.

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd
    >>> from mistruct.data import dask_table
    >>> frame = dd.from_pandas(pd.DataFrame({"a": [0, 1, 1], "b": [1, 1, 0]}), npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     ((keys, counts),) = dask_joint_counts(dask_table(frame), [(0, 1)])
    >>> keys.tolist(), counts.tolist()
    ([1, 2, 3], [1, 1, 1])
    """
    table = _check_table(table)
    groups = [tuple(int(g) for g in group) for group in groups]
    for group in groups:
        if _radix(table, group) > _MAX_KEY:
            raise StateSpaceTooLargeError(
                f"the columns {group} have more than 2**62 joint states; a distributed count "
                "needs fewer (merge levels or use fewer columns)."
            )
    return run_pass(
        table.frame, _joint_part, (_light(table), groups), _merge_joint,
        description=f"joint counts of {len(groups)} variable(s)",
    )


# ---------------------------------------------------------------- moments


def _moments_part(part, columns, drop):
    values = part[list(columns)]
    if drop:
        values = values.dropna()
    block = values.to_numpy(dtype=float)
    n = block.shape[0]
    if n == 0:
        return 0, np.zeros(len(columns)), np.zeros((len(columns), len(columns)))
    mean = block.mean(axis=0)
    centred = block - mean
    return n, mean, centred.T @ centred


def _merge_moments(results):
    n, mean, m2 = results[0]
    for n_b, mean_b, m2_b in results[1:]:
        if n_b == 0:
            continue
        if n == 0:
            n, mean, m2 = n_b, mean_b, m2_b
            continue
        total = n + n_b
        delta = mean_b - mean
        # Chan, Golub & LeVeque's pairwise update: no cancellation from raw sums.
        m2 = m2 + m2_b + np.outer(delta, delta) * (n * n_b / total)
        mean = mean + delta * (n_b / total)
        n = total
    return n, mean, m2


def dask_moments(frame, columns, *, missing: str = "error"):
    """Rows, means and centred cross-products of numeric columns, in one pass.

    Each partition's centred moments are merged pairwise (Chan, Golub &
    LeVeque 1979), so the covariance keeps full precision whatever the
    means.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        The table; never collected.
    columns : list
        Numeric columns.
    missing : {"error", "drop"}, default "error"
        ``"drop"`` leaves out rows with a missing value in ``columns``.

    Returns
    -------
    (n, mean, m2)
        ``m2[i, j] = sum (x_i - mean_i)(x_j - mean_j)``; the covariance is
        ``m2 / (n - 1)``.

    See Also
    --------
    mistruct.measures.mutual_information_matrix : the Gaussian estimator uses them.

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd
    >>> frame = dd.from_pandas(pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}), npartitions=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     n, mean, m2 = dask_moments(frame, ["a"])
    >>> n, mean.tolist(), m2.tolist()
    (4, [2.5], [[5.0]])
    """
    columns = list(columns)
    return run_pass(
        frame[columns], _moments_part, (tuple(columns), missing == "drop"), _merge_moments,
        description="moment sums",
    )

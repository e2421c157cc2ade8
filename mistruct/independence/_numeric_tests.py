"""The tests of continuous columns as registered tests: ``"knn"`` and ``"gaussian"``.

``"knn"``
    :func:`mistruct.independence.knn_ci_test` (Frenzel-Pompe CMI, Runge's
    local permutation null) on every query with a continuous column; discrete
    columns enter by the discrete metric.  A query of discrete columns only
    runs the exact ``"permutation"`` test (the kNN statistic needs a float
    column).
``"gaussian"``
    :func:`mistruct.independence.gaussian_ci_test` (partial correlation,
    Fisher's z) on every query; discrete columns must hold numbers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pandas as pd

from mistruct.exceptions import InvalidInputError
from mistruct.independence._discrete_tests import run_discrete
from mistruct.independence._gaussian import gaussian_ci_test
from mistruct.independence._knn import _COSTLY_ROWS, _knn_test, knn_ci_test
from mistruct.independence._registry import KINDS, CITest, _builtin, query_kinds
from mistruct.measures import numeric_block, standardize

__all__ = ["DEFAULT_KNN_PERMUTATIONS", "run_gaussian", "run_knn"]

#: Z-neighbours among which X is shuffled: knn_ci_test's default.
_SHUFFLE_NEIGHBOURS = knn_ci_test.__kwdefaults__["shuffle_neighbours"]

#: Surrogates of a kNN test when neither the caller nor a learner says otherwise.
DEFAULT_KNN_PERMUTATIONS = 1000


def _run_thunks(thunks, context, processes: bool = False):
    def run(thunk):
        result = thunk()
        if context.progress is not None:
            context.progress.update(1)
        return result

    if processes and context.workers is not None and len(thunks) > 1:
        # kNN tests hold the GIL in many small NumPy calls: processes, not threads.
        outcomes = context.workers.map(thunks)
        if context.progress is not None:
            context.progress.update(len(thunks))
        return outcomes
    if context.n_jobs > 1 and len(thunks) > 1:
        with ThreadPoolExecutor(min(context.n_jobs, len(thunks))) as pool:
            return list(pool.map(run, thunks))
    return [run(thunk) for thunk in thunks]


def _rows(frame, x, y, given, context):
    rows = frame[[x, y, *given]]
    if context.missing == "drop":
        rows = rows.dropna()
    return rows[x], rows[y], (rows[list(given)] if given else None)


class _ReadyColumns:
    """Float columns of a batch's table checked and standardized once, for every query.

    :func:`~mistruct.independence._knn._blocks` checks and standardizes the
    columns of each query again (frames, kinds, NaN checks): a few
    milliseconds per test, a tenth of a learner's kNN test.  A query whose
    columns are all float and complete gets the same blocks, bit for bit
    (standardization is column by column), from here; any other query (a
    discrete or incomplete column, a column that fails its checks) goes
    through :func:`~mistruct.independence.knn_ci_test` and its messages.
    """

    def __init__(self, frame):
        self.frame = frame
        self.columns = {}

    def get(self, label):
        if label not in self.columns:
            column = self.frame[label]
            ready = None
            if pd.api.types.is_float_dtype(column.dtype) and not column.isna().any():
                try:
                    ready = standardize(numeric_block(column, str(label)))
                except InvalidInputError:  # e.g. constant: knn_ci_test says so
                    ready = None
            self.columns[label] = ready
        return self.columns[label]

    def blocks(self, x, y, given):
        """``(xb, yb, zb, n)`` as :func:`_blocks` makes them, or None (the full path then)."""
        parts = [self.get(label) for label in (x, y, *given)]
        n = len(self.frame)
        if any(part is None for part in parts) or (given and n > _COSTLY_ROWS):
            return None
        zb = np.hstack(parts[2:]) if given else None
        return parts[0], parts[1], zb, n


def run_knn(frame, queries, context):
    """``"knn"``: the kNN test per query with a continuous column, else ``"permutation"``."""
    n_permutations = context.permutations(KNN)
    h, reject_after = context.knn_stop
    results = [None] * len(queries)
    discrete, thunks, positions = [], [], []
    ready = _ReadyColumns(frame)
    for position, query in enumerate(queries):
        if "continuous" not in query_kinds(frame, query):
            discrete.append(position)
            continue
        x, y, given, rng = context.orient(*query)
        blocks = ready.blocks(x, y, given)
        if blocks is not None:
            thunks.append(
                partial(
                    _knn_test,
                    *blocks,
                    None,
                    k=context.k,
                    k_perm=_SHUFFLE_NEIGHBOURS,
                    n_permutations=n_permutations,
                    alpha=context.alpha,
                    seed=rng,
                    h=h,
                    reject_after=reject_after,
                    return_null=context.return_null,
                )
            )
            positions.append(position)
            continue
        xs, ys, zs = _rows(frame, x, y, given, context)
        thunks.append(
            partial(
                knn_ci_test,
                xs,
                ys,
                zs,
                k=context.k,
                n_permutations=n_permutations,
                alpha=context.alpha,
                seed=rng,
                h=h,
                reject_after=reject_after,
                return_null=context.return_null,
            )
        )
        positions.append(position)
    outcomes = _run_thunks(thunks, context, processes=True)
    for position, outcome in zip(positions, outcomes, strict=True):
        results[position] = outcome
    if discrete:
        outcomes = run_discrete(frame, [queries[p] for p in discrete], context, "permutation")
        for position, outcome in zip(discrete, outcomes, strict=True):
            results[position] = outcome
    return results


def run_gaussian(frame, queries, context):
    """``"gaussian"``: partial correlation and Fisher's z on every query."""
    thunks = []
    for query in queries:
        x, y, given, _ = context.orient(*query)
        xs, ys, zs = _rows(frame, x, y, given, context)
        thunks.append(partial(gaussian_ci_test, xs, ys, zs, alpha=context.alpha))
    return _run_thunks(thunks, context)


KNN = CITest(
    "knn",
    frozenset(KINDS),
    run_knn,
    DEFAULT_KNN_PERMUTATIONS,
    "kNN conditional mutual information (Frenzel-Pompe) with Runge's local permutation null",
)
_builtin(KNN)
_builtin(
    CITest(
        "gaussian",
        frozenset(KINDS),
        run_gaussian,
        None,
        "partial correlation with Fisher's z (linear-Gaussian data; numbers only)",
    )
)

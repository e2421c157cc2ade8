"""Tests of tables that mix float and discrete columns: each query by its columns' kinds.

Structure learners on a table with float columns run many queries; each one
goes to the test that fits its columns:

* every column of the query discrete: the exact discrete machinery on the
  encoded table (:func:`mistruct.independence.ci_tests_encoded`, one batch);
* some float column: the kNN local-permutation test
  (:func:`mistruct.knn_independence.knn_ci_test`, discrete columns by the
  discrete metric) or, with ``method="gaussian"``, partial correlation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mistruct.data import column_kinds, encode
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.independence._core import METHODS, check_options, query_rng, seed_entropy

#: Methods for tables with float columns.  ``"auto"`` and ``"knn-permutation"``
#: differ only on queries without a float column: the asymptotic
#: ``"g-test-adjusted"`` for ``"auto"``, the exact ``"permutation"`` test for
#: ``"knn-permutation"``.
NUMERIC_TEST_METHODS = ("auto", "knn-permutation", "gaussian")

#: Tests the structure learners take: each query's test then follows its columns' kinds.
STRUCTURE_TEST_METHODS = (
    "auto",
    "g-test",
    "g-test-adjusted",
    "permutation",
    "sequential",
    "knn-permutation",
    "gaussian",
)

_DISCRETE_STAND_IN = {"auto": "g-test-adjusted", "knn-permutation": "permutation"}


def check_method(method) -> str:
    """``method`` if some table could use it, else a clear error."""
    if method in NUMERIC_TEST_METHODS or method in METHODS:
        return method
    raise InvalidInputError(
        f"method={method!r} is not a test; use one of "
        f"{', '.join(repr(m) for m in (*NUMERIC_TEST_METHODS, *METHODS))}."
    )


def discrete_method(method: str) -> str:
    """The discrete test that ``method`` stands for on a query without float columns."""
    return _DISCRETE_STAND_IN.get(method, method)


def _order_free_key(rank: dict, x, y, given) -> tuple:
    a, b = sorted((rank[x], rank[y]))
    return (a, b, *sorted(rank[g] for g in given))


def ci_tests_by_kind(
    frame: pd.DataFrame,
    queries,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    knn_permutations: int = 200,
    k=None,
    seed=None,
    progress=None,
    early_stop: bool = True,
) -> list:
    """Run ``(x, y, given)`` label queries on ``frame``, each with the test its columns call for.

    Parameters
    ----------
    frame : DataFrame
        Float columns are continuous, the others discrete.  Never modified.
    queries : list of (x, y, given)
        Column labels; ``given`` a tuple of labels.
    method : {"auto", "knn-permutation", "gaussian"} or a discrete method
        See the module documentation.  A discrete method (``"g-test"``, ...)
        on a query with a float column is an error.
    alpha : float
    n_permutations : int
        Null tables of the discrete permutation tests.
    knn_permutations : int
        Surrogates of each kNN test (each costs a pass over the rows).  A kNN
        test stops once ``floor(alpha (knn_permutations + 1))`` surrogates
        reach its statistic (Besag-Clifford, ``h`` of ``knn_ci_test``): the
        decision at ``alpha`` is that of all the surrogates.
    k : int, float or None
        Neighbour rank of the kNN statistic (see ``knn_ci_test``).
    seed : None, int or Generator
        Each query draws from a stream keyed by ``seed`` and its columns'
        ranks in sorted label order (x and y swapped so the smaller rank
        comes first), so results depend neither on the order of the queries
        nor on the order of the columns.
    progress : tqdm bar or None
        Advanced by one per query.
    early_stop : bool, default True
        Stop each kNN test as described under ``knn_permutations``; the
        decision is exact at ``alpha`` only, so callers that compare the
        p-value with other levels turn it off.

    Returns
    -------
    list of CITestResult, in query order.
    """
    from mistruct.independence._api import _index_query, _run_queries
    from mistruct.knn_independence import gaussian_ci_test, knn_ci_test

    check_method(method)
    kinds = column_kinds(frame)
    labels = list(frame.columns)
    try:
        ranked = sorted(labels)
    except TypeError:
        ranked = sorted(labels, key=lambda c: (type(c).__name__, str(c)))
    rank = {label: i for i, label in enumerate(ranked)}
    entropy = seed_entropy(seed)

    results = [None] * len(queries)
    discrete_queries = []
    for position, (x, y, given) in enumerate(queries):
        used = (x, y, *given)
        if all(kinds[c] == "discrete" for c in used) and method != "gaussian":
            discrete_queries.append(position)
            continue
        if method in METHODS:
            floats = [c for c in used if kinds[c] == "continuous"]
            raise ContinuousDataError(
                f"method={method!r} is a test of discrete columns, but {floats!r} are float; "
                "use method='auto' (kNN tests where a float column is involved), 'gaussian', "
                "or discretize the float columns first (mistruct.Discretizer)."
            )
        # Orient by rank so that the permuted variable does not depend on the query's order.
        if rank[x] > rank[y]:
            x, y = y, x
        given = tuple(sorted(given, key=rank.__getitem__))
        z = frame[list(given)] if given else None
        if method == "gaussian":
            results[position] = gaussian_ci_test(frame[x], frame[y], z, alpha=alpha)
        else:
            rng = query_rng(entropy, _order_free_key(rank, x, y, given))
            results[position] = knn_ci_test(
                frame[x],
                frame[y],
                z,
                k=k,
                n_permutations=knn_permutations,
                alpha=alpha,
                seed=rng,
                # Stopping at this many exceedances decides exactly as all the surrogates
                # would, and saves most of them where independence holds.
                h=max(1, math.floor(alpha * (knn_permutations + 1))) if early_stop else None,
            )
        if progress is not None:
            progress.update(1)

    if discrete_queries:
        columns = sorted(
            {c for p in discrete_queries for c in (queries[p][0], queries[p][1], *queries[p][2])},
            key=rank.__getitem__,
        )
        table = encode(frame[columns])
        where = {c: i for i, c in enumerate(columns)}
        encoded = [
            (where[queries[p][0]], where[queries[p][1]], tuple(where[g] for g in queries[p][2]))
            for p in discrete_queries
        ]
        # Each query's stream is keyed by its columns' positions: give the ranks, which do
        # not depend on the table's column order.
        options = check_options(discrete_method(method), alpha, n_permutations, "plugin", 20, False)
        outcomes = _run_queries(
            table,
            [_index_query(table, q) for q in encoded],
            options,
            entropy,
            [rank[c] for c in columns],
        )
        for p, outcome in zip(discrete_queries, outcomes, strict=True):
            results[p] = outcome
        if progress is not None:
            progress.update(len(discrete_queries))
    return results


def check_test_fits(frame: pd.DataFrame, method: str, name: str = "method"):
    """Errors, before any work, for a test that the columns of ``frame`` cannot take.

    A discrete test on a table with float columns, and ``"gaussian"`` on a
    table with non-numeric columns.
    """
    floats = [c for c, kind in column_kinds(frame).items() if kind == "continuous"]
    if floats and method not in NUMERIC_TEST_METHODS:
        raise InvalidInputError(
            f"{name}={method!r} is a test of discrete columns, but {floats!r} are float; use "
            f"{name}='auto' (kNN tests where a float column is involved) or 'gaussian', or "
            "discretize the float columns first (mistruct.Discretizer)."
        )
    if method == "gaussian":
        from mistruct.continuous import _numeric_block

        _numeric_block(frame, "data")  # numbers only: a partial correlation needs them


def has_float_columns(frame: pd.DataFrame) -> bool:
    """Whether any column of ``frame`` is float (continuous)."""
    return "continuous" in column_kinds(frame).values()


def check_knn_permutations(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidInputError(
            f"knn_permutations must be an integer >= 1, got {value!r}; it is the number of "
            "surrogates of each kNN test."
        )
    return int(value)

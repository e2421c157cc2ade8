"""Tests of tables that mix float and discrete columns: each query by its columns' kinds.

Structure learners on a table with float columns run many queries; each one
goes to the test that fits its columns:

* every column of the query discrete: the exact discrete machinery on the
  encoded table (:func:`mistruct.independence.ci_tests_encoded`, one batch);
* some float column: the kNN local-permutation test
  (:func:`mistruct.independence.knn_ci_test`, discrete columns by the
  discrete metric) or, with ``method="gaussian"``, partial correlation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mistruct._validation import check_n_jobs, check_n_permutations
from mistruct.data import column_kinds
from mistruct.exceptions import InvalidInputError
from mistruct.independence._core import (
    DISCRETE_METHODS,
    CITestResult,
    query_rng,
    seed_entropy,
)
from mistruct.independence._knn import _resolve_k
from mistruct.independence._numeric_tests import KNN
from mistruct.independence._registry import CI_TESTS, CIContext, lookup_ci_test, run_ci_queries
from mistruct.independence._resampling import fixed_pvalue, two_sided_stop_pvalue
from mistruct.measures import mi_nats, numeric_block

#: The built-in tests of tables with continuous columns (each query by its columns' kinds).
NUMERIC_TEST_METHODS = ("auto", "knn", "gaussian")

#: The built-in tests, by name (the registry's names: :data:`CI_TESTS` also lists tests
#: registered later).
STRUCTURE_TEST_METHODS = tuple(CI_TESTS)
assert KNN.name in STRUCTURE_TEST_METHODS  # the tests of continuous columns are registered


def check_method(method, name: str = "method"):
    """``method`` if it names a registered test (or is a CITest), else a clear error."""
    lookup_ci_test(method, name)
    return method


def discrete_method(method) -> str:
    """The discrete test whose options ``method`` takes on a query of discrete columns only."""
    return method if isinstance(method, str) and method in DISCRETE_METHODS else "permutation"


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
    early_reject: bool = False,
    n_jobs: int = 1,
    workers=None,
) -> list:
    """Run ``(x, y, given)`` label queries on ``frame``, each with the test its columns call for.

    Parameters
    ----------
    frame : DataFrame
        Float columns are continuous, the others discrete.  Never modified.
    queries : list of (x, y, given)
        Column labels; ``given`` a tuple of labels.
    method : str or CITest
        A registered test (:data:`CI_TESTS`) or a test object; "auto" by default.
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
    early_reject : bool, default False
        With ``early_stop``, also stop a kNN test early the other way: when
        none of its first ``reject_after`` surrogates (27 at ``alpha = 0.05``
        with 99 surrogates, see :func:`knn_stopping`) reaches its statistic,
        it stops with ``p = 1 / (reject_after + 1)`` (``reject_after`` of
        ``knn_ci_test``; a test that runs on reports the exact p-value of the
        two-sided design, which keeps them valid).  Clear dependence then
        costs 27 surrogates instead of ``knn_permutations``.  Only when
        ``knn_permutations`` is larger than ``ceil(2 / alpha) - 1``.
    n_jobs : int, default 1
        Threads running the kNN and Gaussian queries (-1: one per CPU).  Each
        query draws from its own stream, so the results are the same for any
        ``n_jobs``.
    workers : TestWorkers, optional
        Worker processes that run the kNN queries instead of ``n_jobs``
        threads (a structure learner keeps one set for its whole search).

    Returns
    -------
    list of CITestResult, in query order.
    """
    test = lookup_ci_test(method)
    labels = list(frame.columns)
    try:
        ranked = sorted(labels)
    except TypeError:
        ranked = sorted(labels, key=lambda c: (type(c).__name__, str(c)))
    rank = {label: i for i, label in enumerate(ranked)}
    entropy = seed_entropy(seed)
    n_jobs = check_n_jobs(n_jobs)
    knn_permutations = check_n_permutations(knn_permutations, "knn_permutations")
    stop = (None, None)
    if early_stop:
        stop = knn_stopping(alpha, knn_permutations, early_reject)
    context = CIContext(
        alpha=alpha,
        n_permutations=n_permutations,
        entropy=entropy,
        n_jobs=n_jobs,
        progress=progress,
        rank=rank,
        k=k,
        knn_permutations=knn_permutations,
        knn_stop=stop,
        workers=workers,
    )
    return run_ci_queries(test, frame, list(queries), context)


def rank_pair_tests(
    frame: pd.DataFrame,
    pairs,
    *,
    n_permutations: int = 199,
    k=None,
    alpha: float = 0.05,
    seed=None,
) -> list:
    """Unconditional tests of pairs of continuous columns, with one exact null shared by all.

    The statistic is the KSG mutual information (algorithm 1, max-norm, the
    kNN tests' ``k``) of the two columns' ranks, ties broken at random.
    Under independence the ranks of Y in the order of X's are a uniformly
    random permutation whatever the two marginal laws (random tie-breaking
    included), so the statistic's null law depends on the number of rows
    only: ``n_permutations`` random permutations give one exact Monte Carlo
    null for every pair, and each pair costs one statistic instead of its
    own surrogates.  p-value ``(1 + #{null >= observed}) / (1 + B)``.

    Parameters
    ----------
    frame : DataFrame
        The pairs' columns must be numeric (continuous); never modified.
    pairs : list of (x, y)
        Column labels.
    n_permutations : int
    k : int, float or None
        As for :func:`mistruct.independence.knn_ci_test`.
    alpha : float
    seed : None, int or Generator
        Tie-breaking of each column draws from a stream keyed by ``seed`` and
        the column's rank in sorted label order; the null from one keyed by
        ``seed`` and the number of rows.

    Returns
    -------
    list of CITestResult (``method="knn-rank-permutation"``), in pair order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(300)
    >>> frame = pd.DataFrame({"x": x, "y": np.cos(2 * x) + 0.3 * rng.standard_normal(300),
    ...                       "z": rng.exponential(size=300)})
    >>> [r.independent for r in rank_pair_tests(frame, [("x", "y"), ("x", "z")], seed=0)]
    [False, True]
    """
    n = len(frame)
    k = _resolve_k(k, n)
    entropy = seed_entropy(seed)
    labels = list(frame.columns)
    try:
        ranked = sorted(labels)
    except TypeError:
        ranked = sorted(labels, key=lambda c: (type(c).__name__, str(c)))
    rank = {label: i for i, label in enumerate(ranked)}
    scaled = {}

    def ranks(label):
        if label not in scaled:
            values = numeric_block(frame[label], str(label))[:, 0]
            rng = query_rng(entropy, (rank[label],))
            order = np.lexsort((rng.random(n), values))  # ties in a random order
            out = np.empty(n)
            out[order] = np.arange(n) / n
            scaled[label] = out[:, None]
        return scaled[label]

    null = _rank_null(entropy, n, k, n_permutations)
    results = []
    for x, y in pairs:
        observed = mi_nats(ranks(x), ranks(y), k)
        pvalue = fixed_pvalue(np.count_nonzero(null >= observed), n_permutations)
        results.append(
            CITestResult(
                statistic=2.0 * n * observed,
                pvalue=float(pvalue),
                dof=None,
                cmi=observed / math.log(2.0),
                method="knn-rank-permutation",
                alpha=alpha,
                independent=bool(pvalue > alpha),
                n_permutations=n_permutations,
                estimator="ksg-ranks",
                n=n,
                n_strata=0,
            )
        )
    return results


#: Nulls of rank_pair_tests by (entropy, rows, k, permutations): a learner asks for the same
#: one with every batch of its level-0 tests.
_RANK_NULLS: dict = {}


def _rank_null(entropy: int, n: int, k: int, n_permutations: int) -> np.ndarray:
    """The shared null of :func:`rank_pair_tests` (drawn once per key, then reused)."""
    key = (entropy, n, k, n_permutations)
    if key not in _RANK_NULLS:
        rng = query_rng(entropy, (0, 0, n))
        grid = (np.arange(n) / n)[:, None]
        null = np.array(
            [mi_nats(grid, grid[rng.permutation(n)], k) for _ in range(n_permutations)]
        )
        null.flags.writeable = False
        if len(_RANK_NULLS) >= 8:
            _RANK_NULLS.pop(next(iter(_RANK_NULLS)))
        _RANK_NULLS[key] = null
    return _RANK_NULLS[key]


def knn_stopping(alpha: float, n_permutations: int, early_reject: bool) -> tuple:
    """``(h, reject_after)`` of the kNN tests of a structure learner at ``alpha``.

    ``h`` stops a test at its h-th exceedance only where every continuation
    would end with ``p > alpha`` too, so the decision is that of all the
    surrogates.  With ``early_reject`` (and ``n_permutations`` above
    ``ceil(2 / alpha) - 1``), ``reject_after`` is the smallest count of
    surrogates whose early stop leaves the run-through test rejecting with
    as many exceedances as ``ceil(2 / alpha) - 1`` would (an early stop
    spending ``alpha / 2``): 27 instead of 39 at ``alpha = 0.05`` with 99
    surrogates, both rejecting with up to 3 exceedances of 99.  A test rejects
    when its first ``reject_after`` surrogates all stay below its statistic
    or when, run through, few enough reach it; with the same second count, a
    shorter first stage rejects in more cases (more power), still at level
    ``alpha`` (:func:`~mistruct.knn_independence.two_sided_stop_pvalue` is
    exact for every ``reject_after``), and decides a clear dependence with
    fewer surrogates.

    Examples
    --------
    >>> knn_stopping(0.05, 199, True)
    (9, 34)
    >>> knn_stopping(0.05, 99, True)
    (4, 27)
    >>> knn_stopping(0.05, 199, False)
    (10, None)
    """
    if not early_reject or math.ceil(2 / alpha) - 1 >= n_permutations:
        return max(1, math.floor(alpha * (n_permutations + 1))), None
    def rejecting(reject_after):  # the most exceedances a run-through test rejects with
        count = -1
        while (
            count + 1 < n_permutations
            and two_sided_stop_pvalue(count + 1, n_permutations, reject_after) <= alpha
        ):
            count += 1
        return count

    reference = math.ceil(2 / alpha) - 1
    wanted = rejecting(reference)
    # An early stop's p-value 1 / (reject_after + 1) must itself be at most alpha.
    reject_after = next(
        m for m in range(math.ceil(1 / alpha) - 1, reference + 1) if rejecting(m) >= wanted
    )
    spent = 1.0 / (reject_after + 1)
    # Stop at the h-th exceedance only where running on could not reject: h past the
    # largest count that rejects, and a stop's own p-value (h / L + spent) above alpha.
    h = rejecting(reject_after) + 1
    h = max(h, math.floor((alpha - spent) * n_permutations) + 1)
    return max(1, h), reject_after


def check_test_fits(frame: pd.DataFrame, method: str, name: str = "method"):
    """Errors, before any work, for a test that the columns of ``frame`` cannot take.

    A discrete test on a table with float columns, and ``"gaussian"`` on a
    table with non-numeric columns.
    """
    test = lookup_ci_test(method, name)
    floats = [c for c, kind in column_kinds(frame).items() if kind == "continuous"]
    if floats and "continuous" not in test.kinds:
        raise InvalidInputError(
            f"{name}={test.name!r} is a test of discrete columns, but {floats!r} are float; use "
            f"{name}='auto' (kNN tests where a float column is involved) or 'gaussian', or "
            "discretize the float columns first (mistruct.Discretizer)."
        )
    if test.name == "gaussian":
        # Numbers only: a partial correlation needs them (constant columns are for the
        # caller: PC leaves them isolated).
        numeric_block(frame, "data", allow_constant=True)


def has_float_columns(frame: pd.DataFrame) -> bool:
    """Whether any column of ``frame`` is float (continuous)."""
    return "continuous" in column_kinds(frame).values()

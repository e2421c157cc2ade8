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
import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

import numpy as np
import pandas as pd

from mistruct.data import column_kinds, encode
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.independence._core import (
    METHODS,
    CITestResult,
    check_options,
    query_rng,
    seed_entropy,
)

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

_DISCRETE_STAND_IN = {"knn-permutation": "permutation"}


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

    n_jobs = check_n_jobs(n_jobs)
    h, reject_after = (None, None)
    if early_stop:
        h, reject_after = knn_stopping(alpha, knn_permutations, early_reject)

    results = [None] * len(queries)
    discrete_queries = []
    numeric = []  # (position, thunk) of the kNN and Gaussian queries
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
            numeric.append(
                (position, partial(gaussian_ci_test, frame[x], frame[y], z, alpha=alpha))
            )
        else:
            rng = query_rng(entropy, _order_free_key(rank, x, y, given))
            thunk = partial(
                knn_ci_test,
                frame[x],
                frame[y],
                z,
                k=k,
                n_permutations=knn_permutations,
                alpha=alpha,
                seed=rng,
                h=h,
                reject_after=reject_after,
            )
            numeric.append((position, thunk))

    def run(item):
        result = item[1]()
        if progress is not None:
            progress.update(1)
        return result

    if workers is not None and method != "gaussian" and len(numeric) > 1:
        outcomes = workers.map([thunk for _, thunk in numeric])
        if progress is not None:
            progress.update(len(numeric))
    elif n_jobs > 1 and len(numeric) > 1:
        with ThreadPoolExecutor(min(n_jobs, len(numeric))) as pool:
            outcomes = list(pool.map(run, numeric))
    else:
        outcomes = [run(item) for item in numeric]
    for (position, _), outcome in zip(numeric, outcomes, strict=True):
        results[position] = outcome

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
        As for :func:`mistruct.knn_independence.knn_ci_test`.
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
    from mistruct.continuous import _mi_nats, _numeric_block
    from mistruct.knn_independence import _resolve_k

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
            values = _numeric_block(frame[label], str(label))[:, 0]
            rng = query_rng(entropy, (rank[label],))
            order = np.lexsort((rng.random(n), values))  # ties in a random order
            out = np.empty(n)
            out[order] = np.arange(n) / n
            scaled[label] = out[:, None]
        return scaled[label]

    rng = query_rng(entropy, (0, 0, n))
    grid = (np.arange(n) / n)[:, None]
    null = np.array(
        [_mi_nats(grid, grid[rng.permutation(n)], k) for _ in range(n_permutations)]
    )
    results = []
    for x, y in pairs:
        observed = _mi_nats(ranks(x), ranks(y), k)
        pvalue = (1.0 + np.count_nonzero(null >= observed)) / (1.0 + n_permutations)
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
    from mistruct.knn_independence import two_sided_stop_pvalue

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


def _call(thunk):
    return thunk()


def _warm_up() -> int:
    import mistruct.knn_independence  # noqa: F401  (the worker's imports, done once)

    return os.getpid()


class TestWorkers:
    """Worker processes for the kNN tests of a structure learner's search.

    A kNN test is thousands of NumPy calls on arrays of a few thousand
    elements; each call takes and gives back the GIL, so threads running
    such tests wait on each other (measured: two threads, 1.0 times the
    speed of one).  Processes run them side by side.  The workers are
    started once (forked where the platform can; elsewhere spawned, and a
    script then needs the usual ``if __name__ == "__main__":`` guard) and
    fed the tests as picklable calls, each with its own random stream, so
    the results are those of one process.  Where processes cannot run the
    tests run on threads, with a warning.

    Use as a context manager, or call :meth:`close`.
    """

    __test__ = False  # not a pytest class, despite its name

    def __init__(self, n_jobs: int):
        self.n_jobs = int(n_jobs)
        self._pool = None
        if getattr(multiprocessing.current_process(), "_inheriting", False):
            # A worker re-running the caller's unguarded script: stop it here, before it
            # repeats the whole search (the caller then runs the tests on threads).
            raise RuntimeError(
                "n_jobs > 1 starts worker processes, which import the calling script again: "
                "put the call under 'if __name__ == \"__main__\":'."
            )
        try:
            # fork where there is one: the workers start at once, with this process's
            # modules, and never import the caller's script again; spawn elsewhere.
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            context = multiprocessing.get_context(method)
            self._pool = ProcessPoolExecutor(self.n_jobs, mp_context=context)
            # Start the workers now: their start overlaps the caller's first work.  With
            # fork they all start here; Python >= 3.12 warns about forking a process with
            # threads (BLAS's idle pool): the workers only run NumPy tests.
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", r".*fork\(\) may lead to deadlocks", DeprecationWarning
                )
                for _ in range(self.n_jobs):
                    self._pool.submit(_warm_up)
        except (OSError, RuntimeError, ValueError, NotImplementedError) as error:
            self._fall_back(error)

    def _fall_back(self, error) -> None:
        warnings.warn(
            f"the kNN tests run on {self.n_jobs} threads instead of worker processes "
            f"({type(error).__name__}: {error}); results are the same, but threads gain "
            "little here. In a script, put the call under 'if __name__ == \"__main__\":'.",
            RuntimeWarning,
            stacklevel=4,
        )
        self.close()

    def map(self, thunks) -> list:
        """Each call's result, in order."""
        if self._pool is not None:
            try:
                return list(self._pool.map(_call, thunks))
            except BrokenProcessPool as error:
                self._fall_back(error)
        with ThreadPoolExecutor(self.n_jobs) as pool:
            return list(pool.map(_call, thunks))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_n_jobs(n_jobs) -> int:
    """``n_jobs`` as a positive thread count (-1: one per CPU), or a clear error."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 or (
        n_jobs < -1
    ):
        raise InvalidInputError(
            f"n_jobs must be a positive integer or -1 (one thread per CPU), got {n_jobs!r}."
        )
    return max(1, os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)


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

        # Numbers only: a partial correlation needs them (constant columns are for the
        # caller: PC leaves them isolated).
        _numeric_block(frame, "data", allow_constant=True)


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

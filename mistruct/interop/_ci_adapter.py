"""mistruct's tests as a pgmpy CI test: ``PC(ci_test=PgmpyCITest(data)).fit(data)``.

pgmpy 1.1's PC calls its test as ``ci_test(X, Y, Z, significance_level=alpha)``
without the data and reads a truthy return as "independent" (a tuple would
be truthy, silently deleting every edge, so this returns a plain bool).
``orient_rule="pvalue"`` / ``"effect"`` then reads ``p_value_`` and
``effect_size_`` from the test object right after a call.  The deprecated
``pgmpy.estimators.PC(data).estimate(ci_test=...)`` passes ``data=`` and
``independencies=`` as keywords; they are accepted and ignored.

Nothing here imports pgmpy: the adapter only has to be callable.
"""

from __future__ import annotations

import dataclasses
import numbers
import threading

from mistruct.data._table import encode
from mistruct.exceptions import ColumnNotFoundError, InvalidInputError
from mistruct.independence._core import (
    CITestResult,
    check_options,
    decide,
    seed_entropy,
)

__all__ = ["PgmpyCITest"]


class PgmpyCITest:
    """A mistruct conditional independence test that pgmpy's PC can call.

    The data are encoded once, here; every call counts one query's strata
    and runs the chosen test.  Results are cached by query (``X``/``Y`` order
    and ``Z`` order do not matter), so PC's repeated queries (e.g. with
    ``orient_rule="pvalue"``) cost nothing.

    Parameters
    ----------
    data : DataFrame
        The table PC is fitted on; never modified.  Continuous columns (float,
        or integer measurements by :func:`mistruct.data.column_kinds`) need
        one of the methods for them (below).
    method : {"auto", "g-test", "g-test-adjusted", "permutation", "sequential", \
"knn-permutation", "gaussian"}
        See :func:`mistruct.ci_test`.  On a table with continuous columns,
        ``"auto"`` runs the kNN local-permutation test on every query with a
        float column (``knn_permutations`` surrogates) and the adjusted
        G-test on the others; ``"knn-permutation"`` the same with the exact
        permutation test on the others; ``"gaussian"`` partial correlation
        (numeric columns).  On a discrete table ``"auto"`` picks per query
        the adjusted G-test or the exact sequential test, as
        :func:`mistruct.ci_test` does.
    n_permutations, estimator, h : see :func:`mistruct.ci_test`
    seed : None, int or numpy.random.Generator, default 0
        Each query draws from a stream keyed by the seed and the query, so a
        PC run is reproducible whatever order or thread the tests run in.
    missing : {"error", "drop", "category"}
        Missing value handling; ``"drop"`` drops rows with any missing value.
    cache : bool, default True
        Keep each query's result.
    knn_permutations : int, default 200
        Surrogates of each kNN test.
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds`.

    Attributes
    ----------
    statistic_, p_value_, effect_size_, dof_ : float
        Of the latest call made by the calling thread (pgmpy reads them after
        a call); ``effect_size_`` is the CMI in bits.  ``p_value_`` is always
        the computed p-value, also for a test without evidence (where it is
        1 while the call returns False).
    result_ : CITestResult
        The latest result, with ``alpha`` and ``independent`` for the
        significance level of that call (``independent`` is None for a test
        without evidence).

    Notes
    -----
    Thread safe: PC's default ``variant="parallel"`` shares one instance
    across threads.  The cache is guarded by a lock and the ``*_`` attributes
    are per thread.  The decision is ``p_value > significance_level`` (pgmpy's
    own tests use ``>=``; the two differ only on exact ties).

    pgmpy's protocol has two answers only.  A test without evidence (no
    stratum where both X and Y vary: Z determines one of them) is answered
    "dependent" (False), so PC keeps the edge rather than delete it on no
    evidence; its ``p_value_`` stays the computed one (1) and
    ``result_.no_evidence`` is True.  A column constant over all rows is
    independent of everything: every call with it answers True.

    A query's random stream is keyed by the seed and the query's labels, so
    the answers do not depend on the order of the table's columns.

    Examples
    --------
    >>> from mistruct.interop.datasets import sample_network
    >>> frame = sample_network("asia", 2000, seed=0).data
    >>> test = PgmpyCITest(frame, method="g-test")
    >>> test("smoke", "asia", [], significance_level=0.01)
    True
    >>> test("tub", "either", [], significance_level=0.01), round(test.p_value_, 6)
    (False, 0.0)

    ``either`` is ``tub`` or ``lung``: given both, it cannot vary, so that
    test has no evidence and answers False with the computed p-value 1.

    >>> test("either", "xray", ["tub", "lung"], significance_level=0.01), test.p_value_
    (False, 1.0)
    >>> test.result_.no_evidence, test.result_.independent
    (True, None)

    With pgmpy's PC (see docs/independence.md)::

        from pgmpy.causal_discovery import PC
        pc = PC(ci_test=test, significance_level=0.01).fit(frame)
        pc.skeleton_.edges()
    """

    def __init__(
        self,
        data,
        method: str = "auto",
        *,
        n_permutations: int = 1000,
        estimator: str = "plugin",
        h: int = 20,
        seed=0,
        missing: str = "error",
        cache: bool = True,
        knn_permutations: int = 200,
        discrete=None,
        continuous=None,
    ):
        from mistruct.independence._api import _check_discrete, _door, _float_columns
        from mistruct.independence._by_kind import (
            NUMERIC_TEST_METHODS,
            check_knn_permutations,
            check_method,
            check_test_fits,
            discrete_method,
        )

        check_method(method)
        stand_in = "g-test" if method == "gaussian" else discrete_method(method)
        if method == "auto":
            stand_in = "auto"  # the per-query choice of mistruct.ci_test
        self._options = check_options(stand_in, 0.05, n_permutations, estimator, h, False)
        self.knn_permutations = check_knn_permutations(knn_permutations)
        frame = _door(data, discrete, continuous)
        self._frame = None
        floats = _float_columns(frame, frame.columns)
        if method == "gaussian" or (method in NUMERIC_TEST_METHODS and floats):
            # Tests chosen by the columns of each query (kNN where a float column is involved).
            from mistruct.structure._chow_liu import _numeric_rows

            self._frame = _numeric_rows(frame, missing)
            check_test_fits(self._frame, method)
            self._table = None
            names = tuple(self._frame.columns)
        else:
            _check_discrete(frame, list(frame.columns))
            self._table = encode(frame, missing=missing)
            names = self._table.names
        self._index = {name: i for i, name in enumerate(names)}
        self._names = names
        self._entropy = seed_entropy(seed)
        self.method = method
        self.n_permutations = n_permutations
        self.estimator = estimator
        self.h = h
        self.cache = cache
        self._init_state()

    def _init_state(self):
        self._cache: dict = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._latest = None

    def __getstate__(self):
        # Locks and thread-local storage do not pickle (joblib's process backends).
        state = self.__dict__.copy()
        for name in ("_lock", "_local", "_latest"):
            state.pop(name)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_state()

    def __repr__(self):
        return (
            f"PgmpyCITest(method={self.method!r}, n_permutations={self.n_permutations}, "
            f"estimator={self.estimator!r}, columns={len(self._index)}, rows={self._n_rows})"
        )

    # ------------------------------------------------------------ pgmpy protocol

    def __call__(self, X, Y, Z=(), significance_level: float = 0.05, **kwargs) -> bool:
        """Return True when ``X ⟂ Y | Z`` is not rejected at ``significance_level``."""
        return self.is_independent(X, Y, Z, significance_level)

    def is_independent(self, X, Y, Z=(), significance_level: float = 0.05) -> bool:
        """Run the test and return the decision as a plain bool.

        A test with no informative stratum (Z determines X or Y, so G = 0
        whatever the truth) returns False: no evidence of independence, so
        PC keeps the edge, as :func:`mistruct.structure.pc_skeleton` does.
        A constant X or Y returns True (independent of everything).
        """
        result = self.test(X, Y, Z, significance_level)
        return result.independent is True

    def run_test(self, X, Y, Z=()):
        """Run the test and return ``(statistic, p_value)`` (pgmpy's ``run_test``)."""
        result = self.test(X, Y, Z)
        return result.statistic, result.pvalue

    def test(self, X, Y, Z=(), significance_level: float = 0.05) -> CITestResult:
        """The full :class:`CITestResult` of one query."""
        if (
            isinstance(significance_level, bool)
            or not isinstance(significance_level, numbers.Real)
            or not 0 < significance_level < 1
        ):
            raise InvalidInputError(
                "significance_level must be a number strictly between 0 and 1, got "
                f"{significance_level!r} (e.g. 0.05, not the string '0.05')."
            )
        key = self._key(X, Y, Z)
        result = self._cache.get(key) if self.cache else None
        if result is None:
            result = self._compute(key)
            if self.cache:
                with self._lock:
                    result = self._cache.setdefault(key, result)
        result = dataclasses.replace(
            result,
            alpha=float(significance_level),
            independent=decide(result, significance_level),
        )
        self._local.result = result
        self._latest = result
        return result

    def _key(self, X, Y, Z):
        if isinstance(Z, (str, bytes)) or not hasattr(Z, "__iter__"):
            Z = (Z,)
        Z = tuple(Z)
        unknown = [v for v in (X, Y, *Z) if v not in self._index]
        if unknown:
            raise ColumnNotFoundError(
                f"variable(s) {', '.join(repr(v) for v in unknown)} not in the data the test "
                f"was built on (columns: {', '.join(repr(c) for c in list(self._index)[:20])})."
            )
        if X == Y:
            raise InvalidInputError(f"X and Y are the same variable ({X!r}).")
        if X in Z or Y in Z:
            raise InvalidInputError(
                f"{X if X in Z else Y!r} is tested and also in the conditioning set {list(Z)}."
            )
        x, y = sorted((self._index[X], self._index[Y]))
        given = tuple(sorted({self._index[v] for v in Z}))
        return (x, y, given)

    @property
    def _n_rows(self) -> int:
        return self._table.n_rows if self._table is not None else len(self._frame)

    def _compute(self, key):
        from mistruct.independence._api import _run_queries

        x, y, given = key
        if self._frame is not None:
            from mistruct.independence._by_kind import ci_tests_by_kind

            names = self._names
            query = (names[x], names[y], tuple(names[g] for g in given))
            # No early stop: pgmpy compares the p-value with its own significance level.
            return ci_tests_by_kind(
                self._frame,
                [query],
                method=self.method,
                n_permutations=self.n_permutations,
                knn_permutations=self.knn_permutations,
                seed=self._entropy,
                early_stop=False,
            )[0]
        # Oriented and seeded by the labels, as mistruct.ci_test does.
        return _run_queries(self._table, [key], self._options, self._entropy, self._names)[0]

    # ------------------------------------------------------------ latest result

    @property
    def result_(self) -> CITestResult:
        result = getattr(self._local, "result", None)
        if result is None:
            result = self._latest
        if result is None:
            raise AttributeError("no test has run yet; call the test first.")
        return result

    @property
    def statistic_(self) -> float:
        return self.result_.statistic

    @property
    def p_value_(self) -> float:
        return self.result_.pvalue

    @property
    def effect_size_(self) -> float:
        return self.result_.cmi

    @property
    def dof_(self) -> int:
        return self.result_.dof

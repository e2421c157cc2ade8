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
import threading

import pandas as pd

from mistruct._validation import check_alpha, check_missing
from mistruct.data import apply_kinds, apply_missing, as_frame, encode
from mistruct.exceptions import ColumnNotFoundError, ContinuousDataError, InvalidInputError
from mistruct.independence import (
    DISCRETE_METHODS,
    CITestResult,
    check_options,
    check_test_fits,
    ci_tests_by_kind,
    decide,
    discrete_method,
    lookup_ci_test,
    run_queries,
    seed_entropy,
)

#: Surrogates of each kNN test when ``n_permutations`` is None (as in version 0.1).
KNN_PERMUTATIONS = 200

#: Null tables of each discrete permutation test when ``n_permutations`` is None.
DISCRETE_PERMUTATIONS = 1000

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
    ci_test : str or mistruct.independence.CITest, default "auto"
        A registered test (:data:`mistruct.independence.CI_TESTS`: ``"auto"``,
        ``"g-test"``, ``"g-test-adjusted"``, ``"permutation"``,
        ``"sequential"``, ``"knn"``, ``"gaussian"`` and any test registered
        with :func:`mistruct.independence.register_ci_test`) or a test object.
        See :func:`mistruct.ci_test`.  ``"auto"`` runs, per query, the kNN
        local-permutation test where a continuous column is involved and,
        between discrete columns, the adjusted G-test or the exact
        sequential test, as :func:`mistruct.ci_test` does.
    n_permutations : int or None, default None
        Resamples of each test; None: each test's default (1000 null tables
        for the discrete permutation tests, 200 surrogates for the kNN test).
    estimator, h : see :func:`mistruct.ci_test`
    seed : None, int or numpy.random.Generator, default 0
        Each query draws from a stream keyed by the seed and the query, so a
        PC run is reproducible whatever order or thread the tests run in.
    missing : {"error", "drop", "category"}
        Missing value handling; ``"drop"`` drops rows with any missing value.
    cache : bool, default True
        Keep each query's result.
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

    See Also
    --------
    mistruct.independence.ci_test : the same tests, one query at a time.
    mistruct.structure.pc : mistruct's own PC.

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
    >>> test = PgmpyCITest(frame, ci_test="g-test")
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
        ci_test="auto",
        *,
        n_permutations: int | None = None,
        estimator: str = "plugin",
        h: int = 20,
        seed=0,
        missing: str = "error",
        cache: bool = True,
        discrete=None,
        continuous=None,
    ):
        test = lookup_ci_test(ci_test, "ci_test")
        name = test.name
        stand_in = name if name in DISCRETE_METHODS else discrete_method(name)
        self._options = check_options(
            stand_in,
            0.05,
            DISCRETE_PERMUTATIONS if n_permutations is None else n_permutations,
            estimator,
            h,
            False,
        )
        self.knn_permutations = KNN_PERMUTATIONS if n_permutations is None else n_permutations
        check_missing(missing)
        frame = apply_kinds(as_frame(data), discrete=discrete, continuous=continuous)
        self._frame = None
        floats = [
            c
            for c in frame.columns
            if pd.api.types.is_float_dtype(frame[c].dtype)
            and not isinstance(frame[c].dtype, pd.CategoricalDtype)
        ]
        if floats and "continuous" not in test.kinds:
            raise ContinuousDataError(
                f"ci_test={name!r} is a test of discrete columns, but {floats!r} are continuous "
                "(float); use ci_test='auto' (kNN tests where a continuous column is involved), "
                "'knn' or 'gaussian', pass discrete=[...] if their values are categories, or bin "
                "them first (mistruct.Discretizer)."
            )
        if not floats and (name in DISCRETE_METHODS or name == "knn"):
            # A discrete table: the discrete engine, keyed by the labels as ci_test keys it
            # ("knn" stands for the exact permutation test on discrete queries).
            self._table = encode(frame, missing=missing)
            names = self._table.names
        else:
            # Tests chosen by the columns of each query (kNN where a float column is involved),
            # and every test not built on the discrete engine.
            self._frame = apply_missing(frame, missing)
            check_test_fits(self._frame, test, "ci_test")
            self._table = None
            names = tuple(self._frame.columns)
        self._index = {label: i for i, label in enumerate(names)}
        self._names = names
        self._entropy = seed_entropy(seed)
        self._test = test
        self.ci_test = name
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
            f"PgmpyCITest(ci_test={self.ci_test!r}, n_permutations={self.n_permutations}, "
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
        pgmpy's PC keeps the edge (pgmpy's protocol has no third answer;
        :func:`mistruct.structure.pc_skeleton` applies its own rule for such
        tests, see its Notes).  A constant X or Y returns True (independent
        of everything).
        """
        result = self.test(X, Y, Z, significance_level)
        return result.independent is True

    def run_test(self, X, Y, Z=()):
        """Run the test and return ``(statistic, p_value)`` (pgmpy's ``run_test``)."""
        result = self.test(X, Y, Z)
        return result.statistic, result.pvalue

    def test(self, X, Y, Z=(), significance_level: float = 0.05) -> CITestResult:
        """The full :class:`CITestResult` of one query."""
        check_alpha(significance_level, "significance_level")
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
        x, y, given = key
        if self._frame is not None:
            names = self._names
            query = (names[x], names[y], tuple(names[g] for g in given))
            # No early stop: pgmpy compares the p-value with its own significance level.
            return ci_tests_by_kind(
                self._frame,
                [query],
                method=self._test,
                n_permutations=self._options.n_permutations,
                knn_permutations=self.knn_permutations,
                seed=self._entropy,
                early_stop=False,
            )[0]
        # Oriented and seeded by the labels, as mistruct.ci_test does.
        return run_queries(self._table, [key], self._options, self._entropy, self._names)[0]

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

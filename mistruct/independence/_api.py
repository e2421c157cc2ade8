"""Public entry points: one test, many tests, tests on encoded tables and on count tables."""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd

from mistruct._validation import check_missing
from mistruct.data import (
    DaskTable,
    EncodedTable,
    apply_kinds,
    as_frame,
    is_dask_collection,
)
from mistruct.exceptions import (
    ColumnNotFoundError,
    InvalidInputError,
)
from mistruct.independence._core import (
    DISCRETE_METHODS,
    CITestResult,
    Strata,
    check_options,
    query_rng,
    run_test,
    seed_entropy,
)
from mistruct.independence._dask import dask_ci_tests, dask_run_queries
from mistruct.independence._discrete_tests import canonical, progress_bar, run_queries
from mistruct.independence._queries import (
    as_labels,
    check_correction,
    check_query,
    parse_queries,
    warn_no_evidence_queries,
    warn_sparse_queries,
)
from mistruct.independence._registry import (
    CIContext,
    check_kinds,
    lookup_ci_test,
    run_ci_queries,
)

# ---------------------------------------------------------------- helpers


def _door(data, discrete, continuous, missing="error") -> pd.DataFrame:
    """The user's table with its kinds stated by the dtypes (read once, at the door)."""
    check_missing(missing)
    return apply_kinds(as_frame(data), discrete=discrete, continuous=continuous)


def _index_query(table: EncodedTable, query, where=""):
    try:
        x, y, *rest = query
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{where}a query is (x, y) or (x, y, given) with column indices, got {query!r}."
        ) from None
    if len(rest) > 1:
        raise InvalidInputError(f"{where}a query has at most 3 parts (x, y, given), got {query!r}.")
    given = as_labels(rest[0]) if rest else ()
    p = table.n_columns
    for value in (x, y, *given):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < p:
            raise ColumnNotFoundError(
                f"{where}{value!r} is not a column index of the encoded table "
                f"(it has {p} columns, indices 0 .. {p - 1})."
            )
    x, y, given = int(x), int(y), tuple(int(g) for g in given)
    check_query(range(p), x, y, given, where)
    return canonical(x, y, given)


# ---------------------------------------------------------------- public API


def _dof_column(dofs):
    if any(d is None for d in dofs):  # kNN and Gaussian tests have no degrees of freedom
        return pd.array(dofs, dtype="Int64")
    return np.array(dofs, dtype=np.int64)


def _context(options, entropy, missing, parsed, *, single, **extra) -> CIContext:
    """The tests' context: the checked options, and the low-power warning of ``parsed``."""

    def low_power(table, queries, index_queries):
        warn_sparse_queries(queries, index_queries, table.cardinalities, table.n_rows,
                            total=len(parsed), single=single, stacklevel=5)

    return CIContext(
        alpha=options.alpha,
        n_permutations=options.n_permutations,
        entropy=entropy,
        missing=missing,
        estimator=options.estimator,
        h=options.h,
        low_power=low_power,
        **extra,
    )


def _options(test, alpha, n_permutations, estimator, h, return_null):
    """Check the options once, before any work, as the test will read them."""
    if test.name in DISCRETE_METHODS:
        return check_options(test.name, alpha, n_permutations, estimator, h, return_null)
    # Tests of continuous columns (and registered ones) take no estimator or h.
    return check_options("permutation", alpha, n_permutations, "plugin", 1, return_null)


def ci_test(
    data,
    x,
    y,
    given=(),
    *,
    method: str = "auto",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=0,
    return_null: bool = False,
    missing: str = "error",
    progress: bool = False,
    discrete=None,
    continuous=None,
) -> CITestResult:
    """Test whether columns ``x`` and ``y`` are independent given the columns ``given``.

    The statistic is the log-likelihood ratio ``G = 2 N I(X;Y|Z)`` (CMI in
    nats).  Its p-value comes from the chi-squared law (``"g-test"``,
    ``"g-test-adjusted"``) or from the exact within-stratum permutation null
    (``"permutation"``, ``"sequential"``), drawn as random tables with the
    margins of each stratum, never by shuffling rows.  The default
    ``"auto"`` picks, per query, the chi-squared law where it fits and the
    exact test where it does not.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Never modified.  Columns of an array are labelled ``0 .. p - 1``.
        Column kinds follow :func:`mistruct.data.column_kinds` (float and
        integer measurements continuous; bool, category, string, object and
        integer codes discrete), overridden by ``discrete`` / ``continuous``.
    x, y : label
        The two columns tested.
    given : label or list of labels, optional
        The conditioning set Z (empty: marginal independence).
    method : {"auto", "g-test", "g-test-adjusted", "permutation", "sequential", \
"knn", "gaussian"} or a registered name
        ``"auto"`` (default): on a query with a continuous column,
        ``"knn"``; otherwise the adjusted G-test where the
        chi-squared law fits the counts and the exact sequential test
        (``"permutation"`` when ``h > n_permutations``) where it does not.
        The rule: the expected excess of G over its degrees of freedom
        (Williams 1976, summed over strata) must be at most 0.05 standard
        deviations of the chi-squared law (see
        :func:`mistruct.independence.asymptotic_fits`); it is
        calibrated by simulation.  ``result.method`` says which test ran and
        ``result.note`` why.

        ``"g-test"``: chi-squared with ``(|X| - 1)(|Y| - 1)|Z|`` degrees of
        freedom, counting the levels of X and Y and the strata of Z that
        occur in the data; conservative on sparse strata (it counts degrees
        of freedom that empty rows and columns cannot use: with 2 rows per
        stratum it hardly ever rejects), anti-conservative on many thin
        strata with uniform margins.  ``"g-test-adjusted"``: degrees of
        freedom summed over strata from their non-empty rows and columns
        only (bnlearn's ``mi-adf``); anti-conservative on sparse strata
        (G's small-sample excess over its degrees of freedom adds up over
        strata: a 4 x 3 test given 1,000 strata of 2 rows rejects a true
        null almost always at alpha = 0.05).  Both are calibrated only where
        the counts support the asymptotics; ``result.note`` says when they
        do not.  ``"permutation"``: ``n_permutations`` null tables, p-value
        ``(1 + #{null >= G}) / (1 + B)``, exact at any sparsity.
        ``"sequential"``: Besag-Clifford sequential permutation; stops once
        ``h`` null values reach G, with p-value ``h / L`` after ``L`` draws,
        else ``(g + 1) / (B + 1)``; exact at any sparsity.  For numeric
        columns: ``"knn"``
        (:func:`mistruct.independence.knn_ci_test`, Frenzel-Pompe CMI with
        Runge's local permutation null) and ``"gaussian"`` (partial
        correlation, Fisher z: :func:`mistruct.independence.gaussian_ci_test`).
    alpha : float, default 0.05
        Significance level of the decision ``independent = pvalue > alpha``.
    n_permutations : int, default 1000
        Null tables to draw (the most the sequential test draws); at most
        10**7.
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}
        CMI estimator of the permutation statistic (see
        :mod:`mistruct.measures._estimators`); the asymptotic methods need
        ``"plugin"`` (``"auto"`` with another estimator runs an exact test).
    h : int, default 20
        Besag-Clifford's ``h`` for ``"sequential"``.
    seed : None, int or numpy.random.Generator, default 0
        Seeds the draws.  A query's random stream is keyed by the seed and
        the query's content (the labels of x and y and the set ``given``),
        so with an int the result is the same whether it runs here, in
        :func:`ci_tests` or through :class:`PgmpyCITest`, whatever the order
        of the table's columns, of ``x`` and ``y`` and of ``given``.
        The default 0 makes results reproducible; ``None`` draws fresh
        entropy: not reproducible.
    return_null : bool, default False
        Keep the null statistics in ``result.null_distribution``.
    missing : {"error", "drop", "category"}
        NaN/None handling; ``"drop"`` drops rows with a missing value in
        ``x``, ``y`` or ``given``.
    progress : bool, default False
        Show a progress bar while drawing (after a second).
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (integer columns
        with many levels for the rows are continuous measurements).

    Returns
    -------
    CITestResult
        ``independent`` is True, False, or None when the test carries no
        evidence (no stratum where both X and Y vary and repeat a value: Z
        determines X or Y, or X or Y is unique within every stratum, e.g.
        single-row strata); ``no_evidence`` and ``note`` say so.
        A column constant over all rows is independent of everything:
        ``independent=True`` with certainty.

    Raises
    ------
    ColumnNotFoundError, InvalidInputError, ContinuousDataError, MissingValuesError
        Before any work, for unknown columns, ``x == y``, ``x`` or ``y`` in
        ``given``, a bad option, continuous columns with a discrete method,
        or missing values.

    Warns
    -----
    NoEvidenceWarning
        When the test carries no evidence either way (see Returns).
    LowPowerWarning
        When Z has more possible configurations than there are rows.

    See Also
    --------
    ci_tests : many queries on one table, sharing the counting work.
    ci_test_from_table : the same tests from a count table.
    adjust_pvalues : correct many p-values for multiple testing.
    knn_ci_test : the kNN test on arrays.
    mistruct.measures.mutual_information : the (conditional) MI itself.

    Examples
    --------
    Y is a noisy copy of X; Z is unrelated.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 3, 500)
    >>> frame = pd.DataFrame({"x": x, "y": np.where(rng.random(500) < 0.7, x, 0),
    ...                       "z": rng.integers(0, 2, 500)})
    >>> result = ci_test(frame, "x", "y", given="z", method="g-test")
    >>> result.independent, result.dof
    (False, 8)
    >>> result = ci_test(frame, "x", "z", method="permutation", n_permutations=199, seed=1)
    >>> result.independent, result.n_permutations
    (True, 199)

    ``"auto"`` says which test it ran; here the counts are ample for the
    chi-squared law.

    >>> result = ci_test(frame, "x", "y", given="z")
    >>> result.method, result.independent
    ('g-test-adjusted', False)

    When Z determines X there is no evidence either way: not "independent".

    >>> frame["w"] = frame["x"] * 2
    >>> import warnings
    >>> from mistruct.independence import NoEvidenceWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", NoEvidenceWarning)
    ...     result = ci_test(frame, "x", "y", given="w")
    >>> result.independent, result.no_evidence, result.pvalue
    (None, True, 1.0)
    """
    if is_dask_collection(data):  # strata counted distributed (issue 16)
        results, parsed, _ = dask_ci_tests(
            data, [(x, y, given)], method=method, alpha=alpha, n_permutations=n_permutations,
            estimator=estimator, h=h, seed=seed, missing=missing, progress=progress,
            discrete=discrete, continuous=continuous, single=True, return_null=return_null,
        )
    else:
        test = lookup_ci_test(method)
        options = _options(test, alpha, n_permutations, estimator, h, return_null)
        frame = _door(data, discrete, continuous, missing)
        parsed = parse_queries([(x, y, given)], frame.columns, single=True)
        entropy = seed_entropy(seed)
        show = progress and test.name in ("auto", "permutation", "sequential")
        with progress_bar(show, options.n_permutations, "permutations") as bar:
            context = _context(options, entropy, missing, parsed, single=True,
                               return_null=options.return_null, draw_bar=bar)
            results = run_ci_queries(test, frame, parsed, context)
    warn_no_evidence_queries(parsed, results, single=True, stacklevel=3)
    return results[0]


def ci_tests(
    data,
    queries,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=0,
    correction: str | None = None,
    missing: str = "error",
    progress: bool = False,
    discrete=None,
    continuous=None,
) -> pd.DataFrame:
    """Run many conditional independence tests on one table, encoding it once.

    Parameters
    ----------
    data : DataFrame or 2-D array
    queries : iterable of tuples
        ``(x, y)`` or ``(x, y, given)``, ``given`` a label or a list of
        labels.
    method, alpha, n_permutations, estimator, h : see :func:`ci_test`
        With ``"auto"`` each query gets its own test (the ``method`` column
        says which ran): kNN where a continuous column is involved, else the
        adjusted G-test or the sequential test by the rule of
        :func:`ci_test`.
    seed : None, int or numpy.random.Generator, default 0
        Each query draws from its own stream derived from ``seed`` and the
        query's content, so a row is the same as :func:`ci_test` with the
        same seed.
    correction : {None, "holm", "bh"}
        Adjust the p-values for multiple testing: Holm's step-down
        (family-wise error) or Benjamini-Hochberg (false discovery rate).
        The decision ``independent`` then uses the adjusted p-values.
    missing : {"error", "drop", "category"}
        ``"drop"`` drops every row with a missing value in any column the
        queries use, so all tests see the same rows.
    progress : bool, default False
        Progress bar over the queries (after a second).
    discrete, continuous : list of labels, optional
        Labels of columns to treat as discrete / continuous, overriding the
        automatic rule of :func:`mistruct.data.column_kinds` (integer columns
        with many levels for the rows are continuous measurements).

    Returns
    -------
    DataFrame
        One row per query: ``x``, ``y``, ``given`` (a tuple), ``statistic``,
        ``cmi``, ``dof``, ``pvalue``, ``pvalue_adjusted`` (with a
        correction), ``independent`` (True, False, or None for a test
        without evidence), ``no_evidence``, ``method`` (the test that ran)
        and ``n_permutations``.

    Warns
    -----
    NoEvidenceWarning
        Once, naming the first query without evidence and the count.
    LowPowerWarning
        Once, when some query's Z has more configurations than rows.

    See Also
    --------
    ci_test : one query.
    adjust_pvalues : correct the p-values for multiple testing.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 2, 400)
    >>> b = a ^ (rng.random(400) < 0.1)
    >>> c = b ^ (rng.random(400) < 0.1)
    >>> frame = pd.DataFrame({"a": a, "b": b, "c": c})
    >>> out = ci_tests(frame, [("a", "b"), ("a", "c"), ("a", "c", "b")], correction="holm")
    >>> out[["x", "y", "given", "dof", "independent", "method"]]
       x  y given  dof independent           method
    0  a  b    ()    1       False  g-test-adjusted
    1  a  c    ()    1       False  g-test-adjusted
    2  a  c  (b,)    2        True       sequential

    In the third query ``a`` is rare within each level of ``b``, so the
    chi-squared law does not fit and ``"auto"`` ran the exact test.
    """
    if is_dask_collection(data):  # strata of all queries counted in one pass (issue 16)
        results, parsed, options = dask_ci_tests(
            data, queries, method=method, alpha=alpha, n_permutations=n_permutations,
            estimator=estimator, h=h, seed=seed, missing=missing, progress=progress,
            discrete=discrete, continuous=continuous, correction=correction,
        )
    else:
        test = lookup_ci_test(method)
        options = _options(test, alpha, n_permutations, estimator, h, False)
        check_correction(correction)
        frame = _door(data, discrete, continuous, missing)
        parsed = parse_queries(queries, frame.columns)
        entropy = seed_entropy(seed)
        results = []
        if parsed:
            check_kinds(test, frame, parsed)
            if missing == "drop":
                # Every test sees the same rows, whichever kind it is.
                columns = list(dict.fromkeys(c for q in parsed for c in (q[0], q[1], *q[2])))
                frame = frame.loc[frame[columns].notna().all(axis=1)]
            context = _context(options, entropy, missing, parsed, single=False,
                               query_bar=progress)
            results = run_ci_queries(test, frame, parsed, context)
    warn_no_evidence_queries(parsed, results, single=False, stacklevel=3)
    return _results_frame(results, parsed, options.alpha, method=method, correction=correction)


def _results_frame(results, parsed, alpha, *, method, correction) -> pd.DataFrame:
    """The DataFrame :func:`ci_tests` returns, one row per query, in-memory or Dask."""
    header = ["x", "y", "given", "statistic", "cmi", "dof", "pvalue"]
    header += ["pvalue_adjusted"] if correction else []
    header += ["independent", "no_evidence", "method", "n_permutations"]
    if not parsed:
        return pd.DataFrame(columns=header)
    out = pd.DataFrame(
        {
            "x": [q[0] for q in parsed],
            "y": [q[1] for q in parsed],
            "given": [tuple(q[2]) for q in parsed],
            "statistic": [r.statistic for r in results],
            "cmi": [r.cmi for r in results],
            "dof": _dof_column([r.dof for r in results]),
            "pvalue": [r.pvalue for r in results],
        }
    )
    decided = out["pvalue"]
    if correction:
        out["pvalue_adjusted"] = adjust_pvalues(out["pvalue"].to_numpy(), correction)
        decided = out["pvalue_adjusted"]
    no_evidence = [r.no_evidence for r in results]
    decisions = [
        None if silent else bool(p > alpha)
        for p, silent in zip(decided, no_evidence, strict=True)
    ]
    out["independent"] = pd.Series(decisions, dtype=object)
    out["no_evidence"] = no_evidence
    out["method"] = [r.method for r in results]
    out["n_permutations"] = np.array([r.n_permutations for r in results], dtype=np.int64)
    out.attrs.update(method=method, alpha=alpha, correction=correction)
    return out


def ci_tests_encoded(
    table: EncodedTable,
    queries,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=None,
    return_null: bool = False,
    progress: bool = False,
) -> list[CITestResult]:
    """Many tests on an already-encoded table: the batched kernel for structure learners.

    Parameters
    ----------
    table : mistruct.data.EncodedTable
        From :func:`mistruct.data.encode` (encode once, test many times).
    queries : iterable of tuples
        ``(x, y)`` or ``(x, y, given)`` with column *indices* of ``table``;
        ``given`` an index or a sequence of indices.
    method, alpha, n_permutations, estimator, h, return_null : see :func:`ci_test`
    seed : None, int or numpy.random.Generator, default 0
        Each query draws from a stream keyed by ``seed`` and the query
        (order-free: a PC run gives the same answers in any order).
    progress : bool, default False

    Returns
    -------
    list of CITestResult
        In the order of ``queries``.  No :class:`LowPowerWarning` is issued
        here; ``result.n_strata`` and ``result.n`` tell how sparse a test
        was.

    Examples
    --------
    >>> from mistruct.data import encode
    >>> table = encode(pd.DataFrame({"a": [0, 1] * 50, "b": [0, 1] * 50, "c": [0, 0, 1, 1] * 25}))
    >>> [r.independent for r in ci_tests_encoded(table, [(0, 1), (0, 2), (0, 2, [1])])]
    [False, True, None]

    Given ``b`` (equal to ``a``) no stratum lets ``a`` vary: no evidence either
    way, so ``independent`` is None.
    """
    if not isinstance(table, EncodedTable):
        raise InvalidInputError(
            f"table must be a mistruct.data.EncodedTable (from mistruct.data.encode), got "
            f"{type(table).__name__}; use ci_tests() for a DataFrame or an array."
        )
    options = check_options(method, alpha, n_permutations, estimator, h, return_null)
    if isinstance(queries, (str, bytes)) or not isinstance(queries, Iterable):
        raise InvalidInputError("queries must be a list of (x, y) or (x, y, given) tuples.")
    index_queries = [
        _index_query(table, q, f"query {number} ({q!r}): ") for number, q in enumerate(queries)
    ]
    entropy = seed_entropy(seed)
    if isinstance(table, DaskTable):  # all queries' strata in one pass (issue 16)
        return dask_run_queries(table, index_queries, options, entropy, table.names,
                                progress=progress)
    return run_queries(table, index_queries, options, entropy, table.names, progress=progress)


def ci_test_from_table(
    table,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=None,
    return_null: bool = False,
) -> CITestResult:
    """Test X ⟂ Y | Z from a table of counts with axes (X, Y, Z1, Z2, ...).

    A 2-D table tests marginal independence of its rows and columns.  The
    options are those of :func:`ci_test` (``method="auto"`` by default: the
    adjusted G-test where the chi-squared law fits the counts, the exact
    sequential test where it does not).

    Parameters
    ----------
    table : array_like of int
        Counts (finite, non-negative whole numbers, not all 0) with at least
        2 axes: X on axis 0, Y on axis 1, then one axis per conditioning
        variable Z1, Z2, ...
    method : {"auto", "g-test", "g-test-adjusted", "permutation", "sequential"}, \
default "auto"
        As in :func:`ci_test`: ``"auto"`` runs the adjusted G-test where the
        chi-squared law fits the counts and the exact sequential test
        (``"permutation"`` when ``h > n_permutations``) where it does not.
    alpha : float, default 0.05
        Significance level of the decision ``independent = pvalue > alpha``.
    n_permutations : int, default 1000
        Null tables to draw (the most the sequential test draws); at most
        10**7.
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}, default "plugin"
        CMI estimator of the permutation statistic (see
        :mod:`mistruct.measures._estimators`); the asymptotic methods need
        ``"plugin"`` (``"auto"`` with another estimator runs an exact test).
    h : int, default 20
        Besag-Clifford's ``h`` for ``"sequential"``.
    seed : None, int or numpy.random.Generator, default None
        Seeds the draws; ``None`` draws fresh entropy (not reproducible),
        an int makes the result reproducible.
    return_null : bool, default False
        Keep the null statistics in ``result.null_distribution``.

    See Also
    --------
    ci_test : the same tests on the rows of a table.
    mistruct.counting.stratified_tables : count tables from rows.

    Examples
    --------
    >>> ci_test_from_table([[30, 10], [10, 30]]).pvalue < 0.001
    True
    >>> stratified = np.stack([[[9, 3], [3, 1]], [[1, 3], [3, 9]]], axis=-1)
    >>> ci_test_from_table(stratified, method="permutation", seed=0).independent
    True
    """
    options = check_options(method, alpha, n_permutations, estimator, h, return_null)
    try:
        array = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError("table must be an array of counts.") from None
    if array.ndim < 2:
        raise InvalidInputError(f"table needs at least 2 axes (X, Y, then Z...), got {array.ndim}.")
    if array.size == 0 or not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InvalidInputError("table must be non-empty and hold finite, non-negative counts.")
    if np.any(array != np.round(array)):
        raise InvalidInputError(
            "table must hold counts (whole numbers); tests need counts, not probabilities."
        )
    if array.sum() == 0:
        raise InvalidInputError("table holds no observations (it sums to 0).")
    entropy = seed_entropy(seed)
    kx, ky = array.shape[:2]
    counts = np.moveaxis(array, (0, 1), (-2, -1)).reshape(-1, kx, ky).astype(np.int64)
    n_possible = int(np.prod(array.shape[2:], dtype=object)) if array.ndim > 2 else 1
    strata = Strata.from_counts(counts, kx, ky, n_possible)
    return run_test(strata, options, lambda: query_rng(entropy, ()))


def adjust_pvalues(pvalues, method: str = "holm") -> np.ndarray:
    """Multiple-testing adjusted p-values: Holm (FWER) or Benjamini-Hochberg (FDR).

    Parameters
    ----------
    pvalues : 1-D array-like of float
        P-values, each in [0, 1]; NaN is refused (drop the tests that have
        none first), as are values outside [0, 1] and arrays of more than
        one dimension (flatten them first, e.g. ``np.ravel``, and reshape
        the result).
    method : {"holm", "bh"}

    Returns
    -------
    ndarray
        Adjusted p-values, in the order of ``pvalues``, at most 1.

    Raises
    ------
    InvalidInputError
        For a bad ``method``, a non-numeric, NaN or out-of-range p-value,
        or an array that is not 1-D.

    See Also
    --------
    ci_tests : the p-values of many queries.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    if not isinstance(method, str) or method not in ("holm", "bh"):
        raise InvalidInputError(f"method={method!r} is not an option; use 'holm' or 'bh'.")
    try:
        p = np.array(pvalues, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError(
            "pvalues must be a 1-D list or array of numbers in [0, 1], got "
            f"{type(pvalues).__name__} with non-numeric values."
        ) from None
    if p.ndim != 1:
        raise InvalidInputError(
            f"pvalues must be 1-D, got an array of shape {p.shape}; adjust one family of tests "
            "at a time, or flatten it (np.ravel) and reshape the result."
        )
    if np.isnan(p).any():
        raise InvalidInputError(
            f"pvalues contains NaN at position(s) {np.flatnonzero(np.isnan(p))[:10].tolist()}; "
            "drop the tests that have no p-value first."
        )
    bad = (p < 0) | (p > 1)
    if bad.any():
        raise InvalidInputError(
            f"pvalues must lie in [0, 1]; got {p[bad][:5].tolist()} at position(s) "
            f"{np.flatnonzero(bad)[:10].tolist()}."
        )
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:
        adjusted = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out

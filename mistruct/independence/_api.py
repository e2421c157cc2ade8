"""Public entry points: one test, many tests, tests on encoded tables and on count tables."""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd

from mistruct.counts import contingency_table, joint_codes, pairwise_counts, stratified_tables
from mistruct.data import EncodedTable, as_frame, column_kinds, encode, select_columns
from mistruct.exceptions import (
    ColumnNotFoundError,
    ContinuousDataError,
    InvalidInputError,
)
from mistruct.independence._core import (
    CITestResult,
    Strata,
    check_options,
    query_rng,
    run_test,
    seed_entropy,
    warn_low_power,
)

CORRECTIONS = (None, "holm", "bh")


# ---------------------------------------------------------------- helpers


def _as_labels(given) -> tuple:
    """``given`` as a tuple of labels: None -> (), a scalar label -> (label,)."""
    if given is None:
        return ()
    if isinstance(given, (str, bytes)) or np.isscalar(given):
        return (given,)
    if isinstance(given, (list, tuple, pd.Index, np.ndarray, pd.Series)):
        return tuple(given)
    if isinstance(given, Iterable):
        return tuple(given)
    return (given,)


def _check_query(columns, x, y, given, where=""):
    """Errors for a query that names unknown columns or repeats one."""
    named = [x, y, *given]
    missing = [c for c in named if c not in columns]
    if missing:
        available = ", ".join(repr(c) for c in list(columns)[:20])
        more = " ..." if len(columns) > 20 else ""
        raise ColumnNotFoundError(
            f"{where}column(s) {', '.join(repr(c) for c in missing)} not found in the data; "
            f"available columns: {available}{more}"
        )
    if x == y:
        raise InvalidInputError(
            f"{where}x and y are the same column ({x!r}); a variable is never independent of "
            "itself. Test two different columns."
        )
    inside = [c for c in (x, y) if c in given]
    if inside:
        raise InvalidInputError(
            f"{where}{inside[0]!r} is tested (x or y) and also in the conditioning set "
            f"{list(given)!r}; given a variable, it carries no information, so the test would "
            "be meaningless. Remove it from `given`."
        )
    if len(set(given)) != len(given):
        raise InvalidInputError(f"{where}the conditioning set {list(given)!r} repeats a column.")


def _check_discrete(frame: pd.DataFrame, columns):
    kinds = column_kinds(frame[list(columns)])
    continuous = [c for c, kind in kinds.items() if kind == "continuous"]
    if continuous:
        raise ContinuousDataError(
            f"column(s) {', '.join(repr(c) for c in continuous)} are float (continuous), but "
            "these conditional independence tests count discrete values; use method='auto' "
            "or 'knn-permutation' (kNN tests of float columns), or bin them first, e.g. "
            "data = mistruct.Discretizer(n_bins=5).fit_transform(data), or cast them to int/str "
            "if their values are categories."
        )


@contextlib.contextmanager
def _progress_bar(enabled, total, desc):
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, delay=1.0, leave=False)
    try:
        yield bar
    finally:
        bar.close()


def _strata(table: EncodedTable, x: int, y: int, given: tuple) -> Strata:
    """Count one query's (z, x, y) tables: the only step that reads the rows."""
    cards = table.cardinalities
    kx, ky = int(cards[x]), int(cards[y])
    xc, yc = table.codes[:, x], table.codes[:, y]
    if not given:
        counts = contingency_table(xc, yc, kx, ky)[None]
        return Strata.from_counts(counts, kx, ky, 1)
    joint = joint_codes(table.codes[:, list(given)], cards[list(given)])
    counts = stratified_tables(xc, yc, joint.codes, kx, ky, joint.n_states)
    return Strata.from_counts(counts, kx, ky, joint.n_possible)


def _canonical(x: int, y: int, given) -> tuple[int, int, tuple]:
    x, y = (x, y) if x < y else (y, x)
    return x, y, tuple(sorted(given))


def _run_queries(table, queries, options, entropy, positions, *, progress=False, draw_bar=None):
    """Run canonical ``(x, y, given)`` index queries on an encoded table.

    ``positions[i]`` is the position of encoded column ``i`` in the user's
    data, which keys each query's random stream.  ``progress`` shows a bar
    over the queries; ``draw_bar`` (a tqdm bar) counts the draws of each.
    """
    # PC's level 0 asks for many unconditional pairs: count them all with one
    # one-hot matrix product instead of one bincount per pair.
    unconditional = [q for q in queries if not q[2]]
    pair_tables = None
    if len(unconditional) >= 8:
        used = sorted({c for q in unconditional for c in q[:2]})
        if len(unconditional) > len(used):
            where = {c: i for i, c in enumerate(used)}
            counted = pairwise_counts(table.codes[:, used], table.cardinalities[used])
            pair_tables = (where, counted)
    results = []
    with _progress_bar(progress and len(queries) > 1, len(queries), "CI tests") as bar:
        for x, y, given in queries:
            # Orient by the data's column order, so that a query's tables (and its
            # draws) are the same whichever entry point and argument order asked.
            if positions[x] > positions[y]:
                x, y = y, x
            given = tuple(sorted(given, key=lambda g: positions[g]))
            if pair_tables is not None and not given:
                where, counted = pair_tables
                counts = counted.table(where[x], where[y])[None]
                strata = Strata.from_counts(
                    counts, int(table.cardinalities[x]), int(table.cardinalities[y]), 1
                )
            else:
                strata = _strata(table, x, y, given)
            key = (positions[x], positions[y], *(positions[g] for g in given))

            def factory(key=key):
                return query_rng(entropy, key)

            results.append(run_test(strata, options, factory, draw_bar))
            if bar is not None:
                bar.update(1)
    return results


def _index_query(table: EncodedTable, query, where=""):
    try:
        x, y, *rest = query
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{where}a query is (x, y) or (x, y, given) with column indices, got {query!r}."
        ) from None
    if len(rest) > 1:
        raise InvalidInputError(f"{where}a query has at most 3 parts (x, y, given), got {query!r}.")
    given = _as_labels(rest[0]) if rest else ()
    p = table.n_columns
    for value in (x, y, *given):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < p:
            raise ColumnNotFoundError(
                f"{where}{value!r} is not a column index of the encoded table "
                f"(it has {p} columns, indices 0 .. {p - 1})."
            )
    x, y, given = int(x), int(y), tuple(int(g) for g in given)
    _check_query(range(p), x, y, given, where)
    return _canonical(x, y, given)


# ---------------------------------------------------------------- public API


#: Tests of numeric columns, in :mod:`mistruct.knn_independence`.
CONTINUOUS_METHODS = ("knn-permutation", "gaussian")


def _continuous_test(data, x, y, given, method, alpha, n_permutations, seed, return_null, missing):
    """``ci_test`` for numeric columns: kNN local permutation or Gaussian partial correlation."""
    from mistruct.knn_independence import gaussian_ci_test, knn_ci_test

    frame = as_frame(data)
    given = _as_labels(given)
    _check_query(frame.columns, x, y, given)
    rows = frame[[x, y, *given]]
    if missing == "drop":
        rows = rows.dropna()
    z = rows[list(given)] if given else None
    if method == "gaussian":
        return gaussian_ci_test(rows[x], rows[y], z, alpha=alpha)
    return knn_ci_test(
        rows[x],
        rows[y],
        z,
        n_permutations=n_permutations,
        alpha=alpha,
        seed=seed,
        return_null=return_null,
    )


def _auto_method(data, x, y, given) -> str:
    """``"knn-permutation"`` if a column of the query is float, else ``"g-test-adjusted"``."""
    frame = as_frame(data)
    given = _as_labels(given)
    _check_query(frame.columns, x, y, given)
    kinds = column_kinds(frame[[x, y, *given]])
    return "knn-permutation" if "continuous" in kinds.values() else "g-test-adjusted"


def ci_test(
    data,
    x,
    y,
    given=(),
    *,
    method: str = "g-test",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=None,
    return_null: bool = False,
    missing: str = "error",
    progress: bool = False,
) -> CITestResult:
    """Test whether columns ``x`` and ``y`` are independent given the columns ``given``.

    The statistic is the log-likelihood ratio ``G = 2 N I(X;Y|Z)`` (CMI in
    nats).  Its p-value comes from the chi-squared law (``"g-test"``,
    ``"g-test-adjusted"``) or from the exact within-stratum permutation null
    (``"permutation"``, ``"sequential"``), drawn as random tables with the
    margins of each stratum, never by shuffling rows.

    Parameters
    ----------
    data : DataFrame or 2-D array
        Discrete columns (integer, bool, category, object or string); never
        modified.  Columns of an array are labelled ``0 .. p - 1``.
    x, y : label
        The two columns tested.
    given : label or list of labels, optional
        The conditioning set Z (empty: marginal independence).
    method : {"g-test", "g-test-adjusted", "permutation", "sequential", \
"knn-permutation", "gaussian", "auto"}
        ``"g-test"``: chi-squared with ``(|X| - 1)(|Y| - 1)|Z|`` degrees of
        freedom, counting the levels of X and Y and the strata of Z that
        occur in the data.  ``"g-test-adjusted"``: degrees of freedom summed
        over strata from their non-empty rows and columns only (bnlearn's
        ``mi-adf``); better calibrated on sparse data.  ``"permutation"``:
        ``n_permutations`` null tables, p-value ``(1 + #{null >= G}) / (1 +
        B)``.  ``"sequential"``: Besag-Clifford sequential permutation; stops
        once ``h`` null values reach G, with p-value ``h / L`` after ``L``
        draws, else ``(g + 1) / (B + 1)``.  With zero degrees of freedom
        (every stratum has one non-empty row or column), G is 0 and the
        p-value is 1 for every method: no evidence against independence is
        possible.  For numeric (float) columns: ``"knn-permutation"``
        (:func:`mistruct.knn_independence.knn_ci_test`, Frenzel-Pompe CMI with
        Runge's local permutation null) and ``"gaussian"`` (partial
        correlation, Fisher z: :func:`mistruct.knn_independence.gaussian_ci_test`).
        ``"auto"``: ``"knn-permutation"`` when a column of the query is
        float (discrete columns then by the discrete metric, as in
        :func:`mistruct.continuous.mixed_mutual_information`), else
        ``"g-test-adjusted"``; ``result.method`` says which ran.
    alpha : float, default 0.05
        Significance level of the decision ``independent = pvalue > alpha``.
    n_permutations : int, default 1000
        Null tables to draw (the most the sequential test draws).
    estimator : {"plugin", "miller-madow", "shrinkage", "chao-shen"}
        CMI estimator of the permutation statistic (see
        :mod:`mistruct.estimators`); the asymptotic methods need
        ``"plugin"``.
    h : int, default 20
        Besag-Clifford's ``h`` for ``"sequential"``.
    seed : None, int or numpy.random.Generator
        Seeds the draws.  With an int, a query gets the same draws whether
        it runs here, in :func:`ci_tests` or through :class:`PgmpyCITest`,
        and ``x``, ``y`` can be swapped without changing the result.
    return_null : bool, default False
        Keep the null statistics in ``result.null_distribution``.
    missing : {"error", "drop", "category"}
        NaN/None handling; ``"drop"`` drops rows with a missing value in
        ``x``, ``y`` or ``given``.
    progress : bool, default False
        Show a progress bar while drawing (after a second).

    Returns
    -------
    CITestResult

    Raises
    ------
    ColumnNotFoundError, InvalidInputError, ContinuousDataError, MissingValuesError
        Before any work, for unknown columns, ``x == y``, ``x`` or ``y`` in
        ``given``, a bad option, float columns or missing values.

    Warns
    -----
    LowPowerWarning
        When Z has more possible configurations than there are rows.

    Examples
    --------
    Y is a noisy copy of X; Z is unrelated.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 3, 500)
    >>> frame = pd.DataFrame({"x": x, "y": np.where(rng.random(500) < 0.7, x, 0),
    ...                       "z": rng.integers(0, 2, 500)})
    >>> result = ci_test(frame, "x", "y", given="z")
    >>> result.independent, result.dof
    (False, 8)
    >>> result = ci_test(frame, "x", "z", method="permutation", n_permutations=199, seed=1)
    >>> result.independent, result.n_permutations
    (True, 199)
    """
    if method == "auto":
        method = _auto_method(data, x, y, given)
    if method in CONTINUOUS_METHODS:
        return _continuous_test(
            data, x, y, given, method, alpha, n_permutations, seed, return_null, missing
        )
    options = check_options(method, alpha, n_permutations, estimator, h, return_null)
    frame = as_frame(data)
    given = _as_labels(given)
    _check_query(frame.columns, x, y, given)
    _check_discrete(frame, [x, y, *given])
    entropy = seed_entropy(seed)
    columns = [x, y, *given]
    table = encode(frame, columns, missing=missing)
    positions = [int(p) for p in frame.columns.get_indexer(columns)]
    n_possible = int(np.prod([int(k) for k in table.cardinalities[2:]], dtype=object))
    if n_possible > table.n_rows:
        warn_low_power(n_possible, table.n_rows, f"test of {x!r} and {y!r} given {list(given)}")
    query = _canonical(0, 1, tuple(range(2, len(columns))))
    show = progress and options.method in ("permutation", "sequential")
    with _progress_bar(show, options.n_permutations, "permutations") as bar:
        return _run_queries(table, [query], options, entropy, positions, draw_bar=bar)[0]


def ci_tests(
    data,
    queries,
    *,
    method: str = "g-test",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=None,
    correction: str | None = None,
    missing: str = "error",
    progress: bool = False,
) -> pd.DataFrame:
    """Run many conditional independence tests on one table, encoding it once.

    Parameters
    ----------
    data : DataFrame or 2-D array
    queries : iterable of tuples
        ``(x, y)`` or ``(x, y, given)``, ``given`` a label or a list of
        labels.
    method, alpha, n_permutations, estimator, h : see :func:`ci_test`
    seed : None, int or numpy.random.Generator
        Each query draws from its own stream derived from ``seed`` and the
        query, so a row is the same as :func:`ci_test` with the same seed.
    correction : {None, "holm", "bh"}
        Adjust the p-values for multiple testing: Holm's step-down
        (family-wise error) or Benjamini-Hochberg (false discovery rate).
        The decision ``independent`` then uses the adjusted p-values.
    missing : {"error", "drop", "category"}
        ``"drop"`` drops every row with a missing value in any column the
        queries use, so all tests see the same rows.
    progress : bool, default False
        Progress bar over the queries (after a second).

    Returns
    -------
    DataFrame
        One row per query: ``x``, ``y``, ``given`` (a tuple), ``statistic``,
        ``cmi``, ``dof``, ``pvalue``, ``pvalue_adjusted`` (with a
        correction), ``independent``, ``n_permutations``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 2, 400)
    >>> b = a ^ (rng.random(400) < 0.1)
    >>> c = b ^ (rng.random(400) < 0.1)
    >>> frame = pd.DataFrame({"a": a, "b": b, "c": c})
    >>> out = ci_tests(frame, [("a", "b"), ("a", "c"), ("a", "c", "b")], correction="holm")
    >>> out[["x", "y", "given", "dof", "independent"]]
       x  y given  dof  independent
    0  a  b    ()    1        False
    1  a  c    ()    1        False
    2  a  c  (b,)    2         True
    """
    options = check_options(method, alpha, n_permutations, estimator, h, False)
    if correction not in CORRECTIONS:
        raise InvalidInputError(
            f"correction={correction!r} is not an option; use None, 'holm' or 'bh'."
        )
    frame = as_frame(data)
    if isinstance(queries, (str, bytes)) or not isinstance(queries, Iterable):
        raise InvalidInputError(
            "queries must be a list of (x, y) or (x, y, given) tuples, "
            f"got {type(queries).__name__}."
        )
    parsed = []
    for number, query in enumerate(queries):
        where = f"query {number} ({query!r}): "
        if isinstance(query, (str, bytes)) or not isinstance(query, Iterable):
            raise InvalidInputError(f"{where}a query is a tuple (x, y) or (x, y, given).")
        parts = tuple(query)
        if len(parts) not in (2, 3):
            raise InvalidInputError(f"{where}a query is a tuple (x, y) or (x, y, given).")
        given = _as_labels(parts[2]) if len(parts) == 3 else ()
        _check_query(frame.columns, parts[0], parts[1], given, where)
        parsed.append((parts[0], parts[1], given))
    entropy = seed_entropy(seed)
    columns = list(dict.fromkeys(c for q in parsed for c in (q[0], q[1], *q[2])))
    header = ["x", "y", "given", "statistic", "cmi", "dof", "pvalue"]
    header += (["pvalue_adjusted"] if correction else []) + ["independent", "n_permutations"]
    if not parsed:
        return pd.DataFrame(columns=header)
    _check_discrete(frame, columns)
    table = encode(select_columns(frame, columns), missing=missing)
    where = {c: i for i, c in enumerate(columns)}
    positions = [int(p) for p in frame.columns.get_indexer(columns)]
    cards = table.cardinalities
    sparse = []
    index_queries = []
    for x, y, given in parsed:
        g = tuple(where[c] for c in given)
        index_queries.append(_canonical(where[x], where[y], g))
        n_possible = int(np.prod([int(cards[i]) for i in g], dtype=object))
        if n_possible > table.n_rows:
            sparse.append(((x, y, list(given)), n_possible))
    if sparse:
        (first, n_possible) = sparse[0]
        warn_low_power(
            n_possible,
            table.n_rows,
            f"{len(sparse)} of {len(parsed)} queries (first: {first})",
        )
    results = _run_queries(table, index_queries, options, entropy, positions, progress=progress)
    out = pd.DataFrame(
        {
            "x": [q[0] for q in parsed],
            "y": [q[1] for q in parsed],
            "given": [tuple(q[2]) for q in parsed],
            "statistic": [r.statistic for r in results],
            "cmi": [r.cmi for r in results],
            "dof": np.array([r.dof for r in results], dtype=np.int64),
            "pvalue": [r.pvalue for r in results],
        }
    )
    if correction:
        out["pvalue_adjusted"] = adjust_pvalues(out["pvalue"].to_numpy(), correction)
        out["independent"] = out["pvalue_adjusted"] > options.alpha
    else:
        out["independent"] = out["pvalue"] > options.alpha
    out["n_permutations"] = np.array([r.n_permutations for r in results], dtype=np.int64)
    out.attrs.update(method=options.method, alpha=options.alpha, correction=correction)
    return out


def ci_test_encoded(
    table: EncodedTable,
    x: int,
    y: int,
    given=(),
    *,
    method: str = "g-test",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=None,
    return_null: bool = False,
) -> CITestResult:
    """One test on an already-encoded table, columns by index (no re-encoding).

    Same options as :func:`ci_test`.  With an int ``seed`` the draws are
    those :func:`ci_test` makes when the table's columns are the data's.

    Examples
    --------
    >>> from mistruct.data import encode
    >>> table = encode(pd.DataFrame({"a": [0, 1] * 50, "b": [0, 1] * 50, "c": [0, 0, 1, 1] * 25}))
    >>> ci_test_encoded(table, 0, 1).independent, ci_test_encoded(table, 0, 2).independent
    (False, True)
    """
    return ci_tests_encoded(
        table,
        [(x, y, given)],
        method=method,
        alpha=alpha,
        n_permutations=n_permutations,
        estimator=estimator,
        h=h,
        seed=seed,
        return_null=return_null,
    )[0]


def ci_tests_encoded(
    table: EncodedTable,
    queries,
    *,
    method: str = "g-test",
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
    seed : None, int or numpy.random.Generator
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
    [False, True, True]
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
    positions = list(range(table.n_columns))
    return _run_queries(table, index_queries, options, entropy, positions, progress=progress)


def ci_test_from_table(
    table,
    *,
    method: str = "g-test",
    alpha: float = 0.05,
    n_permutations: int = 1000,
    estimator: str = "plugin",
    h: int = 20,
    seed=None,
    return_null: bool = False,
) -> CITestResult:
    """Test X ⟂ Y | Z from a table of counts with axes (X, Y, Z1, Z2, ...).

    A 2-D table tests marginal independence of its rows and columns.

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

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(pvalues, dtype=float)
    if method not in ("holm", "bh"):
        raise InvalidInputError(f"method={method!r} is not an option; use 'holm' or 'bh'.")
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

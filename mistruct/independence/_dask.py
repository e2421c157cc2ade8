"""The discrete tests on a Dask table: every query's strata counted in one pass.

The tests of :mod:`mistruct.independence` read the rows only to count each
query's (stratum, x, y) tables; the statistic, the chi-squared p-value and
the permutation null (random tables with each stratum's margins) work on
those tables alone.  Here the tables of a whole batch of queries come from
one pass over the partitions (:func:`mistruct.counting.dask_stratified_counts`)
and the same test engine runs on them, with the same random stream per
query, so the results equal the pandas path's: only counts travel.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from mistruct._validation import check_missing
from mistruct.counting import dask_stratified_counts
from mistruct.data import DaskTable, dask_frame, dask_kinds, dask_summary, dask_table
from mistruct.exceptions import ColumnNotFoundError, ContinuousDataError, InvalidInputError
from mistruct.independence._core import (
    DISCRETE_METHODS,
    Strata,
    check_options,
    content_query,
    label_key,
    query_rng,
    run_test,
    seed_entropy,
    warn_low_power,
    warn_no_evidence,
)
from mistruct.independence._discrete_tests import canonical, progress_bar
from mistruct.independence._registry import lookup_ci_test

__all__ = ["dask_ci_tests", "dask_run_queries"]


def dask_run_queries(table: DaskTable, queries, options, entropy, labels, *, progress=False,
                     draw_bar=None) -> list:
    """:func:`run_queries` on a Dask table: the strata of all queries from one pass.

    Parameters
    ----------
    table : mistruct.data.DaskTable
        The encoded Dask table.
    queries : list of tuples
        Canonical ``(x, y, given)`` position queries.
    options : Options
        The checked test options.
    entropy : int
        The seed's entropy; each query's stream is keyed by it and the query.
    labels : sequence
        The label of each column of ``table`` (orients and keys the queries).
    progress : bool, default False
        A bar over the queries' tests (the counting pass reports itself).
    draw_bar : tqdm bar, optional
        Counts the permutation draws.

    Returns
    -------
    list of CITestResult
        In the order of ``queries``, equal to the pandas path's.
    """
    labels = list(labels)
    oriented = []
    for x, y, given in queries:
        # The same orientation and stream key as run_queries: results do not depend on
        # the entry point, the argument order or the column order.
        key = content_query(labels[x], labels[y], tuple(labels[g] for g in given))[3]
        if label_key(labels[x]) > label_key(labels[y]):
            x, y = y, x
        given = tuple(sorted(given, key=lambda g: label_key(labels[g])))
        oriented.append((x, y, given, key))
    distinct = list(dict.fromkeys((x, y, given) for x, y, given, _ in oriented))
    counted = dict(zip(distinct, dask_stratified_counts(table, distinct), strict=True))
    cards = table.cardinalities
    results = []
    with progress_bar(progress and len(queries) > 1, len(queries), "CI tests") as bar:
        for x, y, given, key in oriented:
            found = counted[x, y, given]
            strata = Strata.from_counts(
                found.tables, int(cards[x]), int(cards[y]), found.n_possible if given else 1
            )

            def factory(key=key):
                return query_rng(entropy, key)

            results.append(run_test(strata, options, factory, draw_bar))
            if bar is not None:
                bar.update(1)
    return results


def _as_labels(given) -> tuple:
    if given is None:
        return ()
    if isinstance(given, (str, bytes)) or np.isscalar(given):
        return (given,)
    if isinstance(given, Iterable):
        return tuple(given)
    return (given,)


def _check_query(columns, x, y, given, where=""):
    named = [x, y, *given]
    missing = [c for c in named if c not in columns]
    if missing:
        raise ColumnNotFoundError(
            f"{where}column(s) {', '.join(repr(c) for c in missing)} not found in the data; "
            f"available columns: {', '.join(repr(c) for c in list(columns)[:20])}"
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
            f"{list(given)!r}; remove it from `given`."
        )
    if len(set(given)) != len(given):
        raise InvalidInputError(f"{where}the conditioning set {list(given)!r} repeats a column.")


def _parse(queries, columns) -> list:
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
        _check_query(columns, parts[0], parts[1], given, where)
        parsed.append((parts[0], parts[1], given))
    return parsed


def dask_ci_tests(data, queries, *, method="auto", alpha=0.05, n_permutations=1000,
                  estimator="plugin", h=20, seed=0, missing="error", progress=False,
                  discrete=None, continuous=None, single=False, return_null=False,
                  correction=None):
    """:func:`ci_tests` (or, with ``single``, :func:`ci_test`) on a Dask DataFrame.

    One pass finds the levels of the queried columns, one more counts the
    strata of every query; the tests then run on the counts.

    Parameters
    ----------
    data : dask.dataframe.DataFrame
        Never collected.
    queries : iterable of tuples
        ``(x, y)`` or ``(x, y, given)`` with column labels.
    method, alpha, n_permutations, estimator, h, seed, missing, progress
        As in :func:`mistruct.independence.ci_tests`; the discrete tests
        only (the kNN and Gaussian tests of continuous columns need the rows
        together and are refused).
    discrete, continuous : list of labels, optional
        Column kinds' overrides, as in :func:`ci_tests`.
    single : bool, default False
        Return the one query's :class:`CITestResult` (as :func:`ci_test`).
    return_null : bool, default False
        Keep the null statistics (``single`` only).
    correction : {None, "holm", "bh"}
        Checked here, before any work; applied by :func:`results_frame`.

    Returns
    -------
    list of CITestResult, the parsed queries and the checked options
    """
    test = lookup_ci_test(method)
    if test.name not in DISCRETE_METHODS:
        raise InvalidInputError(
            f"method={test.name!r} on a Dask DataFrame: only the discrete tests "
            f"({', '.join(repr(m) for m in DISCRETE_METHODS)}) count distributed; the kNN and "
            "Gaussian tests need every row on one machine. Discretize the columns, or test a "
            "sample in memory: ddf.sample(frac=0.01).compute()."
        )
    options = check_options(test.name, alpha, n_permutations, estimator, h, return_null)
    if correction not in (None, "holm", "bh"):
        raise InvalidInputError(
            f"correction={correction!r} is not an option; use None, 'holm' or 'bh'."
        )
    check_missing(missing)
    frame = dask_frame(data)
    parsed = _parse(queries, list(frame.columns))
    if not parsed:
        return [], parsed, options
    columns = list(dict.fromkeys(c for q in parsed for c in (q[0], q[1], *q[2])))
    listed_discrete = [c for c in _as_labels(discrete) if c in columns]
    summary = dask_summary(frame, columns, missing=missing, discrete=listed_discrete)
    kinds = dask_kinds(
        summary, discrete=listed_discrete,
        continuous=[c for c in _as_labels(continuous) if c in columns],
    )
    wrong = [c for c in columns if kinds[c] == "continuous"]
    if wrong:
        raise ContinuousDataError(
            f"column(s) {wrong!r} are continuous: on a Dask DataFrame the tests count discrete "
            "columns only (the kNN test needs every row on one machine). Pass discrete=[...] "
            "if their values are categories, bin them, or test a sample in memory: "
            "ddf.sample(frac=0.01).compute()."
        )
    table = dask_table(frame, columns, missing=missing, discrete=listed_discrete,
                       summary=summary)
    where = {c: i for i, c in enumerate(columns)}
    index_queries = [
        canonical(where[x], where[y], tuple(where[g] for g in given)) for x, y, given in parsed
    ]
    sparse = []
    for (x, y, given), (_, _, g) in zip(parsed, index_queries, strict=True):
        n_possible = int(np.prod([int(table.cardinalities[j]) for j in g], dtype=object))
        if n_possible > table.n_rows:
            sparse.append(((x, y, list(given)), n_possible))
    if sparse:
        first, n_possible = sparse[0]
        what = (
            f"test of {first[0]!r} and {first[1]!r} given {first[2]}" if single
            else f"{len(sparse)} of {len(parsed)} queries (first: {first})"
        )
        warn_low_power(n_possible, table.n_rows, what, stacklevel=5)
    show = single and progress and test.name in ("auto", "permutation", "sequential")
    with progress_bar(show, options.n_permutations, "permutations") as bar:
        results = dask_run_queries(
            table, index_queries, options, seed_entropy(seed), columns,
            progress=progress and not single, draw_bar=bar,
        )
    silent = [i for i, r in enumerate(results) if r.no_evidence]
    if silent:
        x, y, given = parsed[silent[0]]
        what = (
            f"test of {x!r} and {y!r} given {list(given)}" if single
            else f"{len(silent)} of {len(parsed)} queries (first: {(x, y, list(given))})"
        )
        warn_no_evidence(what, results[silent[0]].note, stacklevel=4)
    return results, parsed, options


def results_frame(results, parsed, options, *, method, correction, adjust) -> pd.DataFrame:
    """The DataFrame :func:`ci_tests` returns, from the results of :func:`dask_ci_tests`.

    Parameters
    ----------
    results : list of CITestResult
        In query order.
    parsed : list of tuples
        The ``(x, y, given)`` label queries.
    options : Options
        The checked options (their ``alpha`` decides).
    method : str
        The method asked for (kept in ``attrs``).
    correction : {None, "holm", "bh"}
        Multiple-testing correction of the p-values.
    adjust : callable
        ``adjust(pvalues, correction)``: the correction's adjusted p-values.
    """
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
            "dof": np.array([r.dof for r in results], dtype=np.int64),
            "pvalue": [r.pvalue for r in results],
        }
    )
    decided = out["pvalue"]
    if correction:
        out["pvalue_adjusted"] = adjust(out["pvalue"].to_numpy(), correction)
        decided = out["pvalue_adjusted"]
    no_evidence = [r.no_evidence for r in results]
    out["independent"] = pd.Series(
        [None if silent else bool(p > options.alpha)
         for p, silent in zip(decided, no_evidence, strict=True)],
        dtype=object,
    )
    out["no_evidence"] = no_evidence
    out["method"] = [r.method for r in results]
    out["n_permutations"] = np.array([r.n_permutations for r in results], dtype=np.int64)
    out.attrs.update(method=method, alpha=options.alpha, correction=correction)
    return out

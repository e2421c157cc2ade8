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

from mistruct._validation import check_missing
from mistruct.counting import dask_stratified_counts
from mistruct.data import DaskTable, dask_frame, dask_kinds, dask_summary, dask_table
from mistruct.exceptions import ContinuousDataError, InvalidInputError
from mistruct.independence._core import (
    DISCRETE_METHODS,
    Strata,
    check_options,
    seed_entropy,
)
from mistruct.independence._discrete_tests import (
    canonical,
    orient_queries,
    progress_bar,
    run_oriented,
)
from mistruct.independence._queries import (
    as_labels,
    check_correction,
    parse_queries,
    warn_sparse_queries,
)
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
    oriented = orient_queries(queries, labels)
    distinct = list(dict.fromkeys((x, y, given) for x, y, given, _ in oriented))
    counted = dict(zip(distinct, dask_stratified_counts(table, distinct), strict=True))
    cards = table.cardinalities

    def strata_of(x, y, given):
        found = counted[x, y, given]
        return Strata.from_counts(
            found.tables, int(cards[x]), int(cards[y]), found.n_possible if given else 1
        )

    return run_oriented(
        oriented, strata_of, options, entropy, progress=progress, draw_bar=draw_bar
    )


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
        Checked here, before any work; applied by the caller.

    Returns
    -------
    list of CITestResult, the parsed queries and the checked options
        The caller warns about the queries without evidence.
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
    check_correction(correction)
    check_missing(missing)
    frame = dask_frame(data)
    parsed = parse_queries(queries, list(frame.columns), single=single)
    if not parsed:
        return [], parsed, options
    columns = list(dict.fromkeys(c for q in parsed for c in (q[0], q[1], *q[2])))
    listed_discrete = [c for c in as_labels(discrete) if c in columns]
    summary = dask_summary(frame, columns, missing=missing, discrete=listed_discrete)
    kinds = dask_kinds(
        summary, discrete=listed_discrete,
        continuous=[c for c in as_labels(continuous) if c in columns],
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
    warn_sparse_queries(parsed, index_queries, table.cardinalities, table.n_rows,
                        total=len(parsed), single=single, stacklevel=5)
    show = single and progress and test.name in ("auto", "permutation", "sequential")
    with progress_bar(show, options.n_permutations, "permutations") as bar:
        results = dask_run_queries(
            table, index_queries, options, seed_entropy(seed), columns,
            progress=progress and not single, draw_bar=bar,
        )
    return results, parsed, options

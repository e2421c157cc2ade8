"""The discrete tests: G-tests and exact permutation tests on an encoded table.

Four registered names share one engine (:func:`run_queries`): each query's
stratified counts are read once, then

``"g-test"`` / ``"g-test-adjusted"``
    the chi-squared law of G (:mod:`mistruct.independence._g_test`), plain or
    adjusted degrees of freedom;
``"permutation"`` / ``"sequential"``
    the exact conditional null drawn as random tables
    (:mod:`mistruct.independence._permutation`), its p-value by
    :mod:`mistruct.independence._resampling`.

The discrete half of ``"auto"`` runs here too (the rule needs the counts:
:func:`mistruct.independence.asymptotic_fits`).
"""

from __future__ import annotations

import contextlib
from functools import partial

import numpy as np

from mistruct.counting import (
    StrataCounter,
    contingency_table,
    joint_codes,
    pairwise_counts,
    stratified_tables,
)
from mistruct.data import EncodedTable, encode
from mistruct.independence import _permutation as perm
from mistruct.independence._core import (
    ASYMPTOTIC,
    AUTO_EXCESS_LIMIT,
    Strata,
    check_options,
    content_query,
    label_key,
    query_rng,
    run_test,
)
from mistruct.independence._g_test import g_pvalue
from mistruct.independence._registry import CITest, _builtin, set_discrete_auto

__all__ = [
    "BatchedTests",
    "canonical",
    "count_strata",
    "progress_bar",
    "run_discrete",
    "run_queries",
]

#: Null tables the permutation tests draw by default.
DEFAULT_PERMUTATIONS = 1000


@contextlib.contextmanager
def progress_bar(enabled, total, desc):
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, delay=1.0, leave=False)
    try:
        yield bar
    finally:
        bar.close()


def count_strata(table: EncodedTable, x: int, y: int, given: tuple) -> Strata:
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


def canonical(x: int, y: int, given) -> tuple[int, int, tuple]:
    x, y = (x, y) if x < y else (y, x)
    return x, y, tuple(sorted(given))


def run_queries(table, queries, options, entropy, labels, *, progress=False, draw_bar=None):
    """Run canonical ``(x, y, given)`` index queries on an encoded table.

    ``labels[i]`` is the user's label of encoded column ``i``: it orients each
    query and keys its random stream (:func:`content_query`), so the draws
    depend on the query's content, not on column positions.  ``progress``
    shows a bar over the queries; ``draw_bar`` (a tqdm bar) counts the draws
    of each.
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
    def strata_of(x, y, given):
        if pair_tables is not None and not given:
            where, counted = pair_tables
            counts = counted.table(where[x], where[y])[None]
            return Strata.from_counts(
                counts, int(table.cardinalities[x]), int(table.cardinalities[y]), 1
            )
        return count_strata(table, x, y, given)

    return run_oriented(
        orient_queries(queries, labels), strata_of, options, entropy,
        progress=progress, draw_bar=draw_bar,
    )


def orient_queries(queries, labels):
    """``(x, y, given, key)`` per index query, oriented and keyed by the labels.

    Orient by the labels, so that a query's tables (and its draws) are the
    same whichever entry point, argument order or column order asked; ``key``
    keys the query's random stream (:func:`content_query`).
    """
    labels = list(labels)
    oriented = []
    for x, y, given in queries:
        key = content_query(labels[x], labels[y], tuple(labels[g] for g in given))[3]
        if label_key(labels[x]) > label_key(labels[y]):
            x, y = y, x
        given = tuple(sorted(given, key=lambda g: label_key(labels[g])))
        oriented.append((x, y, given, key))
    return oriented


def run_oriented(oriented, strata_of, options, entropy, *, progress=False, draw_bar=None):
    """Run :func:`orient_queries`' queries, ``strata_of(x, y, given)`` giving each one's counts.

    The one loop of the pandas and the Dask paths: only where the counts come
    from differs.
    """
    results = []
    with progress_bar(progress and len(oriented) > 1, len(oriented), "CI tests") as bar:
        for x, y, given, key in oriented:

            def factory(key=key):
                return query_rng(entropy, key)

            results.append(run_test(strata_of(x, y, given), options, factory, draw_bar))
            if bar is not None:
                bar.update(1)
    return results


class BatchedTests:
    """Many queries of one encoded table, decided in batches: what a structure search reads.

    Called with a list of canonical index queries ``(x, y, given)``
    (:func:`canonical`), it returns their p-values, statistics and
    no-evidence flags: the same answers, to the last bit, as the results
    of :func:`run_queries` (``pvalue``, ``statistic``, ``no_evidence``).
    The asymptotic tests are counted and decided in batches
    (:class:`mistruct.counting.StrataCounter`: the table prepared once, the
    strata of each conditioning set built once for every pair that shares
    it, no Python object per query); only the queries an exact test decides
    (the permutation methods, a non-plug-in estimator, and those ``"auto"``
    finds too thin for the chi-squared law) go through :func:`run_queries`.

    Parameters
    ----------
    table : EncodedTable
    options : Options
    entropy : int
        The seed's entropy (:func:`mistruct.independence.seed_entropy`).
    labels : sequence
        ``labels[i]`` keys the random stream of column ``i`` and orders
        each query (as in :func:`run_queries`).
    n_jobs : int, default 1
        Threads counting a batch; the answers do not depend on it.
    """

    def __init__(self, table, options, entropy, labels, *, n_jobs=1):
        self.table = table
        self.options = options
        self.entropy = entropy
        self.labels = list(labels)
        self.n_jobs = n_jobs
        self.batched = options.method in ("auto", *ASYMPTOTIC) and options.estimator == "plugin"
        if self.batched:
            self.counter = StrataCounter(
                table.codes, table.cardinalities, xlogx=perm._lookup_table()
            )
            # run_test's orientation: x before y, and the set, in label order.
            keys = [label_key(label) for label in self.labels]
            self.rank = {c: r for r, c in enumerate(sorted(range(len(keys)), key=keys.__getitem__))}

    def __call__(self, queries):
        n_queries = len(queries)
        options = self.options
        if not self.batched or not n_queries:
            exact = np.arange(n_queries)
            pvalues, statistics = np.ones(n_queries), np.zeros(n_queries)
            flags = np.zeros(n_queries, dtype=bool)
        else:
            rank = self.rank
            oriented = []
            for x, y, given in queries:
                if rank[x] > rank[y]:
                    x, y = y, x
                if len(given) > 1:
                    given = tuple(sorted(given, key=rank.__getitem__))
                oriented.append((x, y, given))
            counted = self.counter.count(oriented, n_jobs=self.n_jobs)
            evidence = counted.n_informative > 0
            constant = (counted.n > 0) & ((counted.levels_x == 1) | (counted.levels_y == 1))
            # run_test's rounding guard: G = 0 can come out as -1e-15.
            statistics = np.maximum(counted.statistic, 0.0)
            flags = ~evidence & ~constant
            exact = np.empty(0, dtype=np.int64)
            if options.method == "g-test":
                pvalues = g_pvalue(statistics, counted.dof)
            else:
                pvalues = g_pvalue(statistics, counted.dof_adjusted)
                if options.method == "auto":
                    shift = counted.excess / np.sqrt(2.0 * np.maximum(counted.dof_adjusted, 1))
                    exact = np.flatnonzero(evidence & ~(shift <= AUTO_EXCESS_LIMIT))
                    # Without evidence the exact null is the observed G: p = 1, no draws.
                    pvalues = np.where(evidence, pvalues, 1.0)
            pvalues = np.array(pvalues, dtype=float).reshape(n_queries)
        if exact.size:
            results = run_queries(
                self.table, [queries[q] for q in exact], options, self.entropy, self.labels
            )
            for q, result in zip(exact.tolist(), results, strict=True):
                pvalues[q] = result.pvalue
                statistics[q] = result.statistic
                flags[q] = result.no_evidence
        return pvalues, statistics, flags


def run_discrete(frame, queries, context, method: str):
    """Run label ``queries`` of ``frame`` with the discrete ``method`` (or ``"auto"``).

    The query columns are encoded once; each query's stream is keyed by
    ``context.key_label`` of its columns (:meth:`CIContext.orient`'s rule).
    """
    n_permutations = context.n_permutations
    if n_permutations is None:
        n_permutations = DEFAULT_PERMUTATIONS
    options = check_options(
        method, context.alpha, n_permutations, context.estimator, context.h, context.return_null
    )
    columns = list(dict.fromkeys(c for x, y, given in queries for c in (x, y, *given)))
    table = encode(frame[columns], missing=context.missing)
    where = {c: i for i, c in enumerate(columns)}
    index_queries = [
        canonical(where[x], where[y], tuple(where[g] for g in given)) for x, y, given in queries
    ]
    if context.low_power is not None:
        context.low_power(table, queries, index_queries)
    outcomes = run_queries(
        table,
        index_queries,
        options,
        context.entropy,
        [context.key_label(c) for c in columns],
        progress=context.query_bar,
        draw_bar=context.draw_bar,
    )
    if context.progress is not None:
        context.progress.update(len(queries))
    return outcomes


def _discrete_test(method: str, summary: str, n_permutations=None) -> CITest:
    # A partial of a module function pickles (the pgmpy adapter is pickled by joblib).
    run = partial(run_discrete, method=method)
    return CITest(method, frozenset({"discrete"}), run, n_permutations, summary)


_builtin(
    _discrete_test(
        "g-test",
        "chi-squared law of G, (|X|-1)(|Y|-1)|Z| degrees of freedom (observed levels)",
    )
)
_builtin(
    _discrete_test(
        "g-test-adjusted",
        "chi-squared law of G, degrees of freedom from each stratum's non-empty rows/columns",
    )
)
_builtin(
    _discrete_test(
        "permutation",
        "exact conditional null: random tables with each stratum's margins, fixed B",
        DEFAULT_PERMUTATIONS,
    )
)
_builtin(
    _discrete_test(
        "sequential",
        "the permutation null drawn until h values reach G (Besag-Clifford)",
        DEFAULT_PERMUTATIONS,
    )
)
set_discrete_auto(_discrete_test("auto", "", DEFAULT_PERMUTATIONS))

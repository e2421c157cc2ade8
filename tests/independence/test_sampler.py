"""The compiled sampler of the exact discrete CI tests (issue 15, items 1 and 4).

The hypergeometric variates, the Patefield tables built from them, the exact
decisions of the null replicates and the tail bound that lets a clear
dependence skip its draws, each checked against exact enumeration.
"""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from mistruct.independence import _permutation as perm
from mistruct.independence import ci_test_from_table


def xlogx(values):
    values = np.asarray(values, dtype=float)
    return values * np.log(np.maximum(values, 1.0))


def g_value(table):
    table = np.asarray(table)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    return 2.0 * (xlogx(table).sum() - xlogx(rows).sum() - xlogx(cols).sum() + xlogx(table.sum()))


def tables_with_margins(rows, cols):
    """Every table with these row and column sums (small margins only)."""
    rows, cols = list(rows), list(cols)
    if len(rows) == 1:
        yield np.array([cols])
        return
    first = rows[0]
    for cells in itertools.product(*[range(min(first, c) + 1) for c in cols]):
        if sum(cells) == first:
            rest = [c - t for c, t in zip(cols, cells, strict=True)]
            for tail in tables_with_margins(rows[1:], rest):
                yield np.vstack([cells, tail])


def table_probability(table):
    table = np.asarray(table)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    log_p = sum(math.lgamma(r + 1) for r in rows) + sum(math.lgamma(c + 1) for c in cols)
    log_p -= math.lgamma(table.sum() + 1) + sum(math.lgamma(t + 1) for t in table.ravel())
    return math.exp(log_p)


def stratum_law(table):
    """(G values, probabilities) of the tables with ``table``'s margins."""
    table = np.asarray(table)
    tables = list(tables_with_margins(table.sum(axis=1), table.sum(axis=0)))
    return np.array([g_value(t) for t in tables]), np.array([table_probability(t) for t in tables])


def exact_pvalue(strata):
    """P(G >= G_obs) under the exact conditional null, convolving the strata."""
    values, probabilities = np.zeros(1), np.ones(1)
    observed = 0.0
    for table in strata:
        g, p = stratum_law(table)
        values = (values[:, None] + g[None]).ravel()
        probabilities = (probabilities[:, None] * p[None]).ravel()
        observed += g_value(table)
    return float(probabilities[values >= observed - 1e-9].sum())


def pooled_chisquare(observed, expected):
    """Chi-squared goodness of fit, bins with expected counts below 5 pooled into one."""
    observed, expected = np.asarray(observed, float), np.asarray(expected, float)
    small = expected < 5
    if small.any():
        observed = np.append(observed[~small], observed[small].sum())
        expected = np.append(expected[~small], expected[small].sum())
    keep = expected > 0
    return stats.chisquare(observed[keep], expected[keep] * observed.sum() / expected.sum()).pvalue


def plugin_null(counts):
    counts = np.asarray(counts, dtype=np.int64)
    return perm.PluginNull(counts.sum(axis=2), counts.sum(axis=1), counts)


# ---------------------------------------------------------------- hypergeometric variates


@pytest.mark.parametrize(
    ("good", "bad", "sample"),
    [
        (5, 5, 4),  # search from the mode
        (3, 4, 3),
        (20, 30, 10),
        (10, 990, 500),  # skewed
        (60, 40, 50),
        (200, 300, 100),  # sd 4.4: ratio of uniforms (HRUA)
        (2500, 7500, 5000),
        (300, 9700, 5000),
        (40_000, 50_000, 45_000),  # beyond the log-factorial table
    ],
)
def test_hypergeometric_variates_have_the_hypergeometric_law(good, bad, sample):
    size = 200_000
    draws = perm.hypergeometric(good, bad, sample, size, np.random.default_rng(good + sample))
    lo, hi = max(0, sample - bad), min(sample, good)
    assert draws.min() >= lo and draws.max() <= hi
    support = np.arange(lo, hi + 1)
    expected = stats.hypergeom(good + bad, good, sample).pmf(support) * size
    observed = np.bincount(draws - lo, minlength=support.size)
    assert pooled_chisquare(observed, expected) > 1e-3
    law = stats.hypergeom(good + bad, good, sample)
    assert draws.mean() == pytest.approx(law.mean(), abs=5 * law.std() / np.sqrt(size))


@pytest.mark.parametrize(
    ("good", "bad", "sample", "value"),
    [(0, 5, 3, 0), (4, 0, 3, 3), (4, 6, 0, 0), (4, 6, 10, 4), (7, 1, 8, 7), (1, 0, 1, 1)],
)
def test_certain_variates_take_no_uniform(good, bad, sample, value):
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert (perm.hypergeometric(good, bad, sample, 50, rng) == value).all()
    assert rng.bit_generator.state == state


# ---------------------------------------------------------------- whole tables


@pytest.mark.parametrize(
    ("rows", "cols"),
    [
        ([3, 4], [2, 3, 2]),
        ([2, 2, 3], [4, 3]),
        ([3, 3, 2], [3, 2, 3]),
        ([7], [2, 3, 2]),  # one row: a single table
        ([4, 0, 3], [0, 5, 2]),  # empty row and column
        ([1, 1, 1, 1], [2, 2]),
    ],
)
def test_drawn_tables_have_the_fisher_law_and_the_margins(rows, cols):
    rows, cols = np.array([rows]), np.array([cols])
    tables = list(tables_with_margins(rows[0], cols[0]))
    expected = np.array([table_probability(t) for t in tables])
    assert expected.sum() == pytest.approx(1.0)
    size = 40_000
    out = np.empty((size, 1, rows.shape[1], cols.shape[1]), dtype=np.int64)
    perm.draw(rows, cols, size, np.random.default_rng(1), out=out)
    assert (out.sum(axis=3) == rows).all() and (out.sum(axis=2) == cols).all()
    assert (out >= 0).all()
    index = {t.astype(np.int64).tobytes(): i for i, t in enumerate(tables)}
    observed = np.bincount([index[t.tobytes()] for t in out[:, 0]], minlength=len(tables))
    if len(tables) > 1:
        assert pooled_chisquare(observed, expected * size) > 1e-3
    else:
        assert observed[0] == size


def test_several_strata_are_drawn_independently_with_their_margins():
    rows = np.array([[5, 3], [2, 2], [6, 0]])
    cols = np.array([[4, 4], [1, 3], [3, 3]])
    size = 30_000
    out = np.empty((size, 3, 2, 2), dtype=np.int64)
    perm.draw(rows, cols, size, np.random.default_rng(2), out=out)
    assert (out.sum(axis=3) == rows).all() and (out.sum(axis=2) == cols).all()
    first, second = out[:, 0, 0, 0], out[:, 1, 0, 0]
    # The joint law of two strata's free cells is the product of their laws.
    joint = np.zeros((6, 3))
    np.add.at(joint, (first - first.min(), second - second.min()), 1)
    kept = joint[joint.sum(axis=1) > 0][:, joint.sum(axis=0) > 0]
    assert stats.chi2_contingency(kept).pvalue > 1e-3


# ---------------------------------------------------------------- decisions and p-values

SMALL_STRATA = np.array(
    [
        [[5, 1, 0], [0, 4, 0]],
        [[3, 1, 1], [1, 2, 2]],
        [[2, 1, 0], [1, 2, 0]],
        [[4, 0, 1], [1, 2, 1]],
        [[1, 2, 0], [2, 1, 0]],
    ]
)


def test_each_decision_is_the_one_the_full_statistic_gives():
    null = plugin_null(SMALL_STRATA)
    threshold = null.observed - null.tolerance
    used, hits, values = null.decide(
        20_000, np.random.default_rng(0), threshold, np.random.default_rng(1)
    )
    assert used == 20_000 and 0 < hits.sum() < used
    np.testing.assert_array_equal(hits, values >= threshold)


def test_permutation_pvalue_has_the_exact_conditional_value():
    exact = exact_pvalue(SMALL_STRATA)
    size = 40_000
    result = ci_test_from_table(
        np.moveaxis(SMALL_STRATA, 0, -1), method="permutation", n_permutations=size, seed=4
    )
    assert abs(result.pvalue - exact) < 4 * np.sqrt(exact * (1 - exact) / size) + 1e-4


def test_null_values_agree_with_the_numpy_reference_path():
    counts = np.moveaxis(SMALL_STRATA, 0, -1)
    options = dict(method="permutation", n_permutations=20_000, seed=5, return_null=True)
    compiled = ci_test_from_table(counts, **options)
    perm.COMPILED = False
    try:
        reference = ci_test_from_table(counts, **options)
    finally:
        perm.COMPILED = True
    # Same law, different streams: G is discrete, so round off the last bits.
    a = np.round(compiled.null_distribution, 8)
    b = np.round(reference.null_distribution, 8)
    assert stats.ks_2samp(a, b).pvalue > 1e-3
    assert compiled.statistic == reference.statistic
    se = np.sqrt(2 * compiled.pvalue / 20_000)
    assert abs(compiled.pvalue - reference.pvalue) < 5 * se + 1e-3


@pytest.mark.parametrize("method", ["permutation", "sequential"])
def test_same_seed_same_pvalue(method):
    counts = np.moveaxis(SMALL_STRATA, 0, -1)
    one = ci_test_from_table(counts, method=method, n_permutations=999, seed=11)
    two = ci_test_from_table(counts, method=method, n_permutations=999, seed=11)
    assert one.pvalue == two.pvalue and one.n_permutations == two.n_permutations
    others = {
        ci_test_from_table(counts, method=method, n_permutations=999, seed=s).pvalue
        for s in range(12, 18)
    }
    assert len(others) > 1  # the seed does drive the draws


def test_sequential_stops_at_the_h_th_exceedance():
    null = plugin_null(SMALL_STRATA)
    threshold = null.observed - null.tolerance
    drawn, exceed, values = perm.sequential_test(
        null, 5000, 15, threshold, np.random.default_rng(3), np.random.default_rng(4)
    )
    hits = values >= threshold
    assert exceed == 15 and values.shape == (drawn,) and drawn < 5000
    assert hits.sum() == 15 and hits[-1]


def test_sequential_pvalue_keeps_its_law_under_the_null():
    # Besag-Clifford's p-value is exact: P(p <= u) <= u at its attainable values.
    rng = np.random.default_rng(9)
    pvalues = []
    for _ in range(400):
        strata = rng.multinomial(12, np.full(6, 1 / 6), size=3).reshape(3, 2, 3)
        # Tables drawn under independence given their margins: the conditional null.
        rows, cols = strata.sum(axis=2), strata.sum(axis=1)
        tables = np.empty((1, 3, 2, 3), dtype=np.int64)
        perm.draw(rows, cols, 1, rng, out=tables)
        result = ci_test_from_table(
            np.moveaxis(tables[0], 0, -1), method="sequential", n_permutations=199, h=10,
            seed=int(rng.integers(1 << 30)),
        )
        pvalues.append(result.pvalue)
    pvalues = np.array(pvalues)
    for level in (0.05, 0.1, 0.25, 0.5):
        rate = np.mean(pvalues <= level)
        assert stats.binom.sf(round(rate * 400) - 1, 400, level) > 1e-3


# ---------------------------------------------------------------- the tail bound


@pytest.mark.parametrize(
    "strata",
    [
        [[[5, 1], [0, 4]]],
        [[[3, 1, 1], [1, 2, 2]]],
        [[[4, 2, 0], [1, 2, 3], [0, 1, 4]]],
        [[[5, 1], [0, 4]], [[3, 1, 1], [1, 2, 2]]],
        [[[9, 1], [1, 9]], [[2, 2], [2, 2]], [[6, 0], [0, 6]]],
    ],
)
def test_tail_bound_bounds_the_exact_tail(strata):
    values, probabilities = np.zeros(1), np.ones(1)
    rows, cols = [], []
    for table in strata:
        g, p = stratum_law(table)
        values = (values[:, None] + g[None]).ravel()
        probabilities = (probabilities[:, None] * p[None]).ravel()
        rows.append(np.asarray(table).sum(axis=1))
        cols.append(np.asarray(table).sum(axis=0))
    width = max(max(len(r) for r in rows), max(len(c) for c in cols))
    pad = np.zeros((len(strata), width), dtype=np.int64)
    r_sorted, c_sorted = pad.copy(), pad.copy()
    for s, (r, c) in enumerate(zip(rows, cols, strict=True)):
        r_sorted[s, : len(r)] = -np.sort(-r)
        c_sorted[s, : len(c)] = -np.sort(-c)
    kx, ky = (r_sorted > 0).sum(axis=1), (c_sorted > 0).sum(axis=1)
    log_bound = perm._tail_terms(r_sorted, c_sorted, kx, ky).sum()
    for t in np.unique(values):
        tail = probabilities[values >= t - 1e-9].sum()
        assert tail <= np.exp(log_bound - t / 2) * (1 + 1e-9)


def test_clear_dependence_is_decided_without_draws():
    rng = np.random.default_rng(0)
    n = 10_000
    x = rng.integers(0, 3, n)
    y = np.where(rng.random(n) < 0.6, x, rng.integers(0, 3, n))
    z = rng.integers(0, 2, n)
    counts = np.zeros((2, 3, 3), dtype=np.int64)
    np.add.at(counts, (z, x, y), 1)
    null = plugin_null(counts)
    threshold = null.observed - null.tolerance
    draws = np.random.default_rng(1)
    state = draws.bit_generator.state
    used, hits, _ = null.decide(1000, draws, threshold)
    assert used == 1000 and not hits.any()
    assert draws.bit_generator.state == state  # not one uniform
    result = ci_test_from_table(np.moveaxis(counts, 0, -1), method="permutation", seed=0)
    assert result.pvalue == 1 / 1001
    # The null values, when asked for, are still drawn in full (and all fall short).
    full = ci_test_from_table(
        np.moveaxis(counts, 0, -1), method="permutation", seed=0, return_null=True
    )
    assert full.pvalue == result.pvalue and (full.null_distribution < full.statistic).all()


def test_weak_dependence_still_draws_and_has_the_exact_pvalue():
    # One 2 x 2 stratum of 600 rows (cells with sd ~6: the ratio-of-uniforms sampler),
    # a weak dependence: below every bound, so each replicate is drawn.
    rng = np.random.default_rng(4)
    n = 600
    x, y = rng.integers(0, 2, n), rng.integers(0, 2, n)
    y = np.where(rng.random(n) < 0.1, x, y)
    counts = np.zeros((1, 2, 2), dtype=np.int64)
    np.add.at(counts, (np.zeros(n, dtype=int), x, y), 1)
    null = plugin_null(counts)
    draws = np.random.default_rng(1)
    state = draws.bit_generator.state
    null.decide(100, draws, null.observed - null.tolerance)
    assert draws.bit_generator.state != state
    # Exact: the table is fixed by its first cell, hypergeometric given the margins.
    table = counts[0]
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    law = stats.hypergeom(n, cols[0], rows[0])
    support = np.arange(max(0, rows[0] - cols[1]), min(rows[0], cols[0]) + 1)
    g = np.array(
        [g_value([[k, rows[0] - k], [cols[0] - k, rows[1] - cols[0] + k]]) for k in support]
    )
    exact = float(law.pmf(support)[g >= g_value(table) - 1e-9].sum())
    assert 0.001 < exact < 0.5
    size = 20_000
    result = ci_test_from_table(table, method="permutation", n_permutations=size, seed=2)
    assert abs(result.pvalue - exact) < 4 * np.sqrt(exact * (1 - exact) / size) + 1e-4


def test_log_mgf_of_two_by_two_strata_is_exact():
    rng = np.random.default_rng(6)
    strata = [np.array([[30, 10], [12, 25]]), np.array([[5, 3], [2, 6]])]
    strata += [rng.integers(1, 60, size=(2, 2)) for _ in range(4)]
    lambdas = np.array([1.0, 0.9, 0.5, 0.25])
    for table in strata:
        null = plugin_null(table[None])
        out = np.full((1, lambdas.size), -7.0)
        perm._compiled("_mgf_kernel")(
            null._rows[:, :2].copy(), null._cols[:, :2].copy(), null.offsets.copy(), lambdas,
            perm._lookup_table(), perm._log_factorials(), out, np.array([0]),
        )
        g, p = stratum_law(table)
        for m, lam in enumerate(lambdas[1:], start=1):
            assert out[0, m] == pytest.approx(np.log(np.sum(p * np.exp(lam * g / 2))), abs=1e-9)
        assert out[0, 0] == -7.0  # lambda = 1 keeps the bound it was given


def test_chernoff_reach_bounds_the_exact_tail():
    # Two 2 x 2 strata: P(G >= reach) <= exp(-TAIL_LOG_ODDS) at every check, exactly.
    counts = np.array([[[40, 22], [25, 38]], [[15, 30], [28, 12]]])
    null = plugin_null(counts)
    g, p = np.zeros(1), np.ones(1)
    laws = [stratum_law(counts[s]) for s in range(2)]
    for values, probabilities in laws:
        g = (g[:, None] + values[None]).ravel()
        p = (p[:, None] * probabilities[None]).ravel()
    assert null._reach_left[0] < null._cap_left[0]  # the Chernoff bound is the tighter one
    assert p[g >= null._reach_left[0]].sum() <= np.exp(-perm.TAIL_LOG_ODDS)
    # And the bound is not vacuous: it sits within the law's support, far out in its tail.
    assert g.max() > null._reach_left[0] > 2 * np.sum(p * g)


def test_tail_bound_holds_on_random_small_tables():
    rng = np.random.default_rng(12)
    for _ in range(30):
        shape = (int(rng.integers(2, 4)), int(rng.integers(2, 5)))
        table = rng.integers(0, 5, size=shape)
        table[0, 0] += 1
        table[-1, -1] += 1  # two non-empty rows and columns
        null = plugin_null(table[None])
        g, p = stratum_law(table)
        log_bound = perm._tail_terms(null._rows, null._cols, null._kx_live, null._ky_live)[0]
        for t in np.unique(g):
            assert p[g >= t - 1e-9].sum() <= np.exp(log_bound - t / 2) * (1 + 1e-9)
